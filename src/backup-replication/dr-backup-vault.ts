import { Arn, ArnFormat, CfnOutput, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { validateCronSchedule } from '../private/backup-schedule';
import { propError, where } from '../private/errors';
import { acknowledge } from '../private/nag';
import { KEY_PENDING_WINDOW, resolveKeyRemovalPolicy, warnKeyDestroyed } from '../private/removal';
import { partitionOfRegion, validateRegionName, wholeUnits } from '../private/validation';

const CONSTRUCT = 'DrBackupVault';

/** Where an AWS Backup plan copies recovery points to, and the retention limits that vault enforces. */
export interface BackupCopyDestination {
  /** The vault ARN, a literal such as `arn:aws:backup:us-west-2:111111111111:backup-vault:orders-dr`. */
  readonly vaultArn: string;

  /**
   * The vault lock's minimum retention; copies kept for less are refused.
   *
   * @default - no minimum
   */
  readonly lockMinRetention?: Duration;

  /**
   * The vault lock's maximum retention; copies kept for longer are refused.
   *
   * @default - no maximum
   */
  readonly lockMaxRetention?: Duration;
}

/** Restore testing: AWS Backup restores a recent recovery point on a schedule, so the backups are known to restore. */
export interface RdsRestoreTestingOptions {
  /**
   * Whether restore testing is on. Set to `false` to turn it off.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * When restore tests start.
   *
   * @default - weekly, Sundays at 06:00 UTC
   */
  readonly schedule?: events.Schedule;

  /**
   * How far back a recovery point may be picked (the latest one within this window is restored): 1-365 days.
   *
   * @default Duration.days(7)
   */
  readonly selectionWindow?: Duration;

  /**
   * How long the restored instance is kept for validation before AWS Backup deletes it: 0-168 hours.
   *
   * @default Duration.hours(24)
   * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing.html
   */
  readonly validationWindow?: Duration;

  /**
   * How long after the scheduled time a test may start: 1-168 hours.
   *
   * @default Duration.hours(8)
   */
  readonly startWindow?: Duration;

  /**
   * Which protected resources (source DB instance ARNs) to test. `['*']` tests every RDS recovery point in the vault.
   *
   * @default ['*']
   */
  readonly protectedResourceArns?: string[];

  /**
   * Restore metadata to override, such as `dbSubnetGroupName` and `vpcSecurityGroupIds`, so test restores land in
   * your DR VPC instead of the default VPC.
   *
   * @default - the metadata AWS Backup infers from the recovery point
   */
  readonly restoreMetadataOverrides?: Record<string, string>;
}

/** Properties of a `DrBackupVault`. */
export interface DrBackupVaultProps {
  /**
   * The vault name: 2-50 letters, digits, hyphens or underscores. It makes the vault ARN a literal that the source
   * Region's backup plan can name.
   *
   * @default - derived from the construct path
   */
  readonly backupVaultName?: string;

  /**
   * The key that encrypts the vault. The same key can encrypt the RDS automated backups replicated into this Region
   * (`BackupReplication.destinationKeyArn`).
   *
   * @default - a new key with automatic rotation, retained on stack deletion unless `keyRemovalPolicy` is DESTROY
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * AWS Backup Vault Lock: recovery points cannot be deleted before the minimum retention, even by the account root.
   * Once `changeableFor` has passed, the lock cannot be removed.
   *
   * @default - no vault lock
   * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html
   */
  readonly lockConfiguration?: backup.LockConfiguration;

  /**
   * Restore testing for the RDS recovery points in this vault.
   *
   * @default - a weekly restore test of the latest recovery point from the last 7 days, validated for 24 hours
   */
  readonly restoreTesting?: RdsRestoreTestingOptions;

  /**
   * What happens to the vault when it leaves the stack or the stack is deleted. AWS Backup deletes a vault only when it
   * holds no recovery points, so `RemovalPolicy.DESTROY` removes an empty vault and fails the deletion of one that still
   * holds copies (delete them first, or let their lifecycle expire). This applies to the vault only: the key follows
   * `keyRemovalPolicy`.
   *
   * @default RemovalPolicy.RETAIN
   * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/API_DeleteBackupVault.html
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * What happens to the key this construct creates when it leaves the stack or the stack is deleted. The key encrypts
   * the recovery points in the vault and, when it is the `BackupReplication.destinationKeyArn` (the `drBackupKeyArn` of
   * `MultiRegionPostgres`), the RDS automated backups replicated into this Region. The primary Region's stack names it
   * only by a literal ARN, so nothing in CloudFormation stops its deletion, and once it is deleted none of those backups
   * can be restored. `RemovalPolicy.DESTROY` is accepted only with `removalPolicy: RemovalPolicy.DESTROY` and without
   * `encryptionKey`, warns (`cdk-resilient-postgres:keyDestroyedWithStack`), and schedules the deletion with the longest
   * waiting period, 30 days (`PendingWindowInDays`).
   *
   * @default RemovalPolicy.RETAIN
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html
   */
  readonly keyRemovalPolicy?: RemovalPolicy;
  /**
   * Whether the stack outputs the vault key's ARN (`EncryptionKeyArn`), the `drBackupKeyArn` of a `MultiRegionPostgres`
   * (`destinationKeyArn` of a `BackupReplication`) deployed after it. `cdk deploy --outputs-file` writes it to a file.
   *
   * @default false
   * @see https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-deploy.html
   */
  readonly outputs?: boolean;
}

/**
 * An AWS Backup vault in the DR Region that receives cross-Region copies, encrypted with its own key, with an optional
 * vault lock and restore testing of the RDS recovery points it holds (`AWS::Backup::RestoreTestingPlan` and
 * `AWS::Backup::RestoreTestingSelection`).
 *
 * Deploy it before the primary Region's stack: the primary's `BackupReplication` names its ARN and its key's ARN.
 *
 * @example
 * declare const drStack: Stack;
 * const vault = new DrBackupVault(drStack, 'OrdersVault', {
 *   backupVaultName: 'orders-dr',
 *   lockConfiguration: { minRetention: Duration.days(7), maxRetention: Duration.days(90) },
 * });
 */
export class DrBackupVault extends Construct {
  /** The vault. */
  public readonly vault: backup.BackupVault;
  /** The vault name. */
  public readonly backupVaultName: string;
  /** The vault ARN, a literal (it names this stack's account and Region). */
  public readonly backupVaultArn: string;
  /** The key that encrypts the vault. */
  public readonly encryptionKey: kms.IKey;
  /** What a backup plan in another Region needs to copy into this vault. */
  public readonly copyDestination: BackupCopyDestination;
  /** The restore testing plan, unless restore testing is off. */
  public readonly restoreTestingPlan?: backup.CfnRestoreTestingPlan;

  constructor(scope: Construct, id: string, props: DrBackupVaultProps = {}) {
    super(scope, id);
    const construct = where(this, CONSTRUCT);
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account)) {
      throw propError(construct, 'scope', `stack ${stack.stackName}`,
        'a stack with an explicit env (account and region), so the vault ARN is a literal another Region can name');
    }
    validateRegionName(construct, 'scope', stack.region, `stack ${stack.stackName} (region ${stack.region})`);
    const name = props.backupVaultName ?? Names.uniqueResourceName(this, { maxLength: 50, separator: '-' });
    if (Token.isUnresolved(name) || !/^[A-Za-z0-9_-]{2,50}$/.test(name)) {
      throw propError(construct, 'backupVaultName', name, '2 to 50 letters, digits, hyphens or underscores');
    }
    this.backupVaultName = name;
    const lock = props.lockConfiguration;
    if (lock) {
      const min = wholeUnits(construct, 'lockConfiguration.minRetention', lock.minRetention, 'days', 1, 36_500);
      const max = lock.maxRetention?.toDays({ integral: false });
      if (max !== undefined && (!Number.isInteger(max) || max < min || max > 36_500)) {
        throw propError(construct, 'lockConfiguration.maxRetention', lock.maxRetention!.toHumanString(),
          `a whole number of days from the minimum retention (${min}) to 36500`);
      }
    }

    // The vault follows removalPolicy; the key, which also encrypts backups outside this stack, follows keyRemovalPolicy.
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const keyRemovalPolicy = resolveKeyRemovalPolicy({
      construct,
      keyRemovalPolicy: props.keyRemovalPolicy,
      dataRemovalPolicy: removalPolicy,
      whatSurvives: 'the retained vault and its recovery points',
    });
    if (keyRemovalPolicy === RemovalPolicy.DESTROY && props.encryptionKey) {
      throw propError(construct, 'keyRemovalPolicy', keyRemovalPolicy,
        'unset when encryptionKey is given: the construct does not delete a key you pass in');
    }
    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Encrypts AWS Backup vault ${name} and the RDS backups replicated into ${stack.region}`,
      enableKeyRotation: true,
      removalPolicy: keyRemovalPolicy,
      pendingWindow: keyRemovalPolicy === RemovalPolicy.DESTROY ? KEY_PENDING_WINDOW : undefined,
    });
    if (keyRemovalPolicy === RemovalPolicy.DESTROY) {
      warnKeyDestroyed(this, CONSTRUCT, true,
        'It encrypts the recovery points of the vault and, when it is a BackupReplication destinationKeyArn (MultiRegionPostgres '
        + 'drBackupKeyArn), the RDS automated backups replicated into this Region: the primary Region\'s stack names it only by a '
        + 'literal ARN, so CloudFormation does not stop the deletion, and once the key is deleted those backups cannot be restored.');
    }
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: name,
      encryptionKey: this.encryptionKey,
      lockConfiguration: lock,
      removalPolicy,
    });
    // A literal partition (that of the Region) whatever the feature flags, so the ARN is a literal another Region's stack
    // can use: without `@aws-cdk/core:enablePartitionLiterals`, `stack.partition` is the `AWS::Partition` token.
    this.backupVaultArn = Arn.format({
      partition: partitionOfRegion(stack.region),
      service: 'backup',
      resource: 'backup-vault',
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }, stack);
    this.copyDestination = {
      vaultArn: this.backupVaultArn,
      lockMinRetention: lock?.minRetention,
      lockMaxRetention: lock?.maxRetention,
    };

    if (props.restoreTesting?.enabled ?? true) {
      this.restoreTestingPlan = this.addRestoreTesting(name, props.restoreTesting ?? {});
    }
    if (props.outputs) {
      new CfnOutput(this, 'EncryptionKeyArn', {
        value: this.encryptionKey.keyArn,
        description: `DrBackupVault key of vault ${name}: MultiRegionPostgres drBackupKeyArn, BackupReplication destinationKeyArn`,
      });
    }
  }

  private addRestoreTesting(vaultName: string, options: RdsRestoreTestingOptions): backup.CfnRestoreTestingPlan {
    validateCronSchedule(where(this, CONSTRUCT), 'restoreTesting.schedule', options.schedule);
    const selectionDays = wholeUnits(where(this, CONSTRUCT), 'restoreTesting.selectionWindow', options.selectionWindow ?? Duration.days(7), 'days', 1, 365);
    const validationHours = wholeUnits(where(this, CONSTRUCT), 'restoreTesting.validationWindow', options.validationWindow ?? Duration.hours(24), 'hours', 0, 168);
    const startHours = wholeUnits(where(this, CONSTRUCT), 'restoreTesting.startWindow', options.startWindow ?? Duration.hours(8), 'hours', 1, 168);
    const planName = `${vaultName.replace(/-/g, '_')}_rds`.slice(0, 50);

    const plan = new backup.CfnRestoreTestingPlan(this, 'RestoreTestingPlan', {
      restoreTestingPlanName: planName,
      scheduleExpression: (options.schedule ?? events.Schedule.cron({ minute: '0', hour: '6', weekDay: 'SUN' })).expressionString,
      startWindowHours: startHours,
      recoveryPointSelection: {
        algorithm: 'LATEST_WITHIN_WINDOW',
        includeVaults: [this.vault.backupVaultArn],
        recoveryPointTypes: ['SNAPSHOT'],
        selectionWindowDays: selectionDays,
      },
    });

    // AWSBackupServiceRolePolicyForRestores is all the role needs, the vault key included: it allows kms:Decrypt,
    // kms:DescribeKey and the data-key actions only through RDS (and the other restoring services, kms:ViaService) and
    // kms:CreateGrant only for AWS resources (kms:GrantIsForAWSResource). The vault key's policy delegates to IAM.
    // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSBackupServiceRolePolicyForRestores.html
    // https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing.html
    const role = new iam.Role(this, 'RestoreTestingRole', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: `AWS Backup restore testing of RDS recovery points in vault ${vaultName}`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores')],
    });
    acknowledge(role,
      'AWS Backup assumes this role with AWSBackupServiceRolePolicyForRestores, the AWS-managed policy AWS Backup documents for '
      + 'restore jobs; restore testing only restores recovery points of this vault and deletes them after the validation window. '
      + 'Its KMS permissions hold only through the restoring services (kms:ViaService) and for grants to AWS resources.',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]');

    const selection = new backup.CfnRestoreTestingSelection(this, 'RestoreTestingSelection', {
      restoreTestingPlanName: planName,
      restoreTestingSelectionName: 'rds_instances',
      protectedResourceType: 'RDS',
      protectedResourceArns: options.protectedResourceArns ?? ['*'],
      iamRoleArn: role.roleArn,
      validationWindowHours: validationHours,
      restoreMetadataOverrides: options.restoreMetadataOverrides,
    });
    selection.node.addDependency(plan);
    return plan;
  }
}
