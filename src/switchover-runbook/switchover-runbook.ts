import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { buildSwitchoverDefinition, SWITCHOVER_TOPIC_SUBSTITUTION, switchoverTimeoutSeconds } from './definition';
import { SwitchoverSqlAgent } from './sql-agent';
import { IPostgresInstance } from '../common/postgres-instance';
import { CrossRegionReadReplica } from '../cross-region-read-replica/cross-region-read-replica';
import { useTopic } from '../private/alarm-topic';
import { propError, where } from '../private/errors';
import { EXECUTION_LOGGING_REASON, executionLoggingStatements } from '../private/execution-logging';
import { encryptedLogGroup } from '../private/logs-key';
import { acknowledge, inPacks } from '../private/nag';
import { RELAY_CODE } from '../private/relay-code';
import { ALARM_TOPIC_RULE, DEFAULT_PROMOTION_TIMEOUT, validateBackupRetention, validateResourcePlace, wholeUnits } from '../private/validation';
import { PromotionRole } from '../promotion-role/promotion-role';
import { PROBE_METRIC_NAMESPACE } from '../writable-probe/writable-probe';

const CONSTRUCT = 'SwitchoverRunbook';


/** Properties of a `SwitchoverRunbook`. */
export interface SwitchoverRunbookProps {
  /** The cross-Region read replica to promote, in this stack's Region. */
  readonly replica: IPostgresInstance;
  /** The SQL agent next to the current writer, in the writer's Region (its own stack). Its instance is the replica's source. */
  readonly writerAgent: SwitchoverSqlAgent;
  /** The SQL agent next to the replica, in this Region. */
  readonly targetAgent: SwitchoverSqlAgent;
  /** The topic every step and the report are announced on, in this Region. */
  readonly topic: sns.ITopic;
  /**
   * The KMS key of `topic`, when it is encrypted with a customer-managed key.
   *
   * @default - none
   */
  readonly topicKey?: kms.IKey;
  /**
   * How long the run waits for the replica to replay the fence LSN before it aborts and unfences the writer. Whole
   * seconds, 10 seconds to 1 hour. Writes are blocked meanwhile.
   *
   * @default Duration.minutes(2)
   */
  readonly catchUpTimeout?: Duration;
  /**
   * Time between the reads of the replica's replay position. Whole seconds, 1 to 60.
   *
   * @default Duration.seconds(5)
   */
  readonly catchUpPollInterval?: Duration;
  /**
   * The automated-backup retention of the promoted instance, 1 to 35 days, given to PromoteReadReplica.
   *
   * @default - the retention of the primary the replica follows (`replica.sourceBackupRetention`); required when unknown
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
   * How long the run waits for the promoted instance. 5 minutes to 6 hours.
   *
   * @default Duration.hours(1)
   */
  readonly promotionTimeout?: Duration;
  /**
   * The state machine's name.
   *
   * @default `<replica identifier>-switchover`
   */
  readonly stateMachineName?: string;
  /**
   * The KMS key of the execution log group.
   *
   * @default - a new key with rotation
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
 * A DB instance ARN without its partition: one construct may name the partition by a literal and another by the
 * stack's `AWS::Partition` (a token unless `@aws-cdk/core:enablePartitionLiterals` is on); both name the same instance.
 */
function withoutPartition(arn: string): string {
  return arn.replace(/^arn:[^:]*:/, 'arn::');
}

/**
 * A planned switchover with zero data loss, in the Region of the replica to promote: a Step Functions workflow that
 * checks the replica follows the expected writer, fences the writer (new sessions read-only, other sessions
 * terminated) through the writer's SQL agent, waits within `catchUpTimeout` until the replica has replayed the fence LSN
 * (read from the replica by its own agent, never from CloudWatch), then promotes with the FailoverRunbook's states,
 * unfences the promoted instance, publishes the writable signal and reports. A fence that cannot be set, or a replay that
 * does not reach the fence LSN in time, aborts: the writer is unfenced and nothing is promoted. See
 * docs/switchover-runbook.md.
 */
export class SwitchoverRunbook extends Construct {
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** The role the state machine runs with. */
  public readonly promotionRole: PromotionRole;
  /** The relay in this Region to the writer's agent. */
  public readonly writerRelay: lambda.Function;
  /** The execution log group. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SwitchoverRunbookProps) {
    super(scope, id);
    const construct = where(this, CONSTRUCT);
    const stack = Stack.of(this);
    const replica = props.replica;
    if (Token.isUnresolved(stack.region) || replica.region !== stack.region) {
      throw propError(construct, 'replica', replica.instance.node.path, `a replica in this stack's Region (${stack.region})`);
    }
    const writerArn = replica.replicationSourceArn;
    if (writerArn === undefined) {
      throw propError(construct, 'replica', replica.instance.node.path, 'a read replica (an instance with replicationSourceArn)');
    }
    if (replica instanceof CrossRegionReadReplica && replica.promoted) {
      throw propError(construct, 'replica', replica.node.path, 'a replica that is not yet declared promoted');
    }
    validateResourcePlace(construct, 'topic', props.topic, props.topic.topicArn, { region: stack.region, regionRule: ALARM_TOPIC_RULE });
    const writer = props.writerAgent;
    if (withoutPartition(writer.instance.instanceArn) !== withoutPartition(writerArn)) {
      throw propError(construct, 'writerAgent', writer.node.path, `an agent of the replica's source, ${writerArn}, not of ${writer.instance.instanceArn}`);
    }
    if (Stack.of(writer).region === stack.region) {
      throw propError(construct, 'writerAgent', writer.node.path, `an agent in the writer's Region, not in this one (${stack.region})`);
    }
    if (props.targetAgent.instance.instanceArn !== replica.instanceArn || Stack.of(props.targetAgent).region !== stack.region) {
      throw propError(construct, 'targetAgent', props.targetAgent.node.path, `an agent of the replica ${replica.instanceIdentifier} in this Region`);
    }
    const identifier = props.targetAgent.instanceIdentifier;
    const replayPollSeconds = wholeUnits(construct, 'catchUpPollInterval', props.catchUpPollInterval ?? Duration.seconds(5), 'seconds', 1, 60);
    const catchUpSeconds = wholeUnits(construct, 'catchUpTimeout', props.catchUpTimeout ?? Duration.minutes(2), 'seconds', 10, 3_600);
    if (catchUpSeconds < replayPollSeconds) {
      throw propError(construct, 'catchUpTimeout', `${catchUpSeconds} seconds`, `at least catchUpPollInterval (${replayPollSeconds} seconds)`);
    }
    const pollSeconds = wholeUnits(construct, 'pollInterval', props.pollInterval ?? Duration.seconds(30), 'seconds', 10, 300);
    const promotionTimeoutSeconds = wholeUnits(construct, 'promotionTimeout', props.promotionTimeout ?? DEFAULT_PROMOTION_TIMEOUT, 'seconds', 300, 21_600);
    const retention = props.backupRetention ?? (replica instanceof CrossRegionReadReplica ? replica.sourceBackupRetention : undefined);
    if (retention === undefined) {
      throw propError(construct, 'backupRetention', undefined, 'a retention of 1 to 35 days: the source\'s retention is not known from the replica');
    }
    validateBackupRetention(construct, 'backupRetention', retention);
    useTopic(this, props.topic, { construct, purpose: `switchover announcements of ${identifier}`, given: true, paged: true });

    // --- The relay to the writer's agent ------------------------------------------------------------------------------
    const relayLogs = encryptedLogGroup(new Construct(this, 'Relay'), {
      logGroupName: `/cdk-resilient-postgres/switchover-relay/${identifier}`,
      key: props.logKey,
      keyDescription: `Encrypts the switchover logs of ${identifier}`,
      keyPolicySid: 'AllowCloudWatchLogsForSwitchover',
      retention: props.logRetention,
    });
    const relayRole = new iam.Role(this, 'RelayRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Relays the switchover of ${identifier} to the writer's SQL agent`,
    });
    const relayPolicy = new iam.ManagedPolicy(this, 'RelayPolicy', {
      description: `Invokes the writer's switchover SQL agent ${writer.functionArn}`,
      roles: [relayRole],
      statements: [
        // https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html
        new iam.PolicyStatement({ sid: 'InvokeWriterAgent', actions: ['lambda:InvokeFunction'], resources: [writer.functionArn] }),
        new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [relayLogs.logGroupArn] }),
      ],
    });
    // A literal name, so that the definition names the relay by a literal ARN and stays a plain string.
    const relayName = `${identifier}-switchover-relay`;
    const relayArn = `arn:${stack.partition}:lambda:${stack.region}:${stack.account}:function:${relayName}`;
    this.writerRelay = new lambda.Function(this, 'WriterRelay', {
      functionName: relayName,
      description: `Relays fence, unfence and writerLsn to the switchover SQL agent of ${writer.instanceIdentifier}`,
      runtime: lambda.Runtime.PYTHON_3_14,
      handler: 'index.handler',
      code: lambda.Code.fromInline(RELAY_CODE),
      role: relayRole,
      timeout: Duration.seconds(55),
      memorySize: 128,
      logGroup: relayLogs,
      environment: { AGENT_FUNCTION_ARN: writer.functionArn },
    });
    this.writerRelay.node.addDependency(relayPolicy);
    acknowledge(this.writerRelay,
      'The relay is invoked synchronously by the switchover runbook and reaches only the Lambda API, outside any VPC: it '
      + 'touches no database. A dead-letter queue applies to asynchronous invocations only.',
      ...inPacks('LambdaDLQ', ['HIPAA.Security', 'NIST.800.53.R5']),
      ...inPacks('LambdaInsideVPC', ['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321']));
    acknowledge(this.writerRelay,
      'python3.14 is the newest Python runtime the Lambda guide names (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html); '
      + 'aws-cdk-lib also declares python3.15, which the guide does not list yet.',
      'AwsSolutions-L1');
    acknowledge(this.writerRelay,
      'No concurrency is reserved: Lambda refuses a reservation that leaves an account fewer than 100 unreserved '
      + 'executions, and new accounts start with a lower concurrency quota, so a reservation would fail the deployment '
      + 'there (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html). It runs only during a '
      + 'switchover, a few invocations at a time.',
      ...inPacks('LambdaConcurrency', ['HIPAA.Security', 'NIST.800.53.R5']));

    // --- Role and logs of the workflow ---------------------------------------------------------------------------------
    this.promotionRole = new PromotionRole(this, 'PromotionRole', { replica, topic: props.topic, topicKey: props.topicKey });
    const invokePolicy = new iam.ManagedPolicy(this, 'InvokeAgentsPolicy', {
      description: `Invokes the switchover agents of ${identifier}`,
      roles: [this.promotionRole.role],
      statements: [
        // The optimized Lambda integration calls Invoke. https://docs.aws.amazon.com/step-functions/latest/dg/lambda-iam.html
        new iam.PolicyStatement({ sid: 'InvokeAgents', actions: ['lambda:InvokeFunction'], resources: [relayArn, props.targetAgent.functionArn] }),
        ...executionLoggingStatements(),
      ],
    });
    acknowledge(invokePolicy,
      EXECUTION_LOGGING_REASON,
      'AwsSolutions-IAM5[Resource::*]');
    this.logGroup = encryptedLogGroup(this, {
      logGroupName: `/aws/vendedlogs/states/cdk-resilient-postgres/${identifier}-switchover`,
      key: props.logKey,
      keyDescription: `Encrypts the switchover runbook's execution logs of ${identifier}`,
      keyPolicySid: 'AllowCloudWatchLogsForSwitchover',
      retention: props.logRetention,
    });

    const maxReplayPolls = Math.ceil(catchUpSeconds / replayPollSeconds);
    const maxPolls = Math.ceil(promotionTimeoutSeconds / pollSeconds);
    const definition = buildSwitchoverDefinition({
      replicaIdentifier: identifier,
      writerArn,
      writerIdentifier: writer.instanceIdentifier,
      writerRelayArn: relayArn,
      targetAgentArn: props.targetAgent.functionArn,
      namespace: PROBE_METRIC_NAMESPACE,
      backupRetentionDays: retention.toDays(),
      replayPollSeconds,
      maxReplayPolls,
      pollSeconds,
      maxPolls,
      timeoutSeconds: switchoverTimeoutSeconds({ replayPollSeconds, maxReplayPolls, pollSeconds, maxPolls }),
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName ?? `${identifier}-switchover`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(definition)),
      definitionSubstitutions: { [SWITCHOVER_TOPIC_SUBSTITUTION]: props.topic.topicArn },
      role: this.promotionRole.role.withoutPolicyUpdates(),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    this.stateMachine.node.addDependency(invokePolicy, this.promotionRole.policy, this.writerRelay);
  }
}
