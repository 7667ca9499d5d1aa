import { Match, Template } from 'aws-cdk-lib/assertions';
import { DrBackupVault, DrSecretKey, IsolatedVpc, MultiAzPostgres } from '../../src';
import { DR_REGION, PRIMARY_REGION, newApp, newStack } from '../util';

/** The outputs of a stack. */
function outputs(template: Template): Record<string, { Value: unknown; Description?: string }> {
  return (template.toJSON().Outputs ?? {}) as Record<string, { Value: unknown; Description?: string }>;
}

/** Asserts an output whose logical ID starts with `prefix` and has the properties of `expected`. */
function hasOutputLike(template: Template, prefix: string, expected: object): void {
  const ids = Object.keys(outputs(template)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  template.hasOutput(ids[0], expected);
}

describe('outputs of the parts, for the next deploy (opt-in)', () => {
  function primary(props: { outputs?: boolean } = {}) {
    const stack = newStack(newApp(), 'Primary', PRIMARY_REGION);
    const network = new IsolatedVpc(stack, 'Network');
    new MultiAzPostgres(stack, 'Orders', { vpc: network.vpc, instanceIdentifier: 'orders-primary', ...props });
    return Template.fromStack(stack);
  }

  test('MultiAzPostgres: EndpointAddress and VpcId', () => {
    const template = primary({ outputs: true });
    hasOutputLike(template, 'OrdersEndpointAddress', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersInstance'), 'Endpoint.Address'] },
      Description: 'MultiAzPostgres endpoint address of Primary/Orders',
    });
    hasOutputLike(template, 'OrdersVpcId', { Value: { Ref: Match.stringLikeRegexp('^NetworkVpc') } });
    expect(Object.keys(outputs(template))).toHaveLength(2);
  });

  test('DrBackupVault: EncryptionKeyArn', () => {
    const stack = newStack(newApp(), 'DrFoundation', DR_REGION);
    new DrBackupVault(stack, 'BackupVault', { backupVaultName: 'orders-dr', outputs: true });
    const template = Template.fromStack(stack);
    hasOutputLike(template, 'BackupVaultEncryptionKeyArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupVaultKey'), 'Arn'] } });
    expect(Object.keys(outputs(template))).toHaveLength(1);
  });

  test('DrSecretKey: KeyArn', () => {
    const stack = newStack(newApp(), 'DrFoundation', DR_REGION);
    new DrSecretKey(stack, 'SecretKey', { outputs: true });
    const template = Template.fromStack(stack);
    hasOutputLike(template, 'SecretKeyKeyArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SecretKey'), 'Arn'] } });
    expect(Object.keys(outputs(template))).toHaveLength(1);
  });

  test.each([undefined, false])('outputs %p: no output, the templates as before', (value) => {
    expect(outputs(primary({ outputs: value }))).toEqual({});
    const stack = newStack(newApp(), 'DrFoundation', DR_REGION);
    new DrBackupVault(stack, 'BackupVault', { backupVaultName: 'orders-dr', outputs: value });
    new DrSecretKey(stack, 'SecretKey', { outputs: value });
    expect(outputs(Template.fromStack(stack))).toEqual({});
  });
});
