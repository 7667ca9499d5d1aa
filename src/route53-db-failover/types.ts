import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';

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
   * The time Route 53 takes to reflect an alarm's change in a CLOUDWATCH_METRIC health check, and the calculated
   * checks over it, for the term `DNS: health-check lag` of `dnsTerms`. AWS publishes no figure (Route 53 watches the
   * alarm's data stream); 30 seconds is the standard endpoint health-check interval.
   *
   * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html#dns-failover-determining-health-of-endpoints-cloudwatch
   *
   * @default Duration.seconds(30)
   */
  readonly healthCheckLag?: Duration;
}
