import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { APPROVAL_RESENDS, buildRunbookDefinition, PROMOTE_STATE_RETRY_SECONDS, TOPIC_ARN_SUBSTITUTION } from './definition';
import { BudgetTerm, ObjectiveBudget } from '../budget/budget';
import { IPostgresInstance } from '../common/postgres-instance';
import { CrossRegionReadReplica } from '../cross-region-read-replica/cross-region-read-replica';
import { useTopic } from '../private/alarm-topic';
import { literalAlarmNameOf } from '../private/alarms';
import { BUDGET_SOURCES, budgetTerm, REGION_FAILURE, REPLICA_LAG_PERIOD_SECONDS, sumTerms } from '../private/budget';
import { propError, where } from '../private/errors';
import { EXECUTION_LOGGING_REASON, executionLoggingStatements } from '../private/execution-logging';
import { encryptedLogGroup } from '../private/logs-key';
import { PROMOTED_METRIC_NAME, rdsInstanceMetric } from '../private/metrics';
import { acknowledge } from '../private/nag';
import {
  ALARM_TOPIC_RULE, DEFAULT_PROMOTION_TIMEOUT, validateApprovalTimeout, validateBackupRetention,
  validateExpectedPromotionTime, validateResourcePlace, validateMaxLagAtPromotion, wholeUnits,
} from '../private/validation';
import { FENCE_TAG_PREFIX, PromotionRole } from '../promotion-role/promotion-role';
import { Route53DbFailover } from '../route53-db-failover/route53-db-failover';
import { PROBE_METRIC_NAMESPACE } from '../writable-probe/writable-probe';

const CONSTRUCT = 'FailoverRunbook';

/** Seconds between the readings of the fence alarm. */
const FENCE_READ_SECONDS = 20;

/** An alarm's literal name: the definition and the role's policy name alarms at synth time. */
function literalAlarmName(construct: string, prop: string, alarm: cloudwatch.IAlarm): string {
  const name = literalAlarmNameOf(alarm);
  if (name === undefined) {
    throw propError(construct, prop, alarm.node.path, 'an alarm of this app with a literal alarmName');
  }
  return name;
}

/** Properties of a `FailoverRunbook`. */
export interface FailoverRunbookProps {
  /**
   * The cross-Region read replica to promote: a `CrossRegionReadReplica`, an `rds.DatabaseInstanceReadReplica` of this
   * app wrapped with `PostgresInstanceBase.fromDatabaseInstance`, or an import that gives `replicationSourceArn`. The
   * runbook lives in the replica's Region.
   */
  readonly replica: IPostgresInstance;

  /**
   * The topic every step is announced on, and approval requests are sent to, in the replica's Region. A topic of this
   * app gets the statement that lets CloudWatch alarms publish (the replication-stalled alarm's page); for an imported
   * one the runbook warns (`cdk-resilient-postgres:topicPermissionsNotAdded`) with the statements to add. With
   * `approval`, a topic of this app without a subscription warns (`cdk-resilient-postgres:topicWithoutSubscriber`):
   * nobody would receive the approval request.
   */
  readonly topic: sns.ITopic;

  /**
   * The KMS key of `topic`, when it is encrypted with a customer-managed key.
   *
   * @default - none
   */
  readonly topicKey?: kms.IKey;

  /**
   * The failover records. With a latched fence (their secondary's `writableAlarm`), the runbook publishes the latch
   * metric with its writable signal, so the fence closes without waiting for the DR probe, and reads the latch alarm
   * after the promotion; otherwise it reads their fence alarm. Their secondary must be this replica. Their
   * `dnsTerms` count in `rtoBudget`.
   *
   * @default - no fence check; the RTO budget counts no DNS time
   */
  readonly failover?: Route53DbFailover;

  /**
   * The promotion guard: the runbook refuses to promote when the data the replica may lack exceeds it, unless forced.
   * The bound is ReplicaLag at the moment replay stopped advancing, read from the last `lagLookback` (RDS for
   * PostgreSQL reports the time since the last replayed transaction, which keeps growing after the primary stops).
   * It is the term `replica-lag guard` of `rpoTerms`, which `ResilienceObjectives` checks `regionFailure.rpo` against.
   * Whole seconds, 60 seconds to 24 hours: RDS publishes ReplicaLag once a minute.
   *
   * @default Duration.seconds(60)
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/monitoring-cloudwatch.html
   */
  readonly maxLagAtPromotion?: Duration;

  /**
   * How far back the RPO guard reads ReplicaLag. A window without any datapoint is unknown lag (refused), and when
   * replay stopped before the window began the bound is the lag at its start, so a run long after the outage needs
   * `force` or a longer window. Whole minutes, 1 to 60.
   *
   * @default Duration.minutes(15)
   */
  readonly lagLookback?: Duration;

  /**
   * How long the replica must have replayed nothing (ReplicaLag at least this long, -1 or missing) before the
   * replication-stalled alarm counts as evidence. Whole minutes, 1 to 30.
   *
   * @default Duration.minutes(3)
   */
  readonly stallAfter?: Duration;

  /**
   * More evidence that the primary is down, as alarms in this Region that are in ALARM when it is: for example a
   * probe or canary that reaches the primary from this Region. Each alarm in ALARM counts as one signal.
   *
   * @default - none: the two built-in signals
   */
  readonly evidenceAlarms?: cloudwatch.IAlarm[];

  /**
   * How many signals must say the primary is down before the runbook promotes without `force`. The signals are the
   * replication-stalled alarm, the replica's replication status from RDS (`StatusInfos`), and each evidence alarm.
   *
   * @default 2
   */
  readonly minimumEvidence?: number;

  /**
   * Whether the replication-stalled alarm starts the runbook (EventBridge rule). The guards still apply.
   *
   * @default false: an operator starts the runbook
   */
  readonly automaticPromotion?: boolean;

  /**
   * Without `automaticPromotion`: the time from the replication-stalled page to an operator starting the runbook, the
   * term `detection: operator starts the runbook` of `rtoTerms`. An estimate; ignored with `automaticPromotion`.
   * Whole seconds, 0 to 24 hours.
   *
   * @default Duration.minutes(15)
   */
  readonly operatorResponseTime?: Duration;

  /**
   * How many times a run started by the replication-stalled alarm re-reads the replica's status, the evidence and the
   * lag before it refuses, `guardRecheckInterval` apart. CloudWatch sends the alarm's event once, when the alarm goes
   * to ALARM, so a run that refused at once would never be started again while the alarm stays in ALARM. A transient
   * replica status (`backing-up`, `modifying`, `configuring-*`, `rebooting`, ...) is waited for the same way. A run an
   * operator starts refuses at once. 0 to 60.
   *
   * @default 5
   */
  readonly guardRechecks?: number;

  /**
   * The time between those re-reads; also between the re-reads of a replica in a transient status after the
   * approval. Whole seconds, 10 seconds to 10 minutes.
   *
   * @default Duration.seconds(30)
   */
  readonly guardRecheckInterval?: Duration;

  /**
   * How long the runbook reads the fence alarm (`failover`'s) after the writable signal, every 20 seconds, until it is
   * in ALARM. The alarm follows the probe's one-minute metric, so it needs a minute or two; after this the report says
   * the fence is pending. Whole seconds, 0 (one reading) to 15 minutes.
   *
   * @default Duration.minutes(3)
   */
  readonly fenceWait?: Duration;

  /**
   * Whether the runbook waits for an approval (a task token sent to `topic`) before it promotes.
   *
   * @default - true when `automaticPromotion` is on, false otherwise (an operator starting the runbook has decided)
   */
  readonly approval?: boolean;

  /**
   * How long an approval may take before the runbook gives up without promoting. 1 minute to 24 hours.
   *
   * @default Duration.hours(1)
   */
  readonly approvalTimeout?: Duration;

  /**
   * The automated-backup retention of the promoted instance, 1-35 days, given to PromoteReadReplica
   * (`BackupRetentionPeriod`, 0-35, where 0 would turn backups off): the promoted instance replaces the primary, so
   * by default it keeps the primary's retention.
   *
   * @default - the retention of the primary the replica follows (`replica.sourceBackupRetention`); required when it is
   * unknown at synth
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html
   */
  readonly backupRetention?: Duration;

  /**
   * Seconds between status polls while the promotion runs. 10 seconds to 5 minutes.
   *
   * @default Duration.seconds(30)
   */
  readonly pollInterval?: Duration;

  /**
   * How long the runbook waits for the promoted instance to be available before it fails. 5 minutes to 6 hours.
   *
   * @default Duration.hours(1)
   */
  readonly promotionTimeout?: Duration;

  /**
   * The promotion time assumed in `rtoTerms` (term `promotion`). AWS publishes no figure: it depends on the instance
   * and the WAL to replay. At most `promotionTimeout`.
   *
   * @default Duration.minutes(10)
   */
  readonly expectedPromotionTime?: Duration;

  /**
   * The state machine's name.
   *
   * @default `<replica identifier>-failover`
   */
  readonly stateMachineName?: string;

  /**
   * The KMS key of the execution log group.
   *
   * @default - a new key with rotation, retained on stack deletion
   */
  readonly logKey?: kms.IKey;

  /**
   * How long execution logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A Step Functions standard workflow, in the DR Region, that promotes the cross-Region read replica safely:
 *
 * 1. It starts from an operator (`aws stepfunctions start-execution`), or from the replication-stalled alarm with
 *    `automaticPromotion`.
 * 2. It counts the signals that the primary is down, all visible in this Region, and refuses with a notification
 *    when fewer than `minimumEvidence` agree, unless the input has `"force": true`.
 * 3. It refuses when the data the replica may lack exceeds `maxLagAtPromotion` (ReplicaLag when replay stopped
 *    advancing, read with GetMetricData), or is unknown, unless forced. A run the alarm started re-reads the replica,
 *    the evidence and the lag `guardRechecks` times before it refuses, and waits for a replica in a transient status
 *    the same way.
 * 4. It waits for an approval through a task token, when required, then describes the replica again.
 * 5. It calls PromoteReadReplica with the backup retention, retrying throttling and a transient refusal with backoff,
 *    and polls the instance with a bounded loop until it is no longer a replica.
 * 6. It publishes the writable signal (`CdkResilientPostgres` `Writable` = 1) that the DR probe also publishes, so the
 *    secondary writer record turns healthy: DNS moves by health checks, with no Route 53 API call.
 * 7. It records the fence on the promoted instance (tags) and reads the fence alarm until it is in ALARM: the old
 *    primary is not answered again, and failback is a separate operation. It never calls the old primary's Region.
 * 8. It waits, within `promotionTimeout`, for the instance to be available, and announces every step on the topic,
 *    with timestamps, ending with an RTO/RPO report.
 *
 * Each run starts by describing the replica: an instance that is no longer a replica is not promoted again; the run
 * resumes at the signal, fence and report.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
 */
export class FailoverRunbook extends Construct {
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** The role the state machine runs with. */
  public readonly promotionRole: PromotionRole;
  /**
   * In ALARM while the replica has replayed nothing for `stallAfter` (ReplicaLag at least that long, -1, or missing):
   * one signal that the primary is down.
   */
  public readonly replicationStalledAlarm: cloudwatch.Alarm;
  /** The execution log group. */
  public readonly logGroup: logs.LogGroup;
  /** Whether the runbook waits for approval. */
  public readonly approvalRequired: boolean;
  /**
   * This part's share of the Region failure RTO, in the order it happens: detection (the replication-stalled alarm,
   * and the operator's response when the runbook is started by hand), decision (the guard re-checks of a run the
   * alarm started, the approval when one is required) and the promotion.
   */
  public readonly rtoTerms: BudgetTerm[];
  /** This part's share of the Region failure RPO: the replica-lag guard (`maxLagAtPromotion`, at least one ReplicaLag period). */
  public readonly rpoTerms: BudgetTerm[];
  /**
   * The Region failure RTO the settings imply: `rtoTerms`, then the failover records' `dnsTerms` when `failover` is
   * given. `ResilienceObjectives` reports and checks the same terms.
   */
  public readonly rtoBudget: ObjectiveBudget;
  /** The Region failure RPO the settings imply: the sum of `rpoTerms`. */
  public readonly rpoBudget: ObjectiveBudget;
  /** The promotion guard: the largest lag bound the runbook promotes with, unless forced. */
  public readonly maxLagAtPromotion: Duration;
  /** How long replay must stand still before the replication-stalled alarm fires. */
  public readonly stallAfter: Duration;
  /** Whether the replication-stalled alarm starts the runbook. */
  public readonly automaticPromotion: boolean;
  /** The failover records whose health checks move the writer name, when given. */
  public readonly failover?: Route53DbFailover;
  /**
   * With `automaticPromotion`: the dead-letter queue of the EventBridge target, where a start that failed after its
   * retries lands (encrypted with its own KMS key, TLS only).
   */
  public readonly startDeadLetterQueue?: sqs.Queue;
  /** With `automaticPromotion`: in ALARM while a failed start waits in `startDeadLetterQueue`. */
  public readonly startFailedAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FailoverRunbookProps) {
    super(scope, id);
    const construct = where(this, CONSTRUCT);
    const stack = Stack.of(this);
    const replica = props.replica;
    if (Token.isUnresolved(stack.region) || replica.region !== stack.region) {
      throw propError(construct, 'replica', replica.node.path,
        `a replica in this stack's Region (${stack.region}): the runbook runs where the replica is, never in the failed Region`);
    }
    validateResourcePlace(construct, 'topic', props.topic, props.topic.topicArn, { region: stack.region, regionRule: ALARM_TOPIC_RULE });
    if (replica instanceof CrossRegionReadReplica && replica.promoted) {
      throw propError(construct, 'replica', replica.node.path, 'a replica that is not yet declared promoted (promoted: true leaves nothing to promote)');
    }
    const primaryArn = replica.replicationSourceArn;
    if (primaryArn === undefined) {
      throw propError(construct, 'replica', replica.node.path,
        'a read replica (an instance with replicationSourceArn): a standalone instance has nothing to promote');
    }
    const identifier = replica.instanceIdentifier;

    // --- Settings ------------------------------------------------------------------------------------------------------
    const maxLagSeconds = validateMaxLagAtPromotion(construct, 'maxLagAtPromotion', props.maxLagAtPromotion ?? Duration.seconds(REPLICA_LAG_PERIOD_SECONDS));
    const lookbackMinutes = wholeUnits(construct, 'lagLookback', props.lagLookback ?? Duration.minutes(15), 'minutes', 1, 60);
    const stallMinutes = wholeUnits(construct, 'stallAfter', props.stallAfter ?? Duration.minutes(3), 'minutes', 1, 30);
    const approvalTimeoutSeconds = validateApprovalTimeout(construct, 'approvalTimeout', props.approvalTimeout ?? Duration.hours(1));
    const pollSeconds = wholeUnits(construct, 'pollInterval', props.pollInterval ?? Duration.seconds(30), 'seconds', 10, 300);
    const promotionTimeoutSeconds = wholeUnits(construct, 'promotionTimeout', props.promotionTimeout ?? DEFAULT_PROMOTION_TIMEOUT, 'seconds', 300, 21_600);
    const guardRechecks = props.guardRechecks ?? 5;
    if (!Number.isInteger(guardRechecks) || guardRechecks < 0 || guardRechecks > 60) {
      throw propError(construct, 'guardRechecks', guardRechecks, 'a whole number from 0 to 60');
    }
    const guardRecheckSeconds = wholeUnits(construct, 'guardRecheckInterval', props.guardRecheckInterval ?? Duration.seconds(30), 'seconds', 10, 600);
    const fenceWaitSeconds = wholeUnits(construct, 'fenceWait', props.fenceWait ?? Duration.minutes(3), 'seconds', 0, 900);
    const expectedPromotionSeconds = validateExpectedPromotionTime(construct, 'expectedPromotionTime',
      props.expectedPromotionTime ?? Duration.minutes(10), promotionTimeoutSeconds);
    const operatorSeconds = wholeUnits(construct, 'operatorResponseTime', props.operatorResponseTime ?? Duration.minutes(15), 'seconds', 0, 86_400);
    const retention = props.backupRetention ?? (replica instanceof CrossRegionReadReplica ? replica.sourceBackupRetention : undefined);
    if (retention === undefined) {
      throw propError(construct, 'backupRetention', undefined,
        'a retention of 1 to 35 days: the source\'s retention is not known from the replica (sourceAttributes), so give the one the primary had');
    }
    validateBackupRetention(construct, 'backupRetention', retention);
    const evidenceAlarms = props.evidenceAlarms ?? [];
    const evidenceNames = evidenceAlarms.map((alarm, i) => {
      const name = literalAlarmName(construct, `evidenceAlarms[${i}]`, alarm);
      if (Stack.of(alarm).region !== stack.region) {
        throw propError(construct, `evidenceAlarms[${i}]`, name,
          `an alarm in this Region (${stack.region}): the runbook reads alarms here only, because the primary's Region may be down`);
      }
      return name;
    });
    const signals = 2 + evidenceAlarms.length;
    const minimumEvidence = props.minimumEvidence ?? 2;
    if (!Number.isInteger(minimumEvidence) || minimumEvidence < 1 || minimumEvidence > signals) {
      throw propError(construct, 'minimumEvidence', minimumEvidence,
        `a whole number from 1 to ${signals}, the number of signals (replication stalled, replication status, and ${evidenceAlarms.length} evidence alarm(s))`);
    }
    const automatic = props.automaticPromotion ?? false;
    this.maxLagAtPromotion = Duration.seconds(maxLagSeconds);
    this.stallAfter = Duration.minutes(stallMinutes);
    this.automaticPromotion = automatic;
    this.failover = props.failover;
    this.approvalRequired = props.approval ?? automatic;
    useTopic(this, props.topic, {
      construct,
      purpose: this.approvalRequired ? `failover runbook announcements and approval requests of ${identifier}` : `failover runbook announcements of ${identifier}`,
      given: true,
      paged: true,
    });
    // With a latched fence the runbook publishes the latch metric at once and reads the latch alarm; without one it
    // reads the fence alarm. Route53DbFailover has already required literal names for both.
    const latchAlarm = props.failover?.latchAlarm;
    const latchDimension = props.failover?.latchMetric?.dimensions?.DBInstanceIdentifier;
    if (latchAlarm !== undefined && latchDimension !== identifier) {
      throw propError(construct, 'failover', props.failover!.node.path,
        `a Route53DbFailover whose secondary is this replica, ${identifier}: its fence latches on ${String(latchDimension)}`);
    }
    const fenceAlarm = latchAlarm ?? props.failover?.fenceAlarm;
    const fenceAlarmName = fenceAlarm ? literalAlarmNameOf(fenceAlarm) : undefined;

    // --- Signals: alarms in this Region on the replica's ReplicaLag ----------------------------------------------------
    const stalledAlarmName = `${identifier}-replication-stalled`;
    const stallSeconds = stallMinutes * 60;
    const action = new cloudwatchActions.SnsAction(props.topic);
    // RDS for PostgreSQL's ReplicaLag is the time since the replica last replayed a transaction: it grows while
    // nothing arrives. -1 (replication not active) counts as stalled too, and so does no data.
    this.replicationStalledAlarm = new cloudwatch.Alarm(this, 'ReplicationStalledAlarm', {
      alarmName: stalledAlarmName,
      alarmDescription: `[CRITICAL] ${identifier} has replayed nothing for ${stallMinutes} min (ReplicaLag ≥ ${stallSeconds} s, -1 `
        + 'or no data): one signal that the primary is down, and the start of the failover runbook when it is automatic. '
        + 'A primary without writes also lets the lag grow, so this signal alone never promotes.',
      metric: new cloudwatch.MathExpression({
        expression: `IF(lag < 0, ${stallSeconds}, lag)`,
        usingMetrics: { lag: rdsInstanceMetric(identifier, 'ReplicaLag', { statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1) }) },
        period: Duration.minutes(1),
        label: 'ReplicaLag, -1 as stalled',
      }),
      threshold: stallSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.replicationStalledAlarm.addAlarmAction(action);
    this.replicationStalledAlarm.addOkAction(action);

    // --- Role ----------------------------------------------------------------------------------------------------------
    this.promotionRole = new PromotionRole(this, 'PromotionRole', {
      replica,
      topic: props.topic,
      topicKey: props.topicKey,
      evidenceAlarms: [this.replicationStalledAlarm, ...evidenceAlarms,
        ...(fenceAlarm ? [fenceAlarm] : [])],
      recordFence: true,
    });

    // --- Logs ----------------------------------------------------------------------------------------------------------
    this.logGroup = encryptedLogGroup(this, {
      logGroupName: `/aws/vendedlogs/states/cdk-resilient-postgres/${identifier}-failover`,
      key: props.logKey,
      keyDescription: `Encrypts the failover runbook's execution logs of ${identifier}`,
      keyPolicySid: 'AllowCloudWatchLogsForRunbook',
      retention: props.logRetention,
    });

    // --- The workflow --------------------------------------------------------------------------------------------------
    const definition = buildRunbookDefinition({
      region: stack.region,
      replicaIdentifier: identifier,
      replicaArn: replica.instanceArn,
      primaryArn,
      namespace: PROBE_METRIC_NAMESPACE,
      evidenceAlarmNames: [stalledAlarmName, ...evidenceNames],
      lagLookbackSeconds: lookbackMinutes * 60,
      fenceAlarmName,
      latchMetricName: latchAlarm ? PROMOTED_METRIC_NAME : undefined,
      fenceTagPrefix: FENCE_TAG_PREFIX,
      minimumEvidence,
      rpoSeconds: maxLagSeconds,
      backupRetentionDays: retention.toDays(),
      approval: this.approvalRequired,
      approvalTimeoutSeconds,
      pollSeconds,
      maxPolls: Math.ceil(promotionTimeoutSeconds / pollSeconds),
      guardRechecks,
      guardRecheckSeconds,
      fenceReads: 1 + Math.ceil(fenceWaitSeconds / FENCE_READ_SECONDS),
      fenceReadSeconds: FENCE_READ_SECONDS,
      // Every wait the run can reach (the approval wait once per request sent), and an hour for the calls,
      // announcements and retries.
      timeoutSeconds: guardRechecks * guardRecheckSeconds * (this.approvalRequired ? 2 : 1)
        + (this.approvalRequired ? approvalTimeoutSeconds * (1 + APPROVAL_RESENDS) : 0)
        + PROMOTE_STATE_RETRY_SECONDS + promotionTimeoutSeconds + fenceWaitSeconds + 3_600,
    });
    const servicePolicy = new iam.ManagedPolicy(this, 'LoggingAndTracingPolicy', {
      description: 'Execution logging and X-Ray tracing of the failover runbook',
      roles: [this.promotionRole.role],
      statements: [
        ...executionLoggingStatements(),
      ],
    });
    acknowledge(servicePolicy,
      EXECUTION_LOGGING_REASON,
      'AwsSolutions-IAM5[Resource::*]');
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName ?? `${identifier}-failover`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      // The comment and the timeout are in the definition: aws-cdk-lib drops both props for a definition string.
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(definition)),
      definitionSubstitutions: { [TOPIC_ARN_SUBSTITUTION]: props.topic.topicArn },
      // The role's permissions are customer-managed policies only: aws-cdk-lib would add the logging and tracing grants
      // as an inline default policy, so they come from the managed policy below instead.
      role: this.promotionRole.role.withoutPolicyUpdates(),
      tracingEnabled: true,
      // Every event type, without execution data: the approval request's parameters carry the task token, which would
      // let anyone who reads the log group approve the promotion. The full data stays in the execution history.
      // https://docs.aws.amazon.com/step-functions/latest/dg/cloudwatch-log-level.html
      // https://docs.aws.amazon.com/step-functions/latest/apireference/API_LoggingConfiguration.html
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    // Step Functions checks the log delivery permissions when it creates the state machine.
    this.stateMachine.node.addDependency(servicePolicy, this.promotionRole.policy);

    if (automatic) {
      const startRole = new iam.Role(this, 'StartRole', {
        assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
        description: `Lets EventBridge start the failover runbook of ${identifier}`,
      });
      new iam.ManagedPolicy(this, 'StartPolicy', {
        description: `Starts the failover runbook of ${identifier}`,
        roles: [startRole],
        statements: [new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] })],
      });
      // EventBridge retries a failed start, then drops it unless the target has a dead-letter queue. The queue is
      // encrypted with its own key, which EventBridge must be allowed to use to send to it; CDK's target adds the queue
      // policy (events.amazonaws.com, aws:SourceArn the rule).
      // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
      // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#compatibility-with-aws-services
      const dlqKey = new kms.Key(this, 'StartDeadLetterKey', {
        description: `Encrypts the dead-letter queue of the failover runbook's automatic start (${identifier})`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      dlqKey.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowEventBridgeToSendToTheDeadLetterQueue',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
      }));
      const dlq = new sqs.Queue(this, 'StartDeadLetterQueue', {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: dlqKey,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledge(dlq,
        'This queue is the dead-letter queue of the EventBridge target that starts the failover runbook; cdk-nag recognizes '
        + 'only queues named in another queue\'s redrive policy as dead-letter queues. Nothing consumes it automatically: an '
        + 'operator reads a failed start from it, alerted by its alarm.',
        'AwsSolutions-SQS3');
      this.startDeadLetterQueue = dlq;
      new events.Rule(this, 'StartOnStalledReplication', {
        description: `Starts the failover runbook of ${identifier} when its replication-stalled alarm goes to ALARM`,
        eventPattern: {
          source: ['aws.cloudwatch'],
          detailType: ['CloudWatch Alarm State Change'],
          resources: [this.replicationStalledAlarm.alarmArn],
          detail: { state: { value: ['ALARM'] } },
        },
        // EventBridge delivers at least once, and a target takes no execution name (Target has Input, RoleArn,
        // RetryPolicy and DeadLetterConfig, nothing that names the execution): a duplicate start is a second run, which
        // finds the promotion of the first, or is refused by RDS and then finds it, and resumes instead of promoting again.
        // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html
        // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
        targets: [new targets.SfnStateMachine(this.stateMachine, {
          input: events.RuleTargetInput.fromObject({
            trigger: 'alarm',
            reason: `${stalledAlarmName} went to ALARM`,
            detectedAt: events.EventField.time,
          }),
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
          deadLetterQueue: dlq,
          role: startRole.withoutPolicyUpdates(),
        })],
      });
      this.startFailedAlarm = new cloudwatch.Alarm(this, 'StartFailedAlarm', {
        alarmName: `${identifier}-failover-start-failed`,
        alarmDescription: `[CRITICAL] EventBridge could not start the failover runbook of ${identifier}: the event is in the `
          + 'dead-letter queue. Start the runbook by hand (docs/failover-runbook.md) and read the error attributes of the message.',
        metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.startFailedAlarm.addAlarmAction(action);
    }

    // --- This part's share of the budgets ------------------------------------------------------------------------------
    this.rtoTerms = [
      // The lag reaches the threshold stallAfter after the last replay; CloudWatch evaluates the next complete minute.
      // The alarm starts the runbook, or pages the operator who starts it.
      budgetTerm('detection: replication stalled', stallSeconds + 60,
        `replay stands still for stallAfter ${stallSeconds} s, then one alarm period of 60 s is evaluated: RDS publishes `
        + 'ReplicaLag once a minute, so neither the period nor stallAfter can be shorter than 60 s, and ReplicaLag is the '
        + 'time since the last replayed transaction, so it also grows while the primary commits nothing',
        'FailoverRunbook stallAfter', BUDGET_SOURCES.replicaLagPeriod, false),
    ];
    if (!automatic) {
      this.rtoTerms.push(budgetTerm('detection: operator starts the runbook', operatorSeconds,
        'the runbook is started by hand after the page', 'FailoverRunbook operatorResponseTime (or automaticPromotion)',
        BUDGET_SOURCES.alarmEvaluation, true));
    }
    if (automatic && guardRechecks > 0) {
      this.rtoTerms.push(budgetTerm('decision: guard re-checks', guardRechecks * guardRecheckSeconds,
        'a run the alarm started re-reads the replica, evidence and lag at most guardRechecks times, guardRecheckInterval apart',
        'FailoverRunbook guardRechecks, guardRecheckInterval', BUDGET_SOURCES.alarmEvents, false));
    }
    if (this.approvalRequired) {
      this.rtoTerms.push(budgetTerm('decision: approval', approvalTimeoutSeconds,
        'the runbook waits for an approval at most approvalTimeout', 'FailoverRunbook approvalTimeout (or approval)',
        BUDGET_SOURCES.approval, false));
    }
    this.rtoTerms.push(budgetTerm('promotion', expectedPromotionSeconds,
      'PromoteReadReplica until the instance is available and writable; AWS publishes no figure', 'FailoverRunbook expectedPromotionTime',
      BUDGET_SOURCES.promotion, true));
    this.rpoTerms = [
      budgetTerm('replica-lag guard', Math.max(maxLagSeconds, REPLICA_LAG_PERIOD_SECONDS),
        'the runbook refuses to promote when the replica had replayed nothing newer for longer than maxLagAtPromotion (unless '
        + `forced); ReplicaLag comes once a minute, so the guard holds no less than ${REPLICA_LAG_PERIOD_SECONDS} s`,
        'FailoverRunbook maxLagAtPromotion', BUDGET_SOURCES.replicaLag, false),
    ];
    this.rtoBudget = sumTerms(REGION_FAILURE, 'RTO', [...this.rtoTerms, ...props.failover?.dnsTerms ?? []]);
    this.rpoBudget = sumTerms(REGION_FAILURE, 'RPO', this.rpoTerms);
  }
}
