import { Match } from 'aws-cdk-lib/assertions';
import { CrossRegionReadReplica } from '../../src';
import { record, twoRegionApp } from '../util';

describe('CrossRegionReadReplica defaults', () => {
  const { primaryStack, drStack, primary, drNet } = twoRegionApp();
  const replica = new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc });
  record(primaryStack);
  const t = record(drStack);

  test('the source is a literal ARN in the source Region: no cross-Region references, no custom resources', () => {
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      SourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:111111111111:db:orders-primary',
    });
    expect(replica.sourceInstanceArn).toBe('arn:aws:rds:us-east-1:111111111111:db:orders-primary');
    expect(replica.sourceRegion).toBe('us-east-1');
    expect(replica.sourceInstanceIdentifier).toBe('orders-primary');
    expect(Object.keys(t.findResources('AWS::CloudFormation::CustomResource'))).toEqual([]);
    expect(Object.keys(t.findResources('Custom::CrossRegionExportReader'))).toEqual([]);
    expect(Object.keys(t.findResources('AWS::Lambda::Function'))).toEqual([]);
    expect(JSON.stringify(t.toJSON())).not.toContain('Fn::ImportValue');
  });

  test('its own customer-managed key in the replica Region, rotated and retained', () => {
    t.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReplicaKey'), 'Arn'] },
      PerformanceInsightsKMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReplicaKey'), 'Arn'] },
    });
  });

  test('the enhanced monitoring role can be assumed by RDS only for the replica in this account (confused deputy)', () => {
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html#USER_Monitoring.OS.confused-deputy
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'monitoring.rds.amazonaws.com' },
          Condition: {
            StringLike: { 'aws:SourceArn': 'arn:aws:rds:us-west-2:111111111111:db:dr-replica-a63727e1' },
            StringEquals: { 'aws:SourceAccount': '111111111111' },
          },
        }],
        Version: '2012-10-17',
      },
    });
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      MonitoringRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReplicaInstanceMonitoringRole'), 'Arn'] },
    });
  });

  test('StorageEncrypted is left out, as CloudFormation requires for replicas (no F3020)', () => {
    t.hasResourceProperties('AWS::RDS::DBInstance', { StorageEncrypted: Match.absent() });
  });

  test("the primary's posture: TLS, IAM auth, private, Multi-AZ, monitoring, log exports, deletion protection, retained", () => {
    t.hasResource('AWS::RDS::DBInstance', {
      Properties: {
        DBInstanceIdentifier: 'dr-replica-a63727e1',
        DBInstanceClass: 'db.m7g.large',
        StorageType: 'gp3',
        MaxAllocatedStorage: 200,
        Port: '5432',
        MultiAZ: true,
        PubliclyAccessible: false,
        EnableIAMDatabaseAuthentication: true,
        CACertificateIdentifier: 'rds-ca-rsa2048-g1',
        EnablePerformanceInsights: true,
        MonitoringInterval: 60,
        EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
        AutoMinorVersionUpgrade: true,
        DeletionProtection: true,
        CopyTagsToSnapshot: true,
        DeleteAutomatedBackups: false,
        // Backups on the replica before a promotion, as PromoteReadReplica's reference recommends (14.1+).
        BackupRetentionPeriod: 1,
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^ReplicaPostgresqlLogGroup')]),
    });
  });

  test("a parameter group of the source's engine family with TLS enforced", () => {
    t.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres18',
      Parameters: { 'rds.force_ssl': '1', 'ssl_min_protocol_version': 'TLSv1.2' },
    });
  });

  test('a security group with no ingress and no egress', () => {
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^RDS for PostgreSQL replica dr-replica-a63727e1'),
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
    expect(replica.connections.defaultPort?.toString()).toBe('5432');
  });

  test('encrypted, bounded log groups created before the replica', () => {
    for (const type of ['postgresql', 'upgrade']) {
      t.hasResource('AWS::Logs::LogGroup', {
        Properties: {
          LogGroupName: `/aws/rds/instance/dr-replica-a63727e1/${type}`,
          RetentionInDays: 365,
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReplicaKey'), 'Arn'] },
        },
        DeletionPolicy: 'Retain',
      });
    }
  });

  test('exposes identifier, ARN, endpoint and metric helpers including ReplicaLag', () => {
    expect(replica.instanceIdentifier).toBe('dr-replica-a63727e1');
    expect(replica.instanceArn).toBe('arn:aws:rds:us-west-2:111111111111:db:dr-replica-a63727e1');
    expect(replica.instanceClass).toBe('db.m7g.large');
    expect(replica.sourceInstanceClass).toBe('db.m7g.large');
    expect(replica.engine.engineVersion?.majorVersion).toBe('18');
    expect(drStack.resolve(replica.endpoint.hostname)).toEqual({ 'Fn::GetAtt': ['ReplicaInstance639BE1BF', 'Endpoint.Address'] });
    const lag = replica.metricReplicaLag();
    expect(lag.metricName).toBe('ReplicaLag');
    expect(lag.dimensions).toEqual({ DBInstanceIdentifier: 'dr-replica-a63727e1' });
    expect(lag.period.toSeconds()).toBe(60);
    expect(lag.statistic).toBe('Average');
  });
});
