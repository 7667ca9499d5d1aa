import { Duration, Size } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CrossRegionReadReplica, CrossRegionReadReplicaProps, DbAlarmSet, DbRole, ReplicaPromotion } from '../../src';
import { record, synthWithNag, twoRegionApp } from '../util';

/** The DR stack's template with the replica, promoted or not. */
function drTemplate(props: Partial<CrossRegionReadReplicaProps> = {}) {
  const { app, drStack, primary, drNet } = twoRegionApp();
  const replica = new CrossRegionReadReplica(drStack, 'OrdersReplica', {
    sourceInstance: primary.instance, vpc: drNet.vpc, instanceIdentifier: 'orders-dr', ...props,
  });
  return { app, drStack, replica, template: record(drStack) };
}

describe('PROMOTED: the template declares the promoted instance under the same logical ID', () => {
  const before = drTemplate();
  const after = drTemplate({ promotion: ReplicaPromotion.PROMOTED });
  const instanceOf = (t: Template) => Object.entries(t.findResources('AWS::RDS::DBInstance'));

  test('same logical ID; only the source goes and backups come; nothing else changes', () => {
    const [[idBefore, b]] = instanceOf(before.template);
    const [[idAfter, a]] = instanceOf(after.template);
    expect(idAfter).toBe(idBefore);
    expect(idAfter).toBe('OrdersReplicaInstanceCF55CD40');
    expect(b.Properties.SourceDBInstanceIdentifier).toBe('arn:aws:rds:us-east-1:111111111111:db:orders-primary');
    expect(a.Properties.SourceDBInstanceIdentifier).toBeUndefined();
    expect(a.Properties.BackupRetentionPeriod).toBe(35);
    // StorageEncrypted stays absent: setting it now would be a change to a property that requires replacement.
    expect(a.Properties.StorageEncrypted).toBeUndefined();
    const { SourceDBInstanceIdentifier: _s, ...restBefore } = b.Properties;
    const { BackupRetentionPeriod: _r, ...restAfter } = a.Properties;
    expect(restAfter).toEqual(restBefore);
    expect(a.DeletionPolicy).toBe(b.DeletionPolicy);
    expect(after.replica.promoted).toBe(true);
    expect(after.replica.promotion).toBe(ReplicaPromotion.PROMOTED);
    expect(before.replica.promoted).toBe(false);
    expect(before.replica.promotion).toBe(ReplicaPromotion.REPLICA);
  });

  test('the deprecated promoted: true gives the same template as PROMOTED', () => {
    const deprecated = drTemplate({ promoted: true });
    expect(deprecated.template.toJSON()).toEqual(after.template.toJSON());
    expect(deprecated.replica.promotion).toBe(ReplicaPromotion.PROMOTED);
  });

  test('every other resource of the stack is unchanged', () => {
    const others = (t: Template) => Object.fromEntries(Object.entries(t.toJSON().Resources as Record<string, any>)
      .filter(([, r]) => r.Type !== 'AWS::RDS::DBInstance'));
    expect(others(after.template)).toEqual(others(before.template));
  });

  test('an alarm set on the promoted instance treats it as a primary (no ReplicaLag alarm)', () => {
    const { drStack, replica } = drTemplate({ promotion: ReplicaPromotion.PROMOTED });
    const set = new DbAlarmSet(drStack, 'Alarms', { instance: replica.instance, allocatedStorage: Size.gibibytes(100) });
    expect(set.role).toBe(DbRole.PRIMARY);
    expect(set.alarms.ReplicaLag).toBeUndefined();
  });

  test('a custom retention', () => {
    const { template } = drTemplate({ promotion: ReplicaPromotion.PROMOTED, promotedBackupRetention: Duration.days(14) });
    template.hasResourceProperties('AWS::RDS::DBInstance', { BackupRetentionPeriod: 14 });
  });

  test('the four packs still report nothing unacknowledged', () => {
    expect(synthWithNag(after.app).findings).toEqual([]);
  });

  test.each([
    ['retention without promotion', { promotedBackupRetention: Duration.days(7) },
      "CrossRegionReadReplica: invalid promotedBackupRetention '7 days': unset while promotion is REPLICA: it is the retention of the promoted instance"],
    ['retention above 35 days', { promotion: ReplicaPromotion.PROMOTED, promotedBackupRetention: Duration.days(36) },
      "CrossRegionReadReplica: invalid promotedBackupRetention '36 days'"],
  ] as Array<[string, Partial<CrossRegionReadReplicaProps>, string]>)('rejects %s', (_name, props, message) => {
    expect(() => drTemplate(props)).toThrow(message);
  });
});
