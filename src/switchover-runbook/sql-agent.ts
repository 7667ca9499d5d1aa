import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { IPostgresInstance } from '../common/postgres-instance';
import { requireLiteralIdentifier } from '../private/db-instance-facts';
import { propError, where } from '../private/errors';
import { defaultSubnets } from '../private/instance-setup';
import { encryptedLogGroup } from '../private/logs-key';
import { acknowledge, inPacks } from '../private/nag';
import { SqlAgentFunction } from '../private/sql-agent-function';
import { validatePrivateSubnets } from '../private/validation';

const CONSTRUCT = 'SwitchoverSqlAgent';

/**
 * The EC2 actions of `AWSLambdaVPCAccessExecutionRole` that a function in a VPC needs on its role.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
 */
const VPC_NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
];

/** Properties of a `SwitchoverSqlAgent`. */
export interface SwitchoverSqlAgentProps {
  /** The DB instance the agent works on, in this stack's Region: the current writer, or the replica to promote. */
  readonly instance: IPostgresInstance;
  /**
   * A secret with `username` and `password` of the master user (a member of `rds_superuser`, which may terminate other
   * sessions), in this Region: for the replica, the primary's master secret replicated here.
   */
  readonly credentials: secretsmanager.ISecret;
  /**
   * The KMS key of `credentials` when the secret object does not carry it (a replicated secret's key).
   *
   * @default - the secret's own `encryptionKey`
   */
  readonly credentialsKey?: kms.IKey;
  /** The VPC the agent runs in; it must reach the instance. */
  readonly vpc: ec2.IVpc;
  /**
   * Where the agent runs.
   *
   * @default - isolated subnets if the VPC has them, else private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Interface endpoints of Secrets Manager in the VPC, when the subnets have no route to the internet.
   *
   * @default - none: HTTPS egress to anywhere (through NAT)
   */
  readonly awsApiEndpoints?: ec2.IConnectable[];
  /**
   * The function's name. The runbook in the other Region names the writer's agent by ARN, so it is a literal.
   *
   * @default `<instance identifier>-switchover-agent`
   */
  readonly functionName?: string;
  /**
   * The KMS key of the log group.
   *
   * @default - a new key with rotation
   */
  readonly logKey?: kms.IKey;
  /**
   * How long the agent's logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The SQL agent of a `SwitchoverRunbook`: a Lambda function in the VPC of one DB instance that connects with TLS
 * (verify-full, the RDS CAs) using the master secret and performs one of `fence`, `unfence`, `writerLsn`, `replayLsn`,
 * refusing any other operation. Deploy one next to the writer (in its stack) and one next to the replica.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.rds_superuser.html
 */
export class SwitchoverSqlAgent extends Construct implements ec2.IConnectable {
  /** The function. */
  public readonly function: lambda.Function;
  /** The function's ARN, a literal (account, Region and name known at synth). */
  public readonly functionArn: string;
  /** Network access of the agent. */
  public readonly connections: ec2.Connections;
  /** The instance the agent works on. */
  public readonly instance: IPostgresInstance;
  /** Its DB instance identifier. */
  public readonly instanceIdentifier: string;

  constructor(scope: Construct, id: string, props: SwitchoverSqlAgentProps) {
    super(scope, id);
    const construct = where(this, CONSTRUCT);
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account)) {
      throw propError(construct, 'scope', stack.node.path, 'a stack with an explicit account and Region: the runbook names the agent by a literal ARN');
    }
    if (props.instance.region !== stack.region) {
      throw propError(construct, 'instance', props.instance.instance.node.path,
        `a DB instance in this stack's Region (${stack.region}): the agent connects from a VPC of its own Region`);
    }
    this.instance = props.instance;
    this.instanceIdentifier = requireLiteralIdentifier(construct, props.instance);
    const functionName = props.functionName ?? `${this.instanceIdentifier}-switchover-agent`;
    if (Token.isUnresolved(functionName) || !/^[A-Za-z0-9_-]{1,64}$/.test(functionName)) {
      // https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html (FunctionName)
      throw propError(construct, 'functionName', functionName, '1 to 64 letters, digits, hyphens or underscores, a literal');
    }
    this.functionArn = `arn:${stack.partition}:lambda:${stack.region}:${stack.account}:function:${functionName}`;
    const vpcSubnets = props.vpcSubnets ?? defaultSubnets(props.vpc);
    validatePrivateSubnets(construct, props.vpcSubnets ? 'vpcSubnets' : 'vpc', props.vpc, vpcSubnets);

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Switchover SQL agent of ${this.instanceIdentifier}: egress to the database and AWS API endpoints only`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [securityGroup] });
    const port = props.instance.port ?? 5432;
    props.instance.connections.allowFrom(this, ec2.Port.tcp(port), 'Switchover SQL agent');
    const endpoints = props.awsApiEndpoints ?? [];
    for (const endpoint of endpoints) {
      endpoint.connections.allowFrom(this, ec2.Port.tcp(443), 'Switchover SQL agent');
    }
    if (endpoints.length === 0) {
      securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Secrets Manager through NAT');
    }

    const logGroup = encryptedLogGroup(this, {
      logGroupName: `/cdk-resilient-postgres/switchover-agent/${this.instanceIdentifier}`,
      key: props.logKey,
      keyDescription: `Encrypts the logs of the switchover SQL agent of ${this.instanceIdentifier}`,
      keyPolicySid: 'AllowCloudWatchLogsForSwitchoverAgent',
      retention: props.logRetention,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Switchover SQL agent of ${this.instanceIdentifier}`,
    });
    const statements = [
      // https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html
      new iam.PolicyStatement({
        sid: 'ReadCredentials',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [props.credentials.secretFullArn ?? `${props.credentials.secretArn}-??????`],
      }),
      // https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
      new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
      new iam.PolicyStatement({ sid: 'ManageNetworkInterfaces', actions: VPC_NETWORK_INTERFACE_ACTIONS, resources: ['*'] }),
    ];
    const credentialsKey = props.credentialsKey ?? props.credentials.encryptionKey;
    if (credentialsKey) {
      // https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
      statements.push(new iam.PolicyStatement({
        sid: 'DecryptCredentials',
        actions: ['kms:Decrypt'],
        resources: [credentialsKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
      }));
    }
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Switchover SQL agent of ${this.instanceIdentifier}: read the master login, write its logs`,
      roles: [role],
      statements,
    });
    acknowledge(policy,
      'The network interface actions are those of AWSLambdaVPCAccessExecutionRole, with the resource "*" that policy and the '
      + 'Lambda guide give them (ec2:DescribeNetworkInterfaces works only on "*").',
      'AwsSolutions-IAM5[Resource::*]');
    this.function = new SqlAgentFunction(this, 'Function', {
      functionName,
      description: `Switchover SQL agent of RDS for PostgreSQL ${this.instanceIdentifier} (fence, unfence, writerLsn, replayLsn)`,
      role,
      vpc: props.vpc,
      vpcSubnets,
      securityGroups: [securityGroup],
      timeout: Duration.seconds(45),
      memorySize: 256,
      logGroup,
      environment: {
        SECRET_ARN: props.credentials.secretArn,
        DB_HOST: props.instance.instance.dbInstanceEndpointAddress,
        DB_PORT: String(port),
        AGENT_TIMEOUT_MS: '20000',
        // https://aws.amazon.com/blogs/compute/node-js-20-x-runtime-now-available-in-aws-lambda/
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      },
    });
    this.function.node.addDependency(policy);
    acknowledge(this.function,
      'The agent is invoked synchronously by the switchover runbook, which handles every error itself; a dead-letter queue '
      + 'applies to asynchronous invocations only.',
      ...inPacks('LambdaDLQ', ['HIPAA.Security', 'NIST.800.53.R5']));
    acknowledge(this.function,
      'No concurrency is reserved: Lambda refuses a reservation that leaves an account fewer than 100 unreserved '
      + 'executions, and new accounts start with a lower concurrency quota, so a reservation would fail the deployment '
      + 'there (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html). It runs only during a '
      + 'switchover, a few invocations at a time.',
      ...inPacks('LambdaConcurrency', ['HIPAA.Security', 'NIST.800.53.R5']));
  }
}
