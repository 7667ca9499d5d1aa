import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { BackupCopyDestination } from './dr-backup-vault';
import { IPostgresInstance } from '../common/postgres-instance';
import { validateBackupSchedule } from '../private/backup-schedule';
import { backupRetentionDaysOf, cfnDbInstanceOf } from '../private/db-instance-facts';
import { propError, where } from '../private/errors';
import { acknowledge } from '../private/nag';
import {
  MAX_BACKUP_RETENTION_DAYS, REGIONAL_KEY_RULE, arnPlace, validateKeyArn, validatePlace, validateRegionName, validateResourcePlace,
  validateSamePartition, wholeUnits,
} from '../private/validation';

const CONSTRUCT = 'BackupReplication';

/** The AWS Backup layer: a plan in the source Region that copies each recovery point to a vault in another Region. */
export interface AwsBackupCopyOptions {
  /** The vault in the destination Region that receives the copies, e.g. `DrBackupVault.copyDestination`. */
  readonly destination: BackupCopyDestination;

  /**
   * When the plan backs up the source.
   *
   * @default - daily at 05:00 UTC
   */
  readonly schedule?: events.Schedule;

  /**
   * How long recovery points stay in the source Region's vault (lifecycle `DeleteAfterDays`).
   *
   * @default Duration.days(35)
   */
  readonly retention?: Duration;

  /**
   * How long the copies stay in the destination vault (copy lifecycle `DeleteAfterDays`). It must fall within the
   * destination vault lock's minimum and maximum retention, or AWS Backup fails every copy job.
   *
   * @default Duration.days(35)
   * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html
   */
  readonly copyRetention?: Duration;

  /**
   * Key for the source Region's backup vault.
   *
   * @default - a new key with automatic rotation, retained on stack deletion
   */
  readonly vaultKey?: kms.IKey;
}

/** Properties of a `BackupReplication`. */
export interface BackupReplicationProps {
  /**
   * The DB instance whose automated backups are replicated: an instance defined in this stack (a `MultiAzPostgres`, or
   * an `rds.DatabaseInstance` wrapped with `PostgresInstanceBase.fromDatabaseInstance`), because the setting lives on
   * its `AWS::RDS::DBInstance`.
   */
  readonly sourceInstance: IPostgresInstance;

  /** The Region that receives the replicated automated backups, e.g. `us-west-2`. */
  readonly destinationRegion: string;

  /**
   * The ARN of a KMS key in `destinationRegion` that encrypts the replicated backups, a literal such as
   * `arn:aws:kms:us-west-2:111111111111:key/...`. RDS takes a key ARN here, not an alias. The key must exist before
   * this stack is deployed: create it first, for example as `DrBackupVault.encryptionKey` in the DR Region's stack.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBInstanceAutomatedBackupsReplication.html
   */
  readonly destinationKeyArn: string;

  /**
   * How long the replicated automated backups are kept in the destination Region: 1-35 days.
   *
   * @default - the source's backup retention as its template says (`MultiAzPostgres.backupRetention`, or RDS's
   * default of 1 day when an `rds.DatabaseInstance` sets none); 35 days when the source's retention is a token, unknown
   * at synth
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html#cfn-rds-dbinstance-automaticbackupreplicationretentionperiod
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBInstanceAutomatedBackupsReplication.html
   */
  readonly retention?: Duration;

  /**
   * An AWS Backup plan that copies recovery points to a vault in another Region, on top of the native replication.
   *
   * @default - native automated backup replication only
   */
  readonly awsBackup?: AwsBackupCopyOptions;
}

/**
 * Cross-Region replication of an RDS for PostgreSQL DB instance's automated backups, for point-in-time recovery in the
 * DR Region, and optionally an AWS Backup plan that copies recovery points into a vault in the DR Region.
 *
 * The native replication is set on the source's `AWS::RDS::DBInstance` (`AutomaticBackupReplicationRegion`,
 * `...KmsKeyId`, `...RetentionPeriod`), which has no aws-cdk-lib L2 property. It applies to DB instances only, not to
 * Multi-AZ DB clusters.
 *
 * @example
 * declare const primary: MultiAzPostgres;
 * new BackupReplication(this, 'OrdersBackups', {
 *   sourceInstance: primary,
 *   destinationRegion: 'us-west-2',
 *   destinationKeyArn: 'arn:aws:kms:us-west-2:111111111111:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10',
 * });
 */
export class BackupReplication extends Construct {
  /** The Region that holds the replicated automated backups. */
  public readonly destinationRegion: string;
  /** How long the replicated automated backups are kept in the destination Region, in whole days. */
  public readonly retention: Duration;
  /** The KMS key ARN that encrypts the replicated automated backups. */
  public readonly destinationKeyArn: string;
  /** The source DB instance identifier. */
  public readonly sourceInstanceIdentifier: string;
  /** The source's Region. */
  public readonly sourceRegion: string;
  /** The AWS Backup plan, if `awsBackup` is set. */
  public readonly backupPlan?: backup.BackupPlan;
  /** The source Region's backup vault, if `awsBackup` is set. */
  public readonly backupVault?: backup.BackupVault;
  /** How long recovery points stay in the source Region's vault, in whole days, if `awsBackup` is set. */
  public readonly awsBackupRetention?: Duration;
  /** How long the copies stay in the destination vault, in whole days, if `awsBackup` is set. */
  public readonly copyRetention?: Duration;

  constructor(scope: Construct, id: string, props: BackupReplicationProps) {
    super(scope, id);
    const construct = where(this, CONSTRUCT);
    const stack = Stack.of(this);
    const cfn = this.sourceOf(props.sourceInstance);
    this.sourceRegion = stack.region;
    if (Token.isUnresolved(stack.region)) {
      throw propError(construct, 'sourceInstance', props.sourceInstance.instance.node.path,
        'a DB instance in a stack with an explicit env (account and region); the Region checks are made at synth time');
    }
    validateRegionName(construct, 'sourceInstance', stack.region, `${props.sourceInstance.instance.node.path} (region ${stack.region})`);
    this.sourceInstanceIdentifier = props.sourceInstance.instanceIdentifier;

    this.destinationRegion = validateRegion(construct, 'destinationRegion', props.destinationRegion, stack.region);
    this.destinationKeyArn = validateKeyArn(construct, 'destinationKeyArn', props.destinationKeyArn, this.destinationRegion, stack.account);

    // Read from the resource this construct changes, so an escape hatch on it (BackupRetentionPeriod) is seen too.
    const sourceRetention = backupRetentionDaysOf(cfn);
    if (sourceRetention !== undefined && sourceRetention < 1) {
      throw propError(construct, 'sourceInstance', props.sourceInstance.instance.node.path,
        'a DB instance with automated backups on (backup retention of 1 day or more); there is nothing to replicate otherwise');
    }
    // A retention only known at deploy time (a token) cannot be followed: the replicated backups then keep 35 days.
    const retention = props.retention ?? Duration.days(sourceRetention ?? MAX_BACKUP_RETENTION_DAYS);
    const retentionDays = wholeUnits(construct, 'retention', retention, 'days', 1, MAX_BACKUP_RETENTION_DAYS, 'the RDS limit for replicated automated backups');

    cfn.automaticBackupReplicationRegion = this.destinationRegion;
    cfn.automaticBackupReplicationKmsKeyId = this.destinationKeyArn;
    this.retention = Duration.days(retentionDays);
    cfn.automaticBackupReplicationRetentionPeriod = retentionDays;

    if (props.awsBackup) {
      const options = props.awsBackup;
      validateBackupSchedule(construct, 'awsBackup.schedule', options.schedule);
      const destination = options.destination;
      validateVaultArn(construct, destination.vaultArn, stack.region, stack.account);
      const backupRetention = options.retention ?? Duration.days(35);
      const awsBackupRetentionDays = wholeUnits(construct, 'awsBackup.retention', backupRetention, 'days', 1, 36_500, 'the AWS Backup lifecycle range');
      const copyRetention = options.copyRetention ?? Duration.days(35);
      const copyRetentionDays = wholeUnits(construct, 'awsBackup.copyRetention', copyRetention, 'days', 1, 36_500, 'the AWS Backup lifecycle range');
      this.awsBackupRetention = Duration.days(awsBackupRetentionDays);
      this.copyRetention = Duration.days(copyRetentionDays);
      const lockMin = destination.lockMinRetention?.toDays();
      const lockMax = destination.lockMaxRetention?.toDays();
      if (lockMax !== undefined && copyRetentionDays > lockMax) {
        throw propError(construct, 'awsBackup.copyRetention', copyRetention.toHumanString(),
          `at most the destination vault lock's maximum retention (${lockMax} days); a longer copy retention makes AWS Backup fail every copy job`);
      }
      if (lockMin !== undefined && copyRetentionDays < lockMin) {
        throw propError(construct, 'awsBackup.copyRetention', copyRetention.toHumanString(),
          `at least the destination vault lock's minimum retention (${lockMin} days); a shorter copy retention makes AWS Backup fail every copy job`);
      }

      if (options.vaultKey) {
        validateResourcePlace(construct, 'awsBackup.vaultKey', options.vaultKey, options.vaultKey.keyArn,
          { region: stack.region, regionRule: `the vault is in the source's Region; ${REGIONAL_KEY_RULE}` });
      }
      const vaultKey = options.vaultKey ?? new kms.Key(this, 'VaultKey', {
        description: `Encrypts the AWS Backup vault for RDS instance ${this.sourceInstanceIdentifier}`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.backupVault = new backup.BackupVault(this, 'Vault', {
        encryptionKey: vaultKey,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.backupPlan = new backup.BackupPlan(this, 'Plan', {
        backupPlanName: `${this.sourceInstanceIdentifier}-cross-region`,
        backupVault: this.backupVault,
      });
      this.backupPlan.addRule(new backup.BackupPlanRule({
        ruleName: 'DailyWithCrossRegionCopy',
        scheduleExpression: options.schedule ?? events.Schedule.cron({ minute: '0', hour: '5' }),
        deleteAfter: backupRetention,
        copyActions: [{
          destinationBackupVault: backup.BackupVault.fromBackupVaultArn(this, 'DestinationVault', destination.vaultArn),
          deleteAfter: copyRetention,
        }],
      }));
      const selection = this.backupPlan.addSelection('Selection', {
        resources: [backup.BackupResource.fromRdsDatabaseInstance(props.sourceInstance.instance)],
        allowRestores: false,
      });
      const role = selection.node.tryFindChild('Role');
      if (role) {
        acknowledge(role,
          'AWS Backup assumes this role with AWSBackupServiceRolePolicyForBackup, the AWS-managed policy AWS Backup documents for '
          + 'creating and copying recovery points; it is scoped by the selection to this one DB instance.',
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]');
      }
    }
  }

  private sourceOf(source: IPostgresInstance): rds.CfnDBInstance {
    const instance = source.instance;
    const path = instance.node.path;
    // The replication is set on the instance's own resource.
    const cfn = cfnDbInstanceOf(instance);
    if (!cfn) {
      throw propError(where(this, CONSTRUCT), 'sourceInstance', path,
        'a DB instance defined in this CDK app (a MultiAzPostgres, or an rds.DatabaseInstance wrapped with PostgresInstanceBase.fromDatabaseInstance); the setting lives on its AWS::RDS::DBInstance');
    }
    if (cfn.dbClusterIdentifier !== undefined) {
      throw propError(where(this, CONSTRUCT), 'sourceInstance', path,
        'a standalone DB instance; automated backup replication is not supported for Multi-AZ DB clusters or the instances of a DB cluster '
        + '(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html)');
    }
    if (source.replicationSourceArn !== undefined) {
      throw propError(where(this, CONSTRUCT), 'sourceInstance', path,
        'a primary DB instance; this instance is a read replica: replicate its source\'s backups (a PostgreSQL read replica\'s '
        + 'automated backups give no point-in-time recovery, https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.html)');
    }
    if (Stack.of(instance) !== Stack.of(this)) {
      throw propError(where(this, CONSTRUCT), 'sourceInstance', path,
        `a DB instance in this construct's stack (${Stack.of(this).stackName}), because the replication is set on the instance's resource`);
    }
    return cfn;
  }
}

/**
 * The destination must be an AWS Region (aws-cdk-lib's region facts), other than the source's and in its partition:
 * RDS replicates automated backups between Regions of one partition.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html
 */
function validateRegion(construct: string, prop: string, region: string, sourceRegion: string): string {
  if (Token.isUnresolved(region)) {
    throw propError(construct, prop, region, 'a literal AWS Region name such as us-west-2');
  }
  validateRegionName(construct, prop, region);
  if (region === sourceRegion) {
    throw propError(construct, prop, region, `a Region other than the source's (${sourceRegion}); backups are replicated to another Region`);
  }
  validateSamePartition(construct, prop, region, region, sourceRegion, "the source's stack");
  return region;
}


/**
 * The copy vault must be in another Region and in the source's account: for Amazon RDS, AWS Backup copies a recovery
 * point across Regions or across accounts, never both in one copy, so a copy rule into a vault of another account in
 * another Region fails every copy job.
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/recov-point-create-a-copy.html
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/cross-region-backup.html
 *
 * The partition may be a token (`stack.partition` without the `@aws-cdk/core:enablePartitionLiterals` flag): the
 * Region, account and name must be literals. A literal partition must be that of the vault's Region and the source's.
 */
function validateVaultArn(construct: string, arn: string, sourceRegion: string, sourceAccount: string): void {
  const parts = arn.split(':');
  const partitionIsToken = parts.length > 1 && Token.isUnresolved(parts[1]) && !/[:]/.test(parts[1]);
  const literalTail = partitionIsToken ? ['arn', 'aws', ...parts.slice(2)].join(':') : arn;
  const match = Token.isUnresolved(literalTail) ? null
    : /^arn:aws[a-z-]*:backup:([a-z0-9-]+):(\d{12}):backup-vault:[A-Za-z0-9_-]{2,50}$/.exec(literalTail);
  if (match) {
    validateRegionName(construct, 'awsBackup.destination.vaultArn', match[1], arn);
    validatePlace(construct, 'awsBackup.destination.vaultArn', arn, { partition: arnPlace(arn).partition, region: match[1] }, {});
    validateSamePartition(construct, 'awsBackup.destination.vaultArn', arn, match[1], sourceRegion, "the source's stack");
  }
  if (!match) {
    throw propError(construct, 'awsBackup.destination.vaultArn', arn,
      'a literal backup vault ARN (arn:<partition>:backup:<region>:<account>:backup-vault:<name>), e.g. DrBackupVault.copyDestination');
  }
  if (match[1] === sourceRegion) {
    throw propError(construct, 'awsBackup.destination.vaultArn', arn,
      `a vault in a Region other than the source's (${sourceRegion}); the copy is the cross-Region layer`);
  }
  if (!Token.isUnresolved(sourceAccount) && match[2] !== sourceAccount) {
    throw propError(construct, 'awsBackup.destination.vaultArn', arn,
      `a vault in the source's account ${sourceAccount}, not ${match[2]}: for RDS, AWS Backup copies across Regions or across `
      + 'accounts but not both in one copy, so every copy job into this vault would fail '
      + '(https://docs.aws.amazon.com/aws-backup/latest/devguide/recov-point-create-a-copy.html)');
  }
}
