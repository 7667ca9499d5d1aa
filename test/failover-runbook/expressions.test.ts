/**
 * The runbook's JSONata expressions, taken from the synthesized definition and evaluated with the reference
 * JavaScript implementation (jsonata 2.x), on inputs the execution tests cannot produce (moto's RDS model has no
 * StatusInfos) and on ReplicaLag series with exact timestamps.
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
    const result = (alarmStates: string[]) => ({ result: { MetricAlarms: alarmStates.map((s, i) => ({ AlarmName: `a${i}`, StateValue: s })) } });
    expect(await evaluate(field, {}, result(['ALARM', 'OK', 'ALARM']))).toEqual(['a0', 'a2']);
    expect(await evaluate(field, {}, result(['ALARM']))).toEqual(['a0']);
    expect(await evaluate(field, {}, result(['OK', 'INSUFFICIENT_DATA']))).toEqual([]);
  });
});

describe('the bound on the data the replica lacks, from ReplicaLag', () => {
  const field = states.ReadLag.Assign.lag;
  const guard = states.LagWithinRpo.Choices[0].Condition;
  const minute = Date.parse('2026-11-23T10:00:00Z');
  /** A GetMetricData result: one datapoint a minute, the last at 10:00, oldest first unless `order` says otherwise. */
  const series = (lags: number[], order: 'ascending' | 'descending' = 'ascending') => {
    const points = lags.map((lag, i) => ({ at: new Date(minute - (lags.length - 1 - i) * 60_000).toISOString(), lag }));
    if (order === 'descending') points.reverse();
    return { result: { MetricDataResults: [{ Id: 'lag', Timestamps: points.map((p) => p.at), Values: points.map((p) => p.lag) }] } };
  };
  const analyse = async (lags: number[], order?: 'ascending' | 'descending') => evaluate(field, {}, series(lags, order)) as Promise<any>;

  test('healthy replication: the bound is the latest lag', async () => {
    expect(await analyse([2, 1, 3, 2, 2])).toMatchObject({ datapoints: 5, boundSeconds: 2, latestSeconds: 2, lastReplayAt: '2026-11-23T09:59:58.000Z' });
  });

  test('the primary stopped 32 s after its last replayed transaction: the lag grows, the bound stays 32', async () => {
    const lag = await analyse([2, 1, 3, 2, 32, 92, 152, 212]);
    expect(lag).toMatchObject({ boundSeconds: 32, latestSeconds: 212, lastReplayAt: '2026-11-23T09:56:28.000Z' });
    expect(await evaluate(guard, { lag })).toBe(true);
  });

  test('the same series in descending order gives the same bound', async () => {
    expect((await analyse([2, 1, 3, 2, 32, 92, 152, 212], 'descending')).boundSeconds).toBe(32);
  });

  test('a replica falling behind when the primary stopped: bound 202 s, refused against 60 s', async () => {
    const lag = await analyse([2, 42, 82, 122, 162, 202, 262, 322]);
    expect(lag.boundSeconds).toBe(202);
    expect(await evaluate(guard, { lag })).toBe(false);
  });

  test('a primary without writes: the lag grows from the last commit, and the bound is the first lag at that position', async () => {
    // Last commit at 09:53:00, replayed; nothing since. The loss is zero; the bound is the first sample's 30 s.
    expect((await analyse([30, 90, 150, 210, 270, 330, 390, 450])).boundSeconds).toBe(30);
  });

  test('sampling jitter under 10 s does not move the bound', async () => {
    expect((await analyse([2, 1, 32, 95, 149, 214])).boundSeconds).toBe(32);
  });

  test('-1 datapoints (replication not active) are left out', async () => {
    expect(await analyse([-1, 2, -1, 3])).toMatchObject({ datapoints: 2, boundSeconds: 3 });
  });

  test('timestamps as epoch seconds give the same analysis as ISO 8601 strings', async () => {
    const lags = [2, 1, 3, 2, 32, 92, 152, 212];
    const iso = series(lags);
    const epoch = {
      result: {
        MetricDataResults: [{
          ...iso.result.MetricDataResults[0],
          Timestamps: iso.result.MetricDataResults[0].Timestamps.map((t) => Date.parse(t) / 1000),
        }],
      },
    };
    expect(typeof epoch.result.MetricDataResults[0].Timestamps[0]).toBe('number');
    const fromEpoch = await evaluate(field, {}, epoch) as any;
    const fromIso = await analyse(lags);
    expect(fromEpoch).toMatchObject({ datapoints: 8, boundSeconds: 32, latestSeconds: 212, lastReplayAt: '2026-11-23T09:56:28.000Z' });
    expect({ ...fromEpoch, replayStalledSeconds: 0 }).toEqual({ ...fromIso, replayStalledSeconds: 0 });
  });

  test('no datapoints: no bound, and the guard refuses', async () => {
    const lag = await analyse([]);
    expect(lag).toEqual({ datapoints: 0, boundSeconds: null });
    expect(await evaluate(guard, { lag })).toBe(false);
    expect(await analyse([-1, -1])).toEqual({ datapoints: 0, boundSeconds: null });
  });
});

describe('the replica\'s status', () => {
  const waits = states.ReplicaReady.Choices[1].Condition;
  test.each([
    ['backing-up', true], ['modifying', true], ['rebooting', true], ['configuring-enhanced-monitoring', true],
    ['configuring-log-exports', true], ['configuring-iam-database-auth', true], ['maintenance', true], ['upgrading', true],
    ['storage-optimization', true], ['starting', true],
    ['stopped', false], ['failed', false], ['storage-full', false], ['incompatible-parameters', false],
    ['inaccessible-encryption-credentials', false], ['deleting', false],
  ])('%s: a run the alarm started waits for it (%s)', async (status, wait) => {
    const replica = { DbInstanceStatus: status };
    expect(await evaluate(waits, { trigger: 'alarm', guardChecks: 0, replica })).toBe(wait);
    // An operator's run never waits, nor does the alarm's once its re-checks are spent.
    expect(await evaluate(waits, { trigger: 'operator', guardChecks: 0, replica })).toBe(false);
    expect(await evaluate(waits, { trigger: 'alarm', guardChecks: 5, replica })).toBe(false);
  });

  test('the promoted instance counts as available only once it is no longer a replica', async () => {
    const field = states.DescribePromotion.Assign.availableAt;
    const result = (status: string, source?: string) => ({
      result: { DbInstances: [{ DbInstanceStatus: status, ReadReplicaSourceDBInstanceIdentifier: source }] },
    });
    expect(await evaluate(field, { availableAt: null }, result('available', 'arn:aws:rds:us-east-1:1:db:p'))).toBeNull();
    expect(await evaluate(field, { availableAt: null }, result('backing-up'))).toBeNull();
    expect(await evaluate(field, { availableAt: null }, result('available'))).toMatch(/^\d{4}-/);
    expect(await evaluate(field, { availableAt: '2026-11-23T10:00:00.000Z' }, result('available'))).toBe('2026-11-23T10:00:00.000Z');
  });
});

describe('force', () => {
  test.each([[{ force: true }, true], [{ force: 'true' }, false], [{ force: 1 }, false], [{}, false]])('%j forces: %s', async (input, forced) => {
    expect(await evaluate(states.Initialize.Assign.force, {}, { input })).toBe(forced);
  });
});

describe('the detection time', () => {
  const context = { Execution: { StartTime: '2026-11-23T10:05:00.000Z' } };
  test.each([
    ['2026-11-23T10:00:00Z', '2026-11-23T10:00:00Z'],
    ['2026-11-23T10:00:00.250Z', '2026-11-23T10:00:00.250Z'],
    ['yesterday', '2026-11-23T10:05:00.000Z'],
    ['2026-11-23 10:00', '2026-11-23T10:05:00.000Z'],
    [1795440000, '2026-11-23T10:05:00.000Z'],
    [undefined, '2026-11-23T10:05:00.000Z'],
  ])('input %j gives %s (anything but an ISO 8601 UTC time falls back to the start)', async (given, expected) => {
    expect(await evaluate(states.Initialize.Assign.detectedAt, {}, { input: given === undefined ? {} : { detectedAt: given }, context }))
      .toBe(expected);
  });
});

describe('the report', () => {
  test('detection-to-writable and promotion seconds from the timestamps', async () => {
    const output = await evaluate(states.Report.Output, {
      outcome: 'promoted',
      trigger: 'alarm',
      reason: 'r',
      force: false,
      approvedBy: null,
      evidence: ['x', 'y'],
      replicationBroken: true,
      lag: { datapoints: 10, boundSeconds: 7 },
      fenceRecorded: true,
      fenceState: 'ALARM',
      detectedAt: '2026-11-23T10:00:00Z',
      startedAt: '2026-11-23T10:00:05.000Z',
      promoteRequestedAt: '2026-11-23T10:00:09.500Z',
      writableAt: '2026-11-23T10:06:30.250Z',
      polls: 13,
      timeline: [],
      notifyFailures: [],
    }) as any;
    expect(output.detectionToWritableSeconds).toBe(390.25);
    expect(output.promotionSeconds).toBe(380.75);
    expect(output.lagAtPromotionSeconds).toBe(7);
    expect(output.evidence).toEqual({ alarmsInAlarm: ['x', 'y'], replicationStatusBroken: true, signals: 3, required: 2 });
  });

  test('a resumed run has no promotion time', async () => {
    const output = await evaluate(states.Report.Output, {
      outcome: 'already-promoted',
      detectedAt: '2026-11-23T10:00:00Z',
      promoteRequestedAt: null,
      writableAt: '2026-11-23T10:01:00Z',
      evidence: [],
      replicationBroken: false,
      timeline: [],
      notifyFailures: [],
    }) as any;
    expect(output.promotionSeconds).toBeNull();
    expect(output.detectionToWritableSeconds).toBe(60);
  });
});

describe('the approval request', () => {
  test('its commands run as printed in a shell, with the Region and the request\'s task token, each value one quoted word', async () => {
    const { drStack: approvalStack } = runbookApp({ approval: true });
    const approval = Object.values<any>(Template.fromStack(approvalStack).toJSON().Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
    const { Message: message, MessageStructure: structure } = JSON.parse(approval.Properties.DefinitionString).States.RequestApproval.Arguments;
    expect(structure).toBe('json');
    const perProtocol = JSON.parse(await evaluate(message, { evidence: [], replicationBroken: false, lag: {}, force: false },
      { context: { Execution: { Name: 'run-1' }, Task: { Token: 'token-1' } } }) as string);
    // SNS takes a JSON object of strings with a "default" key when MessageStructure is json.
    expect(Object.keys(perProtocol).sort()).toEqual(['default', 'email']);
    expect(typeof perProtocol.default).toBe('string');
    expect(typeof perProtocol.email).toBe('string');
    const approve = 'aws stepfunctions send-task-success --region us-west-2 --task-token \'token-1\' '
      + '--task-output \'{"approvedBy":"<your name>"}\'';
    const reject = 'aws stepfunctions send-task-failure --region us-west-2 --task-token \'token-1\' --error Rejected --cause \'<why>\'';
    const parsed = JSON.parse(perProtocol.default);
    expect(parsed.approve).toBe(approve);
    expect(parsed.reject).toBe(reject);
    expect(parsed.taskToken).toBe('token-1');
    // An e-mail is read as text: each command on a line of its own, exactly as a shell takes it (no JSON escaping).
    const lines = perProtocol.email.split('\n');
    expect(lines[lines.indexOf('To approve:') + 1]).toBe(approve);
    expect(lines[lines.indexOf('To reject:') + 1]).toBe(reject);
    expect(perProtocol.email.split('The request:')[0]).not.toContain('\\');
  });
});
