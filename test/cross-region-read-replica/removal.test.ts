import { RemovalPolicy } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CrossRegionReadReplica, CrossRegionReadReplicaProps, Warnings } from '../../src';
import { record, twoRegionApp } from '../util';

/** [DeletionPolicy, UpdateReplacePolicy] of every resource of `type` whose logical ID starts with `Replica`. */
function policies(t: Template, type: string): string[][] {
  return Object.entries(t.findResources(type)).filter(([id]) => id.startsWith('Replica')).map(([, r]) => [r.DeletionPolicy, r.UpdateReplacePolicy]);
}

function replicaPolicies(props: Partial<CrossRegionReadReplicaProps>) {
  const { drStack, primary, drNet } = twoRegionApp();
  new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, ...props });
  const t = record(drStack);
  return {
    drStack,
    t,
    instance: policies(t, 'AWS::RDS::DBInstance'),
    key: policies(t, 'AWS::KMS::Key'),
    logGroups: policies(t, 'AWS::Logs::LogGroup'),
  };
}

const RETAIN = ['Retain', 'Retain'];
const DELETE = ['Delete', 'Delete'];
const SNAPSHOT = ['Snapshot', 'Snapshot'];

describe('CrossRegionReadReplica removal policies', () => {
  test.each<[string, Partial<CrossRegionReadReplicaProps>, string[]]>([
    ['default', {}, RETAIN],
    ['SNAPSHOT', { removalPolicy: RemovalPolicy.SNAPSHOT }, SNAPSHOT],
    ['RETAIN', { removalPolicy: RemovalPolicy.RETAIN }, RETAIN],
    ['DESTROY', { removalPolicy: RemovalPolicy.DESTROY }, DELETE],
    ['DESTROY, keyRemovalPolicy RETAIN', { removalPolicy: RemovalPolicy.DESTROY, keyRemovalPolicy: RemovalPolicy.RETAIN }, DELETE],
  ])('%s: the replica follows removalPolicy; key and log groups are retained', (_name, props, instance) => {
    const p = replicaPolicies(props);
    expect(p.instance).toEqual([instance]);
    expect(p.key).toEqual([RETAIN]);
    expect(p.logGroups).toEqual([RETAIN, RETAIN]);
    p.t.hasResourceProperties('AWS::KMS::Key', { Description: Match.stringLikeRegexp('read replica'), PendingWindowInDays: Match.absent() });
    Annotations.fromStack(p.drStack).hasNoWarning('*', Match.stringLikeRegexp(Warnings.KEY_DESTROYED_WITH_STACK));
  });

  test('DESTROY and keyRemovalPolicy DESTROY: replica, key (after 30 days) and log groups are deleted, with both warnings', () => {
    const p = replicaPolicies({ removalPolicy: RemovalPolicy.DESTROY, keyRemovalPolicy: RemovalPolicy.DESTROY });
    expect(p.instance).toEqual([DELETE]);
    expect(p.key).toEqual([DELETE]);
    expect(p.logGroups).toEqual([DELETE, DELETE]);
    p.t.hasResourceProperties('AWS::KMS::Key', { Description: Match.stringLikeRegexp('read replica'), PendingWindowInDays: 30 });
    const annotations = Annotations.fromStack(p.drStack);
    annotations.hasWarning('/Dr/Replica', Match.stringLikeRegexp(
      `schedules the deletion of the KMS key .* 30 days. The log groups are deleted with the stack.*\\[ack: ${Warnings.KEY_DESTROYED_WITH_STACK}\\]`));
    annotations.hasWarning('/Dr/Replica', Match.stringLikeRegexp(
      `without a final snapshot. The DR Region then has no copy of the database.*deleted with the stack too.*\\[ack: ${Warnings.DATABASE_DESTROYED_WITH_STACK}\\]`));
  });

  test('removalPolicy DESTROY alone warns that the DR copy goes and the key stays', () => {
    const p = replicaPolicies({ removalPolicy: RemovalPolicy.DESTROY });
    const annotations = Annotations.fromStack(p.drStack);
    annotations.hasWarning('/Dr/Replica', Match.stringLikeRegexp(
      `RDS deletes it without a final snapshot. The DR Region then has no copy.*which is retained, so they can be restored.*\\[ack: ${Warnings.DATABASE_DESTROYED_WITH_STACK}\\]`));
  });

  test('the default gives no removal warning', () => {
    const annotations = Annotations.fromStack(replicaPolicies({}).drStack);
    annotations.hasNoWarning('*', Match.stringLikeRegexp(Warnings.DATABASE_DESTROYED_WITH_STACK));
    annotations.hasNoWarning('*', Match.stringLikeRegexp(Warnings.KEY_DESTROYED_WITH_STACK));
  });

  test('a given key is never deleted; keyRemovalPolicy DESTROY still reaches the log groups', () => {
    const { drStack, primary, drNet } = twoRegionApp();
    const key = kms.Key.fromKeyArn(drStack, 'Given', 'arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    new CrossRegionReadReplica(drStack, 'Replica', {
      sourceInstance: primary,
      vpc: drNet.vpc,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.DESTROY,
      keyRemovalPolicy: RemovalPolicy.DESTROY,
    });
    const t = record(drStack);
    expect(policies(t, 'AWS::KMS::Key')).toEqual([]);
    expect(policies(t, 'AWS::Logs::LogGroup')).toEqual([DELETE, DELETE]);
    Annotations.fromStack(drStack).hasWarning('/Dr/Replica', Match.stringLikeRegexp(
      `the key you passed in \\(encryptionKey\\) is not deleted, but the log groups are deleted with the stack.*\\[ack: ${Warnings.KEY_DESTROYED_WITH_STACK}\\]`));
  });

  test.each([
    ['default (RETAIN)', {}, 'RETAIN while removalPolicy is RETAIN: the retained instance would stay encrypted with a deleted key'],
    ['SNAPSHOT', { removalPolicy: RemovalPolicy.SNAPSHOT }, 'RETAIN while removalPolicy is SNAPSHOT: the final snapshot would stay encrypted with a deleted key'],
  ])('keyRemovalPolicy DESTROY with removalPolicy %s is rejected', (_name, props, message) => {
    expect(() => replicaPolicies({ ...props, keyRemovalPolicy: RemovalPolicy.DESTROY }))
      .toThrow(`CrossRegionReadReplica: invalid keyRemovalPolicy 'destroy': ${message}`);
  });
});
