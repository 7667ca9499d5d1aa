import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { MultiAzPostgresProps, Warnings } from '../../src';
import { dbStack, record } from '../util';

/** [DeletionPolicy, UpdateReplacePolicy] of every resource of `type` whose properties pass `filter`. */
function policies(t: Template, type: string, filter: (props: any) => boolean = () => true): string[][] {
  return Object.values(t.findResources(type))
    .filter((r) => filter(r.Properties ?? {}))
    .map((r) => [r.DeletionPolicy, r.UpdateReplacePolicy]);
}

/** The removal policies of the instance and of everything the construct's key encrypts outside it. */
function statefulPolicies(props: Partial<MultiAzPostgresProps>) {
  const { stack } = dbStack(props);
  const t = record(stack);
  return {
    stack,
    t,
    instance: policies(t, 'AWS::RDS::DBInstance'),
    key: policies(t, 'AWS::KMS::Key', (p) => /RDS for PostgreSQL/.test(p.Description ?? '')),
    secret: policies(t, 'AWS::SecretsManager::Secret'),
    logGroups: policies(t, 'AWS::Logs::LogGroup', (p) => /^\/aws\/rds\/instance\//.test(p.LogGroupName ?? '')),
  };
}

const RETAIN = ['Retain', 'Retain'];
const DELETE = ['Delete', 'Delete'];
const SNAPSHOT = ['Snapshot', 'Snapshot'];

describe('MultiAzPostgres removal policies', () => {
  // The key encrypts the final snapshot, the automated backups RDS keeps after deleting the instance
  // (DeleteAutomatedBackups: false), the secret and the logs: removalPolicy never reaches it.
  test.each<[string, Partial<MultiAzPostgresProps>, string[]]>([
    ['default', {}, SNAPSHOT],
    ['SNAPSHOT', { removalPolicy: RemovalPolicy.SNAPSHOT }, SNAPSHOT],
    ['RETAIN', { removalPolicy: RemovalPolicy.RETAIN }, RETAIN],
    ['DESTROY', { removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false }, DELETE],
    ['DESTROY, keyRemovalPolicy RETAIN', { removalPolicy: RemovalPolicy.DESTROY, keyRemovalPolicy: RemovalPolicy.RETAIN }, DELETE],
  ])('%s: the instance follows removalPolicy; key, secret and log groups are retained', (_name, props, instance) => {
    const p = statefulPolicies(props);
    expect(p.instance).toEqual([instance]);
    expect(p.key).toEqual([RETAIN]);
    expect(p.secret).toEqual([RETAIN]);
    expect(p.logGroups).toEqual([RETAIN, RETAIN]);
    p.t.hasResourceProperties('AWS::RDS::DBInstance', { DeleteAutomatedBackups: false });
    p.t.hasResourceProperties('AWS::KMS::Key', { Description: Match.stringLikeRegexp('RDS for PostgreSQL'), PendingWindowInDays: Match.absent() });
    Annotations.fromStack(p.stack).hasNoWarning('*', Match.stringLikeRegexp(Warnings.KEY_DESTROYED_WITH_STACK));
  });

  test('DESTROY and keyRemovalPolicy DESTROY: everything is deleted with the stack, the key after 30 days', () => {
    const p = statefulPolicies({ removalPolicy: RemovalPolicy.DESTROY, keyRemovalPolicy: RemovalPolicy.DESTROY, deletionProtection: false });
    expect(p.instance).toEqual([DELETE]);
    expect(p.key).toEqual([DELETE]);
    expect(p.secret).toEqual([DELETE]);
    expect(p.logGroups).toEqual([DELETE, DELETE]);
    p.t.hasResourceProperties('AWS::KMS::Key', { Description: Match.stringLikeRegexp('RDS for PostgreSQL'), PendingWindowInDays: 30 });
  });

  test('a given key is never deleted; keyRemovalPolicy DESTROY still reaches the secret and the log groups', () => {
    const key = kms.Key.fromKeyArn(new Stack(), 'Imported', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const kept = statefulPolicies({ encryptionKey: key, removalPolicy: RemovalPolicy.DESTROY });
    expect(kept.secret).toEqual([RETAIN]);
    expect(kept.logGroups).toEqual([RETAIN, RETAIN]);
    const gone = statefulPolicies({ encryptionKey: key, removalPolicy: RemovalPolicy.DESTROY, keyRemovalPolicy: RemovalPolicy.DESTROY });
    expect(gone.key).toEqual([]);
    expect(gone.secret).toEqual([DELETE]);
    expect(gone.logGroups).toEqual([DELETE, DELETE]);
    Annotations.fromStack(gone.stack).hasWarning('/TestStack/Db', Match.stringLikeRegexp(
      `keyRemovalPolicy is DESTROY; the key you passed in \\(encryptionKey\\) is not deleted, but the master secret and the log groups are deleted.*\\[ack: ${Warnings.KEY_DESTROYED_WITH_STACK}\\]`));
  });

  test.each([
    ['default (SNAPSHOT)', {}, 'RETAIN while removalPolicy is SNAPSHOT: the final snapshot would stay encrypted with a deleted key'],
    ['SNAPSHOT', { removalPolicy: RemovalPolicy.SNAPSHOT }, 'RETAIN while removalPolicy is SNAPSHOT: the final snapshot would stay encrypted with a deleted key'],
    ['RETAIN', { removalPolicy: RemovalPolicy.RETAIN }, 'RETAIN while removalPolicy is RETAIN: the retained instance would stay encrypted with a deleted key'],
  ])('keyRemovalPolicy DESTROY with removalPolicy %s is rejected', (_name, props, message) => {
    expect(() => dbStack({ ...props, keyRemovalPolicy: RemovalPolicy.DESTROY }))
      .toThrow(`MultiAzPostgres: invalid keyRemovalPolicy 'destroy': ${message}`);
  });

  test('keyRemovalPolicy SNAPSHOT is rejected', () => {
    expect(() => dbStack({ keyRemovalPolicy: RemovalPolicy.SNAPSHOT }))
      .toThrow("MultiAzPostgres: invalid keyRemovalPolicy 'snapshot': RemovalPolicy.RETAIN (the default) or RemovalPolicy.DESTROY");
  });

  test('removalPolicy DESTROY gives an acknowledgeable warning that says the backups and the key stay', () => {
    const { stack } = dbStack({ removalPolicy: RemovalPolicy.DESTROY });
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/TestStack/Db', Match.stringLikeRegexp(
      'removalPolicy is DESTROY, so when the DB instance leaves the stack or the stack is deleted \\(with deletion protection off\\), '
      + 'RDS deletes it without a final snapshot. RDS keeps its automated backups for 35 days \\(DeleteAutomatedBackups: false\\), '
      + `encrypted with the key, which is retained, so they can be restored.*\\[ack: ${Warnings.DATABASE_DESTROYED_WITH_STACK}\\]`));
    annotations.hasNoWarning('*', Match.stringLikeRegexp(Warnings.KEY_DESTROYED_WITH_STACK));
  });

  test('keyRemovalPolicy DESTROY gives an acknowledgeable warning that names what becomes unrecoverable', () => {
    const { stack } = dbStack({ removalPolicy: RemovalPolicy.DESTROY, keyRemovalPolicy: RemovalPolicy.DESTROY });
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/TestStack/Db', Match.stringLikeRegexp(
      'keyRemovalPolicy is DESTROY, so CloudFormation schedules the deletion of the KMS key .* waiting period of 30 days. '
      + 'The master secret and the log groups are deleted with the stack, and the automated backups .* cannot be restored once it is deleted.*'
      + `cancel-key-deletion.*\\[ack: ${Warnings.KEY_DESTROYED_WITH_STACK}\\]`));
    annotations.hasWarning('/TestStack/Db', Match.stringLikeRegexp(
      `which is deleted with the stack too \\(keyRemovalPolicy\\): once it is, they cannot be restored.*\\[ack: ${Warnings.DATABASE_DESTROYED_WITH_STACK}\\]`));
  });

  test('the default gives no removal warning', () => {
    const { stack } = dbStack();
    const annotations = Annotations.fromStack(stack);
    annotations.hasNoWarning('*', Match.stringLikeRegexp(Warnings.DATABASE_DESTROYED_WITH_STACK));
    annotations.hasNoWarning('*', Match.stringLikeRegexp(Warnings.KEY_DESTROYED_WITH_STACK));
  });
});
