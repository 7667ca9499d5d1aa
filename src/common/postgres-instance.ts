import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';

/**
 * What both an `IPostgresInstance` and the attributes of an imported one tell of the instance. Not exported: jsii copies
 * its members into both, so they are documented once.
 */
interface PostgresInstanceFacts {
  /** The engine, with its version. */
  readonly engine: rds.IInstanceEngine;

  /**
   * The DB instance class.
   *
   * @default - not known
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * The allocated storage in GiB (for a read replica, its source's, which the replica starts with).
   *
   * @default - not known
   */
  readonly allocatedStorage?: number;

  /**
   * The upper limit of storage autoscaling in GiB.
   *
   * @default - not known, or no storage autoscaling
   */
  readonly maxAllocatedStorage?: number;

  /**
   * The storage type.
   *
   * @default - not known
   */
  readonly storageType?: rds.StorageType;

  /**
   * Whether the storage is encrypted.
   *
   * @default - not known
   */
  readonly storageEncrypted?: boolean;

  /**
   * Whether RDS manages the master password in Secrets Manager (`ManageMasterUserPassword`).
   *
   * @default - not known
   */
  readonly masterUserPasswordManagedByRds?: boolean;

  /**
   * The automated-backup retention.
   *
   * @default - not known
   */
  readonly backupRetention?: Duration;
}

/**
 * An RDS for PostgreSQL DB instance, as every part of this library takes it: a `MultiAzPostgres`, a
 * `CrossRegionReadReplica`, an `rds.DatabaseInstance` of the app wrapped with `PostgresInstanceBase.fromDatabaseInstance`,
 * or an instance made elsewhere, imported with `PostgresInstanceBase.fromPostgresInstanceAttributes`.
 *
 * Its values are literals known at synth time, so a part in another Region's stack can use them without cross-Region
 * references. The optional members are those an import may not know; a part that needs one says so when it is missing.
 */
export interface IPostgresInstance extends IConstruct, ec2.IConnectable, PostgresInstanceFacts {
  /** The RDS DB instance, for what aws-cdk-lib offers on it (grants, `instanceEndpoint`). */
  readonly instance: rds.IDatabaseInstance;

  /** The DB instance identifier, a literal in lower case. */
  readonly instanceIdentifier: string;

  /** The DB instance ARN, built from literals (apart from the partition of an instance of this app). */
  readonly instanceArn: string;

  /** The Region the instance is in, a literal such as `us-east-1`. */
  readonly region: string;

  /** The account the instance is in, a literal 12-digit account ID. */
  readonly account: string;

  /** The port PostgreSQL listens on. */
  readonly port: number;

  /** The endpoint that clients connect to. */
  readonly endpoint: rds.Endpoint;

  /**
   * Whether a synchronous standby runs in a second Availability Zone (Multi-AZ).
   *
   * @default - not known
   */
  readonly isMultiAz?: boolean;

  /**
   * The ARN of the DB instance this one replicates from, while it is a read replica; undefined for a standalone
   * instance (a primary, or a promoted replica).
   *
   * @default - a standalone instance, or not known
   */
  readonly replicationSourceArn?: string;

  /**
   * The literal parameters of the instance's parameter group, when the app defines it.
   *
   * @default - not known
   */
  readonly parameters?: Record<string, string>;

  /**
   * The customer-managed KMS key that encrypts the storage.
   *
   * @default - not known
   */
  readonly storageEncryptionKey?: kms.IKey;

  /**
   * The master user secret.
   *
   * @default - not known, or none (a read replica has its source's master user)
   */
  readonly masterSecret?: secretsmanager.ISecret;

  /**
   * Any `AWS/RDS` metric of this instance, one-minute period, Average by default.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/monitoring-cloudwatch.html
   */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** CPU utilization, percent. */
  metricCPUUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Freeable memory, bytes. */
  metricFreeableMemory(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Free storage space, bytes. */
  metricFreeStorageSpace(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Client connections in use. */
  metricDatabaseConnections(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Lag of the most lagging replication slot, bytes of WAL. */
  metricOldestReplicationSlotLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Disk space used by WAL, bytes. */
  metricTransactionLogsDiskUsage(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Replica lag, seconds (published for read replicas; -1 or no data means replication is not running). */
  metricReplicaLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/**
 * A DB instance made outside this CDK app, for `PostgresInstanceBase.fromPostgresInstanceAttributes`. What is not
 * given stays unknown: a part that needs it asks for it.
 */
export interface PostgresInstanceAttributes extends PostgresInstanceFacts {
  /** The DB instance ARN, a literal such as `arn:aws:rds:us-east-1:111111111111:db:orders-primary`. */
  readonly instanceArn: string;

  /**
   * The endpoint address, a literal such as `orders-primary.abcdefghijkl.us-east-1.rds.amazonaws.com`
   * (`aws rds describe-db-instances --query "DBInstances[0].Endpoint.Address"`).
   */
  readonly endpointAddress: string;

  /**
   * The port PostgreSQL listens on.
   *
   * @default 5432
   */
  readonly port?: number;

  /**
   * The instance's security groups, so `connections` can open ingress to it.
   *
   * @default - none
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The instance's resource ID (`db-...`), which `grantConnect` names.
   *
   * @default - none; `instance.grantConnect` is not available
   */
  readonly instanceResourceId?: string;

  /**
   * Whether the instance runs Multi-AZ.
   *
   * @default - not known
   */
  readonly multiAz?: boolean;

  /**
   * The source's ARN, when the instance is a read replica.
   *
   * @default - a standalone instance
   */
  readonly replicationSourceArn?: string;

  /**
   * The customer-managed KMS key that encrypts the storage.
   *
   * @default - not known
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The master user secret.
   *
   * @default - not known
   */
  readonly secret?: secretsmanager.ISecret;
}
