import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { CrossRegionReadReplica, ReplicaPromotion } from '../../src';
import { acknowledgements, record, synthWithNag, twoRegionApp } from '../util';

describe('compliance packs on a primary plus a cross-Region replica', () => {
  test('zero unacknowledged findings in both stacks', () => {
    const { app, primaryStack, drStack, primary, drNet } = twoRegionApp();
    new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc });
    // The packs run in the synthesis; a template read before it would leave them nothing to check.
    expect(synthWithNag(app).findings).toEqual([]);
    record(primaryStack);
    record(drStack);
  });

  test('the replica acknowledgements, each with a reason', () => {
    const { app, drStack, primary, drNet } = twoRegionApp();
    new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc });
    const acks = acknowledgements(app).filter((a) => a.path.startsWith('Dr/Replica'));
    for (const ack of acks) {
      expect(ack.reason.length).toBeGreaterThan(60);
    }
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual([
      'Dr/Replica/Instance AwsSolutions::AwsSolutions-RDS11',
      'Dr/Replica/Instance AwsSolutions::AwsSolutions-RDS2',
      'Dr/Replica/Instance HIPAA.Security::HIPAA.Security-RDSInBackupPlan',
      'Dr/Replica/Instance HIPAA.Security::HIPAA.Security-RDSStorageEncrypted',
      'Dr/Replica/Instance NIST.800.53.R5::NIST.800.53.R5-RDSInBackupPlan',
      'Dr/Replica/Instance NIST.800.53.R5::NIST.800.53.R5-RDSStorageEncrypted',
      'Dr/Replica/Instance PCI.DSS.321::PCI.DSS.321-RDSStorageEncrypted',
      'Dr/Replica/Instance/MonitoringRole AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
    ]);
  });

  // RDS for PostgreSQL 14.1+ replicas can keep automated backups, and AWS recommends them before a promotion; a read
  // replica has no point-in-time recovery. The reasons say so, and say backups once the instance is promoted.
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.html
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html
  test.each([
    [ReplicaPromotion.REPLICA, /keeps native RDS automated backups for 1 day\(s\) \(replicaBackupRetention\).*no point-in-time recovery/],
    [ReplicaPromotion.PROMOTED, /keeps native RDS automated backups for 35 days with point-in-time recovery/],
  ])('the backup-plan reason is true of a %s', (promotion, reason) => {
    const { app, drStack, primary, drNet } = twoRegionApp();
    new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, promotion });
    const reasons = acknowledgements(app).filter((a) => a.path === 'Dr/Replica/Instance' && a.id.endsWith('RDSInBackupPlan'))
      .map((a) => a.reason);
    expect(reasons).toHaveLength(2);
    for (const r of reasons) {
      expect(r).toMatch(reason);
      expect(r).not.toMatch(/take no automated backups/);
    }
  });
});

describe('negative control: a plain aws-cdk-lib replica with a KMS key', () => {
  // The rules the replica acknowledges must be rules the packs really raise on a replica; and aws-cdk-lib's built-in
  // rule F3020 fires when StorageEncrypted is rendered for a replica, which CrossRegionReadReplica avoids.
  const { app, drStack, drNet } = twoRegionApp();
  const source = rds.DatabaseInstance.fromDatabaseInstanceAttributes(drStack, 'Source', {
    instanceIdentifier: 'orders-primary',
    instanceEndpointAddress: 'x',
    port: 5432,
    securityGroups: [],
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 }),
  });
  new rds.DatabaseInstanceReadReplica(drStack, 'Plain', {
    sourceDatabaseInstance: source,
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
    vpc: drNet.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    storageEncryptionKey: new kms.Key(drStack, 'PlainKey', { enableKeyRotation: true }),
    monitoringInterval: Duration.seconds(60),
  });
  // The same replica without StorageEncrypted, as CloudFormation wants it for replicas.
  const withoutFlag = new rds.DatabaseInstanceReadReplica(drStack, 'PlainWithoutFlag', {
    sourceDatabaseInstance: source,
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
    vpc: drNet.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    storageEncryptionKey: new kms.Key(drStack, 'PlainWithoutFlagKey', { enableKeyRotation: true }),
  });
  (withoutFlag.node.defaultChild as rds.CfnDBInstance).storageEncrypted = undefined;
  const findings = synthWithNag(app).findings;
  const rulesOn = (path: string) => findings.filter((f) => f.constructPath.startsWith(`${path}/`)).map((f) => f.ruleName);

  test('F3020 fires on the replica that renders StorageEncrypted, and not on the one without it', () => {
    expect(rulesOn('Dr/Plain')).toContain('F3020');
    expect(rulesOn('Dr/PlainWithoutFlag')).not.toContain('F3020');
  });

  test.each([
    'AwsSolutions-RDS2', 'HIPAA.Security-RDSStorageEncrypted', 'NIST.800.53.R5-RDSStorageEncrypted', 'PCI.DSS.321-RDSStorageEncrypted',
  ])('%s is raised once StorageEncrypted is left out, although KmsKeyId encrypts the replica', (rule) => {
    expect(rulesOn('Dr/PlainWithoutFlag')).toContain(rule);
  });

  test.each([
    'AwsSolutions-RDS11',
    'HIPAA.Security-RDSInBackupPlan', 'NIST.800.53.R5-RDSInBackupPlan',
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
  ])('%s is raised', (rule) => {
    expect(rulesOn('Dr/Plain')).toContain(rule);
  });
});
