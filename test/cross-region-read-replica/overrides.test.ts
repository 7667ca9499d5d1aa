import { Annotations as CoreAnnotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { CrossRegionReadReplica, CrossRegionReadReplicaProps, TlsVersion, Warnings } from '../../src';
import { record, twoRegionApp } from '../util';

function replicaTemplate(props: Partial<CrossRegionReadReplicaProps>) {
  const { drStack, primary, drNet } = twoRegionApp();
  const replica = new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, ...props });
  return { t: record(drStack), replica, drStack };
}

describe('CrossRegionReadReplica overrides', () => {
  test.each<[string, Partial<CrossRegionReadReplicaProps>, Record<string, unknown>]>([
    ['instanceIdentifier', { instanceIdentifier: 'Orders-DR' }, { DBInstanceIdentifier: 'orders-dr' }],
    ['larger instanceType', { instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.XLARGE) }, { DBInstanceClass: 'db.r7g.xlarge' }],
    ['multiAz', { multiAz: false }, { MultiAZ: false }],
    ['storageType', { storageType: rds.StorageType.IO2 }, { StorageType: 'io2' }],
    ['maxAllocatedStorage', { maxAllocatedStorage: 1000 }, { MaxAllocatedStorage: 1000 }],
    ['iamAuthentication', { iamAuthentication: false }, { EnableIAMDatabaseAuthentication: false }],
    ['deletionProtection', { deletionProtection: false }, { DeletionProtection: false }],
    ['monitoringInterval', { monitoringInterval: Duration.seconds(15) }, { MonitoringInterval: 15 }],
    ['performanceInsightRetention', { performanceInsightRetention: rds.PerformanceInsightRetention.MONTHS_1 }, { PerformanceInsightsRetentionPeriod: 31 }],
    ['autoMinorVersionUpgrade', { autoMinorVersionUpgrade: false }, { AutoMinorVersionUpgrade: false }],
    ['preferredMaintenanceWindow', { preferredMaintenanceWindow: 'sun:05:00-sun:06:00' }, { PreferredMaintenanceWindow: 'sun:05:00-sun:06:00' }],
    ['engine, same as the source', { engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 }) }, { DBInstanceClass: 'db.m7g.large' }],
  ])('%s', (_name, props, expected) => {
    const { t } = replicaTemplate(props);
    t.hasResourceProperties('AWS::RDS::DBInstance', expected);
  });

  test('minimumTlsVersion and extra parameters', () => {
    const { t } = replicaTemplate({ minimumTlsVersion: TlsVersion.TLS_1_3, parameters: { log_min_duration_statement: '1000' } });
    t.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Parameters: { 'rds.force_ssl': '1', 'ssl_min_protocol_version': 'TLSv1.3', 'log_min_duration_statement': '1000' },
    });
  });

  describe('parameters inherited from the source', () => {
    const CUSTOM = { max_connections: '400', shared_preload_libraries: 'pg_stat_statements,pg_cron', work_mem: '65536' };
    const groupOf = (t: ReturnType<typeof record>) => (Object.values(t.findResources('AWS::RDS::DBParameterGroup'))[0] as any).Properties.Parameters;

    test('the replica starts from the primary\'s custom parameters; its TLS settings stay its own', () => {
      const { drStack, primary, drNet } = twoRegionApp({ parameters: CUSTOM, minimumTlsVersion: TlsVersion.TLS_1_3 });
      new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc });
      expect(groupOf(record(drStack))).toEqual({ 'rds.force_ssl': '1', 'ssl_min_protocol_version': 'TLSv1.2', ...CUSTOM });
    });

    test('the replica\'s own parameters override, and may raise a hot-standby minimum', () => {
      const { drStack, primary, drNet } = twoRegionApp({ parameters: CUSTOM });
      new CrossRegionReadReplica(drStack, 'Replica', {
        sourceInstance: primary, vpc: drNet.vpc, parameters: { work_mem: '131072', max_connections: '500', log_min_duration_statement: '1000' },
      });
      expect(groupOf(record(drStack))).toEqual({
        'rds.force_ssl': '1',
        'ssl_min_protocol_version': 'TLSv1.2',
        'max_connections': '500',
        'shared_preload_libraries': 'pg_stat_statements,pg_cron',
        'work_mem': '131072',
        'log_min_duration_statement': '1000',
      });
    });

    test('an override below the primary\'s hot-standby minimum is refused', () => {
      const { drStack, primary, drNet } = twoRegionApp({ parameters: CUSTOM });
      expect(() => new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, parameters: { max_connections: '300' } }))
        .toThrow("CrossRegionReadReplica: invalid parameters.max_connections '300': at least the primary's max_connections (400)");
    });

    test('inheritSourceParameters: false keeps only the replica\'s own; a primary without custom parameters gives the TLS pair only', () => {
      const off = twoRegionApp({ parameters: CUSTOM });
      new CrossRegionReadReplica(off.drStack, 'Replica', { sourceInstance: off.primary, vpc: off.drNet.vpc, inheritSourceParameters: false });
      expect(groupOf(record(off.drStack))).toEqual({ 'rds.force_ssl': '1', 'ssl_min_protocol_version': 'TLSv1.2' });
      const plain = twoRegionApp();
      new CrossRegionReadReplica(plain.drStack, 'Replica', { sourceInstance: plain.primary, vpc: plain.drNet.vpc });
      expect(groupOf(record(plain.drStack))).toEqual({ 'rds.force_ssl': '1', 'ssl_min_protocol_version': 'TLSv1.2' });
    });

    test('a source described by sourceAttributes has no known parameters: the replica has its own only', () => {
      const { drStack, drNet, primary } = twoRegionApp({ parameters: CUSTOM });
      new CrossRegionReadReplica(drStack, 'Replica', {
        sourceAttributes: { instanceArn: 'arn:aws:rds:us-east-1:111111111111:db:orders-primary', engine: primary.engine, instanceType: new ec2.InstanceType('m7g.large') },
        vpc: drNet.vpc,
      });
      expect(groupOf(record(drStack))).toEqual({ 'rds.force_ssl': '1', 'ssl_min_protocol_version': 'TLSv1.2' });
    });
  });

  test('enforceTls: false with its acknowledgement', () => {
    const { t } = replicaTemplate({ enforceTls: false, acknowledgeTlsNotEnforced: true });
    t.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { 'rds.force_ssl': '0' } });
  });

  test('a given key encrypts storage, Performance Insights and logs; no key is created', () => {
    const { drStack, primary, drNet } = twoRegionApp();
    const key = new kms.Key(drStack, 'MyKey', { enableKeyRotation: true });
    new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, encryptionKey: key });
    const t = record(drStack);
    const keyRef = { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyKey'), 'Arn'] };
    t.hasResourceProperties('AWS::RDS::DBInstance', { KmsKeyId: keyRef, PerformanceInsightsKMSKeyId: keyRef });
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: keyRef });
    expect(Object.keys(t.findResources('AWS::KMS::Key')).filter((k) => k.startsWith('Replica'))).toEqual([]);
  });

  test('removalPolicy DESTROY applies to the replica only; key and log groups follow keyRemovalPolicy', () => {
    const { t } = replicaTemplate({ removalPolicy: RemovalPolicy.DESTROY });
    t.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Delete' });
    t.hasResource('AWS::KMS::Key', { Properties: Match.objectLike({ Description: Match.stringLikeRegexp('read replica') }), DeletionPolicy: 'Retain' });
    t.hasResource('AWS::Logs::LogGroup', { Properties: Match.objectLike({ LogGroupName: Match.stringLikeRegexp('^/aws/rds/instance/') }), DeletionPolicy: 'Retain' });
    const both = replicaTemplate({ removalPolicy: RemovalPolicy.DESTROY, keyRemovalPolicy: RemovalPolicy.DESTROY }).t;
    both.hasResource('AWS::KMS::Key', { Properties: Match.objectLike({ Description: Match.stringLikeRegexp('read replica') }), DeletionPolicy: 'Delete' });
    both.hasResource('AWS::Logs::LogGroup', { Properties: Match.objectLike({ LogGroupName: Match.stringLikeRegexp('^/aws/rds/instance/') }), DeletionPolicy: 'Delete' });
  });

  test('logRetention', () => {
    const { t } = replicaTemplate({ logRetention: logs.RetentionDays.TWO_YEARS });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 731 });
  });

  test('vpcSubnets picks the subnets of the subnet group', () => {
    const { t, drStack } = replicaTemplate({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED, onePerAz: true } });
    expect(Object.keys(t.findResources('AWS::RDS::DBSubnetGroup'))).toHaveLength(1);
    expect(drStack.region).toBe('us-west-2');
  });

  test('connections grant ingress on the literal port', () => {
    const { drStack, primary, drNet } = twoRegionApp();
    const replica = new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc });
    const app = new ec2.SecurityGroup(drStack, 'App', { vpc: drNet.vpc });
    replica.connections.allowDefaultPortFrom(app);
    record(drStack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' });
  });

  test('the source port carries over to the replica', () => {
    const { drStack, primary, drNet } = twoRegionApp({ port: 6432 });
    const replica = new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc });
    expect(replica.port).toBe(6432);
    record(drStack).hasResourceProperties('AWS::RDS::DBInstance', { Port: '6432' });
  });

  test('grantConnect gives rds-db:connect on the replica', () => {
    const { drStack, primary, drNet } = twoRegionApp();
    const replica = new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc });
    const role = new iam.Role(drStack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    replica.grantConnect(role, 'reporting');
    record(drStack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'rds-db:connect' })] },
    });
  });
});

describe('instance class sizing', () => {
  const smallerWarning = Warnings.REPLICA_SMALLER_THAN_SOURCE;

  test.each([
    ['db.m7g.medium (fewer vCPUs)', ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.MEDIUM)],
    ['db.t4g.large (burstable)', ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.LARGE)],
    ['db.c6gd.xlarge (less memory per vCPU)', ec2.InstanceType.of(ec2.InstanceClass.C6GD, ec2.InstanceSize.XLARGE)],
  ])('a smaller class, %s, prints a warning', (_name, instanceType) => {
    const { drStack, primary, drNet } = twoRegionApp();
    new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, instanceType });
    Annotations.fromStack(drStack).hasWarning('/Dr/Replica', Match.stringLikeRegexp(`looks smaller than the source's db\\.m7g\\.large.*\\[ack: ${smallerWarning}\\]`));
  });

  test.each([
    ['the default (the source class)', undefined],
    ['db.m7g.xlarge', ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.XLARGE)],
    ['db.r7g.large', ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.LARGE)],
    ['db.m8g.large', ec2.InstanceType.of(ec2.InstanceClass.M8G, ec2.InstanceSize.LARGE)],
  ])('no warning for %s', (_name, instanceType) => {
    const { drStack, primary, drNet } = twoRegionApp();
    new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, instanceType });
    Annotations.fromStack(drStack).hasNoWarning('*', Match.stringLikeRegexp('looks smaller'));
  });

  test('the warning can be acknowledged', () => {
    const { drStack, primary, drNet } = twoRegionApp();
    const replica = new CrossRegionReadReplica(drStack, 'Replica', {
      sourceInstance: primary, vpc: drNet.vpc, instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.MEDIUM),
    });
    CoreAnnotations.of(replica).acknowledgeWarning(smallerWarning, 'staging DR environment, sized down on purpose');
    Annotations.fromStack(drStack).hasNoWarning('*', Match.stringLikeRegexp('looks smaller'));
  });
});
