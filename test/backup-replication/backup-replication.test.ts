import { CfnParameter, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { BackupReplication, BackupReplicationProps, CrossRegionReadReplica, DrBackupVault, DrBackupVaultProps, PostgresInstanceBase, Warnings } from '../../src';
import { acknowledgements, newStack, record, synthWithNag, twoRegionApp } from '../util';

const KEY_ARN = 'arn:aws:kms:us-west-2:111111111111:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10';
const VAULT_ARN = 'arn:aws:backup:us-west-2:111111111111:backup-vault:orders-dr';

function replication(props: Partial<BackupReplicationProps> = {}, primaryProps = {}) {
  const env = twoRegionApp(primaryProps);
  const construct = new BackupReplication(env.primaryStack, 'Backups', {
    sourceInstance: env.primary, destinationRegion: 'us-west-2', destinationKeyArn: KEY_ARN, ...props,
  });
  return { ...env, construct, t: record(env.primaryStack) };
}

describe('BackupReplication: native automated backup replication', () => {
  test('sets the AutomaticBackupReplication* properties on the source instance, retention defaulting to the source', () => {
    const { t, construct } = replication();
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'orders-primary',
      AutomaticBackupReplicationRegion: 'us-west-2',
      AutomaticBackupReplicationKmsKeyId: KEY_ARN,
      AutomaticBackupReplicationRetentionPeriod: 35,
      BackupRetentionPeriod: 35,
    });
    expect(construct.retention.toDays()).toBe(35);
    expect(construct.destinationRegion).toBe('us-west-2');
    expect(construct.sourceRegion).toBe('us-east-1');
    expect(construct.sourceInstanceIdentifier).toBe('orders-primary');
    expect(construct.backupPlan).toBeUndefined();
    expect(Object.keys(t.findResources('AWS::Backup::BackupPlan'))).toEqual([]);
  });

  test('retention follows the source, or the prop', () => {
    replication({}, { backupRetention: Duration.days(14) }).t.hasResourceProperties('AWS::RDS::DBInstance', { AutomaticBackupReplicationRetentionPeriod: 14 });
    replication({ retention: Duration.days(7) }).t.hasResourceProperties('AWS::RDS::DBInstance', { AutomaticBackupReplicationRetentionPeriod: 7 });
  });

  test('works on a plain rds.DatabaseInstance too', () => {
    const app = twoRegionApp().app;
    const stack = newStack(app, 'Plain', 'eu-west-1');
    const vpc = new ec2.Vpc(stack, 'Vpc', { subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const db = new rds.DatabaseInstance(stack, 'Db', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      backupRetention: Duration.days(10),
      storageEncrypted: true,
      instanceIdentifier: 'plain-db',
    });
    new BackupReplication(stack, 'Backups', {
      sourceInstance: PostgresInstanceBase.fromDatabaseInstance(stack, 'Source', db), destinationRegion: 'eu-central-1', destinationKeyArn: 'arn:aws:kms:eu-central-1:111111111111:key/abc-123',
    });
    record(stack).hasResourceProperties('AWS::RDS::DBInstance', {
      AutomaticBackupReplicationRegion: 'eu-central-1', AutomaticBackupReplicationRetentionPeriod: 10,
    });
  });
});

describe('BackupReplication: AWS Backup plan with a cross-Region copy', () => {
  test.each([
    ['hourly, at 15 minutes past', events.Schedule.cron({ minute: '15' })],
    ['every six hours', events.Schedule.cron({ minute: '0', hour: '*/6' })],
    ['weekly', events.Schedule.cron({ minute: '30', hour: '2', weekDay: 'SUN' })],
  ])('a %s schedule, at most one backup an hour, is accepted', (_name, schedule) => {
    const { t } = replication({ awsBackup: { destination: { vaultArn: VAULT_ARN }, schedule } });
    t.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ ScheduleExpression: schedule.expressionString })] },
    });
  });

  test('a daily plan into a CMK-encrypted, retained vault, copied to the DR vault, selecting the source only', () => {
    const { t, construct } = replication({ awsBackup: { destination: { vaultArn: VAULT_ARN } } });
    t.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanName: 'orders-primary-cross-region',
        BackupPlanRule: [{
          RuleName: 'DailyWithCrossRegionCopy',
          ScheduleExpression: 'cron(0 5 * * ? *)',
          Lifecycle: { DeleteAfterDays: 35 },
          CopyActions: [{ DestinationBackupVaultArn: VAULT_ARN, Lifecycle: { DeleteAfterDays: 35 } }],
          TargetBackupVault: Match.anyValue(),
        }],
      },
    });
    t.hasResource('AWS::Backup::BackupVault', {
      Properties: { EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupsVaultKey'), 'Arn'] } },
      DeletionPolicy: 'Retain',
    });
    t.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true, Description: Match.stringLikeRegexp('AWS Backup vault') }, DeletionPolicy: 'Retain' });
    t.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: { Resources: [{ 'Fn::Join': ['', ['arn:aws:rds:us-east-1:111111111111:db:', { Ref: Match.stringLikeRegexp('^OrdersInstance') }]] }] },
    });
    expect(construct.awsBackupRetention?.toDays()).toBe(35);
    expect(construct.copyRetention?.toDays()).toBe(35);
  });

  test('schedule, retention, copy retention and key can be set', () => {
    const { t } = replication({
      awsBackup: {
        destination: { vaultArn: VAULT_ARN, lockMinRetention: Duration.days(30), lockMaxRetention: Duration.days(400) },
        schedule: events.Schedule.cron({ minute: '30', hour: '2' }),
        retention: Duration.days(14),
        copyRetention: Duration.days(365),
      },
    });
    t.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [Match.objectLike({
          ScheduleExpression: 'cron(30 2 * * ? *)',
          Lifecycle: { DeleteAfterDays: 14 },
          CopyActions: [{ DestinationBackupVaultArn: VAULT_ARN, Lifecycle: { DeleteAfterDays: 365 } }],
        })],
      },
    });
  });

  test('a given vault key is used and none is created', () => {
    const env = twoRegionApp();
    const key = new kms.Key(env.primaryStack, 'MyKey', { enableKeyRotation: true });
    new BackupReplication(env.primaryStack, 'Backups', {
      sourceInstance: env.primary,
      destinationRegion: 'us-west-2',
      destinationKeyArn: KEY_ARN,
      awsBackup: { destination: { vaultArn: VAULT_ARN }, vaultKey: key },
    });
    const t = record(env.primaryStack);
    t.hasResourceProperties('AWS::Backup::BackupVault', { EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyKey'), 'Arn'] } });
    expect(Object.keys(t.findResources('AWS::KMS::Key')).filter((k) => k.startsWith('BackupsVaultKey'))).toEqual([]);
  });

  test('logical IDs of the backup vault and its key are stable', () => {
    const { t } = replication({ awsBackup: { destination: { vaultArn: VAULT_ARN } } });
    expect(Object.keys(t.findResources('AWS::Backup::BackupVault'))).toEqual(['BackupsVault1F11AFCC']);
    expect(Object.keys(t.findResources('AWS::KMS::Key')).filter((k) => k.startsWith('Backups'))).toEqual(['BackupsVaultKey3AEA13F3']);
    expect(Object.keys(t.findResources('AWS::Backup::BackupPlan'))).toEqual(['BackupsPlanAF2A6E1B']);
  });
});

describe('BackupReplication rejects', () => {
  const make = (props: Partial<BackupReplicationProps>, primaryProps = {}) => () => replication(props, primaryProps);

  test('a destination Region equal to the source Region', () => {
    expect(make({ destinationRegion: 'us-east-1', destinationKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/abc' })).toThrow(
      "BackupReplication: invalid destinationRegion 'us-east-1': a Region other than the source's (us-east-1); backups are replicated to another Region");
  });

  test('a malformed or token Region', () => {
    expect(make({ destinationRegion: 'US West 2' })).toThrow("BackupReplication: invalid destinationRegion 'US West 2': a literal AWS Region name such as us-west-2");
  });

  test.each([0, 36])('retention of %i days (outside 1-35)', (days) => {
    expect(make({ retention: Duration.days(days) })).toThrow(
      `BackupReplication: invalid retention '${days} day${days === 1 ? '' : 's'}': a whole number of days from 1 to 35 (the RDS limit for replicated automated backups)`);
  });

  test('a fractional retention', () => {
    expect(make({ retention: Duration.hours(36) })).toThrow(/invalid retention '1 day 12 hours': a whole number of days from 1 to 35/);
  });

  test('a key ARN in another Region, an alias, or a token', () => {
    expect(make({ destinationKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/abc' })).toThrow(
      "BackupReplication: invalid destinationKeyArn 'arn:aws:kms:us-east-1:111111111111:key/abc': a key in the destination Region us-west-2, not us-east-1");
    expect(make({ destinationKeyArn: 'arn:aws:kms:us-west-2:111111111111:alias/orders' })).toThrow(
      /invalid destinationKeyArn 'arn:aws:kms:us-west-2:111111111111:alias\/orders': a literal KMS key ARN .* not an alias or a token/);
    const env = twoRegionApp();
    const key = new kms.Key(env.primaryStack, 'K');
    expect(() => new BackupReplication(env.primaryStack, 'B', {
      sourceInstance: env.primary, destinationRegion: 'us-west-2', destinationKeyArn: key.keyArn,
    })).toThrow(/invalid destinationKeyArn \(a token\)/);
  });

  test('a vault lock shorter than the copy retention, and a minimum above it', () => {
    expect(make({ awsBackup: { destination: { vaultArn: VAULT_ARN, lockMaxRetention: Duration.days(30) } } })).toThrow(
      "BackupReplication: invalid awsBackup.copyRetention '35 days': at most the destination vault lock's maximum retention (30 days); "
      + 'a longer copy retention makes AWS Backup fail every copy job');
    expect(make({ awsBackup: { destination: { vaultArn: VAULT_ARN, lockMinRetention: Duration.days(90) } } })).toThrow(
      /invalid awsBackup.copyRetention '35 days': at least the destination vault lock's minimum retention \(90 days\)/);
  });

  test('a copy vault in the source Region, or a malformed vault ARN', () => {
    expect(make({ awsBackup: { destination: { vaultArn: 'arn:aws:backup:us-east-1:111111111111:backup-vault:local' } } })).toThrow(
      "BackupReplication: invalid awsBackup.destination.vaultArn 'arn:aws:backup:us-east-1:111111111111:backup-vault:local': a vault in a Region "
      + "other than the source's (us-east-1); the copy is the cross-Region layer");
    expect(make({ awsBackup: { destination: { vaultArn: 'orders-dr' } } })).toThrow(/invalid awsBackup.destination.vaultArn 'orders-dr': a literal backup vault ARN/);
  });

  test('a copy vault or a replication key in another account', () => {
    // For RDS, AWS Backup copies across Regions or across accounts, not both in one copy:
    // https://docs.aws.amazon.com/aws-backup/latest/devguide/recov-point-create-a-copy.html
    expect(make({ awsBackup: { destination: { vaultArn: 'arn:aws:backup:us-west-2:222222222222:backup-vault:orders-dr' } } })).toThrow(
      "BackupReplication: invalid awsBackup.destination.vaultArn 'arn:aws:backup:us-west-2:222222222222:backup-vault:orders-dr': a vault in the "
      + "source's account 111111111111, not 222222222222: for RDS, AWS Backup copies across Regions or across accounts but not both in one copy, "
      + 'so every copy job into this vault would fail (https://docs.aws.amazon.com/aws-backup/latest/devguide/recov-point-create-a-copy.html)');
    expect(make({ destinationKeyArn: 'arn:aws:kms:us-west-2:222222222222:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10' })).toThrow(
      "BackupReplication: invalid destinationKeyArn 'arn:aws:kms:us-west-2:222222222222:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10': a key in the "
      + "source's account 111111111111, not 222222222222: RDS replicates automated backups to another Region of the same account");
  });

  test.each([
    ['retention', { retention: Duration.days(0) }, /invalid awsBackup.retention '0 days': a whole number of days from 1 to 36500/],
    ['copyRetention', { copyRetention: Duration.hours(12) }, /invalid awsBackup.copyRetention '12 hours': a whole number of days from 1 to 36500/],
  ])('AWS Backup %s out of range', (_n, options, message) => {
    expect(make({ awsBackup: { destination: { vaultArn: VAULT_ARN }, ...options } })).toThrow(message);
  });

  test('Multi-AZ DB clusters and cluster instances', () => {
    const env = twoRegionApp();
    (env.primary.instance.node.defaultChild as rds.CfnDBInstance).dbClusterIdentifier = 'orders-cluster';
    expect(() => new BackupReplication(env.primaryStack, 'B', { sourceInstance: env.primary, destinationRegion: 'us-west-2', destinationKeyArn: KEY_ARN }))
      .toThrow(/invalid sourceInstance 'Primary\/Orders\/Instance': a standalone DB instance; automated backup replication is not supported for Multi-AZ DB clusters/);
  });

  test('a read replica as source', () => {
    const env = twoRegionApp();
    const replica = new CrossRegionReadReplica(env.drStack, 'Replica', { sourceInstance: env.primary, vpc: env.drNet.vpc });
    expect(() => new BackupReplication(env.drStack, 'B', { sourceInstance: replica, destinationRegion: 'us-east-1', destinationKeyArn: KEY_ARN }))
      .toThrow(/invalid sourceInstance 'Dr\/Replica\/Instance': a primary DB instance; this instance is a read replica/);
  });

  test('a source in another stack, or imported', () => {
    const env = twoRegionApp();
    expect(() => new BackupReplication(env.drStack, 'B', { sourceInstance: env.primary, destinationRegion: 'eu-west-1', destinationKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/a' }))
      .toThrow(/invalid sourceInstance 'Primary\/Orders\/Instance': a DB instance in this construct's stack \(Dr\)/);
    const imported = PostgresInstanceBase.fromPostgresInstanceAttributes(env.primaryStack, 'Imp', {
      instanceArn: 'arn:aws:rds:us-east-1:111111111111:db:x', endpointAddress: 'x', engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 }),
    });
    expect(() => new BackupReplication(env.primaryStack, 'B', { sourceInstance: imported, destinationRegion: 'us-west-2', destinationKeyArn: KEY_ARN }))
      .toThrow(/invalid sourceInstance 'Primary\/Imp\/Instance': a DB instance defined in this CDK app/);
  });

  test('a plain rds.DatabaseInstance without backupRetention has RDS\'s default of 1 day, which the replicated backups follow', () => {
    const app = twoRegionApp().app;
    const stack = newStack(app, 'Plain', 'eu-west-1');
    const vpc = new ec2.Vpc(stack, 'Vpc', { subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const db = new rds.DatabaseInstance(stack, 'Db', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 }),
      instanceIdentifier: 'plain-db',
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      storageEncrypted: true,
    });
    const backups = new BackupReplication(stack, 'Backups', {
      sourceInstance: PostgresInstanceBase.fromDatabaseInstance(stack, 'DbRef', db), destinationRegion: 'eu-central-1', destinationKeyArn: 'arn:aws:kms:eu-central-1:111111111111:key/abc-123',
    });
    expect(backups.retention.toDays()).toBe(1);
    record(stack).hasResourceProperties('AWS::RDS::DBInstance', {
      BackupRetentionPeriod: Match.absent(), AutomaticBackupReplicationRetentionPeriod: 1,
    });
  });

  test('a source retention only known at deploy time (a token) leaves the replicated backups at 35 days, or the prop', () => {
    const env = twoRegionApp();
    const days = new CfnParameter(env.primaryStack, 'RetentionDays', { type: 'Number', default: 14 });
    (env.primary.instance.node.defaultChild as rds.CfnDBInstance).backupRetentionPeriod = days.valueAsNumber;
    const backups = new BackupReplication(env.primaryStack, 'B', { sourceInstance: env.primary, destinationRegion: 'us-west-2', destinationKeyArn: KEY_ARN });
    expect(backups.retention.toDays()).toBe(35);
    const other = twoRegionApp();
    (other.primary.instance.node.defaultChild as rds.CfnDBInstance).backupRetentionPeriod =
      new CfnParameter(other.primaryStack, 'RetentionDays', { type: 'Number', default: 14 }).valueAsNumber;
    expect(new BackupReplication(other.primaryStack, 'B', {
      sourceInstance: other.primary, destinationRegion: 'us-west-2', destinationKeyArn: KEY_ARN, retention: Duration.days(14),
    }).retention.toDays()).toBe(14);
  });

  test('a source without automated backups', () => {
    const env = twoRegionApp();
    (env.primary.instance.node.defaultChild as rds.CfnDBInstance).backupRetentionPeriod = 0;
    expect(() => new BackupReplication(env.primaryStack, 'B', { sourceInstance: env.primary, destinationRegion: 'us-west-2', destinationKeyArn: KEY_ARN }))
      .toThrow(/a DB instance with automated backups on/);
  });
});

describe('DrBackupVault', () => {
  test('a named, CMK-encrypted, retained vault with a literal ARN and weekly restore testing of RDS recovery points', () => {
    const { drStack } = twoRegionApp();
    const vault = new DrBackupVault(drStack, 'Vault', { backupVaultName: 'orders-dr' });
    const t = record(drStack);
    expect(vault.backupVaultArn).toBe(VAULT_ARN);
    expect(vault.copyDestination).toEqual({ vaultArn: VAULT_ARN, lockMinRetention: undefined, lockMaxRetention: undefined });
    t.hasResource('AWS::Backup::BackupVault', {
      Properties: { BackupVaultName: 'orders-dr', EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VaultKey'), 'Arn'] }, LockConfiguration: Match.absent() },
      DeletionPolicy: 'Retain',
    });
    t.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
    t.hasResourceProperties('AWS::Backup::RestoreTestingPlan', {
      RestoreTestingPlanName: 'orders_dr_rds',
      ScheduleExpression: 'cron(0 6 ? * SUN *)',
      StartWindowHours: 8,
      RecoveryPointSelection: {
        Algorithm: 'LATEST_WITHIN_WINDOW',
        IncludeVaults: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Vault'), 'BackupVaultArn'] }],
        RecoveryPointTypes: ['SNAPSHOT'],
        SelectionWindowDays: 7,
      },
    });
    t.hasResource('AWS::Backup::RestoreTestingSelection', {
      Properties: {
        RestoreTestingPlanName: 'orders_dr_rds',
        ProtectedResourceType: 'RDS',
        ProtectedResourceArns: ['*'],
        ValidationWindowHours: 24,
        IamRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VaultRestoreTestingRole'), 'Arn'] },
      },
      DependsOn: [Match.stringLikeRegexp('^VaultRestoreTestingPlan')],
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'backup.amazonaws.com' } })] },
    });
    // The restore role has the AWS-managed restore policy only, whose KMS statements hold through the restoring services
    // (kms:ViaService) and for grants to AWS resources; no statement of ours repeats them or adds an unrestricted kms:Decrypt.
    t.hasResourceProperties('AWS::IAM::Role', {
      Description: 'AWS Backup restore testing of RDS recovery points in vault orders-dr',
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores']] }],
      Policies: Match.absent(),
    });
    expect(Object.keys(t.findResources('AWS::IAM::ManagedPolicy')).filter((id) => id.startsWith('Vault'))).toEqual([]);
    expect(Object.keys(t.findResources('AWS::IAM::Policy'))).toEqual([]);
  });

  test('vault lock, restore testing options, removal policy', () => {
    const { drStack } = twoRegionApp();
    const vault = new DrBackupVault(drStack, 'Vault', {
      backupVaultName: 'orders-dr',
      lockConfiguration: { minRetention: Duration.days(7), maxRetention: Duration.days(90), changeableFor: Duration.days(3) },
      restoreTesting: {
        schedule: events.Schedule.cron({ minute: '0', hour: '3', day: '1' }),
        selectionWindow: Duration.days(30),
        validationWindow: Duration.hours(4),
        startWindow: Duration.hours(2),
        protectedResourceArns: ['arn:aws:rds:us-east-1:111111111111:db:orders-primary'],
        restoreMetadataOverrides: { dbSubnetGroupName: 'orders-dr-restore-tests' },
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const t = record(drStack);
    expect(vault.copyDestination.lockMaxRetention?.toDays()).toBe(90);
    t.hasResource('AWS::Backup::BackupVault', {
      Properties: { LockConfiguration: { MinRetentionDays: 7, MaxRetentionDays: 90, ChangeableForDays: 3 } },
      DeletionPolicy: 'Delete',
    });
    t.hasResourceProperties('AWS::Backup::RestoreTestingPlan', {
      ScheduleExpression: 'cron(0 3 1 * ? *)', StartWindowHours: 2, RecoveryPointSelection: Match.objectLike({ SelectionWindowDays: 30 }),
    });
    t.hasResourceProperties('AWS::Backup::RestoreTestingSelection', {
      ValidationWindowHours: 4,
      ProtectedResourceArns: ['arn:aws:rds:us-east-1:111111111111:db:orders-primary'],
      RestoreMetadataOverrides: { dbSubnetGroupName: 'orders-dr-restore-tests' },
    });
  });

  test('restore testing can be turned off', () => {
    const { drStack } = twoRegionApp();
    const vault = new DrBackupVault(drStack, 'Vault', { restoreTesting: { enabled: false } });
    const t = record(drStack);
    expect(vault.restoreTestingPlan).toBeUndefined();
    expect(Object.keys(t.findResources('AWS::Backup::RestoreTestingPlan'))).toEqual([]);
    expect(vault.backupVaultName).toMatch(/^[A-Za-z0-9_-]{2,50}$/);
  });

  test.each([
    ['backupVaultName', { backupVaultName: 'orders dr' }, "DrBackupVault: invalid backupVaultName 'orders dr': 2 to 50 letters, digits, hyphens or underscores"],
    ['lock minimum', { lockConfiguration: { minRetention: Duration.hours(12) } }, /invalid lockConfiguration.minRetention '12 hours': a whole number of days from 1 to 36500/],
    ['lock maximum below minimum', { lockConfiguration: { minRetention: Duration.days(30), maxRetention: Duration.days(7) } },
      /invalid lockConfiguration.maxRetention '7 days': a whole number of days from the minimum retention \(30\) to 36500/],
    ['validation window', { restoreTesting: { validationWindow: Duration.hours(200) } }, /invalid restoreTesting.validationWindow '8 days 8 hours': a whole number of hours from 0 to 168/],
    ['selection window', { restoreTesting: { selectionWindow: Duration.days(400) } }, /invalid restoreTesting.selectionWindow '400 days': a whole number of days from 1 to 365/],
    ['start window', { restoreTesting: { startWindow: Duration.minutes(30) } }, /invalid restoreTesting.startWindow '30 minutes': a whole number of hours from 1 to 168/],
  ])('rejects %s', (_n, props, message) => {
    const { drStack } = twoRegionApp();
    expect(() => new DrBackupVault(drStack, 'Vault', props as any)).toThrow(message);
  });

  test('logical IDs of the vault and its key are stable', () => {
    const { drStack } = twoRegionApp();
    new DrBackupVault(drStack, 'Vault', { backupVaultName: 'orders-dr' });
    const t = record(drStack);
    expect(Object.keys(t.findResources('AWS::Backup::BackupVault'))).toEqual(['Vault645BC77C']);
    expect(Object.keys(t.findResources('AWS::KMS::Key')).sort()).toEqual(['NetworkFlowLogKeyF785E5F9', 'VaultKeyCB88EF1A']);
  });
});

/** [DeletionPolicy, UpdateReplacePolicy] of every resource of `type` whose logical ID starts with `prefix`. */
function policies(t: Template, type: string, prefix: string): string[][] {
  return Object.entries(t.findResources(type)).filter(([id]) => id.startsWith(prefix)).map(([, r]) => [r.DeletionPolicy, r.UpdateReplacePolicy]);
}
const RETAIN = ['Retain', 'Retain'];
const DELETE = ['Delete', 'Delete'];

describe('DrBackupVault removal policies', () => {
  function vaultPolicies(props: DrBackupVaultProps) {
    const { drStack } = twoRegionApp();
    new DrBackupVault(drStack, 'Vault', { backupVaultName: 'orders-dr', ...props });
    const t = record(drStack);
    return { drStack, t, vault: policies(t, 'AWS::Backup::BackupVault', 'Vault'), key: policies(t, 'AWS::KMS::Key', 'VaultKey') };
  }

  // The key also encrypts the RDS automated backups replicated into this Region, which the primary's stack names by a
  // literal ARN only: removalPolicy never reaches it.
  test.each<[string, DrBackupVaultProps, string[]]>([
    ['default', {}, RETAIN],
    ['RETAIN', { removalPolicy: RemovalPolicy.RETAIN }, RETAIN],
    ['DESTROY', { removalPolicy: RemovalPolicy.DESTROY }, DELETE],
    ['DESTROY, keyRemovalPolicy RETAIN', { removalPolicy: RemovalPolicy.DESTROY, keyRemovalPolicy: RemovalPolicy.RETAIN }, DELETE],
  ])('%s: the vault follows removalPolicy, the key is retained, no key warning', (_name, props, vault) => {
    const p = vaultPolicies(props);
    expect(p.vault).toEqual([vault]);
    expect(p.key).toEqual([RETAIN]);
    p.t.hasResourceProperties('AWS::KMS::Key', { Description: Match.stringLikeRegexp('AWS Backup vault'), PendingWindowInDays: Match.absent() });
    Annotations.fromStack(p.drStack).hasNoWarning('*', Match.stringLikeRegexp(Warnings.KEY_DESTROYED_WITH_STACK));
  });

  test('DESTROY and keyRemovalPolicy DESTROY: the key is deleted after 30 days, with a warning about the replicated backups', () => {
    const p = vaultPolicies({ removalPolicy: RemovalPolicy.DESTROY, keyRemovalPolicy: RemovalPolicy.DESTROY });
    expect(p.vault).toEqual([DELETE]);
    expect(p.key).toEqual([DELETE]);
    p.t.hasResourceProperties('AWS::KMS::Key', { Description: Match.stringLikeRegexp('AWS Backup vault'), PendingWindowInDays: 30 });
    Annotations.fromStack(p.drStack).hasWarning('/Dr/Vault', Match.stringLikeRegexp(
      'DrBackupVault Dr/Vault: keyRemovalPolicy is DESTROY, so CloudFormation schedules the deletion of the KMS key .* 30 days. '
      + 'It encrypts the recovery points of the vault and, when it is a BackupReplication destinationKeyArn .*the RDS automated backups '
      + `replicated into this Region.*cannot be restored.*\\[ack: ${Warnings.KEY_DESTROYED_WITH_STACK}\\]`));
  });

  test.each<[string, DrBackupVaultProps, string]>([
    ['with the default vault policy', { keyRemovalPolicy: RemovalPolicy.DESTROY },
      "DrBackupVault: invalid keyRemovalPolicy 'destroy': RETAIN while removalPolicy is RETAIN: the retained vault and its recovery points would stay encrypted with a deleted key"],
    ['as SNAPSHOT', { removalPolicy: RemovalPolicy.DESTROY, keyRemovalPolicy: RemovalPolicy.SNAPSHOT },
      "DrBackupVault: invalid keyRemovalPolicy 'snapshot': RemovalPolicy.RETAIN (the default) or RemovalPolicy.DESTROY"],
    ['with a given key', {
      removalPolicy: RemovalPolicy.DESTROY,
      keyRemovalPolicy: RemovalPolicy.DESTROY,
      encryptionKey: kms.Key.fromKeyArn(newStack(undefined, 'Other', 'us-west-2'), 'K', KEY_ARN),
    }, "DrBackupVault: invalid keyRemovalPolicy 'destroy': unset when encryptionKey is given"],
  ])('keyRemovalPolicy DESTROY %s is rejected', (_name, props, message) => {
    const { drStack } = twoRegionApp();
    expect(() => new DrBackupVault(drStack, 'Vault', props)).toThrow(message);
  });
});

describe('BackupReplication removal policies', () => {
  test('the source Region vault and its key are always retained: nothing in the construct deletes them', () => {
    const { t } = replication({ awsBackup: { destination: { vaultArn: VAULT_ARN } } });
    expect(policies(t, 'AWS::Backup::BackupVault', 'Backups')).toEqual([RETAIN]);
    expect(policies(t, 'AWS::KMS::Key', 'BackupsVaultKey')).toEqual([RETAIN]);
  });
});

describe('compliance packs on the two-Region layout with backups', () => {
  test('zero unacknowledged findings; backup role acknowledgements carry reasons', () => {
    const env = twoRegionApp();
    const vault = new DrBackupVault(env.drStack, 'Vault', { backupVaultName: 'orders-dr' });
    new CrossRegionReadReplica(env.drStack, 'Replica', { sourceInstance: env.primary, vpc: env.drNet.vpc });
    new BackupReplication(env.primaryStack, 'Backups', {
      sourceInstance: env.primary,
      destinationRegion: 'us-west-2',
      destinationKeyArn: KEY_ARN,
      awsBackup: { destination: vault.copyDestination },
    });
    // The packs run in the synthesis; a template read before it would leave them nothing to check.
    expect(synthWithNag(env.app).findings).toEqual([]);
    record(env.primaryStack);
    record(env.drStack);
    const acks = acknowledgements(env.app).filter((a) => /Backups|Vault/.test(a.path));
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual([
      'Dr/Vault/RestoreTestingRole AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]',
      'Primary/Backups/Plan/Selection/Role AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
    ]);
    for (const ack of acks) {
      expect(ack.reason.length).toBeGreaterThan(60);
    }
  });
});
