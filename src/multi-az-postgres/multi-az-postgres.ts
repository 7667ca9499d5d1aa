import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PostgresInstanceOptions } from '../common/instance-options';
import { Warnings } from '../common/warnings';
import { propError, where } from '../private/errors';
import { guardFinalTemplate } from '../private/final-template-guards';
import { checkInstanceOptions } from '../private/instance-setup';
import { acknowledge, inPacks } from '../private/nag';
import { PostgresInstanceNew } from '../private/postgres-instance-new';
import {
  defaultStorageCeiling,
  validateBackupRetention,
  validateBackupWindow,
  validateDatabaseName,
  validateInstanceType,
  validateMasterUsername,
  validatePort,
  validatePostgresEngine,
  validateVersionedEngine,
  validateRotationSchedule,
  validateSecretName,
  validateStorage,
  validateIopsCeiling,
  validateStoragePerformance,
  validateWindowsApart,
  REGIONAL_KEY_RULE,
  validateRegionName,
  validateResourcePlace,
  validateSamePartition,
} from '../private/validation';

const CONSTRUCT = 'MultiAzPostgres';

/**
 * Characters left out of generated passwords: those that break connection strings, shells or the rotation function
 * (the same set aws-cdk-lib's DatabaseSecret uses).
 */
const PASSWORD_EXCLUDE_CHARACTERS = " %+~`#$&*()|[]{}:;<>?!'/@\"\\";

/** Properties of a `MultiAzPostgres`. */
export interface MultiAzPostgresProps extends PostgresInstanceOptions {
  /**
   * The DB instance identifier. It must be a literal: the cross-Region replica's source ARN, the log group names and
   * the alarms are derived from it at synth time. Changing it replaces the database.
   *
   * @default - derived from the construct path, lower case, at most 63 characters
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
   */
  readonly instanceIdentifier?: string;

  /**
   * The database engine. Only RDS for PostgreSQL, at a major version in RDS standard support (14 or newer).
   *
   * @default - PostgreSQL 18 (`PostgresEngineVersion.VER_18`), the newest major in aws-cdk-lib; RDS picks its
   * default minor version and upgrades minors automatically
   */
  readonly engine?: rds.IInstanceEngine;

  /**
   * The DB instance class. Retired classes (db.t1, t2, m1-m4, r3, r4) are rejected.
   *
   * @default db.m7g.large (Graviton3, general purpose)
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Types.html
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Run a synchronous standby in a second Availability Zone. Turning it off needs `acknowledgeSingleAz`.
   *
   * @default true
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html
   */
  readonly multiAz?: boolean;

  /**
   * Set to `true` to confirm that a single-AZ instance (`multiAz: false`) is intended: an Availability Zone failure
   * then means an outage until the instance is restored.
   *
   * @default false
   */
  readonly acknowledgeSingleAz?: boolean;

  /**
   * The storage type.
   *
   * @default StorageType.GP3
   */
  readonly storageType?: rds.StorageType;

  /**
   * Allocated storage in GiB. gp2/gp3: 20-65536; io1/io2: 100-65536; standard: 5-3072.
   *
   * @default 100
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
   */
  readonly allocatedStorage?: number;

  /**
   * Upper limit in GiB for storage autoscaling, so a burst of WAL or data does not fill the disk. RDS needs it at least
   * 10 % above `allocatedStorage`, does not autoscale magnetic storage, and with io1 or io2 storage needs the IOPS at
   * least 0.5 times the ceiling (so the ceiling at most twice the IOPS).
   *
   * @default - twice `allocatedStorage`, capped at the storage type's maximum and, for io1/io2, at twice the IOPS; none
   * for magnetic storage, when `allocatedStorage` is within 10 % of the maximum, or when io1/io2 IOPS leave no ceiling
   * 10 % above `allocatedStorage`
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#USER_PIOPS
   */
  readonly maxAllocatedStorage?: number;

  /**
   * Provisioned IOPS: io1 and io2 1,000-256,000 (io1 0.5-50 times `allocatedStorage`, io2 0.5-1,000 times), or gp3 at
   * 400 GiB and more (12,000-64,000). gp3 below 400 GiB has a fixed baseline of 3,000 IOPS.
   *
   * @default - the storage type's baseline; 1,000 for io1 and io2 (aws-cdk-lib's default)
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#USER_PIOPS
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#gp3-storage
   */
  readonly iops?: number;

  /**
   * Storage throughput in MiB/s, gp3 at 400 GiB and more only (500-4,000, and at most 0.25 MiB/s per provisioned IOPS
   * when `iops` is given). gp3 below 400 GiB has a fixed baseline of 125 MiB/s.
   *
   * @default - the gp3 baseline
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#gp3-storage
   */
  readonly storageThroughput?: number;

  /**
   * Customer-managed KMS key that encrypts the storage, the master secret, Performance Insights and the log groups.
   * A key you pass in must allow CloudWatch Logs to use it for the log groups (`/aws/rds/instance/<id>/*`).
   *
   * @default - a new key with automatic rotation, retained on stack deletion unless `keyRemovalPolicy` is DESTROY
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Master user name: 1-16 letters, digits or underscores, starting with a letter, not a PostgreSQL reserved word.
   *
   * @default 'postgres_admin'
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
   */
  readonly masterUsername?: string;

  /**
   * Name of a database to create: 1-63 letters, digits or underscores, starting with a letter, not a PostgreSQL
   * reserved word.
   *
   * @default - none; only the default `postgres` database exists
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
   */
  readonly databaseName?: string;

  /**
   * Regions to replicate the master secret to (Secrets Manager replica secrets), so the DR Region can read the
   * credentials when the primary Region is down. Give each entry a customer-managed KMS key of that Region
   * (`encryptionKey`, for example a `DrSecretKey`'s, imported by its literal ARN): an entry without one is encrypted
   * with the AWS-managed `aws/secretsmanager` key, and the construct warns
   * (`cdk-resilient-postgres:secretReplicaAwsManagedKey`).
   *
   * @default - the secret is not replicated
   */
  readonly secretReplicaRegions?: secretsmanager.ReplicaRegion[];

  /**
   * The master secret's name. Set it when a stack in a replica Region reads the replicated secret, for example a
   * `WritableProbe` in the DR Region (`secretsmanager.Secret.fromSecretNameV2`): a replica secret keeps its name.
   * Changing it on a deployed database replaces the secret. 1-512 characters of `A-Za-z0-9/_+=.@-`, not ending with a
   * hyphen and six characters.
   *
   * @default - a name CloudFormation generates
   * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
   */
  readonly secretName?: string;

  /**
   * Rotate the master password on a schedule, with the AWS-provided single-user rotation application. The rotation
   * function runs in `vpcSubnets` and must reach the Secrets Manager API: through `secretsManagerEndpoint` in
   * isolated subnets, or through NAT.
   *
   * @default true
   */
  readonly rotateMasterPassword?: boolean;

  /**
   * How often the master password is rotated: whole hours, from 4 hours to 999 days.
   *
   * @default Duration.days(30)
   * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html
   */
  readonly rotationSchedule?: Duration;

  /**
   * Interface VPC endpoint for Secrets Manager that the rotation function uses.
   *
   * @default - the regional public endpoint, which needs NAT from `vpcSubnets`
   */
  readonly secretsManagerEndpoint?: ec2.IInterfaceVpcEndpoint;

  /**
   * How long automated backups (point-in-time recovery) are kept: 1-35 days. The parts that follow this primary read
   * it: `BackupReplication`'s replicated backups, a `CrossRegionReadReplica`'s promoted instance and the
   * `FailoverRunbook`'s promotion keep the same retention unless told otherwise.
   *
   * @default Duration.days(35)
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
   */
  readonly backupRetention?: Duration;

  /**
   * Daily backup window, UTC, `hh24:mi-hh24:mi`, at least 30 minutes, not overlapping `preferredMaintenanceWindow`.
   *
   * @default - chosen by RDS
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
   */
  readonly preferredBackupWindow?: string;

  /**
   * What happens to the DB instance when it leaves the stack or the stack is deleted (with `deletionProtection` off):
   * `SNAPSHOT` deletes it after a final snapshot, `RETAIN` keeps it, `DESTROY` deletes it without a final snapshot and
   * warns (`cdk-resilient-postgres:databaseDestroyedWithStack`). In every case RDS keeps the automated backups for the
   * backup retention period (`DeleteAutomatedBackups: false`). This applies to the instance only: the key, the master
   * secret and the log groups follow `keyRemovalPolicy`, because the snapshot and the retained backups are encrypted
   * with the key, and a restored instance has the master password of the secret.
   *
   * @default RemovalPolicy.SNAPSHOT
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.Retaining.html
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * What happens to the KMS key this construct creates, the master secret and the log groups when they leave the stack
   * or the stack is deleted. The key encrypts the storage, the final snapshot, the automated backups that RDS keeps
   * after the instance is deleted, the secret and the logs: once it is deleted, none of them can be decrypted. So they
   * are retained unless you ask for `RemovalPolicy.DESTROY` here, which is accepted only with
   * `removalPolicy: RemovalPolicy.DESTROY`, warns (`cdk-resilient-postgres:keyDestroyedWithStack`), and schedules the
   * key's deletion with the longest waiting period, 30 days (`PendingWindowInDays`). A key you pass in
   * (`encryptionKey`) is never deleted by this construct; the secret and log groups still follow this setting.
   *
   * @default RemovalPolicy.RETAIN
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html
   */
  readonly keyRemovalPolicy?: RemovalPolicy;

  /**
   * Whether the stack outputs the values another Region's stack needs as literals: `EndpointAddress` (the DR stack's
   * `Route53DbFailover` `primary.endpointAddress`) and `VpcId` (the primary VPC the private zone is associated with).
   * `cdk deploy --outputs-file` writes them to a file.
   *
   * @default false
   * @see https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-deploy.html
   */
  readonly outputs?: boolean;

  /**
   * The port PostgreSQL listens on.
   *
   * @default 5432
   */
  readonly port?: number;
}

/**
 * A Multi-AZ Amazon RDS for PostgreSQL DB instance with secure defaults: customer-managed encryption, TLS enforced,
 * IAM authentication, a rotated master secret that can be replicated to the DR Region, private subnets and no
 * ingress, deletion protection, 35 days of backups, encrypted log exports, Performance Insights and enhanced
 * monitoring.
 *
 * @example
 * declare const vpc: ec2.IVpc;
 * const db = new MultiAzPostgres(this, 'Orders', { vpc });
 * declare const app: ec2.IConnectable;
 * db.connections.allowDefaultPortFrom(app);
 */
export class MultiAzPostgres extends PostgresInstanceNew {
  /** The RDS DB instance; `node.defaultChild` of this construct is its `AWS::RDS::DBInstance`. */
  public readonly instance: rds.DatabaseInstance;
  /** The master user secret (JSON with username, password, host, port, dbname, engine). */
  public readonly secret: secretsmanager.ISecret;
  /** The automated-backup retention. */
  public readonly backupRetention?: Duration;
  /** None: this is a primary. */
  public readonly replicationSourceArn?: string;
  /** The master user secret (`secret`). */
  public readonly masterSecret?: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: MultiAzPostgresProps) {
    super(scope, id);
    const construct = where(this, CONSTRUCT);
    const stack = Stack.of(this);
    validateRegionName(construct, 'scope', stack.region, `stack ${stack.stackName} (region ${stack.region})`);

    const engine = props.engine ?? rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 });
    validatePostgresEngine(construct, 'engine', engine);
    validateVersionedEngine(construct, 'engine', engine);

    const instanceType = props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE);
    validateInstanceType(construct, 'instanceType', instanceType);

    const multiAz = props.multiAz ?? true;
    if (!multiAz && props.acknowledgeSingleAz !== true) {
      throw propError(construct, 'multiAz', false,
        'a single-AZ instance does not survive an Availability Zone failure; set acknowledgeSingleAz: true to confirm it is intended');
    }

    const checked = checkInstanceOptions(construct, props);
    const { vpcSubnets, maintenanceWindow } = checked;

    const storageType = props.storageType ?? rds.StorageType.GP3;
    const allocatedStorage = props.allocatedStorage ?? 100;
    validateStorage(construct, storageType, allocatedStorage, props.maxAllocatedStorage);
    validateStoragePerformance(construct, storageType, allocatedStorage, props.iops, props.storageThroughput);
    validateIopsCeiling(construct, storageType, props.maxAllocatedStorage, props.iops);
    const maxAllocatedStorage = props.maxAllocatedStorage ?? defaultStorageCeiling(storageType, allocatedStorage, props.iops);

    const backupRetention = props.backupRetention ?? Duration.days(35);
    validateBackupRetention(construct, 'backupRetention', backupRetention);
    const backupRetentionDays = backupRetention.toDays();
    this.backupRetention = backupRetention;

    const rotationSchedule = props.rotationSchedule ?? Duration.days(30);
    validateRotationSchedule(construct, 'rotationSchedule', rotationSchedule);

    const masterUsername = props.masterUsername ?? 'postgres_admin';
    validateMasterUsername(construct, 'masterUsername', masterUsername);
    if (props.databaseName !== undefined) {
      validateDatabaseName(construct, 'databaseName', props.databaseName);
    }
    if (props.secretName !== undefined) {
      validateSecretName(construct, 'secretName', props.secretName);
    }
    const backupWindow = props.preferredBackupWindow === undefined ? undefined
      : validateBackupWindow(construct, 'preferredBackupWindow', props.preferredBackupWindow);
    if (backupWindow && maintenanceWindow) {
      validateWindowsApart(construct, props.preferredBackupWindow!, backupWindow, props.preferredMaintenanceWindow!, maintenanceWindow);
    }

    const port = props.port ?? 5432;
    validatePort(construct, 'port', port);

    this._settleIdentifier(construct, props.instanceIdentifier);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.SNAPSHOT;
    const keyRemovalPolicy = this._setUpInstance(props, {
      construct: CONSTRUCT,
      label: construct,
      engine,
      instanceType,
      multiAz,
      port,
      storageType,
      allocatedStorage,
      maxAllocatedStorage,
      removalPolicy,
      checked,
      keyRegionRule: REGIONAL_KEY_RULE,
      description: `RDS for PostgreSQL ${this.instanceIdentifier}`,
      keyDescription: `Encrypts RDS for PostgreSQL instance ${this.instanceIdentifier}: storage, master secret, Performance Insights, logs`,
      logsStatementId: 'AllowCloudWatchLogsForThisInstance',
    });

    // --- Secret ----------------------------------------------------------------------------------------------------
    // Each replica is an AWS Region of this partition, encrypted with a key of its own Region: "KMS keys are specific to
    // the AWS Region that they are created in" (CreateDBInstanceReadReplica, KmsKeyId).
    // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html
    (props.secretReplicaRegions ?? []).forEach((replicaRegion, i) => {
      const prop = `secretReplicaRegions[${i}]`;
      validateRegionName(construct, `${prop}.region`, replicaRegion.region);
      validateSamePartition(construct, `${prop}.region`, replicaRegion.region, replicaRegion.region, stack.region, "the secret's stack");
      if (replicaRegion.encryptionKey) {
        validateResourcePlace(construct, `${prop}.encryptionKey`, replicaRegion.encryptionKey, replicaRegion.encryptionKey.keyArn, {
          region: replicaRegion.region,
          regionRule: `Secrets Manager encrypts the replica in its own Region; ${REGIONAL_KEY_RULE}`,
        });
      }
    });
    const secret = new rds.DatabaseSecret(this, 'Secret', {
      username: masterUsername,
      encryptionKey: this.encryptionKey,
      replicaRegions: props.secretReplicaRegions,
      secretName: props.secretName,
      excludeCharacters: PASSWORD_EXCLUDE_CHARACTERS,
    });
    secret.applyRemovalPolicy(keyRemovalPolicy);
    // A replica without a key is encrypted with the AWS-managed aws/secretsmanager key of its Region, outside the
    // account's key policies. https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html
    for (const replicaRegion of props.secretReplicaRegions ?? []) {
      if (replicaRegion.encryptionKey === undefined) {
        Annotations.of(this).addWarningV2(Warnings.SECRET_REPLICA_AWS_MANAGED_KEY,
          `MultiAzPostgres ${this.node.path}: secretReplicaRegions names ${replicaRegion.region} without an encryptionKey, so the `
          + 'master secret\'s replica there is encrypted with the AWS-managed aws/secretsmanager key. Give a customer-managed '
          + 'key of that Region (a DrSecretKey, deployed before this stack), or acknowledge this warning.');
      }
    }

    this._createLogGroups(props, keyRemovalPolicy);

    // --- Instance --------------------------------------------------------------------------------------------------
    const instance = new rds.DatabaseInstance(this, 'Instance', {
      ...this._instanceProps(props, removalPolicy),
      engine,
      credentials: rds.Credentials.fromSecret(secret),
      databaseName: props.databaseName,
      allocatedStorage,
      iops: props.iops,
      storageThroughput: props.storageThroughput,
      storageEncrypted: true,
      backupRetention,
      preferredBackupWindow: props.preferredBackupWindow,
    });
    this.instance = instance;
    // Escape hatches and aspects that look for the construct's resource find the DB instance.
    this.node.defaultChild = instance.node.defaultChild;
    this._finishInstance(instance);
    this.secret = instance.secret ?? secret;
    this.masterSecret = this.secret;

    if (props.rotateMasterPassword ?? true) {
      const rotationSecurityGroup = new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
        vpc: props.vpc,
        description: `Password rotation function of RDS for PostgreSQL ${this.instanceIdentifier}`,
        allowAllOutbound: true,
      });
      // Same application and settings as DatabaseInstance.addRotationSingleUser, with our literal-port connections.
      new secretsmanager.SecretRotation(this, 'Rotation', {
        application: secretsmanager.SecretRotationApplication.POSTGRES_ROTATION_SINGLE_USER,
        secret: this.secret,
        target: this,
        vpc: props.vpc,
        vpcSubnets,
        securityGroup: rotationSecurityGroup,
        endpoint: props.secretsManagerEndpoint,
        automaticallyAfter: rotationSchedule,
        excludeCharacters: PASSWORD_EXCLUDE_CHARACTERS,
      });
      props.secretsManagerEndpoint?.connections.allowDefaultPortFrom(rotationSecurityGroup,
        `Password rotation of ${this.instanceIdentifier}`);
    }

    guardFinalTemplate(this, {
      ...checked,
      construct: CONSTRUCT,
      instance: instance.node.defaultChild as rds.CfnDBInstance,
      parameterGroup: this.parameterGroup,
      storageEncryptionInherited: false,
      multiAz: { on: this.multiAz, optOut: 'multiAz: false (with acknowledgeSingleAz: true)' },
      backupRetention: { days: backupRetentionDays, prop: 'backupRetention' },
      removalPolicy,
      keyRemovalPolicy,
      followKeyRemovalPolicy: [...(props.encryptionKey ? [] : [this.encryptionKey]), secret, ...Object.values(this.logGroups)],
      secret,
    });
    this._warnDestructiveRemoval(CONSTRUCT, removalPolicy, keyRemovalPolicy, props.encryptionKey !== undefined, {
      databaseDestroyed: `RDS keeps its automated backups for ${backupRetentionDays} days (DeleteAutomatedBackups: false), encrypted with `,
      deletedWithStack: 'the master secret and the log groups',
      backupsWhen: '',
    });
    if (props.outputs) {
      new CfnOutput(this, 'EndpointAddress', {
        value: this.endpoint.hostname,
        description: `MultiAzPostgres endpoint address of ${this.node.path}`,
      });
      new CfnOutput(this, 'VpcId', { value: props.vpc.vpcId, description: `MultiAzPostgres VPC ID of ${this.node.path}` });
    }
    // An AWS Backup plan is optional on top of the native automated backups.
    acknowledge(instance,
      `Native RDS automated backups are on with ${backupRetentionDays}-day retention and point-in-time recovery, deletion protection is on and `
      + 'the removal policy takes a final snapshot. An AWS Backup plan is an additional, optional layer.',
      ...inPacks('RDSInBackupPlan', ['HIPAA.Security', 'NIST.800.53.R5']));
  }
}
