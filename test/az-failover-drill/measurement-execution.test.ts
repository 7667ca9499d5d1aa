/**
 * Executes the AzFailoverDrill measurement's synthesized definition (ASL, JSONata) against moto server, with the
 * runbook's harness (test/failover-runbook/moto.ts, moto_server.py): an FIS experiment of moto's, the writable probe's
 * `Writable` datapoints of the primary around it, and the topic with a queue subscribed to it. Each run is started
 * with the "FIS Experiment State Change" event the rule forwards.
 */
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AzFailoverDrill, DbAlarmSet } from '../../src';
import { sdkServicesOf } from '../contracts/sfn-sdk-contract';
import { drainMessages, ExecutionRun, MOTO_ACCOUNT, MotoServer, startExecution, waitForExecution } from '../failover-runbook/moto';
import { dbStack, PRIMARY_REGION } from '../util';

jest.setTimeout(120_000);

const PRIMARY = 'orders-primary';
const OBJECTIVE_SECONDS = 300;

let moto: MotoServer;
let cw: CloudWatchClient; let sns: SNSClient; let sqs: SQSClient; let sfn: SFNClient;
let definition: string;
let queueUrl: string;
let machineArn: string;

/** The measurement's definition of a drill with a 5-minute objective that reports on the primary's alarm topic. */
function measurementDefinition(): string {
  const { stack, db } = dbStack({ instanceIdentifier: PRIMARY, allocatedStorage: 100 });
  const alarms = new DbAlarmSet(stack, 'Alarms', { instance: db, subscriberEmails: ['oncall@example.com'] });
  new AzFailoverDrill(stack, 'Drill', { instance: db, rtoObjective: Duration.seconds(OBJECTIVE_SECONDS), topic: alarms.topic, topicKey: alarms.topicKey });
  const machines = Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine');
  return (Object.values(machines)[0] as any).Properties.DefinitionString;
}

/** A call to moto's FIS REST API (moto does not check the signature). */
async function fis(method: string, path: string, body?: object): Promise<any> {
  const response = await fetch(`${moto.endpoint}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      'authorization': `AWS4-HMAC-SHA256 Credential=testing/20260101/${PRIMARY_REGION}/fis/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`FIS ${method} ${path}: ${response.status} ${text}`);
  }
  return JSON.parse(text);
}

beforeAll(async () => {
  // The measurement waits for its window (settle time and ingest margin, 720 s); moto answers at once, so the test runs
  // that wait as 1 s. Every other state, transition, retry and catch is the definition's own.
  const built = measurementDefinition();
  definition = built.replace('"Type":"Wait","Seconds":720,', '"Type":"Wait","Seconds":1,');
  expect(definition).not.toBe(built);
  moto = await MotoServer.start(sdkServicesOf([JSON.parse(definition)]));
  const config = { endpoint: moto.endpoint, region: PRIMARY_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  cw = new CloudWatchClient(config);
  sns = new SNSClient(config);
  sqs = new SQSClient(config);
  sfn = new SFNClient(config);
});

afterAll(async () => {
  for (const client of [cw, sns, sqs, sfn]) {
    client?.destroy();
  }
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'orders-primary-alarms' }))).TopicArn!;
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'measurements' }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));
  machineArn = (await sfn.send(new CreateStateMachineCommand({
    name: `${PRIMARY}-az-drill-measurement`,
    definition: definition.split('${TopicArn}').join(topicArn),
    roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/measurement`,
  }))).stateMachineArn!;
});

/** Starts an experiment of a drill template in moto; returns its ID and its start time (ms). */
async function experiment(): Promise<{ id: string; templateId: string; startMs: number }> {
  const template = (await fis('POST', '/experimentTemplates', {
    clientToken: `t-${Date.now()}`,
    description: 'AZ failover drill',
    roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/drill`,
    targets: { Primary: { resourceType: 'aws:rds:db', resourceArns: [`arn:aws:rds:${PRIMARY_REGION}:${MOTO_ACCOUNT}:db:${PRIMARY}`], selectionMode: 'ALL' } },
    actions: { ForceFailover: { actionId: 'aws:rds:reboot-db-instances', parameters: { forceFailover: 'true' }, targets: { DBInstances: 'Primary' } } },
    stopConditions: [{ source: 'none' }],
  })).experimentTemplate;
  const started = (await fis('POST', '/experiments', { clientToken: `e-${Date.now()}`, experimentTemplateId: template.id })).experiment;
  const startMs = typeof started.startTime === 'number' ? started.startTime * 1000 : Date.parse(started.startTime);
  return { id: started.id, templateId: template.id, startMs };
}

/**
 * The probe's `Writable` datapoints for each minute from 2 minutes before `startMs` to 16 minutes after it: 0 for the
 * minute offsets in `down`, none for those in `missing`, else 1.
 */
async function probe(startMs: number, down: number[], missing: number[] = []): Promise<void> {
  const start = Math.floor(startMs / 60_000) * 60_000;
  const data = [];
  for (let m = -2; m <= 16; m++) {
    if (!missing.includes(m)) {
      data.push({
        MetricName: 'Writable',
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: PRIMARY }],
        Unit: 'Count' as const,
        Value: down.includes(m) ? 0 : 1,
        Timestamp: new Date(start + m * 60_000 + 5_000),
      });
    }
  }
  for (let i = 0; i < data.length; i += 10) {
    await cw.send(new PutMetricDataCommand({ Namespace: 'CdkResilientPostgres', MetricData: data.slice(i, i + 10) }));
  }
}

/** The event the rule forwards when the experiment reached `status`. */
function stateChange(id: string, templateId: string, status = 'completed') {
  return {
    'version': '0',
    'id': '12345678-1234-1234-1234-123456789012',
    'detail-type': 'FIS Experiment State Change',
    'source': 'aws.fis',
    'account': MOTO_ACCOUNT,
    'time': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'region': PRIMARY_REGION,
    'resources': [`arn:aws:fis:${PRIMARY_REGION}:${MOTO_ACCOUNT}:experiment/${id}`],
    'detail': {
      'experiment-id': id,
      'experiment-template-id': templateId,
      'new-state': { status, reason: `Experiment ${status}` },
      'old-state': { status: 'running', reason: 'Experiment running' },
    },
  };
}

async function measure(input: object): Promise<{ run: ExecutionRun; reports: any[] }> {
  const run = await waitForExecution(sfn, await startExecution(sfn, machineArn, input), moto, 100);
  return { run, reports: await drainMessages(sqs, queueUrl) };
}

/** The measured figures published so far: metric name → values. */
async function published(): Promise<Record<string, number[]>> {
  const now = Date.now();
  const result = await cw.send(new GetMetricDataCommand({
    StartTime: new Date(now - 3_600_000),
    EndTime: new Date(now + 3_600_000),
    MetricDataQueries: ['NotWritableSeconds', 'ObjectiveMet'].map((name, i) => ({
      Id: `m${i}`,
      Label: name,
      MetricStat: {
        Metric: { Namespace: 'CdkResilientPostgres/AzDrill', MetricName: name, Dimensions: [{ Name: 'DBInstanceIdentifier', Value: PRIMARY }] },
        Period: 60,
        Stat: 'Maximum',
      },
    })),
  }));
  return Object.fromEntries((result.MetricDataResults ?? []).map((r) => [r.Label!, r.Values ?? []]));
}

test('three minutes not writable within a 5-minute objective: 180 s, met, published and reported', async () => {
  const { id, templateId, startMs } = await experiment();
  await probe(startMs, [1, 2, 3]);
  const { run, reports } = await measure(stateChange(id, templateId));
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output).toMatchObject({
    experiment: id,
    experimentStatus: 'completed',
    verdict: 'met',
    objectiveSeconds: OBJECTIVE_SECONDS,
    measurement: { notWritableSeconds: 180, recoveredByWindowEnd: true, windowMinutes: expect.any(Number) },
    metricsPublished: true,
  });
  // The window: from the minute before the experiment started to 10 minutes after it ended (moto ends it at once).
  expect(run.output.measurement.windowMinutes).toBeGreaterThanOrEqual(11);
  expect(run.output.measurement.writableMinutes).toBe(run.output.measurement.windowMinutes - 3);
  expect(reports).toHaveLength(1);
  expect(reports[0]).toEqual(run.output);
  expect(await published()).toEqual({ NotWritableSeconds: [180], ObjectiveMet: [1] });
});

test('a minute without a datapoint counts as not writable; six minutes miss the objective', async () => {
  const { id, templateId, startMs } = await experiment();
  await probe(startMs, [1, 2, 3, 4, 5], [6]);
  const { run, reports } = await measure(stateChange(id, templateId));
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output).toMatchObject({ verdict: 'missed', measurement: { notWritableSeconds: 360 } });
  expect(reports[0].verdict).toBe('missed');
  expect(await published()).toEqual({ NotWritableSeconds: [360], ObjectiveMet: [0] });
});

test('without any probe datapoint there is no measurement, and nothing is published', async () => {
  const { id, templateId } = await experiment();
  const { run, reports } = await measure(stateChange(id, templateId));
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output).toMatchObject({ verdict: 'no probe data', measurement: { datapoints: 0, notWritableSeconds: null }, metricsPublished: false });
  expect(reports.map((r) => r.verdict)).toEqual(['no probe data']);
  expect(await published()).toEqual({ NotWritableSeconds: [], ObjectiveMet: [] });
});

test('a primary still not writable when the window closes is reported as not recovered, without a figure', async () => {
  const { id, templateId, startMs } = await experiment();
  await probe(startMs, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  const { run } = await measure(stateChange(id, templateId));
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output).toMatchObject({ verdict: 'not recovered by window end', measurement: { recoveredByWindowEnd: false, notWritableSeconds: null } });
  // Writable in the window's first two minutes (the minute before the experiment and its first), then never again.
  expect(run.output.measurement.notWritableSecondsAtLeast).toBe((run.output.measurement.windowMinutes - 2) * 60);
  expect(await published()).toEqual({ NotWritableSeconds: [], ObjectiveMet: [] });
});

test('a window in which every datapoint is 0 is an outage, not missing data', async () => {
  const { id, templateId, startMs } = await experiment();
  await probe(startMs, Array.from({ length: 19 }, (_, i) => i - 2));
  const { run } = await measure(stateChange(id, templateId));
  expect(run.output).toMatchObject({ verdict: 'not recovered by window end', measurement: { writableMinutes: 0, recoveredByWindowEnd: false } });
  expect(run.output.measurement.datapoints).toBe(run.output.measurement.windowMinutes);
  expect(run.output.measurement.notWritableSecondsAtLeast).toBe(run.output.measurement.windowMinutes * 60);
});

test('an experiment that failed or was stopped is measured and reported, without a verdict or a published figure', async () => {
  const { id, templateId, startMs } = await experiment();
  await probe(startMs, []);
  const { run, reports } = await measure(stateChange(id, templateId, 'failed'));
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output).toMatchObject({
    experimentStatus: 'failed', verdict: 'experiment failed: no verdict', measurement: { notWritableSecondsAtLeast: 0 }, metricsPublished: false,
  });
  expect(reports.map((r) => r.verdict)).toEqual(['experiment failed: no verdict']);
  expect(await published()).toEqual({ NotWritableSeconds: [], ObjectiveMet: [] });
});

test('an experiment FIS does not know fails the run with AzDrill.MeasurementFailed, after the report', async () => {
  const { templateId } = await experiment();
  const { run, reports } = await measure(stateChange('EXPdoesNotExist1234', templateId));
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('AzDrill.MeasurementFailed');
  expect(run.cause).toContain('Fis.');
  expect(reports).toHaveLength(1);
  expect(reports[0]).toMatchObject({ experiment: 'EXPdoesNotExist1234', verdict: 'not measured', metricsPublished: false });
  expect(reports[0].failure.Error).toMatch(/^Fis\./);
});
