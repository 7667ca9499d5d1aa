import { Arn, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { IPostgresInstance, PostgresInstanceAttributes } from './postgres-instance';
import { backupRetentionDaysOf, cfnDbInstanceOf, dbInstanceArn, literalIdentifierOf, numberOrUndefined } from '../private/db-instance-facts';
import { propError } from '../private/errors';
import { rdsInstanceMetric } from '../private/metrics';
import { validatePort } from '../private/validation';
import { instanceParameters } from '../private/wiring';

/**
 * What every PostgreSQL DB instance construct of this library exposes: the instance, how to reach it, what it is
 * made of, and its CloudWatch metrics. Every part of the library takes an `IPostgresInstance`.
 */
export abstract class PostgresInstanceBase extends Construct implements IPostgresInstance {
  /**
   * An RDS for PostgreSQL DB instance made outside this CDK app, for the parts of the library: alarms, the writable
   * probe, a cross-Region read replica of it, a promotion role or runbook for it. Nothing is created or changed.
   *
   * @example
   * const orders = PostgresInstanceBase.fromPostgresInstanceAttributes(this, 'Orders', {
   *   instanceArn: 'arn:aws:rds:us-east-1:111111111111:db:orders-primary',
   *   endpointAddress: 'orders-primary.abcdefghijkl.us-east-1.rds.amazonaws.com',
   *   engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
   *   instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
   *   allocatedStorage: 100,
   * });
   * new DbAlarmSet(this, 'OrdersAlarms', { instance: orders });
   */
  public static fromPostgresInstanceAttributes(scope: Construct, id: string, attrs: PostgresInstanceAttributes): IPostgresInstance {
    return new PostgresInstanceReference(scope, id, (self) => describeAttributes(self, attrs));
  }

  /**
   * An `rds.DatabaseInstance` (or `rds.DatabaseInstanceReadReplica`) defined in this CDK app, as an `IPostgresInstance`.
   * The wrapper reads the instance's literal identifier, port, engine, class and storage from its `AWS::RDS::DBInstance`
   * and changes nothing on it, so the instance keeps its template and is never replaced. The instance needs a literal
   * `instanceIdentifier` and a known engine: an `rds.DatabaseInstanceReadReplica` does not carry its source's engine,
   * so give it as `engine`.
   *
   * @param scope the scope of the wrapper
   * @param id the wrapper's id
   * @param instance the DB instance
   * @param engine the instance's engine, when the instance does not carry it
   *
   * @example
   * declare const legacy: rds.DatabaseInstance; // with instanceIdentifier: 'billing-primary'
   * const billing = PostgresInstanceBase.fromDatabaseInstance(this, 'Billing', legacy);
   * new DbAlarmSet(this, 'BillingAlarms', { instance: billing });
   */
  public static fromDatabaseInstance(scope: Construct, id: string, instance: rds.IDatabaseInstance, engine?: rds.IInstanceEngine): IPostgresInstance {
    return new PostgresInstanceReference(scope, id, () => describeDatabaseInstance(instance, engine));
  }

  /** The RDS DB instance. */
  public abstract readonly instance: rds.IDatabaseInstance;
  /** The DB instance identifier (a literal, known at synth time). */
  public abstract readonly instanceIdentifier: string;
  /** The DB instance ARN, built from literals so it can be used in another Region's stack. */
  public abstract readonly instanceArn: string;
  /** The Region the instance is in. */
  public abstract readonly region: string;
  /** The account the instance is in. */
  public abstract readonly account: string;
  /** The port PostgreSQL listens on. */
  public abstract readonly port: number;
  /** The engine. */
  public abstract readonly engine: rds.IInstanceEngine;
  /** Network access to the instance. No ingress is open until you grant it through this. */
  public abstract readonly connections: ec2.Connections;
  /** The DB instance class. */
  public abstract readonly instanceType?: ec2.InstanceType;
  /** The allocated storage in GiB. */
  public abstract readonly allocatedStorage?: number;
  /** The upper limit of storage autoscaling in GiB. */
  public abstract readonly maxAllocatedStorage?: number;
  /** The storage type. */
  public abstract readonly storageType?: rds.StorageType;
  /** Whether the storage is encrypted. */
  public abstract readonly storageEncrypted?: boolean;
  /** Whether RDS manages the master password in Secrets Manager. */
  public abstract readonly masterUserPasswordManagedByRds?: boolean;
  /** The automated-backup retention. */
  public abstract readonly backupRetention?: Duration;
  /** Whether Multi-AZ is on. */
  public abstract readonly isMultiAz?: boolean;
  /** The source's ARN while the instance is a read replica. */
  public abstract readonly replicationSourceArn?: string;
  /** The literal parameters of the instance's parameter group. */
  public abstract readonly parameters?: Record<string, string>;
  /** The customer-managed KMS key that encrypts the storage. */
  public abstract readonly storageEncryptionKey?: kms.IKey;
  /** The master user secret. */
  public abstract readonly masterSecret?: secretsmanager.ISecret;
  /** The endpoint that clients connect to. */
  public get endpoint(): rds.Endpoint {
    return this.instance.instanceEndpoint;
  }

  /**
   * Any `AWS/RDS` metric of this instance, one-minute period, Average by default.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/monitoring-cloudwatch.html
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return rdsInstanceMetric(this.instanceIdentifier, metricName, props);
  }

  /** CPU utilization, percent. */
  public metricCPUUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('CPUUtilization', props);
  }

  /** Freeable memory, bytes. */
  public metricFreeableMemory(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('FreeableMemory', props);
  }

  /** Swap usage, bytes. */
  public metricSwapUsage(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('SwapUsage', props);
  }

  /** Free storage space, bytes. */
  public metricFreeStorageSpace(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('FreeStorageSpace', props);
  }

  /** Client connections in use. */
  public metricDatabaseConnections(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('DatabaseConnections', props);
  }

  /** Average read latency, seconds. */
  public metricReadLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ReadLatency', props);
  }

  /** Average write latency, seconds. */
  public metricWriteLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('WriteLatency', props);
  }

  /** Outstanding I/O requests waiting for the disk. */
  public metricDiskQueueDepth(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('DiskQueueDepth', props);
  }

  /** Lag of the most lagging replication slot, bytes of WAL. Grows without bound when a replica stops consuming. */
  public metricOldestReplicationSlotLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('OldestReplicationSlotLag', props);
  }

  /** Disk space used by WAL, bytes. */
  public metricTransactionLogsDiskUsage(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('TransactionLogsDiskUsage', props);
  }

  /** Highest transaction ID age in use; wraparound protection forces a shutdown near 2^31. */
  public metricMaximumUsedTransactionIDs(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('MaximumUsedTransactionIDs', props);
  }

  /** Replica lag, seconds (published for read replicas; -1 or no data means replication is not running). */
  public metricReplicaLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ReplicaLag', props);
  }
}

const IMPORT = 'PostgresInstanceBase.fromPostgresInstanceAttributes';
const WRAP = 'PostgresInstanceBase.fromDatabaseInstance';

/** What an `IPostgresInstance` that this library does not create tells of its instance. */
type InstanceDescription = Omit<IPostgresInstance, 'node' | 'with' | 'endpoint' | `metric${string}`>;

/** An instance this library does not create: one made outside the app, or a DB instance of the app. */
class PostgresInstanceReference extends PostgresInstanceBase {
  public readonly instance: rds.IDatabaseInstance;
  public readonly instanceIdentifier: string;
  public readonly instanceArn: string;
  public readonly region: string;
  public readonly account: string;
  public readonly port: number;
  public readonly engine: rds.IInstanceEngine;
  public readonly connections: ec2.Connections;
  public readonly instanceType?: ec2.InstanceType;
  public readonly allocatedStorage?: number;
  public readonly maxAllocatedStorage?: number;
  public readonly storageType?: rds.StorageType;
  public readonly storageEncrypted?: boolean;
  public readonly masterUserPasswordManagedByRds?: boolean;
  public readonly backupRetention?: Duration;
  public readonly isMultiAz?: boolean;
  public readonly replicationSourceArn?: string;
  public readonly parameters?: Record<string, string>;
  public readonly storageEncryptionKey?: kms.IKey;
  public readonly masterSecret?: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, describe: (self: Construct) => InstanceDescription) {
    super(scope, id);
    const d = describe(this);
    this.instance = d.instance;
    this.instanceIdentifier = d.instanceIdentifier;
    this.instanceArn = d.instanceArn;
    this.region = d.region;
    this.account = d.account;
    this.port = d.port;
    this.engine = d.engine;
    this.connections = d.connections;
    this.instanceType = d.instanceType;
    this.allocatedStorage = d.allocatedStorage;
    this.maxAllocatedStorage = d.maxAllocatedStorage;
    this.storageType = d.storageType;
    this.storageEncrypted = d.storageEncrypted;
    this.masterUserPasswordManagedByRds = d.masterUserPasswordManagedByRds;
    this.backupRetention = d.backupRetention;
    this.isMultiAz = d.isMultiAz;
    this.replicationSourceArn = d.replicationSourceArn;
    this.parameters = d.parameters;
    this.storageEncryptionKey = d.storageEncryptionKey;
    this.masterSecret = d.masterSecret;
  }
}

/** An instance made outside the app, described by its attributes; its `instance` is an import in `self`. */
function describeAttributes(self: Construct, attrs: PostgresInstanceAttributes): InstanceDescription {
  const arn = attrs.instanceArn;
  if (Token.isUnresolved(arn) || !/^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:db:[a-zA-Z][a-zA-Z0-9-]{0,62}$/.test(arn)) {
    throw propError(IMPORT, 'instanceArn', arn,
      'a literal DB instance ARN of the form arn:<partition>:rds:<region>:<12-digit account>:db:<identifier>');
  }
  if (Token.isUnresolved(attrs.endpointAddress) || attrs.endpointAddress.length === 0) {
    throw propError(IMPORT, 'endpointAddress', attrs.endpointAddress,
      'the literal endpoint address, such as orders-primary.abcdefghijkl.us-east-1.rds.amazonaws.com');
  }
  const port = attrs.port ?? 5432;
  validatePort(IMPORT, 'port', port);
  const split = Arn.split(arn, ArnFormat.COLON_RESOURCE_NAME);
  const instanceIdentifier = split.resourceName!.toLowerCase();
  const securityGroups = attrs.securityGroups ?? [];
  return {
    ...attrs,
    instance: rds.DatabaseInstance.fromDatabaseInstanceAttributes(self, 'Instance', {
      instanceIdentifier,
      instanceEndpointAddress: attrs.endpointAddress,
      port,
      securityGroups,
      engine: attrs.engine,
      instanceResourceId: attrs.instanceResourceId,
    }),
    instanceIdentifier,
    instanceArn: arn,
    region: split.region!,
    account: split.account!,
    port,
    connections: new ec2.Connections({ securityGroups, defaultPort: ec2.Port.tcp(port) }),
    isMultiAz: attrs.multiAz,
    storageEncryptionKey: attrs.encryptionKey,
    masterSecret: attrs.secret,
  };
}

/** A DB instance of this app, read from its `AWS::RDS::DBInstance` without changing it. */
function describeDatabaseInstance(instance: rds.IDatabaseInstance, engine?: rds.IInstanceEngine): InstanceDescription {
  const path = instance.node.path;
  const cfn = cfnDbInstanceOf(instance);
  if (!cfn) {
    throw propError(WRAP, 'instance', path,
      'a DB instance defined in this CDK app (rds.DatabaseInstance or rds.DatabaseInstanceReadReplica); describe other instances with '
      + 'PostgresInstanceBase.fromPostgresInstanceAttributes');
  }
  if (cfn.dbClusterIdentifier !== undefined) {
    throw propError(WRAP, 'instance', path, 'a standalone DB instance, not an instance of a DB cluster');
  }
  const identifier = literalIdentifierOf(instance);
  if (identifier === undefined) {
    throw propError(WRAP, 'instance', path,
      'a DB instance with a literal instanceIdentifier, so alarms, ARNs and other Regions\' stacks can name it at synth time');
  }
  const knownEngine = instance.engine ?? engine;
  if (!knownEngine) {
    throw propError(WRAP, 'instance', path, 'a DB instance whose engine is known, or the engine given as engine (a read replica carries none)');
  }
  const stack = Stack.of(instance);
  // aws-cdk-lib renders several instance properties lazily; resolve them the way synthesis will.
  const resolved = (value: unknown): unknown => stack.resolve(value);
  const instanceClass = resolved(cfn.dbInstanceClass);
  const storageType = resolved(cfn.storageType);
  const retention = backupRetentionDaysOf(cfn);
  return {
    instance,
    instanceIdentifier: identifier,
    instanceArn: dbInstanceArn(stack, identifier),
    region: stack.region,
    account: stack.account,
    engine: knownEngine,
    port: numberOrUndefined(resolved(cfn.port)) ?? 5432,
    connections: instance.connections,
    instanceType: typeof instanceClass === 'string' && !Token.isUnresolved(instanceClass)
      ? new ec2.InstanceType(instanceClass.replace(/^db\./, '')) : undefined,
    allocatedStorage: numberOrUndefined(resolved(cfn.allocatedStorage)),
    maxAllocatedStorage: numberOrUndefined(resolved(cfn.maxAllocatedStorage)),
    storageType: typeof storageType === 'string' ? storageType as rds.StorageType : undefined,
    storageEncrypted: resolved(cfn.storageEncrypted) === true,
    masterUserPasswordManagedByRds: resolved(cfn.manageMasterUserPassword) === true,
    backupRetention: retention === undefined ? undefined : Duration.days(retention),
    isMultiAz: resolved(cfn.multiAz) === true,
    replicationSourceArn: cfn.sourceDbInstanceIdentifier,
    parameters: instanceParameters(instance),
    masterSecret: instance instanceof rds.DatabaseInstance ? instance.secret : undefined,
  };
}
