import { Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IPostgresInstance } from '../common/postgres-instance';
import { subscribe, topicKeyStatement, topicPublishStatements, useTopic, validateSubscribers } from '../private/alarm-topic';
import { cfnDbInstanceOf, requireLiteralIdentifier } from '../private/db-instance-facts';
import { propError, where } from '../private/errors';
import { defaultMaxConnections, instanceClassMemoryGiB } from '../private/instance-class';
import { rdsInstanceMetric } from '../private/metrics';
import { ALARM_TOPIC_RULE, validateResourcePlace } from '../private/validation';

const CONSTRUCT = 'DbAlarmSet';

/** How urgent an alarm is; it is written at the start of the alarm's description. */
export enum AlarmSeverity {
  /** Data loss or an outage is near: page someone. */
  CRITICAL = 'CRITICAL',
  /** Degradation to look at during working hours. */
  WARNING = 'WARNING',
}

/** Whether an instance is a primary or a read replica; replicas get a ReplicaLag alarm. */
export enum ReplicationRole {
  /** A writable instance. */
  PRIMARY = 'PRIMARY',
  /** A read replica. */
  REPLICA = 'REPLICA',
}

/**
 * Overrides for one alarm of a `DbAlarmSet`. Each alarm's prop says what its threshold means and its defaults.
 */
export interface DbAlarmOptions {
  /**
   * Whether the alarm is created.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The threshold, in the unit the alarm's prop names.
   *
   * @default - the alarm's default
   */
  readonly threshold?: number;

  /**
   * Length of one evaluation period. A whole number of minutes: RDS publishes instance metrics every 60 seconds.
   *
   * @default - the alarm's default
   */
  readonly period?: Duration;

  /**
   * Number of periods evaluated.
   *
   * @default - the alarm's default
   */
  readonly evaluationPeriods?: number;

  /**
   * Number of breaching periods, among `evaluationPeriods`, that set off the alarm.
   *
   * @default - equal to evaluationPeriods
   */
  readonly datapointsToAlarm?: number;

  /**
   * The alarm's severity.
   *
   * @default - the alarm's default
   */
  readonly severity?: AlarmSeverity;
}

/** Properties of a `DbAlarmSet`. */
export interface DbAlarmSetProps {
  /**
   * The DB instance to watch: a primary or a read replica, of this app (`MultiAzPostgres`, `CrossRegionReadReplica`,
   * `PostgresInstanceBase.fromDatabaseInstance`) or imported (`PostgresInstanceBase.fromPostgresInstanceAttributes`).
   */
  readonly instance: IPostgresInstance;

  /**
   * The DB instance identifier, used in alarm names and metric dimensions.
   *
   * @default - the instance's identifier
   */
  readonly instanceIdentifier?: string;

  /**
   * Whether the instance is a primary or a read replica.
   *
   * @default - REPLICA when the instance is a read replica (`replicationSourceArn`), else PRIMARY
   */
  readonly replicationRole?: ReplicationRole;

  /**
   * The DB instance class, e.g. `db.m7g.large`, for the memory and connection thresholds.
   *
   * @default - the instance's `instanceType`
   */
  readonly instanceClass?: string;

  /**
   * The allocated storage, for the storage and WAL thresholds. With storage autoscaling the thresholds stay relative
   * to this figure, so they fire early, never late.
   *
   * @default - the instance's `allocatedStorage`
   */
  readonly allocatedStorage?: Size;

  /**
   * The instance's `max_connections`, for the connections threshold. Give it when the parameter group sets
   * `max_connections`.
   *
   * @default - RDS's default for the instance class: LEAST(DBInstanceClassMemory/9531392, 5000)
   */
  readonly maxConnections?: number;

  /**
   * Replicas only: the ReplicaLag above which the replica-lag alarm is in ALARM, such as the failover runbook's
   * `maxLagAtPromotion` (the lag above which a promotion is refused). Whole seconds, at least 1 second. The alarm's
   * `replicaLag.threshold`, when given, takes precedence.
   *
   * @default Duration.minutes(1)
   */
  readonly replicaLagThreshold?: Duration;

  /**
   * The SNS topic every alarm, OK transition and RDS event goes to, in this stack's Region (CloudWatch alarm actions
   * must be in the alarm's Region). Its access policy must let `cloudwatch.amazonaws.com` and `events.rds.amazonaws.com`
   * publish, and when it is encrypted, its key must let both use `kms:Decrypt` and `kms:GenerateDataKey*`. A topic of
   * this app (`sns.Topic`) gets these statements, as the construct's own topic does (a topic without a policy gets one,
   * which replaces SNS's default policy: other services that publish to it must then be named in it); for an imported one, the construct
   * warns (`cdk-resilient-postgres:topicPermissionsNotAdded`) with the statements to add. A topic of this app without a
   * subscription warns too (`cdk-resilient-postgres:topicWithoutSubscriber`).
   *
   * @default - a new topic, encrypted with a new customer-managed KMS key, refusing publishers without TLS, that lets
   * the alarms of this account and Region and the instance's RDS events publish
   * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
   */
  readonly topic?: sns.ITopic;

  /**
   * Email addresses subscribed to the topic this construct creates; each receives a confirmation request from SNS
   * and is paged once it confirms. Not with `topic`: a topic you give keeps the subscribers you give it.
   *
   * @default - none
   * @see https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html
   */
  readonly subscriberEmails?: string[];

  /**
   * HTTPS endpoints subscribed to the topic this construct creates, such as a paging service's integration URL.
   * `https://` only: alarms are not sent in clear text. Not with `topic`.
   *
   * @default - none
   * @see https://docs.aws.amazon.com/sns/latest/dg/sns-http-https-endpoint-as-subscriber.html
   */
  readonly subscriberUrls?: string[];

  /**
   * Whether to subscribe the topic to the instance's RDS events: availability, failover, failure, low storage,
   * maintenance, read replica, recovery and restoration.
   *
   * @default true
   */
  readonly eventSubscription?: boolean;

  /**
   * Whether to create a CloudWatch dashboard of the instance's metrics and alarms.
   *
   * @default true
   */
  readonly dashboard?: boolean;

  /** CPUUtilization above `threshold` percent. @default 80 % over 3 periods of 5 minutes, WARNING */
  readonly cpuUtilization?: DbAlarmOptions;
  /** FreeableMemory below `threshold` percent of the class's memory. @default 10 % over 3 periods of 5 minutes, WARNING */
  readonly freeableMemory?: DbAlarmOptions;
  /** SwapUsage above `threshold` MiB. @default 256 MiB over 3 periods of 5 minutes, WARNING */
  readonly swapUsage?: DbAlarmOptions;
  /** FreeStorageSpace below `threshold` percent of allocated storage. @default 10 % over 1 period of 5 minutes, CRITICAL */
  readonly freeStorageSpace?: DbAlarmOptions;
  /** DatabaseConnections above `threshold` percent of max_connections. @default 80 % over 3 periods of 5 minutes, WARNING */
  readonly databaseConnections?: DbAlarmOptions;
  /** ReadLatency above `threshold` milliseconds. @default 20 ms over 3 periods of 5 minutes, WARNING */
  readonly readLatency?: DbAlarmOptions;
  /** WriteLatency above `threshold` milliseconds. @default 20 ms over 3 periods of 5 minutes, WARNING */
  readonly writeLatency?: DbAlarmOptions;
  /** DiskQueueDepth above `threshold` requests. @default 64 over 3 periods of 5 minutes, WARNING */
  readonly diskQueueDepth?: DbAlarmOptions;
  /**
   * Replicas only: ReplicaLag above `threshold` seconds. -1 (replication stopped) and missing data count as breaching.
   * @default `replicaLagThreshold`, over 2 periods of 1 minute, CRITICAL
   */
  readonly replicaLag?: DbAlarmOptions;
  /** OldestReplicationSlotLag above `threshold` percent of allocated storage. @default 10 % over 1 period of 5 minutes, CRITICAL */
  readonly oldestReplicationSlotLag?: DbAlarmOptions;
  /** TransactionLogsDiskUsage above `threshold` percent of allocated storage. @default 10 % over 1 period of 5 minutes, CRITICAL */
  readonly transactionLogsDiskUsage?: DbAlarmOptions;
  /** MaximumUsedTransactionIDs above `threshold` transaction IDs. @default 1,000,000,000 over 1 period of 5 minutes, CRITICAL */
  readonly maximumUsedTransactionIds?: DbAlarmOptions;
}

/** One alarm's definition: its metric, how its threshold is read, and its defaults. */
interface AlarmSpec {
  readonly prop: keyof DbAlarmSetProps;
  readonly id: string;
  readonly metricName: string;
  readonly title: string;
  readonly defaultThreshold: number;
  /** Turns the threshold from the prop's unit into the metric's; undefined when the base figure is unknown. */
  readonly toMetricUnit: (threshold: number) => number | undefined;
  /** What to give when `toMetricUnit` cannot convert. */
  readonly needs?: string;
  readonly unit: string;
  readonly comparison: cloudwatch.ComparisonOperator;
  readonly periodMinutes: number;
  readonly evaluationPeriods: number;
  readonly severity: AlarmSeverity;
  readonly replicaOnly?: boolean;
}

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/**
 * CloudWatch alarms for one RDS for PostgreSQL DB instance, with thresholds relative to the instance, every alarm
 * (and its return to OK) sent to an SNS topic, the instance's RDS events on the same topic, and a dashboard.
 *
 * Thresholds: connections as a share of max_connections for the instance class, storage and WAL as a share of the
 * allocated storage, memory as a share of the class's memory, ReplicaLag against `replicaLagThreshold` (replication stopped counts
 * as breaching), and MaximumUsedTransactionIDs at one billion, half-way to wraparound.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/monitoring-cloudwatch.html
 *
 * @example
 * declare const db: MultiAzPostgres;
 * const alarms = new DbAlarmSet(this, 'OrdersAlarms', {
 *   instance: db,
 *   cpuUtilization: { threshold: 70 },
 *   diskQueueDepth: { enabled: false },
 * });
 */
export class DbAlarmSet extends Construct {
  /** The topic every alarm and RDS event goes to. */
  public readonly topic: sns.ITopic;
  /** The key of the topic, when this construct created it. */
  public readonly topicKey?: kms.IKey;
  /** The alarms, by metric name (e.g. `CPUUtilization`). */
  public readonly alarms: Record<string, cloudwatch.Alarm>;
  /** The DB instance identifier the alarms watch. */
  public readonly instanceIdentifier: string;
  /** Whether the instance is a primary or a replica. */
  public readonly replicationRole: ReplicationRole;
  /** The max_connections figure the connections alarm is relative to, when known. */
  public readonly maxConnections?: number;
  /** The dashboard, unless turned off. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** The RDS event subscription, unless turned off. */
  public readonly eventSubscription?: rds.CfnEventSubscription;

  constructor(scope: Construct, id: string, props: DbAlarmSetProps) {
    super(scope, id);
    const construct = where(this, CONSTRUCT);
    const stack = Stack.of(this);
    // The resource the event subscription waits for, when the instance is created in this app.
    const cfn = cfnDbInstanceOf(props.instance.instance);

    const identifier = requireLiteralIdentifier(construct, props.instance, props.instanceIdentifier);
    this.instanceIdentifier = identifier;
    this.replicationRole = props.replicationRole
      ?? (props.instance.replicationSourceArn !== undefined ? ReplicationRole.REPLICA : ReplicationRole.PRIMARY);

    const instanceType = props.instance.instanceType;
    const instanceClass = props.instanceClass ?? (instanceType === undefined ? undefined : `db.${instanceType.toString()}`);
    const memoryGiB = instanceClass === undefined ? undefined : instanceClassMemoryGiB(instanceClass);
    if (props.maxConnections !== undefined && (!Number.isInteger(props.maxConnections) || props.maxConnections < 1)) {
      throw propError(construct, 'maxConnections', props.maxConnections, 'a whole number of connections, at least 1');
    }
    this.maxConnections = props.maxConnections ?? (instanceClass === undefined ? undefined : defaultMaxConnections(instanceClass));
    const storageGiB = props.allocatedStorage?.toGibibytes() ?? props.instance.allocatedStorage;
    if (storageGiB !== undefined && !(storageGiB > 0)) {
      throw propError(construct, 'allocatedStorage', storageGiB, 'a positive size');
    }
    const replicaLagSeconds = (props.replicaLagThreshold ?? Duration.minutes(1)).toSeconds({ integral: false });
    if (!Number.isInteger(replicaLagSeconds) || replicaLagSeconds < 1) {
      throw propError(construct, 'replicaLagThreshold', props.replicaLagThreshold?.toHumanString(), 'a whole number of seconds, at least 1 second');
    }

    const shareOf = (base: number | undefined) => (percent: number) => base === undefined ? undefined : base * percent / 100;
    const memoryBytes = memoryGiB === undefined ? undefined : memoryGiB * GIB;
    const storageBytes = storageGiB === undefined ? undefined : storageGiB * GIB;
    const specs: AlarmSpec[] = [
      spec('cpuUtilization', 'CPUUtilization', 'CPU utilization', 80, (t) => t, '%', 'gt', 5, 3, AlarmSeverity.WARNING),
      { ...spec('freeableMemory', 'FreeableMemory', 'freeable memory', 10, shareOf(memoryBytes), '% of memory', 'lt', 5, 3, AlarmSeverity.WARNING), needs: 'instanceClass (a class whose memory is known)' },
      spec('swapUsage', 'SwapUsage', 'swap usage', 256, (t) => t * MIB, 'MiB', 'gt', 5, 3, AlarmSeverity.WARNING),
      { ...spec('freeStorageSpace', 'FreeStorageSpace', 'free storage space', 10, shareOf(storageBytes), '% of allocated storage', 'lt', 5, 1, AlarmSeverity.CRITICAL), needs: 'allocatedStorage' },
      { ...spec('databaseConnections', 'DatabaseConnections', 'connections', 80, shareOf(this.maxConnections), '% of max_connections', 'gt', 5, 3, AlarmSeverity.WARNING), needs: 'maxConnections or instanceClass' },
      spec('readLatency', 'ReadLatency', 'read latency', 20, (t) => t / 1000, 'ms', 'gt', 5, 3, AlarmSeverity.WARNING),
      spec('writeLatency', 'WriteLatency', 'write latency', 20, (t) => t / 1000, 'ms', 'gt', 5, 3, AlarmSeverity.WARNING),
      spec('diskQueueDepth', 'DiskQueueDepth', 'disk queue depth', 64, (t) => t, 'requests', 'gt', 5, 3, AlarmSeverity.WARNING),
      { ...spec('replicaLag', 'ReplicaLag', 'replica lag', replicaLagSeconds, (t) => t, 's', 'gt', 1, 2, AlarmSeverity.CRITICAL), replicaOnly: true },
      { ...spec('oldestReplicationSlotLag', 'OldestReplicationSlotLag', 'oldest replication slot lag', 10, shareOf(storageBytes), '% of allocated storage', 'gt', 5, 1, AlarmSeverity.CRITICAL), needs: 'allocatedStorage' },
      { ...spec('transactionLogsDiskUsage', 'TransactionLogsDiskUsage', 'WAL disk usage', 10, shareOf(storageBytes), '% of allocated storage', 'gt', 5, 1, AlarmSeverity.CRITICAL), needs: 'allocatedStorage' },
      spec('maximumUsedTransactionIds', 'MaximumUsedTransactionIDs', 'transaction ID age (wraparound at 2^31)', 1_000_000_000, (t) => t, 'transaction IDs', 'gt', 5, 1, AlarmSeverity.CRITICAL),
    ];

    const emails = props.subscriberEmails ?? [];
    const urls = props.subscriberUrls ?? [];
    validateSubscribers(construct, { emails: 'subscriberEmails', urls: 'subscriberUrls' }, emails, urls);
    if (props.topic) {
      validateResourcePlace(construct, 'topic', props.topic, props.topic.topicArn, { region: stack.region, regionRule: ALARM_TOPIC_RULE });
      if (emails.length > 0 || urls.length > 0) {
        throw propError(construct, emails.length > 0 ? 'subscriberEmails' : 'subscriberUrls', (emails.length > 0 ? emails : urls).join(', '),
          'unset when topic is given: subscribers are added to the topic this construct creates, and a topic you give keeps its own');
      }
      this.topic = props.topic;
    } else {
      const { topic, key } = this.createTopic(stack, identifier);
      subscribe(topic, emails, urls);
      this.topic = topic;
      this.topicKey = key;
    }
    useTopic(this, this.topic, {
      construct,
      purpose: `alarms and RDS events of ${identifier}`,
      given: props.topic !== undefined,
      paged: true,
      rdsEventSource: (props.eventSubscription ?? true) ? identifier : undefined,
    });
    const action = new cloudwatchActions.SnsAction(this.topic);

    this.alarms = {};
    for (const s of specs) {
      const options = (props[s.prop] ?? {}) as DbAlarmOptions;
      if (options.enabled === false || (s.replicaOnly && this.replicationRole !== ReplicationRole.REPLICA)) {
        continue;
      }
      const alarm = this.createAlarm(s, options, identifier, replicaLagSeconds);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms[s.metricName] = alarm;
    }

    if (props.eventSubscription ?? true) {
      this.eventSubscription = new rds.CfnEventSubscription(this, 'Events', {
        snsTopicArn: this.topic.topicArn,
        sourceType: 'db-instance',
        sourceIds: [identifier],
        // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html#USER_Events.Messages.instance
        eventCategories: ['availability', 'failover', 'failure', 'low storage', 'maintenance', 'read replica', 'recovery', 'restoration'],
        enabled: true,
      });
      // The topic's access policy must exist before RDS checks that it may publish.
      const policy = this.topic.node.tryFindChild('Policy');
      if (policy && Stack.of(policy) === stack) {
        this.eventSubscription.node.addDependency(policy);
      }
      // RDS refuses a subscription whose source does not exist yet (SourceNotFound), and the literal identifier gives
      // CloudFormation no order of its own: wait for an instance of this stack.
      // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateEventSubscription.html
      if (cfn !== undefined && Stack.of(cfn) === stack) {
        this.eventSubscription.node.addDependency(cfn);
      }
    }

    if (props.dashboard ?? true) {
      this.dashboard = this.createDashboard(identifier);
    }
  }

  private createTopic(stack: Stack, identifier: string): { topic: sns.Topic; key: kms.Key } {
    const key = new kms.Key(this, 'TopicKey', {
      description: `Encrypts the alarm and event topic of RDS for PostgreSQL instance ${identifier}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The key lets CloudWatch alarms and RDS event notifications of this account publish to the topic.
    key.addToResourcePolicy(topicKeyStatement(stack));
    const topic = new sns.Topic(this, 'Topic', {
      displayName: `RDS for PostgreSQL ${identifier}: alarms and events`,
      masterKey: key,
      enforceSSL: true,
    });
    // The statements go in the topic's own policy, which also holds the TLS-only statement: a second TopicPolicy would
    // replace it.
    for (const statement of topicPublishStatements(stack, topic.topicArn, { rdsEventSource: identifier })) {
      topic.addToResourcePolicy(statement);
    }
    return { topic, key };
  }

  /**
   * One alarm. Its description states the threshold it was given (and the RPO only when the threshold is the RPO), so
   * an override never leaves the default's figure in the text.
   */
  private createAlarm(s: AlarmSpec, options: DbAlarmOptions, identifier: string, rpoSeconds: number): cloudwatch.Alarm {
    const threshold = options.threshold ?? s.defaultThreshold;
    if (!Number.isFinite(threshold) || threshold < 0) {
      throw propError(where(this, CONSTRUCT), `${s.prop}.threshold`, threshold, `a number of ${s.unit}, zero or more`);
    }
    if (s.unit.startsWith('%') && threshold > 100) {
      throw propError(where(this, CONSTRUCT), `${s.prop}.threshold`, threshold, `a percentage from 0 to 100 (${s.unit})`);
    }
    const metricThreshold = s.toMetricUnit(threshold);
    if (metricThreshold === undefined) {
      throw propError(where(this, CONSTRUCT), s.needs!.split(' ')[0], undefined,
        `the ${s.prop} alarm is relative to a figure not known at synth time; give ${s.needs}, or set ${s.prop}: { enabled: false }`);
    }
    const period = options.period ?? Duration.minutes(s.periodMinutes);
    const periodMinutes = period.toSeconds() / 60;
    if (!Number.isInteger(periodMinutes) || periodMinutes < 1 || periodMinutes > 1440) {
      throw propError(where(this, CONSTRUCT), `${s.prop}.period`, period.toHumanString(),
        'a whole number of minutes from 1 to 1440: RDS publishes instance metrics every 60 seconds');
    }
    const evaluationPeriods = options.evaluationPeriods ?? s.evaluationPeriods;
    if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1 || evaluationPeriods * period.toSeconds() > 86_400) {
      throw propError(where(this, CONSTRUCT), `${s.prop}.evaluationPeriods`, evaluationPeriods, 'a whole number, at least 1, spanning at most one day');
    }
    const datapointsToAlarm = options.datapointsToAlarm ?? evaluationPeriods;
    if (!Number.isInteger(datapointsToAlarm) || datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods) {
      throw propError(where(this, CONSTRUCT), `${s.prop}.datapointsToAlarm`, datapointsToAlarm, `a whole number from 1 to evaluationPeriods (${evaluationPeriods})`);
    }
    const severity = options.severity ?? s.severity;
    const lower = s.comparison === cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;
    const replicaLag = s.metricName === 'ReplicaLag';
    const metric = rdsInstanceMetric(identifier, s.metricName, {
      period,
      // Worst case of the period: lowest for "too little" alarms, highest for "too much" ones.
      statistic: lower ? cloudwatch.Stats.MINIMUM : cloudwatch.Stats.MAXIMUM,
    });
    return new cloudwatch.Alarm(this, s.id, {
      alarmName: `${identifier}-${kebab(s.metricName)}`,
      alarmDescription: `[${severity}] ${identifier}: ${s.title} ${lower ? 'below' : 'above'} ${threshold} ${s.unit}`
        + (replicaLag ? `${threshold === rpoSeconds ? ' (RPO)' : ''}; replication stopped (-1) or no data counts as breaching` : ''),
      // ReplicaLag is -1 when replication has stopped: that must breach too.
      metric: replicaLag
        ? new cloudwatch.MathExpression({
          expression: `IF(lag < 0, ${metricThreshold + 1}, lag)`,
          usingMetrics: { lag: metric },
          period,
          label: 'ReplicaLag (-1 counted as breaching)',
        })
        : metric,
      threshold: metricThreshold,
      comparisonOperator: s.comparison,
      evaluationPeriods,
      datapointsToAlarm,
      treatMissingData: replicaLag ? cloudwatch.TreatMissingData.BREACHING : cloudwatch.TreatMissingData.MISSING,
    });
  }

  private createDashboard(identifier: string): cloudwatch.Dashboard {
    const alarms = Object.values(this.alarms);
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${identifier}-database`,
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({
      title: `${identifier} (${this.replicationRole.toLowerCase()}): alarms`,
      alarms,
      width: 24,
    }));
    const widgets = alarms.map((alarm) => new cloudwatch.AlarmWidget({ alarm, title: alarm.alarmName, width: 8, height: 6 }));
    for (let i = 0; i < widgets.length; i += 3) {
      dashboard.addWidgets(...widgets.slice(i, i + 3));
    }
    return dashboard;
  }
}

function spec(prop: keyof DbAlarmSetProps, metricName: string, title: string, defaultThreshold: number,
  toMetricUnit: (t: number) => number | undefined, unit: string, comparison: 'gt' | 'lt', periodMinutes: number,
  evaluationPeriods: number, severity: AlarmSeverity): AlarmSpec {
  return {
    prop,
    id: metricName,
    metricName,
    title,
    defaultThreshold,
    toMetricUnit,
    unit,
    periodMinutes,
    evaluationPeriods,
    severity,
    comparison: comparison === 'gt' ? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD : cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
  };
}

function kebab(name: string): string {
  return name.replace(/IDs$/, 'Ids').replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2').replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}
