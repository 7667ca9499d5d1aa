import { MAX_SUBJECT_LENGTH, readLagTask, secondsBetween, TOPIC_ARN_SUBSTITUTION } from '../failover-runbook/definition';
import {
  addPromoteStates, addPromotionPolling, describeInstanceState, jsonata, REPLICA_SOURCE, RETRY_READS, State,
} from '../failover-runbook/promotion-states';

/** The `DefinitionSubstitutions` keys of the drill: values known only at deploy time. */
export const DRILL_SUBSTITUTIONS = {
  topicArn: TOPIC_ARN_SUBSTITUTION,
  subnetGroup: 'SubnetGroupName',
  securityGroup: 'SecurityGroupId',
} as const;

/** The tag that marks the temporary copy, and its value. */
export const DRILL_COPY_TAG = { Key: 'cdk-resilient-postgres:drill-copy', Value: 'true' };

/** The CloudWatch namespace of the drill's phase figures. */
export const DRILL_METRIC_NAMESPACE = 'CdkResilientPostgres/RegionDrill';

/** The dimension of the drill's phase figures: the production replica's identifier. */
export const DRILL_METRIC_DIMENSION = 'ReplicaIdentifier';

/** The phase figures the drill publishes, by metric name, with the report field each comes from. */
export const DRILL_PHASE_METRICS: Record<string, string> = {
  CreateSeconds: 'createSeconds',
  LagAtPromotionSeconds: 'lagAtPromotionSeconds',
  PromotionSeconds: 'promotionSeconds',
  WritableSeconds: 'writableSeconds',
  DeleteSeconds: 'deleteSeconds',
};

/** What the drill's definition is built from; every value is known at synth time except the substitutions. */
export interface DrillSettings {
  /** The production DR replica, the source of the copy: only read. */
  readonly replicaIdentifier: string;
  /** The temporary copy's identifier. */
  readonly copyIdentifier: string;
  /** The copy's DB instance class (`db.r7g.large`). */
  readonly instanceClass: string;
  /** `BackupRetentionPeriod` of the copy's promotion, as the runbook promotes. */
  readonly backupRetentionDays: number;
  readonly lagLookbackSeconds: number;
  readonly pollSeconds: number;
  /** Polls of each phase (creation, promotion, writable, deletion) before it counts as timed out. */
  readonly maxPolls: number;
  /** The execution's timeout (the definition's `TimeoutSeconds`). */
  readonly timeoutSeconds: number;
}

/**
 * Retries of a DeleteDBInstance refused because the instance is busy (`modifying`, `backing-up` right after the
 * promotion, or `creating`): RDS answers InvalidDBInstanceState. Throttling and other unmodeled errors arrive as
 * `Rds.RdsException`.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html
 */
const DELETE_RETRY = [
  { ErrorEquals: ['Rds.RdsException'], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' },
  { ErrorEquals: ['Rds.InvalidDbInstanceStateException'], IntervalSeconds: 30, MaxAttempts: 10, BackoffRate: 2, MaxDelaySeconds: 120, JitterStrategy: 'FULL' },
];

/** How many DeleteDBInstance requests a run makes for one copy before it waits for the deletion alone. */
export const DELETE_REQUESTS = 3;

/** Retries of CreateDBInstanceReadReplica: throttling and other unmodeled errors only. */
const CREATE_RETRY = [DELETE_RETRY[0]];

/**
 * The drill's Amazon States Language definition, in JSONata. A run:
 * 1. deletes a copy an earlier run left behind (DeleteDBInstance; an absent copy is `Rds.DbInstanceNotFoundException`);
 *    a run started by the EventBridge rule with a "Step Functions Execution Status Change" event (`source`
 *    `aws.states`) stops there, reports and always succeeds, so that a failed cleanup never starts another;
 * 2. creates the copy, a same-Region read replica of the production replica, and waits until it is available;
 * 3. reads the copy's ReplicaLag as the runbook's guard does, and promotes it with the runbook's own states
 *    (`addPromoteStates`, `addPromotionPolling`);
 * 4. waits until the copy is available and no longer a replica (writable);
 * 5. always deletes the copy (SkipFinalSnapshot, DeleteAutomatedBackups), after a failure too, and waits until it is gone;
 * 6. publishes the phase figures as metrics and the report on the topic, then fails when a step failed.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-integration.html
 */
export function buildDrillDefinition(s: DrillSettings): Record<string, unknown> {
  const states: Record<string, State> = {};
  const sub = (key: string) => `\${${key}}`;
  const drill = `${s.replicaIdentifier}-region-drill`;
  const subject = (text: string) => `${drill}: ${text}`.slice(0, MAX_SUBJECT_LENGTH);
  const isReplica = `$exists($replica.${REPLICA_SOURCE})`;
  const describeCopy = (name: string, next: string, onError: string, assign: Record<string, string> = {}) => {
    states[name] = describeInstanceState(s.copyIdentifier, next, onError, assign);
  };
  /** A failure: records the step and the error name, then deletes the copy. */
  const failAt = (name: string, errorName: string, step: string) => {
    states[name] = {
      Type: 'Pass',
      Assign: {
        outcome: 'failed',
        errorName,
        failedStep: step,
        timeline: jsonata(`$append($timeline, [{'step': 'failed: ${step}', 'at': $now()}])`),
      },
      Next: 'DeleteCopy',
    };
  };

  // 1. Start: the trigger, then a leftover copy is deleted.
  states.Initialize = {
    Type: 'Pass',
    Assign: {
      trigger: jsonata("$states.input.source = 'aws.states' ? 'cleanup' : ($states.input.trigger = 'schedule' ? 'schedule' : 'operator')"),
      interrupted: jsonata("$states.input.source = 'aws.states' ? {'execution': $states.input.detail.executionArn, 'status': $states.input.detail.status} : null"),
      startedAt: jsonata('$states.context.Execution.StartTime'),
      phase: 'leftover',
      outcome: 'drilled',
      errorName: null,
      failedStep: null,
      failure: null,
      leftoverFound: false,
      copyLeft: false,
      polls: 0,
      deletePolls: 0,
      deleteRequests: 0,
      timeline: [],
      replica: null,
      lag: { datapoints: 0, boundSeconds: null },
      createRequestedAt: null,
      copyAvailableAt: null,
      promoteRequestedAt: null,
      promotedAt: null,
      availableAt: null,
      deleteRequestedAt: null,
      deletedAt: null,
      metricsPublished: false,
    },
    Next: 'DeleteCopy',
  };

  // 2. The copy: a same-Region read replica of the production replica (which the call only reads), private, Single-AZ,
  // without deletion protection, tagged as a drill copy, in the replica's subnet group with its own security group.
  // A same-Region replica of an encrypted source is encrypted with the source's key (KmsKeyId is not given).
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html (KmsKeyId)
  states.CreateCopy = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:rds:createDBInstanceReadReplica',
    Arguments: {
      DbInstanceIdentifier: s.copyIdentifier,
      SourceDBInstanceIdentifier: s.replicaIdentifier,
      DbInstanceClass: s.instanceClass,
      DbSubnetGroupName: sub(DRILL_SUBSTITUTIONS.subnetGroup),
      VpcSecurityGroupIds: [sub(DRILL_SUBSTITUTIONS.securityGroup)],
      PubliclyAccessible: false,
      MultiAZ: false,
      DeletionProtection: false,
      CopyTagsToSnapshot: false,
      Tags: [DRILL_COPY_TAG, { Key: 'Name', Value: s.copyIdentifier }],
    },
    Retry: CREATE_RETRY,
    Assign: {
      createRequestedAt: jsonata('$now()'),
      timeline: jsonata("$append($timeline, [{'step': 'copy requested', 'at': $now()}])"),
    },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'CopyNotCreated', Assign: { failure: jsonata('$states.errorOutput') } }],
    Next: 'WaitForCopy',
  };
  failAt('CopyNotCreated', 'Drill.CopyNotCreated', 'create');
  states.WaitForCopy = { Type: 'Wait', Seconds: s.pollSeconds, Next: 'DescribeCopy' };
  describeCopy('DescribeCopy', 'CopyReady', 'CannotDescribeCopy', { polls: jsonata('$polls + 1') });
  failAt('CannotDescribeCopy', 'Drill.CannotDescribeCopy', 'describe');
  states.CopyReady = {
    Type: 'Choice',
    Choices: [
      { Condition: jsonata("$replica.DbInstanceStatus = 'available'"), Next: 'CopyAvailable' },
      {
        Condition: jsonata("$replica.DbInstanceStatus in ['failed', 'storage-full', 'inaccessible-encryption-credentials'] "
        + "or $substring($replica.DbInstanceStatus, 0, 12) = 'incompatible'"),
        Next: 'CopyFailed',
      },
      { Condition: jsonata(`$polls >= ${s.maxPolls}`), Next: 'CopyTimedOut' },
    ],
    Default: 'WaitForCopy',
  };
  failAt('CopyFailed', 'Drill.CopyFailed', 'create');
  failAt('CopyTimedOut', 'Drill.CopyTimedOut', 'create');
  states.CopyAvailable = {
    Type: 'Pass',
    Assign: {
      copyAvailableAt: jsonata('$now()'),
      polls: 0,
      timeline: jsonata("$append($timeline, [{'step': 'copy available', 'at': $now()}])"),
    },
    Next: 'ReadLag',
  };

  // 3. The copy's lag at promotion, read as the runbook's guard reads it. An unreadable lag does not stop the drill.
  states.ReadLag = {
    ...readLagTask(s.copyIdentifier, s.lagLookbackSeconds),
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Promote' }],
    Next: 'Promote',
  };

  // 4. The promotion: the runbook's states.
  addPromoteStates(states, {
    identifier: s.copyIdentifier,
    backupRetentionDays: s.backupRetentionDays,
    requested: 'WaitForPromotion',
    alreadyPromoted: 'Promoted',
    refused: 'PromotionRefused',
  });
  failAt('PromotionRefused', 'Drill.PromotionRefused', 'promote');
  addPromotionPolling(states, {
    pollSeconds: s.pollSeconds,
    maxPolls: s.maxPolls,
    describe: describeCopy,
    promoted: 'Promoted',
    timedOut: 'PromotionTimedOut',
    describeFailed: 'CannotDescribePromotion',
  });
  failAt('PromotionTimedOut', 'Drill.PromotionTimedOut', 'promote');
  failAt('CannotDescribePromotion', 'Drill.CannotDescribeCopy', 'promote');
  states.Promoted = {
    Type: 'Pass',
    Assign: {
      promotedAt: jsonata('$now()'),
      polls: 0,
      timeline: jsonata("$append($timeline, [{'step': 'promoted', 'at': $now()}])"),
    },
    Next: 'Writable',
  };

  // 5. Writable: available and no longer a replica.
  states.Writable = {
    Type: 'Choice',
    Choices: [
      { Condition: jsonata(`$replica.DbInstanceStatus = 'available' and $not(${isReplica})`), Next: 'CopyWritable' },
      { Condition: jsonata(`$polls >= ${s.maxPolls}`), Next: 'NotWritable' },
    ],
    Default: 'WaitForWritable',
  };
  states.WaitForWritable = { Type: 'Wait', Seconds: s.pollSeconds, Next: 'DescribeWritable' };
  describeCopy('DescribeWritable', 'Writable', 'CannotDescribeWritable', { polls: jsonata('$polls + 1') });
  failAt('CannotDescribeWritable', 'Drill.CannotDescribeCopy', 'writable');
  failAt('NotWritable', 'Drill.NotWritable', 'writable');
  states.CopyWritable = {
    Type: 'Pass',
    Assign: {
      availableAt: jsonata('$availableAt ? $availableAt : $now()'),
      timeline: jsonata("$append($timeline, [{'step': 'writable', 'at': $now()}])"),
    },
    Next: 'DeleteCopy',
  };

  // 6. Deletion, on every path: of a leftover first, then of this run's copy.
  states.DeleteCopy = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:rds:deleteDBInstance',
    Arguments: { DbInstanceIdentifier: s.copyIdentifier, SkipFinalSnapshot: true, DeleteAutomatedBackups: true },
    Retry: DELETE_RETRY,
    Assign: {
      deleteRequestedAt: jsonata('$now()'),
      deletePolls: 0,
      deleteRequests: jsonata('$deleteRequests + 1'),
      leftoverFound: jsonata("$phase = 'leftover' ? true : $leftoverFound"),
      timeline: jsonata("$append($timeline, [{'step': $phase = 'leftover' ? 'leftover copy deleted' : 'copy deletion requested', 'at': $now()}])"),
    },
    Catch: [
      { ErrorEquals: ['Rds.DbInstanceNotFoundException'], Next: 'CopyGone' },
      // Already being deleted, or still busy after the retries: wait for it to go.
      {
        ErrorEquals: ['Rds.InvalidDbInstanceStateException'],
        Next: 'WaitForDeletion',
        Assign: { deleteRequestedAt: jsonata('$now()'), deletePolls: 0, deleteRequests: jsonata('$deleteRequests + 1') },
      },
      { ErrorEquals: ['States.ALL'], Next: 'CopyLeft', Assign: { failure: jsonata('$states.errorOutput') } },
    ],
    Next: 'WaitForDeletion',
  };
  states.WaitForDeletion = { Type: 'Wait', Seconds: s.pollSeconds, Next: 'DescribeDeletion' };
  states.DescribeDeletion = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:rds:describeDBInstances',
    Arguments: { DbInstanceIdentifier: s.copyIdentifier },
    Retry: RETRY_READS,
    Assign: { deletePolls: jsonata('$deletePolls + 1'), deletingStatus: jsonata('$states.result.DbInstances[0].DbInstanceStatus') },
    Catch: [
      { ErrorEquals: ['Rds.DbInstanceNotFoundException'], Next: 'CopyGone' },
      { ErrorEquals: ['States.ALL'], Next: 'CopyLeft', Assign: { failure: jsonata('$states.errorOutput') } },
    ],
    Next: 'Deleted',
  };
  // A copy that is not being deleted (the request was refused while it was busy, and it is no longer busy) is asked
  // again, at most DELETE_REQUESTS times in all.
  states.Deleted = {
    Type: 'Choice',
    Choices: [
      { Condition: jsonata(`$deletingStatus != 'deleting' and $deleteRequests < ${DELETE_REQUESTS}`), Next: 'DeleteCopy' },
      { Condition: jsonata(`$deletePolls >= ${s.maxPolls}`), Next: 'CopyLeft' },
    ],
    Default: 'WaitForDeletion',
  };
  states.CopyGone = {
    Type: 'Pass',
    Assign: {
      deletedAt: jsonata("$phase = 'leftover' ? null : $now()"),
      deleteRequestedAt: jsonata("$phase = 'leftover' ? null : $deleteRequestedAt"),
      timeline: jsonata("$phase = 'leftover' ? $timeline : $append($timeline, [{'step': 'copy deleted', 'at': $now()}])"),
    },
    Next: 'AfterDeletion',
  };
  states.CopyLeft = {
    Type: 'Pass',
    Assign: {
      copyLeft: true,
      outcome: 'failed',
      errorName: jsonata("$errorName ? $errorName : 'Drill.CopyNotDeleted'"),
      failedStep: jsonata("$failedStep ? $failedStep : 'delete'"),
      timeline: jsonata("$append($timeline, [{'step': 'copy not deleted', 'at': $now()}])"),
    },
    Next: 'AfterDeletion',
  };
  states.AfterDeletion = {
    Type: 'Choice',
    Choices: [
      { Condition: jsonata("$phase = 'leftover' and ($trigger = 'cleanup' or $copyLeft)"), Next: 'PublishMetrics' },
      { Condition: jsonata("$phase = 'leftover'"), Next: 'StartDrill' },
    ],
    Default: 'PublishMetrics',
  };
  states.StartDrill = { Type: 'Pass', Assign: { phase: 'drill', deletePolls: 0, deleteRequests: 0 }, Next: 'CreateCopy' };

  // 7. The figures, as metrics and as the report.
  const figures = '{'
    + `'createSeconds': $createRequestedAt and $copyAvailableAt ? ${secondsBetween('$createRequestedAt', '$copyAvailableAt')} : null, `
    + "'lagAtPromotionSeconds': $lag.latestSeconds, "
    + `'promotionSeconds': $promoteRequestedAt and $promotedAt ? ${secondsBetween('$promoteRequestedAt', '$promotedAt')} : null, `
    + `'writableSeconds': $promoteRequestedAt and $availableAt ? ${secondsBetween('$promoteRequestedAt', '$availableAt')} : null, `
    + `'deleteSeconds': $deleteRequestedAt and $deletedAt ? ${secondsBetween('$deleteRequestedAt', '$deletedAt')} : null, `
    + `'totalSeconds': ${secondsBetween('$startedAt', '$now()')}}`;
  const dimensions = [{ Name: DRILL_METRIC_DIMENSION, Value: s.replicaIdentifier }];
  const metricData = `( $f := ${figures}; $append([{'MetricName': 'Runs', 'Dimensions': ${toJsonata(dimensions)}, 'Value': 1, 'Unit': 'Count'}], `
    + `$filter([${Object.entries(DRILL_PHASE_METRICS).map(([metric, field]) => `{'MetricName': '${metric}', 'Dimensions': ${toJsonata(dimensions)}, 'Value': $f.${field}, 'Unit': 'Seconds'}`).join(', ')}], `
    + "function($m) { $type($m.Value) = 'number' }) ) )";
  states.PublishMetrics = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:cloudwatch:putMetricData',
    Arguments: { Namespace: DRILL_METRIC_NAMESPACE, MetricData: jsonata(metricData) },
    Retry: RETRY_READS,
    Assign: { metricsPublished: true },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Report' }],
    Next: 'Report',
  };
  const report = `{'drill': '${drill}', 'execution': $states.context.Execution.Name, 'trigger': $trigger, 'outcome': $outcome, `
    + `'replica': '${s.replicaIdentifier}', 'copy': '${s.copyIdentifier}', 'instanceClass': '${s.instanceClass}', `
    + "'error': $errorName, 'failedStep': $failedStep, 'failure': $failure, 'interrupted': $interrupted, "
    + "'leftoverDeleted': $leftoverFound, 'copyLeft': $copyLeft, 'metricsPublished': $metricsPublished, "
    + `'phases': ${figures}, 'lag': $lag, `
    + "'startedAt': $startedAt, 'createRequestedAt': $createRequestedAt, 'copyAvailableAt': $copyAvailableAt, "
    + "'promoteRequestedAt': $promoteRequestedAt, 'promotedAt': $promotedAt, 'writableAt': $availableAt, "
    + "'deleteRequestedAt': $deleteRequestedAt, 'deletedAt': $deletedAt, 'timeline': $timeline}";
  states.Report = {
    Type: 'Task',
    Resource: 'arn:aws:states:::sns:publish',
    Arguments: {
      TopicArn: sub(DRILL_SUBSTITUTIONS.topicArn),
      Subject: jsonata(`$substring('${subject('')}' & $outcome, 0, ${MAX_SUBJECT_LENGTH})`),
      Message: jsonata(`$string(${report})`),
    },
    Retry: RETRY_READS,
    Assign: { report: jsonata(report) },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Outcome', Assign: { report: jsonata(report) } }],
    Next: 'Outcome',
  };
  // A cleanup run always succeeds: a failure would start another cleanup run.
  states.Outcome = {
    Type: 'Choice',
    Choices: [{ Condition: jsonata("$outcome = 'failed' and $trigger != 'cleanup'"), Next: 'DrillFailed' }],
    Default: 'Done',
  };
  states.DrillFailed = {
    Type: 'Fail',
    Error: jsonata('$errorName'),
    Cause: jsonata(`'The ${s.replicaIdentifier} Region drill failed at ' & $failedStep & '; the copy ${s.copyIdentifier} was '`
      + " & ($copyLeft ? 'NOT deleted: delete it by hand' : 'deleted') & '. ' & $string($failure)"),
  };
  states.Done = { Type: 'Succeed', Output: jsonata('$report') };

  return {
    Comment: `Region failover drill of ${s.replicaIdentifier}: promotes a temporary copy ${s.copyIdentifier}, never the replica (cdk-resilient-postgres RegionFailoverDrill)`,
    QueryLanguage: 'JSONata',
    StartAt: 'Initialize',
    TimeoutSeconds: s.timeoutSeconds,
    States: states,
  };
}

/** A JSON value as a JSONata literal (single-quoted strings). */
function toJsonata(value: unknown): string {
  return JSON.stringify(value).replace(/"/g, "'");
}
