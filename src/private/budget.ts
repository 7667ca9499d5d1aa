import { BudgetTerm, ObjectiveBudget } from '../budget/budget';

/** The failures a budget is computed for. */
export const AZ_FAILURE = 'AZ failure';
export const REGION_FAILURE = 'Region failure';
export const RESTORE_FROM_BACKUP = 'Region failure, restore from backup';

/** Where each figure of a budget comes from. */
export const BUDGET_SOURCES = {
  multiAzFailover: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html',
  multiAzSynchronous: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html',
  dnsCache: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html#Concepts.MultiAZ.Failover.Java-DNS',
  alarmEvaluation: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation',
  replicaLagPeriod: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/monitoring-cloudwatch.html',
  replicaLag: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.Monitor.html',
  approval: 'https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token',
  alarmEvents: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html',
  promotion: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html',
  healthCheck: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-types.html',
  alarmHealthCheck: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html#dns-failover-determining-health-of-endpoints-cloudwatch',
  ttl: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-configuring.html',
  logUpload: 'https://aws.amazon.com/rds/features/backup/',
  backupReplication: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html',
};

// RDS sends ReplicaLag to CloudWatch every minute (validation.ts states the rule and its source).
export { REPLICA_LAG_PERIOD_SECONDS } from './validation';

export function budgetTerm(name: string, seconds: number, basis: string, setBy: string, source: string, assumed: boolean): BudgetTerm {
  return { name, seconds, basis, setBy, source, assumed };
}

/**
 * The one sum of a budget: every figure the library reports for an objective (the runbook's, the objectives', the
 * stack outputs, the report) is this sum of the parts' terms.
 */
export function sumTerms(scenario: string, measure: string, terms: BudgetTerm[], targetSeconds?: number): ObjectiveBudget {
  const budgetSeconds = terms.reduce((sum, t) => sum + t.seconds, 0);
  const headroom = targetSeconds === undefined || targetSeconds === 0 ? undefined : (targetSeconds - budgetSeconds) / targetSeconds;
  const measured = terms.some((t) => t.measuredSeconds !== undefined);
  return {
    scenario,
    measure,
    targetSeconds,
    budgetSeconds,
    headroom,
    terms: [...terms],
    formula: formulaOf(terms),
    ...measured ? { measuredBudgetSeconds: terms.reduce((sum, t) => sum + worstOf(t), 0) } : {},
  };
}

/** A term's worst case with its measured value: the larger of the figure and the measured value. */
export function worstOf(term: BudgetTerm): number {
  return Math.max(term.seconds, term.measuredSeconds ?? 0);
}

/** The terms as `name N s + …`, an assumed term with its measured value: `promotion 600 s (assumed, measured 412 s on 2026-11-20)`. */
export function formulaOf(terms: BudgetTerm[]): string {
  return terms.map(t => `${t.name} ${t.seconds} s${t.assumed ? ` (assumed${measuredNote(t)})` : ''}`).join(' + ');
}

function measuredNote(term: BudgetTerm): string {
  return term.measuredSeconds === undefined ? '' : `, measured ${term.measuredSeconds} s on ${term.measuredAt}`;
}
