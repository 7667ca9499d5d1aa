import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * An `AWS/RDS` metric for one DB instance. RDS publishes instance metrics every 60 seconds, so the default period
 * is one minute and the statistic a plain Average: both are what Route 53 health checks on alarms require.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html
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
