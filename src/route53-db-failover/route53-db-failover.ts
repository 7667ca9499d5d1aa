import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { BudgetTerm } from '../budget/budget';
import { Warnings } from '../common/warnings';
import { literalAlarmNameOf } from '../private/alarms';
import { BUDGET_SOURCES, budgetTerm } from '../private/budget';
import { propError, where } from '../private/errors';
import { PROMOTED_METRIC_NAME } from '../private/metrics';
import { DNS_NAME } from '../private/validation';
import { checkZoneName, rdsEndpointRegion } from '../private/wiring';
import { PROBE_METRIC_NAMESPACE } from '../writable-probe/writable-probe';

const CONSTRUCT = 'Route53DbFailover';

/** Statistics a Route 53 health check accepts in the alarm it watches (extended statistics such as p99 are refused). */
const ROUTE53_STATISTICS = ['Average', 'Minimum', 'Maximum', 'Sum', 'SampleCount'];

/** How Route 53 decides that an endpoint is healthy. */
export enum FailoverHealthCheckType {
  /**
   * CLOUDWATCH_METRIC health checks on the targets' alarms (a `WritableProbe`'s). The only kind that works for
   * private endpoints: Route 53's health checkers run on the internet and cannot reach private IP addresses.
   */
  CLOUDWATCH_ALARM = 'CLOUDWATCH_ALARM',
  /**
   * TCP health checks from Route 53's health checkers, for endpoints that really are public. The secondary writer
   * record still requires the secondary's not-writable alarm to be OK, through a calculated health check: a TCP
   * connection says nothing about whether the database takes writes.
   */
  TCP = 'TCP',
}

/** One side of the failover pair: a DB instance and the alarms that say whether it is writable and reachable. */
export interface FailoverTarget {
  /**
   * The DB instance's endpoint address. A token of this stack, or a literal string when the instance is in another
   * Region's stack (CloudFormation cannot reference across Regions).
   */
  readonly endpointAddress: string;

  /**
   * An alarm, in the instance's Region, that is in ALARM whenever the instance is not a writable primary: a
   * `WritableProbe`'s `notWritableAlarm`. It must have a literal name, a period of at least 60 seconds and a plain
   * statistic, as Route 53 requires.
   */
  readonly notWritableAlarm: cloudwatch.IAlarm;

  /**
   * An alarm that is in ALARM whenever the instance does not answer: a `WritableProbe`'s `unreachableAlarm`.
   * Required for the reader record.
   *
   * @default - none; then no reader record can be made
   */
  readonly unreachableAlarm?: cloudwatch.IAlarm;

  /**
   * On the secondary: the DR `WritableProbe`'s `writableAlarm`. It turns the fence on: once the secondary has been
   * seen writable (promoted), neither the writer nor the reader name answers the primary again, whatever the probes
   * report later and for however long, until an operator lifts the fence (`Route53DbFailover.fenceLiftCommand`).
   *
   * The fence latches on the probe's `Promoted` metric (namespace `CdkResilientPostgres`, dimension
   * `DBInstanceIdentifier` read from this alarm), which the DR probe publishes as 1 whenever it finds the secondary
   * writable (and promotion automation may publish at once, `Route53DbFailover.latchMetric`). The construct creates the latch alarm itself, so with
   * a fence it must be in a stack of the secondary's Region; the latch alarm notifies where this alarm does (ALARM
   * actions, on ALARM and OK) when both are in one stack. Ignored on the primary.
   *
   * @default - no fence: the primary records are answered whenever the primary is writable (or answers)
   */
  readonly writableAlarm?: cloudwatch.IAlarm;

  /**
   * Whether the endpoint is reachable from the internet, which TCP health checks need.
   *
   * @default false
   */
  readonly publiclyAccessible?: boolean;

  /**
   * The port TCP health checks connect to.
   *
   * @default 5432
   */
  readonly port?: number;
}

/** Properties of a `Route53DbFailover`. */
export interface Route53DbFailoverProps {
  /**
   * A private hosted zone to put the records in. When given, `vpcs` must list the VPCs it is associated with: they
   * are checked, not associated.
   *
   * @default - a new private hosted zone named `zoneName`, associated with `vpcs`
   */
  readonly zone?: route53.IPrivateHostedZone;

  /**
   * The name of the private hosted zone to create, e.g. `orders.internal`.
   *
   * @default - required when `zone` is not given
   */
  readonly zoneName?: string;

  /**
   * The VPCs that resolve the names: at least one in the primary's Region and one in the secondary's. A VPC of
   * another Region's stack is passed with `ec2.Vpc.fromVpcAttributes({ vpcId: 'vpc-…', region, availabilityZones })`.
   */
  readonly vpcs: ec2.IVpc[];

  /** The primary side: answered while it is writable, and whenever the secondary is not writable. */
  readonly primary: FailoverTarget;

  /** The secondary side: answered only when the primary is unhealthy and the secondary is writable (promoted). */
  readonly secondary: FailoverTarget;

  /**
   * The writer name, relative to the zone.
   *
   * @default 'writer'
   */
  readonly writerRecordName?: string;

  /**
   * A reader name, relative to the zone: the primary while it answers, else the secondary (writable or not). Needs
   * `unreachableAlarm` on both targets.
   *
   * @default - no reader record
   */
  readonly readerRecordName?: string;

  /**
   * TTL of the records: 60 seconds or less. This is the library's policy, not an AWS limit: Route 53 recommends a TTL of
   * 60 seconds or less for records with health checks, and resolvers keep a failed-over answer for the TTL. There is no
   * opt-out.
   *
   * @default Duration.seconds(30)
   * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-failover.html
   */
  readonly ttl?: Duration;

  /**
   * How Route 53 checks the targets.
   *
   * @default FailoverHealthCheckType.CLOUDWATCH_ALARM
   */
  readonly healthCheckType?: FailoverHealthCheckType;

  /**
   * TCP checks only: seconds between checks from each checker, 10 or 30.
   *
   * @default Duration.seconds(10)
   */
  readonly tcpRequestInterval?: Duration;

  /**
   * TCP checks only: consecutive failed checks before an endpoint is unhealthy, 1 to 10.
   *
   * @default 3
   */
  readonly tcpFailureThreshold?: number;

  /**
   * The time Route 53 takes to reflect an alarm's change in a CLOUDWATCH_METRIC health check, for the term
   * `DNS: health-check lag` of `dnsTerms`. AWS publishes no figure (Route 53 watches the alarm's data stream); 30
   * seconds is the standard endpoint health-check interval.
   *
   * @default Duration.seconds(30)
   */
  readonly healthCheckLag?: Duration;
}

/** What the construct reads from an alarm to build and check a health check on it. */
interface AlarmFacts {
  readonly name: string;
  readonly region: string;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
}

/**
 * DNS failover for a PostgreSQL primary and its cross-Region replica, in a private hosted zone that VPCs in both
 * Regions resolve: a writer name (and optionally a reader name) as failover CNAME records with a short TTL.
 *
 * It holds the first failover invariant: writes are never routed to a read-only endpoint.
 * - The PRIMARY writer record is healthy while the primary's not-writable alarm is OK.
 * - The SECONDARY writer record is healthy only while the secondary's not-writable alarm is OK, that is once the
 *   secondary has been promoted. Missing data counts as unhealthy.
 * - While both are unhealthy, Route 53 answers with the primary record (a secondary that is not healthy is never
 *   answered), so the name never points at a replica that still replays WAL.
 *
 * With `secondary.writableAlarm` it also holds the third, the fence: once the secondary has been seen writable (a
 * `Promoted` datapoint of 1), both names answer only the secondary until an operator lifts the fence
 * (`fenceLiftCommand`), whatever the probes report in between.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html#health-checks-creating-values-calculated
 *
 * Health checks are CloudWatch-alarm based by default, because Route 53's checkers cannot reach private endpoints;
 * the alarms come from a `WritableProbe` in each Region. Nothing here calls the Route 53 API at failover time: DNS
 * moves through health checks, which are Route 53's data plane.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html (Failover)
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
 */
export class Route53DbFailover extends Construct {
  /** The private hosted zone. */
  public readonly zone: route53.IPrivateHostedZone;
  /** The name writers connect to, e.g. `writer.orders.internal`. */
  public readonly writerDnsName: string;
  /** The name readers connect to, when a reader record was made. */
  public readonly readerDnsName?: string;
  /** The records' TTL. */
  public readonly ttl: Duration;
  /**
   * The health checks, by role: `primaryWriter`, `secondaryWriter`, `primaryReader`, `secondaryReader`, and with a
   * fence `secondaryReadOnly`, `fenceNotLatched`, `fenceLatched`, and the ones the records use: `primaryWriterFenced`,
   * `secondaryWriterOrLatched`, `primaryReaderFenced`, `secondaryReaderOrLatched`.
   */
  public readonly healthChecks: Record<string, route53.CfnHealthCheck>;
  /**
   * This part's share of the Region failure RTO: the worst case from the primary failing to clients resolving the
   * writer name to the other side (probe interval, alarm periods × evaluation periods, health-check lag or interval ×
   * threshold, TTL). `FailoverRunbook.rtoBudget` and `ResilienceObjectives` add these terms as they are.
   */
  public readonly dnsTerms: BudgetTerm[];
  /**
   * The secondary's `writableAlarm`, when one was given: in ALARM while the secondary is writable.
   */
  public readonly fenceAlarm?: cloudwatch.IAlarm;
  /**
   * The fence's latch metric: `Promoted` in the probe namespace, dimension `DBInstanceIdentifier` of the secondary,
   * standard resolution, `Maximum` over one minute. Promotion automation (the failover runbook) publishes
   * 1 when the secondary is promoted; publish 0 only to lift the fence.
   */
  public readonly latchMetric?: cloudwatch.Metric;
  /** The alarm on `latchMetric`: ALARM from the first datapoint of 1, and missing data stays missing. */
  public readonly latchAlarm?: cloudwatch.Alarm;
  /**
   * The AWS CLI command that lifts the fence, once the secondary is no longer a writable primary (deleted, or rebuilt
   * as a replica): it publishes the 0 that turns the latch off. While the secondary is writable its probe publishes
   * 1 again within a minute, so the fence cannot be lifted under a writable secondary.
   */
  public readonly fenceLiftCommand?: string;

  constructor(scope: Construct, id: string, props: Route53DbFailoverProps) {
    super(scope, id);
    const construct = where(this, CONSTRUCT);
    const stack = Stack.of(this);

    // --- Settings ----------------------------------------------------------------------------------------------------
    this.ttl = props.ttl ?? Duration.seconds(30);
    const ttlSeconds = this.ttl.toSeconds({ integral: false });
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 60) {
      throw propError(construct, 'ttl', this.ttl.toHumanString(),
        'a whole number of seconds from 1 to 60: the library\'s policy, as resolvers keep a failed-over answer for the TTL and '
        + 'Route 53 recommends 60 seconds or less with health checks (a recommendation, not an AWS limit); there is no opt-out');
    }
    const type = props.healthCheckType ?? FailoverHealthCheckType.CLOUDWATCH_ALARM;
    const writerName = recordName(construct, 'writerRecordName', props.writerRecordName ?? 'writer');
    const readerName = props.readerRecordName === undefined ? undefined : recordName(construct, 'readerRecordName', props.readerRecordName);
    if (readerName === writerName) {
      throw propError(construct, 'readerRecordName', readerName, 'a name other than the writer record name');
    }
    for (const [side, target] of [['primary', props.primary], ['secondary', props.secondary]] as const) {
      checkEndpoint(construct, `${side}.endpointAddress`, target.endpointAddress);
    }
    if (!Token.isUnresolved(props.primary.endpointAddress) && !Token.isUnresolved(props.secondary.endpointAddress)
      && props.primary.endpointAddress.toLowerCase() === props.secondary.endpointAddress.toLowerCase()) {
      throw propError(construct, 'primary.endpointAddress', props.primary.endpointAddress,
        'another endpoint than secondary.endpointAddress: with both records on one database, a failover moves the name nowhere');
    }
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

    // --- Alarms: Route 53's rules, checked at synth --------------------------------------------------------------------
    const primaryWriter = alarmFacts(construct, 'primary.notWritableAlarm', props.primary.notWritableAlarm);
    const secondaryWriter = alarmFacts(construct, 'secondary.notWritableAlarm', props.secondary.notWritableAlarm);
    if (primaryWriter.region === secondaryWriter.region) {
      throw propError(construct, 'secondary.notWritableAlarm', secondaryWriter.name,
        `an alarm in another Region than the primary's (${primaryWriter.region}): both sides in one Region do not survive a Region loss`);
    }
    // The primary record must point into the primary's Region: an RDS endpoint names its Region.
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ConnectToInstance.html
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
    const primaryReader = props.primary.unreachableAlarm ? alarmFacts(construct, 'primary.unreachableAlarm', props.primary.unreachableAlarm) : undefined;
    const secondaryReader = props.secondary.unreachableAlarm ? alarmFacts(construct, 'secondary.unreachableAlarm', props.secondary.unreachableAlarm) : undefined;
    const fence = props.secondary.writableAlarm ? alarmFacts(construct, 'secondary.writableAlarm', props.secondary.writableAlarm) : undefined;
    if (fence !== undefined && fence.region !== secondaryWriter.region) {
      throw propError(construct, 'secondary.writableAlarm', fence.name,
        `an alarm in the secondary's Region (${secondaryWriter.region}), on the secondary's writable signal`);
    }
    this.fenceAlarm = props.secondary.writableAlarm;
    const latchDimension = fence === undefined ? undefined : probeInstanceOf(construct, 'secondary.writableAlarm', props.secondary.writableAlarm!);
    if (fence !== undefined && stack.region !== fence.region) {
      throw propError(construct, 'secondary.writableAlarm', fence.name,
        `an alarm in this construct's Region (${Token.isUnresolved(stack.region) ? 'unknown: give the stack env.region' : stack.region}): `
        + `the fence's latch alarm is created here and must watch the secondary's metrics in ${fence.region}; put Route53DbFailover `
        + 'in a stack of the secondary\'s Region');
    }
    if (fence === undefined) {
      Annotations.of(this).addWarningV2(Warnings.PRIMARY_NOT_FENCED,
        'secondary.writableAlarm is not set, so nothing fences the old primary: after a promotion it is answered again as '
        + 'soon as it is writable, and two primaries can take writes. Pass the DR WritableProbe\'s writableAlarm, or '
        + `acknowledge: Annotations.of(failover).acknowledgeWarning('${Warnings.PRIMARY_NOT_FENCED}', '<reason>').`);
    }

    // --- Zone, resolvable in both Regions ------------------------------------------------------------------------------
    const vpcRegions = checkVpcs(construct, stack, props.vpcs);
    for (const region of [primaryWriter.region, secondaryWriter.region]) {
      if (!vpcRegions.has(region)) {
        throw propError(construct, 'vpcs', `VPCs in ${[...vpcRegions].join(', ')}`,
          `VPCs in both Regions, ${primaryWriter.region} and ${secondaryWriter.region}: none is in ${region}, so clients there could not resolve the names after a failover`);
      }
    }
    let zoneName: string;
    if (props.zone) {
      if (props.zoneName !== undefined) {
        throw propError(construct, 'zoneName', props.zoneName, 'unset when zone is given');
      }
      this.zone = props.zone;
      try {
        zoneName = props.zone.zoneName;
      } catch {
        throw propError(construct, 'zone', props.zone.node.path,
          'a zone whose name is known: import it with PrivateHostedZone.fromPrivateHostedZoneAttributes');
      }
      checkZoneName(construct, 'zone', zoneName);
    } else {
      if (props.zoneName === undefined || !DNS_NAME.test(props.zoneName)) {
        throw propError(construct, 'zoneName', props.zoneName, 'a lower-case domain name such as orders.internal (required when zone is not given)');
      }
      zoneName = props.zoneName;
      checkZoneName(construct, 'zoneName', zoneName);
      const zone = new route53.PrivateHostedZone(this, 'Zone', {
        zoneName,
        vpc: props.vpcs[0],
        comment: `Failover names of the PostgreSQL database (cdk-resilient-postgres): ${writerName}${readerName ? `, ${readerName}` : ''}`,
      });
      for (const vpc of props.vpcs.slice(1)) {
        zone.addVpc(vpc);
      }
      this.zone = zone;
    }
    for (const [prop, name] of [['writerRecordName', writerName], ['readerRecordName', readerName]] as const) {
      if (name !== undefined && (name === zoneName || name.endsWith(`.${zoneName}`))) {
        throw propError(construct, prop, name, `a name relative to the zone, without the zone name: it becomes ${name}.${zoneName}`);
      }
    }
    this.writerDnsName = `${writerName}.${zoneName}`;
    this.readerDnsName = readerName === undefined ? undefined : `${readerName}.${zoneName}`;

    // --- Health checks -------------------------------------------------------------------------------------------------
    this.healthChecks = {};
    const alarmCheck = (key: string, facts: AlarmFacts, what: string, dnsName: string = this.writerDnsName) =>
      this.healthChecks[key] = new route53.CfnHealthCheck(this, `${capitalize(key)}HealthCheck`, {
        healthCheckConfig: {
          type: 'CLOUDWATCH_METRIC',
          alarmIdentifier: { name: facts.name, region: facts.region },
          // No data means the probe could not run or publish: never count that as healthy.
          insufficientDataHealthStatus: 'Unhealthy',
        },
        healthCheckTags: [{ key: 'Name', value: `${dnsName} ${what}` }],
      });
    const tcpCheck = (key: string, target: FailoverTarget, what: string, dnsName: string = this.writerDnsName) =>
      this.healthChecks[key] = new route53.CfnHealthCheck(this, `${capitalize(key)}HealthCheck`, {
        healthCheckConfig: {
          type: 'TCP',
          fullyQualifiedDomainName: target.endpointAddress,
          port: target.port ?? 5432,
          requestInterval: tcpInterval.toSeconds(),
          failureThreshold: tcpFailureThreshold,
        },
        healthCheckTags: [{ key: 'Name', value: `${dnsName} ${what}` }],
      });

    const calculated = (checkId: string, children: route53.CfnHealthCheck[], healthThreshold: number, name: string, inverted = false) =>
      new route53.CfnHealthCheck(this, checkId, {
        healthCheckConfig: {
          type: 'CALCULATED',
          childHealthChecks: children.map((c) => c.attrHealthCheckId),
          healthThreshold,
          inverted: inverted ? true : undefined,
        },
        healthCheckTags: [{ key: 'Name', value: name }],
      });

    let primaryWriterCheck: route53.CfnHealthCheck;
    let secondaryWriterCheck: route53.CfnHealthCheck;
    let secondaryTcp: route53.CfnHealthCheck | undefined;
    let secondaryWritable: route53.CfnHealthCheck | undefined;
    if (type === FailoverHealthCheckType.TCP) {
      primaryWriterCheck = tcpCheck('primaryTcp', props.primary, 'primary answers TCP');
      secondaryTcp = tcpCheck('secondaryTcp', props.secondary, 'secondary answers TCP');
      secondaryWritable = alarmCheck('secondaryWritable', secondaryWriter, 'secondary is writable');
      secondaryWriterCheck = this.healthChecks.secondaryWriter = calculated('SecondaryWriterHealthCheck',
        [secondaryTcp, secondaryWritable], 2, `${this.writerDnsName} secondary answers TCP and is writable`);
    } else {
      primaryWriterCheck = alarmCheck('primaryWriter', primaryWriter, 'primary is writable');
      secondaryWriterCheck = alarmCheck('secondaryWriter', secondaryWriter, 'secondary is writable');
    }
    let primaryReaderCheck: route53.CfnHealthCheck | undefined;
    let secondaryReaderCheck: route53.CfnHealthCheck | undefined;
    if (readerName !== undefined) {
      primaryReaderCheck = type === FailoverHealthCheckType.TCP
        ? this.healthChecks.primaryTcp
        : alarmCheck('primaryReader', primaryReader!, 'primary answers', this.readerDnsName);
      secondaryReaderCheck = type === FailoverHealthCheckType.TCP
        ? this.healthChecks.secondaryTcp
        : alarmCheck('secondaryReader', secondaryReader!, 'secondary answers', this.readerDnsName);
    }

    if (fence !== undefined) {
      // The fence, as Route 53 evaluates it (a CLOUDWATCH_METRIC check follows the alarm's data stream, not its
      // state; a calculated check cannot watch another calculated check):
      //   latched             = one datapoint Promoted = 1, kept through any period without data (LastKnownStatus)
      //   primary records     = primary writable (answers) AND secondary not writable AND NOT latched
      //   secondary writer    = NOT (secondary not writable AND NOT latched), an inverted calculated check
      //   secondary reader    = secondary answers OR latched
      // so after a promotion neither name can fall back to the old primary, even while the promoted DB reboots (with
      // both failover records unhealthy Route 53 answers the primary). The secondary writer is written without an
      // inverted alarm check, whose status before its first datapoint the Route 53 guide does not pin down: every
      // child there is healthy until data says otherwise, so a new deployment starts with the secondary unhealthy.
      const secondaryReadOnly = this.healthChecks.secondaryReadOnly = new route53.CfnHealthCheck(this, 'SecondaryReadOnlyHealthCheck', {
        healthCheckConfig: {
          type: 'CLOUDWATCH_METRIC',
          alarmIdentifier: { name: fence.name, region: fence.region },
          insufficientDataHealthStatus: 'LastKnownStatus',
        },
        healthCheckTags: [{ key: 'Name', value: `${this.writerDnsName} secondary is not writable (fence)` }],
      });
      const latch = this.makeLatch(latchDimension!);
      this.latchMetric = latch.metric;
      this.latchAlarm = latch.alarm;
      this.fenceLiftCommand = latch.liftCommand;
      // The latch turning on (a promotion) and off (the fence lifted) go where the writable alarm announces.
      const writableCfn = props.secondary.writableAlarm!.node.defaultChild as cloudwatch.CfnAlarm;
      if (Stack.of(props.secondary.writableAlarm!) === stack) {
        const latchCfn = latch.alarm.node.defaultChild as cloudwatch.CfnAlarm;
        latchCfn.alarmActions = writableCfn.alarmActions;
        latchCfn.okActions = writableCfn.alarmActions;
      }
      const latchFacts = alarmFacts(construct, 'latchAlarm', latch.alarm);
      // A new health check with LastKnownStatus and no data yet is healthy: "not latched", the safe reading before
      // any promotion. The latched check is the same check inverted (used by the reader only, where either reading
      // of its first status is safe). https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html#health-checks-creating-values-cloudwatch
      const latchCheck = (key: string, checkId: string, inverted: boolean, what: string) => {
        const check = this.healthChecks[key] = new route53.CfnHealthCheck(this, checkId, {
          healthCheckConfig: {
            type: 'CLOUDWATCH_METRIC',
            alarmIdentifier: { name: latchFacts.name, region: latchFacts.region },
            insufficientDataHealthStatus: 'LastKnownStatus',
            inverted: inverted ? true : undefined,
          },
          healthCheckTags: [{ key: 'Name', value: `${zoneName} ${what}` }],
        });
        check.node.addDependency(latch.alarm);
        return check;
      };
      const notLatched = latchCheck('fenceNotLatched', 'FenceNotLatchedHealthCheck', false, 'secondary never promoted (fence open)');
      const latched = latchCheck('fenceLatched', 'FenceLatchedHealthCheck', true, 'secondary promoted (fence latched)');
      // secondaryWriter keeps its logical ID, but with a fence no record uses it: the secondary writer record
      // follows secondaryReadOnly and the latch instead.

      primaryWriterCheck = this.healthChecks.primaryWriterFenced = calculated('PrimaryWriterFencedHealthCheck',
        [primaryWriterCheck, secondaryReadOnly, notLatched], 3,
        `${this.writerDnsName} primary is writable, the secondary is not and was never promoted`);
      if (type === FailoverHealthCheckType.TCP) {
        // NOT ((secondary TCP down OR not writable) AND NOT latched): "not latched" counts twice, threshold 3.
        const secondaryTcpDown = this.healthChecks.secondaryTcpDown = new route53.CfnHealthCheck(this, 'SecondaryTcpDownHealthCheck', {
          healthCheckConfig: { ...secondaryTcp!.healthCheckConfig as route53.CfnHealthCheck.HealthCheckConfigProperty, inverted: true },
          healthCheckTags: [{ key: 'Name', value: `${this.writerDnsName} secondary does not answer TCP` }],
        });
        const notLatchedAgain = latchCheck('fenceNotLatchedAgain', 'FenceNotLatchedAgainHealthCheck', false, 'secondary never promoted (fence open, second vote)');
        secondaryWriterCheck = this.healthChecks.secondaryWriterOrLatched = calculated('SecondaryWriterOrLatchedHealthCheck',
          [secondaryTcpDown, secondaryReadOnly, notLatched, notLatchedAgain], 3,
          `${this.writerDnsName} secondary answers TCP and is writable, or was promoted`, true);
      } else {
        secondaryWriterCheck = this.healthChecks.secondaryWriterOrLatched = calculated('SecondaryWriterOrLatchedHealthCheck',
          [secondaryReadOnly, notLatched], 2, `${this.writerDnsName} secondary is writable or was promoted`, true);
      }
      if (readerName !== undefined) {
        primaryReaderCheck = this.healthChecks.primaryReaderFenced = calculated('PrimaryReaderFencedHealthCheck',
          [primaryReaderCheck!, secondaryReadOnly, notLatched], 3,
          `${this.readerDnsName} primary answers, the secondary is not writable and was never promoted`);
        secondaryReaderCheck = this.healthChecks.secondaryReaderOrLatched = calculated('SecondaryReaderOrLatchedHealthCheck',
          [secondaryReaderCheck!, latched], 1, `${this.readerDnsName} secondary answers or was promoted`);
      }
    }

    // --- Records -------------------------------------------------------------------------------------------------------
    const record = (recordId: string, name: string, failover: 'PRIMARY' | 'SECONDARY', target: FailoverTarget, check: route53.CfnHealthCheck) =>
      new route53.CfnRecordSet(this, recordId, {
        hostedZoneId: this.zone.hostedZoneId,
        name: `${name}.${zoneName}.`,
        type: 'CNAME',
        ttl: String(ttlSeconds),
        resourceRecords: [target.endpointAddress],
        failover,
        setIdentifier: `${name}-${failover.toLowerCase()}`,
        healthCheckId: check.attrHealthCheckId,
      });
    record('WriterPrimary', writerName, 'PRIMARY', props.primary, primaryWriterCheck);
    record('WriterSecondary', writerName, 'SECONDARY', props.secondary, secondaryWriterCheck);
    if (readerName !== undefined) {
      record('ReaderPrimary', readerName, 'PRIMARY', props.primary, primaryReaderCheck!);
      record('ReaderSecondary', readerName, 'SECONDARY', props.secondary, secondaryReaderCheck!);
    }

    // --- Health checks wait for the alarms of this stack ----------------------------------------------------------------
    dependOnSameStackAlarms(stack, Object.values(this.healthChecks));

    // --- This part's share of the RTO budget ----------------------------------------------------------------------------
    if (type === FailoverHealthCheckType.TCP) {
      this.dnsTerms = [
        budgetTerm('DNS: health-check interval × threshold', tcpInterval.toSeconds() * tcpFailureThreshold,
          `TCP request interval ${tcpInterval.toSeconds()} s × failure threshold ${tcpFailureThreshold}`,
          'Route53DbFailover tcpRequestInterval, tcpFailureThreshold', BUDGET_SOURCES.healthCheck, false),
      ];
    } else {
      this.dnsTerms = [
        budgetTerm('DNS: probe interval', primaryWriter.periodSeconds, 'the writable probe runs once a period',
          'WritableProbe (one run a minute)', BUDGET_SOURCES.alarmEvaluation, false),
        budgetTerm('DNS: alarm periods × evaluation periods', primaryWriter.periodSeconds * primaryWriter.evaluationPeriods,
          `alarm period ${primaryWriter.periodSeconds} s × ${primaryWriter.evaluationPeriods} evaluation periods: the not-writable `
          + 'alarm changes state after its evaluation periods', 'WritableProbe evaluationPeriods', BUDGET_SOURCES.alarmEvaluation, false),
        budgetTerm('DNS: health-check lag', lagSeconds, 'Route 53 reads the alarm state behind CloudWatch',
          'Route53DbFailover healthCheckLag', BUDGET_SOURCES.healthCheck, true),
      ];
    }
    this.dnsTerms.push(budgetTerm('DNS: TTL', ttlSeconds, 'resolvers keep the old answer at most the record TTL', 'Route53DbFailover ttl',
      BUDGET_SOURCES.ttl, false));
  }

  /**
   * The latch: the `Promoted` metric of the secondary and an alarm on it, in this stack (the secondary's Region).
   * `Maximum` ≥ 1 over one minute, one datapoint to alarm, and missing data left missing, so that a minute without
   * data is insufficient data (the health checks then keep their last known status), never a return to OK.
   *
   * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html#dns-failover-determining-health-of-endpoints-cloudwatch
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
   */
  private makeLatch(instanceIdentifier: string): { metric: cloudwatch.Metric; alarm: cloudwatch.Alarm; liftCommand: string } {
    const region = Stack.of(this).region;
    const metric = new cloudwatch.Metric({
      namespace: PROBE_METRIC_NAMESPACE,
      metricName: PROMOTED_METRIC_NAME,
      dimensionsMap: { DBInstanceIdentifier: instanceIdentifier },
      period: Duration.minutes(1),
      statistic: cloudwatch.Stats.MAXIMUM,
    });
    const alarm = new cloudwatch.Alarm(this, 'FenceLatchAlarm', {
      alarmName: `${instanceIdentifier}-promoted`,
      alarmDescription: `[INFO] ${instanceIdentifier} has been promoted: the old primary is fenced out of ${this.writerDnsName}`
        + `${this.readerDnsName ? ` and ${this.readerDnsName}` : ''} (Route53DbFailover). Expected OK or INSUFFICIENT_DATA before `
        + 'a promotion. Only an operator lifts the fence, by publishing Promoted=0 once this instance is no longer a writable primary.',
      metric,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
    const liftCommand = 'aws cloudwatch put-metric-data'
      + ` --region ${region} --namespace ${PROBE_METRIC_NAMESPACE} --metric-name ${PROMOTED_METRIC_NAME}`
      + ` --dimensions DBInstanceIdentifier=${instanceIdentifier} --value 0 --unit Count --storage-resolution 60`;
    return { metric, alarm, liftCommand };
  }
}

/** Checks a record name relative to the zone: DNS labels, lower case. */
function recordName(construct: string, prop: string, name: string): string {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(name)) {
    throw propError(construct, prop, name, 'a record name relative to the zone: lower-case DNS labels such as writer');
  }
  return name;
}

/** A literal endpoint must be a host name: no scheme, no port. */
function checkEndpoint(construct: string, prop: string, address: string): void {
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
function alarmFacts(construct: string, prop: string, alarm: cloudwatch.IAlarm): AlarmFacts {
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
 * Makes each CLOUDWATCH_METRIC health check depend on its alarm when the alarm is a resource of the same stack.
 * Route 53 reads the alarm's settings from CloudWatch when it creates the health check, so the alarm must exist first;
 * the health check names it by literal name and Region, which gives CloudFormation no order of its own. An alarm of
 * another stack is ordered by a stack dependency (that stack is deployed first).
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-updating-cloudwatch-alarm-settings.html
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_AlarmIdentifier.html
 */
function dependOnSameStackAlarms(stack: Stack, checks: route53.CfnHealthCheck[]): void {
  const alarms = new Map<string, cloudwatch.CfnAlarm>();
  for (const c of stack.node.findAll()) {
    if (c instanceof cloudwatch.CfnAlarm && Stack.of(c) === stack && typeof c.alarmName === 'string' && !Token.isUnresolved(c.alarmName)) {
      alarms.set(c.alarmName, c);
    }
  }
  for (const check of checks) {
    const config = stack.resolve(check.healthCheckConfig) as route53.CfnHealthCheck.HealthCheckConfigProperty;
    const id = config.alarmIdentifier as route53.CfnHealthCheck.AlarmIdentifierProperty | undefined;
    const alarm = id !== undefined && id.region === stack.region ? alarms.get(id.name) : undefined;
    if (alarm !== undefined) {
      check.node.addDependency(alarm);
    }
  }
}

/**
 * The `DBInstanceIdentifier` a `WritableProbe` alarm watches: the fence's latch metric carries the same dimension.
 */
function probeInstanceOf(construct: string, prop: string, alarm: cloudwatch.IAlarm): string {
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
function checkVpcs(construct: string, stack: Stack, vpcs: ec2.IVpc[]): Set<string> {
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

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
