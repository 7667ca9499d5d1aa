import { Duration, Size } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CrossRegionReadReplica, CrossRegionReadReplicaProps, DbAlarmSet, ReplicationRole, ReplicaPromotion } from '../../src';
import { record, synthWithNag, twoRegionApp } from '../util';

/** The DR stack's template with the replica, promoted or not. */
function drTemplate(props: Partial<CrossRegionReadReplicaProps> = {}) {
  const { app, drStack, primary, drNet } = twoRegionApp();
  const replica = new CrossRegionReadReplica(drStack, 'OrdersReplica', {
    sourceInstance: primary, vpc: drNet.vpc, instanceIdentifier: 'orders-dr', ...props,
  });
  // Read on first use: the nag test synthesizes with the packs before any template is read.
  let template: Template | undefined;
  return { app, drStack, replica, get template() { return template ??= record(drStack); } };
}

describe('PROMOTED: the template declares the promoted instance under the same logical ID', () => {
  const before = drTemplate();
  const after = drTemplate({ promotion: ReplicaPromotion.PROMOTED });
  const instanceOf = (t: Template) => Object.entries(t.findResources('AWS::RDS::DBInstance'));

  test('same logical ID; only the source goes and the retention becomes the promoted one; nothing else changes', () => {
    const [[idBefore, b]] = instanceOf(before.template);
    const [[idAfter, a]] = instanceOf(after.template);
    expect(idAfter).toBe(idBefore);
    expect(idAfter).toBe('OrdersReplicaInstanceCF55CD40');
    expect(b.Properties.SourceDBInstanceIdentifier).toBe('arn:aws:rds:us-east-1:111111111111:db:orders-primary');
    expect(a.Properties.SourceDBInstanceIdentifier).toBeUndefined();
    expect(b.Properties.BackupRetentionPeriod).toBe(1);
    expect(a.Properties.BackupRetentionPeriod).toBe(35);
    // StorageEncrypted stays absent: setting it now would be a change to a property that requires replacement.
    expect(a.Properties.StorageEncrypted).toBeUndefined();
    const { SourceDBInstanceIdentifier: _s, BackupRetentionPeriod: _rb, ...restBefore } = b.Properties;
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
    const set = new DbAlarmSet(drStack, 'Alarms', { instance: replica, allocatedStorage: Size.gibibytes(100) });
    expect(set.replicationRole).toBe(ReplicationRole.PRIMARY);
    expect(set.alarms.ReplicaLag).toBeUndefined();
  });

  test('the promoted instance keeps the retention of the primary it replaces', () => {
    const { drStack, primary, drNet } = twoRegionApp({ backupRetention: Duration.days(14) });
    new CrossRegionReadReplica(drStack, 'OrdersReplica', {
      sourceInstance: primary, vpc: drNet.vpc, instanceIdentifier: 'orders-dr', promotion: ReplicaPromotion.PROMOTED,
    });
    record(drStack).hasResourceProperties('AWS::RDS::DBInstance', { BackupRetentionPeriod: 14 });
  });

  test('a custom retention', () => {
    const { template } = drTemplate({ promotion: ReplicaPromotion.PROMOTED, promotedBackupRetention: Duration.days(14) });
    template.hasResourceProperties('AWS::RDS::DBInstance', { BackupRetentionPeriod: 14 });
  });

  test('the four packs still report nothing unacknowledged', () => {
    expect(synthWithNag(drTemplate({ promotion: ReplicaPromotion.PROMOTED }).app).findings).toEqual([]);
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

describe("the replica's own automated backups (replicaBackupRetention)", () => {
  // AWS recommends backups on a read replica before promoting it; RDS for PostgreSQL keeps them on replicas from 14.1.
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.html
  test('one day by default, on the same logical ID; the retention given; none with Duration.days(0)', () => {
    const { template } = drTemplate();
    expect(Object.keys(template.findResources('AWS::RDS::DBInstance'))).toEqual(['OrdersReplicaInstanceCF55CD40']);
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      SourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:111111111111:db:orders-primary',
      BackupRetentionPeriod: 1,
    });
    drTemplate({ replicaBackupRetention: Duration.days(7) }).template.hasResourceProperties('AWS::RDS::DBInstance', { BackupRetentionPeriod: 7 });
    drTemplate({ replicaBackupRetention: Duration.days(0) }).template.hasResourceProperties('AWS::RDS::DBInstance', {
      SourceDBInstanceIdentifier: Match.anyValue(),
      BackupRetentionPeriod: Match.absent(),
    });
  });

  test.each<[string, Partial<CrossRegionReadReplicaProps>, string]>([
    ['on a promoted instance', { promotion: ReplicaPromotion.PROMOTED, replicaBackupRetention: Duration.days(7) },
      "CrossRegionReadReplica: invalid replicaBackupRetention '7 days': unset while promotion is PROMOTED"],
    ['above 35 days', { replicaBackupRetention: Duration.days(36) }, "CrossRegionReadReplica: invalid replicaBackupRetention '36 days'"],
  ])('refused %s', (_name, props, message) => {
    expect(() => drTemplate(props)).toThrow(message);
  });
});
