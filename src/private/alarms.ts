import { Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * An alarm's name when it is a literal in its template (an alarm of this app with an `alarmName`), else undefined.
 * Constructs that name alarms at synth time (health checks, IAM resources, a state machine definition) need it.
 */
export function literalAlarmNameOf(alarm: cloudwatch.IAlarm): string | undefined {
  const cfn = alarm.node.defaultChild;
  const name = cfn instanceof cloudwatch.CfnAlarm ? cfn.alarmName : undefined;
  return name === undefined || Token.isUnresolved(name) ? undefined : name;
}
