import {
  addPromotionStates, addReportStates, addWritableSignal, describeInstanceState, jsonata, PromotionTools, REPLICA_SOURCE, RETRY_READS, State,
} from './promotion-states';

export { PROMOTE_STATE_RETRY_SECONDS } from './promotion-states';

/** What the runbook's definition is built from; every value is known at synth time. */
export interface RunbookSettings {
  /** The runbook's Region, where an approver sends the task token. */
  readonly region: string;
  readonly replicaIdentifier: string;
  readonly replicaArn: string;
  readonly primaryArn: string;
  readonly namespace: string;
  /** The replication-stalled alarm first, then the evidence alarms. */
  readonly evidenceAlarmNames: string[];
  readonly lagLookbackSeconds: number;
  readonly fenceAlarmName?: string;
  /** The fence's latch metric name, published as 1 with the writable signal (Route53DbFailover's latch). */
  readonly latchMetricName?: string;
  readonly fenceTagPrefix: string;
  readonly minimumEvidence: number;
  readonly rpoSeconds: number;
  readonly backupRetentionDays: number;
  readonly approval: boolean;
  readonly approvalTimeoutSeconds: number;
  readonly pollSeconds: number;
  readonly maxPolls: number;
  /** How many times a run started by the alarm re-reads the replica, the evidence and the lag before it refuses. */
  readonly guardRechecks: number;
  /** Seconds between those re-reads, and between the re-reads of a busy replica after the approval. */
  readonly guardRecheckSeconds: number;
  /** How many times the fence alarm is read until it is in ALARM (at least 1). */
  readonly fenceReads: number;
  /** Seconds between the fence alarm reads. */
  readonly fenceReadSeconds: number;
  /** The execution's timeout (the definition's `TimeoutSeconds`). */
  readonly timeoutSeconds: number;
}

/** The one `DefinitionSubstitutions` key: the topic's ARN is the only value not known at synth time. */
export const TOPIC_ARN_SUBSTITUTION = 'TopicArn';


/** Retry for read-only and idempotent calls: any task failure, with backoff. */
/** How often the approval request is sent again after a failure other than a rejection or a timeout. */
export const APPROVAL_RESENDS = 2;


/**
 * DB instance statuses that end by themselves: a run started by the alarm, and a run between its approval and the
 * promotion, wait for them to pass instead of refusing. The others (`stopped`, `failed`, `storage-full`,
 * `incompatible-*`, `inaccessible-encryption-credentials`, ...) need an operator. Statuses that start with
 * `configuring-` (`configuring-enhanced-monitoring`, `-iam-database-auth`, `-log-exports`) are transient too.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html#Overview.DBInstance.Status
 */
export const TRANSIENT_STATUSES = [
  'backing-up', 'maintenance', 'modifying', 'rebooting', 'renaming', 'resetting-master-credentials', 'starting',
  'storage-optimization', 'upgrading',
];
const TRANSIENT_PREFIX = 'configuring-';

/**
 * The error name an approver rejects with (SendTaskFailure). It is never retried; another error name on the approval
 * task is taken for a failed delivery of the request, which is sent again.
 */
export const REJECTION_ERROR = 'Rejected';

/**
 * SNS Publish: "Subjects must be UTF-8 text with no line breaks or control characters, and less than 100 characters long."
 *
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export const MAX_SUBJECT_LENGTH = 99;


/**
 * The approval request's commands, as JSONata expressions that put the request's task token in: SendTaskSuccess takes
 * `taskToken` and `output` (the CLI's `--task-output`, renamed from `--output`, which is the CLI's output format), and
 * the run reads `approvedBy` from the output; SendTaskFailure takes `taskToken`, `error` and `cause`, and the run
 * takes the error `Rejected` for a rejection. The token and the JSON are each one shell word in single quotes (a task
 * token holds no quote). JSONata strings in double quotes hold those single quotes.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskFailure.html
 * @see https://docs.aws.amazon.com/cli/latest/reference/stepfunctions/send-task-success.html
 * @see https://github.com/aws/aws-cli/blob/develop/awscli/customizations/argrename.py (`stepfunctions.send-task-success.output`)
 */
function approveCommand(region: string): string {
  return `"aws stepfunctions send-task-success --region ${region} --task-token '" & $states.context.Task.Token & `
    + '"\' --task-output \'{\\"approvedBy\\":\\"<your name>\\"}\'"';
}

/**
 * The approval request as e-mail subscribers read it: what is asked, the two commands on lines of their own, and the
 * request's JSON document (`$request`) for the evidence.
 */
function approvalEmail(runbook: string, replicaIdentifier: string): string {
  return `"The failover runbook ${runbook} asks for approval to promote ${replicaIdentifier} (execution " `
    + '& $states.context.Execution.Name & "). Run one of these commands within the approval timeout.\\n\\n'
    + 'To approve:\\n" & $request.approve & "\\n\\nTo reject:\\n" & $request.reject & '
    + '"\\n\\nThe request:\\n" & $string($request, true)';
}

/** The rejection command of the approval request: see `approveCommand`. */
function rejectCommand(region: string): string {
  return `"aws stepfunctions send-task-failure --region ${region} --task-token '" & $states.context.Task.Token & `
    + `"' --error ${REJECTION_ERROR} --cause '<why>'"`;
}

/**
 * From the GetMetricData result: the datapoints with a lag (RDS reports -1 when it cannot tell), the replay position of
 * each (its time minus its lag), and the bound on the data the replica lacks: the lag of the earliest datapoint at the
 * final replay position (within 10 s, for the jitter between sampling and timestamps). Also the latest lag and how
 * long replay has not advanced. A window without datapoints has no bound, which the guard refuses. No expression
 * uses `$` or `$$` (the context item and the root), which the Step Functions interpreter of moto rejects. A timestamp
 * is taken as an ISO 8601 string or as a number of seconds since the epoch, the form of a timestamp in the AWS JSON
 * protocols that CloudWatch speaks.
 *
 * @see https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.Monitor.html
 */
const LAG_ANALYSIS = '('
  + '$r := $states.result.MetricDataResults[0]; '
  + '$points := $sort($filter($map($r.Timestamps, function($t, $i) { {\'at\': $type($t) = \'number\' ? $round($t * 1000) : $toMillis($t), \'lag\': $r.Values[$i]} }), '
  + 'function($p) { $p.lag >= 0 }), function($a, $b) { $a.at > $b.at }); '
  + '$replayed := $max($map($points, function($p) { $p.at - $p.lag * 1000 })); '
  + '$stalled := $filter($points, function($p) { $p.at - $p.lag * 1000 >= $replayed - 10000 }); '
  + "$count($points) = 0 ? {'datapoints': 0, 'boundSeconds': null} : {"
  + "'datapoints': $count($points), "
  + "'boundSeconds': $stalled[0].lag, "
  + "'latestSeconds': $points[-1].lag, "
  + "'lastReplayAt': $fromMillis($replayed), "
  + "'replayStalledSeconds': $round(($toMillis($now()) - $replayed) / 1000, 3)"
  + '})';


/**
 * The GetMetricData task that reads an instance's ReplicaLag (one-minute Maximum) over the last `lookbackSeconds` and
 * assigns `$lag` with LAG_ANALYSIS: the runbook's RPO guard and the Region drill's lag at promotion read it alike.
 */
export function readLagTask(identifier: string, lookbackSeconds: number): State {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:cloudwatch:getMetricData',
    Arguments: {
      StartTime: jsonata(`$fromMillis($toMillis($now()) - ${lookbackSeconds * 1000})`),
      EndTime: jsonata('$now()'),
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [{
        Id: 'lag',
        MetricStat: {
          Metric: { Namespace: 'AWS/RDS', MetricName: 'ReplicaLag', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: identifier }] },
          Period: 60,
          Stat: 'Maximum',
        },
      }],
    },
    Retry: RETRY_READS,
    Assign: { lag: jsonata(LAG_ANALYSIS) },
  };
}

/** Seconds between two ISO 8601 timestamps, rounded to milliseconds. */
export const secondsBetween = (from: string, to: string) => `$round(($toMillis(${to}) - $toMillis(${from})) / 1000, 3)`;

/**
 * The runbook's Amazon States Language definition, in JSONata. Workflow variables carry what a later step needs;
 * every SNS announcement is a JSON message with the step, the time and the seconds since the run started. The
 * variable with the last error is `failure`: a variable named `error` would hide JSONata's `$error()` function.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
 * @see https://docs.jsonata.org/object-functions#error
 */
export function buildRunbookDefinition(s: RunbookSettings): Record<string, unknown> {
  const states: Record<string, State> = {};
  const topicArn = `\${${TOPIC_ARN_SUBSTITUTION}}`;
  const runbook = `${s.replicaIdentifier}-failover`;
  const subject = (text: string) => `${runbook}: ${text}`.slice(0, MAX_SUBJECT_LENGTH);

  /**
   * An announcement. It never stops the run: a failed publish is retried, then recorded in `$notifyFailures` and the
   * run goes on, because the promotion matters more than the message about it.
   */
  const notify = (name: string, step: string, next: string, fields: string = '') => {
    states[name] = {
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish',
      Arguments: {
        TopicArn: topicArn,
        Subject: subject(step),
        Message: jsonata(`$string({'runbook': '${runbook}', 'execution': $states.context.Execution.Name, 'step': '${step}', `
          + `'at': $now(), 'secondsSinceStart': ${secondsBetween('$startedAt', '$now()')}${fields ? `, ${fields}` : ''}})`),
      },
      Retry: RETRY_READS,
      Assign: { timeline: jsonata(`$append($timeline, [{'step': '${step}', 'at': $now()}])`) },
      Catch: [{
        ErrorEquals: ['States.ALL'],
        Next: next,
        Assign: {
          timeline: jsonata(`$append($timeline, [{'step': '${step}', 'at': $now(), 'notified': false}])`),
          notifyFailures: jsonata(`$append($notifyFailures, [{'step': '${step}', 'error': $states.errorOutput.Error}])`),
        },
      }],
      Next: next,
    };
  };
  const fail = (name: string, error: string, cause: string) => {
    states[name] = { Type: 'Fail', Error: error, Cause: cause };
  };
  const isReplica = `$exists($replica.${REPLICA_SOURCE})`;
  const isPromoted = `$replica.DbInstanceStatus = 'available' and $not(${isReplica})`;
  /** A describe of the replica; it also records when the promoted instance was first seen available. */
  const describeReplica = (name: string, next: string, onError: string, assign: Record<string, string> = {}) => {
    states[name] = describeInstanceState(s.replicaIdentifier, next, onError, assign);
  };
  const tools: PromotionTools = { notify, fail, describeReplica, isReplica };
  const transient = `($replica.DbInstanceStatus in ${JSON.stringify(TRANSIENT_STATUSES).replace(/"/g, "'")} `
    + `or $substring($replica.DbInstanceStatus, 0, ${TRANSIENT_PREFIX.length}) = '${TRANSIENT_PREFIX}')`;
  // Only a run the alarm started waits for the guards: CloudWatch sends the event once, when the alarm goes to ALARM,
  // so a refusal would never be retried. An operator who is refused decides again, with the refusal in hand.
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
  const mayRecheck = `$trigger = 'alarm' and $guardChecks < ${s.guardRechecks}`;
  const recheckFields = `'rechecks': $guardChecks, 'maxRechecks': ${s.guardRechecks}`;

  // 1. Start: normalise the input.
  states.Initialize = {
    Type: 'Pass',
    Assign: {
      force: jsonata('$states.input.force = true'),
      reason: jsonata("$exists($states.input.reason) ? $string($states.input.reason) : 'not given'"),
      trigger: jsonata("$states.input.trigger = 'alarm' ? 'alarm' : 'operator'"),
      startedAt: jsonata('$states.context.Execution.StartTime'),
      // Only an ISO 8601 UTC timestamp is taken, so that the report's arithmetic cannot fail on a typo.
      detectedAt: jsonata("$type($states.input.detectedAt) = 'string' and $contains($states.input.detectedAt, "
        + '/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$/) '
        + '? $states.input.detectedAt : $states.context.Execution.StartTime'),
      outcome: 'promoted',
      polls: 0,
      guardChecks: 0,
      readyChecks: 0,
      fenceReadings: 0,
      timeline: [],
      notifyFailures: [],
      evidence: [],
      replicationBroken: false,
      lag: { datapoints: 0, boundSeconds: null },
      approvedBy: null,
      promoteRequestedAt: null,
      writableAt: null,
      availableAt: null,
      signalPublished: false,
      fenceRecorded: false,
      fenceState: 'NOT_READ',
      failure: null,
    },
    Next: 'DescribeReplica',
  };

  // Idempotency: an instance that is no longer a replica is never promoted again.
  describeReplica('DescribeReplica', 'ClassifyReplica', 'NotifyCannotDescribe');
  states.ClassifyReplica = {
    Type: 'Choice',
    Choices: [{ Condition: jsonata(`$not(${isReplica})`), Next: 'NotifyAlreadyPromoted' }],
    Default: 'NotifyStarted',
  };
  notify('NotifyAlreadyPromoted', 'already promoted: resuming at the writable signal, without promoting', 'MarkResumed',
    "'status': $replica.DbInstanceStatus");
  states.MarkResumed = { Type: 'Pass', Assign: { outcome: 'already-promoted' }, Next: 'PublishWritable' };
  notify('NotifyCannotDescribe', 'failed: cannot describe the replica', 'CannotDescribe', "'error': $failure");
  fail('CannotDescribe', 'Runbook.CannotDescribeReplica', 'DescribeDBInstances on the replica failed; nothing was changed.');

  notify('NotifyStarted', 'started', 'ReplicaReady',
    '\'trigger\': $trigger, \'reason\': $reason, \'force\': $force, \'detectedAt\': $detectedAt, \'status\': $replica.DbInstanceStatus, '
    + `'source': $replica.${REPLICA_SOURCE}`);

  // 2. The replica must be available to be promoted. A transient status makes a run the alarm started wait.
  states.ReplicaReady = {
    Type: 'Choice',
    Choices: [
      { Condition: jsonata("$replica.DbInstanceStatus = 'available'"), Next: 'ReadEvidence' },
      { Condition: jsonata(`${mayRecheck} and ${transient}`), Next: 'RecheckLater' },
    ],
    Default: 'NotifyReplicaBusy',
  };
  notify('NotifyReplicaBusy', 'refused: the replica is not available', 'ReplicaBusy',
    `'status': $replica.DbInstanceStatus, ${recheckFields}, `
    + "'advice': 'run again once the instance is available; a promotion under way is detected and not repeated'");
  fail('ReplicaBusy', 'Runbook.ReplicaNotAvailable', 'The replica is not available; nothing was changed.');

  // The wait of a run the alarm started: bounded by guardRechecks re-reads, guardRecheckSeconds apart.
  states.RecheckLater = {
    Type: 'Choice',
    Choices: [{ Condition: jsonata('$guardChecks = 0'), Next: 'NotifyRechecking' }],
    Default: 'WaitToRecheck',
  };
  notify('NotifyRechecking', `waiting: re-checking the guards every ${s.guardRecheckSeconds} s, up to ${s.guardRechecks} times`,
    'WaitToRecheck', '\'status\': $replica.DbInstanceStatus, \'signals\': ($count($evidence) + ($replicationBroken ? 1 : 0)), \'lagBoundSeconds\': $lag.boundSeconds');
  states.WaitToRecheck = { Type: 'Wait', Seconds: s.guardRecheckSeconds, Next: 'RecheckReplica' };
  describeReplica('RecheckReplica', 'RecheckClassify', 'NotifyCannotDescribe', { guardChecks: jsonata('$guardChecks + 1') });
  states.RecheckClassify = {
    Type: 'Choice',
    Choices: [{ Condition: jsonata(`$not(${isReplica})`), Next: 'NotifyAlreadyPromoted' }],
    Default: 'ReplicaReady',
  };

  // 3. Evidence: alarms in this Region, and the replication status RDS reports for the replica.
  states.ReadEvidence = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:cloudwatch:describeAlarms',
    Arguments: { AlarmNames: s.evidenceAlarmNames },
    Retry: RETRY_READS,
    Assign: {
      evidence: jsonata("$append([], $states.result.MetricAlarms[StateValue = 'ALARM'].AlarmName)"),
      replicationBroken: jsonata("$exists($replica.StatusInfos[StatusType = 'read replication' and Normal = false])"),
    },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'NotifyCannotReadAlarms', Assign: { failure: jsonata('$states.errorOutput') } }],
    Next: 'EnoughEvidence',
  };
  const evidenceCount = '($count($evidence) + ($replicationBroken ? 1 : 0))';
  const evidenceFields = `'evidence': {'alarmsInAlarm': $evidence, 'replicationStatusBroken': $replicationBroken, 'signals': ${evidenceCount}, 'required': ${s.minimumEvidence}}`;
  states.EnoughEvidence = {
    Type: 'Choice',
    Choices: [
      { Condition: jsonata(`${evidenceCount} >= ${s.minimumEvidence}`), Next: 'ReadLag' },
      { Condition: jsonata('$force'), Next: 'NotifyEvidenceOverridden' },
      { Condition: jsonata(mayRecheck), Next: 'RecheckLater' },
    ],
    Default: 'NotifyPrimaryLooksHealthy',
  };
  notify('NotifyEvidenceOverridden', 'forced past the evidence check', 'ReadLag', evidenceFields);
  notify('NotifyPrimaryLooksHealthy', 'refused: the primary does not look down', 'PrimaryLooksHealthy', `${evidenceFields}, ${recheckFields}`);
  fail('PrimaryLooksHealthy', 'Runbook.PrimaryLooksHealthy',
    `Fewer than ${s.minimumEvidence} signals say the primary is down; nothing was changed. Start with "force": true to override.`);
  notify('NotifyCannotReadAlarms', 'failed: cannot read the evidence alarms', 'CannotReadAlarms', "'error': $failure");
  fail('CannotReadAlarms', 'Runbook.CannotReadSignals', 'DescribeAlarms on the evidence alarms failed; nothing was changed.');

  // 4. RPO guard. RDS for PostgreSQL reports ReplicaLag as the time since the replica last replayed a transaction, so
  // once the primary stops, the lag grows by a second per second while nothing more is lost. What bounds the loss is
  // the lag when replay stopped advancing: the replay position of each datapoint is its time minus its lag, and the
  // first datapoint at the final position carries the bound (within one 60 s period).
  states.ReadLag = {
    ...readLagTask(s.replicaIdentifier, s.lagLookbackSeconds),
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'NotifyCannotReadLag', Assign: { failure: jsonata('$states.errorOutput') } }],
    Next: 'LagWithinRpo',
  };
  notify('NotifyCannotReadLag', 'failed: cannot read ReplicaLag', 'CannotReadLag', "'error': $failure");
  fail('CannotReadLag', 'Runbook.CannotReadLag', 'GetMetricData on ReplicaLag failed; nothing was changed.');
  const lagFields = `'lag': $merge([$lag, {'rpoSeconds': ${s.rpoSeconds}, 'lookbackSeconds': ${s.lagLookbackSeconds}}])`;
  const afterGuards = s.approval ? 'RequestApproval' : 'Promote';
  states.LagWithinRpo = {
    Type: 'Choice',
    Choices: [
      { Condition: jsonata(`$type($lag.boundSeconds) = 'number' and $lag.boundSeconds <= ${s.rpoSeconds}`), Next: afterGuards },
      { Condition: jsonata('$force'), Next: 'NotifyLagOverridden' },
      { Condition: jsonata(mayRecheck), Next: 'RecheckLater' },
    ],
    Default: 'NotifyLagAboveRpo',
  };
  notify('NotifyLagOverridden', 'forced past the RPO guard', afterGuards, lagFields);
  notify('NotifyLagAboveRpo', 'refused: replica lag above the RPO, or unknown', 'LagAboveRpo', `${lagFields}, ${recheckFields}`);
  fail('LagAboveRpo', 'Runbook.LagAboveRpo',
    `The data the replica lacks may exceed the RPO of ${s.rpoSeconds} s, or is unknown (no ReplicaLag in the last ${s.lagLookbackSeconds} s); `
    + 'nothing was changed. Start with "force": true to accept the loss.');

  // 5. Approval through a task token, then the replica's status again: the approval may have taken hours.
  if (s.approval) {
    states.RequestApproval = {
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish.waitForTaskToken',
      Arguments: {
        TopicArn: topicArn,
        Subject: subject(`approval needed to promote ${s.replicaIdentifier}`),
        // One message per protocol: e-mail subscribers read plain text, whose commands paste into a shell as printed
        // (inside a JSON string the quotes of --task-output would arrive escaped, and SendTaskSuccess would refuse the
        // output as not JSON); every other protocol gets the JSON document ("default").
        // https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (MessageStructure)
        MessageStructure: 'json',
        Message: jsonata(`( $request := {'runbook': '${runbook}', 'execution': $states.context.Execution.Name, 'step': 'approval requested', `
          + `'at': $now(), 'replica': '${s.replicaIdentifier}', ${evidenceFields}, ${lagFields}, 'force': $force, `
          + "'taskToken': $states.context.Task.Token, "
          + `'approve': ${approveCommand(s.region)}, 'reject': ${rejectCommand(s.region)}}; `
          + `$string({'default': $string($request), 'email': ${approvalEmail(runbook, s.replicaIdentifier)}}) )`),
      },
      TimeoutSeconds: s.approvalTimeoutSeconds,
      // The first retrier whose ErrorEquals names the error applies, and MaxAttempts 0 never retries: a rejection ends
      // the wait at once, while a failed publish (any other task failure) is sent again. States.TaskFailed also
      // matches an operator's send-task-failure under another error name, and each re-sent request may wait the
      // approval timeout again: the run's TimeoutSeconds counts 1 + APPROVAL_RESENDS approval waits, so that the
      // run always ends in a state of its own, never in an uncatchable execution timeout.
      // https://states-language.net/spec.html#retrying-after-error
      // https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html (States.TaskFailed)
      Retry: [
        { ErrorEquals: [REJECTION_ERROR], MaxAttempts: 0 },
        { ...RETRY_READS[0], MaxAttempts: APPROVAL_RESENDS },
      ],
      Assign: {
        approvedBy: jsonata("$exists($states.result.approvedBy) ? $string($states.result.approvedBy) : 'unnamed'"),
        timeline: jsonata("$append($timeline, [{'step': 'approved', 'at': $now()}])"),
      },
      Catch: [
        { ErrorEquals: ['States.Timeout'], Next: 'NotifyNotApproved' },
        { ErrorEquals: [REJECTION_ERROR], Next: 'NotifyRejected', Assign: { failure: jsonata('$states.errorOutput') } },
        { ErrorEquals: ['States.ALL'], Next: 'NotifyApprovalNotSent', Assign: { failure: jsonata('$states.errorOutput') } },
      ],
      Next: 'DescribeBeforePromote',
    };
    notify('NotifyNotApproved', `refused: no approval within ${s.approvalTimeoutSeconds} s`, 'NotApproved');
    fail('NotApproved', 'Runbook.NotApproved', 'No approval arrived in time; nothing was changed.');
    notify('NotifyRejected', 'refused: the approval was rejected', 'Rejected', "'error': $failure");
    fail('Rejected', 'Runbook.Rejected', 'The approval was rejected; nothing was changed.');
    notify('NotifyApprovalNotSent', 'failed: the approval request could not be sent', 'ApprovalNotSent', "'error': $failure");
    fail('ApprovalNotSent', 'Runbook.ApprovalNotSent',
      'The approval request could not be published to the topic (or was answered with an error other than '
      + `${REJECTION_ERROR}); nothing was changed. Start the runbook again.`);

    describeReplica('DescribeBeforePromote', 'ReadyToPromote', 'NotifyCannotDescribe', { readyChecks: jsonata('$readyChecks + 1') });
    states.ReadyToPromote = {
      Type: 'Choice',
      Choices: [
        { Condition: jsonata(`$not(${isReplica})`), Next: 'NotifyAlreadyPromoted' },
        { Condition: jsonata("$replica.DbInstanceStatus = 'available'"), Next: 'Promote' },
        { Condition: jsonata(`$readyChecks <= ${s.guardRechecks} and ${transient}`), Next: 'WaitBeforePromote' },
      ],
      Default: 'NotifyReplicaBusy',
    };
    states.WaitBeforePromote = { Type: 'Wait', Seconds: s.guardRecheckSeconds, Next: 'DescribeBeforePromote' };
  }

  addPromotionStates(states, tools, {
    replicaIdentifier: s.replicaIdentifier,
    backupRetentionDays: s.backupRetentionDays,
    pollSeconds: s.pollSeconds,
    maxPolls: s.maxPolls,
    promotingFields: `'backupRetentionDays': ${s.backupRetentionDays}, ${evidenceFields}, ${lagFields}`,
    refusedFields: `'error': $failure, ${lagFields}`,
    onPromoted: 'PublishWritable',
    onPromotedElsewhere: 'NotifyAlreadyPromoted',
  });

  // 8. The writable signal the secondary writer record's health check follows.
  addWritableSignal(states, { replicaIdentifier: s.replicaIdentifier, namespace: s.namespace, latchMetricName: s.latchMetricName, next: 'NotifyWritable' });
  notify('NotifyWritable', 'writable', 'RecordFence',
    "'signalPublished': $signalPublished, 'status': $replica.DbInstanceStatus, 'polls': $polls, "
    + "'note': 'the DR probe confirms within a minute; the writer record follows its alarm'");

  // 9. Fence: a record on the promoted instance, and the fence alarm's state. Nothing calls the old primary's Region.
  const afterTags = s.fenceAlarmName ? 'ReadFence' : 'NotifyFenced';
  states.RecordFence = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:rds:addTagsToResource',
    Arguments: {
      ResourceName: s.replicaArn,
      Tags: [
        { Key: `${s.fenceTagPrefix}promoted-from`, Value: s.primaryArn },
        { Key: `${s.fenceTagPrefix}failback`, Value: 'explicit-only' },
      ],
    },
    Retry: RETRY_READS,
    Assign: { fenceRecorded: true },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: afterTags, Assign: { fenceRecorded: false } }],
    Next: afterTags,
  };
  if (s.fenceAlarmName) {
    // The fence alarm follows the probe's one-minute Writable metric, so it turns to ALARM a minute or two after the
    // promotion: it is read until then, within fenceReads readings, and reported as pending otherwise.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation
    states.ReadFence = {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:cloudwatch:describeAlarms',
      Arguments: { AlarmNames: [s.fenceAlarmName] },
      Retry: RETRY_READS,
      Assign: {
        fenceState: jsonata("$exists($states.result.MetricAlarms[0].StateValue) ? $states.result.MetricAlarms[0].StateValue : 'MISSING'"),
        fenceReadings: jsonata('$fenceReadings + 1'),
      },
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'NotifyFenced', Assign: { fenceState: 'UNREADABLE' } }],
      Next: 'FenceInAlarm',
    };
    states.FenceInAlarm = {
      Type: 'Choice',
      Choices: [
        { Condition: jsonata("$fenceState = 'ALARM'"), Next: 'NotifyFenced' },
        { Condition: jsonata(`$fenceState = 'MISSING' or $fenceReadings >= ${s.fenceReads}`), Next: 'NotifyFenced' },
      ],
      Default: 'WaitForFence',
    };
    states.WaitForFence = { Type: 'Wait', Seconds: s.fenceReadSeconds, Next: 'ReadFence' };
  }
  const fenceStatus = s.fenceAlarmName
    ? "$fenceState = 'ALARM' ? 'fenced' : ($fenceState = 'MISSING' or $fenceState = 'UNREADABLE' ? 'unknown' : 'pending')"
    : "'not checked'";
  const fenceFields = `'fence': {'oldPrimary': '${s.primaryArn}', 'recorded': $fenceRecorded, 'alarm': ${s.fenceAlarmName ? `'${s.fenceAlarmName}'` : 'null'}, `
    + `'alarmState': $fenceState, 'status': ${fenceStatus}, 'readings': $fenceReadings, `
    + "'failback': 'explicit only: rebuild a replica in the old Region, then switch over'}";
  notify('NotifyFenced', 'old primary fenced', 'AvailableYet', fenceFields);

  // 10. Available: the promotion's end, for the report. A timeout here no longer undoes anything.
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

  // 11. The RTO/RPO report, as the announcement and as the execution's output.
  const report = `{'runbook': '${runbook}', 'outcome': $outcome, 'replica': '${s.replicaIdentifier}', 'trigger': $trigger, `
    + `'reason': $reason, 'forced': $force, 'approvedBy': $approvedBy, ${evidenceFields}, ${lagFields}, ${fenceFields}, `
    + "'detectedAt': $detectedAt, 'startedAt': $startedAt, 'promoteRequestedAt': $promoteRequestedAt, 'writableAt': $writableAt, "
    + `'availableAt': $availableAt, 'status': $replica.DbInstanceStatus, 'available': ${isPromoted}, `
    + `'detectionToWritableSeconds': ${secondsBetween('$detectedAt', '$writableAt')}, `
    + `'promotionSeconds': $promoteRequestedAt ? ${secondsBetween('$promoteRequestedAt', '$writableAt')} : null, `
    + "'lagAtPromotionSeconds': $lag.boundSeconds, 'rechecks': $guardChecks, 'polls': $polls, 'timeline': $timeline, "
    + "'notifyFailures': $notifyFailures}";
  addReportStates(states, { topicArn, subject: subject('report'), report });

  return {
    Comment: `Promotes ${s.replicaIdentifier} when the primary is down and the lag is within the RPO (cdk-resilient-postgres FailoverRunbook)`,
    QueryLanguage: 'JSONata',
    StartAt: 'Initialize',
    // In the definition: aws-cdk-lib's StateMachine drops its timeout and comment props for a definition given as a string.
    // https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html
    TimeoutSeconds: s.timeoutSeconds,
    States: states,
  };
}
