import { Template } from 'aws-cdk-lib/assertions';
import { failoverApp } from '../util';

/**
 * Failover over time: the synthesized templates (health checks, the alarms they name, the failover records) played
 * minute by minute against per-minute metric data streams, computing every health check and the answer of each name.
 *
 * The rules, each from AWS's documentation:
 * - R1 A CLOUDWATCH_METRIC health check follows the alarm's data stream, not the alarm state: healthy when the data
 *   says OK, unhealthy when it says ALARM, else `InsufficientDataHealthStatus` (Healthy, Unhealthy, or the status of
 *   the last time the data sufficed; a new check without one is healthy).
 *   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html#dns-failover-determining-health-of-endpoints-cloudwatch
 *   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html#health-checks-creating-values-cloudwatch
 * - R2 Only standard-resolution metrics and the statistics Average, Minimum, Maximum, Sum, SampleCount. (same page)
 * - R3 A CALCULATED check is healthy when at least HealthThreshold children are; it cannot watch another calculated check.
 *   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html#health-checks-creating-values-calculated
 * - R4 Inverted turns healthy into unhealthy and back. (same page, "Invert health check status")
 * - R5 Failover records: the primary when healthy; else the secondary when healthy; both unhealthy: the primary.
 *   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html
 * - R6 Alarm evaluation: CloudWatch reads an evaluation range longer than EvaluationPeriods (N); with N or more real
 *   datapoints in it, the most recent N decide and TreatMissingData is not used; with fewer, missing points are filled
 *   with TreatMissingData (`breaching`/`notBreaching`), `missing` with none at all is INSUFFICIENT_DATA, `ignore` keeps
 *   the state; ALARM when at least DatapointsToAlarm of the evaluated points breach. The range is modelled as N + 2,
 *   as in the guide's example (5 datapoints for N = 3).
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html
 *
 * AWS does not say whether Route 53's reading of the data stream applies the alarm's TreatMissingData, so every
 * scenario runs under both readings: `stream` (missing stays missing) and `treat` (TreatMissingData applied).
 * Nor does it publish how long a check takes to follow its alarm's data, so every scenario also runs with each
 * alarm-based check lagging 0 or 1 minute behind the data, in many combinations; the invariants that concern a
 * change of the truth (promotion, lift) then allow that one minute of propagation.
 */

type Db = 'primary' | 'dr';
type DbState = 'writable' | 'read-only' | 'down';
type Reading = 'stream' | 'treat';
type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

interface AlarmModel {
  readonly key: string;
  readonly statistic: string;
  readonly threshold: number;
  readonly comparison: string;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: string;
}

interface Model {
  readonly alarms: Record<string, AlarmModel>;
  readonly checks: Record<string, any>;
  /** Per name, the PRIMARY and SECONDARY records' health check ids. */
  readonly names: Record<string, { PRIMARY: string; SECONDARY: string }>;
}

/** Reads the health checks, the alarms they name and the failover records from the templates. */
function readModel(templates: any[]): Model {
  const resources: Record<string, any> = Object.assign({}, ...templates.map((t) => t.Resources));
  const alarms: Record<string, AlarmModel> = {};
  const checks: Record<string, any> = {};
  const names: Record<string, any> = {};
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties;
    if (r.Type === 'AWS::CloudWatch::Alarm') {
      const instance = p.Dimensions?.find((d: any) => d.Name === 'DBInstanceIdentifier')?.Value;
      alarms[p.AlarmName] = {
        key: `${p.Namespace}/${p.MetricName}/${instance}`,
        statistic: p.Statistic,
        threshold: p.Threshold,
        comparison: p.ComparisonOperator,
        evaluationPeriods: p.EvaluationPeriods,
        datapointsToAlarm: p.DatapointsToAlarm ?? p.EvaluationPeriods,
        treatMissingData: p.TreatMissingData ?? 'missing',
      };
      // R2
      if (p.Period < 60 || !['Average', 'Minimum', 'Maximum', 'Sum', 'SampleCount'].includes(p.Statistic)) {
        alarms[p.AlarmName] = { ...alarms[p.AlarmName], statistic: 'UNSUPPORTED' };
      }
    } else if (r.Type === 'AWS::Route53::HealthCheck') {
      checks[id] = p.HealthCheckConfig;
    } else if (r.Type === 'AWS::Route53::RecordSet' && p.Failover) {
      names[p.Name] = { ...names[p.Name], [p.Failover]: p.HealthCheckId['Fn::GetAtt'][0] };
    }
  }
  return { alarms, checks, names };
}

type Streams = Record<string, Array<number | undefined>>;

class Simulation {
  private readonly alarmState: Record<string, AlarmState> = {};
  private readonly history: Record<string, AlarmState[]> = {};
  private readonly lastKnown: Record<string, boolean> = {};

  /** `lags`: per alarm-based health check, how many minutes it trails its alarm's data. */
  constructor(private readonly model: Model, private readonly streams: Streams, private readonly reading: Reading,
    private readonly lags: Record<string, number> = {}) {}

  /** R6, per alarm, at minute t. */
  private evaluateAlarm(name: string, t: number): AlarmState {
    const alarm = this.model.alarms[name];
    if (alarm === undefined || alarm.statistic === 'UNSUPPORTED') {
      throw new Error(`health check names an alarm Route 53 cannot use: ${name}`);
    }
    const stream = this.streams[alarm.key] ?? [];
    const breaches = (v: number) => {
      const value = alarm.statistic === 'SampleCount' ? 1 : v;
      return {
        GreaterThanOrEqualToThreshold: value >= alarm.threshold,
        GreaterThanThreshold: value > alarm.threshold,
        LessThanThreshold: value < alarm.threshold,
        LessThanOrEqualToThreshold: value <= alarm.threshold,
      }[alarm.comparison]!;
    };
    // The evaluation range: more datapoints than EvaluationPeriods (the guide's example retrieves 5 for 3).
    const n = alarm.evaluationPeriods;
    const present: boolean[] = [];
    for (let i = t - n - 1; i <= t; i++) {
      const v = i >= 0 ? stream[i] : undefined;
      if (v !== undefined) {
        present.push(breaches(v));
      }
    }
    let evaluated: boolean[];
    if (present.length >= n) {
      // Enough real datapoints: the most recent N, and TreatMissingData is not used.
      evaluated = present.slice(-n);
    } else if (this.reading === 'treat' && ['breaching', 'notBreaching'].includes(alarm.treatMissingData)) {
      evaluated = [...present, ...Array(n - present.length).fill(alarm.treatMissingData === 'breaching')];
    } else if (present.length === 0) {
      // `missing` (or a data stream read without TreatMissingData): insufficient data; `ignore` keeps the state.
      return this.reading === 'treat' && alarm.treatMissingData === 'ignore' ? this.alarmState[name] ?? 'INSUFFICIENT_DATA' : 'INSUFFICIENT_DATA';
    } else {
      // Fewer real datapoints than N: OK when one of them does not breach, ALARM when all breach (the guide's
      // tables give ALARM or INSUFFICIENT_DATA there; every alarm-based check here counts both as unhealthy).
      return present.every(Boolean) || present.filter(Boolean).length >= alarm.datapointsToAlarm ? 'ALARM' : 'OK';
    }
    const state: AlarmState = evaluated.filter(Boolean).length >= alarm.datapointsToAlarm ? 'ALARM' : 'OK';
    return state;
  }

  /** Every alarm, then every health check (R1, R3, R4), at minute t. */
  public step(t: number): Record<string, boolean> {
    const named = new Set(Object.values(this.model.checks).filter((c) => c.Type === 'CLOUDWATCH_METRIC').map((c) => c.AlarmIdentifier.Name as string));
    for (const name of named) {
      this.alarmState[name] = this.evaluateAlarm(name, t);
      (this.history[name] ??= [])[t] = this.alarmState[name];
    }
    const status: Record<string, boolean> = {};
    const evaluate = (id: string, parentCalculated = false): boolean => {
      const config = this.model.checks[id];
      let healthy: boolean;
      if (config.Type === 'CLOUDWATCH_METRIC') {
        const seen = t - (this.lags[id] ?? 0);
        const state = seen >= 0 ? this.history[config.AlarmIdentifier.Name][seen] : 'INSUFFICIENT_DATA';
        if (state === 'INSUFFICIENT_DATA') {
          healthy = config.InsufficientDataHealthStatus === 'Healthy' ? true
            : config.InsufficientDataHealthStatus === 'LastKnownStatus' ? this.lastKnown[id] ?? true : false;
        } else {
          healthy = state === 'OK';
          this.lastKnown[id] = healthy;
        }
      } else if (config.Type === 'CALCULATED') {
        if (parentCalculated) {
          throw new Error(`calculated health check ${id} is the child of a calculated health check, which Route 53 refuses`);
        }
        const children = config.ChildHealthChecks.map((c: any) => evaluate(c['Fn::GetAtt'][0], true));
        healthy = children.filter(Boolean).length >= config.HealthThreshold;
      } else {
        throw new Error(`the simulation models CLOUDWATCH_METRIC and CALCULATED checks, not ${config.Type}`);
      }
      return config.Inverted ? !healthy : healthy;
    };
    for (const id of Object.keys(this.model.checks)) {
      status[id] = evaluate(id);
    }
    return status;
  }

  /** R5. */
  public answer(status: Record<string, boolean>, name: string): Db {
    const records = this.model.names[name];
    return status[records.PRIMARY] ? 'primary' : status[records.SECONDARY] ? 'dr' : 'primary';
  }
}

/** One minute of the world: the databases, whether each probe runs, and what the runbook or an operator publishes. */
interface Minute {
  readonly primary: DbState;
  readonly dr: DbState;
  readonly primaryProbe: boolean;
  readonly drProbe: boolean;
  /** The runbook publishes Promoted=1 (and Writable=1) at promotion. */
  readonly runbookPromotes?: boolean;
  /** The operator lifts the fence: Promoted=0. */
  readonly operatorLifts?: boolean;
}

const IDS: Record<Db, string> = { primary: 'orders-primary', dr: 'orders-dr' };
const NS = 'CdkResilientPostgres';

/** What the probes (db-probe.lambda.ts: the DR probe publishes Promoted), the runbook and the operator publish. */
function streamsOf(minutes: Minute[]): Streams {
  const streams: Streams = {};
  const put = (t: number, db: Db, metric: string, value: number) => {
    (streams[`${NS}/${metric}/${IDS[db]}`] ??= [])[t] = value;
  };
  minutes.forEach((m, t) => {
    for (const db of ['primary', 'dr'] as Db[]) {
      if (db === 'primary' ? m.primaryProbe : m.drProbe) {
        put(t, db, 'Writable', m[db] === 'writable' ? 1 : 0);
        put(t, db, 'Reachable', m[db] === 'down' ? 0 : 1);
        if (db === 'dr' && m.dr === 'writable') {
          put(t, db, 'Promoted', 1);
        }
      }
    }
    if (m.runbookPromotes) {
      put(t, 'dr', 'Promoted', 1);
      put(t, 'dr', 'Writable', 1);
    }
    if (m.operatorLifts) {
      put(t, 'dr', 'Promoted', 0);
    }
  });
  return streams;
}

interface Outcome {
  readonly writer: string;
  readonly reader: string;
  readonly violations: string[];
}

/**
 * Plays a scenario and checks the invariants at every minute. `grace`: minutes after a promotion or a lift during
 * which the names may still follow the previous truth (propagation), never into two writable databases.
 */
function play(model: Model, minutes: Minute[], reading: Reading, lags: Record<string, number> = {}, grace = 0): Outcome {
  const sim = new Simulation(model, streamsOf(minutes), reading, lags);
  const violations: string[] = [];
  const writers: Db[] = [];
  const readers: Db[] = [];
  let fenced = false;
  let changedAt = -Infinity;
  minutes.forEach((m, t) => {
    // The truth: promoted once the DR instance is writable (or the runbook says so), until the operator lifts.
    const was = fenced;
    if (m.dr === 'writable' || m.runbookPromotes) {
      fenced = true;
    }
    if (m.operatorLifts) {
      fenced = false;
    }
    if (fenced !== was) {
      changedAt = t;
    }
    const settled = t - changedAt >= grace;
    const status = sim.step(t);
    const writer = sim.answer(status, 'writer.orders.internal.');
    const reader = model.names['reader.orders.internal.'] ? sim.answer(status, 'reader.orders.internal.') : writer;
    writers.push(writer);
    readers.push(reader);
    const at = `minute ${t} (${reading})`;
    if (fenced && (settled || m.primary === 'writable') && writer === 'primary') {
      violations.push(`${at}: writer answers the fenced old primary`);
    }
    if (fenced && (settled || m.primary === 'writable') && reader === 'primary') {
      violations.push(`${at}: reader answers the fenced old primary`);
    }
    if (!fenced && settled && writer === 'dr' && m.dr !== 'writable') {
      violations.push(`${at}: writer answers the DR replica, which is not writable`);
    }
    if (!fenced && settled && m.primary === 'writable' && m.dr !== 'writable' && writer !== 'primary') {
      violations.push(`${at}: writer leaves the writable primary`);
    }
    if (writer !== reader && m[writer] === 'writable' && m[reader] === 'writable') {
      violations.push(`${at}: writer and reader answer two writable databases`);
    }
  });
  const compress = (xs: Db[]) => xs.map((x) => (x === 'primary' ? 'P' : 'D')).join('');
  return { writer: compress(writers), reader: compress(readers), violations };
}

// --- Scenarios -------------------------------------------------------------------------------------------------------
const NORMAL: Minute = { primary: 'writable', dr: 'read-only', primaryProbe: true, drProbe: true };
/** `length` minutes, `NORMAL` changed by the first matching rule of `changes` ([from, to) minute ranges). */
function timeline(length: number, changes: Array<[number, number, Partial<Minute>]>): Minute[] {
  return Array.from({ length }, (_, t) => changes.filter(([from, to]) => t >= from && t < to)
    .reduce((m, [, , change]) => ({ ...m, ...change }), NORMAL));
}
const LOST = { primary: 'down', primaryProbe: false } as const;
const PROMOTED = { dr: 'writable' } as const;

const SCENARIOS: Record<string, Minute[]> = {
  'normal operation (no latch data ever: new health checks)': timeline(30, []),
  'primary Region lost, no promotion': timeline(40, [[10, 40, LOST]]),
  'primary Region lost, promotion (probe sees it)': timeline(60, [[10, 60, LOST], [25, 60, PROMOTED]]),
  'promotion announced by the runbook before the DR probe sees it': timeline(40, [[10, 40, LOST], [25, 26, { runbookPromotes: true }], [26, 40, PROMOTED]]),
  'promoted DB reboots (Writable 0, Reachable 0 for 5 min)': timeline(60, [[10, 60, LOST], [20, 60, PROMOTED], [30, 35, { dr: 'down' }]]),
  'promoted DB Multi-AZ failover (2 min down)': timeline(60, [[10, 60, LOST], [20, 60, PROMOTED], [40, 42, { dr: 'down' }]]),
  'DR probe outage before promotion (missing data 10 min)': timeline(40, [[10, 20, { drProbe: false }]]),
  'primary probe outage (missing data 5 min)': timeline(40, [[10, 15, { primaryProbe: false }]]),
  'DR probe outage after promotion (missing data 2 h)': timeline(200, [[10, 200, LOST], [20, 200, PROMOTED], [30, 150, { drProbe: false }]]),
  'old primary back writable after promotion, promoted DB rebooting meanwhile': timeline(90, [
    [10, 40, LOST], [20, 90, PROMOTED], [50, 56, { dr: 'down' }], [60, 90, { drProbe: false }],
  ]),
  'operator lifts the fence after the promoted DB is gone': timeline(90, [
    [10, 40, LOST], [20, 60, PROMOTED], [60, 90, { dr: 'down' }], [62, 63, { operatorLifts: true }],
  ]),
};

const READINGS: Reading[] = ['stream', 'treat'];

function templatesOf(app: ReturnType<typeof failoverApp>): any[] {
  return [Template.fromStack(app.primaryStack).toJSON(), Template.fromStack(app.drStack).toJSON()];
}

describe('the fenced failover, minute by minute', () => {
  const model = readModel(templatesOf(failoverApp()));

  test.each(Object.keys(SCENARIOS).flatMap((s) => READINGS.map((r) => [s, r] as [string, Reading])))('%s (%s)', (scenario, reading) => {
    expect(play(model, SCENARIOS[scenario], reading).violations).toEqual([]);
  });

  test.each(Object.keys(SCENARIOS))('%s, with health checks trailing their data by 0 or 1 minute in 66 combinations', (scenario) => {
    const alarmChecks = Object.keys(model.checks).filter((id) => model.checks[id].Type === 'CLOUDWATCH_METRIC').sort();
    let seed = 20261126;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const patterns = [0, 1].map((lag) => Object.fromEntries(alarmChecks.map((id) => [id, lag])))
      .concat(Array.from({ length: 64 }, () => Object.fromEntries(alarmChecks.map((id) => [id, random() < 0.5 ? 0 : 1]))));
    for (const reading of READINGS) {
      for (const lags of patterns) {
        expect({ lags, violations: play(model, SCENARIOS[scenario], reading, lags, 1).violations }).toEqual({ lags, violations: [] });
      }
    }
  });

  test('the answers of the key scenarios, minute by minute', () => {
    for (const reading of READINGS) {
      const lost = play(model, SCENARIOS['primary Region lost, promotion (probe sees it)'], reading);
      expect(lost.writer).toBe('P'.repeat(25) + 'D'.repeat(35));
      const reboot = play(model, SCENARIOS['old primary back writable after promotion, promoted DB rebooting meanwhile'], reading);
      expect(reboot.writer).toBe('P'.repeat(20) + 'D'.repeat(70));
      // The reader leaves the lost primary once its unreachable alarm fires, and never goes back.
      expect(reboot.reader).toMatch(/^P{10,14}D{76,80}$/);
      const lift = play(model, SCENARIOS['operator lifts the fence after the promoted DB is gone'], reading);
      expect(lift.writer).toBe('P'.repeat(20) + 'D'.repeat(42) + 'P'.repeat(28));
      expect(lift.reader.slice(62)).toBe('P'.repeat(28));
    }
  });
});

describe('negative controls: the simulation catches a fence that does not hold', () => {
  const scenario = SCENARIOS['old primary back writable after promotion, promoted DB rebooting meanwhile'];

  test('the previous wiring (primary writer fenced by the Writable signal alone, reader unfenced)', () => {
    const template = templatesOf(failoverApp());
    const resources = template[1].Resources;
    const find = (prefix: string) => Object.keys(resources).find((id) => id.startsWith(prefix))!;
    const getAtt = (prefix: string) => ({ 'Fn::GetAtt': [find(prefix), 'HealthCheckId'] });
    resources[find('FailoverPrimaryWriterFencedHealthCheck')].Properties.HealthCheckConfig = {
      Type: 'CALCULATED', ChildHealthChecks: [getAtt('FailoverPrimaryWriterHealthCheck'), getAtt('FailoverSecondaryReadOnlyHealthCheck')], HealthThreshold: 2,
    };
    resources[find('FailoverWriterSecondary')].Properties.HealthCheckId = getAtt('FailoverSecondaryWriterHealthCheckF');
    resources[find('FailoverReaderPrimary')].Properties.HealthCheckId = getAtt('FailoverPrimaryReaderHealthCheckF');
    resources[find('FailoverReaderSecondary')].Properties.HealthCheckId = getAtt('FailoverSecondaryReaderHealthCheckC');
    const model = readModel(template);
    for (const reading of READINGS) {
      const outcome = play(model, scenario, reading);
      expect(outcome.violations).toContainEqual(expect.stringMatching(/writer answers the fenced old primary/));
      expect(outcome.violations).toContainEqual(expect.stringMatching(/reader answers the fenced old primary/));
    }
  });

  test('no fence at all (secondary.writableAlarm unset)', () => {
    const app = failoverApp({
      secondary: { endpointAddress: 'orders-dr.cluster.us-west-2.rds.amazonaws.com', notWritableAlarm: failoverApp().drProbe.notWritableAlarm },
      readerRecordName: undefined,
    });
    const outcome = play(readModel(templatesOf(app)), scenario, 'stream');
    expect(outcome.violations).toContainEqual(expect.stringMatching(/writer answers the fenced old primary/));
  });

  test('a latch alarm that counts missing data as OK (notBreaching), if Route 53 applies TreatMissingData', () => {
    const template = templatesOf(failoverApp());
    const latch = Object.values(template[1].Resources).find((r: any) => r.Properties?.AlarmName === 'orders-dr-promoted') as any;
    latch.Properties.TreatMissingData = 'notBreaching';
    const model = readModel(template);
    expect(play(model, scenario, 'treat').violations).toContainEqual(expect.stringMatching(/writer answers the fenced old primary/));
    expect(play(model, scenario, 'stream').violations).toEqual([]);
  });

  test('Route 53 refuses a calculated check under a calculated check, and so does the simulation', () => {
    const template = templatesOf(failoverApp());
    const resources = template[1].Resources;
    const find = (prefix: string) => Object.keys(resources).find((id) => id.startsWith(prefix))!;
    resources[find('FailoverSecondaryWriterOrLatchedHealthCheck')].Properties.HealthCheckConfig.ChildHealthChecks
      .push({ 'Fn::GetAtt': [find('FailoverPrimaryWriterFencedHealthCheck'), 'HealthCheckId'] });
    expect(() => play(readModel(template), SCENARIOS['normal operation (no latch data ever: new health checks)'], 'stream'))
      .toThrow(/child of a calculated health check/);
  });
});
