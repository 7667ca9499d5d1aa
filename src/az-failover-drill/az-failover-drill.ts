import { Arn, ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as fis from 'aws-cdk-lib/aws-fis';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  AZ_DRILL_METRIC_NAMESPACE, buildMeasurementDefinition, FIS_TERMINAL_STATES, MEASURED_RTO_METRIC_NAME, MEASUREMENT_TOPIC_SUBSTITUTION,
  OBJECTIVE_MET_METRIC_NAME,
} from './measurement';
import { IPostgresInstance } from '../common/postgres-instance';
import { useTopic } from '../private/alarm-topic';
import { requireLiteralIdentifier } from '../private/db-instance-facts';
import { propError, where } from '../private/errors';
import { EXECUTION_LOGGING_REASON, executionLoggingStatements } from '../private/execution-logging';
import { encryptedLogGroup } from '../private/logs-key';
import { acknowledge } from '../private/nag';
import { validateResourcePlace, wholeUnits } from '../private/validation';
import { PROBE_DIMENSION, PROBE_NAMESPACE, REACHABLE_METRIC_NAME, WRITABLE_METRIC_NAME } from '../private/probe-metric-contract';

const CONSTRUCT = 'AzFailoverDrill';

/**
 * The FIS action that reboots DB instances, with its `forceFailover` parameter, its target key `DBInstances` and the
 * target resource type `aws:rds:db`.
 *
 * The action's ID, its target key and resource type also appear in AWS's own `aws fis list-actions` example output
 * (aws/aws-cli, awscli/examples/fis/list-actions.rst), and `forceFailover: true` in AWS's FIS workshop
 * (aws-samples/aws-fault-injection-simulator-workshop, "RDS DB Instance Reboot").
 *
 * @see https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html
 * @see https://github.com/aws/aws-cli/blob/develop/awscli/examples/fis/list-actions.rst
 */
const REBOOT_DB_INSTANCES_ACTION = 'aws:rds:reboot-db-instances';

/** The target key the reboot action reads its instances from. */
const DB_INSTANCES_TARGET_KEY = 'DBInstances';

/** The FIS resource type of a DB instance. */
const DB_RESOURCE_TYPE = 'aws:rds:db';

/**
 * Stop conditions per experiment template (Service Quotas code L-872EC72B, not adjustable).
 *
 * @see https://docs.aws.amazon.com/fis/latest/userguide/fis-quotas.html
 */
const MAX_STOP_CONDITIONS = 5;

/** Why the measurement's topic is in the stack's Region: the report goes where the primary's alarms page. */
const MEASUREMENT_TOPIC_RULE = "the measurement reports in the drill's Region, where the primary's alarm topic is";

/** Properties of an `AzFailoverDrill`. */
export interface AzFailoverDrillProps {
  /**
   * The primary to fail over: a Multi-AZ DB instance (not a read replica) in this stack's account and Region, such as
   * a `MultiAzPostgres`.
   */
  readonly instance: IPostgresInstance;

  /**
   * The DB instance identifier, for the log group, the names and the measurement.
   *
   * @default - the instance's identifier, which must then be known at synth time
   */
  readonly instanceIdentifier?: string;

  /**
   * CloudWatch alarms that stop the experiment when one goes into ALARM while it runs, such as the CRITICAL alarms of
   * the primary's `DbAlarmSet` (FreeStorageSpace, OldestReplicationSlotLag, TransactionLogsDiskUsage,
   * MaximumUsedTransactionIDs), which a failover does not set off. At most 5 (the FIS quota of stop conditions per
   * experiment template), in this stack's Region.
   *
   * Not the instance's `WritableProbe` alarms: the drill makes the primary unwritable for the length of the failover, so
   * `notWritableAlarm` and `unreachableAlarm` go into ALARM by design, and `writableAlarm` is in ALARM whenever the
   * primary is healthy. Any of them would stop every drill; the construct refuses them.
   *
   * @default - no stop condition (FIS source `none`)
   * @see https://docs.aws.amazon.com/fis/latest/userguide/stop-conditions.html
   */
  readonly stopConditionAlarms?: cloudwatch.IAlarm[];

  /**
   * KMS key for the experiment's log group.
   *
   * @default - a new key with rotation, retained when the stack is deleted
   */
  readonly logKey?: kms.IKey;

  /**
   * How long the experiment's logs are kept.
   *
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the experiment's log group when it leaves the stack. The logs are the record of each drill.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * The AZ RTO objective the measured downtime is compared with, such as the `azFailure.rto` of the app's
   * `ResilienceObjectives`. Whole seconds, 1 second to 1 day.
   *
   * @default - no objective: the measurement reports the figure without a verdict
   */
  readonly rtoObjective?: Duration;

  /**
   * The topic each measurement's report is published on, in this stack's Region, such as the primary's `DbAlarmSet`
   * topic.
   *
   * @default - no report message; the measured figure is still published as a metric
   */
  readonly topic?: sns.ITopic;

  /**
   * The KMS key of `topic`, when it is encrypted with a customer-managed key.
   *
   * @default - none
   */
  readonly topicKey?: kms.IKey;

  /**
   * How long after an experiment's end the measurement still counts the primary's downtime: the measured window runs
   * from the minute before the experiment started to this long after it ended, and the measurement starts once that
   * window is over. A failover that has not finished by then is reported as not recovered. Whole minutes, 2 to 60.
   *
   * @default Duration.minutes(10)
   */
  readonly settleTime?: Duration;
}

/**
 * A rehearsal of an Availability Zone failure of a Multi-AZ primary, in the user's own account: an AWS FIS experiment
 * template whose one action reboots the primary with a forced failover (`aws:rds:reboot-db-instances`,
 * `forceFailover: 'true'`), so RDS moves it to its standby in the other Availability Zone, the way it does when the
 * primary's Availability Zone fails.
 *
 * The template runs only when someone starts it (`aws fis start-experiment --experiment-template-id <id>`, the id is
 * the `ExperimentTemplateId` output). It runs under a role that may reboot this one instance and deliver the experiment's
 * logs, and it logs to an encrypted log group. The writable probe of the instance (`WritableProbe`) measures what the
 * drill costs: `metricMinutesNotWritable()` counts the minutes the primary did not accept writes.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html
 */
export class AzFailoverDrill extends Construct {
  /** The FIS experiment template. */
  public readonly experimentTemplate: fis.CfnExperimentTemplate;
  /** The experiment template's ID, the argument of `aws fis start-experiment --experiment-template-id`. */
  public readonly experimentTemplateId: string;
  /** The role FIS assumes to run the experiment. */
  public readonly role: iam.IRole;
  /** The log group the experiment logs to. */
  public readonly logGroup: logs.ILogGroup;
  /** The DB instance identifier of the drilled primary. */
  public readonly instanceIdentifier: string;
  /**
   * The AWS CLI command that prints the measured downtime in minutes, once `<start>` and `<end>` are replaced by the
   * experiment's start and end times (ISO 8601) widened by a few minutes on each side.
   */
  public readonly measureCommand: string;
  /**
   * The workflow that measures each experiment's downtime from the writable probe's metric and publishes it
   * (`CdkResilientPostgres/AzDrill` `NotWritableSeconds`) and a report on `topic`.
   */
  public readonly measurement: sfn.StateMachine;
  /** The rule that starts `measurement` when an experiment of the template reaches a final state. */
  public readonly measurementRule: events.Rule;
  /** The CloudWatch namespace of the measured figures. */
  public readonly metricNamespace: string = AZ_DRILL_METRIC_NAMESPACE;

  constructor(scope: Construct, id: string, props: AzFailoverDrillProps) {
    super(scope, id);
    const construct = where(this, CONSTRUCT);
    const stack = Stack.of(this);
    const instance = props.instance;
    const identifier = requireLiteralIdentifier(construct, instance, props.instanceIdentifier);
    this.instanceIdentifier = identifier;

    // --- What can be drilled ----------------------------------------------------------------------------------------
    if (!Token.isUnresolved(instance.account) && !Token.isUnresolved(stack.account) && instance.account !== stack.account) {
      throw propError(construct, 'instance', instance.node.path,
        `a DB instance in this stack's account (${stack.account}), not ${instance.account}: a single-account experiment `
        + 'targets resources in its own account');
    }
    if (!Token.isUnresolved(instance.region) && !Token.isUnresolved(stack.region) && instance.region !== stack.region) {
      throw propError(construct, 'instance', instance.node.path,
        `a DB instance in this stack's Region (${stack.region}), not ${instance.region}: the experiment, its role's `
        + 'scope, its log group and its stop-condition alarms are in the stack\'s Region');
    }
    if (instance.replicationSourceArn !== undefined) {
      throw propError(construct, 'instance', instance.node.path,
        'a primary, not a read replica: the drill rehearses the failover of the writable instance, which the writable probe measures');
    }
    if (instance.isMultiAz === false) {
      throw propError(construct, 'instance', instance.node.path,
        'a Multi-AZ DB instance: a forced failover needs a standby, and RDS refuses ForceFailover on a Single-AZ instance');
    }

    const alarms = props.stopConditionAlarms ?? [];
    if (alarms.length > MAX_STOP_CONDITIONS) {
      throw propError(construct, 'stopConditionAlarms', `${alarms.length} alarms`,
        `at most ${MAX_STOP_CONDITIONS} alarms, the FIS quota of stop conditions per experiment template`);
    }
    for (const alarm of alarms) {
      if (watchesProbeOf(alarm, identifier)) {
        throw propError(construct, 'stopConditionAlarms', alarm.node.path,
          `alarms other than the writable probe's of ${identifier}: the drill makes the primary unwritable on purpose, so `
          + 'its probe alarms would stop every drill');
      }
      // An imported alarm carries its Region in its ARN only.
      const alarmRegion = Token.isUnresolved(alarm.alarmArn) ? alarm.env.region : Arn.split(alarm.alarmArn, ArnFormat.COLON_RESOURCE_NAME).region;
      if (!Token.isUnresolved(alarmRegion) && !Token.isUnresolved(stack.region) && alarmRegion !== stack.region) {
        throw propError(construct, 'stopConditionAlarms', alarm.node.path,
          `alarms in this stack's Region (${stack.region}), not ${alarmRegion}: the experiment watches alarms of its own Region`);
      }
    }

    // --- Logs ---------------------------------------------------------------------------------------------------------
    // FIS delivers its log as vended logs, which edit the account's CloudWatch Logs resource policy (5,120 characters in
    // all) for the log group; under the /aws/vendedlogs/ prefix one statement covers every such group.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-CWL.html
    // https://docs.aws.amazon.com/step-functions/latest/dg/bp-cwl.html
    const logGroup = encryptedLogGroup(this, {
      logGroupName: `/aws/vendedlogs/fis/cdk-resilient-postgres/az-drill/${identifier}`,
      key: props.logKey,
      keyDescription: `Encrypts the AZ failover drill logs of RDS for PostgreSQL instance ${identifier}`,
      keyPolicySid: 'AllowCloudWatchLogsForAzDrill',
      retention: props.logRetention,
    });
    logGroup.applyRemovalPolicy(props.logRemovalPolicy ?? RemovalPolicy.RETAIN);
    this.logGroup = logGroup;

    // --- Role ---------------------------------------------------------------------------------------------------------
    // Only experiments of this account may assume it (confused-deputy protection).
    // https://docs.aws.amazon.com/resilience-hub/latest/userguide/next-gen-resilience-testing-iam-single-account.html
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('fis.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({ service: 'fis', resource: 'experiment', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
          },
        },
      }),
      description: `AZ failover drill of RDS for PostgreSQL ${identifier}: reboot it with a forced failover, write the experiment log`,
    });
    this.role = role;
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `AZ failover drill of RDS for PostgreSQL ${identifier}`,
      roles: [role],
      statements: drillStatements(instance.instanceArn),
    });
    acknowledge(policy,
      'rds:DescribeDBInstances is what FIS uses to resolve the target; the AWS managed policy '
      + 'AWSFaultInjectionSimulatorRDSAccess grants it on "*", and it only reads. logs:CreateLogDelivery, '
      + 'logs:PutResourcePolicy, logs:DescribeResourcePolicies and logs:DescribeLogGroups, which CloudWatch Logs requires '
      + "for vended log delivery to the drill's log group, have no resource type in the service authorization reference. "
      + `The one action that changes anything, rds:RebootDBInstance, is on ${identifier}'s ARN only.`,
      'AwsSolutions-IAM5[Resource::*]');

    // --- Experiment template ------------------------------------------------------------------------------------------
    const targetName = 'Primary';
    this.experimentTemplate = new fis.CfnExperimentTemplate(this, 'ExperimentTemplate', {
      description: `AZ failover drill: reboot RDS for PostgreSQL ${identifier} with a forced Multi-AZ failover`,
      roleArn: role.roleArn,
      targets: {
        [targetName]: {
          resourceType: DB_RESOURCE_TYPE,
          resourceArns: [instance.instanceArn],
          selectionMode: 'ALL',
        },
      },
      actions: {
        ForceFailover: {
          actionId: REBOOT_DB_INSTANCES_ACTION,
          description: `Reboot ${identifier} through a Multi-AZ failover to its standby`,
          parameters: { forceFailover: 'true' },
          targets: { [DB_INSTANCES_TARGET_KEY]: targetName },
        },
      },
      stopConditions: alarms.length === 0
        ? [{ source: 'none' }]
        : alarms.map((alarm) => ({ source: 'aws:cloudwatch:alarm', value: alarm.alarmArn })),
      logConfiguration: {
        logSchemaVersion: 2,
        // Typed `any` in aws-cdk-lib, so written as CloudFormation spells it.
        cloudWatchLogsConfiguration: { LogGroupArn: logGroup.logGroupArn },
      },
      experimentOptions: { accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail' },
      tags: { Name: `${identifier}-az-failover-drill` },
    });
    // FIS checks the role when the template is created.
    this.experimentTemplate.node.addDependency(policy);
    this.experimentTemplateId = this.experimentTemplate.attrId;

    this.measureCommand = measureCommand(identifier, stack.region);
    new CfnOutput(this, 'ExperimentTemplateId', {
      value: this.experimentTemplateId,
      description: `AZ failover drill of ${identifier}: aws fis start-experiment --experiment-template-id <this value>`,
    });
    new CfnOutput(this, 'MeasureCommand', {
      value: this.measureCommand,
      description: `Minutes ${identifier} was not writable between <start> and <end> (the experiment window, ISO 8601)`,
    });

    // --- Measurement --------------------------------------------------------------------------------------------------
    const objectiveSeconds = props.rtoObjective === undefined
      ? undefined : wholeUnits(construct, 'rtoObjective', props.rtoObjective, 'seconds', 1, 86_400);
    const settleMinutes = wholeUnits(construct, 'settleTime', props.settleTime ?? Duration.minutes(10), 'minutes', 2, 60);
    if (props.topicKey !== undefined && props.topic === undefined) {
      throw propError(construct, 'topicKey', props.topicKey.node.path, 'unset when no topic is given: it is the key of `topic`');
    }
    if (props.topic) {
      validateResourcePlace(construct, 'topic', props.topic, props.topic.topicArn, { region: stack.region, regionRule: MEASUREMENT_TOPIC_RULE });
      useTopic(this, props.topic, { construct, purpose: `AZ failover drill measurements of ${identifier}`, given: false, paged: false });
    }
    const measurementScope = new Construct(this, 'Measurement');
    const measurementRole = new iam.Role(measurementScope, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `Measures the AZ failover drills of RDS for PostgreSQL ${identifier}: reads the experiment and the probe's metric`,
    });
    const measurementPolicy = new iam.ManagedPolicy(measurementScope, 'Policy', {
      description: `Measurement of the AZ failover drills of ${identifier}`,
      roles: [measurementRole],
      statements: [
        ...measurementStatements(stack, props.topic, props.topicKey),
        ...executionLoggingStatements(),
      ],
    });
    acknowledge(measurementPolicy,
      `${EXECUTION_LOGGING_REASON} fis:GetExperiment is on this account's experiments of the Region (experiment/*): the `
      + 'experiment IDs are made when an experiment starts. cloudwatch:GetMetricData has no resource type and only reads; '
      + `cloudwatch:PutMetricData has none either and is limited to the ${AZ_DRILL_METRIC_NAMESPACE} namespace by the `
      + 'cloudwatch:namespace condition.',
      'AwsSolutions-IAM5[Resource::*]',
      `AwsSolutions-IAM5[Resource::${experimentsArnAsNagNamesIt(stack)}]`);
    const measurementLogGroup = encryptedLogGroup(measurementScope, {
      logGroupName: `/aws/vendedlogs/states/cdk-resilient-postgres/${identifier}-az-drill-measurement`,
      key: props.logKey ?? this.node.tryFindChild('LogKey') as kms.IKey | undefined,
      keyDescription: `Encrypts the AZ failover drill measurement logs of ${identifier}`,
      keyPolicySid: 'AllowCloudWatchLogsForAzDrillMeasurement',
      retention: props.logRetention,
    });
    measurementLogGroup.applyRemovalPolicy(props.logRemovalPolicy ?? RemovalPolicy.RETAIN);
    const definition = buildMeasurementDefinition({
      instanceIdentifier: identifier,
      objectiveSeconds,
      settleSeconds: settleMinutes * 60,
      notify: props.topic !== undefined,
    });
    this.measurement = new sfn.StateMachine(measurementScope, 'StateMachine', {
      stateMachineName: `${identifier}-az-drill-measurement`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(definition)),
      definitionSubstitutions: props.topic ? { [MEASUREMENT_TOPIC_SUBSTITUTION]: props.topic.topicArn } : undefined,
      role: measurementRole.withoutPolicyUpdates(),
      tracingEnabled: true,
      logs: { destination: measurementLogGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    this.measurement.node.addDependency(measurementPolicy);

    const startRole = new iam.Role(measurementScope, 'StartRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `Lets EventBridge start the AZ failover drill measurement of ${identifier}`,
    });
    new iam.ManagedPolicy(measurementScope, 'StartPolicy', {
      description: `Starts the AZ failover drill measurement of ${identifier}`,
      roles: [startRole],
      statements: [new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.measurement.stateMachineArn] })],
    });
    // FIS sends "FIS Experiment State Change" events (source aws.fis) with experiment-id, experiment-template-id and
    // new-state.status in `detail`; the whole event is the measurement's input.
    // https://docs.aws.amazon.com/fis/latest/userguide/monitoring-eventbridge.html
    // https://docs.aws.amazon.com/fis/latest/APIReference/API_ExperimentState.html (the states)
    this.measurementRule = new events.Rule(measurementScope, 'OnExperimentEnd', {
      description: `Measures the downtime of ${identifier} after each AZ failover drill`,
      eventPattern: {
        source: ['aws.fis'],
        detailType: ['FIS Experiment State Change'],
        detail: {
          'experiment-template-id': [this.experimentTemplateId],
          'new-state': { status: FIS_TERMINAL_STATES },
        },
      },
      targets: [new targets.SfnStateMachine(this.measurement, {
        retryAttempts: 10,
        maxEventAge: Duration.hours(6),
        role: startRole.withoutPolicyUpdates(),
      })],
    });
  }

  /**
   * The measured AZ RTO of each drill, in seconds (whole probe minutes): the `NotWritableSeconds` figure the
   * measurement publishes, at most one datapoint per drill. Maximum over the period.
   */
  public metricMeasuredRto(options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.drillMetric(MEASURED_RTO_METRIC_NAME, { statistic: cloudwatch.Stats.MAXIMUM, ...options });
  }

  /**
   * Whether each drill met `rtoObjective`: 1 when it did, 0 when it did not (only with an objective). Minimum over the
   * period: 0 when a drill of the period missed it.
   */
  public metricObjectiveMet(options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.drillMetric(OBJECTIVE_MET_METRIC_NAME, { statistic: cloudwatch.Stats.MINIMUM, ...options });
  }

  private drillMetric(metricName: string, options: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: AZ_DRILL_METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { [PROBE_DIMENSION]: this.instanceIdentifier },
      period: Duration.days(1),
      ...options,
    });
  }

  /**
   * 1 for each minute the primary did not accept writes, 0 otherwise, from the writable probe's `Writable` metric
   * (one-minute period, Minimum). A minute without a datapoint counts as not writable, as the probe's alarms count it.
   * Its sum over the experiment window is the measured downtime in minutes, to within one minute (the probe's period).
   * A window in which the probe published nothing yields no values, which is not a measurement of zero.
   *
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
   */
  public metricMinutesNotWritable(): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: NOT_WRITABLE_EXPRESSION,
      usingMetrics: { writable: writableMetric(this.instanceIdentifier) },
      period: Duration.minutes(1),
      label: `${this.instanceIdentifier}: minutes not writable`,
    });
  }
}

/** 1 for a minute without a writable answer (or without a datapoint), else 0. */
const NOT_WRITABLE_EXPRESSION = 'IF(FILL(writable, 0) < 1, 1, 0)';

function writableMetric(identifier: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: PROBE_NAMESPACE,
    metricName: WRITABLE_METRIC_NAME,
    dimensionsMap: { [PROBE_DIMENSION]: identifier },
    period: Duration.minutes(1),
    statistic: cloudwatch.Stats.MINIMUM,
  });
}

/**
 * The experiment role's statements.
 *
 * @see https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSFaultInjectionSimulatorRDSAccess.html
 * @see https://docs.aws.amazon.com/fis/latest/userguide/monitoring-logging.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html#AWS-logs-infrastructure-CWL
 */
function drillStatements(instanceArn: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'RebootWithFailover',
      actions: ['rds:RebootDBInstance'],
      resources: [instanceArn],
    }),
    new iam.PolicyStatement({
      sid: 'ResolveTarget',
      actions: ['rds:DescribeDBInstances'],
      resources: ['*'],
    }),
    // None of the four has a resource type: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
    new iam.PolicyStatement({
      sid: 'DeliverExperimentLog',
      actions: ['logs:CreateLogDelivery', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'],
      resources: ['*'],
    }),
  ];
}

/** The ARN of every FIS experiment of the stack's account and Region. */
function experimentsArn(stack: Stack): string {
  return stack.formatArn({ service: 'fis', resource: 'experiment', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/**
 * `experimentsArn(stack)` as cdk-nag names it in a finding: each pseudo parameter the stack leaves unresolved as
 * `<AWS::Name>`.
 */
function experimentsArnAsNagNamesIt(stack: Stack): string {
  const literal = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
  return `arn:${literal(stack.partition, 'Partition')}:fis:${literal(stack.region, 'Region')}:${literal(stack.account, 'AccountId')}:experiment/*`;
}

/**
 * The measurement's statements: read the account's experiments of the Region (GetExperiment, resource type
 * `experiment`), read the probe's metric (GetMetricData, no resource type), publish the figures in the drill's namespace
 * only, and publish the report on the topic (and use its key through SNS only).
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsfaultinjectionservice.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
 */
function measurementStatements(stack: Stack, topic?: sns.ITopic, topicKey?: kms.IKey): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'ReadExperiments',
      actions: ['fis:GetExperiment'],
      resources: [experimentsArn(stack)],
    }),
    new iam.PolicyStatement({ sid: 'ReadProbeMetric', actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'PublishMeasurement',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': AZ_DRILL_METRIC_NAMESPACE } },
    }),
  ];
  if (topic) {
    statements.push(new iam.PolicyStatement({ sid: 'Report', actions: ['sns:Publish'], resources: [topic.topicArn] }));
  }
  if (topicKey) {
    statements.push(new iam.PolicyStatement({
      sid: 'ReportOnEncryptedTopic',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [topicKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `sns.${stack.region}.amazonaws.com` } },
    }));
  }
  return statements;
}

/** Whether `alarm` is an alarm of this app on the writable probe's metrics of `identifier`. */
function watchesProbeOf(alarm: cloudwatch.IAlarm, identifier: string): boolean {
  if (!(alarm instanceof cloudwatch.Alarm)) {
    return false;
  }
  const config = alarm.metric.toMetricConfig().metricStat;
  return config !== undefined
    && config.namespace === PROBE_NAMESPACE
    && [WRITABLE_METRIC_NAME, REACHABLE_METRIC_NAME].includes(config.metricName)
    && (config.dimensions ?? []).some((d) => d.name === PROBE_DIMENSION && d.value === identifier);
}

/** The `aws cloudwatch get-metric-data` command that sums `metricMinutesNotWritable` over `<start>`..`<end>`. */
function measureCommand(identifier: string, region: string): string {
  const queries = [
    {
      Id: 'writable',
      MetricStat: {
        Metric: { Namespace: PROBE_NAMESPACE, MetricName: WRITABLE_METRIC_NAME, Dimensions: [{ Name: PROBE_DIMENSION, Value: identifier }] },
        Period: 60,
        Stat: 'Minimum',
      },
      ReturnData: false,
    },
    { Id: 'down', Expression: NOT_WRITABLE_EXPRESSION, ReturnData: true },
  ];
  return `aws cloudwatch get-metric-data --region ${region} --start-time <start> --end-time <end> `
    + `--metric-data-queries '${JSON.stringify(queries)}' --query 'sum(MetricDataResults[0].Values)'`;
}
