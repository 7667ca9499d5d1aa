import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { MultiAzPostgres, MultiAzPostgresProps, TlsVersion, Warnings } from '../../src';
import { dbStack, newStack, record } from '../util';

describe('MultiAzPostgres overrides', () => {
  test.each<[string, Partial<MultiAzPostgresProps>, Record<string, unknown>]>([
    ['instanceIdentifier', { instanceIdentifier: 'Orders-Primary' }, { DBInstanceIdentifier: 'orders-primary' }],
    ['engine', { engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17_6 }) }, { EngineVersion: '17.6' }],
    ['instanceType', { instanceType: ec2.InstanceType.of(ec2.InstanceClass.R8G, ec2.InstanceSize.XLARGE2) }, { DBInstanceClass: 'db.r8g.2xlarge' }],
    ['multiAz off, acknowledged', { multiAz: false, acknowledgeSingleAz: true }, { MultiAZ: false }],
    ['storage', { storageType: rds.StorageType.IO2, allocatedStorage: 500, iops: 3000 }, { StorageType: 'io2', AllocatedStorage: '500', Iops: 3000, MaxAllocatedStorage: 1000 }],
    ['maxAllocatedStorage', { allocatedStorage: 50, maxAllocatedStorage: 60 }, { AllocatedStorage: '50', MaxAllocatedStorage: 60 }],
    ['gp3 throughput', { allocatedStorage: 400, iops: 12000, storageThroughput: 500 }, { Iops: 12000, StorageThroughput: 500 }],
    ['iamAuthentication', { iamAuthentication: false }, { EnableIAMDatabaseAuthentication: false }],
    ['databaseName', { databaseName: 'orders' }, { DBName: 'orders' }],
    ['backupRetention', { backupRetention: Duration.days(7) }, { BackupRetentionPeriod: 7 }],
    ['windows', { preferredBackupWindow: '03:00-04:00', preferredMaintenanceWindow: 'sun:05:00-sun:06:00' },
      { PreferredBackupWindow: '03:00-04:00', PreferredMaintenanceWindow: 'sun:05:00-sun:06:00' }],
    ['deletionProtection', { deletionProtection: false }, { DeletionProtection: false }],
    ['monitoringInterval', { monitoringInterval: Duration.seconds(15) }, { MonitoringInterval: 15 }],
    ['performanceInsightRetention', { performanceInsightRetention: rds.PerformanceInsightRetention.MONTHS_12 }, { PerformanceInsightsRetentionPeriod: 372 }],
    ['autoMinorVersionUpgrade', { autoMinorVersionUpgrade: false }, { AutoMinorVersionUpgrade: false }],
    ['port', { port: 6432 }, { Port: '6432' }],
  ])('%s', (_name, props, expected) => {
    const { stack } = dbStack(props);
    record(stack).hasResourceProperties('AWS::RDS::DBInstance', expected);
  });

  test('TLS not enforced, acknowledged; TLS 1.3 minimum; extra parameters', () => {
    const { stack } = dbStack({
      enforceTls: false,
      acknowledgeTlsNotEnforced: true,
      minimumTlsVersion: TlsVersion.TLS_1_3,
      parameters: { log_min_duration_statement: '500' },
    });
    record(stack).hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Parameters: { 'rds.force_ssl': '0', 'ssl_min_protocol_version': 'TLSv1.3', 'log_min_duration_statement': '500' },
    });
  });

  test('a given key is used everywhere and no key is created', () => {
    const keyArn = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const { stack } = dbStack({ encryptionKey: kms.Key.fromKeyArn(new Stack(), 'Imported', keyArn) });
    const template = record(stack);
    template.resourcePropertiesCountIs('AWS::KMS::Key', { Description: Match.stringLikeRegexp('RDS for PostgreSQL') }, 0);
    template.hasResourceProperties('AWS::RDS::DBInstance', { KmsKeyId: keyArn, PerformanceInsightsKMSKeyId: keyArn });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: keyArn });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('/postgresql$'), KmsKeyId: keyArn });
  });

  test('master user name and secret replica Regions', () => {
    const drKeyArn = 'arn:aws:kms:us-west-2:111111111111:key/5678abcd-12ab-34cd-56ef-1234567890ab';
    const { stack } = dbStack({
      masterUsername: 'orders_admin',
      secretReplicaRegions: [{ region: 'us-west-2', encryptionKey: kms.Key.fromKeyArn(new Stack(), 'DrKey', drKeyArn) }],
    });
    record(stack).hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"orders_admin"}' }),
      ReplicaRegions: [{ Region: 'us-west-2', KmsKeyId: drKeyArn }],
    });
  });

  test('a secret replica Region without a key: an acknowledgeable warning (AWS-managed key); with a key, none', () => {
    const { stack } = dbStack({ secretReplicaRegions: [{ region: 'us-west-2' }] });
    record(stack).hasResourceProperties('AWS::SecretsManager::Secret', { ReplicaRegions: [{ Region: 'us-west-2' }] });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp(
      `secretReplicaRegions names us-west-2 without an encryptionKey.*AWS-managed aws/secretsmanager key.*\\[ack: ${Warnings.SECRET_REPLICA_AWS_MANAGED_KEY}\\]`));
    const keyed = dbStack({
      secretReplicaRegions: [{ region: 'us-west-2', encryptionKey: kms.Key.fromKeyArn(new Stack(), 'DrKey', 'arn:aws:kms:us-west-2:111111111111:key/5678abcd-12ab-34cd-56ef-1234567890ab') }],
    }).stack;
    Annotations.fromStack(keyed).hasNoWarning('*', Match.stringLikeRegexp('secretReplicaRegions'));
  });

  test('rotation schedule, or no rotation', () => {
    const weekly = record(dbStack({ rotationSchedule: Duration.days(7) }).stack);
    weekly.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(7 days)' } });
    const none = record(dbStack({ rotateMasterPassword: false }).stack);
    none.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    none.resourceCountIs('AWS::Serverless::Application', 0);
    // With no rotation function, nothing at all may reach the database.
    none.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('removalPolicy DESTROY deletes the instance only: key, secret and log groups stay (keyRemovalPolicy); RETAIN keeps the instance', () => {
    const destroy = record(dbStack({ removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false }).stack);
    destroy.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Delete' });
    destroy.hasResource('AWS::KMS::Key', { Properties: Match.objectLike({ Description: Match.stringLikeRegexp('RDS for PostgreSQL') }), DeletionPolicy: 'Retain' });
    destroy.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    destroy.hasResource('AWS::Logs::LogGroup', {
      Properties: Match.objectLike({ LogGroupName: Match.stringLikeRegexp('^/aws/rds/instance/') }), DeletionPolicy: 'Retain',
    });
    const retain = record(dbStack({ removalPolicy: RemovalPolicy.RETAIN }).stack);
    retain.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('log retention', () => {
    record(dbStack({ logRetention: logs.RetentionDays.TWO_YEARS }).stack).hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.stringLikeRegexp('/postgresql$'), RetentionInDays: 731,
    });
  });

  test('explicit private subnets with egress', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    new MultiAzPostgres(stack, 'Db', { vpc });
    record(stack).hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      SubnetIds: [{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcPrivateSubnet2') }],
    });
  });

  test('connections: granting ingress names the literal port', () => {
    const { stack, db, net } = dbStack();
    const client = new ec2.SecurityGroup(stack, 'App', { vpc: net.vpc });
    db.connections.allowDefaultPortFrom(client, 'app');
    record(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^App'), 'GroupId'] },
    });
  });

  test('grantConnect allows rds-db:connect for the given database user', () => {
    const { stack, db } = dbStack();
    const role = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    db.grantConnect(role, 'orders_app');
    const policies = Object.values(record(stack).findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p).includes('rds-db:connect'));
    expect(policies).toHaveLength(1);
    const statement = policies[0].Properties.PolicyDocument.Statement[0];
    expect(statement.Action).toBe('rds-db:connect');
    expect(JSON.stringify(stack.resolve(statement.Resource))).toMatch(/arn:aws:rds-db:us-east-1:111111111111:dbuser:.*\/orders_app/);
  });
});
