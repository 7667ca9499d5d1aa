import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  buildDrillDefinition, DRILL_COPY_TAG, DRILL_METRIC_DIMENSION, DRILL_METRIC_NAMESPACE, DRILL_PHASE_METRICS, DRILL_SUBSTITUTIONS,
} from './definition';
import { IPostgresInstance } from '../common/postgres-instance';
import { PostgresInstanceBase } from '../common/postgres-instance-base';
import { CrossRegionReadReplica } from '../cross-region-read-replica/cross-region-read-replica';
import { useTopic } from '../private/alarm-topic';
import { cfnDbInstanceOf, dbInstanceArn, requireLiteralIdentifier } from '../private/db-instance-facts';
import { propError, where } from '../private/errors';
import { EXECUTION_LOGGING_REASON, executionLoggingStatements } from '../private/execution-logging';
import { encryptedLogGroup } from '../private/logs-key';
import { acknowledge } from '../private/nag';
import { ALARM_TOPIC_RULE, partitionOfRegion, validateResourcePlace, wholeUnits } from '../private/validation';
import { PromotionRole } from '../promotion-role/promotion-role';

const CONSTRUCT = 'RegionFailoverDrill';

/** RDS DB instance identifiers: 1 to 63 letters, digits or hyphens, starting with a letter. */
const MAX_IDENTIFIER_LENGTH = 63;

/**
 * RDS for PostgreSQL creates a read replica of a read replica (a cascading replica) from version 14.1.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.Cascading.html
 */
const CASCADING_REPLICA_MIN_VERSION = { major: 14, minor: 1 };

/** Properties of a `RegionFailoverDrill`. */
export interface RegionFailoverDrillProps {
  /**
   * The production DR replica: a `CrossRegionReadReplica` (or another read replica with a literal identifier) in this
   * stack's Region. The drill only reads it: it creates a temporary cascaded read replica of it, promotes that copy and
   * deletes it. RDS for PostgreSQL 14.1 or later, with automated backups on the replica (backup retention above 0).
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.Cascading.html
   */
  readonly replica: IPostgresInstance;

  /** The VPC of the replica, where the copy gets a security group of its own (no ingress). */
  readonly vpc: ec2.IVpc;

  /**
   * The DB subnet group the copy is created in.
   *
   * @default - the replica's subnet group, when the replica is an instance of this app
   */
  readonly subnetGroupName?: string;

  /** The topic the drill report is published on, in this Region. */
  readonly topic: sns.ITopic;

  /**
   * The KMS key of `topic`, when it is encrypted with a customer-managed key.
   *
   * @default - none
   */
  readonly topicKey?: kms.IKey;

  /**
   * The DB instance class of the copy, such as `db.r7g.large`. A smaller class costs less per drill, but measures the
   * promotion of another class than the replica's.
   *
   * @default - the replica's class
   */
  readonly instanceClass?: string;

  /**
   * When the drill runs by itself, such as `events.Schedule.cron({ day: '1', hour: '3', minute: '0' })`.
   *
   * @default - no schedule: an operator starts the drill
   */
  readonly schedule?: events.Schedule;

  /**
   * The longest a drill may take, the state machine's `TimeoutSeconds`. Each phase (creation, promotion, writable,
   * deletion) may use a quarter of it before the run counts it as timed out. A run that times out is cleaned up by
   * the cleanup rule. Whole minutes, 10 minutes to 24 hours.
   *
   * @default Duration.hours(6)
   */
  readonly timeout?: Duration;

  /**
   * Time between the status polls of the copy. Whole seconds, 10 seconds to 5 minutes.
   *
   * @default Duration.seconds(30)
   */
  readonly pollInterval?: Duration;

  /**
   * The automated-backup retention the copy is promoted with (PromoteReadReplica `BackupRetentionPeriod`), as the
   * runbook promotes the replica: PromoteReadReplica then turns backups on, which is part of the measured promotion.
   * The drill deletes the copy with its automated backups. 0 to 35 days.
   *
   * @default - the retention of the primary the replica follows (`replica.sourceBackupRetention`), else 1 day
   */
  readonly backupRetention?: Duration;

  /**
   * The state machine's name.
   *
   * @default `<replica identifier>-region-drill`
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
 * A Region failover drill that never touches production: a Step Functions workflow, in the DR Region, that creates a
 * temporary cascaded read replica of the DR replica (`<replica>-drill`), promotes it with the failover runbook's own
 * promotion states, checks that it is writable, measures each phase and always deletes it.
 *
 * - Every run first deletes a copy an earlier run left behind.
 * - Every failure after the copy was requested deletes it (the states' Catch), and an EventBridge rule on the drill's
 *   "Step Functions Execution Status Change" events (ABORTED, TIMED_OUT, FAILED) starts a cleanup run, which deletes
 *   the copy of an interrupted run.
 * - The roles may create, promote, tag and delete the copy only; the replica is only read (CreateDBInstanceReadReplica
 *   names it as the source) and the primary is not named at all.
 * - The phase figures go to CloudWatch (`CdkResilientPostgres/RegionDrill`) and the report to `topic`.
 *
 * Run one drill at a time: a run deletes any copy it finds first, that of a run still under way too.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.Cascading.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html
 */
export class RegionFailoverDrill extends Construct {
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** The role the state machine runs with: the failover runbook's `PromotionRole`, scoped to the copy. */
  public readonly promotionRole: PromotionRole;
  /** The temporary copy's DB instance identifier. */
  public readonly copyIdentifier: string;
  /** The ARN of the temporary copy. */
  public readonly copyArn: string;
  /** The copy's security group. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The execution log group. */
  public readonly logGroup: logs.LogGroup;
  /** The rule that starts a cleanup run when a run is aborted, times out or fails. */
  public readonly cleanupRule: events.Rule;
  /** The schedule rule, with `schedule`. */
  public readonly scheduleRule?: events.Rule;
  /** The CloudWatch namespace of the phase figures. */
  public readonly metricNamespace: string = DRILL_METRIC_NAMESPACE;
  /** The metric names of the phase figures (seconds), with the dimension `metricDimension`. */
  public readonly phaseMetricNames: string[] = Object.keys(DRILL_PHASE_METRICS);
  /** The dimension of the phase figures, whose value is the replica's identifier. */
  public readonly metricDimension: string = DRILL_METRIC_DIMENSION;

  constructor(scope: Construct, id: string, props: RegionFailoverDrillProps) {
    super(scope, id);
    const construct = where(this, CONSTRUCT);
    const stack = Stack.of(this);
    const replica = props.replica;

    // --- What can be drilled ----------------------------------------------------------------------------------------
    if (Token.isUnresolved(stack.region) || replica.region !== stack.region) {
      throw propError(construct, 'replica', replica.node.path,
        `a replica in this stack's Region (${stack.region}): the drill runs next to the DR replica`);
    }
    const primaryArn = replica.replicationSourceArn;
    if (primaryArn === undefined) {
      throw propError(construct, 'replica', replica.node.path,
        'a read replica (an instance with replicationSourceArn): the drill copies the DR replica, never a primary');
    }
    const identifier = requireLiteralIdentifier(construct, replica);
    const copyIdentifier = `${identifier}-drill`;
    const primaryIdentifier = Token.isUnresolved(primaryArn) ? undefined : primaryArn.split(':').pop();
    if (copyIdentifier.length > MAX_IDENTIFIER_LENGTH || copyIdentifier === primaryIdentifier) {
      throw propError(construct, 'replica', identifier,
        `a replica whose identifier leaves room for the copy's, <replica>-drill, within ${MAX_IDENTIFIER_LENGTH} characters `
        + 'and different from the primary\'s and the replica\'s');
    }
    validateCascadingSource(construct, replica);
    validateResourcePlace(construct, 'topic', props.topic, props.topic.topicArn, { region: stack.region, regionRule: ALARM_TOPIC_RULE });

    const instanceClass = props.instanceClass ?? (replica.instanceType ? `db.${replica.instanceType.toString()}` : undefined);
    if (instanceClass === undefined || !/^db\.[a-z0-9-]+\.[a-z0-9]+$/.test(instanceClass)) {
      throw propError(construct, 'instanceClass', instanceClass,
        'a DB instance class such as db.r7g.large (required when the replica\'s class is not known)');
    }
    const subnetGroupName = props.subnetGroupName ?? cfnDbInstanceOf(replica.instance)?.dbSubnetGroupName;
    if (subnetGroupName === undefined) {
      throw propError(construct, 'subnetGroupName', undefined, 'the name of the replica\'s DB subnet group (required for a replica made outside this app)');
    }
    const timeoutMinutes = wholeUnits(construct, 'timeout', props.timeout ?? Duration.hours(6), 'minutes', 10, 1_440);
    const pollSeconds = wholeUnits(construct, 'pollInterval', props.pollInterval ?? Duration.seconds(30), 'seconds', 10, 300);
    const retention = props.backupRetention
      ?? (replica instanceof CrossRegionReadReplica ? replica.sourceBackupRetention : undefined) ?? Duration.days(1);
    const retentionDays = retention.toDays();
    if (!Number.isInteger(retentionDays) || retentionDays < 0 || retentionDays > 35) {
      throw propError(construct, 'backupRetention', `${retentionDays} days`, 'whole days from 0 to 35 (PromoteReadReplica BackupRetentionPeriod)');
    }
    this.copyIdentifier = copyIdentifier;
    // A literal partition (from the Region), so that the ARN is literal under any feature flags: without
    // @aws-cdk/core:enablePartitionLiterals the stack's partition is a token.
    this.copyArn = dbInstanceArn(stack, copyIdentifier, undefined, undefined, partitionOfRegion(stack.region));
    useTopic(this, props.topic, { construct, purpose: `Region failover drill reports of ${identifier}`, given: false, paged: false });

    // --- The copy's network -------------------------------------------------------------------------------------------
    this.securityGroup = new ec2.SecurityGroup(this, 'CopySecurityGroup', {
      vpc: props.vpc,
      description: `Temporary Region drill copy ${copyIdentifier} of ${identifier}: no ingress, no egress`,
      allowAllOutbound: false,
    });

    // --- Role: the runbook's PromotionRole, scoped to the copy ----------------------------------------------------
    // PromotionRole reads the instance's ARN and Region only; the copy exists only while a drill runs.
    const copy = PostgresInstanceBase.fromPostgresInstanceAttributes(this, 'Copy', {
      instanceArn: this.copyArn,
      endpointAddress: `${copyIdentifier}.drill-copy.invalid`,
      engine: replica.engine,
    });
    this.promotionRole = new PromotionRole(this, 'PromotionRole', { replica: copy, topic: props.topic, topicKey: props.topicKey });
    const subnetGroupArn = stack.formatArn({ service: 'rds', resource: 'subgrp', resourceName: subnetGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const drillPolicy = new iam.ManagedPolicy(this, 'DrillPolicy', {
      description: `Region drill of ${identifier}: create, tag and delete the copy ${copyIdentifier}; the replica is only read`,
      roles: [this.promotionRole.role],
      statements: drillStatements({
        copyArn: this.copyArn,
        replicaArn: replica.instanceArn,
        subnetGroupArn,
        replicaKey: replica.storageEncryptionKey,
        region: stack.region,
      }),
    });
    acknowledge(drillPolicy,
      `cloudwatch:PutMetricData has no resource type in the service authorization reference; it is limited to the ${DRILL_METRIC_NAMESPACE} `
      + 'namespace by the cloudwatch:namespace condition.',
      'AwsSolutions-IAM5[Resource::*]');

    // --- Logs and the workflow -----------------------------------------------------------------------------------------
    this.logGroup = encryptedLogGroup(this, {
      logGroupName: `/aws/vendedlogs/states/cdk-resilient-postgres/${identifier}-region-drill`,
      key: props.logKey,
      keyDescription: `Encrypts the Region drill's execution logs of ${identifier}`,
      keyPolicySid: 'AllowCloudWatchLogsForRegionDrill',
      retention: props.logRetention,
    });
    const timeoutSeconds = timeoutMinutes * 60;
    const definition = buildDrillDefinition({
      replicaIdentifier: identifier,
      copyIdentifier,
      instanceClass,
      backupRetentionDays: retentionDays,
      lagLookbackSeconds: 600,
      pollSeconds,
      maxPolls: Math.max(1, Math.floor(timeoutSeconds / 4 / pollSeconds)),
      timeoutSeconds,
    });
    const servicePolicy = new iam.ManagedPolicy(this, 'LoggingAndTracingPolicy', {
      description: 'Execution logging and X-Ray tracing of the Region drill',
      roles: [this.promotionRole.role],
      statements: [
        ...executionLoggingStatements(),
      ],
    });
    acknowledge(servicePolicy,
      EXECUTION_LOGGING_REASON,
      'AwsSolutions-IAM5[Resource::*]');
    const stateMachineName = props.stateMachineName ?? `${identifier}-region-drill`;
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(definition)),
      definitionSubstitutions: {
        [DRILL_SUBSTITUTIONS.topicArn]: props.topic.topicArn,
        [DRILL_SUBSTITUTIONS.subnetGroup]: subnetGroupName,
        [DRILL_SUBSTITUTIONS.securityGroup]: this.securityGroup.securityGroupId,
      },
      role: this.promotionRole.role.withoutPolicyUpdates(),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    this.stateMachine.node.addDependency(servicePolicy, this.promotionRole.policy, drillPolicy);

    // --- Starts: the cleanup of interrupted runs, and the schedule -------------------------------------------------
    const startRole = new iam.Role(this, 'StartRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `Lets EventBridge start the Region drill of ${identifier}`,
    });
    new iam.ManagedPolicy(this, 'StartPolicy', {
      description: `Starts the Region drill of ${identifier}`,
      roles: [startRole],
      statements: [new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] })],
    });
    // Step Functions sends "Step Functions Execution Status Change" events (source aws.states) to the default bus, with
    // the execution's executionArn, stateMachineArn and status in `detail`. The whole event is the cleanup run's input.
    // https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-integration.html
    // https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-states.html
    this.cleanupRule = new events.Rule(this, 'CleanupOnInterruptedRun', {
      description: `Deletes the Region drill copy ${copyIdentifier} when a drill run is aborted, times out or fails`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['ABORTED', 'TIMED_OUT', 'FAILED'], stateMachineArn: [this.stateMachine.stateMachineArn] },
      },
      targets: [new targets.SfnStateMachine(this.stateMachine, {
        retryAttempts: 10,
        maxEventAge: Duration.hours(6),
        role: startRole.withoutPolicyUpdates(),
      })],
    });
    if (props.schedule) {
      this.scheduleRule = new events.Rule(this, 'Schedule', {
        description: `Runs the Region drill of ${identifier}`,
        schedule: props.schedule,
        targets: [new targets.SfnStateMachine(this.stateMachine, {
          input: events.RuleTargetInput.fromObject({ trigger: 'schedule' }),
          role: startRole.withoutPolicyUpdates(),
        })],
      });
    }
  }
}

/** What the drill's own statements are scoped to. */
interface DrillScope {
  readonly copyArn: string;
  readonly replicaArn: string;
  readonly subnetGroupArn: string;
  readonly replicaKey?: kms.IKey;
  readonly region: string;
}

/**
 * The drill's statements beside the PromotionRole's. CreateDBInstanceReadReplica is authorized on the new instance
 * and on the source instance (resource type `db`), and on the subnet group it names (`subgrp`); it creates, and
 * changes nothing on the source. Creating with tags needs `rds:AddTagsToResource` (a dependent action), here for the
 * drill-copy tag only. DeleteDBInstance is on the copy only.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/security_iam_id-based-policy-examples-create-and-modify-examples.html
 */
function drillStatements(s: DrillScope): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'CreateTheCopyFromTheReplica',
      actions: ['rds:CreateDBInstanceReadReplica'],
      resources: [s.copyArn, s.replicaArn, s.subnetGroupArn],
      conditions: { StringEquals: { [`aws:RequestTag/${DRILL_COPY_TAG.Key}`]: DRILL_COPY_TAG.Value } },
    }),
    new iam.PolicyStatement({
      sid: 'TagTheCopy',
      actions: ['rds:AddTagsToResource'],
      resources: [s.copyArn],
    }),
    new iam.PolicyStatement({
      sid: 'DeleteTheCopy',
      actions: ['rds:DeleteDBInstance'],
      resources: [s.copyArn],
    }),
    new iam.PolicyStatement({
      sid: 'PublishDrillFigures',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': DRILL_METRIC_NAMESPACE } },
    }),
  ];
  if (s.replicaKey) {
    // The copy is encrypted with the replica's key: a principal that creates an RDS resource with a customer managed
    // key needs kms:CreateGrant and kms:DescribeKey on it ("Authorizing use of a customer managed key").
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html
    statements.push(new iam.PolicyStatement({
      sid: 'EncryptTheCopyWithTheReplicasKey',
      actions: ['kms:CreateGrant', 'kms:DescribeKey'],
      resources: [s.replicaKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `rds.${s.region}.amazonaws.com` } },
    }));
  }
  return statements;
}

/**
 * Refuses a replica RDS cannot make a cascading read replica of, by what is known at synth: PostgreSQL before 14.1,
 * or a replica without automated backups (retention 0; a `CrossRegionReadReplica` keeps 1 day unless told otherwise):
 * "The specified DB instance must have automatic backups enabled, that is, its backup retention period must be greater
 * than 0" (CreateDBInstanceReadReplica, SourceDBInstanceIdentifier, which also allows up to 15 read replicas per instance).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.Cascading.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html
 */
function validateCascadingSource(construct: string, replica: IPostgresInstance): void {
  const version = replica.engine.engineVersion;
  const full = version?.fullVersion ?? version?.majorVersion;
  if (full !== undefined && !Token.isUnresolved(full)) {
    const [major, minor] = full.split('.').map((n) => Number(n));
    const min = CASCADING_REPLICA_MIN_VERSION;
    if (major < min.major || (major === min.major && minor !== undefined && !Number.isNaN(minor) && minor < min.minor)) {
      throw propError(construct, 'replica', `PostgreSQL ${full}`,
        `a replica on RDS for PostgreSQL ${min.major}.${min.minor} or later: RDS creates a read replica of a read replica (a cascading replica) from that version`);
    }
  }
  const days = replica.backupRetention?.toDays();
  const knownWithout = days === 0 || (replica instanceof CrossRegionReadReplica && days === undefined);
  if (knownWithout) {
    throw propError(construct, 'replica', `${replica.node.path} (backup retention 0)`,
      'a replica with automated backups (replicaBackupRetention of 1 day or more): RDS creates a cascading read replica only from a replica with automated backups');
  }
}
