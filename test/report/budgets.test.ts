import { BudgetTerm } from '../../src';
import { budgetTerm, REGION_FAILURE, sumTerms } from '../../src/private/budget';
import { budgetTables, measuredCell, UNMEASURED_NOTE } from '../../src/report/budgets';

const promotion = budgetTerm('promotion', 600, 'PromoteReadReplica', 'FailoverRunbook expectedPromotionTime', 'https://example.com/promote', true);
const ttl = budgetTerm('DNS: TTL', 30, 'record TTL', 'Route53DbFailover ttl', 'https://example.com/ttl', false);
const measured: BudgetTerm = { ...promotion, measuredSeconds: 1500, measuredSource: 'region drill', measuredAt: '2026-11-20' };

function tables(terms: BudgetTerm[], target?: number, note?: string): string[] {
  const lines: string[] = [];
  budgetTables('Dr/Objectives', [sumTerms(REGION_FAILURE, 'RTO', terms, target)], (l = '') => lines.push(l),
    note === undefined ? {} : { unmeasuredNote: note });
  return lines;
}

describe('the budget tables', () => {
  test('the term table has a measured column, empty for a term without a measured value', () => {
    const lines = tables([promotion, ttl], 900);
    expect(lines).toContain('| failure | objective | term | seconds | measured | how | set by | source |');
    expect(lines).toContain('| Region failure | RTO | promotion (assumed) | 600 |  | PromoteReadReplica | FailoverRunbook expectedPromotionTime | https://example.com/promote |');
    expect(lines).toContain('| Region failure | RTO | 900 s | **630 s** |  | 30 % | met |');
  });

  test('a measured value is shown with where and when it was measured, and the worst case with it', () => {
    const lines = tables([measured, ttl], 1800);
    expect(lines).toContain('| Region failure | RTO | promotion (assumed) | 600 | 1500 s (region drill, 2026-11-20) | PromoteReadReplica | FailoverRunbook expectedPromotionTime | https://example.com/promote |');
    expect(lines).toContain('| Region failure | RTO | DNS: TTL | 30 |  | record TTL | Route53DbFailover ttl | https://example.com/ttl |');
    expect(lines).toContain('| Region failure | RTO | 1800 s | **630 s** | 1530 s | 65 % | met |');
    expect(lines).not.toContain(UNMEASURED_NOTE);
  });

  test('a target the measured figures miss says so in the result', () => {
    expect(tables([measured, ttl], 900)).toContain('| Region failure | RTO | 900 s | **630 s** | 1530 s | 30 % | met; missed with measured figures (1530 s) |');
  });

  test('without any measured value, a sentence says why the column is empty: the caller\'s, or the default', () => {
    expect(tables([promotion, ttl])).toContain(UNMEASURED_NOTE);
    const demo = 'The measured column is empty in this offline demo: nothing has been measured here.';
    const lines = tables([promotion, ttl], undefined, demo);
    expect(lines[lines.length - 1]).toBe(demo);
    expect(lines).not.toContain(UNMEASURED_NOTE);
  });

  test('measuredCell is empty without a measured value', () => {
    expect(measuredCell(promotion)).toBe('');
    expect(measuredCell(measured)).toBe('1500 s (region drill, 2026-11-20)');
  });
});
