import { FailoverHealthCheckType } from './types';
import { AlarmFacts, FailoverSettings } from './validation';
import { BudgetTerm } from '../budget/budget';
import { BUDGET_SOURCES, budgetTerm } from '../private/budget';

/**
 * The construct's share of the Region failure RTO: the worst case from the primary failing to clients resolving the
 * writer name to the other side. TCP checks: request interval × failure threshold. Alarm checks: the probe interval,
 * the not-writable alarm's period × evaluation periods, and the health-check lag. Then the TTL.
 */
export function dnsTerms(settings: FailoverSettings, primaryWriter: AlarmFacts): BudgetTerm[] {
  const terms = settings.type === FailoverHealthCheckType.TCP ? tcpTerms(settings) : alarmTerms(settings, primaryWriter);
  terms.push(budgetTerm('DNS: TTL', settings.ttlSeconds, 'resolvers keep the old answer at most the record TTL', 'Route53DbFailover ttl',
    BUDGET_SOURCES.ttl, false));
  return terms;
}

function tcpTerms(settings: FailoverSettings): BudgetTerm[] {
  const interval = settings.tcpInterval.toSeconds();
  return [
    budgetTerm('DNS: health-check interval × threshold', interval * settings.tcpFailureThreshold,
      `TCP request interval ${interval} s × failure threshold ${settings.tcpFailureThreshold}`,
      'Route53DbFailover tcpRequestInterval, tcpFailureThreshold', BUDGET_SOURCES.healthCheck, false),
  ];
}

function alarmTerms(settings: FailoverSettings, primaryWriter: AlarmFacts): BudgetTerm[] {
  return [
    budgetTerm('DNS: probe interval', primaryWriter.periodSeconds, 'the writable probe runs once a period',
      'WritableProbe (one run a minute)', BUDGET_SOURCES.alarmEvaluation, false),
    budgetTerm('DNS: alarm periods × evaluation periods', primaryWriter.periodSeconds * primaryWriter.evaluationPeriods,
      `alarm period ${primaryWriter.periodSeconds} s × ${primaryWriter.evaluationPeriods} evaluation periods: the not-writable `
      + 'alarm changes state after its evaluation periods', 'WritableProbe evaluationPeriods', BUDGET_SOURCES.alarmEvaluation, false),
    budgetTerm('DNS: health-check lag', settings.lagSeconds, 'Route 53 reads the alarm state behind CloudWatch',
      'Route53DbFailover healthCheckLag', BUDGET_SOURCES.healthCheck, true),
  ];
}
