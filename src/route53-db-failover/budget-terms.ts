import { FailoverHealthCheckType } from './types';
import { AlarmFacts, FailoverSettings } from './validation';
import { BudgetTerm } from '../budget/budget';
import { BUDGET_SOURCES, budgetTerm } from '../private/budget';

/**
 * The construct's share of the Region failure RTO: the worst case from the promotion to clients resolving the writer
 * name to the other side. Route 53 follows an alarm's data stream, not its state, and accepts standard-resolution
 * alarms only, so an alarm check moves a whole 60 s period at least after its datapoint.
 *
 * With a fence, both writer records turn on the latch alone: one datapoint `Promoted` = 1 puts the latch alarm in
 * ALARM, which makes the primary's (calculated) check unhealthy and the secondary's (inverted calculated) check
 * healthy, whatever the primary's own alarm or TCP check says. `FailoverRunbook` publishes that datapoint, with the
 * writable signal, the moment it sees the promotion complete. The terms are the latch alarm's period × evaluation
 * periods, the health-check lag and the TTL; the primary's probe and its not-writable alarm run from the failure, in
 * parallel with detection, and are not on this path. A promotion outside the runbook waits for the DR probe's next
 * run (one minute more), which these terms do not count.
 *
 * Without a fence the secondary's writer record turns healthy once its not-writable alarm sees enough writable
 * minutes: the minute of the promotion may hold the probe's 0 (the alarm reads the Minimum), then the evaluation
 * periods. The primary's record turns unhealthy through its own alarm from the failure, which the same figure bounds
 * (the larger evaluation periods of the two alarms count). TCP checks add the request interval × failure threshold.
 * Then the TTL.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html#dns-failover-determining-health-of-endpoints-cloudwatch
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_AlarmIdentifier.html
 */
export function dnsTerms(settings: FailoverSettings, primaryWriter: AlarmFacts, secondaryWriter: AlarmFacts, latch?: AlarmFacts): BudgetTerm[] {
  let terms: BudgetTerm[];
  if (latch !== undefined) {
    terms = latchTerms(settings, latch);
  } else if (settings.type === FailoverHealthCheckType.TCP) {
    terms = [...tcpTerms(settings), ...alarmTerms(settings, secondaryWriter, secondaryWriter)];
  } else {
    terms = alarmTerms(settings, primaryWriter, secondaryWriter);
  }
  terms.push(budgetTerm('DNS: TTL', settings.ttlSeconds, 'resolvers keep the old answer at most the record TTL', 'Route53DbFailover ttl',
    BUDGET_SOURCES.ttl, false));
  return terms;
}

function latchTerms(settings: FailoverSettings, latch: AlarmFacts): BudgetTerm[] {
  return [
    budgetTerm('DNS: latch alarm', latch.periodSeconds * latch.evaluationPeriods,
      `latch alarm period ${latch.periodSeconds} s × ${latch.evaluationPeriods} evaluation period: the runbook publishes `
      + 'Promoted = 1 the moment it sees the promotion complete, and that one datapoint turns both writer records; Route 53 '
      + 'health checks accept standard-resolution alarms only, so one period is no shorter than 60 s',
      'Route53DbFailover fence (secondary.writableAlarm)', BUDGET_SOURCES.alarmHealthCheck, false),
    lagTerm(settings, 'Route 53 follows the latch alarm\'s data stream behind CloudWatch, then the calculated checks over it'),
  ];
}

function tcpTerms(settings: FailoverSettings): BudgetTerm[] {
  const interval = settings.tcpInterval.toSeconds();
  return [
    budgetTerm('DNS: health-check interval × threshold', interval * settings.tcpFailureThreshold,
      `TCP request interval ${interval} s × failure threshold ${settings.tcpFailureThreshold}: the primary's TCP check fails from `
      + 'the failure, in parallel; counted whole as a bound',
      'Route53DbFailover tcpRequestInterval, tcpFailureThreshold', BUDGET_SOURCES.healthCheck, false),
  ];
}

function alarmTerms(settings: FailoverSettings, primaryWriter: AlarmFacts, secondaryWriter: AlarmFacts): BudgetTerm[] {
  const period = Math.max(primaryWriter.periodSeconds, secondaryWriter.periodSeconds);
  const evaluationPeriods = Math.max(primaryWriter.evaluationPeriods, secondaryWriter.evaluationPeriods);
  return [
    budgetTerm('DNS: probe interval', period,
      'the writable probe runs once a period: the minute of the promotion may still hold its 0 (the not-writable alarm reads the Minimum)',
      'WritableProbe (one run a minute)', BUDGET_SOURCES.alarmEvaluation, false),
    budgetTerm('DNS: alarm periods × evaluation periods', period * evaluationPeriods,
      `alarm period ${period} s × ${evaluationPeriods} evaluation periods: the not-writable alarms change state after their `
      + 'evaluation periods', 'WritableProbe evaluationPeriods', BUDGET_SOURCES.alarmEvaluation, false),
    lagTerm(settings, 'Route 53 follows the alarm\'s data stream behind CloudWatch'),
  ];
}

function lagTerm(settings: FailoverSettings, basis: string): BudgetTerm {
  return budgetTerm('DNS: health-check lag', settings.lagSeconds, `${basis}; AWS publishes no figure`,
    'Route53DbFailover healthCheckLag', BUDGET_SOURCES.healthCheck, true);
}
