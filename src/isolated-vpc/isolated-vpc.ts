import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { propError, where } from '../private/errors';
import { allowCloudWatchLogs } from '../private/logs-key';
import { acknowledge, inPacks } from '../private/nag';

const CONSTRUCT = 'IsolatedVpc';

/** Properties of an `IsolatedVpc`. */
export interface IsolatedVpcProps {
  /**
   * How many Availability Zones to span. A Multi-AZ DB instance needs at least two.
   *
   * @default 2
   */
  readonly maxAzs?: number;

  /**
   * The VPC's IPv4 range. Give each Region a different one if the VPCs will ever be peered.
   *
   * @default ec2.IpAddresses.cidr('10.0.0.0/16')
   */
  readonly ipAddresses?: ec2.IIpAddresses;

  /**
   * How long VPC flow logs are kept.
   *
   * @default RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * KMS key that encrypts the flow log group.
   *
   * @default - a new key with automatic rotation
   */
  readonly flowLogKey?: kms.IKey;
}

/**
 * A VPC for trying the library out, or for databases that need no internet access: isolated subnets only (no NAT
 * gateway, no internet gateway), KMS-encrypted flow logs of all traffic, and interface endpoints for Secrets Manager
 * and CloudWatch so the password rotation function and the writable probe work without NAT. Production teams usually bring their own VPC instead.
 *
 * @example
 * const network = new IsolatedVpc(this, 'Network');
 * new MultiAzPostgres(this, 'Db', {
 *   vpc: network.vpc,
 *   secretsManagerEndpoint: network.secretsManagerEndpoint,
 * });
 */
export class IsolatedVpc extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** The Secrets Manager interface endpoint. It admits only what is granted through its `connections`. */
  public readonly secretsManagerEndpoint: ec2.InterfaceVpcEndpoint;
  /**
   * The CloudWatch (monitoring) interface endpoint, for functions that publish metrics, such as `WritableProbe`. It
   * admits only what is granted through its `connections`.
   */
  public readonly monitoringEndpoint: ec2.InterfaceVpcEndpoint;
  /** The flow log group. */
  public readonly flowLogGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: IsolatedVpcProps = {}) {
    super(scope, id);
    const construct = where(this, CONSTRUCT);
    const maxAzs = props.maxAzs ?? 2;
    if (!Number.isInteger(maxAzs) || maxAzs < 2 || maxAzs > 6) {
      throw propError(construct, 'maxAzs', maxAzs, 'a whole number from 2 to 6: a Multi-AZ DB instance needs subnets in two Availability Zones');
    }
    const stack = Stack.of(this);
    const ipAddresses = props.ipAddresses ?? ec2.IpAddresses.cidr('10.0.0.0/16');
    checkCidr(construct, ipAddresses, maxAzs);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs,
      ipAddresses,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      // Removing the default security group's rules needs a custom-resource Lambda; see the acknowledgement below.
      restrictDefaultSecurityGroup: false,
    });
    acknowledge(this.vpc,
      'The default security group is never attached to anything: every construct of this library creates its own security '
      + 'group with no ingress. Emptying the default group would need a custom-resource Lambda, a larger attack surface than '
      + 'the unused group.',
      ...inPacks('VPCDefaultSecurityGroupClosed'));

    const flowLogKey = props.flowLogKey ?? new kms.Key(this, 'FlowLogKey', {
      description: 'Encrypts VPC flow logs',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const flowLogGroupName = `/vpc/flow-logs/${stack.stackName}/${this.node.addr}`;
    allowCloudWatchLogs(flowLogKey, stack, 'AllowCloudWatchLogsForFlowLogs', flowLogGroupName);
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      logGroupName: flowLogGroupName,
      encryptionKey: flowLogKey,
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.flowLogGroup = flowLogGroup;

    // A customer-managed policy rather than an inline one (HIPAA/NIST/PCI IAMNoInlinePolicy).
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Lets VPC Flow Logs write to its log group',
    });
    new iam.ManagedPolicy(this, 'FlowLogPolicy', {
      roles: [flowLogRole],
      statements: [new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        // The log group's Arn attribute ends in ':*', covering the streams Flow Logs names after each network interface.
        resources: [flowLogGroup.logGroupArn],
      })],
    });
    new ec2.CfnFlowLog(this, 'FlowLog', {
      resourceId: this.vpc.vpcId,
      resourceType: 'VPC',
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logGroupName: flowLogGroup.logGroupName,
      deliverLogsPermissionArn: flowLogRole.roleArn,
    });

    this.secretsManagerEndpoint = this.vpc.addInterfaceEndpoint('SecretsManager', {
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      privateDnsEnabled: true,
      open: false,
    });
    this.monitoringEndpoint = this.vpc.addInterfaceEndpoint('Monitoring', {
      service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
      privateDnsEnabled: true,
      open: false,
    });
  }
}

/** The prefix length of each isolated subnet. */
const SUBNET_PREFIX = 24;

/**
 * Checks that a literal VPC CIDR block is one VPC accepts (/16 to /28) and holds a /24 subnet in each of `maxAzs`
 * Availability Zones. Address pools (IPAM) are left to the VPC.
 *
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
 */
function checkCidr(construct: string, ipAddresses: ec2.IIpAddresses, maxAzs: number): void {
  const cidrBlock = ipAddresses.allocateVpcCidr().cidrBlock;
  if (cidrBlock === undefined || Token.isUnresolved(cidrBlock)) {
    return;
  }
  const prefix = Number(cidrBlock.split('/')[1]);
  // Each AZ gets one /24; the subnets take the next power of two of them.
  const largestPrefix = SUBNET_PREFIX - Math.ceil(Math.log2(maxAzs));
  if (!Number.isInteger(prefix) || prefix < 16 || prefix > largestPrefix) {
    throw propError(construct, 'ipAddresses', cidrBlock,
      `a CIDR block from /16 to /${largestPrefix}: a VPC takes /16 to /28, and each of the ${maxAzs} Availability Zones (maxAzs) `
      + `gets a /${SUBNET_PREFIX} isolated subnet`);
  }
}
