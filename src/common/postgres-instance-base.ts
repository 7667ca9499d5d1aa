import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { rdsInstanceMetric } from '../private/metrics';

/**
 * What every PostgreSQL DB instance construct of this library exposes: the instance, how to reach it, and its
 * CloudWatch metrics. `DbAlarmSet`, `Route53DbFailover` and the failover runbook build on this surface.
 */
export abstract class PostgresInstanceBase extends Construct implements ec2.IConnectable {
  /** The RDS DB instance. */
  public abstract readonly instance: rds.IDatabaseInstance;
  /** The DB instance identifier (a literal, known at synth time). */
  public abstract readonly instanceIdentifier: string;
  /** The DB instance ARN, built from literals so it can be used in another Region's stack. */
  public abstract readonly instanceArn: string;
  /** Network access to the instance. No ingress is open until you grant it through this. */
  public abstract readonly connections: ec2.Connections;

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
