/**
 * Executes the FailoverRunbook's synthesized definition (ASL, JSONata) against moto server: RDS, CloudWatch, SNS,
 * SQS and Step Functions on 127.0.0.1, reset and seeded before each scenario with a primary in us-east-1, its
 * cross-Region replica in us-west-2, the alarms the runbook reads, and a topic with a queue subscribed to it.
 *
 * The replica's ReplicaLag is seeded as a minute-by-minute series (PutMetricData), which the runbook reads back with
 * GetMetricData. moto does not evaluate alarms from metrics, so each scenario sets the evidence alarms' states
 * (SetAlarmState); the alarm definitions are asserted in failover-runbook.test.ts. moto's RDS
 * model has no StatusInfos, so the replication-status signal is never present here; the scenarios count the
 * replication-stalled alarm plus one evidence alarm, and the StatusInfos expression is tested in definition.test.ts.
 */
import {
  CloudWatchClient, GetMetricDataCommand, PutMetricAlarmCommand, PutMetricDataCommand, SetAlarmStateCommand, StateValue,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateDBInstanceCommand, CreateDBInstanceReadReplicaCommand, DescribeDBInstancesCommand, ListTagsForResourceCommand,
  PromoteReadReplicaCommand, RDSClient,
} from '@aws-sdk/client-rds';
import {
  CreateStateMachineCommand, SendTaskFailureCommand,
  SendTaskSuccessCommand, SFNClient,
} from '@aws-sdk/client-sfn';
import { CreateTopicCommand, DeleteTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { drainMessages, ExecutionRun, MOTO_ACCOUNT, MotoServer, startExecution, waitForExecution } from './moto';
import { FailoverRunbook, FailoverRunbookProps } from '../../src';
import { sdkServicesOf } from '../contracts/sfn-sdk-contract';
import { DR_REGION, failoverApp, PRIMARY_REGION } from '../util';

jest.setTimeout(180_000);

const REPLICA = 'orders-dr';
const PRIMARY = 'orders-primary';
const CANARY = 'orders-primary-canary-from-us-west-2';
const STALLED = `${REPLICA}-replication-stalled`;
// With the latched fence the runbook reads the latch alarm (Route53DbFailover.latchAlarm).
const FENCE = `${REPLICA}-promoted`;

/** The synthesized definition string of the runbook, with its one substitution placeholder left in. */
function synthesizedDefinition(props: Partial<FailoverRunbookProps> = {}): string {
  const parts = failoverApp();
  const canary = new cloudwatch.Alarm(parts.drStack, 'PrimaryCanary', {
    alarmName: CANARY,
    metric: new cloudwatch.Metric({ namespace: 'OrdersApp', metricName: 'PrimaryCheckoutOk', period: Duration.minutes(1), statistic: 'Minimum' }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: 2,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
  new FailoverRunbook(parts.drStack, 'Runbook', {
    replica: parts.replica,
    topic: parts.drAlarms.topic,
    topicKey: parts.drAlarms.topicKey,
    failover: parts.failover,
    evidenceAlarms: [canary],
    pollInterval: Duration.seconds(10),
    // Short waits, so that the scenarios that wait run in seconds: two guard re-checks 10 s apart, one fence reading.
    guardRechecks: 2,
    guardRecheckInterval: Duration.seconds(10),
    fenceWait: Duration.seconds(0),
    ...props,
  });
  const machines = Template.fromStack(parts.drStack).findResources('AWS::StepFunctions::StateMachine');
  const [machine] = Object.values(machines);
  const definition = machine.Properties.DefinitionString;
  expect(typeof definition).toBe('string');
  expect(Object.keys(machine.Properties.DefinitionSubstitutions)).toEqual(['TopicArn']);
  return definition;
}

interface Seed {
  /** The replication-stalled alarm and the canary. */
  readonly evidence: [StateValue, StateValue];
  /** ReplicaLag, one datapoint a minute, oldest first; the last is a minute ago. */
  readonly lag: number[];
}

type Run = ExecutionRun;

let moto: MotoServer;
let rds: RDSClient; let rdsPrimary: RDSClient; let cw: CloudWatchClient; let sns: SNSClient; let sqs: SQSClient; let sfn: SFNClient;
let definition: string;
let approvalDefinition: string;
let fenceDefinition: string;
let queueUrl: string;
let topicArn: string;

beforeAll(async () => {
  definition = synthesizedDefinition();
  approvalDefinition = synthesizedDefinition({ approval: true });
  fenceDefinition = synthesizedDefinition({ fenceWait: Duration.seconds(40) });
  moto = await MotoServer.start(sdkServicesOf([JSON.parse(definition), JSON.parse(approvalDefinition), JSON.parse(fenceDefinition)]));
  const config = (region: string) => ({ endpoint: moto.endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  rds = new RDSClient(config(DR_REGION));
  rdsPrimary = new RDSClient(config(PRIMARY_REGION));
  cw = new CloudWatchClient(config(DR_REGION));
  sns = new SNSClient(config(DR_REGION));
  sqs = new SQSClient(config(DR_REGION));
  sfn = new SFNClient(config(DR_REGION));
});

afterAll(async () => {
  for (const client of [rds, rdsPrimary, cw, sns, sqs, sfn]) {
    client?.destroy();
  }
  await moto?.stop();
});

/** Resets moto and seeds the primary, the replica, the alarms in their states, the topic and its queue. */
async function seed(s: Seed, machineDefinition = definition): Promise<string> {
  await moto.reset();
  await rdsPrimary.send(new CreateDBInstanceCommand({
    DBInstanceIdentifier: PRIMARY,
    Engine: 'postgres',
    DBInstanceClass: 'db.m7g.large',
    AllocatedStorage: 100,
    MasterUsername: 'postgres',
    MasterUserPassword: 'not-a-real-password',
    BackupRetentionPeriod: 1,
    StorageEncrypted: true,
  }));
  await rds.send(new CreateDBInstanceReadReplicaCommand({
    DBInstanceIdentifier: REPLICA,
    SourceDBInstanceIdentifier: `arn:aws:rds:${PRIMARY_REGION}:${MOTO_ACCOUNT}:db:${PRIMARY}`,
    DBInstanceClass: 'db.m7g.large',
  }));
  for (const name of [STALLED, CANARY, FENCE]) {
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'AWS/RDS',
      MetricName: 'ReplicaLag',
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    }));
  }
  const set = (name: string, state: StateValue) => cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: `seeded ${state}` }));
  await set(STALLED, s.evidence[0]);
  await set(CANARY, s.evidence[1]);
  await set(FENCE, StateValue.OK);
  const minute = Math.floor(Date.now() / 60_000) * 60_000;
  if (s.lag.length > 0) {
    await cw.send(new PutMetricDataCommand({
      Namespace: 'AWS/RDS',
      MetricData: s.lag.map((value, i) => ({
        MetricName: 'ReplicaLag',
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: REPLICA }],
        Unit: 'Seconds',
        Value: value,
        Timestamp: new Date(minute - (s.lag.length - i) * 60_000),
      })),
    }));
  }
  topicArn = (await sns.send(new CreateTopicCommand({ Name: 'orders-dr-alarms' }))).TopicArn!;
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'runbook-messages' }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));
  const created = await sfn.send(new CreateStateMachineCommand({
    name: `${REPLICA}-failover`,
    definition: machineDefinition.split('${TopicArn}').join(topicArn),
    roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/promotion`,
  }));
  return created.stateMachineArn!;
}

async function start(machineArn: string, input: object = {}): Promise<string> {
  return startExecution(sfn, machineArn, input);
}

async function finish(executionArn: string): Promise<Run> {
  return waitForExecution(sfn, executionArn, moto, 150);
}

async function execute(machineArn: string, input: object = {}): Promise<Run> {
  return finish(await start(machineArn, input));
}

/** Reads the topic's messages into `into` until one has the given step; fails after 60 s. */
async function waitForStep(step: string, into: any[]): Promise<void> {
  for (let i = 0; i < 240; i++) {
    into.push(...await messages());
    if (into.some((m) => m.step === step)) {
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no message "${step}" in 60 s: ${JSON.stringify(steps(into))}\n${moto.log()}`);
}

/** A definition whose promotion times out after `polls` polls instead of 360 (promotionTimeout 1 h at 10 s). */
function withMaxPolls(machineDefinition: string, polls: number): string {
  expect(machineDefinition.split('$polls >= 360').length - 1).toBe(2);
  return machineDefinition.split('$polls >= 360').join(`$polls >= ${polls}`);
}

/** Every message on the topic so far, parsed, in arrival order. */
async function messages(): Promise<any[]> {
  return drainMessages(sqs, queueUrl);
}

async function replica() {
  return (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: REPLICA }))).DBInstances![0];
}

async function writableDatapoints(metricName: string = 'Writable'): Promise<number[]> {
  const now = Date.now();
  const r = await cw.send(new GetMetricDataCommand({
    StartTime: new Date(now - 3_600_000),
    EndTime: new Date(now + 60_000),
    MetricDataQueries: [{
      Id: 'w',
      MetricStat: {
        Metric: { Namespace: 'CdkResilientPostgres', MetricName: metricName, Dimensions: [{ Name: 'DBInstanceIdentifier', Value: REPLICA }] },
        Period: 60,
        Stat: 'Maximum',
      },
    }],
  }));
  return r.MetricDataResults?.[0]?.Values ?? [];
}

/** How many times a task of the given resource was scheduled, and the errors its attempts failed with. */
function taskAttempts(run: Run, resourceSuffix: string): { scheduled: number; errors: string[] } {
  const scheduled = run.history.filter((e) => e.type === 'TaskScheduled' && e.taskScheduledEventDetails?.resource?.endsWith(resourceSuffix));
  const failed = run.history.filter((e) => e.type === 'TaskFailed' && e.taskFailedEventDetails?.resource?.endsWith(resourceSuffix));
  return { scheduled: scheduled.length, errors: failed.map((e) => e.taskFailedEventDetails!.error!) };
}

const steps = (ms: any[]) => ms.map((m) => m.step);
/**
 * Replicating with 1-3 s of lag, then the primary stops: the replay position stays put, so the lag grows by 60 s a
 * minute. The bound on the loss is the lag when replay stopped advancing: 32 s.
 */
const STOPPED_AT_32 = [2, 1, 3, 2, 2, 1, 32, 92, 152, 212];
/**
 * A replica falling behind (replaying 20 s of the primary's time each minute) when the primary stops: 202 s behind.
 * The replay position never goes back, so a realistic series never drops faster than a second per second.
 */
const STOPPED_AT_202 = [2, 42, 82, 122, 162, 202, 262, 322];
const HEALTHY = [2, 1, 3, 2, 2, 1, 2, 3, 1, 2];
const PRIMARY_DOWN: Seed = { evidence: [StateValue.ALARM, StateValue.ALARM], lag: STOPPED_AT_32 };

test('happy path: promoted with the primary\'s retention, signal published, fence recorded, messages in order', async () => {
  const machine = await seed(PRIMARY_DOWN);
  const detectedAt = new Date(Date.now() - 180_000).toISOString();
  const run = await execute(machine, { reason: 'us-east-1 outage', detectedAt });
  expect(run.status).toBe('SUCCEEDED');

  const promoted = await replica();
  expect(promoted.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
  // The primary's retention in its template (MultiAzPostgres: 35 days), not the replica's.
  expect(promoted.BackupRetentionPeriod).toBe(35);
  expect(await writableDatapoints()).toEqual([1]);
  // The fence latch closes with the runbook's writable signal (Route53DbFailover's Promoted metric).
  expect(await writableDatapoints('Promoted')).toEqual([1]);
  const tags = (await rds.send(new ListTagsForResourceCommand({ ResourceName: promoted.DBInstanceArn }))).TagList;
  expect(tags).toEqual(expect.arrayContaining([
    { Key: 'cdk-resilient-postgres:promoted-from', Value: `arn:aws:rds:${PRIMARY_REGION}:${MOTO_ACCOUNT}:db:${PRIMARY}` },
    { Key: 'cdk-resilient-postgres:failback', Value: 'explicit-only' },
  ]));

  const ms = await messages();
  expect(steps(ms)).toEqual(['started', 'promotion requested', 'writable', 'old primary fenced', undefined]);
  const at = ms.slice(0, 4).map((m) => Date.parse(m.at));
  expect([...at].sort()).toEqual(at);
  const report = ms[4];
  expect(report).toEqual(run.output);
  expect(report).toMatchObject({
    outcome: 'promoted',
    replica: REPLICA,
    forced: false,
    reason: 'us-east-1 outage',
    detectedAt,
    evidence: { alarmsInAlarm: [STALLED, CANARY], replicationStatusBroken: false, signals: 2, required: 2 },
    lag: { datapoints: 10, boundSeconds: 32, latestSeconds: 212, rpoSeconds: 60, lookbackSeconds: 900 },
    lagAtPromotionSeconds: 32,
    // One reading of the fence alarm (fenceWait 0), which moto never evaluates: still OK, so the fence is pending.
    fence: { recorded: true, alarm: FENCE, alarmState: 'OK', status: 'pending', readings: 1 },
    available: true,
    status: 'available',
  });
  expect(report.availableAt).toEqual(expect.any(String));
  // Detection was 180 s before the start; the promotion polls every 10 s at least once.
  expect(report.detectionToWritableSeconds).toBeGreaterThanOrEqual(190);
  expect(report.promotionSeconds).toBeGreaterThanOrEqual(10);
  expect(report.polls).toBe(1);
  expect(taskAttempts(run, 'promoteReadReplica').scheduled).toBe(1);
  // The result as Step Functions returns it: the AWS SDK for Java v2 member names, not the API's.
  const described = run.history.find((e) => e.type === 'TaskSucceeded' && e.taskSucceededEventDetails?.resource === 'describeDBInstances');
  const result = JSON.parse(described!.taskSucceededEventDetails!.output!);
  expect(Object.keys(result)).toEqual(['DbInstances']);
  expect(result.DbInstances[0]).toMatchObject({
    DbInstanceIdentifier: REPLICA, DbInstanceStatus: 'available', ReadReplicaSourceDBInstanceIdentifier: expect.stringContaining(PRIMARY),
  });
  expect(result.DbInstances[0].DBInstanceStatus).toBeUndefined();
  record('happy path', run, ms);
});

test('a field named after the API (DBInstanceIdentifier) fails the task, as Step Functions refuses it', async () => {
  const machine = await seed(PRIMARY_DOWN, definition.split('"DbInstanceIdentifier"').join('"DBInstanceIdentifier"'));
  const run = await execute(machine);
  expect(run.error).toBe('Runbook.CannotDescribeReplica');
  const failed = run.history.filter((e) => e.type === 'TaskFailed');
  expect(failed.length).toBeGreaterThan(0);
  expect(failed[0].taskFailedEventDetails?.cause).toContain('The field DBInstanceIdentifier is not supported by Step Functions');
  expect(taskAttempts(run, 'promoteReadReplica').scheduled).toBe(0);
});

test('primary still healthy: refused, nothing promoted, no signal', async () => {
  const machine = await seed({ evidence: [StateValue.OK, StateValue.OK], lag: HEALTHY });
  const run = await execute(machine);
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('Runbook.PrimaryLooksHealthy');
  expect((await replica()).ReadReplicaSourceDBInstanceIdentifier).toContain(PRIMARY);
  expect(await writableDatapoints()).toEqual([]);
  const ms = await messages();
  expect(steps(ms)).toEqual(['started', 'refused: the primary does not look down']);
  expect(ms[1].evidence).toEqual({ alarmsInAlarm: [], replicationStatusBroken: false, signals: 0, required: 2 });
  expect(taskAttempts(run, 'promoteReadReplica').scheduled).toBe(0);
  record('primary healthy', run, ms);
});

test('one signal of two is not enough', async () => {
  const machine = await seed({ evidence: [StateValue.ALARM, StateValue.OK], lag: STOPPED_AT_32 });
  const run = await execute(machine);
  expect(run.error).toBe('Runbook.PrimaryLooksHealthy');
  expect((await messages())[1].evidence.signals).toBe(1);
  expect((await replica()).ReadReplicaSourceDBInstanceIdentifier).toContain(PRIMARY);
});

test('lag above the RPO: refused, nothing promoted', async () => {
  const machine = await seed({ evidence: [StateValue.ALARM, StateValue.ALARM], lag: STOPPED_AT_202 });
  const run = await execute(machine);
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('Runbook.LagAboveRpo');
  expect((await replica()).ReadReplicaSourceDBInstanceIdentifier).toContain(PRIMARY);
  expect(await writableDatapoints()).toEqual([]);
  const ms = await messages();
  expect(steps(ms)).toEqual(['started', 'refused: replica lag above the RPO, or unknown']);
  expect(ms[1].lag).toMatchObject({ datapoints: 8, boundSeconds: 202, latestSeconds: 322, rpoSeconds: 60 });
  record('lag above RPO', run, ms);
});

test('no ReplicaLag in the window: unknown lag, refused', async () => {
  const machine = await seed({ evidence: [StateValue.ALARM, StateValue.ALARM], lag: [] });
  const run = await execute(machine);
  expect(run.error).toBe('Runbook.LagAboveRpo');
  expect((await messages())[1].lag).toEqual({ datapoints: 0, boundSeconds: null, rpoSeconds: 60, lookbackSeconds: 900 });
  expect((await replica()).ReadReplicaSourceDBInstanceIdentifier).toContain(PRIMARY);
});

test('lag above the RPO with force: promoted, and the report says forced with the lag', async () => {
  const machine = await seed({ evidence: [StateValue.ALARM, StateValue.ALARM], lag: STOPPED_AT_202 });
  const run = await execute(machine, { force: true, reason: 'accepting about 3 minutes of loss' });
  expect(run.status).toBe('SUCCEEDED');
  expect((await replica()).ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
  expect(await writableDatapoints()).toEqual([1]);
  const ms = await messages();
  expect(steps(ms)).toEqual(['started', 'forced past the RPO guard', 'promotion requested', 'writable', 'old primary fenced', undefined]);
  expect(run.output).toMatchObject({ outcome: 'promoted', forced: true, lagAtPromotionSeconds: 202 });
  record('lag above RPO, forced', run, ms);
});

test('force also overrides missing evidence, and says so', async () => {
  const machine = await seed({ evidence: [StateValue.OK, StateValue.OK], lag: HEALTHY });
  const run = await execute(machine, { force: true });
  expect(run.status).toBe('SUCCEEDED');
  expect(steps(await messages()).slice(0, 2)).toEqual(['started', 'forced past the evidence check']);
});

test('a force that is not the boolean true does not force', async () => {
  const machine = await seed({ evidence: [StateValue.OK, StateValue.OK], lag: HEALTHY });
  const run = await execute(machine, { force: 'yes' });
  expect(run.error).toBe('Runbook.PrimaryLooksHealthy');
});

test('PromoteReadReplica throttled twice: retried with backoff, then promoted once', async () => {
  const machine = await seed(PRIMARY_DOWN);
  // RDS's throttling error code; the AWS SDK for Java v2 does not model it, so Step Functions names it Rds.RdsException.
  await moto.injectFaults('PromoteReadReplica', [
    { code: 'Throttling', message: 'Rate exceeded' }, { code: 'Throttling', message: 'Rate exceeded' },
  ]);
  const run = await execute(machine);
  expect(run.status).toBe('SUCCEEDED');
  const attempts = taskAttempts(run, 'promoteReadReplica');
  expect(attempts).toEqual({ scheduled: 3, errors: ['Rds.RdsException', 'Rds.RdsException'] });
  expect((await replica()).ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
  expect(await writableDatapoints()).toEqual([1]);
  const ms = await messages();
  expect(steps(ms)).toEqual(['started', 'promotion requested', 'writable', 'old primary fenced', undefined]);
  record('throttled twice', run, ms);
});

test('PromoteReadReplica refused for a transient state (InvalidDBInstanceState): retried with backoff, then promoted once', async () => {
  const machine = await seed(PRIMARY_DOWN);
  await moto.injectFaults('PromoteReadReplica', [
    { code: 'InvalidDBInstanceState', message: 'Instance orders-dr is not in a valid state' },
    { code: 'InvalidDBInstanceState', message: 'Instance orders-dr is not in a valid state' },
  ]);
  const run = await execute(machine);
  expect(run.status).toBe('SUCCEEDED');
  // RDS's InvalidDBInstanceState is the SDK's InvalidDbInstanceStateException.
  expect(taskAttempts(run, 'promoteReadReplica')).toEqual({
    scheduled: 3, errors: ['Rds.InvalidDbInstanceStateException', 'Rds.InvalidDbInstanceStateException'],
  });
  expect((await replica()).ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
  expect(await writableDatapoints()).toEqual([1]);
  record('promotion refused twice for its state', run, await messages());
});

test('PromoteReadReplica fails with an error that is not retried: ends failed, notified, no signal', async () => {
  const machine = await seed(PRIMARY_DOWN);
  await moto.injectFaults('PromoteReadReplica', [{ code: 'DBInstanceNotFound', message: 'DBInstance orders-dr not found' }]);
  const run = await execute(machine);
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('Runbook.PromotionFailed');
  expect(run.cause).toContain('Rds.DbInstanceNotFoundException');
  expect(taskAttempts(run, 'promoteReadReplica')).toEqual({ scheduled: 1, errors: ['Rds.DbInstanceNotFoundException'] });
  expect((await replica()).ReadReplicaSourceDBInstanceIdentifier).toContain(PRIMARY);
  expect(await writableDatapoints()).toEqual([]);
  const ms = await messages();
  expect(steps(ms)).toEqual(['started', 'failed: PromoteReadReplica was refused']);
  expect(ms[1].error.Error).toBe('Rds.DbInstanceNotFoundException');
  record('promotion fails', run, ms);
});

test('run twice: the second run detects the promotion, does not promote again, and resumes', async () => {
  const machine = await seed(PRIMARY_DOWN);
  const first = await execute(machine);
  expect(first.status).toBe('SUCCEEDED');
  await messages();
  const second = await execute(machine);
  expect(second.status).toBe('SUCCEEDED');
  expect(taskAttempts(second, 'promoteReadReplica').scheduled).toBe(0);
  expect(taskAttempts(second, 'describeAlarms').scheduled).toBe(1); // the fence alarm only: no evidence needed
  const ms = await messages();
  expect(steps(ms)).toEqual(['already promoted: resuming at the writable signal, without promoting', 'writable', 'old primary fenced', undefined]);
  expect(second.output).toMatchObject({ outcome: 'already-promoted', promoteRequestedAt: null, promotionSeconds: null });
  const promoted = await replica();
  expect(promoted.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
  expect(promoted.DBInstanceStatus).toBe('available');
  record('run twice (second run)', second, ms);
});

test('a describe failure stops the run before anything changes', async () => {
  const machine = await seed(PRIMARY_DOWN);
  await moto.injectFaults('DescribeDBInstances', Array(5).fill({ code: 'InternalFailure', message: 'injected' }));
  const run = await execute(machine);
  expect(run.error).toBe('Runbook.CannotDescribeReplica');
  // InternalFailure is no modeled RDS error: the base exception.
  expect(taskAttempts(run, 'describeDBInstances')).toEqual({ scheduled: 5, errors: Array(5).fill('Rds.RdsException') });
  expect((await replica()).ReadReplicaSourceDBInstanceIdentifier).toContain(PRIMARY);
});

describe('a run the alarm started', () => {
  const ALARM_START = { trigger: 'alarm', reason: 'orders-dr-replication-stalled went to ALARM' };

  test('re-reads the evidence while it is short, and promotes once it is enough', async () => {
    const machine = await seed({ evidence: [StateValue.ALARM, StateValue.OK], lag: STOPPED_AT_32 });
    const execution = await start(machine, ALARM_START);
    const ms: any[] = [];
    await waitForStep('waiting: re-checking the guards every 10 s, up to 2 times', ms);
    expect((await replica()).ReadReplicaSourceDBInstanceIdentifier).toContain(PRIMARY);
    // The canary from this Region now fails too: the next re-read finds two signals.
    await cw.send(new SetAlarmStateCommand({ AlarmName: CANARY, StateValue: StateValue.ALARM, StateReason: 'primary unreachable' }));
    const run = await finish(execution);
    expect(run.status).toBe('SUCCEEDED');
    ms.push(...await messages());
    expect(steps(ms)).toEqual(['started', 'waiting: re-checking the guards every 10 s, up to 2 times',
      'promotion requested', 'writable', 'old primary fenced', undefined]);
    expect(run.output).toMatchObject({ outcome: 'promoted', trigger: 'alarm', rechecks: 1, evidence: { signals: 2 } });
    expect((await replica()).ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
    record('alarm start, evidence arrives', run, ms);
  });

  test('refuses after its re-reads when the evidence stays short', async () => {
    const machine = await seed({ evidence: [StateValue.ALARM, StateValue.OK], lag: STOPPED_AT_32 });
    const run = await execute(machine, ALARM_START);
    expect(run.error).toBe('Runbook.PrimaryLooksHealthy');
    const ms = await messages();
    expect(steps(ms)).toEqual(['started', 'waiting: re-checking the guards every 10 s, up to 2 times',
      'refused: the primary does not look down']);
    expect(ms[2]).toMatchObject({ rechecks: 2, maxRechecks: 2, evidence: { signals: 1 } });
    expect(taskAttempts(run, 'describeAlarms').scheduled).toBe(3);
    expect((await replica()).ReadReplicaSourceDBInstanceIdentifier).toContain(PRIMARY);
  });

  test('waits for a replica that is backing up, then promotes', async () => {
    const machine = await seed(PRIMARY_DOWN);
    await moto.injectStatuses(REPLICA, ['backing-up', 'backing-up']);
    const run = await execute(machine, ALARM_START);
    expect(run.status).toBe('SUCCEEDED');
    const ms = await messages();
    expect(ms[0]).toMatchObject({ step: 'started', status: 'backing-up' });
    expect(steps(ms).slice(1)).toEqual(['waiting: re-checking the guards every 10 s, up to 2 times',
      'promotion requested', 'writable', 'old primary fenced', undefined]);
    expect(run.output.rechecks).toBe(2);
    expect(taskAttempts(run, 'promoteReadReplica').scheduled).toBe(1);
    record('alarm start, replica backing up', run, ms);
  });

  test('an operator\'s run refuses a replica that is backing up at once', async () => {
    const machine = await seed(PRIMARY_DOWN);
    await moto.injectStatuses(REPLICA, ['backing-up']);
    const run = await execute(machine, { reason: 'operator' });
    expect(run.error).toBe('Runbook.ReplicaNotAvailable');
    const ms = await messages();
    expect(steps(ms)).toEqual(['started', 'refused: the replica is not available']);
    expect(ms[1]).toMatchObject({ status: 'backing-up', rechecks: 0 });
    expect(taskAttempts(run, 'describeDBInstances').scheduled).toBe(1);
  });
});

describe('the promoted instance', () => {
  test('is writable as soon as it is no longer a replica, while RDS still shows it modifying, and reported once available', async () => {
    const machine = await seed(PRIMARY_DOWN);
    // The replica is available; the promoted instance is modifying at the first poll, available at the second.
    await moto.injectStatuses(REPLICA, ['available', 'modifying']);
    const run = await execute(machine);
    expect(run.status).toBe('SUCCEEDED');
    const ms = await messages();
    expect(ms.find((m) => m.step === 'writable')).toMatchObject({ status: 'modifying', signalPublished: true, polls: 1 });
    expect(run.output).toMatchObject({ available: true, status: 'available', polls: 2 });
    expect(Date.parse(run.output.availableAt)).toBeGreaterThan(Date.parse(run.output.writableAt));
  });

  test('a timeout while it is still backing up after the promotion still publishes the signal, fences and reports', async () => {
    const machine = await seed(PRIMARY_DOWN, withMaxPolls(definition, 3));
    await moto.injectStatuses(REPLICA, ['available', ...Array(10).fill('backing-up')]);
    const run = await execute(machine);
    expect(run.status).toBe('SUCCEEDED');
    expect(await writableDatapoints()).toEqual([1]);
    const ms = await messages();
    expect(steps(ms)).toEqual(['started', 'promotion requested', 'writable', 'old primary fenced', undefined]);
    expect(run.output).toMatchObject({ outcome: 'promoted', available: false, status: 'backing-up', availableAt: null, polls: 3 });
    expect(run.output.fence.recorded).toBe(true);
    record('timeout after writable', run, ms);
  });

  test('a describe failure after PromoteReadReplica says the promotion may be under way, not that nothing changed', async () => {
    const machine = await seed(PRIMARY_DOWN);
    const execution = await start(machine);
    const ms: any[] = [];
    await waitForStep('promotion requested', ms);
    // The first poll comes 10 s after the request; all five attempts of its describe fail.
    await moto.injectFaults('DescribeDBInstances', Array(5).fill({ code: 'InternalFailure', message: 'injected' }));
    const run = await finish(execution);
    expect(run.error).toBe('Runbook.CannotDescribePromotion');
    expect(run.cause).not.toContain('nothing was changed');
    ms.push(...await messages());
    expect(steps(ms)).toEqual(['started', 'promotion requested', 'failed: cannot describe the instance after PromoteReadReplica']);
    expect((await replica()).ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
  });
});

test('two runs at once (EventBridge delivers at least once): both end well, and the instance is promoted once', async () => {
  const machine = await seed(PRIMARY_DOWN);
  const [a, b] = await Promise.all([start(machine, { trigger: 'alarm' }), start(machine, { trigger: 'alarm' })]);
  const runs = await Promise.all([finish(a), finish(b)]);
  expect(runs.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  expect(runs.map((r) => r.output.outcome).sort()).toEqual(expect.arrayContaining(['promoted']));
  const promoted = await replica();
  expect(promoted.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
  expect(promoted.BackupRetentionPeriod).toBe(35);
  // Both runs may publish the writable signal (it is idempotent). When they publish in two different minutes there are
  // two one-minute datapoints, so the check is on their values, not their count.
  const writable = await writableDatapoints();
  expect(writable.length).toBeGreaterThanOrEqual(1);
  expect([...new Set(writable)]).toEqual([1]);
});

test('the fence alarm is read until it is in ALARM, within fenceWait', async () => {
  const machine = await seed(PRIMARY_DOWN, fenceDefinition);
  const execution = await start(machine);
  // CloudWatch evaluates the fence alarm on the probe's metric a minute or so after the promotion; moto does not.
  for (let i = 0; i < 120 && (await writableDatapoints()).length === 0; i++) {
    await new Promise((r) => setTimeout(r, 250));
  }
  await cw.send(new SetAlarmStateCommand({ AlarmName: FENCE, StateValue: StateValue.ALARM, StateReason: 'writable' }));
  const run = await finish(execution);
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output.fence).toMatchObject({ alarmState: 'ALARM', status: 'fenced' });
  expect(run.output.fence.readings).toBeGreaterThanOrEqual(1);
  expect(run.output.fence.readings).toBeLessThanOrEqual(3);
});

describe('with approval', () => {
  async function approvalRequest(): Promise<any> {
    for (let i = 0; i < 200; i++) {
      const request = (await messages()).find((m) => m.step === 'approval requested');
      if (request) {
        return request;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('no approval request');
  }

  test('waits for the task token, then promotes and names the approver', async () => {
    const machine = await seed(PRIMARY_DOWN, approvalDefinition);
    const execution = await start(machine);
    const request = await approvalRequest();
    expect((await replica()).ReadReplicaSourceDBInstanceIdentifier).toContain(PRIMARY);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: request.taskToken, output: JSON.stringify({ approvedBy: 'alice' }) }));
    const run = await finish(execution);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output.approvedBy).toBe('alice');
    expect((await replica()).ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
    // The commands run as printed in a shell: the Region, the request's own task token and the task output, each one
    // quoted word; the rejection's error is the one the run takes for a rejection.
    expect(request.approve).toBe(`aws stepfunctions send-task-success --region ${DR_REGION} --task-token '${request.taskToken}' `
      + '--task-output \'{"approvedBy":"<your name>"}\'');
    expect(request.reject).toBe(`aws stepfunctions send-task-failure --region ${DR_REGION} --task-token '${request.taskToken}' `
      + '--error Rejected --cause \'<why>\'');
    expect(request.taskToken).not.toMatch(/'/);
  });

  test('the replica is described again after the approval: promoted meanwhile, the run resumes without promoting', async () => {
    const machine = await seed(PRIMARY_DOWN, approvalDefinition);
    const execution = await start(machine);
    const request = await approvalRequest();
    // An operator promoted the instance while the approval waited.
    await rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: REPLICA, BackupRetentionPeriod: 7 }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: request.taskToken, output: JSON.stringify({ approvedBy: 'alice' }) }));
    const run = await finish(execution);
    expect(run.status).toBe('SUCCEEDED');
    expect(taskAttempts(run, 'promoteReadReplica').scheduled).toBe(0);
    expect(run.output).toMatchObject({ outcome: 'already-promoted', approvedBy: 'alice' });
    expect((await replica()).BackupRetentionPeriod).toBe(7);
  });

  test('a publish failure of the request is retried, then reported as such, not as a rejection', async () => {
    const machine = await seed(PRIMARY_DOWN, approvalDefinition);
    await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
    const run = await execute(machine);
    expect(run.error).toBe('Runbook.ApprovalNotSent');
    expect(taskAttempts(run, 'publish.waitForTaskToken').scheduled).toBe(3);
    expect((await replica()).ReadReplicaSourceDBInstanceIdentifier).toContain(PRIMARY);
  });

  test('a rejection ends the run without promoting', async () => {
    const machine = await seed(PRIMARY_DOWN, approvalDefinition);
    const execution = await start(machine);
    const request = await approvalRequest();
    await sfn.send(new SendTaskFailureCommand({ taskToken: request.taskToken, error: 'Rejected', cause: 'not now' }));
    const run = await finish(execution);
    expect(run.error).toBe('Runbook.Rejected');
    // A rejection is not retried: no second request.
    expect(taskAttempts(run, 'publish.waitForTaskToken').scheduled).toBe(1);
    expect((await replica()).ReadReplicaSourceDBInstanceIdentifier).toContain(PRIMARY);
    expect(await writableDatapoints()).toEqual([]);
  });
});

/** Prints what a scenario did, for the report: state transitions, task calls and messages. */
function record(name: string, run: Run, ms: any[]): void {
  const transitions = run.history.filter((e) => e.type?.endsWith('StateEntered')).length;
  const tasks = run.history.filter((e) => e.type === 'TaskScheduled').length;
  // eslint-disable-next-line no-console
  console.log(`runbook scenario "${name}": ${run.status}${run.error ? ` (${run.error})` : ''}, ${transitions} states entered, `
    + `${tasks} task calls, ${ms.length} messages`);
}
