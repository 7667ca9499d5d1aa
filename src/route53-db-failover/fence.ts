import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { PROMOTED_METRIC_NAME } from '../private/metrics';
import { PROBE_METRIC_NAMESPACE } from '../writable-probe/writable-probe';

/** The fence's latch: the secondary's `Promoted` metric, the alarm on it, and the command that lifts it. */
export interface Latch {
  readonly metric: cloudwatch.Metric;
  readonly alarm: cloudwatch.Alarm;
  readonly liftCommand: string;
}

/**
 * The latch: the `Promoted` metric of the secondary and an alarm on it, in the scope's stack (the secondary's Region).
 * `Maximum` ≥ 1 over one minute, one datapoint to alarm, and missing data left missing, so that a minute without
 * data is insufficient data (the health checks then keep their last known status), never a return to OK.
 *
 * The latch turning on (a promotion) and off (the fence lifted) goes where `writableAlarm` announces (its ALARM
 * actions, on ALARM and OK), when both are in one stack.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html#dns-failover-determining-health-of-endpoints-cloudwatch
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
 */
export function makeLatch(scope: Construct, instanceIdentifier: string, writableAlarm: cloudwatch.IAlarm,
  writerDnsName: string, readerDnsName: string | undefined): Latch {
  const stack = Stack.of(scope);
  const metric = new cloudwatch.Metric({
    namespace: PROBE_METRIC_NAMESPACE,
    metricName: PROMOTED_METRIC_NAME,
    dimensionsMap: { DBInstanceIdentifier: instanceIdentifier },
    period: Duration.minutes(1),
    statistic: cloudwatch.Stats.MAXIMUM,
  });
  const alarm = new cloudwatch.Alarm(scope, 'FenceLatchAlarm', {
    alarmName: `${instanceIdentifier}-promoted`,
    alarmDescription: `[INFO] ${instanceIdentifier} has been promoted: the old primary is fenced out of ${writerDnsName}`
      + `${readerDnsName ? ` and ${readerDnsName}` : ''} (Route53DbFailover). Expected OK or INSUFFICIENT_DATA before `
      + 'a promotion. Only an operator lifts the fence, by publishing Promoted=0 once this instance is no longer a writable primary.',
    metric,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: cloudwatch.TreatMissingData.MISSING,
  });
  if (Stack.of(writableAlarm) === stack) {
    const writableCfn = writableAlarm.node.defaultChild as cloudwatch.CfnAlarm;
    const latchCfn = alarm.node.defaultChild as cloudwatch.CfnAlarm;
    latchCfn.alarmActions = writableCfn.alarmActions;
    latchCfn.okActions = writableCfn.alarmActions;
  }
  const liftCommand = 'aws cloudwatch put-metric-data'
    + ` --region ${stack.region} --namespace ${PROBE_METRIC_NAMESPACE} --metric-name ${PROMOTED_METRIC_NAME}`
    + ` --dimensions DBInstanceIdentifier=${instanceIdentifier} --value 0 --unit Count --storage-resolution 60`;
  return { metric, alarm, liftCommand };
}
