import {
  addPromotionStates, addReportStates, addWritableSignal, describeInstanceState, jsonata, PROMOTE_STATE_RETRY_SECONDS, PromotionTools,
  REPLICA_SOURCE, RETRY_READS,
} from '../failover-runbook/promotion-states';

/** What the switchover's definition is built from; every value is known at synth time. */
export interface SwitchoverSettings {
  readonly replicaIdentifier: string;
  /** The writer the replica must follow: its ARN (a cross-Region replica reports its source as an ARN). */
  readonly writerArn: string;
  readonly writerIdentifier: string;
  /** The relay in this Region that forwards `fence`, `unfence` and `writerLsn` to the writer's agent. */
  readonly writerRelayArn: string;
  /** The SQL agent in this Region, next to the replica. */
  readonly targetAgentArn: string;
  readonly namespace: string;
  readonly latchMetricName?: string;
  readonly backupRetentionDays: number;
  readonly replayPollSeconds: number;
  readonly maxReplayPolls: number;
  readonly pollSeconds: number;
  readonly maxPolls: number;
  readonly timeoutSeconds: number;
}

export const SWITCHOVER_TOPIC_SUBSTITUTION = 'TopicArn';

/** How long the run may spend on an agent call, with its retries, beyond the waits it counts itself. */
export const AGENT_CALL_SECONDS = 60;

/**
 * Retries of an agent invocation through the optimized Lambda integration: the errors the Step Functions guide lists for
 * Lambda's transient service failures, with backoff. The agent's own errors (a refused operation, a failed login or
 * statement) arrive under their error type and are not retried here: the run decides on them.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
 */
const RETRY_AGENT = [{
  ErrorEquals: ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException'],
  IntervalSeconds: 2,
  MaxAttempts: 4,
  BackoffRate: 2,
  MaxDelaySeconds: 20,
  JitterStrategy: 'FULL',
}];

/**
 * The unfence of an instance that may be rebooting (the promoted one reboots after PromoteReadReplica; a fenced writer
 * may fail over within its Multi-AZ pair): every failure is retried for about ten minutes.
 */
const RETRY_UNFENCE = [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 10, MaxAttempts: 8, BackoffRate: 1.5, MaxDelaySeconds: 120, JitterStrategy: 'FULL' }];

const secondsBetween = (from: string, to: string) => `(${from} and ${to} ? $round(($toMillis(${to}) - $toMillis(${from})) / 1000, 3) : null)`;

/**
 * The switchover's Amazon States Language definition, in JSONata: check the replica follows the expected writer, fence
 * the writer (agent through the relay), wait within a bound until the replica has replayed the fence LSN (agent in this
 * Region), then promote with the FailoverRunbook's states, unfence the promoted instance (the fence's database settings
 * replicate with the WAL), publish the writable signal and report. A fence that fails, or a replay that never reaches the
 * fence LSN, aborts: the writer is unfenced and nothing is promoted.
 */
export function buildSwitchoverDefinition(s: SwitchoverSettings): Record<string, unknown> {
  const states: Record<string, Record<string, unknown>> = {};
  const topicArn = `\${${SWITCHOVER_TOPIC_SUBSTITUTION}}`;
  const runbook = `${s.replicaIdentifier}-switchover`;
  const subject = (text: string) => `${runbook}: ${text}`.slice(0, 99);
  const notify = (name: string, step: string, next: string, fields: string = '') => {
    states[name] = {
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish',
      Arguments: {
        TopicArn: topicArn,
        Subject: subject(step),
        Message: jsonata(`$string({'runbook': '${runbook}', 'execution': $states.context.Execution.Name, 'step': '${step}', `
          + `'at': $now()${fields ? `, ${fields}` : ''}})`),
      },
      Retry: RETRY_READS,
      Assign: { timeline: jsonata(`$append($timeline, [{'step': '${step}', 'at': $now()}])`) },
      Catch: [{ ErrorEquals: ['States.ALL'], Next: next, Assign: { notifyFailures: jsonata(`$append($notifyFailures, ['${step}'])`) } }],
      Next: next,
    };
  };
  const fail = (name: string, error: string, cause: string) => {
    states[name] = { Type: 'Fail', Error: error, Cause: cause };
  };
  const isReplica = `$exists($replica.${REPLICA_SOURCE})`;
  const describeReplica = (name: string, next: string, onError: string, assign: Record<string, string> = {}) => {
    states[name] = describeInstanceState(s.replicaIdentifier, next, onError, assign);
  };

  const tools: PromotionTools = { notify, fail, describeReplica, isReplica };
  /** An invocation of an agent; its answer is `$states.result.Payload`. */
  const invoke = (functionArn: string, payload: Record<string, string>) => ({
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Arguments: { FunctionName: functionArn, Payload: payload },
    TimeoutSeconds: AGENT_CALL_SECONDS,
  });
  const lsnFields = "'fenceLsn': $fenceLsn, 'replayLsn': $replayLsn, 'lagBytes': $lagBytes, 'replayPolls': $replayPolls";

  states.Initialize = {
    Type: 'Pass',
    Assign: {
      reason: jsonata("$exists($states.input.reason) ? $string($states.input.reason) : 'not given'"),
      startedAt: jsonata('$states.context.Execution.StartTime'),
      outcome: 'switched-over',
      timeline: [],
      notifyFailures: [],
      polls: 0,
      replayPolls: 0,
      fenceLsn: null,
      replayLsn: null,
      lagBytes: null,
      terminated: null,
      fencedAt: null,
      caughtUpAt: null,
      promoteRequestedAt: null,
      writableAt: null,
      availableAt: null,
      signalPublished: false,
      writerUnfenced: null,
      newWriterUnfenced: null,
      failure: null,
    },
    Next: 'DescribeReplica',
  };

  // 1. The replica must still be a replica of the expected writer (RDS reports a cross-Region source as its ARN).
  describeReplica('DescribeReplica', 'FollowsWriter', 'NotifyCannotDescribe');
  states.FollowsWriter = {
    Type: 'Choice',
    Choices: [
      { Condition: jsonata(`$not(${isReplica})`), Next: 'NotifyNotAReplica' },
      { Condition: jsonata(`$replica.${REPLICA_SOURCE} in ['${s.writerArn}', '${s.writerIdentifier}'] and $replica.DbInstanceStatus = 'available'`), Next: 'NotifyStarted' },
    ],
    Default: 'NotifyWrongSource',
  };
  notify('NotifyCannotDescribe', 'refused: cannot describe the replica', 'CannotDescribe', "'error': $failure");
  fail('CannotDescribe', 'Switchover.CannotDescribeReplica', 'DescribeDBInstances on the replica failed; nothing was changed.');
  notify('NotifyNotAReplica', 'refused: the target is not a read replica', 'NotAReplica', "'status': $replica.DbInstanceStatus");
  fail('NotAReplica', 'Switchover.NotAReplica', `${s.replicaIdentifier} is not a read replica; nothing was changed.`);
  notify('NotifyWrongSource', 'refused: the replica does not follow the expected writer, or is not available', 'WrongSource',
    `'source': $replica.${REPLICA_SOURCE}, 'expected': '${s.writerArn}', 'status': $replica.DbInstanceStatus`);
  fail('WrongSource', 'Switchover.WrongSource',
    `${s.replicaIdentifier} is not an available replica of ${s.writerArn}; nothing was changed.`);
  notify('NotifyStarted', 'started', 'Fence', `'reason': $reason, 'writer': '${s.writerArn}'`);

  // 2. Fence the writer: new sessions read-only, other sessions terminated, then the fence LSN.
  states.Fence = {
    ...invoke(s.writerRelayArn, { operation: 'fence' }),
    Retry: RETRY_AGENT,
    Assign: {
      fenceLsn: jsonata('$states.result.Payload.lsn'),
      terminated: jsonata('$states.result.Payload.terminated'),
      fencedAt: jsonata('$now()'),
    },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'NotifyFenceFailed', Assign: { failure: jsonata('$states.errorOutput'), outcome: 'aborted: fence failed' } }],
    Next: 'NotifyFenced',
  };
  notify('NotifyFenceFailed', 'aborting: the writer could not be fenced', 'UnfenceWriter', "'error': $failure");
  notify('NotifyFenced', 'writer fenced', 'ReadReplay', "'fenceLsn': $fenceLsn, 'terminated': $terminated");

  // 3. Wait, within a bound, until the replica has replayed the fence LSN. An agent error counts as one poll not reached.
  states.ReadReplay = {
    ...invoke(s.targetAgentArn, { operation: 'replayLsn', fenceLsn: jsonata('$fenceLsn') } as unknown as Record<string, string>),
    Retry: RETRY_AGENT,
    Assign: {
      replayPolls: jsonata('$replayPolls + 1'),
      replayLsn: jsonata('$states.result.Payload.lsn'),
      lagBytes: jsonata('$states.result.Payload.lagBytes'),
      caughtUpAt: jsonata('$states.result.Payload.reached = true ? $now() : null'),
    },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'CaughtUp', Assign: { replayPolls: jsonata('$replayPolls + 1'), failure: jsonata('$states.errorOutput') } }],
    Next: 'CaughtUp',
  };
  states.CaughtUp = {
    Type: 'Choice',
    Choices: [
      { Condition: jsonata('$caughtUpAt != null and $lagBytes = 0'), Next: 'NotifyCaughtUp' },
      { Condition: jsonata(`$replayPolls >= ${s.maxReplayPolls}`), Next: 'NotifyReplayTimedOut' },
    ],
    Default: 'WaitForReplay',
  };
  states.WaitForReplay = { Type: 'Wait', Seconds: s.replayPollSeconds, Next: 'ReadReplay' };
  notify('NotifyReplayTimedOut', `aborting: the replica did not replay the fence LSN within ${s.maxReplayPolls} polls`, 'MarkReplayTimedOut',
    `${lsnFields}, 'error': $failure`);
  states.MarkReplayTimedOut = { Type: 'Pass', Assign: { outcome: 'aborted: replay did not reach the fence LSN' }, Next: 'UnfenceWriter' };
  notify('NotifyCaughtUp', 'replica caught up with the fence LSN', 'Promote', lsnFields);

  // 4. Abort: the writer is made writable again; nothing was promoted.
  states.UnfenceWriter = {
    ...invoke(s.writerRelayArn, { operation: 'unfence' }),
    Retry: RETRY_UNFENCE,
    Assign: { writerUnfenced: true },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Aborted', Assign: { writerUnfenced: false, failure: jsonata('$states.errorOutput') } }],
    Next: 'Aborted',
  };

  // 5. Promote with the FailoverRunbook's states; a replica promoted meanwhile is not promoted again.
  addPromotionStates(states, tools, {
    replicaIdentifier: s.replicaIdentifier,
    backupRetentionDays: s.backupRetentionDays,
    pollSeconds: s.pollSeconds,
    maxPolls: s.maxPolls,
    promotingFields: `'backupRetentionDays': ${s.backupRetentionDays}, ${lsnFields}`,
    refusedFields: `'error': $failure, ${lsnFields}, 'advice': 'the replica is still a replica: the writer is unfenced and nothing is promoted'`,
    onPromoted: 'UnfenceNewWriter',
    onPromotedElsewhere: 'UnfenceNewWriter',
    // A refusal (for example during the replica's backup window) leaves the replica a replica: nothing was promoted, so
    // the switchover aborts like a replay that fell short and makes the writer writable again.
    // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html
    onRefused: 'MarkPromotionRefused',
  });
  states.MarkPromotionRefused = { Type: 'Pass', Assign: { outcome: 'aborted: PromoteReadReplica was refused' }, Next: 'UnfenceWriter' };

  // 6. The fence's ALTER DATABASE settings live in a shared catalog and reached the replica with the WAL: the promoted
  // instance starts new sessions read-only until they are reset there. The old writer stays fenced.
  states.UnfenceNewWriter = {
    ...invoke(s.targetAgentArn, { operation: 'unfence' }),
    Retry: RETRY_UNFENCE,
    Assign: { newWriterUnfenced: true },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'PublishWritable', Assign: { newWriterUnfenced: false, failure: jsonata('$states.errorOutput') } }],
    Next: 'PublishWritable',
  };
  addWritableSignal(states, { replicaIdentifier: s.replicaIdentifier, namespace: s.namespace, latchMetricName: s.latchMetricName, next: 'NotifyWritable' });
  notify('NotifyWritable', 'writable', 'AvailableYet', "'signalPublished': $signalPublished, 'newWriterUnfenced': $newWriterUnfenced");
  const isPromoted = `$replica.DbInstanceStatus = 'available' and $not(${isReplica})`;
  states.AvailableYet = {
    Type: 'Choice',
    Choices: [
      { Condition: jsonata(isPromoted), Next: 'Report' },
      { Condition: jsonata(`$polls >= ${s.maxPolls}`), Next: 'Report' },
    ],
    Default: 'WaitForAvailable',
  };
  states.WaitForAvailable = { Type: 'Wait', Seconds: s.pollSeconds, Next: 'DescribeAvailable' };
  describeReplica('DescribeAvailable', 'AvailableYet', 'Report', { polls: jsonata('$polls + 1') });

  // 7. The report, as the last announcement and as the execution's output (or the abort's cause).
  const report = `{'runbook': '${runbook}', 'outcome': $outcome, 'replica': '${s.replicaIdentifier}', 'writer': '${s.writerArn}', `
    + `'reason': $reason, ${lsnFields}, 'lagBytesAtPromotion': $promoteRequestedAt ? $lagBytes : null, 'terminatedSessions': $terminated, `
    + "'writerUnfenced': $writerUnfenced, 'newWriterUnfenced': $newWriterUnfenced, 'signalPublished': $signalPublished, "
    + "'startedAt': $startedAt, 'fencedAt': $fencedAt, 'caughtUpAt': $caughtUpAt, 'promoteRequestedAt': $promoteRequestedAt, "
    + "'writableAt': $writableAt, 'availableAt': $availableAt, 'phases': {"
    + `'fenceSeconds': ${secondsBetween('$startedAt', '$fencedAt')}, 'catchUpSeconds': ${secondsBetween('$fencedAt', '$caughtUpAt')}, `
    + `'promotionSeconds': ${secondsBetween('$promoteRequestedAt', '$writableAt')}, 'writesBlockedSeconds': ${secondsBetween('$fencedAt', '$writableAt')}}, `
    + "'error': $failure, 'timeline': $timeline, 'notifyFailures': $notifyFailures}";
  addReportStates(states, { topicArn, subject: subject('report'), report });
  states.Aborted = {
    Type: 'Task',
    Resource: 'arn:aws:states:::sns:publish',
    Arguments: { TopicArn: topicArn, Subject: subject('aborted: nothing promoted'), Message: jsonata(`$string(${report})`) },
    Retry: RETRY_READS,
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'SwitchoverAborted' }],
    Next: 'SwitchoverAborted',
  };
  fail('SwitchoverAborted', 'Switchover.Aborted', jsonata(`$string(${report})`));

  return {
    Comment: `Planned zero-data-loss switchover from ${s.writerIdentifier} to ${s.replicaIdentifier} (cdk-resilient-postgres SwitchoverRunbook)`,
    QueryLanguage: 'JSONata',
    StartAt: 'Initialize',
    TimeoutSeconds: s.timeoutSeconds,
    States: states,
  };
}

/** The execution timeout: every wait the run can reach, with an allowance for the calls and their retries. */
export function switchoverTimeoutSeconds(s: { replayPollSeconds: number; maxReplayPolls: number; pollSeconds: number; maxPolls: number }): number {
  return s.replayPollSeconds * s.maxReplayPolls + 2 * s.pollSeconds * s.maxPolls + PROMOTE_STATE_RETRY_SECONDS
    + 3 * 900 + (s.maxReplayPolls + 4) * AGENT_CALL_SECONDS;
}
