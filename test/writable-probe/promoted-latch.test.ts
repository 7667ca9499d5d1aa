import { Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { WritableProbe } from '../../src';
import { dbStack, failoverApp } from '../util';

/** Which probes publish the fence's latch metric (`Promoted`), read from the function's environment. */
function promotedSetting(template: Template): unknown[] {
  return Object.values(template.findResources('AWS::Lambda::Function'))
    .map((f: any) => f.Properties.Environment?.Variables)
    .filter((v) => v?.DB_INSTANCE_IDENTIFIER !== undefined)
    .map((v) => v.PROMOTED_METRIC_NAME);
}

test('by default the DR replica\'s probe publishes the latch and the primary\'s does not', () => {
  const { primaryStack, drStack } = failoverApp();
  expect(promotedSetting(Template.fromStack(drStack))).toEqual(['Promoted']);
  expect(promotedSetting(Template.fromStack(primaryStack))).toEqual([undefined]);
});

test('publishPromoted overrides the default either way', () => {
  const { stack, db, net } = dbStack({ instanceIdentifier: 'orders-primary' });
  const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
  new WritableProbe(stack, 'Probe', { instance: db, credentials: db.secret, vpc: net.vpc, topic, publishPromoted: true });
  Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ DB_INSTANCE_IDENTIFIER: 'orders-primary', PROMOTED_METRIC_NAME: 'Promoted' }) },
  });

  const dr = failoverApp();
  const off = new WritableProbe(dr.drStack, 'Off', {
    instance: dr.replica,
    credentials: secretsmanager.Secret.fromSecretNameV2(dr.drStack, 'OffSecret', 'orders-primary/master'),
    vpc: dr.drNet.vpc,
    topic: dr.drAlarms.topic,
    instanceIdentifier: 'orders-dr-off',
    publishPromoted: false,
  });
  expect(off.instanceIdentifier).toBe('orders-dr-off');
  const env = Object.values(Template.fromStack(dr.drStack).findResources('AWS::Lambda::Function'))
    .map((f: any) => f.Properties.Environment?.Variables).find((v) => v?.DB_INSTANCE_IDENTIFIER === 'orders-dr-off');
  expect(env.PROMOTED_METRIC_NAME).toBeUndefined();
});
