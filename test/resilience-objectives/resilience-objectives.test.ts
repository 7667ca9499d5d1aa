import { Annotations as CoreAnnotations, Duration } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import {
  BackupReplication, FailoverRunbook, FailoverRunbookProps, ObjectiveBudget, ResilienceObjectives,
  ResilienceObjectivesProps, Route53DbFailoverProps, Warnings,
} from '../../src';
import { DR_REGION, failoverApp, record, runbookApp, twoRegionApp } from '../util';

const DR_KEY = `arn:aws:kms:${DR_REGION}:111111111111:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`;

/** The two-Region app with a runbook, backup replication and a `ResilienceObjectives` in the DR stack. */
function objectivesApp(props: Partial<ResilienceObjectivesProps> = {}, runbookProps: Partial<FailoverRunbookProps> = {},
  failoverProps?: Partial<Route53DbFailoverProps>) {
  const parts = failoverProps ? { ...failoverApp(failoverProps) } : runbookApp(runbookProps);
  const runbook = 'runbook' in parts ? parts.runbook : undefined;
  const backups = new BackupReplication(parts.primaryStack, 'Backups', {
    sourceInstance: parts.primary, destinationRegion: DR_REGION, destinationKeyArn: DR_KEY,
  });
  const objectives = new ResilienceObjectives(parts.drStack, 'Objectives', {
    primary: parts.primary, runbook, backupReplication: backups, ...props,
  });
  return { ...parts, runbook, objectives, backups };
}

function budget(objectives: ResilienceObjectives, scenario: string, measure: string): ObjectiveBudget {
  const found = objectives.budgets.find((b) => b.scenario === scenario && b.measure === measure);
  if (!found) throw new Error(`no ${scenario} ${measure} budget`);
  return found;
}

const terms = (b: ObjectiveBudget) => b.terms.map((t) => [t.name, t.seconds]);

describe('budget arithmetic', () => {
  test('AZ failure: the documented Multi-AZ failover (120 s) and the clients\' DNS cache (60 s); RPO 0 from the synchronous standby', () => {
    const { objectives } = objectivesApp();
    const rto = budget(objectives, 'AZ failure', 'RTO');
    expect(terms(rto)).toEqual([['Multi-AZ failover', 120], ['client DNS cache', 60]]);
    expect(rto.budgetSeconds).toBe(180);
    expect(rto.terms.every((t) => t.assumed)).toBe(true);
    expect(rto.terms[0].source).toBe('https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html');
    const rpo = budget(objectives, 'AZ failure', 'RPO');
    expect(terms(rpo)).toEqual([['synchronous standby', 0]]);
    expect(rpo.budgetSeconds).toBe(0);
  });

  test('AZ failure with other estimates: 60 s failover and a 5 s DNS cache are 65 s', () => {
    const { objectives } = objectivesApp({ azFailoverTime: Duration.seconds(60), clientDnsCache: Duration.seconds(5) });
    expect(budget(objectives, 'AZ failure', 'RTO').budgetSeconds).toBe(65);
  });

  test('Region failure, operator-started runbook: stalled 180 s + one period 60 s, operator 900 s, promotion 600 s, DNS 60 + 30 + 30 s = 1860 s', () => {
    const { objectives } = objectivesApp();
    const rto = budget(objectives, 'Region failure', 'RTO');
    expect(terms(rto)).toEqual([
      ['detection: replication stalled', 240],
      ['detection: operator starts the runbook', 900],
      ['promotion', 600],
      ['DNS: latch alarm', 60],
      ['DNS: health-check lag', 30],
      ['DNS: TTL', 30],
    ]);
    expect(rto.budgetSeconds).toBe(1860);
  });

  test('Region failure, automatic start with the default approval (1 h): 240 + 150 + 3600 + 600 + 120 = 4710 s, the runbook\'s own rtoBudget', () => {
    const { objectives, runbook } = objectivesApp({}, { automaticPromotion: true });
    const rto = budget(objectives, 'Region failure', 'RTO');
    expect(rto.terms.map((t) => t.name)).toContain('decision: approval');
    // A run the alarm started re-reads its guards 5 times, 30 s apart, before it refuses.
    expect(rto.terms.find((t) => t.name === 'decision: guard re-checks')).toMatchObject({ seconds: 150 });
    expect(rto.terms.map((t) => t.name)).not.toContain('detection: operator starts the runbook');
    expect(rto.budgetSeconds).toBe(4710);
    expect(runbook!.rtoBudget.budgetSeconds).toBe(4710);
  });

  test('Region failure, unattended: 240 + 150 + 600 + 120 = 1110 s', () => {
    const { objectives } = objectivesApp({}, { automaticPromotion: true, approval: false });
    expect(budget(objectives, 'Region failure', 'RTO').budgetSeconds).toBe(1110);
  });

  test('Region failure with other settings: stallAfter 5 min, approval 10 min, promotion 20 min, operator 5 min', () => {
    const { objectives } = objectivesApp({}, {
      operatorResponseTime: Duration.minutes(5),
      stallAfter: Duration.minutes(5),
      approval: true,
      approvalTimeout: Duration.minutes(10),
      expectedPromotionTime: Duration.minutes(20),
    });
    // (300 + 60) + 300 + 600 + 1200 + (60 + 30 + 30)
    expect(budget(objectives, 'Region failure', 'RTO').budgetSeconds).toBe(2580);
  });

  test('the DNS terms follow the failover records: TTL 10 s and no health-check lag', () => {
    const parts = failoverApp({ ttl: Duration.seconds(10), healthCheckLag: Duration.seconds(0) });
    const runbook = new FailoverRunbook(parts.drStack, 'Runbook', {
      replica: parts.replica,
      topic: parts.drAlarms.topic,
      topicKey: parts.drAlarms.topicKey,
      failover: parts.failover,
      automaticPromotion: true,
      approval: false,
    });
    const objectives = new ResilienceObjectives(parts.drStack, 'Objectives', { runbook });
    const rto = budget(objectives, 'Region failure', 'RTO');
    expect(terms(rto).slice(-2)).toEqual([['DNS: health-check lag', 0], ['DNS: TTL', 10]]);
    expect(rto.budgetSeconds).toBe(240 + 150 + 600 + 60 + 0 + 10);
  });

  test('Region RPO is the runbook\'s replica-lag guard', () => {
    const { objectives, runbook } = objectivesApp({}, { maxLagAtPromotion: Duration.seconds(90) });
    const rpo = budget(objectives, 'Region failure', 'RPO');
    expect(terms(rpo)).toEqual([['replica-lag guard', 90]]);
    expect(rpo.terms[0].setBy).toBe('FailoverRunbook maxLagAtPromotion');
    expect(rpo.terms).toEqual(runbook!.rpoTerms);
  });

  test('restore from the replicated backups: the 5-minute log upload plus the copy (5 min, or as given)', () => {
    expect(budget(objectivesApp().objectives, 'Region failure, restore from backup', 'RPO').budgetSeconds).toBe(600);
    const { objectives } = objectivesApp({ backupCopyDelay: Duration.minutes(1) });
    expect(terms(budget(objectives, 'Region failure, restore from backup', 'RPO'))).toEqual([['transaction-log upload', 300], ['cross-Region copy', 60]]);
  });

  test('only the budgets the given parts allow are computed', () => {
    const parts = runbookApp();
    const objectives = new ResilienceObjectives(parts.drStack, 'Objectives', { runbook: parts.runbook });
    expect(objectives.budgets.map((b) => `${b.scenario} ${b.measure}`)).toEqual(['Region failure RTO', 'Region failure RPO']);
  });
});

describe('one budget: the runbook\'s figures are the objectives\' figures', () => {
  // Every combination of start, approval and failover records: the objectives report the runbook's own terms.
  const cases = [true, false].flatMap((automaticPromotion) => [true, false].flatMap((approval) => [true, false]
    .map((withFailover) => ({ automaticPromotion, approval, withFailover }))));
  test.each(cases)('automaticPromotion $automaticPromotion, approval $approval, failover records $withFailover', (c) => {
    const { objectives, runbook, failover } = objectivesApp({}, {
      automaticPromotion: c.automaticPromotion, approval: c.approval, ...(c.withFailover ? {} : { failover: undefined }),
    });
    const rto = budget(objectives, 'Region failure', 'RTO');
    expect(rto.budgetSeconds).toBe(runbook!.rtoBudget.budgetSeconds);
    expect(rto.terms).toEqual(runbook!.rtoBudget.terms);
    expect(rto.formula).toBe(runbook!.rtoBudget.formula);
    expect(budget(objectives, 'Region failure', 'RPO').terms).toEqual(runbook!.rpoBudget.terms);
    // The runbook's terms, then exactly the failover records' DNS terms.
    expect(runbook!.rtoBudget.terms).toEqual([...runbook!.rtoTerms, ...(c.withFailover ? failover.dnsTerms : [])]);
    const names = runbook!.rtoTerms.map((t) => t.name);
    expect(names[0]).toBe('detection: replication stalled');
    expect(names.includes('detection: operator starts the runbook')).toBe(!c.automaticPromotion);
    expect(names.includes('decision: guard re-checks')).toBe(c.automaticPromotion);
    expect(names.includes('decision: approval')).toBe(c.approval);
    expect(runbook!.rtoBudget.budgetSeconds).toBe(240 + (c.automaticPromotion ? 150 : 900) + (c.approval ? 3600 : 0) + 600
      + (c.withFailover ? 120 : 0));
  });

  test('the stack output is the same figure', () => {
    const { drStack, runbook } = objectivesApp({}, { automaticPromotion: false, approval: true });
    const outputs = record(drStack).findOutputs('*');
    const rto = Object.entries(outputs).find(([k]) => k.startsWith('ObjectivesRegionFailureRtoBudgetSeconds'))![1];
    expect(rto.Value).toBe(String(runbook!.rtoBudget.budgetSeconds));
    expect(rto.Value).toBe('5460');
  });
});

describe('targets', () => {
  test('met targets: headroom per budget, no warning above 20 %', () => {
    const { objectives, drStack } = objectivesApp({
      azFailure: { rto: Duration.minutes(5), rpo: Duration.seconds(0) },
      regionFailure: { rto: Duration.minutes(45), rpo: Duration.minutes(2) },
      backupRestoreRpo: Duration.minutes(15),
    });
    expect(budget(objectives, 'AZ failure', 'RTO').headroom).toBeCloseTo(0.4);
    expect(budget(objectives, 'AZ failure', 'RPO').headroom).toBeUndefined();
    expect(budget(objectives, 'Region failure', 'RTO')).toMatchObject({ targetSeconds: 2700, budgetSeconds: 1860 });
    expect(budget(objectives, 'Region failure', 'RTO').headroom).toBeCloseTo(840 / 2700);
    expect(budget(objectives, 'Region failure', 'RPO').headroom).toBeCloseTo(0.5);
    Annotations.fromStack(drStack).hasNoWarning('*', Match.anyValue());
  });

  test('a Region RTO below the budget fails synth, naming the largest term and what sets it', () => {
    expect(() => objectivesApp({ regionFailure: { rto: Duration.minutes(15), rpo: Duration.minutes(2) } }, { automaticPromotion: true }))
      .toThrow("ResilienceObjectives: regionFailure.rto is 900 s, but the configuration's worst case is 4710 s (detection: replication stalled 240 s"
        + ' + decision: guard re-checks 150 s + decision: approval 3600 s + promotion 600 s (assumed) + DNS: latch alarm 60 s'
        + ' + DNS: health-check lag 30 s (assumed) + DNS: TTL 30 s). The largest term is decision: approval, 3600 s, set by FailoverRunbook'
        + ' approvalTimeout (or approval): shorten it, or raise regionFailure.rto to at least 4710 s.');
  });

  test('an impossible AZ RTO names the Multi-AZ failover', () => {
    expect(() => objectivesApp({ azFailure: { rto: Duration.seconds(60), rpo: Duration.seconds(0) } }))
      .toThrow(/azFailure.rto is 60 s, but the configuration's worst case is 180 s .*The largest term is Multi-AZ failover, 120 s, set by azFailoverTime/);
  });

  test('a Region RPO below the replica-lag guard names the guard', () => {
    const tooLong = { maxLagAtPromotion: Duration.seconds(120) };
    expect(() => objectivesApp({ regionFailure: { rto: Duration.hours(2), rpo: Duration.seconds(90) } }, tooLong))
      .toThrow(/regionFailure.rpo is 90 s, but the configuration's worst case is 120 s .*The largest term is replica-lag guard, 120 s, set by FailoverRunbook maxLagAtPromotion/);
  });

  test('a runbook maxLagAtPromotion of one ReplicaLag period is the term of the guard', () => {
    const { objectives } = objectivesApp({ regionFailure: { rto: Duration.hours(2), rpo: Duration.seconds(60) } },
      { maxLagAtPromotion: Duration.seconds(60) });
    expect(terms(budget(objectives, 'Region failure', 'RPO'))).toEqual([['replica-lag guard', 60]]);
  });

  test('a Region RPO under one ReplicaLag period is refused, not reported as met', () => {
    expect(() => objectivesApp({ regionFailure: { rto: Duration.hours(2), rpo: Duration.seconds(30) } }))
      .toThrow("ResilienceObjectives: invalid regionFailure.rpo '30 seconds': at least 60 seconds");
  });

  test('a restore RPO below the log upload interval fails', () => {
    expect(() => objectivesApp({ backupRestoreRpo: Duration.minutes(5) })).toThrow(/backupRestoreRpo is 300 s, but the configuration's worst case is 600 s/);
  });

  test('a target met exactly passes with the headroom warning, which can be acknowledged', () => {
    const { drStack } = objectivesApp({ azFailure: { rto: Duration.seconds(180), rpo: Duration.seconds(0) } });
    Annotations.fromStack(drStack).hasWarning('/Dr/Objectives',
      Match.stringLikeRegexp(`azFailure.rto 180 s is met with 0 % headroom, less than 20 %.*\\[ack: ${Warnings.OBJECTIVE_HEADROOM}\\]`));

    const acked = objectivesApp();
    CoreAnnotations.of(acked.drStack).acknowledgeWarning(Warnings.OBJECTIVE_HEADROOM, 'the failover time is measured in drills');
    new ResilienceObjectives(acked.drStack, 'Tight', { primary: acked.primary, azFailure: { rto: Duration.seconds(180), rpo: Duration.seconds(0) } });
    Annotations.fromStack(acked.drStack).hasNoWarning('*', Match.anyValue());
  });

  test('minimumHeadroom raises the bar: 40 % headroom warns at 0.5', () => {
    const { drStack } = objectivesApp({ azFailure: { rto: Duration.minutes(5), rpo: Duration.seconds(0) }, minimumHeadroom: 0.5 });
    Annotations.fromStack(drStack).hasWarning('/Dr/Objectives', Match.stringLikeRegexp('met with 40 % headroom, less than 50 %'));
  });

  test('a zero RPO target is met by the synchronous standby without a warning', () => {
    const { drStack, objectives } = objectivesApp({ azFailure: { rto: Duration.minutes(10), rpo: Duration.seconds(0) } });
    expect(budget(objectives, 'AZ failure', 'RPO')).toMatchObject({ targetSeconds: 0, budgetSeconds: 0 });
    Annotations.fromStack(drStack).hasNoWarning('*', Match.anyValue());
  });
});

describe('outputs', () => {
  test('one output per budget, its terms in the description', () => {
    const { drStack } = objectivesApp({ regionFailure: { rto: Duration.hours(1), rpo: Duration.minutes(2) } });
    const outputs = record(drStack).findOutputs('*');
    const byKey = (prefix: string) => Object.entries(outputs).find(([k]) => k.startsWith(prefix))![1];
    expect(byKey('ObjectivesRegionFailureRtoBudgetSeconds')).toEqual({
      Value: '1860',
      Description: 'Region failure RTO worst case (target 3600 s): detection: replication stalled 240 s + detection: operator starts the runbook 900 s (assumed)'
        + ' + promotion 600 s (assumed) + DNS: latch alarm 60 s + DNS: health-check lag 30 s (assumed) + DNS: TTL 30 s',
    });
    expect(byKey('ObjectivesAZFailureRtoBudgetSeconds').Value).toBe('180');
    expect(byKey('ObjectivesRegionFailureRestoreFromBackupRpoBudgetSeconds').Value).toBe('600');
    expect(Object.keys(outputs).filter((k) => k.startsWith('Objectives'))).toHaveLength(5);
  });

  test('outputs: false leaves the stack\'s outputs alone', () => {
    const { drStack } = objectivesApp({ outputs: false });
    expect(Object.keys(record(drStack).findOutputs('*')).filter((k) => k.startsWith('Objectives'))).toEqual([]);
  });
});

describe('rejections', () => {
  test.each([
    ['minimumHeadroom 1', { minimumHeadroom: 1 }, 'ResilienceObjectives: invalid minimumHeadroom 1: a fraction from 0 to less than 1, such as 0.2 for 20 %'],
    ['minimumHeadroom -0.1', { minimumHeadroom: -0.1 }, 'ResilienceObjectives: invalid minimumHeadroom -0.1'],
    ['azFailoverTime 1.5 s', { azFailoverTime: Duration.millis(1500) }, "ResilienceObjectives: invalid azFailoverTime '1 second 500 millis': a whole number of seconds from 60 to 3600"],
    ['backupCopyDelay 2 days', { backupCopyDelay: Duration.days(2) }, "ResilienceObjectives: invalid backupCopyDelay '2 days': a whole number of seconds from 0 to 86400"],
    ['clientDnsCache 2 h', { clientDnsCache: Duration.hours(2) }, "ResilienceObjectives: invalid clientDnsCache '2 hours': a whole number of seconds from 0 to 3600"],
    ['azFailure.rto 500 ms', { azFailure: { rto: Duration.millis(500), rpo: Duration.seconds(0) } }, "ResilienceObjectives: invalid azFailure.rto '500 millis': a whole number of seconds from 0 to 31536000"],
  ])('%s', (_name, props, message) => {
    expect(() => objectivesApp(props as Partial<ResilienceObjectivesProps>)).toThrow(message);
  });

  test('an objective without the part its budget needs', () => {
    const parts = runbookApp();
    expect(() => new ResilienceObjectives(parts.drStack, 'A', { azFailure: { rto: Duration.minutes(5), rpo: Duration.seconds(0) } }))
      .toThrow('ResilienceObjectives: invalid primary (unset): the MultiAzPostgres primary, to compute the budget azFailure is checked against');
    expect(() => new ResilienceObjectives(parts.drStack, 'B', { regionFailure: { rto: Duration.hours(1), rpo: Duration.minutes(1) } }))
      .toThrow('ResilienceObjectives: invalid runbook (unset): the FailoverRunbook, to compute the budget regionFailure is checked against');
    expect(() => new ResilienceObjectives(parts.drStack, 'C', { backupRestoreRpo: Duration.hours(1) }))
      .toThrow('ResilienceObjectives: invalid backupReplication (unset): the BackupReplication');
  });

  test('a Region objective with a runbook that moves no DNS name', () => {
    const parts = failoverApp();
    const runbook = new FailoverRunbook(parts.drStack, 'Runbook', { replica: parts.replica, topic: parts.drAlarms.topic, topicKey: parts.drAlarms.topicKey });
    expect(() => new ResilienceObjectives(parts.drStack, 'Objectives', { runbook, regionFailure: { rto: Duration.hours(2), rpo: Duration.minutes(2) } }))
      .toThrow("ResilienceObjectives: invalid runbook 'Dr/Runbook': a runbook with failover records when regionFailure is given");
  });

  test('an AZ objective on a Single-AZ primary', () => {
    const { primary, drStack } = twoRegionApp({ multiAz: false, acknowledgeSingleAz: true });
    expect(() => new ResilienceObjectives(drStack, 'Objectives', { primary, azFailure: { rto: Duration.minutes(5), rpo: Duration.seconds(0) } }))
      .toThrow("ResilienceObjectives: invalid primary 'Primary/Orders': a Multi-AZ primary when azFailure is given");
  });
});
