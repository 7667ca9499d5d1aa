import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { LATCH_METRIC_NAME } from './probe-metric-contract';

/**
 * An `AWS/RDS` metric for one DB instance. RDS publishes instance metrics every 60 seconds, so the default period
 * is one minute and the statistic a plain Average: both are what Route 53 health checks on alarms require.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/monitoring-cloudwatch.html
 */
export function rdsInstanceMetric(instanceIdentifier: string, metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/RDS',
    metricName,
    dimensionsMap: { DBInstanceIdentifier: instanceIdentifier },
    period: Duration.minutes(1),
    statistic: cloudwatch.Stats.AVERAGE,
    ...props,
  });
}

/**
 * The fence's latch metric, in the probe namespace with the dimension `DBInstanceIdentifier` of the DR instance.
 * It is published as 1 only when the DR instance is observed writable (the DR `WritableProbe` every minute it finds
 * the instance writable, the failover runbook at promotion) and as 0 only by an operator who lifts the fence. The
 * alarm on it (`Maximum` ≥ 1 over one minute, missing data kept missing) feeds a Route 53 health check whose
 * `InsufficientDataHealthStatus` is `LastKnownStatus`, so one datapoint of 1 fences the old primary for good.
 */
export const PROMOTED_METRIC_NAME = LATCH_METRIC_NAME;
