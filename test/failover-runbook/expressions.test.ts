/**
 * The runbook's JSONata expressions, taken from the synthesized definition and evaluated with the reference
 * JavaScript implementation (jsonata 2.x), on inputs the execution tests cannot produce: moto's RDS model has no
 * StatusInfos, and moto does not evaluate alarms.
 */
import { Template } from 'aws-cdk-lib/assertions';
import jsonata from 'jsonata';
import { runbookApp } from '../util';

const { drStack } = runbookApp();
const machine = Object.values<any>(Template.fromStack(drStack).toJSON().Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
const states = JSON.parse(machine.Properties.DefinitionString).States;

/** Evaluates a `{% … %}` field with workflow variables and `$states`; `$parse` is the function Step Functions adds. */
async function evaluate(field: string, variables: Record<string, unknown>, statesVariable: object = {}): Promise<unknown> {
  const match = /^\{% (.*) %\}$/s.exec(field);
  expect(match).not.toBeNull();
  const expression = jsonata(match![1]);
  expression.registerFunction('parse', (text: string) => JSON.parse(text));
  return expression.evaluate({}, { ...variables, states: statesVariable });
}

describe('replication status from RDS (StatusInfos)', () => {
  const field = states.ReadEvidence.Assign.replicationBroken;
  const statusInfo = (status: string, normal: boolean) => ({ StatusType: 'read replication', Status: status, Normal: normal });

  test.each([
    ['replicating', true, false],
    ['error', false, true],
    ['stopped', false, true],
    ['terminated', false, true],
  ])('read replication %s (Normal %s) counts as broken: %s', async (status, normal, broken) => {
    expect(await evaluate(field, { replica: { StatusInfos: [statusInfo(status, normal)] } })).toBe(broken);
  });

  test('no StatusInfos (moto, or an instance that is not a replica) is not evidence', async () => {
    expect(await evaluate(field, { replica: {} })).toBe(false);
  });

  test('another status type is ignored', async () => {
    expect(await evaluate(field, { replica: { StatusInfos: [{ StatusType: 'other', Status: 'error', Normal: false }] } })).toBe(false);
  });
});

describe('the evidence count', () => {
  const condition = states.EnoughEvidence.Choices[0].Condition;
  test.each([
    [[], false, false],
    [['orders-dr-replication-stalled'], false, false],
    [[], true, false],
    [['orders-dr-replication-stalled'], true, true],
  ])('alarms %j, replication broken %s: enough = %s', async (evidence, replicationBroken, enough) => {
    expect(await evaluate(condition, { evidence, replicationBroken })).toBe(enough);
  });

  test('alarms in ALARM are picked from DescribeAlarms, and none gives an empty list', async () => {
    const field = states.ReadEvidence.Assign.evidence;
    const result = (states: string[]) => ({ result: { MetricAlarms: states.map((s, i) => ({ AlarmName: `a${i}`, StateValue: s })) } });
    expect(await evaluate(field, {}, result(['ALARM', 'OK', 'ALARM']))).toEqual(['a0', 'a2']);
    expect(await evaluate(field, {}, result(['ALARM']))).toEqual(['a0']);
    expect(await evaluate(field, {}, result(['OK', 'INSUFFICIENT_DATA']))).toEqual([]);
  });
});

describe('the lag the RPO guard read', () => {
  const field = states.ReadLagGuard.Assign.lagSeconds;
  test('the largest recent datapoint from StateReasonData', async () => {
    const data = JSON.stringify({ version: '1.0', statistic: 'Maximum', period: 900, recentDatapoints: [4, 41.5], threshold: 60 });
    expect(await evaluate(field, {}, { result: { MetricAlarms: [{ StateValue: 'OK', StateReasonData: data }] } })).toBe(41.5);
  });
  test('no StateReasonData: unknown', async () => {
    expect(await evaluate(field, {}, { result: { MetricAlarms: [{ StateValue: 'INSUFFICIENT_DATA' }] } })).toBeNull();
  });
  test('a missing alarm reads as MISSING, which the guard refuses', async () => {
    expect(await evaluate(states.ReadLagGuard.Assign.lagState, {}, { result: { MetricAlarms: [] } })).toBe('MISSING');
    expect(await evaluate(states.LagWithinRpo.Choices[0].Condition, { lagState: 'MISSING' })).toBe(false);
  });
});

describe('force', () => {
  test.each([[{ force: true }, true], [{ force: 'true' }, false], [{ force: 1 }, false], [{}, false]])('%j forces: %s', async (input, forced) => {
    expect(await evaluate(states.Initialize.Assign.force, {}, { input })).toBe(forced);
  });
});

describe('the report', () => {
  test('detection-to-writable and promotion seconds from the timestamps', async () => {
    const output = await evaluate(states.Report.Output, {
      outcome: 'promoted', trigger: 'alarm', reason: 'r', force: false, approvedBy: null, evidence: ['x', 'y'], replicationBroken: true,
      lagState: 'OK', lagSeconds: 7, fenceRecorded: true, fenceState: 'ALARM',
      detectedAt: '2026-11-23T10:00:00Z', startedAt: '2026-11-23T10:00:05.000Z', promoteRequestedAt: '2026-11-23T10:00:09.500Z',
      writableAt: '2026-11-23T10:06:30.250Z', polls: 13, timeline: [], notifyFailures: [],
    }) as any;
    expect(output.detectionToWritableSeconds).toBe(390.25);
    expect(output.promotionSeconds).toBe(380.75);
    expect(output.lagAtPromotionSeconds).toBe(7);
    expect(output.evidence).toEqual({ alarmsInAlarm: ['x', 'y'], replicationStatusBroken: true, signals: 3, required: 2 });
  });

  test('a resumed run has no promotion time', async () => {
    const output = await evaluate(states.Report.Output, {
      outcome: 'already-promoted', detectedAt: '2026-11-23T10:00:00Z', promoteRequestedAt: null, writableAt: '2026-11-23T10:01:00Z',
      evidence: [], replicationBroken: false, timeline: [], notifyFailures: [],
    }) as any;
    expect(output.promotionSeconds).toBeNull();
    expect(output.detectionToWritableSeconds).toBe(60);
  });
});
