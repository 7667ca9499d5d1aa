import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { dnsTerms } from './budget-terms';
import { Latch, makeLatch } from './fence';
import { dependOnSameStackAlarms, FailoverNames, fencedHealthChecks, HealthCheckFactory, RecordHealthChecks, unfencedHealthChecks } from './health-checks';
import { failoverRecord } from './records';
import { Route53DbFailoverProps } from './types';
import { AlarmFacts, alarmFacts, FailoverAlarms, FailoverSettings, readAlarms, readSettings } from './validation';
import { failoverZone } from './zone';
import { BudgetTerm } from '../budget/budget';
import { where } from '../private/errors';

const CONSTRUCT = 'Route53DbFailover';

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
   * The health check of the PRIMARY writer record: the primary's not-writable alarm is OK (TCP: the primary answers),
   * and with a fence also the secondary is not writable and was never promoted (a calculated check).
   */
  public readonly writerPrimaryHealthCheck: route53.IHealthCheck;
  /**
   * The health check of the SECONDARY writer record: the secondary's not-writable alarm is OK (TCP: the secondary
   * also answers), and with a fence: or the secondary was promoted (an inverted calculated check).
   */
  public readonly writerSecondaryHealthCheck: route53.IHealthCheck;
  /** The health check of the PRIMARY reader record, when a reader record was made. */
  public readonly readerPrimaryHealthCheck?: route53.IHealthCheck;
  /** The health check of the SECONDARY reader record, when a reader record was made. */
  public readonly readerSecondaryHealthCheck?: route53.IHealthCheck;
  /**
   * This part's share of the Region failure RTO: the worst case from the promotion to clients resolving the writer
   * name to the other side. With a fence: the latch alarm's period (the runbook publishes the latch datapoint at the
   * promotion, and it turns both writer records), the health-check lag and the TTL. Without one: (TCP interval ×
   * threshold,) probe interval, alarm periods × evaluation periods, health-check lag, TTL. `FailoverRunbook.rtoBudget` and
   * `ResilienceObjectives` add these terms as they are.
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
    const settings = readSettings(construct, props);
    this.ttl = settings.ttl;
    const alarms = readAlarms(this, construct, props);
    this.fenceAlarm = props.secondary.writableAlarm;
    const { zone, zoneName } = failoverZone(this, construct, props, settings, alarms);
    this.zone = zone;
    this.writerDnsName = `${settings.writerName}.${zoneName}`;
    this.readerDnsName = settings.readerName === undefined ? undefined : `${settings.readerName}.${zoneName}`;
    const names: FailoverNames = { writerDnsName: this.writerDnsName, readerDnsName: this.readerDnsName, zoneName };

    const latch = alarms.fence === undefined ? undefined
      : makeLatch(this, alarms.latchDimension!, props.secondary.writableAlarm!, this.writerDnsName, this.readerDnsName);
    this.latchMetric = latch?.metric;
    this.latchAlarm = latch?.alarm;
    this.fenceLiftCommand = latch?.liftCommand;

    const factory = new HealthCheckFactory(this, settings);
    const latchFacts = latch === undefined ? undefined : alarmFacts(construct, 'latchAlarm', latch.alarm);
    const checks = this.makeHealthChecks(factory, props, settings, alarms, names, latch, latchFacts);
    this.writerPrimaryHealthCheck = factory.reference(checks.writerPrimary);
    this.writerSecondaryHealthCheck = factory.reference(checks.writerSecondary);
    this.readerPrimaryHealthCheck = checks.readerPrimary && factory.reference(checks.readerPrimary);
    this.readerSecondaryHealthCheck = checks.readerSecondary && factory.reference(checks.readerSecondary);
    this.makeRecords(props, settings, zoneName);
    dependOnSameStackAlarms(Stack.of(this), factory.all);
    this.dnsTerms = dnsTerms(settings, alarms.primaryWriter, alarms.secondaryWriter, latchFacts);
  }

  /** The health checks, CloudWatch-alarm based or TCP, and with a fence the latch and the calculated checks over it. */
  private makeHealthChecks(factory: HealthCheckFactory, props: Route53DbFailoverProps, settings: FailoverSettings,
    alarms: FailoverAlarms, names: FailoverNames, latch: Latch | undefined, latchFacts: AlarmFacts | undefined): RecordHealthChecks {
    const unfenced = unfencedHealthChecks(factory, props, settings, alarms, names);
    if (alarms.fence === undefined || latch === undefined || latchFacts === undefined) {
      return unfenced;
    }
    return fencedHealthChecks(factory, settings, unfenced, props.secondary, alarms.fence, { alarm: latch.alarm, facts: latchFacts }, names);
  }

  /** The writer records (and the reader records), PRIMARY on the primary's endpoint, SECONDARY on the secondary's. */
  private makeRecords(props: Route53DbFailoverProps, settings: FailoverSettings, zoneName: string): void {
    const record = (recordId: string, name: string, failover: route53.Failover, endpointAddress: string, healthCheck: route53.IHealthCheck) =>
      failoverRecord(this, recordId, { zone: this.zone, name, zoneName, failover, endpointAddress, healthCheck, ttl: this.ttl });
    record('WriterPrimary', settings.writerName, route53.Failover.PRIMARY, props.primary.endpointAddress, this.writerPrimaryHealthCheck);
    record('WriterSecondary', settings.writerName, route53.Failover.SECONDARY, props.secondary.endpointAddress, this.writerSecondaryHealthCheck);
    if (settings.readerName !== undefined) {
      record('ReaderPrimary', settings.readerName, route53.Failover.PRIMARY, props.primary.endpointAddress, this.readerPrimaryHealthCheck!);
      record('ReaderSecondary', settings.readerName, route53.Failover.SECONDARY, props.secondary.endpointAddress, this.readerSecondaryHealthCheck!);
    }
  }
}
