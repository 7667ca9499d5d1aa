import { Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { FailoverHealthCheckType, FailoverTarget, Route53DbFailoverProps } from './types';
import { AlarmFacts, FailoverAlarms, FailoverSettings } from './validation';

/** The health checks the four failover records name. */
export interface RecordHealthChecks {
  readonly writerPrimary: route53.CfnHealthCheck;
  readonly writerSecondary: route53.CfnHealthCheck;
  readonly readerPrimary?: route53.CfnHealthCheck;
  readonly readerSecondary?: route53.CfnHealthCheck;
}

/** The DNS names the health checks are tagged with. */
export interface FailoverNames {
  readonly writerDnsName: string;
  readonly readerDnsName?: string;
  readonly zoneName: string;
}

/** The fence's latch, as the health checks see it: its alarm, and that alarm's facts. */
export interface LatchForChecks {
  readonly alarm: cloudwatch.Alarm;
  readonly facts: AlarmFacts;
}

/**
 * Makes the construct's health checks, each under `<scope>/<Role>HealthCheck`, and remembers every one of them.
 *
 * They are `CfnHealthCheck` (L1), not `route53.HealthCheck` (L2): the L2 cannot write what these templates hold, for
 * every kind the construct makes (CLOUDWATCH_METRIC, TCP and CALCULATED alike). It always writes `Inverted: false`
 * where these checks leave `Inverted` out; on a TCP check it adds `MeasureLatency: false`; its `healthCheckId` is a
 * `Ref`, where the records and the calculated checks name their checks with `Fn::GetAtt [<check>, HealthCheckId]`;
 * and it has no property for the `Name` tag. Any of these would change deployed templates. The checks are published
 * as `route53.IHealthCheck` all the same (`reference`), whose `healthCheckId` is that same `Fn::GetAtt`.
 */
export class HealthCheckFactory {
  /** Every health check made, in order. */
  public readonly all: route53.CfnHealthCheck[] = [];
  private readonly references = new Map<route53.CfnHealthCheck, route53.IHealthCheck>();

  constructor(private readonly scope: Construct, private readonly settings: FailoverSettings) {}

  /**
   * A CLOUDWATCH_METRIC check on an alarm. By default no data counts as unhealthy: the probe could not run or publish.
   *
   * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html#health-checks-creating-values-cloudwatch
   */
  public alarm(checkId: string, facts: AlarmFacts, name: string,
    options: { insufficientData?: route53.InsufficientDataHealthStatusEnum; inverted?: boolean } = {}) {
    return this.add(checkId, {
      type: route53.HealthCheckType.CLOUDWATCH_METRIC,
      alarmIdentifier: { name: facts.name, region: facts.region },
      insufficientDataHealthStatus: options.insufficientData ?? route53.InsufficientDataHealthStatusEnum.UNHEALTHY,
      inverted: options.inverted ? true : undefined,
    }, name);
  }

  /** A TCP check from Route 53's health checkers, with the construct's interval and threshold. */
  public tcp(checkId: string, target: FailoverTarget, name: string, inverted = false) {
    return this.add(checkId, {
      type: route53.HealthCheckType.TCP,
      fullyQualifiedDomainName: target.endpointAddress,
      port: target.port ?? 5432,
      requestInterval: this.settings.tcpInterval.toSeconds(),
      failureThreshold: this.settings.tcpFailureThreshold,
      inverted: inverted ? true : undefined,
    }, name);
  }

  /**
   * A CALCULATED check: healthy while at least `healthThreshold` of its children are.
   *
   * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html#health-checks-creating-values-calculated
   */
  public calculated(checkId: string, children: route53.CfnHealthCheck[], healthThreshold: number, name: string, inverted = false) {
    return this.add(checkId, {
      type: route53.HealthCheckType.CALCULATED,
      childHealthChecks: children.map((c) => c.attrHealthCheckId),
      healthThreshold,
      inverted: inverted ? true : undefined,
    }, name);
  }

  /** The check as a `route53.IHealthCheck`, for the records and the construct's public properties (one per check). */
  public reference(check: route53.CfnHealthCheck): route53.IHealthCheck {
    let reference = this.references.get(check);
    if (reference === undefined) {
      reference = route53.HealthCheck.fromHealthCheckId(this.scope, `${check.node.id}Reference`, check.attrHealthCheckId);
      this.references.set(check, reference);
    }
    return reference;
  }

  private add(checkId: string, healthCheckConfig: route53.CfnHealthCheck.HealthCheckConfigProperty, name: string) {
    const check = new route53.CfnHealthCheck(this.scope, checkId, {
      healthCheckConfig,
      healthCheckTags: [{ key: 'Name', value: name }],
    });
    this.all.push(check);
    return check;
  }
}

/**
 * The checks without a fence: the writer records on the not-writable alarms (or TCP, with the secondary's writable
 * alarm through a calculated check), the reader records on the unreachable alarms (or the same TCP checks).
 */
export function unfencedHealthChecks(factory: HealthCheckFactory, props: Route53DbFailoverProps, settings: FailoverSettings,
  alarms: FailoverAlarms, names: FailoverNames): RecordHealthChecks {
  const writer = names.writerDnsName;
  if (settings.type === FailoverHealthCheckType.TCP) {
    const primaryTcp = factory.tcp('PrimaryTcpHealthCheck', props.primary, `${writer} primary answers TCP`);
    const secondaryTcp = factory.tcp('SecondaryTcpHealthCheck', props.secondary, `${writer} secondary answers TCP`);
    const secondaryWritable = factory.alarm('SecondaryWritableHealthCheck', alarms.secondaryWriter, `${writer} secondary is writable`);
    const writerSecondary = factory.calculated('SecondaryWriterHealthCheck', [secondaryTcp, secondaryWritable], 2,
      `${writer} secondary answers TCP and is writable`);
    const reader = settings.readerName !== undefined;
    return {
      writerPrimary: primaryTcp,
      writerSecondary,
      readerPrimary: reader ? primaryTcp : undefined,
      readerSecondary: reader ? secondaryTcp : undefined,
    };
  }
  const writerPrimary = factory.alarm('PrimaryWriterHealthCheck', alarms.primaryWriter, `${writer} primary is writable`);
  const writerSecondary = factory.alarm('SecondaryWriterHealthCheck', alarms.secondaryWriter, `${writer} secondary is writable`);
  if (settings.readerName === undefined) {
    return { writerPrimary, writerSecondary };
  }
  return {
    writerPrimary,
    writerSecondary,
    readerPrimary: factory.alarm('PrimaryReaderHealthCheck', alarms.primaryReader!, `${names.readerDnsName} primary answers`),
    readerSecondary: factory.alarm('SecondaryReaderHealthCheck', alarms.secondaryReader!, `${names.readerDnsName} secondary answers`),
  };
}

/**
 * The fence, as Route 53 evaluates it (a CLOUDWATCH_METRIC check follows the alarm's data stream, not its state; a
 * calculated check cannot watch another calculated check):
 *   latched             = one datapoint Promoted = 1, kept through any period without data (LastKnownStatus)
 *   primary records     = primary writable (answers) AND secondary not writable AND NOT latched
 *   secondary writer    = NOT (secondary not writable AND NOT latched), an inverted calculated check
 *   secondary reader    = secondary answers OR latched
 * so after a promotion neither name can fall back to the old primary, even while the promoted DB reboots (with both
 * failover records unhealthy Route 53 answers the primary). The secondary writer is written without an inverted alarm
 * check, whose status before its first datapoint the Route 53 guide does not pin down: every child there is healthy
 * until data says otherwise, so a new deployment starts with the secondary unhealthy.
 *
 * The unfenced secondary writer check keeps its logical ID, but no record uses it: the secondary writer record follows
 * the secondary's read-only check and the latch instead.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html#health-checks-creating-values-cloudwatch
 */
export function fencedHealthChecks(factory: HealthCheckFactory, settings: FailoverSettings, unfenced: RecordHealthChecks,
  secondary: FailoverTarget, fence: AlarmFacts, latch: LatchForChecks, names: FailoverNames): RecordHealthChecks {
  const { writerDnsName: writer, readerDnsName: reader, zoneName } = names;
  const secondaryReadOnly = factory.alarm('SecondaryReadOnlyHealthCheck', fence, `${writer} secondary is not writable (fence)`,
    { insufficientData: route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS });
  // A new health check with LastKnownStatus and no data yet is healthy: "not latched", the safe reading before any
  // promotion. The latched check is the same check inverted (used by the reader only, where either reading of its
  // first status is safe).
  const latchCheck = (checkId: string, inverted: boolean, what: string) => {
    const check = factory.alarm(checkId, latch.facts, `${zoneName} ${what}`,
      { insufficientData: route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS, inverted });
    check.node.addDependency(latch.alarm);
    return check;
  };
  const notLatched = latchCheck('FenceNotLatchedHealthCheck', false, 'secondary never promoted (fence open)');
  const latched = latchCheck('FenceLatchedHealthCheck', true, 'secondary promoted (fence latched)');

  const writerPrimary = factory.calculated('PrimaryWriterFencedHealthCheck', [unfenced.writerPrimary, secondaryReadOnly, notLatched], 3,
    `${writer} primary is writable, the secondary is not and was never promoted`);
  let writerSecondary: route53.CfnHealthCheck;
  if (settings.type === FailoverHealthCheckType.TCP) {
    // NOT ((secondary TCP down OR not writable) AND NOT latched): "not latched" counts twice, threshold 3.
    const secondaryTcpDown = factory.tcp('SecondaryTcpDownHealthCheck', secondary, `${writer} secondary does not answer TCP`, true);
    const notLatchedAgain = latchCheck('FenceNotLatchedAgainHealthCheck', false, 'secondary never promoted (fence open, second vote)');
    writerSecondary = factory.calculated('SecondaryWriterOrLatchedHealthCheck', [secondaryTcpDown, secondaryReadOnly, notLatched, notLatchedAgain], 3,
      `${writer} secondary answers TCP and is writable, or was promoted`, true);
  } else {
    writerSecondary = factory.calculated('SecondaryWriterOrLatchedHealthCheck', [secondaryReadOnly, notLatched], 2,
      `${writer} secondary is writable or was promoted`, true);
  }
  if (settings.readerName === undefined) {
    return { writerPrimary, writerSecondary };
  }
  return {
    writerPrimary,
    writerSecondary,
    readerPrimary: factory.calculated('PrimaryReaderFencedHealthCheck', [unfenced.readerPrimary!, secondaryReadOnly, notLatched], 3,
      `${reader} primary answers, the secondary is not writable and was never promoted`),
    readerSecondary: factory.calculated('SecondaryReaderOrLatchedHealthCheck', [unfenced.readerSecondary!, latched], 1,
      `${reader} secondary answers or was promoted`),
  };
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
export function dependOnSameStackAlarms(stack: Stack, checks: route53.CfnHealthCheck[]): void {
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
