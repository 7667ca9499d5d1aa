/**
 * The recovery objectives' budget tables, term by term, from the construct tree (`ResilienceObjectives.budgets`): the
 * templates hold only the sums. scripts/demo.ts adds them to the report.
 */
import { Out } from './sections';
import { BudgetTerm, ObjectiveBudget } from '../budget/budget';

/** What the caller adds to the tables. */
export interface BudgetTableOptions {
  /**
   * The sentence printed under the tables when no term has a measured value, saying why (the demo: nothing has been
   * measured offline).
   */
  readonly unmeasuredNote?: string;
}

/** The sentence under the tables when no term has a measured value and the caller gives none. */
export const UNMEASURED_NOTE = 'The measured column is empty: no measured figures were given (`ResilienceObjectives` '
  + '`measured`), so every assumed term stands as assumed.';

/** The measured value of a term as the table shows it, or nothing. */
export function measuredCell(term: BudgetTerm): string {
  return term.measuredSeconds === undefined ? '' : `${term.measuredSeconds} s (${term.measuredSource}, ${term.measuredAt})`;
}

function result(b: ObjectiveBudget): string {
  if (b.targetSeconds === undefined) {
    return 'not checked';
  }
  if (b.measuredBudgetSeconds !== undefined && b.measuredBudgetSeconds > b.targetSeconds) {
    return `met; missed with measured figures (${b.measuredBudgetSeconds} s)`;
  }
  return 'met';
}

/** The RTO/RPO budget tables of one `ResilienceObjectives` (at `where`), term by term with its source. */
export function budgetTables(where: string, budgets: ObjectiveBudget[], out: Out, options: BudgetTableOptions = {}): void {
  out();
  out(`## Recovery objectives (${where})`);
  out();
  out('| failure | objective | target | worst case | with measured figures | headroom | result |');
  out('|---|---|---|---|---|---|---|');
  for (const b of budgets) {
    const target = b.targetSeconds === undefined ? '-' : `${b.targetSeconds} s`;
    const headroom = b.headroom === undefined ? '-' : `${Math.floor(b.headroom * 1000) / 10} %`;
    const measured = b.measuredBudgetSeconds === undefined ? '' : `${b.measuredBudgetSeconds} s`;
    out(`| ${b.scenario} | ${b.measure} | ${target} | **${b.budgetSeconds} s** | ${measured} | ${headroom} | ${result(b)} |`);
  }
  out();
  out('| failure | objective | term | seconds | measured | how | set by | source |');
  out('|---|---|---|---|---|---|---|---|');
  for (const b of budgets) {
    for (const t of b.terms) {
      out(`| ${b.scenario} | ${b.measure} | ${t.name}${t.assumed ? ' (assumed)' : ''} | ${t.seconds} | ${measuredCell(t)} | ${t.basis} | ${t.setBy} | ${t.source} |`);
    }
  }
  if (!budgets.some((b) => b.terms.some((t) => t.measuredSeconds !== undefined))) {
    out();
    out(options.unmeasuredNote ?? UNMEASURED_NOTE);
  }
}
