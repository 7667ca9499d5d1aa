import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The statements a Step Functions state machine's role needs for execution logging to CloudWatch Logs (the vended-log
 * delivery actions) and X-Ray tracing. None of these actions has a resource type, so the resource is `*`.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/xray-iam.html
 */
export function executionLoggingStatements(): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'DeliverExecutionLogs',
      actions: ['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'Trace',
      actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
      resources: ['*'],
    }),
  ];
}

/** The reason of the `AwsSolutions-IAM5[Resource::*]` acknowledgement of `executionLoggingStatements`. */
export const EXECUTION_LOGGING_REASON = 'Step Functions execution logging needs the CloudWatch Logs vended-delivery actions and X-Ray tracing the X-Ray '
  + 'write actions; none of them has a resource type in the service authorization reference, so the resource is "*". '
  + 'https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html';
