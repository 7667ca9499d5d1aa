import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IPostgresInstance } from '../common/postgres-instance';
import { useTopic } from '../private/alarm-topic';
import { requireLiteralIdentifier } from '../private/db-instance-facts';
import { DbProbeFunction } from '../private/db-probe-function';
import { propError, where } from '../private/errors';
import { defaultSubnets } from '../private/instance-setup';
import { encryptedLogGroup } from '../private/logs-key';
import { PROMOTED_METRIC_NAME } from '../private/metrics';
import { acknowledge, inPacks } from '../private/nag';
import { PROBE_DIMENSION, PROBE_NAMESPACE, REACHABLE_METRIC_NAME, WRITABLE_METRIC_NAME } from '../private/probe-metric-contract';
import { checkCredentialsReplicated } from '../private/secret-replication';
import { ALARM_TOPIC_RULE, validatePrivateSubnets, validateResourcePlace } from '../private/validation';

const CONSTRUCT = 'WritableProbe';

/**
 * The CloudWatch namespace of the probe's metrics (`Writable`, `Reachable`, dimension `DBInstanceIdentifier`). The
 * failover runbook publishes its writable signal here too, and IAM conditions name it.
 */
export const PROBE_METRIC_NAMESPACE = PROBE_NAMESPACE;

/**
 * What Lambda needs on the execution role of a function in a VPC: the EC2 actions of the AWS-managed
 * `AWSLambdaVPCAccessExecutionRole` (policy version v3), without its CloudWatch Logs actions, which the probe has scoped
 * to its own log group. Without them CreateFunction fails.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
 * @see https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html
 */
const VPC_NETWORK_INTERFACE_ACTIONS: readonly string[] = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/** How often the probe runs: the metric is standard resolution, one datapoint a minute. */
const PROBE_INTERVAL = Duration.minutes(1);

/** Properties of a `WritableProbe`. */
export interface WritableProbeProps {
  /** The DB instance to probe: a primary or a replica in this stack's Region. */
  readonly instance: IPostgresInstance;

  /**
   * A secret with `username` and `password` of a login the probe uses, in this Region. For a DR replica, the
   * primary's master secret replicated to this Region (`MultiAzPostgres` `secretReplicaRegions`).
   */
  readonly credentials: secretsmanager.ISecret;

  /**
   * The KMS key that encrypts `credentials` in this Region, when it is a customer-managed key the secret object does
   * not carry (for example a replicated secret's key).
   *
   * @default - the secret's own `encryptionKey`; none for secrets under the AWS-managed key
   */
  readonly credentialsKey?: kms.IKey;

  /** The VPC the probe runs in; it must reach the instance. */
  readonly vpc: ec2.IVpc;

  /**
   * Where the probe runs.
   *
   * @default - isolated subnets if the VPC has them, else private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Interface endpoints the probe calls: Secrets Manager and CloudWatch (monitoring). The probe is admitted to each on
   * port 443. Leave empty when the subnets reach AWS APIs through NAT: the probe may then send HTTPS anywhere.
   *
   * @default - no endpoints; HTTPS egress to anywhere
   */
  readonly awsApiEndpoints?: ec2.IConnectable[];

  /**
   * The DB instance identifier, for the metric dimension and the alarm names.
   *
   * @default - the instance's identifier, which must then be known at synth time
   */
  readonly instanceIdentifier?: string;

  /**
   * The port the instance listens on.
   *
   * @default - the port in the instance's template, else 5432
   */
  readonly port?: number;

  /**
   * The database the probe connects to.
   *
   * @default 'postgres'
   */
  readonly databaseName?: string;

  /**
   * Deadline for connecting, TLS, login and the query together. A server that has not answered by then counts as
   * down. From 1 to 20 seconds, well under the one-minute probe interval.
   *
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;

  /**
   * Consecutive one-minute periods without a writable (or reachable) answer before the alarms fire.
   *
   * @default 2
   */
  readonly evaluationPeriods?: number;

  /**
   * Whether the probe also publishes the fence's latch metric `Promoted` (1 whenever it finds the instance writable,
   * never 0), which `Route53DbFailover` watches to keep the old primary out of the DNS names after a promotion. Turn
   * it on for the DR replica's probe and keep it on after the promotion.
   *
   * @default - true when the instance is a read replica defined in this app (its template names a source DB
   * instance), else false
   */
  readonly publishPromoted?: boolean;

  /**
   * The topic the alarms (and their return to OK) go to, in this stack's Region. A topic of this app gets the
   * statement that lets CloudWatch alarms publish (and its key, the statement that lets them use it); for an imported
   * topic the probe warns (`cdk-resilient-postgres:topicPermissionsNotAdded`) with the statements to add.
   */
  readonly topic: sns.ITopic;

  /**
   * Reserved concurrency for the probe's function. The probe needs one execution a minute, so none is reserved by
   * default: Lambda refuses a reservation that leaves the account fewer than 100 unreserved executions, and new
   * accounts start with a lower concurrency quota than 1,000, so a reservation would fail the deployment there. Set
   * 1 to cap the probe at one execution, in an account whose quota allows it.
   *
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
   * @default - no reserved concurrency
   */
  readonly reservedConcurrency?: number;

  /**
   * KMS key for the probe's log group.
   *
   * @default - a new key with rotation
   */
  readonly logKey?: kms.IKey;

  /**
   * How long the probe's logs are kept.
   *
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The honest health signal for a PostgreSQL endpoint: a small Lambda function in the database's VPC that, every
 * minute, connects with TLS using the given secret, asks `pg_is_in_recovery()` and `default_transaction_read_only`, and
 * publishes `Writable` (1 only for a writable primary: not in recovery, and new sessions not read-only by default) and
 * `Reachable` (1 when the server answered) as standard-resolution metrics. Two alarms turn them into health signals
 * that Route 53 can use for private endpoints: `notWritableAlarm` is in ALARM whenever the instance is not a writable
 * primary (down, hung, a read-only replica, or a writer fenced by a `SwitchoverRunbook`), and `unreachableAlarm` whenever it
 * does not answer. Missing data (the probe could not run or publish) counts as breaching.
 *
 * On a replica, `notWritableAlarm` is in ALARM in normal operation and turns OK once the replica is promoted.
 */
export class WritableProbe extends Construct implements ec2.IConnectable {
  /** The probe function. */
  public readonly function: lambda.Function;
  /** Network access of the probe. */
  public readonly connections: ec2.Connections;
  /** In ALARM whenever the instance is not a writable primary. Standard resolution, statistic Minimum. */
  public readonly notWritableAlarm: cloudwatch.Alarm;
  /** In ALARM whenever the instance does not answer. Standard resolution, statistic Minimum. */
  public readonly unreachableAlarm: cloudwatch.Alarm;
  /**
   * In ALARM while the instance is a writable primary (Writable maximum ≥ 1 in a minute; missing data counts as not
   * writable). On the DR side it fences the old primary: `Route53DbFailover` answers the primary writer record only
   * while the secondary's `writableAlarm` is OK.
   */
  public readonly writableAlarm: cloudwatch.Alarm;
  /** The DB instance identifier of the probed instance. */
  public readonly instanceIdentifier: string;
  /** The probe's deadline. */
  public readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: WritableProbeProps) {
    super(scope, id);
    const construct = where(this, CONSTRUCT);
    const stack = Stack.of(this);
    validateResourcePlace(construct, 'topic', props.topic, props.topic.topicArn, { region: stack.region, regionRule: ALARM_TOPIC_RULE });

    // The function reaches the database only through its own VPC, which is in the stack's Region.
    // https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
    const instanceRegion = props.instance.region;
    if (!Token.isUnresolved(instanceRegion) && !Token.isUnresolved(stack.region) && instanceRegion !== stack.region) {
      throw propError(construct, 'instance', props.instance.instance.node.path,
        `a DB instance in this stack's Region (${stack.region}), not ${instanceRegion}: the probe connects to it from a VPC of its own Region`);
    }
    checkCredentialsReplicated(this, construct, props.instance, props.credentials);
    const identifier = requireLiteralIdentifier(construct, props.instance, props.instanceIdentifier);
    this.instanceIdentifier = identifier;
    useTopic(this, props.topic, { construct, purpose: `writable probe alarms of ${identifier}`, given: true, paged: true });
    this.timeout = props.timeout ?? Duration.seconds(5);
    const timeoutMs = this.timeout.toMilliseconds();
    if (timeoutMs < 1000 || timeoutMs > 20_000) {
      throw propError(construct, 'timeout', this.timeout.toHumanString(),
        'from 1 to 20 seconds: the probe runs every minute and its verdict must arrive well within the period');
    }
    const evaluationPeriods = props.evaluationPeriods ?? 2;
    if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1 || evaluationPeriods > 10) {
      throw propError(construct, 'evaluationPeriods', evaluationPeriods, 'a whole number of one-minute periods from 1 to 10');
    }
    if (props.reservedConcurrency !== undefined && !Token.isUnresolved(props.reservedConcurrency)
      && (!Number.isInteger(props.reservedConcurrency) || props.reservedConcurrency < 1)) {
      throw propError(construct, 'reservedConcurrency', props.reservedConcurrency,
        'a whole number of at least 1, or unset: with 0 Lambda throttles every invocation, the probe never runs and its alarms move the names');
    }
    const publishPromoted = props.publishPromoted ?? props.instance.replicationSourceArn !== undefined;
    const vpcSubnets = props.vpcSubnets ?? defaultSubnets(props.vpc);
    validatePrivateSubnets(construct, props.vpcSubnets ? 'vpcSubnets' : 'vpc', props.vpc, vpcSubnets);

    // --- Network: only the database port and HTTPS to the AWS API endpoints ---------------------------------------
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Probe of RDS for PostgreSQL ${identifier}: egress to the database and AWS API endpoints only`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [securityGroup] });
    // A literal port keeps the ingress rule reviewable (a token port cannot be checked by cdk-nag's port rules).
    const databasePort = props.instance.port;
    const port = props.port ?? databasePort ?? 5432;
    if (!Number.isInteger(port) || port < 1150 || port > 65535) {
      throw propError(construct, 'port', port, 'the instance\'s port, from 1150 to 65535 (the RDS for PostgreSQL range)');
    }
    if (databasePort !== undefined && port !== databasePort) {
      // The probe would connect to a port nothing listens on, report "unreachable" every minute, and the failover
      // records would move the names away from a healthy database.
      throw propError(construct, 'port', port, `the port the instance listens on, ${databasePort}, or unset`);
    }
    props.instance.connections.allowFrom(this, ec2.Port.tcp(port), 'Writable probe');
    const endpoints = props.awsApiEndpoints ?? [];
    for (const endpoint of endpoints) {
      endpoint.connections.allowFrom(this, ec2.Port.tcp(443), 'Writable probe');
    }
    if (endpoints.length === 0) {
      securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs (Secrets Manager, CloudWatch) through NAT');
    } else {
      // The egress rules to the database and the endpoints are separate AWS::EC2::SecurityGroupEgress resources, and
      // aws-cdk-lib drops its inline "disallow all" rule once a rule is added. A group without inline egress keeps EC2's
      // default allow-all rule, which separate rules do not remove, so the inline rule that matches no traffic stays.
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html
      (securityGroup.node.defaultChild as ec2.CfnSecurityGroup).addPropertyOverride('SecurityGroupEgress', [
        { CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic', IpProtocol: 'icmp', FromPort: 252, ToPort: 86 },
      ]);
    }

    // --- Logs --------------------------------------------------------------------------------------------------------
    const logGroup = encryptedLogGroup(this, {
      logGroupName: `/cdk-resilient-postgres/probe/${identifier}`,
      key: props.logKey,
      keyDescription: `Encrypts the logs of the probe of RDS for PostgreSQL instance ${identifier}`,
      keyPolicySid: 'AllowCloudWatchLogsForProbe',
      retention: props.logRetention,
    });

    // --- Permissions: a customer-managed policy, each statement scoped where the action has a resource type -------
    // aws-cdk-lib adds AWSLambdaVPCAccessExecutionRole only to a role it creates itself; this role is ours, so the policy
    // carries the network interface permissions, and the function is created after the policy is attached.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Probe of RDS for PostgreSQL ${identifier}`,
    });
    const secretArn = props.credentials.secretFullArn ?? `${props.credentials.secretArn}-??????`;
    const statements = [
      new iam.PolicyStatement({
        sid: 'ReadCredentials',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secretArn],
      }),
      new iam.PolicyStatement({
        sid: 'WriteLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
      // PutMetricData has no resource type; the namespace condition is its only scope.
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
      new iam.PolicyStatement({
        sid: 'PublishProbeMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': PROBE_METRIC_NAMESPACE } },
      }),
      new iam.PolicyStatement({
        sid: 'ManageNetworkInterfaces',
        actions: [...VPC_NETWORK_INTERFACE_ACTIONS],
        resources: ['*'],
      }),
    ];
    const credentialsKey = props.credentialsKey ?? props.credentials.encryptionKey;
    if (credentialsKey) {
      statements.push(new iam.PolicyStatement({
        sid: 'DecryptCredentials',
        actions: ['kms:Decrypt'],
        resources: [credentialsKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
      }));
    }
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Probe of RDS for PostgreSQL ${identifier}: read its login, write its logs, publish its metrics`,
      roles: [role],
      statements,
    });
    acknowledge(policy,
      'cloudwatch:PutMetricData has no resource type in the service authorization reference, so its resource is "*"; '
      + `the statement is limited to the ${PROBE_METRIC_NAMESPACE} namespace by the cloudwatch:namespace condition. `
      + 'The network interface actions are those of AWSLambdaVPCAccessExecutionRole, with the resource "*" that policy and '
      + 'the Lambda guide give them (ec2:DescribeNetworkInterfaces works only on "*"); Lambda uses them to manage the '
      + "function's network interfaces in its subnets.",
      'AwsSolutions-IAM5[Resource::*]');

    // --- Function ------------------------------------------------------------------------------------------------------
    this.function = new DbProbeFunction(this, 'Function', {
      description: `Writable-primary probe of RDS for PostgreSQL ${identifier}`,
      role,
      vpc: props.vpc,
      vpcSubnets,
      securityGroups: [securityGroup],
      timeout: Duration.millis(timeoutMs + 10_000),
      memorySize: 256,
      reservedConcurrentExecutions: props.reservedConcurrency,
      logGroup,
      environment: {
        SECRET_ARN: props.credentials.secretArn,
        DB_HOST: props.instance.instance.dbInstanceEndpointAddress,
        DB_PORT: String(port),
        DB_NAME: props.databaseName ?? 'postgres',
        DB_INSTANCE_IDENTIFIER: identifier,
        METRIC_NAMESPACE: PROBE_METRIC_NAMESPACE,
        PROBE_TIMEOUT_MS: String(timeoutMs),
        // The Node.js runtimes from 20 on load Amazon's CA bundle, which includes the RDS CAs, only when told to.
        // https://aws.amazon.com/blogs/compute/node-js-20-x-runtime-now-available-in-aws-lambda/
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        ...(publishPromoted ? { PROMOTED_METRIC_NAME } : {}),
      },
    });
    // Lambda checks the role's network interface permissions at CreateFunction, and the first invocation writes logs:
    // the policy must be attached before the function is created.
    this.function.node.addDependency(policy);
    acknowledge(this.function,
      'The probe is invoked asynchronously by a schedule every minute; a failed invocation is not worth replaying, because '
      + 'the next minute probes again. A failure shows as missing data, which the alarms count as breaching.',
      ...inPacks('LambdaDLQ', ['HIPAA.Security', 'NIST.800.53.R5']));
    if (props.reservedConcurrency === undefined) {
      acknowledge(this.function,
        'No concurrency is reserved by default: Lambda refuses a reservation that leaves an account fewer than 100 '
        + 'unreserved executions, and new accounts have a lower concurrency quota, so a reservation would fail the '
        + 'deployment there. The probe runs once a minute with a bounded timeout; reservedConcurrency sets a limit where '
        + 'the quota allows it.',
        ...inPacks('LambdaConcurrency', ['HIPAA.Security', 'NIST.800.53.R5']));
    }

    new events.Rule(this, 'Schedule', {
      description: `Runs the writable-primary probe of ${identifier} every minute`,
      schedule: events.Schedule.rate(PROBE_INTERVAL),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });

    // --- Alarms: standard resolution, plain statistic, missing data breaching: fit for Route 53 health checks --------
    const action = new cloudwatchActions.SnsAction(props.topic);
    const makeAlarm = (alarmId: string, metric: cloudwatch.Metric, suffix: string, description: string) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        alarmName: `${identifier}-${suffix}`,
        alarmDescription: description,
        metric,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods,
        datapointsToAlarm: evaluationPeriods,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      return alarm;
    };
    this.notWritableAlarm = makeAlarm('NotWritableAlarm', this.metricWritable(), 'not-writable',
      `[CRITICAL] ${identifier} is not a writable primary (down, hung or read-only). Expected in ALARM on a replica; `
      + 'OK means it accepts writes. Feeds the writer record\'s Route 53 health check.');
    this.unreachableAlarm = makeAlarm('UnreachableAlarm', this.metricReachable(), 'unreachable',
      `[CRITICAL] ${identifier} does not answer the probe (TLS login and SELECT within ${this.timeout.toSeconds()} s).`);
    this.writableAlarm = new cloudwatch.Alarm(this, 'WritableAlarm', {
      alarmName: `${identifier}-writable`,
      alarmDescription: `[INFO] ${identifier} accepts writes. Expected in ALARM on a primary and OK on a replica; on a `
        + 'promoted replica it fences the old primary out of the writer record (Route53DbFailover).',
      metric: this.metricWritable({ statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.writableAlarm.addAlarmAction(action);
  }

  /** 1 for each minute the instance answered as a writable primary, 0 otherwise. One-minute period, Minimum. */
  public metricWritable(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.probeMetric(WRITABLE_METRIC_NAME, props);
  }

  /** 1 for each minute the instance answered at all, 0 otherwise. One-minute period, Minimum. */
  public metricReachable(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.probeMetric(REACHABLE_METRIC_NAME, props);
  }

  private probeMetric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: PROBE_METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { [PROBE_DIMENSION]: this.instanceIdentifier },
      period: PROBE_INTERVAL,
      statistic: cloudwatch.Stats.MINIMUM,
      ...props,
    });
  }
}
