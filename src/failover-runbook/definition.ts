
/** What the runbook's definition is built from; every value is known at synth time. */
export interface RunbookSettings {
  readonly replicaIdentifier: string;
  readonly replicaArn: string;
  readonly primaryArn: string;
  readonly namespace: string;
  /** The replication-stalled alarm first, then the evidence alarms. */
  readonly evidenceAlarmNames: string[];
  readonly lagLookbackSeconds: number;
  readonly fenceAlarmName?: string;
  readonly fenceTagPrefix: string;
  readonly minimumEvidence: number;
  readonly rpoSeconds: number;
  readonly backupRetentionDays: number;
  readonly approval: boolean;
  readonly approvalTimeoutSeconds: number;
  readonly pollSeconds: number;
  readonly maxPolls: number;
}

/** The one `DefinitionSubstitutions` key: the topic's ARN is the only value not known at synth time. */
export const TOPIC_ARN_SUBSTITUTION = 'TopicArn';

type State = Record<string, unknown>;

/** Retry for read-only and idempotent calls: any task failure, with backoff. */
const RETRY_READS = [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 2, MaxAttempts: 4, BackoffRate: 2, MaxDelaySeconds: 20, JitterStrategy: 'FULL' }];

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
const REPLICA_SOURCE = 'ReadReplicaSourceDBInstanceIdentifier';

/**
 * Retry for PromoteReadReplica: throttling, internal failures and the other errors the SDK does not model, which all
 * arrive as `Rds.RdsException` (a modeled error arrives as its own class, which this name does not match). A modeled
 * refusal, such as `Rds.InvalidDbInstanceStateException` (RDS's InvalidDBInstanceState), ends the run at once.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html#API_PromoteReadReplica_Errors
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-api-throttling.html
 */
const PROMOTE_RETRY_ERRORS = ['Rds.RdsException'];

const jsonata = (expression: string) => `{% ${expression} %}`;

/**
 * From the GetMetricData result: the datapoints with a lag (RDS reports -1 when it cannot tell), the replay position of
 * each (its time minus its lag), and the bound on the data the replica lacks: the lag of the earliest datapoint at the
 * final replay position (within 10 s, for the jitter between sampling and timestamps). Also the latest lag and how
 * long replay has not advanced. A window without datapoints has no bound, which the guard refuses. No expression
 * uses `$` or `$$` (the context item and the root), which the Step Functions interpreter of moto rejects.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.Monitor.html
 */
const LAG_ANALYSIS = '('
  + '$r := $states.result.MetricDataResults[0]; '
  + '$points := $sort($filter($map($r.Timestamps, function($t, $i) { {\'at\': $toMillis($t), \'lag\': $r.Values[$i]} }), '
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

/** Seconds between two ISO 8601 timestamps, rounded to milliseconds. */
const secondsBetween = (from: string, to: string) => `$round(($toMillis(${to}) - $toMillis(${from})) / 1000, 3)`;

/**
 * The runbook's Amazon States Language definition, in JSONata. Workflow variables carry what a later step needs;
 * every SNS announcement is a JSON message with the step, the time and the seconds since the run started.
 */
export function buildRunbookDefinition(s: RunbookSettings): Record<string, unknown> {
  const states: Record<string, State> = {};
  const topicArn = `\${${TOPIC_ARN_SUBSTITUTION}}`;
  const runbook = `${s.replicaIdentifier}-failover`;

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
        Subject: `${runbook}: ${step}`.slice(0, 100),
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
  const describeReplica = (name: string, next: string, assign: Record<string, string> = {}) => {
    states[name] = {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:rds:describeDBInstances',
      Arguments: { DbInstanceIdentifier: s.replicaIdentifier },
      Retry: RETRY_READS,
      Assign: { replica: jsonata('$states.result.DbInstances[0]'), ...assign },
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'NotifyCannotDescribe', Assign: { error: jsonata('$states.errorOutput') } }],
      Next: next,
    };
  };
  const isPromoted = `$replica.DbInstanceStatus = 'available' and $not($exists($replica.${REPLICA_SOURCE}))`;

  // 1. Start: normalise the input.
  states.Initialize = {
    Type: 'Pass',
    Assign: {
      force: jsonata('$states.input.force = true'),
      reason: jsonata("$exists($states.input.reason) ? $string($states.input.reason) : 'not given'"),
      trigger: jsonata("$exists($states.input.trigger) ? $string($states.input.trigger) : 'operator'"),
      startedAt: jsonata('$states.context.Execution.StartTime'),
      // Only an ISO 8601 UTC timestamp is taken, so that the report's arithmetic cannot fail on a typo.
      detectedAt: jsonata("$type($states.input.detectedAt) = 'string' and $contains($states.input.detectedAt, "
        + '/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$/) '
        + '? $states.input.detectedAt : $states.context.Execution.StartTime'),
      outcome: 'promoted',
      polls: 0,
      timeline: [],
      notifyFailures: [],
      evidence: [],
      replicationBroken: false,
      lag: { datapoints: 0, boundSeconds: null },
      approvedBy: null,
      promoteRequestedAt: null,
      writableAt: null,
      signalPublished: false,
      fenceRecorded: false,
      fenceState: 'NOT_READ',
    },
    Next: 'DescribeReplica',
  };

  // Idempotency: an instance that is no longer a replica is never promoted again.
  describeReplica('DescribeReplica', 'ClassifyReplica');
  states.ClassifyReplica = {
    Type: 'Choice',
    Choices: [
      { Condition: jsonata(`$not($exists($replica.${REPLICA_SOURCE}))`), Next: 'NotifyAlreadyPromoted' },
      { Condition: jsonata("$replica.DbInstanceStatus != 'available'"), Next: 'NotifyReplicaBusy' },
    ],
    Default: 'NotifyStarted',
  };
  notify('NotifyAlreadyPromoted', 'already promoted: resuming at the writable signal, without promoting', 'MarkResumed',
    "'status': $replica.DbInstanceStatus");
  states.MarkResumed = { Type: 'Pass', Assign: { outcome: 'already-promoted' }, Next: 'DescribePromotion' };
  notify('NotifyReplicaBusy', 'refused: the replica is not available', 'ReplicaBusy',
    "'status': $replica.DbInstanceStatus, 'advice': 'run again once the instance is available; a promotion under way is detected and not repeated'");
  fail('ReplicaBusy', 'Runbook.ReplicaNotAvailable', 'The replica is not available; nothing was changed.');
  notify('NotifyCannotDescribe', 'failed: cannot describe the replica', 'CannotDescribe', "'error': $error");
  fail('CannotDescribe', 'Runbook.CannotDescribeReplica', 'DescribeDBInstances on the replica failed; nothing was changed.');

  notify('NotifyStarted', 'started', 'ReadEvidence',
    `'trigger': $trigger, 'reason': $reason, 'force': $force, 'detectedAt': $detectedAt, 'source': $replica.${REPLICA_SOURCE}`);

  // 2. Evidence: alarms in this Region, and the replication status RDS reports for the replica.
  states.ReadEvidence = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:cloudwatch:describeAlarms',
    Arguments: { AlarmNames: s.evidenceAlarmNames },
    Retry: RETRY_READS,
    Assign: {
      evidence: jsonata("$append([], $states.result.MetricAlarms[StateValue = 'ALARM'].AlarmName)"),
      replicationBroken: jsonata("$exists($replica.StatusInfos[StatusType = 'read replication' and Normal = false])"),
    },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'NotifyCannotReadSignals', Assign: { error: jsonata('$states.errorOutput') } }],
    Next: 'EnoughEvidence',
  };
  const evidenceCount = '($count($evidence) + ($replicationBroken ? 1 : 0))';
  const evidenceFields = `'evidence': {'alarmsInAlarm': $evidence, 'replicationStatusBroken': $replicationBroken, 'signals': ${evidenceCount}, 'required': ${s.minimumEvidence}}`;
  states.EnoughEvidence = {
    Type: 'Choice',
    Choices: [
      { Condition: jsonata(`${evidenceCount} >= ${s.minimumEvidence}`), Next: 'ReadLag' },
      { Condition: jsonata('$force'), Next: 'NotifyEvidenceOverridden' },
    ],
    Default: 'NotifyPrimaryLooksHealthy',
  };
  notify('NotifyEvidenceOverridden', 'forced past the evidence check', 'ReadLag', evidenceFields);
  notify('NotifyPrimaryLooksHealthy', 'refused: the primary does not look down', 'PrimaryLooksHealthy', evidenceFields);
  fail('PrimaryLooksHealthy', 'Runbook.PrimaryLooksHealthy',
    `Fewer than ${s.minimumEvidence} signals say the primary is down; nothing was changed. Start with "force": true to override.`);
  notify('NotifyCannotReadSignals', 'failed: cannot read the alarms', 'CannotReadSignals', "'error': $error");
  fail('CannotReadSignals', 'Runbook.CannotReadSignals', 'DescribeAlarms failed; nothing was changed.');

  // 3. RPO guard. RDS for PostgreSQL reports ReplicaLag as the time since the replica last replayed a transaction, so
  // once the primary stops, the lag grows by a second per second while nothing more is lost. What bounds the loss is
  // the lag when replay stopped advancing: the replay position of each datapoint is its time minus its lag, and the
  // first datapoint at the final position carries the bound (within one 60 s period).
  states.ReadLag = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:cloudwatch:getMetricData',
    Arguments: {
      StartTime: jsonata(`$fromMillis($toMillis($now()) - ${s.lagLookbackSeconds * 1000})`),
      EndTime: jsonata('$now()'),
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [{
        Id: 'lag',
        MetricStat: {
          Metric: { Namespace: 'AWS/RDS', MetricName: 'ReplicaLag', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: s.replicaIdentifier }] },
          Period: 60,
          Stat: 'Maximum',
        },
      }],
    },
    Retry: RETRY_READS,
    Assign: {
      lag: jsonata(LAG_ANALYSIS),
    },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'NotifyCannotReadSignals', Assign: { error: jsonata('$states.errorOutput') } }],
    Next: 'LagWithinRpo',
  };
  const lagFields = `'lag': $merge([$lag, {'rpoSeconds': ${s.rpoSeconds}, 'lookbackSeconds': ${s.lagLookbackSeconds}}])`;
  const afterGuards = s.approval ? 'RequestApproval' : 'Promote';
  states.LagWithinRpo = {
    Type: 'Choice',
    Choices: [
      { Condition: jsonata(`$type($lag.boundSeconds) = 'number' and $lag.boundSeconds <= ${s.rpoSeconds}`), Next: afterGuards },
      { Condition: jsonata('$force'), Next: 'NotifyLagOverridden' },
    ],
    Default: 'NotifyLagAboveRpo',
  };
  notify('NotifyLagOverridden', 'forced past the RPO guard', afterGuards, lagFields);
  notify('NotifyLagAboveRpo', 'refused: replica lag above the RPO, or unknown', 'LagAboveRpo', lagFields);
  fail('LagAboveRpo', 'Runbook.LagAboveRpo',
    `The data the replica lacks may exceed the RPO of ${s.rpoSeconds} s, or is unknown (no ReplicaLag in the last ${s.lagLookbackSeconds} s); `
    + 'nothing was changed. Start with "force": true to accept the loss.');

  // 4. Approval through a task token.
  if (s.approval) {
    states.RequestApproval = {
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish.waitForTaskToken',
      Arguments: {
        TopicArn: topicArn,
        Subject: `${runbook}: approval needed to promote ${s.replicaIdentifier}`.slice(0, 100),
        Message: jsonata(`$string({'runbook': '${runbook}', 'execution': $states.context.Execution.Name, 'step': 'approval requested', `
          + `'at': $now(), 'replica': '${s.replicaIdentifier}', ${evidenceFields}, ${lagFields}, 'force': $force, `
          + "'taskToken': $states.context.Task.Token, "
          + "'approve': 'aws stepfunctions send-task-success --task-token <taskToken> --task-output {\"approvedBy\":\"<name>\"}', "
          + "'reject': 'aws stepfunctions send-task-failure --task-token <taskToken> --error Rejected'})"),
      },
      TimeoutSeconds: s.approvalTimeoutSeconds,
      Assign: {
        approvedBy: jsonata("$exists($states.result.approvedBy) ? $string($states.result.approvedBy) : 'unnamed'"),
        timeline: jsonata("$append($timeline, [{'step': 'approved', 'at': $now()}])"),
      },
      Catch: [
        { ErrorEquals: ['States.Timeout'], Next: 'NotifyNotApproved' },
        { ErrorEquals: ['States.ALL'], Next: 'NotifyRejected', Assign: { error: jsonata('$states.errorOutput') } },
      ],
      Next: 'Promote',
    };
    notify('NotifyNotApproved', `refused: no approval within ${s.approvalTimeoutSeconds} s`, 'NotApproved');
    fail('NotApproved', 'Runbook.NotApproved', 'No approval arrived in time; nothing was changed.');
    notify('NotifyRejected', 'refused: the approval was rejected', 'Rejected', "'error': $error");
    fail('Rejected', 'Runbook.Rejected', 'The approval was rejected; nothing was changed.');
  }

  // 5. Promote, then poll until available and no longer a replica.
  states.Promote = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:rds:promoteReadReplica',
    Arguments: { DbInstanceIdentifier: s.replicaIdentifier, BackupRetentionPeriod: s.backupRetentionDays },
    Retry: [{ ErrorEquals: PROMOTE_RETRY_ERRORS, IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' }],
    Assign: {
      promoteRequestedAt: jsonata('$now()'),
      timeline: jsonata("$append($timeline, [{'step': 'promotion requested', 'at': $now()}])"),
    },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'NotifyPromotionFailed', Assign: { error: jsonata('$states.errorOutput') } }],
    Next: 'NotifyPromoting',
  };
  notify('NotifyPromotionFailed', 'failed: PromoteReadReplica was refused', 'PromotionFailed', `'error': $error, ${lagFields}`);
  fail('PromotionFailed', 'Runbook.PromotionFailed', jsonata("'PromoteReadReplica failed: ' & $string($error)"));
  notify('NotifyPromoting', 'promotion requested', 'WaitForPromotion', `'backupRetentionDays': ${s.backupRetentionDays}, ${evidenceFields}, ${lagFields}`);
  states.WaitForPromotion = { Type: 'Wait', Seconds: s.pollSeconds, Next: 'DescribePromotion' };
  describeReplica('DescribePromotion', 'PromotionDone', { polls: jsonata('$polls + 1') });
  states.PromotionDone = {
    Type: 'Choice',
    Choices: [
      { Condition: jsonata(isPromoted), Next: 'PublishWritable' },
      { Condition: jsonata(`$polls >= ${s.maxPolls}`), Next: 'NotifyPromotionTimedOut' },
    ],
    Default: 'WaitForPromotion',
  };
  notify('NotifyPromotionTimedOut', `failed: not available after ${s.maxPolls} polls`, 'PromotionTimedOut',
    "'status': $replica.DbInstanceStatus, 'polls': $polls");
  fail('PromotionTimedOut', 'Runbook.PromotionTimedOut',
    `The instance was not available and promoted after ${s.maxPolls} polls of ${s.pollSeconds} s; run again to resume.`);

  // 6. The writable signal the secondary writer record's health check follows.
  const dimensions = [{ Name: 'DBInstanceIdentifier', Value: s.replicaIdentifier }];
  states.PublishWritable = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:cloudwatch:putMetricData',
    Arguments: {
      Namespace: s.namespace,
      MetricData: [
        { MetricName: 'Writable', Dimensions: dimensions, Value: 1, Unit: 'Count', StorageResolution: 60 },
        { MetricName: 'Reachable', Dimensions: dimensions, Value: 1, Unit: 'Count', StorageResolution: 60 },
      ],
    },
    Retry: RETRY_READS,
    Assign: { writableAt: jsonata('$now()'), signalPublished: true },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'NotifyWritable', Assign: { writableAt: jsonata('$now()'), signalPublished: false } }],
    Next: 'NotifyWritable',
  };
  notify('NotifyWritable', 'writable', 'RecordFence',
    "'signalPublished': $signalPublished, 'polls': $polls, 'note': 'the DR probe confirms within a minute; the writer record follows its alarm'");

  // 7. Fence: a record on the promoted instance, and the fence alarm's state. Nothing calls the old primary's Region.
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
    Catch: [{ ErrorEquals: ['States.ALL'], Next: s.fenceAlarmName ? 'ReadFence' : 'NotifyFenced', Assign: { fenceRecorded: false } }],
    Next: s.fenceAlarmName ? 'ReadFence' : 'NotifyFenced',
  };
  if (s.fenceAlarmName) {
    states.ReadFence = {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:cloudwatch:describeAlarms',
      Arguments: { AlarmNames: [s.fenceAlarmName] },
      Retry: RETRY_READS,
      Assign: { fenceState: jsonata("$exists($states.result.MetricAlarms[0].StateValue) ? $states.result.MetricAlarms[0].StateValue : 'MISSING'") },
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'NotifyFenced', Assign: { fenceState: 'UNREADABLE' } }],
      Next: 'NotifyFenced',
    };
  }
  const fenceFields = `'fence': {'oldPrimary': '${s.primaryArn}', 'recorded': $fenceRecorded, 'alarm': ${s.fenceAlarmName ? `'${s.fenceAlarmName}'` : 'null'}, `
    + "'alarmState': $fenceState, 'failback': 'explicit only: rebuild a replica in the old Region, then switch over'}";
  notify('NotifyFenced', 'old primary fenced', 'Report', fenceFields);

  // 8. The RTO/RPO report, as the announcement and as the execution's output.
  const report = `{'runbook': '${runbook}', 'outcome': $outcome, 'replica': '${s.replicaIdentifier}', 'trigger': $trigger, `
    + `'reason': $reason, 'forced': $force, 'approvedBy': $approvedBy, ${evidenceFields}, ${lagFields}, ${fenceFields}, `
    + "'detectedAt': $detectedAt, 'startedAt': $startedAt, 'promoteRequestedAt': $promoteRequestedAt, 'writableAt': $writableAt, "
    + `'detectionToWritableSeconds': ${secondsBetween('$detectedAt', '$writableAt')}, `
    + `'promotionSeconds': $promoteRequestedAt ? ${secondsBetween('$promoteRequestedAt', '$writableAt')} : null, `
    + "'lagAtPromotionSeconds': $lag.boundSeconds, 'polls': $polls, 'timeline': $timeline, 'notifyFailures': $notifyFailures}";
  states.Report = {
    Type: 'Task',
    Resource: 'arn:aws:states:::sns:publish',
    Arguments: { TopicArn: topicArn, Subject: `${runbook}: report`, Message: jsonata(`$string(${report})`) },
    Retry: RETRY_READS,
    Output: jsonata(report),
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Done', Output: jsonata(report) }],
    Next: 'Done',
  };
  states.Done = { Type: 'Succeed' };

  return {
    Comment: `Promotes ${s.replicaIdentifier} when the primary is down and the lag is within the RPO (cdk-resilient-postgres)`,
    QueryLanguage: 'JSONata',
    StartAt: 'Initialize',
    States: states,
  };
}
