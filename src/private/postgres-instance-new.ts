import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { dbInstanceArn, dbiResourceIdOf } from './db-instance-facts';
import { propError, where } from './errors';
import {
  acknowledgeMonitoringRole, acknowledgeStandardPort, CheckedInstanceOptions, createExportLogGroups, defaultIdentifier,
  POSTGRES_LOG_EXPORTS, scopeMonitoringRoleTrust, tlsParameterGroup,
} from './instance-setup';
import { allowCloudWatchLogs } from './logs-key';
import { KEY_PENDING_WINDOW, resolveKeyRemovalPolicy, warnDatabaseDestroyed, warnKeyDestroyed } from './removal';
import { validateDbUser, validateInstanceIdentifier, validatePeersRegion, validateResourcePlace } from './validation';
import type { PostgresInstanceOptions } from '../common/instance-options';
import { PostgresInstanceBase } from '../common/postgres-instance-base';

/** The props of a construct that creates its DB instance, as the shared set-up reads them. */
export interface NewInstanceProps extends PostgresInstanceOptions {
  readonly instanceIdentifier?: string;
  readonly encryptionKey?: kms.IKey;
  readonly removalPolicy?: RemovalPolicy;
  readonly keyRemovalPolicy?: RemovalPolicy;
}

/** What the construct has settled before the shared resources are made. */
export interface NewInstanceSpec {
  /** The construct class, e.g. `MultiAzPostgres`, for warnings. */
  readonly construct: string;
  /** The construct label of its prop errors (`where(this, construct)`). */
  readonly label: string;
  readonly engine: rds.IInstanceEngine;
  readonly instanceType: ec2.InstanceType;
  readonly multiAz: boolean;
  readonly port: number;
  readonly storageType: rds.StorageType;
  readonly allocatedStorage?: number;
  readonly maxAllocatedStorage?: number;
  /** The instance's removal policy, defaulted. */
  readonly removalPolicy: RemovalPolicy;
  /** The checked shared options. */
  readonly checked: CheckedInstanceOptions;
  /** The rule a given `encryptionKey`'s Region follows, for its error. */
  readonly keyRegionRule: string;
  /** What the instance is, in the descriptions of its security group and parameter group (`RDS for PostgreSQL ...`). */
  readonly description: string;
  /** The description of the key, when the construct creates it. */
  readonly keyDescription: string;
  /** The statement id of the key policy statement for CloudWatch Logs. */
  readonly logsStatementId: string;
  /** The parameters on top of the TLS ones; the props' `parameters` when not given. */
  readonly parameters?: Record<string, string>;
}

/** What `removalPolicy: DESTROY` and `keyRemovalPolicy: DESTROY` leave behind, for their warnings. */
export interface DestructiveRemovalConsequences {
  /** What the database warning says before `the key, which ...` (ending with `encrypted with `). */
  readonly databaseDestroyed: string;
  /** What is deleted with the stack with the key policy, e.g. `the log groups`. */
  readonly deletedWithStack: string;
  /** When the automated backups RDS keeps are encrypted with the key, e.g. `after a promotion ` (or empty). */
  readonly backupsWhen: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The parts of a PostgreSQL DB instance construct that creates its instance (`MultiAzPostgres`,
 * `CrossRegionReadReplica`): the shared public fields, the customer-managed key, the security group, the parameter
 * group, the log groups, the shared instance props, `grantConnect`, the destructive-removal warnings and the common
 * cdk-nag acknowledgements. In the manner of aws-cdk-lib's `DatabaseInstanceNew`; hidden from the API, so jsii folds
 * its public members into each subclass.
 *
 * @internal
 */
export abstract class PostgresInstanceNew extends PostgresInstanceBase {
  public abstract readonly instance: rds.IDatabaseInstance;
  /** The DB instance identifier, a literal in lower case. */
  public readonly instanceIdentifier!: string;
  /** The DB instance ARN, built from literals (apart from the partition). */
  public readonly instanceArn!: string;
  /** The Region the instance is in (the stack's). */
  public readonly region: string;
  /** The account the instance is in (the stack's). */
  public readonly account: string;
  /** Network access to the instance on its literal port. No ingress is open until you grant it through this. */
  public readonly connections!: ec2.Connections;
  /** The customer-managed KMS key in the instance's Region that encrypts its storage, Performance Insights and logs. */
  public readonly encryptionKey!: kms.IKey;
  /** The instance's security group. */
  public readonly securityGroup!: ec2.ISecurityGroup;
  /** The instance's parameter group, of the engine's family, with the TLS settings. */
  public readonly parameterGroup!: rds.IParameterGroup;
  /** The log groups the instance exports to, by log type (`postgresql`, `upgrade`). */
  public readonly logGroups!: Record<string, logs.ILogGroup>;
  /** The engine. */
  public readonly engine!: rds.IInstanceEngine;
  /** The DB instance class, e.g. `db.m7g.large`. */
  public readonly instanceClass!: string;
  /** Whether the instance runs Multi-AZ. */
  public readonly multiAz!: boolean;
  /** The port PostgreSQL listens on. */
  public readonly port!: number;
  /** The DB instance class (`instanceClass` as an `ec2.InstanceType`). */
  public readonly instanceType?: ec2.InstanceType;
  /** The storage type. */
  public readonly storageType?: rds.StorageType;
  /** The allocated storage in GiB, when known (a read replica starts with its source's). */
  public readonly allocatedStorage?: number;
  /** The upper limit of storage autoscaling in GiB, if any. */
  public readonly maxAllocatedStorage?: number;
  /** Whether the storage is encrypted: always. */
  public readonly storageEncrypted?: boolean = true;
  /**
   * Whether RDS manages the master password: never, because RDS cannot replicate such an instance across Regions
   * (and a read replica has its source's master user).
   */
  public readonly masterUserPasswordManagedByRds?: boolean = false;
  /** Whether the instance runs Multi-AZ (`multiAz`). */
  public readonly isMultiAz?: boolean;
  /** The literal parameters of the instance's parameter group, the TLS settings included. */
  public readonly parameters?: Record<string, string>;
  /** The key that encrypts the storage (`encryptionKey`). */
  public readonly storageEncryptionKey?: kms.IKey;
  /** The checked shared options, once `_setUpInstance` has run. */
  private checked?: CheckedInstanceOptions;

  protected constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.region = stack.region;
    this.account = stack.account;
  }

  /**
   * Grants an IAM principal `rds-db:connect` as a database user, for IAM database authentication.
   *
   * The grant names this instance's resource ID only: after a Region failover the writer is another instance with its
   * own resource ID, so a principal that must follow the writer needs `MultiRegionPostgres.grantConnect` or
   * `ConnectGrant.onInstances` instead.
   *
   * @param grantee the principal
   * @param dbUser the PostgreSQL role the principal may log in as (it must have been granted `rds_iam`): a lower-case
   * name as PostgreSQL stores an unquoted identifier, not a reserved word, `pg_...` or `rdsadmin`
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html
   */
  public grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant {
    const construct = where(this, this.constructor.name);
    validateDbUser(construct, 'dbUser', dbUser);
    const resourceId = dbiResourceIdOf(this.instance);
    if (resourceId === undefined) {
      throw propError(construct, 'instanceResourceId', undefined,
        'the resource ID of the instance (DbiResourceId, db-...), which rds-db:connect names');
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['rds-db:connect'],
      resourceArns: [Stack.of(this).formatArn({
        arnFormat: ArnFormat.COLON_RESOURCE_NAME, service: 'rds-db', resource: 'dbuser', resourceName: `${resourceId}/${dbUser}`,
      })],
    });
  }

  /**
   * Settles the instance identifier: the given one, or one derived from the construct path; checked, in lower case
   * (RDS stores identifiers in lower case). Sets `instanceIdentifier` and `instanceArn`.
   *
   * @internal
   */
  protected _settleIdentifier(label: string, given: string | undefined): string {
    const identifier = given ?? defaultIdentifier(this);
    validateInstanceIdentifier(label, 'instanceIdentifier', identifier);
    const self = this as Mutable<PostgresInstanceNew>;
    self.instanceIdentifier = identifier.toLowerCase();
    self.instanceArn = dbInstanceArn(Stack.of(this), this.instanceIdentifier);
    return this.instanceIdentifier;
  }

  /**
   * Sets the shared fields and makes the shared resources, before the instance: the key (unless given), the security
   * group, the parameter group and the log groups. Returns the key removal policy.
   *
   * @internal
   */
  protected _setUpInstance(props: NewInstanceProps, spec: NewInstanceSpec): RemovalPolicy {
    const self = this as Mutable<PostgresInstanceNew>;
    const stack = Stack.of(this);
    const { label, removalPolicy } = spec;
    self.engine = spec.engine;
    self.instanceType = spec.instanceType;
    self.instanceClass = `db.${spec.instanceType.toString()}`;
    self.multiAz = spec.multiAz;
    self.isMultiAz = spec.multiAz;
    self.port = spec.port;
    self.storageType = spec.storageType;
    self.allocatedStorage = spec.allocatedStorage;
    self.maxAllocatedStorage = spec.maxAllocatedStorage;
    this.checked = spec.checked;

    // The instance follows removalPolicy; the key and what it encrypts outside the instance follow keyRemovalPolicy.
    const keyRemovalPolicy = resolveKeyRemovalPolicy({
      construct: label,
      keyRemovalPolicy: props.keyRemovalPolicy,
      dataRemovalPolicy: removalPolicy,
      whatSurvives: removalPolicy === RemovalPolicy.SNAPSHOT ? 'the final snapshot' : 'the retained instance',
    });

    if (props.encryptionKey) {
      validateResourcePlace(label, 'encryptionKey', props.encryptionKey, props.encryptionKey.keyArn,
        { region: stack.region, regionRule: spec.keyRegionRule });
    }
    const description = spec.description;
    self.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: spec.keyDescription,
      enableKeyRotation: true,
      removalPolicy: keyRemovalPolicy,
      pendingWindow: keyRemovalPolicy === RemovalPolicy.DESTROY ? KEY_PENDING_WINDOW : undefined,
    });
    self.storageEncryptionKey = this.encryptionKey;
    allowCloudWatchLogs(this.encryptionKey, stack, spec.logsStatementId, `/aws/rds/instance/${this.instanceIdentifier}/*`);

    self.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${description}: no ingress until granted through connections`,
      allowAllOutbound: false,
    });
    // The instance's own Connections carry the port as a deploy-time token; these carry the literal port, so every
    // ingress rule names its port in the template and can be reviewed (and checked by cdk-nag).
    self.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(this.port) });
    const allowedPeers = props.allowedPeers ?? [];
    validatePeersRegion(label, 'allowedPeers', allowedPeers, stack.region);
    for (const peer of allowedPeers) {
      this.connections.allowDefaultPortFrom(peer, `Client of ${this.instanceIdentifier} (allowedPeers)`);
    }

    const { group, parameters } = tlsParameterGroup(this, spec.engine, description, spec.checked,
      spec.parameters === undefined ? props : { ...props, parameters: spec.parameters });
    self.parameterGroup = group;
    self.parameters = parameters;
    return keyRemovalPolicy;
  }

  /**
   * Creates the log groups RDS exports into, encrypted with the key, before the instance, so RDS exports into encrypted,
   * bounded groups. Sets `logGroups`.
   *
   * @internal
   */
  protected _createLogGroups(props: NewInstanceProps, keyRemovalPolicy: RemovalPolicy): void {
    (this as Mutable<PostgresInstanceNew>).logGroups = createExportLogGroups(this, this.instanceIdentifier, this.encryptionKey,
      props.logRetention ?? logs.RetentionDays.ONE_YEAR, keyRemovalPolicy);
  }

  /**
   * The props both `rds.DatabaseInstance` and `rds.DatabaseInstanceReadReplica` take from the shared set-up.
   *
   * @internal
   */
  protected _instanceProps(props: NewInstanceProps, removalPolicy: RemovalPolicy) {
    const checked = this.checked!;
    return {
      instanceType: this.instanceType!,
      instanceIdentifier: this.instanceIdentifier,
      vpc: props.vpc,
      vpcSubnets: checked.vpcSubnets,
      securityGroups: [this.securityGroup],
      publiclyAccessible: false,
      port: this.port,
      multiAz: this.multiAz,
      parameterGroup: this.parameterGroup,
      storageType: this.storageType,
      maxAllocatedStorage: this.maxAllocatedStorage,
      storageEncryptionKey: this.encryptionKey,
      iamAuthentication: checked.iamAuthentication,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      preferredMaintenanceWindow: props.preferredMaintenanceWindow,
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: false,
      deletionProtection: checked.deletionProtection,
      removalPolicy,
      cloudwatchLogsExports: POSTGRES_LOG_EXPORTS,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: this.encryptionKey,
      performanceInsightRetention: props.performanceInsightRetention ?? rds.PerformanceInsightRetention.DEFAULT,
      monitoringInterval: checked.monitoringInterval,
      autoMinorVersionUpgrade: checked.autoMinorVersionUpgrade,
    };
  }

  /**
   * What every instance gets once it exists: it waits for its log groups, its enhanced monitoring role trusts RDS for
   * this instance only, and the cdk-nag findings on the port and the monitoring role's managed policy are acknowledged.
   *
   * @internal
   */
  protected _finishInstance(instance: rds.DatabaseInstanceBase): void {
    for (const logGroup of Object.values(this.logGroups)) {
      instance.node.addDependency(logGroup);
    }
    scopeMonitoringRoleTrust(instance, this.instanceArn);
    acknowledgeStandardPort(instance);
    acknowledgeMonitoringRole(instance);
  }

  /**
   * The acknowledgeable warnings of the destructive removal policies.
   *
   * @internal
   */
  protected _warnDestructiveRemoval(construct: string, removalPolicy: RemovalPolicy, keyRemovalPolicy: RemovalPolicy, keyGiven: boolean,
    consequences: DestructiveRemovalConsequences): void {
    if (removalPolicy === RemovalPolicy.DESTROY) {
      warnDatabaseDestroyed(this, construct, consequences.databaseDestroyed
        + (keyRemovalPolicy === RemovalPolicy.DESTROY && !keyGiven
          ? 'the key, which is deleted with the stack too (keyRemovalPolicy): once it is, they cannot be restored.'
          : 'the key, which is retained, so they can be restored.'));
    }
    if (keyRemovalPolicy === RemovalPolicy.DESTROY) {
      const deleted = consequences.deletedWithStack;
      warnKeyDestroyed(this, construct, !keyGiven, keyGiven
        ? `${deleted} are deleted with the stack.`
        : `${deleted.charAt(0).toUpperCase()}${deleted.slice(1)} are deleted with the stack, and ${consequences.backupsWhen}the automated `
          + 'backups that RDS keeps after deleting the instance are encrypted with the key: they cannot be restored once it is deleted.');
    }
  }
}
