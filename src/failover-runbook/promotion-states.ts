import { PROBE_DIMENSION, PROBE_STORAGE_RESOLUTION, REACHABLE_METRIC_NAME, WRITABLE_METRIC_NAME } from '../private/probe-metric-contract';

/**
 * The states the promoting workflows share: PromoteReadReplica with its retries and its refusal check, the bounded poll
 * until the instance is no longer a replica, and the writable signal. `FailoverRunbook`, `SwitchoverRunbook` and
 * `RegionFailoverDrill` build their definitions with these functions, so all three promote the same way.
 */

/** One state of a definition. */
export type State = Record<string, unknown>;

export const jsonata = (expression: string) => `{% ${expression} %}`;

/** Retry for read-only and idempotent calls: any task failure, with backoff. */
export const RETRY_READS = [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 2, MaxAttempts: 4, BackoffRate: 2, MaxDelaySeconds: 20, JitterStrategy: 'FULL' }];

/**
 * Step Functions' AWS SDK integrations name request fields, result fields and errors after the AWS SDK for Java v2,
 * not after the RDS API: `DbInstanceIdentifier` (Java `dbInstanceIdentifier`), `DbInstances[0].DbInstanceStatus`, but
 * `ReadReplicaSourceDBInstanceIdentifier`, where the SDK keeps "DB". An error is `Rds.<Java exception class>`, and an
 * error the SDK does not model, throttling among them, arrives as the service's base exception `Rds.RdsException`.
 * test/contracts/sfn-sdk.test.ts checks every name here against the SDK's jars.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 * @see https://sdk.amazonaws.com/java/api/latest/software/amazon/awssdk/services/rds/model/DBInstance.html
 */
export const REPLICA_SOURCE = 'ReadReplicaSourceDBInstanceIdentifier';


/**
 * Retries of PromoteReadReplica. Throttling, internal failures and the other errors the SDK does not model all arrive
 * as `Rds.RdsException` (a modeled error arrives as its own class, which that name does not match). RDS refuses with
 * InvalidDBInstanceState (`Rds.InvalidDbInstanceStateException`) while the instance is in a transient state, such as
 * `backing-up` ("a read replica cannot be promoted to a standalone instance when it is in the backing-up status"):
 * that refusal is retried too, for at most `PROMOTE_STATE_RETRY_SECONDS`, before the run reports it.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-api-throttling.html
 */
export const PROMOTE_RETRY = [
  { ErrorEquals: ['Rds.RdsException'], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' },
  { ErrorEquals: ['Rds.InvalidDbInstanceStateException'], IntervalSeconds: 10, MaxAttempts: 5, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: 'FULL' },
];

/** The longest PROMOTE_RETRY waits on InvalidDBInstanceState (10 + 20 + 40 + 60 + 60 s; jitter only shortens it). */
export const PROMOTE_STATE_RETRY_SECONDS = 190;

/** The helpers of the definition that adds the shared states: its announcements, failures and describe of the replica. */
export interface PromotionTools {
  /** Adds an announcement state `name` for `step`, going to `next`, with extra JSONata fields. */
  readonly notify: (name: string, step: string, next: string, fields?: string) => void;
  readonly fail: (name: string, error: string, cause: string) => void;
  /** Adds a DescribeDBInstances state of the replica that assigns `$replica` (and `$availableAt`). */
  readonly describeReplica: (name: string, next: string, onError: string, assign?: Record<string, string>) => void;
  /** A JSONata condition: `$replica` is still a read replica. */
  readonly isReplica: string;
}

/** What the promotion states need; every value is known at synth time. */
export interface PromotionSettings {
  readonly replicaIdentifier: string;
  readonly backupRetentionDays: number;
  readonly pollSeconds: number;
  readonly maxPolls: number;
  /** JSONata fields of the "promotion requested" announcement. */
  readonly promotingFields: string;
  /** JSONata fields of the "PromoteReadReplica was refused" announcement. */
  readonly refusedFields: string;
  /** The state after the instance is no longer a replica. */
  readonly onPromoted: string;
  /** The state when PromoteReadReplica was refused because another run or an operator promoted the instance. */
  readonly onPromotedElsewhere: string;
  /**
   * The state after the refusal is announced, when PromoteReadReplica was refused and the instance is still a replica.
   *
   * @default - the run fails with `Runbook.PromotionFailed`
   */
  readonly onRefused?: string;
}

/**
 * A DescribeDBInstances of one instance into the variable `replica`; it also records in `availableAt` when the
 * instance was first seen available and no longer a replica.
 */
export function describeInstanceState(identifier: string, next: string, onError: string, assign: Record<string, string> = {}): State {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:rds:describeDBInstances',
    Arguments: { DbInstanceIdentifier: identifier },
    Retry: RETRY_READS,
    Assign: {
      replica: jsonata('$states.result.DbInstances[0]'),
      availableAt: jsonata('$availableAt ? $availableAt : ($states.result.DbInstances[0].DbInstanceStatus = \'available\' '
        + `and $not($exists($states.result.DbInstances[0].${REPLICA_SOURCE})) ? $now() : null)`),
      ...assign,
    },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: onError, Assign: { failure: jsonata('$states.errorOutput') } }],
    Next: next,
  };
}

/** Where the promotion states go on. */
export interface PromoteStatesSettings {
  /** The instance to promote. */
  readonly identifier: string;
  /** `BackupRetentionPeriod` of PromoteReadReplica. */
  readonly backupRetentionDays: number;
  /** The state after PromoteReadReplica was accepted. */
  readonly requested: string;
  /** The state when PromoteReadReplica was refused because the instance is no longer a replica. */
  readonly alreadyPromoted: string;
  /** The state when PromoteReadReplica was refused otherwise (the error is in `$failure`). */
  readonly refused: string;
}

/**
 * `Promote` (PromoteReadReplica with PROMOTE_RETRY), `DescribeAfterRefusal` and `PromotedElsewhere`: the promotion
 * request of the failover runbook, the switchover runbook and the Region drill, one code for all. A refusal is checked against the
 * instance: another run or an operator may have promoted it meanwhile. Reads and writes the variables `replica`,
 * `failure`, `timeline` and `promoteRequestedAt`.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html
 */
export function addPromoteStates(states: Record<string, State>, p: PromoteStatesSettings): void {
  const isReplica = `$exists($replica.${REPLICA_SOURCE})`;
  states.Promote = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:rds:promoteReadReplica',
    Arguments: { DbInstanceIdentifier: p.identifier, BackupRetentionPeriod: p.backupRetentionDays },
    Retry: PROMOTE_RETRY,
    Assign: {
      promoteRequestedAt: jsonata('$now()'),
      timeline: jsonata("$append($timeline, [{'step': 'promotion requested', 'at': $now()}])"),
    },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'DescribeAfterRefusal', Assign: { failure: jsonata('$states.errorOutput') } }],
    Next: p.requested,
  };
  states.DescribeAfterRefusal = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:rds:describeDBInstances',
    Arguments: { DbInstanceIdentifier: p.identifier },
    Retry: RETRY_READS,
    Assign: { replica: jsonata('$states.result.DbInstances[0]') },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: p.refused }],
    Next: 'PromotedElsewhere',
  };
  states.PromotedElsewhere = {
    Type: 'Choice',
    Choices: [{ Condition: jsonata(`$not(${isReplica})`), Next: p.alreadyPromoted }],
    Default: p.refused,
  };
}

/** Where the promotion polling goes on. */
export interface PromotionPollingSettings {
  readonly pollSeconds: number;
  readonly maxPolls: number;
  /** Adds a DescribeDBInstances state of the instance (see `describeInstanceState`) under a name. */
  readonly describe: (name: string, next: string, onError: string, assign: Record<string, string>) => void;
  /** The state once the instance is no longer a replica. */
  readonly promoted: string;
  /** The state after `maxPolls` polls of an instance that is still a replica. */
  readonly timedOut: string;
  /** The state when DescribeDBInstances fails. */
  readonly describeFailed: string;
}

/**
 * `WaitForPromotion`, `DescribePromotion` and `PromotionDone`: polls until the instance is no longer a replica, within
 * `maxPolls` polls. From then on it accepts writes, even while RDS still shows it `modifying` or `backing-up`
 * (PromoteReadReplica turns backups on and reboots it). Counts in the variable `polls`.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html
 */
export function addPromotionPolling(states: Record<string, State>, p: PromotionPollingSettings): void {
  const isReplica = `$exists($replica.${REPLICA_SOURCE})`;
  states.WaitForPromotion = { Type: 'Wait', Seconds: p.pollSeconds, Next: 'DescribePromotion' };
  p.describe('DescribePromotion', 'PromotionDone', p.describeFailed, { polls: jsonata('$polls + 1') });
  states.PromotionDone = {
    Type: 'Choice',
    Choices: [
      { Condition: jsonata(`$not(${isReplica})`), Next: p.promoted },
      { Condition: jsonata(`$polls >= ${p.maxPolls}`), Next: p.timedOut },
    ],
    Default: 'WaitForPromotion',
  };
}

/**
 * Adds `Promote`, its refusal check, the poll until the instance is no longer a replica, and their failures. Uses the
 * workflow variables `$replica`, `$failure`, `$polls`, `$timeline` and `$promoteRequestedAt`.
 */
export function addPromotionStates(states: Record<string, State>, t: PromotionTools, o: PromotionSettings): void {
  // 6. Promote. A refusal is checked against the instance: another run (EventBridge delivers at least once) or an
  // operator may have promoted it meanwhile, and then this run resumes instead of failing.
  addPromoteStates(states, {
    identifier: o.replicaIdentifier,
    backupRetentionDays: o.backupRetentionDays,
    requested: 'NotifyPromoting',
    alreadyPromoted: o.onPromotedElsewhere,
    refused: 'NotifyPromotionFailed',
  });
  t.notify('NotifyPromotionFailed', 'failed: PromoteReadReplica was refused', o.onRefused ?? 'PromotionFailed', o.refusedFields);
  if (o.onRefused === undefined) {
    t.fail('PromotionFailed', 'Runbook.PromotionFailed', jsonata("'PromoteReadReplica failed: ' & $string($failure)"));
  }
  t.notify('NotifyPromoting', 'promotion requested', 'WaitForPromotion', o.promotingFields);

  // 7. Poll until the instance is no longer a replica.
  addPromotionPolling(states, {
    pollSeconds: o.pollSeconds,
    maxPolls: o.maxPolls,
    describe: t.describeReplica,
    promoted: o.onPromoted,
    timedOut: 'NotifyPromotionTimedOut',
    describeFailed: 'NotifyCannotDescribePromotion',
  });
  t.notify('NotifyCannotDescribePromotion', 'failed: cannot describe the instance after PromoteReadReplica', 'CannotDescribePromotion',
    "'error': $failure, 'polls': $polls, 'advice': 'the promotion was requested and may be under way or done; run again to resume'");
  t.fail('CannotDescribePromotion', 'Runbook.CannotDescribePromotion',
    'PromoteReadReplica was accepted, then DescribeDBInstances failed: the promotion may be under way or done. Run again to resume.');
  t.notify('NotifyPromotionTimedOut', `failed: still a replica after ${o.maxPolls} polls`, 'PromotionTimedOut',
    "'status': $replica.DbInstanceStatus, 'polls': $polls");
  t.fail('PromotionTimedOut', 'Runbook.PromotionTimedOut',
    `PromoteReadReplica was accepted, but the instance was still a replica after ${o.maxPolls} polls of ${o.pollSeconds} s; run again to resume.`);
}

/** What the writable signal needs. */
export interface WritableSignalSettings {
  readonly replicaIdentifier: string;
  readonly namespace: string;
  /** The fence's latch metric name, published as 1 with the writable signal (Route53DbFailover's latch). */
  readonly latchMetricName?: string;
  readonly next: string;
}

/** Adds `PublishWritable`: the writable signal the secondary writer record's health check follows. */
export function addWritableSignal(states: Record<string, State>, o: WritableSignalSettings): void {
  const dimensions = [{ Name: PROBE_DIMENSION, Value: o.replicaIdentifier }];
  states.PublishWritable = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:cloudwatch:putMetricData',
    Arguments: {
      Namespace: o.namespace,
      MetricData: [
        { MetricName: WRITABLE_METRIC_NAME, Dimensions: dimensions, Value: 1, Unit: 'Count', StorageResolution: PROBE_STORAGE_RESOLUTION },
        { MetricName: REACHABLE_METRIC_NAME, Dimensions: dimensions, Value: 1, Unit: 'Count', StorageResolution: PROBE_STORAGE_RESOLUTION },
        // The latch: from this datapoint on, neither failover name answers the old primary until an operator lifts it.
        ...(o.latchMetricName ? [{ MetricName: o.latchMetricName, Dimensions: dimensions, Value: 1, Unit: 'Count', StorageResolution: PROBE_STORAGE_RESOLUTION }] : []),
      ],
    },
    Retry: RETRY_READS,
    Assign: { writableAt: jsonata('$now()'), signalPublished: true },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: o.next, Assign: { writableAt: jsonata('$now()'), signalPublished: false } }],
    Next: o.next,
  };
}

/**
 * Adds `Report` and `Done`: the report published on the topic and given as the execution's output. A failed publish
 * still ends the run with the report as its output: the run's outcome matters more than the message about it.
 */
export function addReportStates(states: Record<string, State>, o: { topicArn: string; subject: string; report: string }): void {
  states.Report = {
    Type: 'Task',
    Resource: 'arn:aws:states:::sns:publish',
    Arguments: { TopicArn: o.topicArn, Subject: o.subject, Message: jsonata(`$string(${o.report})`) },
    Retry: RETRY_READS,
    Output: jsonata(o.report),
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Done', Output: jsonata(o.report) }],
    Next: 'Done',
  };
  states.Done = { Type: 'Succeed' };
}
