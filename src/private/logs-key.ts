import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * Lets CloudWatch Logs in the stack's Region use `key` for the log groups whose names match `logGroupNamePattern`
 * (the encryption context names the log group, so the grant cannot reach other groups). A no-op for imported keys.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function allowCloudWatchLogs(key: kms.IKey, stack: Stack, sid: string, logGroupNamePattern: string): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
          service: 'logs', resource: 'log-group', resourceName: logGroupNamePattern, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    },
  }));
}

/** How `encryptedLogGroup` makes a log group. */
export interface EncryptedLogGroupOptions {
  readonly logGroupName: string;
  /** The key to use; otherwise a new one (`LogKey`) with rotation, retained, described by `keyDescription`. */
  readonly key?: kms.IKey;
  readonly keyDescription: string;
  /** The Sid of the key-policy statement that lets CloudWatch Logs use the key for this group. */
  readonly keyPolicySid: string;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly retention?: logs.RetentionDays;
}

/**
 * A retained log group `LogGroup` in `scope`, encrypted with the given key or a new `LogKey`, whose key policy lets
 * CloudWatch Logs use it for this group only.
 */
export function encryptedLogGroup(scope: Construct, options: EncryptedLogGroupOptions): logs.LogGroup {
  const key = options.key ?? new kms.Key(scope, 'LogKey', {
    description: options.keyDescription,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  allowCloudWatchLogs(key, Stack.of(scope), options.keyPolicySid, options.logGroupName);
  return new logs.LogGroup(scope, 'LogGroup', {
    logGroupName: options.logGroupName,
    encryptionKey: key,
    retention: options.retention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}
