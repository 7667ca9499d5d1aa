import { Template } from 'aws-cdk-lib/assertions';
import { dbStack } from '../util';

/**
 * The logical IDs of stateful resources are part of the public contract: if a library change renamed one,
 * CloudFormation would replace the database, its key or its secret on the next deploy. Change these values only with
 * a migration note in the release.
 */
test('logical IDs of stateful resources are stable', () => {
  const { stack } = dbStack();
  const template = Template.fromStack(stack);
  const idsOf = (type: string) => Object.keys(template.findResources(type)).sort();
  expect({
    instance: idsOf('AWS::RDS::DBInstance'),
    secret: idsOf('AWS::SecretsManager::Secret'),
    secretAttachment: idsOf('AWS::SecretsManager::SecretTargetAttachment'),
    keys: idsOf('AWS::KMS::Key'),
    parameterGroup: idsOf('AWS::RDS::DBParameterGroup'),
    subnetGroup: idsOf('AWS::RDS::DBSubnetGroup'),
    logGroups: idsOf('AWS::Logs::LogGroup'),
  }).toEqual({
    instance: ['DbInstanceD710EDDF'],
    secret: ['DbSecretCF6D79B0'],
    secretAttachment: ['DbSecretAttachment7AED447C'],
    keys: ['DbKey15491AC0', 'NetworkFlowLogKeyF785E5F9'],
    parameterGroup: ['DbParameterGroupB60E38C6'],
    subnetGroup: ['DbInstanceSubnetGroupD2385C7C'],
    logGroups: ['DbPostgresqlLogGroup13A076F6', 'DbUpgradeLogGroup5C2B0FAC', 'NetworkFlowLogGroup4F8CEEEF'],
  });
});
