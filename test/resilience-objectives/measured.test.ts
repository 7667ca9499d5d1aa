import { Annotations as CoreAnnotations, Duration, Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import {
  BackupReplication, FailoverRunbookProps, MeasuredFigure, MeasuredFigures, ObjectiveBudget, ResilienceObjectives,
  ResilienceObjectivesProps, Warnings,
} from '../../src';
import { DR_REGION, record, runbookApp } from '../util';

const DR_KEY = `arn:aws:kms:${DR_REGION}:111111111111:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`;

/** The two-Region app with a runbook started by hand, backup replication and a `ResilienceObjectives` in the DR stack. */
function objectivesApp(props: Partial<ResilienceObjectivesProps> = {}, runbookProps: Partial<FailoverRunbookProps> = {}) {
  const parts = runbookApp(runbookProps);
  const backups = new BackupReplication(parts.primaryStack, 'Backups', {
    sourceInstance: parts.primary, destinationRegion: DR_REGION, destinationKeyArn: DR_KEY,
  });
  const objectives = new ResilienceObjectives(parts.drStack, 'Objectives', {
    primary: parts.primary, runbook: parts.runbook, backupReplication: backups, ...props,
  });
  return { ...parts, objectives };
}

function budget(objectives: ResilienceObjectives, scenario: string, measure: string): ObjectiveBudget {
  const found = objectives.budgets.find((b) => b.scenario === scenario && b.measure === measure);
  if (!found) throw new Error(`no ${scenario} ${measure} budget`);
  return found;
}

const drill = (seconds: number, measuredAt = '2026-11-20'): MeasuredFigure =>
  ({ value: Duration.seconds(seconds), source: 'region drill', measuredAt });

const TERM_OF: Record<keyof MeasuredFigures, [string, string, number]> = {
  azFailoverTime: ['AZ failure', 'Multi-AZ failover', 120],
  clientDnsCache: ['AZ failure', 'client DNS cache', 60],
  operatorResponseTime: ['Region failure', 'detection: operator starts the runbook', 900],
  promotionTime: ['Region failure', 'promotion', 600],
  healthCheckLag: ['Region failure', 'DNS: health-check lag', 30],
  backupCopyDelay: ['Region failure, restore from backup', 'cross-Region copy', 300],
};

describe('the budgets with and without measured figures', () => {
  test('without measured figures, no term carries a measured value and no budget a measured worst case', () => {
    const { objectives } = objectivesApp();
    for (const b of objectives.budgets) {
      expect(b.measuredBudgetSeconds).toBeUndefined();
      for (const t of b.terms) {
        expect([t.measuredSeconds, t.measuredSource, t.measuredAt]).toEqual([undefined, undefined, undefined]);
      }
    }
  });

  test.each(Object.entries(TERM_OF))('measured.%s stands next to its assumed term', (key, [scenario, name, assumed]) => {
    const { objectives } = objectivesApp({ measured: { [key]: drill(assumed + 100) } });
    const b = budget(objectives, scenario, scenario.includes('restore') ? 'RPO' : 'RTO');
    const term = b.terms.find((t) => t.name === name)!;
    expect(term).toMatchObject({ seconds: assumed, assumed: true, measuredSeconds: assumed + 100, measuredSource: 'region drill', measuredAt: '2026-11-20' });
    // The assumed figure stays the budget; the measured worst case adds the 100 s the measurement is above it.
    expect(b.measuredBudgetSeconds).toBe(b.budgetSeconds + 100);
    // No other term of any budget carries it.
    const others = objectives.budgets.flatMap((o) => o.terms).filter((t) => t.measuredSeconds !== undefined);
    expect(others).toHaveLength(1);
  });

  test('a measured value below the estimate is shown, and the worst case keeps the estimate', () => {
    const { objectives } = objectivesApp({ measured: { promotionTime: drill(412), azFailoverTime: drill(35) } });
    const region = budget(objectives, 'Region failure', 'RTO');
    expect(region.terms.find((t) => t.name === 'promotion')).toMatchObject({ seconds: 600, measuredSeconds: 412 });
    expect(region.budgetSeconds).toBe(1860);
    expect(region.measuredBudgetSeconds).toBe(1860);
    expect(region.formula).toContain('promotion 600 s (assumed, measured 412 s on 2026-11-20)');
    expect(budget(objectives, 'AZ failure', 'RTO')).toMatchObject({ budgetSeconds: 180, measuredBudgetSeconds: 180 });
  });

  test('the runbook\'s own terms are left as the runbook publishes them', () => {
    const { objectives, runbook } = objectivesApp({ measured: { promotionTime: drill(1500) } });
    expect(runbook.rtoTerms.find((t) => t.name === 'promotion')!.measuredSeconds).toBeUndefined();
    expect(budget(objectives, 'Region failure', 'RTO').terms.find((t) => t.name === 'promotion')!.measuredSeconds).toBe(1500);
  });

  test('the output description shows the measured value and the worst case with it; the value stays the assumed budget', () => {
    const { drStack } = objectivesApp({
      regionFailure: { rto: Duration.hours(1), rpo: Duration.minutes(2) },
      measured: { promotionTime: drill(1500) },
    });
    const outputs = record(drStack).findOutputs('*');
    const rto = Object.entries(outputs).find(([k]) => k.startsWith('ObjectivesRegionFailureRtoBudgetSeconds'))![1];
    expect(rto.Value).toBe('1860');
    expect(rto.Description).toMatch(/^Region failure RTO worst case \(target 3600 s; with measured figures 2760 s\): /);
    expect(rto.Description).toContain('promotion 600 s (assumed, measured 1500 s on 2026-11-20)');
    const az = Object.entries(outputs).find(([k]) => k.startsWith('ObjectivesAZFailureRtoBudgetSeconds'))![1];
    expect(az.Description).toBe('AZ failure RTO worst case (no target): Multi-AZ failover 120 s (assumed) + client DNS cache 60 s (assumed)');
  });
});

describe('the warning when the measured figures miss a target', () => {
  const regionRto = (minutes: number) => ({ rto: Duration.minutes(minutes), rpo: Duration.minutes(2) });

  test('a promotion measured at 1500 s misses a 45-minute Region RTO that the 600 s estimate meets', () => {
    // 1860 s assumed (31.1 % headroom); 1860 - 600 + 1500 = 2760 s with the measurement, over 2700 s.
    const { drStack, objectives } = objectivesApp({ regionFailure: regionRto(45), measured: { promotionTime: drill(1500) } });
    expect(budget(objectives, 'Region failure', 'RTO')).toMatchObject({ targetSeconds: 2700, budgetSeconds: 1860, measuredBudgetSeconds: 2760 });
    Annotations.fromStack(drStack).hasWarning('/Dr/Objectives', Match.stringLikeRegexp(
      'regionFailure.rto 2700 s is missed with the measured figures: .* the worst case is 2760 s, not 1860 s\\. '
      + 'promotion: assumed 600 s, measured 1500 s \\(region drill, 2026-11-20\\), set by FailoverRunbook expectedPromotionTime\\. '
      + `.*\\[ack: ${Warnings.MEASURED_OBJECTIVE_MISSED}\\]`));
    expect(Annotations.fromStack(drStack).findWarning('*', Match.anyValue())).toHaveLength(1);
  });

  test('no warning when the substituted budget meets the target, exactly or with room', () => {
    for (const minutes of [46, 60]) {
      const { drStack } = objectivesApp({ regionFailure: regionRto(minutes), measured: { promotionTime: drill(1500) } });
      Annotations.fromStack(drStack).hasNoWarning('*', Match.anyValue());
    }
  });

  test('no warning when the measured value is below the estimate, however tight the target', () => {
    const { drStack } = objectivesApp({
      azFailure: { rto: Duration.seconds(180), rpo: Duration.seconds(0) },
      measured: { azFailoverTime: drill(35) },
    });
    expect(Annotations.fromStack(drStack).findWarning('*', Match.stringLikeRegexp(Warnings.MEASURED_OBJECTIVE_MISSED))).toHaveLength(0);
    // The headroom warning is the assumed budget's, unchanged.
    Annotations.fromStack(drStack).hasWarning('/Dr/Objectives', Match.stringLikeRegexp(Warnings.OBJECTIVE_HEADROOM));
  });

  test('no warning without a target', () => {
    const { drStack } = objectivesApp({ measured: { promotionTime: drill(86_400) } });
    Annotations.fromStack(drStack).hasNoWarning('*', Match.anyValue());
  });

  test('every term above its estimate is named, and the RPO budgets are checked too', () => {
    const { drStack } = objectivesApp({
      azFailure: { rto: Duration.minutes(5), rpo: Duration.seconds(0) },
      backupRestoreRpo: Duration.minutes(15),
      measured: { azFailoverTime: drill(200), clientDnsCache: drill(120), backupCopyDelay: drill(700, '2026-10-01') },
    });
    Annotations.fromStack(drStack).hasWarning('/Dr/Objectives', Match.stringLikeRegexp(
      'azFailure.rto 300 s is missed .* worst case is 320 s, not 180 s\\. Multi-AZ failover: assumed 120 s, measured 200 s .*set by azFailoverTime; '
      + 'client DNS cache: assumed 60 s, measured 120 s .*set by clientDnsCache\\.'));
    Annotations.fromStack(drStack).hasWarning('/Dr/Objectives', Match.stringLikeRegexp(
      'backupRestoreRpo 900 s is missed .* worst case is 1000 s, not 600 s\\. cross-Region copy: assumed 300 s, measured 700 s \\(region drill, 2026-10-01\\)'));
  });

  test('it can be acknowledged', () => {
    const { drStack, primary } = objectivesApp();
    CoreAnnotations.of(drStack).acknowledgeWarning(Warnings.MEASURED_OBJECTIVE_MISSED, 'the drill ran on a cold instance class since resized');
    new ResilienceObjectives(drStack, 'Az', {
      primary, azFailure: { rto: Duration.minutes(5), rpo: Duration.seconds(0) }, measured: { azFailoverTime: drill(300) },
    });
    Annotations.fromStack(drStack).hasNoWarning('*', Match.anyValue());
  });
});

describe('rejections of measured figures, each with an accepted twin', () => {
  test.each<[string, MeasuredFigure, string]>([
    ['a fraction of a second', { ...drill(0), value: Duration.millis(412_500) },
      "invalid measured.promotionTime.value '412.5 seconds': a whole number of seconds from 0 to 86400"],
    ['more than a day', drill(86_401), 'invalid measured.promotionTime.value'],
    ['a token', { ...drill(0), value: Duration.seconds(Token.asNumber({ Ref: 'Drill' })) },
      'invalid measured.promotionTime.value (a token): a literal duration is required'],
    ['an empty source', { ...drill(412), source: ' ' }, "invalid measured.promotionTime.source ' ': a non-empty text"],
    ['a source token', { ...drill(412), source: Token.asString({ Ref: 'Drill' }) }, 'invalid measured.promotionTime.source (a token): a literal text'],
    ['a day-first date', drill(412, '20-11-2026'), "invalid measured.promotionTime.measuredAt '20-11-2026': a literal ISO date, YYYY-MM-DD"],
    ['a date that does not exist', drill(412, '2026-02-30'), "invalid measured.promotionTime.measuredAt '2026-02-30'"],
    ['a timestamp', drill(412, '2026-11-20T10:00:00Z'), 'invalid measured.promotionTime.measuredAt'],
  ])('%s is rejected', (_name, figure, message) => {
    expect(() => objectivesApp({ measured: { promotionTime: figure } })).toThrow(`[Dr/Objectives] ResilienceObjectives: ${message}`);
  });

  test.each<[string, MeasuredFigure]>([
    ['0 s', drill(0)],
    ['a day', drill(86_400)],
    ['a leap day', drill(412, '2024-02-29')],
    ['whole seconds written in minutes', { ...drill(0), value: Duration.minutes(7) }],
  ])('%s is accepted', (_name, figure) => {
    const { objectives } = objectivesApp({ measured: { promotionTime: figure } });
    expect(budget(objectives, 'Region failure', 'RTO').terms.find((t) => t.name === 'promotion')!.measuredSeconds)
      .toBe(figure.value.toSeconds());
  });

  test('a figure of a term no budget has is rejected: the operator term of a runbook its alarm starts', () => {
    expect(() => objectivesApp({ measured: { operatorResponseTime: drill(300) } }, { automaticPromotion: true }))
      .toThrow("ResilienceObjectives: invalid measured.operatorResponseTime '5 minutes': a figure of an assumed term of the budgets "
        + "computed here, and none has the term 'detection: operator starts the runbook'");
    const { objectives } = objectivesApp({ measured: { operatorResponseTime: drill(300) } }, { automaticPromotion: false });
    expect(budget(objectives, 'Region failure', 'RTO').measuredBudgetSeconds).toBe(1860);
  });

  test('a promotion figure without a runbook is rejected', () => {
    const parts = runbookApp();
    expect(() => new ResilienceObjectives(parts.drStack, 'Objectives', { primary: parts.primary, measured: { promotionTime: drill(412) } }))
      .toThrow("invalid measured.promotionTime '6 minutes 52 seconds': a figure of an assumed term of the budgets computed here, and none has the term 'promotion'");
  });
});
