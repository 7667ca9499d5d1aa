import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PromotedInstanceAttributes, ReplicaPromotion } from './replica-promotion';
import { ReplicaSourceAttributes } from './replica-source';
import { PostgresInstanceOptions } from '../common/instance-options';
import { IPostgresInstance } from '../common/postgres-instance';
import { Warnings } from '../common/warnings';
import { dbInstanceArn, numberOrUndefined } from '../private/db-instance-facts';
import { propError, where } from '../private/errors';
import { guardFinalTemplate } from '../private/final-template-guards';
import { isSmallerInstanceClass } from '../private/instance-class';
import { checkInstanceOptions, TLS_PARAMETERS } from '../private/instance-setup';
import { acknowledge, inPacks } from '../private/nag';
import { PostgresInstanceNew } from '../private/postgres-instance-new';
import { recordReplicaSource, resolveReplicaSource, ResolvedSource } from '../private/replica-source-resolution';
import {
  MAX_BACKUP_RETENTION_DAYS, REGIONAL_KEY_RULE, arnPlace, validateBackupRetention, validateInstanceType,
  validatePlace, validatePostgresEngine, validateRegionName, validateSamePartition, validateStorage,
} from '../private/validation';
import { checkStandbyParameters, claimDbInstanceIdentifier, inheritedParameters } from '../private/wiring';

const CONSTRUCT = 'CrossRegionReadReplica';

/** Properties of a `CrossRegionReadReplica`. */
export interface CrossRegionReadReplicaProps extends PostgresInstanceOptions {
  /**
   * The source DB instance, in another Region: a `MultiAzPostgres`, an `rds.DatabaseInstance` of this app wrapped with
   * `PostgresInstanceBase.fromDatabaseInstance`, or an instance imported with
   * `PostgresInstanceBase.fromPostgresInstanceAttributes` (which must give `instanceType`). The replica takes the
   * source's identifier, engine, class, storage type, port and encryption at synth time, and refers to it by a literal
   * ARN: no cross-Region references and no custom resources. Give either this or `sourceAttributes`.
   *
   * @default - `sourceAttributes` describes the source
   */
  readonly sourceInstance?: IPostgresInstance;

  /**
   * The source DB instance as an ARN plus the attributes the replica needs, for sources made outside this CDK app.
   * Give either this or `sourceInstance`.
   *
   * @default - `sourceInstance` is the source
   */
  readonly sourceAttributes?: ReplicaSourceAttributes;

  /**
   * The replica's DB instance identifier, a literal: the failover records, alarms and the promotion runbook refer to
   * it. Changing it replaces the replica.
   *
   * @default - derived from the construct path, lower case, at most 63 characters
   */
  readonly instanceIdentifier?: string;

  /**
   * Whether the replica's parameter group starts from the source's parameters, so that the custom settings of the
   * primary (`max_connections`, `shared_preload_libraries`, `work_mem` ...) hold on the replica and on the instance
   * it becomes after promotion. The replica's `parameters` are set on top of them, and its TLS parameters always
   * follow its own `enforceTls` and `minimumTlsVersion`. The source's parameters are known when `sourceInstance` is
   * an instance of this app with its own parameter group of literal values (such as a `MultiAzPostgres`); with
   * `sourceAttributes`, an imported or a default parameter group, the replica has only its own `parameters`.
   * Every other parameter is copied: the standby-only ones have no effect on the primary, the primary-only ones take
   * effect when the replica is promoted, and `max_connections`, `max_worker_processes`,
   * `max_wal_senders`, `max_prepared_transactions` and `max_locks_per_transaction` must be at least the primary's on
   * a hot standby, which a copy is; `parameters` may raise them, never lower them.
   *
   * @default true
   * @see https://www.postgresql.org/docs/current/hot-standby.html#HOT-STANDBY-ADMIN
   */
  readonly inheritSourceParameters?: boolean;

  /**
   * The engine, when you want the replica to assert it. It must equal the source's engine type and major version;
   * a replica always runs the source's engine.
   *
   * @default - the source's engine
   */
  readonly engine?: rds.IInstanceEngine;

  /**
   * The replica's DB instance class. A DR replica must carry the primary's load after promotion, so a class smaller
   * than the source's prints the warning `cdk-resilient-postgres:replicaSmallerThanSource`, which you can acknowledge
   * with `Annotations.of(replica).acknowledgeWarning(...)` once the choice is deliberate.
   *
   * @default - the source's instance class
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Run the replica with a synchronous standby in a second Availability Zone, so the promoted database is Multi-AZ
   * from its first minute as a primary.
   *
   * @default true
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html
   */
  readonly multiAz?: boolean;

  /**
   * The storage type.
   *
   * @default - the source's storage type
   */
  readonly storageType?: rds.StorageType;

  /**
   * Upper limit in GiB for storage autoscaling. The replica starts with its source's allocated storage, and RDS needs the
   * limit at least 10 % above it.
   *
   * @default - the source's limit, if the source sets one
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html
   */
  readonly maxAllocatedStorage?: number;

  /**
   * Customer-managed KMS key in the replica's Region for storage, Performance Insights and the log groups. A key you
   * pass in must allow CloudWatch Logs to use it for `/aws/rds/instance/<id>/*`.
   *
   * @default - a new key with automatic rotation, retained on stack deletion unless `keyRemovalPolicy` is DESTROY
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the replica's DB instance when it leaves the stack or the stack is deleted (with
   * `deletionProtection` off). A replica is a database that becomes the primary after a promotion, so it is kept by
   * default. `SNAPSHOT` deletes it after a final snapshot; `DESTROY` deletes it without one and warns
   * (`cdk-resilient-postgres:databaseDestroyedWithStack`). This applies to the instance only: the key and the log groups
   * follow `keyRemovalPolicy`.
   *
   * @default RemovalPolicy.RETAIN
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * What happens to the KMS key this construct creates and to the log groups when they leave the stack or the stack is
   * deleted. The key encrypts the replica's storage, its final snapshot and, once promoted, the automated backups that
   * RDS keeps after the instance is deleted, and the logs: once it is deleted, none of them can be decrypted. So they
   * are retained unless you ask for `RemovalPolicy.DESTROY` here, which is accepted only with
   * `removalPolicy: RemovalPolicy.DESTROY`, warns (`cdk-resilient-postgres:keyDestroyedWithStack`), and schedules the
   * key's deletion with the longest waiting period, 30 days (`PendingWindowInDays`). A key you pass in
   * (`encryptionKey`) is never deleted by this construct; the log groups still follow this setting.
   *
   * @default RemovalPolicy.RETAIN
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html
   */
  readonly keyRemovalPolicy?: RemovalPolicy;

  /**
   * What the template declares: the replica (`ReplicaPromotion.REPLICA`), the promoted instance
   * (`ReplicaPromotion.PROMOTED`), or a step that brings an instance promoted outside CloudFormation back under the stack
   * (`OUT_OF_BAND_DETACH`, then `OUT_OF_BAND_IMPORT` with `cdk import`, then `PROMOTED`). Deploy `PROMOTED` straight
   * over `REPLICA` only while the instance is still a replica in RDS: CloudFormation then promotes it. After the failover
   * runbook or an operator promoted it, CloudFormation would call PromoteReadReplica again, fail, and fail its rollback;
   * follow the steps in docs/failover-runbook.md instead.
   *
   * @see https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds/blob/5a410e843efb90076c1c4d322707bc989e5a058b/aws-rds-dbinstance/src/main/java/software/amazon/rds/dbinstance/UpdateHandler.java
   *
   * @default ReplicaPromotion.REPLICA
   */
  readonly promotion?: ReplicaPromotion;

  /**
   * Whether the template declares the promoted instance.
   *
   * @deprecated use `promotion: ReplicaPromotion.PROMOTED`, which is what `promoted: true` means. It is safe only while
   * the instance is still a replica in RDS (CloudFormation then promotes it); after the failover runbook or an operator
   * promoted it, use `ReplicaPromotion.OUT_OF_BAND_DETACH` and `OUT_OF_BAND_IMPORT` (docs/failover-runbook.md).
   *
   * @default false
   */
  readonly promoted?: boolean;

  /**
   * The live promoted instance's endpoint address (and resource ID), required while `promotion` is
   * `OUT_OF_BAND_DETACH` or `OUT_OF_BAND_IMPORT`: in these steps the template does not read them from the instance.
   * Read them with `aws rds describe-db-instances --db-instance-identifier <id>`.
   *
   * @default - none; refused in the other states
   */
  readonly promotedInstance?: PromotedInstanceAttributes;

  /**
   * Automated backup retention of the promoted instance (every state but `REPLICA`). When the instance was promoted
   * outside CloudFormation, give the retention it has now (the runbook's `backupRetention`), so the imported template
   * matches it. The promoted instance replaces the primary, so it keeps the primary's retention unless told otherwise.
   *
   * @default - the source's retention (`sourceBackupRetention`, the same default as the failover runbook's
   * `backupRetention`); 35 days when it is not known at synth (`sourceAttributes`, or a retention given as a token)
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html
   */
  readonly promotedBackupRetention?: Duration;

  /**
   * Automated backup retention of the replica itself, while `promotion` is `REPLICA`. AWS recommends enabling backups
   * on a read replica before promoting it, so that the promotion does not start with a first full backup; RDS for
   * PostgreSQL supports them on replicas from version 14.1. While the replica is `backing-up` (its daily backup window)
   * PromoteReadReplica is refused: the failover runbook waits for it and retries. A read replica has no point-in-time
   * recovery; its backups are snapshots. `Duration.days(0)` turns them off. Adding it to a deployed replica is an update
   * in place (ModifyDBInstance), with a brief I/O suspension of the replica.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.html
   *
   * @default Duration.days(1)
   */
  readonly replicaBackupRetention?: Duration;
}

/**
 * A cross-Region read replica of an RDS for PostgreSQL DB instance, for disaster recovery: its own customer-managed
 * KMS key in the replica's Region, the primary's security posture (TLS enforced, IAM authentication, private subnets,
 * no ingress until granted, Performance Insights, enhanced monitoring, encrypted log exports, deletion protection),
 * and the source's instance class unless told otherwise.
 *
 * The source is referred to by a literal ARN, so the replica's stack needs neither `crossRegionReferences` nor custom
 * resources. Deploy the source's stack first.
 *
 * @example
 * declare const primary: MultiAzPostgres; // in a us-east-1 stack
 * declare const drVpc: ec2.IVpc;          // in a us-west-2 stack
 * declare const drStack: Stack;
 * const replica = new CrossRegionReadReplica(drStack, 'OrdersReplica', {
 *   sourceInstance: primary,
 *   vpc: drVpc,
 *   instanceIdentifier: 'orders-dr',
 * });
 */
export class CrossRegionReadReplica extends PostgresInstanceNew {
  /**
   * The DB instance as the parts read it: the replica this construct creates, or, while `promotion` is
   * `OUT_OF_BAND_DETACH` or `OUT_OF_BAND_IMPORT`, a reference to the live promoted instance (`promotedInstance`).
   */
  public readonly instance: rds.IDatabaseInstance;
  /**
   * The read replica this construct creates. `node.defaultChild` of this construct is its `AWS::RDS::DBInstance`, except
   * while `promotion` is `OUT_OF_BAND_DETACH`, when the template does not declare it.
   */
  public readonly readReplica: rds.DatabaseInstanceReadReplica;
  /** The source DB instance ARN (a literal apart from the partition). */
  public readonly sourceInstanceArn: string;
  /** The source DB instance identifier. */
  public readonly sourceInstanceIdentifier: string;
  /** The source's Region. */
  public readonly sourceRegion: string;
  /** The source's DB instance class. */
  public readonly sourceInstanceClass: string;
  /**
   * The source's automated-backup retention, when the source is a DB instance of this app and its retention is known
   * at synth (the template's `BackupRetentionPeriod`, or RDS's default of 1 day when the template has none); a
   * promotion gives the promoted instance the same (`promotedBackupRetention`, the runbook's `backupRetention`).
   */
  public readonly sourceBackupRetention?: Duration;
  /** The source DB instance ARN while the template declares a replica (`promotion` is `REPLICA`); else undefined. */
  public readonly replicationSourceArn?: string;
  /** The automated-backup retention the template gives the instance, when it gives one. */
  public readonly backupRetention?: Duration;
  /** None: a replica has no master secret of its own; its source's credentials apply. */
  public readonly masterSecret?: secretsmanager.ISecret;
  /** What the template declares (`promotion`). */
  public readonly promotion: ReplicaPromotion;
  /**
   * Whether the instance is promoted in this configuration: every `promotion` but `REPLICA`. Nothing that promotes
   * (the failover runbook) may be built on it then.
   */
  public readonly promoted: boolean;
  /** The resource ID of the live instance, when `promotedInstance` gives it. */
  private readonly promotedResourceId?: string;

  constructor(scope: Construct, id: string, props: CrossRegionReadReplicaProps) {
    super(scope, id);
    const construct = where(this, CONSTRUCT);
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account)) {
      throw propError(construct, 'scope', `stack ${stack.stackName} (region ${stack.region})`,
        'the replica stack needs an explicit env with account and region, because the source ARN and the Region checks are made at synth time');
    }

    validateRegionName(construct, 'scope', stack.region, `stack ${stack.stackName} (region ${stack.region})`);

    const source = resolveReplicaSource(construct, props.sourceInstance, props.sourceAttributes);
    recordReplicaSource(this, props.sourceInstance);
    // The source's Region must be an AWS Region of the replica's partition, and an ARN's partition that of its Region:
    // RDS replicates across Regions of one partition only.
    validateRegionName(construct, source.prop, source.region, source.arnDescription);
    validatePlace(construct, source.prop, source.arnDescription, props.sourceAttributes ? arnPlace(props.sourceAttributes.instanceArn) : {}, {});
    validateSamePartition(construct, source.prop, source.arnDescription, source.region, stack.region, "the replica's stack");
    if (source.region === stack.region) {
      throw propError(construct, source.prop, source.arnDescription,
        `the source is in ${source.region}, the replica's own Region; a cross-Region replica must be in another Region`);
    }
    if (source.account !== stack.account) {
      throw propError(construct, source.prop, source.arnDescription,
        `the source is in account ${source.account} and the replica stack in ${stack.account}; RDS creates a DB instance read replica `
        + "in the source's account only (use AWS Backup cross-account copies for another account)");
    }
    this.validateSource(source, props);
    this.promotion = resolvePromotion(construct, props);
    this.promoted = this.promotion !== ReplicaPromotion.REPLICA;
    const outOfBand = this.promotion === ReplicaPromotion.OUT_OF_BAND_DETACH || this.promotion === ReplicaPromotion.OUT_OF_BAND_IMPORT;

    this.sourceInstanceIdentifier = source.identifier;
    this.sourceRegion = source.region;
    this.sourceInstanceClass = source.instanceClass;
    this.sourceBackupRetention = source.backupRetentionDays === undefined ? undefined : Duration.days(source.backupRetentionDays);
    this.sourceInstanceArn = dbInstanceArn(stack, source.identifier, source.region, source.account, source.partition);

    const instanceType = props.instanceType ?? new ec2.InstanceType(source.instanceClass.replace(/^db\./, ''));
    validateInstanceType(construct, 'instanceType', instanceType);

    const checked = checkInstanceOptions(construct, props);
    const storageType = props.storageType ?? source.storageType;
    const maxAllocatedStorage = props.maxAllocatedStorage ?? source.maxAllocatedStorage;
    // The replica starts with its source's allocated storage; its ceiling must be at least 10 % above it.
    validateStorage(construct, storageType, source.allocatedStorage, maxAllocatedStorage, "the source's allocated storage");

    this._settleIdentifier(construct, props.instanceIdentifier);
    claimDbInstanceIdentifier(this, construct, 'instanceIdentifier', props.instanceIdentifier ?? this.instanceIdentifier, this.instanceIdentifier);
    checkPromotionProps(construct, props, this.promotion, this.instanceIdentifier, stack.region);
    this.promotedResourceId = props.promotedInstance?.resourceId;

    const replicaBackupDays = replicaBackupRetentionDays(construct, props, this.promotion, source.engine);
    // The replica starts from the source's own parameters (when they are literals of this app), its own props on top;
    // the TLS parameters follow the replica's enforceTls and minimumTlsVersion.
    const sourceParameters = props.sourceInstance?.parameters;
    const ownParameters = {
      ...(props.inheritSourceParameters ?? true ? inheritedParameters(sourceParameters, TLS_PARAMETERS) : {}),
      ...props.parameters,
    };
    // A hot standby needs some settings at least as high as its primary's, or it does not start.
    checkStandbyParameters(construct, 'parameters', ownParameters, sourceParameters);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const keyRemovalPolicy = this._setUpInstance(props, {
      construct: CONSTRUCT,
      label: construct,
      engine: source.engine,
      instanceType,
      multiAz: props.multiAz ?? true,
      port: source.port,
      storageType,
      allocatedStorage: source.allocatedStorage,
      maxAllocatedStorage,
      removalPolicy,
      checked,
      keyRegionRule: `CreateDBInstanceReadReplica needs a key of the replica's Region for a cross-Region replica; ${REGIONAL_KEY_RULE}`,
      description: `RDS for PostgreSQL replica ${this.instanceIdentifier}`,
      keyDescription: `Encrypts RDS for PostgreSQL read replica ${this.instanceIdentifier} (source ${source.identifier} in ${source.region}): `
        + 'storage, Performance Insights, logs',
      logsStatementId: 'AllowCloudWatchLogsForThisReplica',
      parameters: Object.keys(ownParameters).length > 0 ? ownParameters : undefined,
    });
    this._createLogGroups(props, keyRemovalPolicy);

    // aws-cdk-lib's read replica takes the source as an IDatabaseInstance and renders its ARN. An import in this
    // stack would render this stack's Region, so the rendered ARN is replaced below by the literal source ARN. The
    // endpoint address is required by the import but never rendered into the template.
    const sourceReference = rds.DatabaseInstance.fromDatabaseInstanceAttributes(this, 'Source', {
      instanceIdentifier: source.identifier,
      instanceEndpointAddress: `${source.identifier}.${source.region}.rds.amazonaws.com`,
      port: source.port,
      securityGroups: [],
      engine: source.engine,
    });
    const replica = new rds.DatabaseInstanceReadReplica(this, 'Instance', {
      ...this._instanceProps(props, removalPolicy),
      sourceDatabaseInstance: sourceReference,
    });
    this.readReplica = replica;
    const cfn = replica.node.defaultChild as rds.CfnDBInstance;
    if (this.promoted) {
      // A promoted instance is standalone: no source, and automated backups of its own (point-in-time recovery).
      // PromoteReadReplica takes the retention, so CloudFormation's promotion turns backups on in the same step.
      // https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds/blob/5a410e843efb90076c1c4d322707bc989e5a058b/aws-rds-dbinstance/src/main/java/software/amazon/rds/dbinstance/Translator.java (promoteReadReplicaRequest)
      const retention = props.promotedBackupRetention ?? this.sourceBackupRetention ?? Duration.days(MAX_BACKUP_RETENTION_DAYS);
      validateBackupRetention(construct, 'promotedBackupRetention', retention);
      cfn.sourceDbInstanceIdentifier = undefined;
      cfn.backupRetentionPeriod = retention.toDays();
    } else {
      cfn.sourceDbInstanceIdentifier = this.sourceInstanceArn;
      // Backups on the replica before its promotion ("we recommend that you enable backups and complete at least one
      // backup prior to promotion"). The CloudFormation handler applies BackupRetentionPeriod to a replica with
      // ModifyDBInstance, after CreateDBInstanceReadReplica on creation and as an update in place later.
      // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html
      // https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds/blob/master/aws-rds-dbinstance/src/main/java/software/amazon/rds/dbinstance/util/ResourceModelHelper.java (shouldUpdateAfterCreate)
      cfn.backupRetentionPeriod = replicaBackupDays > 0 ? replicaBackupDays : undefined;
    }
    // For a replica, CloudFormation inherits encryption from the source and takes the key from KmsKeyId (required for
    // an encrypted cross-Region replica); StorageEncrypted must not be set (aws-cdk-lib's built-in rule F3020).
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html#cfn-rds-dbinstance-storageencrypted
    cfn.storageEncrypted = undefined;
    this._finishInstance(replica);
    if (this.promotion === ReplicaPromotion.OUT_OF_BAND_DETACH) {
      // CloudFormation forgets a resource that leaves the template; the deletion policy of the deployed template
      // (Retain) keeps the instance. Its subnet group and monitoring role stay, under the same logical IDs.
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
      replica.node.tryRemoveChild(cfn.node.id);
    } else {
      // Escape hatches and aspects that look for the construct's resource find the DB instance.
      this.node.defaultChild = cfn;
    }
    this.replicationSourceArn = this.promoted ? undefined : this.sourceInstanceArn;
    const backupDays = numberOrUndefined(cfn.backupRetentionPeriod);
    this.backupRetention = backupDays === undefined ? undefined : Duration.days(backupDays);
    // While the template does not declare the instance (DETACH), or must not change anything but add it (IMPORT: an
    // import change set allows no other change), everything that reads the instance gets the live instance's literals.
    this.instance = outOfBand
      ? rds.DatabaseInstance.fromDatabaseInstanceAttributes(this, 'PromotedInstance', {
        instanceIdentifier: this.instanceIdentifier,
        instanceEndpointAddress: props.promotedInstance!.endpointAddress,
        port: this.port,
        securityGroups: [this.securityGroup],
        engine: source.engine,
        instanceResourceId: props.promotedInstance!.resourceId,
      })
      : replica;

    if (props.instanceType && isSmallerInstanceClass(this.instanceClass, source.instanceClass)) {
      Annotations.of(this).addWarningV2(Warnings.REPLICA_SMALLER_THAN_SOURCE,
        `The replica class ${this.instanceClass} looks smaller than the source's ${source.instanceClass}. After a promotion the `
        + 'replica carries the whole write load; an under-sized DR Region turns a Region failure into an outage. If this is '
        + `deliberate, acknowledge it: Annotations.of(replica).acknowledgeWarning('${Warnings.REPLICA_SMALLER_THAN_SOURCE}', '<reason>').`);
    }

    guardFinalTemplate(this, {
      ...checked,
      construct: CONSTRUCT,
      instance: this.promotion === ReplicaPromotion.OUT_OF_BAND_DETACH ? undefined : cfn,
      parameterGroup: this.parameterGroup,
      storageEncryptionInherited: true,
      multiAz: { on: this.multiAz, optOut: 'multiAz: false' },
      backupRetention: this.promoted
        ? { days: cfn.backupRetentionPeriod as number, prop: 'promotedBackupRetention' }
        : { days: replicaBackupDays, prop: 'replicaBackupRetention' },
      removalPolicy,
      keyRemovalPolicy,
      followKeyRemovalPolicy: [...(props.encryptionKey ? [] : [this.encryptionKey]), ...Object.values(this.logGroups)],
    });
    this._warnDestructiveRemoval(CONSTRUCT, removalPolicy, keyRemovalPolicy, props.encryptionKey !== undefined, {
      databaseDestroyed: 'The DR Region then has no copy of the database until a new replica is built. After a promotion this instance is the '
        + 'primary: RDS then keeps its automated backups for their retention period (DeleteAutomatedBackups: false), encrypted with ',
      deletedWithStack: 'the log groups',
      backupsWhen: 'after a promotion ',
    });
    this.acknowledgeByDesign(replica, this.promoted ? cfn.backupRetentionPeriod as number : undefined, replicaBackupDays);
  }

  /**
   * Grants an IAM principal `rds-db:connect` to the replica as a database user, for IAM database authentication.
   *
   * @param grantee the principal
   * @param dbUser the PostgreSQL role the principal may log in as (it must have been granted `rds_iam` on the source)
   */
  public grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant {
    if ((this.promotion === ReplicaPromotion.OUT_OF_BAND_DETACH || this.promotion === ReplicaPromotion.OUT_OF_BAND_IMPORT)
      && this.promotedResourceId === undefined) {
      throw propError(where(this, CONSTRUCT), 'promotedInstance.resourceId', undefined,
        `the promoted instance's DbiResourceId (db-...), which rds-db:connect names; while promotion is ${this.promotion} `
        + 'the template does not read it from the instance (aws rds describe-db-instances --query "DBInstances[0].DbiResourceId")');
    }
    return super.grantConnect(grantee, dbUser);
  }

  private validateSource(source: ResolvedSource, props: CrossRegionReadReplicaProps): void {
    validatePostgresEngine(where(this, CONSTRUCT), `${source.prop} engine`, source.engine);
    if (source.engine.engineVersion?.majorVersion === undefined) {
      throw propError(where(this, CONSTRUCT), source.prop, source.arnDescription,
        "the source engine must name its version (e.g. PostgresEngineVersion.VER_18): it picks the replica's parameter group family");
    }
    if (props.engine) {
      const same = props.engine.engineType === source.engine.engineType
        && props.engine.engineVersion?.majorVersion === source.engine.engineVersion?.majorVersion;
      if (!same) {
        throw propError(where(this, CONSTRUCT), 'engine', `${props.engine.engineType} ${props.engine.engineVersion?.fullVersion ?? ''}`.trim(),
          `the replica runs the source's engine, ${source.engine.engineType} ${source.engine.engineVersion.fullVersion ?? source.engine.engineVersion.majorVersion}; `
          + 'leave engine unset or give the same engine and major version');
      }
    }
    if (!source.storageEncrypted) {
      throw propError(where(this, CONSTRUCT), source.prop, source.arnDescription,
        'the source storage is not encrypted; RDS can only create an encrypted cross-Region replica of an encrypted source, and an '
        + 'unencrypted replica is not supported (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html)');
    }
    if (source.masterPasswordManagedByRds) {
      throw propError(where(this, CONSTRUCT), source.prop, source.arnDescription,
        'the source master password is managed by RDS in Secrets Manager (ManageMasterUserPassword), and RDS cannot create a '
        + 'cross-Region read replica of such a source; use a generated secret as MultiAzPostgres does '
        + '(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations)');
    }
  }

  /** cdk-nag findings that are satisfied by design or inherited from the source, each with the reason. */
  private acknowledgeByDesign(replica: rds.DatabaseInstanceReadReplica, backupRetentionDays: number | undefined, replicaBackupDays: number): void {
    acknowledge(replica,
      'The storage is encrypted with the customer-managed KMS key in KmsKeyId. The instance is created as a read replica, for which '
      + 'CloudFormation inherits encryption from the (encrypted) source and the StorageEncrypted property, which this rule reads, must '
      + 'not be set; it stays absent after a promotion, because adding it would be a change that requires replacement.',
      'AwsSolutions-RDS2', ...inPacks('RDSStorageEncrypted'));
    // Read replicas have no point-in-time recovery; RDS for PostgreSQL 14.1+ replicas can keep automated backups.
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.html
    const asReplica = replicaBackupDays > 0
      ? `This DR replica keeps native RDS automated backups for ${replicaBackupDays} day(s) (replicaBackupRetention), as AWS `
        + 'recommends before a promotion; a read replica has no point-in-time recovery, which in this Region comes from the '
        + "source's automated backups replicated here (BackupReplication). Automated backups with the primary's retention are "
        + 'turned on when the replica is promoted. It is not in an AWS Backup plan.'
      : 'This DR replica keeps no automated backups (replicaBackupRetention 0, chosen by the app); a read replica has no '
        + "point-in-time recovery, which in this Region comes from the source's automated backups replicated here "
        + '(BackupReplication), and automated backups are turned on when the replica is promoted. It is not in an AWS Backup plan.';
    acknowledge(replica, backupRetentionDays === undefined
      ? asReplica
      : `The promoted instance keeps native RDS automated backups for ${backupRetentionDays} days with point-in-time recovery; `
        + 'an AWS Backup plan is an additional, optional layer.',
    ...inPacks('RDSInBackupPlan', ['HIPAA.Security', 'NIST.800.53.R5']));
  }
}

/**
 * The replica's own automated-backup retention in days (0: none). Refused on a promoted instance (which has
 * `promotedBackupRetention`) and on RDS for PostgreSQL below 14.1, which keeps no automated backups on a replica.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.html
 */
function replicaBackupRetentionDays(construct: string, props: CrossRegionReadReplicaProps, promotion: ReplicaPromotion,
  engine: rds.IInstanceEngine): number {
  if (props.replicaBackupRetention !== undefined && promotion !== ReplicaPromotion.REPLICA) {
    throw propError(construct, 'replicaBackupRetention', props.replicaBackupRetention.toHumanString(),
      `unset while promotion is ${promotion}: the promoted instance's retention is promotedBackupRetention`);
  }
  const retention = props.replicaBackupRetention ?? Duration.days(1);
  if (retention.toMilliseconds() === 0) {
    return 0;
  }
  validateBackupRetention(construct, 'replicaBackupRetention', retention);
  const full = engine.engineVersion?.fullVersion;
  const match = full === undefined || Token.isUnresolved(full) ? null : /^(\d+)\.(\d+)/.exec(full);
  if (match && Number(match[1]) === 14 && Number(match[2]) < 1) {
    throw propError(construct, 'replicaBackupRetention', retention.toHumanString(),
      `Duration.days(0) for the source's engine ${full}: RDS for PostgreSQL keeps automated backups on a read replica from `
      + 'version 14.1 only (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.html)');
  }
  return retention.toDays();
}

/** The template state from `promotion` and the deprecated `promoted`. */
function resolvePromotion(construct: string, props: CrossRegionReadReplicaProps): ReplicaPromotion {
  if (props.promoted !== undefined && props.promotion !== undefined) {
    throw propError(construct, 'promoted', props.promoted,
      `unset when promotion is given (${props.promotion}); promoted is deprecated, promotion: ReplicaPromotion.PROMOTED replaces promoted: true`);
  }
  if (props.promotion !== undefined) {
    return props.promotion;
  }
  return props.promoted === true ? ReplicaPromotion.PROMOTED : ReplicaPromotion.REPLICA;
}

/**
 * Rejects settings that do not fit the template state: a retention on a replica, attributes of the live instance where
 * the template declares it, missing attributes where it does not, and a removal policy that would delete or snapshot
 * the instance when it leaves the template.
 */
function checkPromotionProps(construct: string, props: CrossRegionReadReplicaProps, promotion: ReplicaPromotion, identifier: string,
  region: string): void {
  if (props.promotedBackupRetention !== undefined && promotion === ReplicaPromotion.REPLICA) {
    throw propError(construct, 'promotedBackupRetention', props.promotedBackupRetention.toHumanString(),
      'unset while promotion is REPLICA: it is the retention of the promoted instance; the replica\'s own is replicaBackupRetention');
  }
  const outOfBand = promotion === ReplicaPromotion.OUT_OF_BAND_DETACH || promotion === ReplicaPromotion.OUT_OF_BAND_IMPORT;
  if (!outOfBand) {
    if (props.promotedInstance !== undefined) {
      throw propError(construct, 'promotedInstance', props.promotedInstance.endpointAddress,
        `unset while promotion is ${promotion}: the template declares the instance and reads its attributes from it`);
    }
    return;
  }
  const endpoint = props.promotedInstance?.endpointAddress;
  const endpointPattern = new RegExp(`^${identifier}\\.[a-z0-9]+\\.${region}\\.rds\\.amazonaws\\.com(\\.cn)?$`);
  if (endpoint === undefined || Token.isUnresolved(endpoint) || !endpointPattern.test(endpoint)) {
    throw propError(construct, 'promotedInstance.endpointAddress', endpoint,
      `the literal endpoint address of the live instance, ${identifier}.<id>.${region}.rds.amazonaws.com, required while promotion is `
      + `${promotion} (aws rds describe-db-instances --db-instance-identifier ${identifier} --query "DBInstances[0].Endpoint.Address")`);
  }
  const resourceId = props.promotedInstance?.resourceId;
  if (resourceId !== undefined && (Token.isUnresolved(resourceId) || !/^db-[A-Za-z0-9]+$/.test(resourceId))) {
    throw propError(construct, 'promotedInstance.resourceId', resourceId, 'the literal DbiResourceId of the live instance, db- followed by letters and digits');
  }
  const removal = props.removalPolicy ?? RemovalPolicy.RETAIN;
  if (removal !== RemovalPolicy.RETAIN && removal !== RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE) {
    throw propError(construct, 'removalPolicy', removal,
      `RETAIN (or RETAIN_ON_UPDATE_OR_DELETE) while promotion is ${promotion}: the instance leaves the template in OUT_OF_BAND_DETACH, and `
      + 'CloudFormation applies the deletion policy of the deployed template to it; deploy with RETAIN first (docs/failover-runbook.md)');
  }
}
