import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { FailoverHealthCheckType, Route53DbFailoverProps } from './types';
import { Warnings } from '../common/warnings';
import { literalAlarmNameOf } from '../private/alarms';
import { propError } from '../private/errors';
import { DNS_NAME } from '../private/validation';
import { rdsEndpointRegion } from '../private/wiring';
import { PROBE_METRIC_NAMESPACE } from '../writable-probe/writable-probe';

/** Statistics a Route 53 health check accepts in the alarm it watches (extended statistics such as p99 are refused). */
const ROUTE53_STATISTICS = ['Average', 'Minimum', 'Maximum', 'Sum', 'SampleCount'];

/** What the construct reads from an alarm to build and check a health check on it. */
export interface AlarmFacts {
  readonly name: string;
  readonly region: string;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
}

/** The construct's settings, with their defaults applied and checked. */
export interface FailoverSettings {
  readonly ttl: Duration;
  readonly ttlSeconds: number;
  readonly type: FailoverHealthCheckType;
  readonly writerName: string;
  readonly readerName?: string;
  readonly tcpInterval: Duration;
  readonly tcpFailureThreshold: number;
  readonly lagSeconds: number;
}

/** Applies the defaults of the plain settings (TTL, names, health-check type and timing) and checks them. */
export function readSettings(construct: string, props: Route53DbFailoverProps): FailoverSettings {
  const ttl = props.ttl ?? Duration.seconds(30);
  const ttlSeconds = ttl.toSeconds({ integral: false });
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 60) {
    throw propError(construct, 'ttl', ttl.toHumanString(),
      'a whole number of seconds from 1 to 60: the library\'s policy, as resolvers keep a failed-over answer for the TTL and '
      + 'Route 53 recommends 60 seconds or less with health checks (a recommendation, not an AWS limit); there is no opt-out');
  }
  const type = props.healthCheckType ?? FailoverHealthCheckType.CLOUDWATCH_ALARM;
  const { writerName, readerName } = readRecordNames(construct, props);
  checkEndpoints(construct, props);
  checkTargets(construct, type, readerName, props);
  const tcpInterval = props.tcpRequestInterval ?? Duration.seconds(10);
  if (![10, 30].includes(tcpInterval.toSeconds({ integral: false }))) {
    throw propError(construct, 'tcpRequestInterval', tcpInterval.toHumanString(), '10 or 30 seconds, the intervals Route 53 offers');
  }
  const tcpFailureThreshold = props.tcpFailureThreshold ?? 3;
  if (!Number.isInteger(tcpFailureThreshold) || tcpFailureThreshold < 1 || tcpFailureThreshold > 10) {
    throw propError(construct, 'tcpFailureThreshold', tcpFailureThreshold, 'a whole number from 1 to 10');
  }
  const healthCheckLag = props.healthCheckLag ?? Duration.seconds(30);
  const lagSeconds = healthCheckLag.toSeconds({ integral: false });
  if (!Number.isInteger(lagSeconds) || lagSeconds < 0 || lagSeconds > 600) {
    throw propError(construct, 'healthCheckLag', healthCheckLag.toHumanString(), 'a whole number of seconds from 0 to 600');
  }
  return { ttl, ttlSeconds, type, writerName, readerName, tcpInterval, tcpFailureThreshold, lagSeconds };
}

function readRecordNames(construct: string, props: Route53DbFailoverProps): { writerName: string; readerName?: string } {
  const writerName = recordName(construct, 'writerRecordName', props.writerRecordName ?? 'writer');
  const readerName = props.readerRecordName === undefined ? undefined : recordName(construct, 'readerRecordName', props.readerRecordName);
  if (readerName === writerName) {
    throw propError(construct, 'readerRecordName', readerName, 'a name other than the writer record name');
  }
  return { writerName, readerName };
}

function checkEndpoints(construct: string, props: Route53DbFailoverProps): void {
  for (const [side, target] of [['primary', props.primary], ['secondary', props.secondary]] as const) {
    checkEndpoint(construct, `${side}.endpointAddress`, target.endpointAddress);
  }
  if (!Token.isUnresolved(props.primary.endpointAddress) && !Token.isUnresolved(props.secondary.endpointAddress)
    && props.primary.endpointAddress.toLowerCase() === props.secondary.endpointAddress.toLowerCase()) {
    throw propError(construct, 'primary.endpointAddress', props.primary.endpointAddress,
      'another endpoint than secondary.endpointAddress: with both records on one database, a failover moves the name nowhere');
  }
}

function checkTargets(construct: string, type: FailoverHealthCheckType, readerName: string | undefined, props: Route53DbFailoverProps): void {
  for (const [side, target] of [['primary', props.primary], ['secondary', props.secondary]] as const) {
    if (type === FailoverHealthCheckType.TCP && target.publiclyAccessible !== true) {
      throw propError(construct, 'healthCheckType', type,
        `CLOUDWATCH_ALARM, because ${side}.publiclyAccessible is not true: Route 53 health checkers run on the internet and `
        + 'cannot reach a private endpoint, so a TCP check on it would always fail');
    }
    if (readerName !== undefined && target.unreachableAlarm === undefined) {
      throw propError(construct, `${side}.unreachableAlarm`, undefined, 'an alarm (WritableProbe.unreachableAlarm): the reader record needs it');
    }
    const port = target.port ?? 5432;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw propError(construct, `${side}.port`, port, 'a TCP port from 1 to 65535');
    }
  }
}

/** The alarms behind the health checks, read and checked against Route 53's rules and the two Regions. */
export interface FailoverAlarms {
  readonly primaryWriter: AlarmFacts;
  readonly secondaryWriter: AlarmFacts;
  readonly primaryReader?: AlarmFacts;
  readonly secondaryReader?: AlarmFacts;
  /** The secondary's writable alarm, when a fence was asked for. */
  readonly fence?: AlarmFacts;
  /** With a fence: the `DBInstanceIdentifier` of the secondary, the latch metric's dimension. */
  readonly latchDimension?: string;
}

/**
 * Reads the targets' alarms and checks them: Route 53's rules, the two sides in two Regions, each endpoint in its
 * side's Region, and the fence alarm in the secondary's Region, which must be this construct's. Warns when there is no
 * fence.
 */
export function readAlarms(scope: Construct, construct: string, props: Route53DbFailoverProps): FailoverAlarms {
  const stack = Stack.of(scope);
  const primaryWriter = alarmFacts(construct, 'primary.notWritableAlarm', props.primary.notWritableAlarm);
  const secondaryWriter = alarmFacts(construct, 'secondary.notWritableAlarm', props.secondary.notWritableAlarm);
  if (primaryWriter.region === secondaryWriter.region) {
    throw propError(construct, 'secondary.notWritableAlarm', secondaryWriter.name,
      `an alarm in another Region than the primary's (${primaryWriter.region}): both sides in one Region do not survive a Region loss`);
  }
  checkEndpointRegions(construct, props, primaryWriter, secondaryWriter);
  const primaryReader = props.primary.unreachableAlarm ? alarmFacts(construct, 'primary.unreachableAlarm', props.primary.unreachableAlarm) : undefined;
  const secondaryReader = props.secondary.unreachableAlarm ? alarmFacts(construct, 'secondary.unreachableAlarm', props.secondary.unreachableAlarm) : undefined;
  const fence = props.secondary.writableAlarm ? alarmFacts(construct, 'secondary.writableAlarm', props.secondary.writableAlarm) : undefined;
  if (fence !== undefined && fence.region !== secondaryWriter.region) {
    throw propError(construct, 'secondary.writableAlarm', fence.name,
      `an alarm in the secondary's Region (${secondaryWriter.region}), on the secondary's writable signal`);
  }
  const latchDimension = fence === undefined ? undefined : probeInstanceOf(construct, 'secondary.writableAlarm', props.secondary.writableAlarm!);
  if (fence !== undefined && stack.region !== fence.region) {
    throw propError(construct, 'secondary.writableAlarm', fence.name,
      `an alarm in this construct's Region (${Token.isUnresolved(stack.region) ? 'unknown: give the stack env.region' : stack.region}): `
      + `the fence's latch alarm is created here and must watch the secondary's metrics in ${fence.region}; put Route53DbFailover `
      + 'in a stack of the secondary\'s Region');
  }
  if (fence === undefined) {
    Annotations.of(scope).addWarningV2(Warnings.PRIMARY_NOT_FENCED,
      'secondary.writableAlarm is not set, so nothing fences the old primary: after a promotion it is answered again as '
      + 'soon as it is writable, and two primaries can take writes. Pass the DR WritableProbe\'s writableAlarm, or '
      + `acknowledge: Annotations.of(failover).acknowledgeWarning('${Warnings.PRIMARY_NOT_FENCED}', '<reason>').`);
  }
  return { primaryWriter, secondaryWriter, primaryReader, secondaryReader, fence, latchDimension };
}

/**
 * The primary record must point into the primary's Region, the secondary's into the secondary's: an RDS endpoint
 * names its Region.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ConnectToInstance.html
 */
function checkEndpointRegions(construct: string, props: Route53DbFailoverProps, primaryWriter: AlarmFacts, secondaryWriter: AlarmFacts): void {
  const primaryEndpointRegion = rdsEndpointRegion(props.primary.endpointAddress);
  if (primaryEndpointRegion !== undefined && primaryEndpointRegion === secondaryWriter.region) {
    throw propError(construct, 'primary.endpointAddress', props.primary.endpointAddress,
      `an endpoint in the primary's Region (${primaryWriter.region}), not in the secondary's (${secondaryWriter.region}): `
      + 'the primary record would send writes to the DR Region, and both answers would fail with it');
  }
  const secondaryEndpointRegion = rdsEndpointRegion(props.secondary.endpointAddress);
  if (secondaryEndpointRegion !== undefined && secondaryEndpointRegion === primaryWriter.region) {
    throw propError(construct, 'secondary.endpointAddress', props.secondary.endpointAddress,
      `an endpoint in the secondary's Region (${secondaryWriter.region}), not in the primary's (${primaryWriter.region}): `
      + 'a failover would move the names to a database that fails with the primary\'s Region');
  }
}

/** Checks a record name relative to the zone: DNS labels, lower case. */
export function recordName(construct: string, prop: string, name: string): string {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(name)) {
    throw propError(construct, prop, name, 'a record name relative to the zone: lower-case DNS labels such as writer');
  }
  return name;
}

/** A literal endpoint must be a host name: no scheme, no port. */
export function checkEndpoint(construct: string, prop: string, address: string): void {
  if (Token.isUnresolved(address)) {
    return;
  }
  if (!DNS_NAME.test(address.toLowerCase())) {
    throw propError(construct, prop, address, 'a DB instance endpoint host name, such as orders-primary.abcdefghijkl.us-east-1.rds.amazonaws.com');
  }
}

/**
 * Reads an alarm's name, Region, period and evaluation periods, and checks what Route 53 requires of alarms behind
 * health checks: standard resolution (a period of 60 seconds or more) and one of the statistics Average, Minimum,
 * Maximum, Sum or SampleCount. Extended statistics (percentiles) and metric math are refused.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_AlarmIdentifier.html
 */
export function alarmFacts(construct: string, prop: string, alarm: cloudwatch.IAlarm): AlarmFacts {
  const cfn = alarm.node.defaultChild;
  if (!(cfn instanceof cloudwatch.CfnAlarm)) {
    throw propError(construct, prop, alarm.node.path,
      'an alarm defined in this CDK app (cloudwatch.Alarm), so its statistic and period can be checked against Route 53\'s rules');
  }
  const stack = Stack.of(alarm);
  const name = literalAlarmNameOf(alarm);
  if (name === undefined) {
    throw propError(construct, prop, alarm.node.path, 'an alarm with a literal alarmName: the health check names it, possibly from another Region');
  }
  const region = alarm.env.region;
  if (Token.isUnresolved(region)) {
    throw propError(construct, prop, name, 'an alarm in a stack with an explicit Region (env.region): the health check names its Region');
  }
  if (cfn.metrics !== undefined) {
    throw propError(construct, prop, name, 'an alarm on a single metric: Route 53 health checks do not support metric math alarms');
  }
  const statistic = stack.resolve(cfn.statistic);
  if (cfn.extendedStatistic !== undefined || !ROUTE53_STATISTICS.includes(statistic)) {
    throw propError(construct, prop, name,
      `an alarm with one of the statistics ${ROUTE53_STATISTICS.join(', ')}: Route 53 does not support extended statistics `
      + `such as ${stack.resolve(cfn.extendedStatistic) ?? statistic}`);
  }
  const period = stack.resolve(cfn.period);
  if (typeof period !== 'number' || period < 60) {
    throw propError(construct, prop, name,
      `an alarm with a period of 60 seconds or more (it has ${period}): Route 53 does not support high-resolution alarms`);
  }
  return { name, region, periodSeconds: period, evaluationPeriods: stack.resolve(cfn.evaluationPeriods) };
}

/**
 * The `DBInstanceIdentifier` a `WritableProbe` alarm watches: the fence's latch metric carries the same dimension.
 */
export function probeInstanceOf(construct: string, prop: string, alarm: cloudwatch.IAlarm): string {
  const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm;
  const stack = Stack.of(alarm);
  const dimensions = (stack.resolve(cfn.dimensions) ?? []) as Array<{ name?: string; Name?: string; value?: string; Value?: string }>;
  const dimension = dimensions.find((d) => (d.name ?? d.Name) === 'DBInstanceIdentifier');
  const value = dimension?.value ?? dimension?.Value;
  if (stack.resolve(cfn.namespace) !== PROBE_METRIC_NAMESPACE || typeof value !== 'string' || Token.isUnresolved(value)) {
    throw propError(construct, prop, literalAlarmNameOf(alarm) ?? alarm.node.path,
      `a WritableProbe's writableAlarm: an alarm on a ${PROBE_METRIC_NAMESPACE} metric with a literal DBInstanceIdentifier dimension, `
      + 'which names the instance whose Promoted metric latches the fence');
  }
  return value;
}

/** Checks the VPCs' Regions and returns them. */
export function checkVpcs(construct: string, stack: Stack, vpcs: ec2.IVpc[]): Set<string> {
  if (vpcs.length === 0) {
    throw propError(construct, 'vpcs', '[]', 'at least one VPC in each of the two Regions');
  }
  const regions = new Set<string>();
  vpcs.forEach((vpc, i) => {
    const region = vpc.env.region;
    if (Token.isUnresolved(region)) {
      throw propError(construct, `vpcs[${i}]`, vpc.node.path, 'a VPC whose Region is known at synth time (a stack with env.region)');
    }
    if (region !== stack.region && Token.isUnresolved(vpc.vpcId)) {
      throw propError(construct, `vpcs[${i}]`, vpc.node.path,
        `a VPC with a literal ID: this VPC belongs to ${region}, and CloudFormation cannot reference another Region's stack; `
        + `pass ec2.Vpc.fromVpcAttributes(this, 'Vpc', { vpcId: 'vpc-…', region: '${region}', availabilityZones: [...] })`);
    }
    regions.add(region);
  });
  return regions;
}

