/**
 * Executes the RegionFailoverDrill's synthesized definition (ASL, JSONata) against moto server, with the runbook's
 * harness (test/failover-runbook/moto.ts, moto_server.py): a primary in us-east-1, its cross-Region replica in
 * us-west-2, and a topic with a queue subscribed to it. moto creates, promotes and deletes instances at once, so each
 * phase takes one poll; the scenarios inject the faults.
 */
import { GetMetricDataCommand, CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateDBInstanceCommand, CreateDBInstanceReadReplicaCommand, CreateDBSubnetGroupCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  CreateStateMachineCommand, SFNClient, StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Duration } from 'aws-cdk-lib';
import { drillDefinition } from './fixture';
import { sdkServicesOf } from '../contracts/sfn-sdk-contract';
import { drainMessages, ExecutionRun, MOTO_ACCOUNT, MotoServer, startExecution, waitForExecution } from '../failover-runbook/moto';
import { DR_REGION, PRIMARY_REGION } from '../util';

jest.setTimeout(240_000);

const REPLICA = 'orders-dr';
const PRIMARY = 'orders-primary';
const COPY = 'orders-dr-drill';
const SUBNET_GROUP = 'orders-dr-subnets';

type Run = ExecutionRun;

let moto: MotoServer;
let rds: RDSClient; let rdsPrimary: RDSClient; let cw: CloudWatchClient; let sns: SNSClient; let sqs: SQSClient; let sfn: SFNClient;
let definition: string;
let queueUrl: string;
let machineArn: string;

beforeAll(async () => {
  // The Wait states poll every 10 s (the least pollInterval); moto answers every call at once, so the test runs them as
  // 1 s waits. Only the waiting time changes: every state, transition, retry and catch is the definition's own.
  const built = drillDefinition({ pollInterval: Duration.seconds(10), timeout: Duration.minutes(20) }).text;
  definition = built.replace(/"Type":"Wait","Seconds":10,/g, '"Type":"Wait","Seconds":1,');
  expect(definition).not.toBe(built);
  moto = await MotoServer.start(sdkServicesOf([JSON.parse(definition)]));
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

beforeEach(async () => {
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
  // The replica's subnet group, in moto's default VPC of the Region (EC2 answers the query protocol without a signature check).
  const subnets = await fetch(moto.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'authorization': `AWS4-HMAC-SHA256 Credential=testing/20260101/${DR_REGION}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: 'Action=DescribeSubnets&Version=2016-11-15',
  }).then((r) => r.text());
  const subnetIds = [...subnets.matchAll(/<subnetId>(subnet-[0-9a-f]+)<\/subnetId>/g)].map((m) => m[1]).slice(0, 2);
  expect(subnetIds).toHaveLength(2);
  await rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: SUBNET_GROUP, DBSubnetGroupDescription: 'DR subnets', SubnetIds: subnetIds }));
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'orders-dr-alarms' }))).TopicArn!;
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'drill-messages' }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));
  const substituted = definition.split('${TopicArn}').join(topicArn)
    .split('${SubnetGroupName}').join(SUBNET_GROUP)
    .split('${SecurityGroupId}').join('sg-0123456789abcdef0');
  machineArn = (await sfn.send(new CreateStateMachineCommand({
    name: `${REPLICA}-region-drill`,
    definition: substituted,
    roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/drill`,
  }))).stateMachineArn!;
});

async function start(input: object = {}): Promise<string> {
  return startExecution(sfn, machineArn, input);
}

async function finish(executionArn: string): Promise<Run> {
  return waitForExecution(sfn, executionArn, moto, 200);
}

/** The reports on the topic so far. */
async function reports(): Promise<any[]> {
  return drainMessages(sqs, queueUrl);
}

/** The identifiers of the DB instances in the DR Region. */
async function instances(): Promise<string[]> {
  return ((await rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? []).map((d) => d.DBInstanceIdentifier!).sort();
}

async function replica() {
  return (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: REPLICA }))).DBInstances![0];
}

/** The states the run entered, in order. */
function entered(run: Run): string[] {
  return run.history.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails!.name!);
}

function taskErrors(run: Run, resourceSuffix: string): string[] {
  return run.history.filter((e) => e.type === 'TaskFailed' && e.taskFailedEventDetails?.resource?.endsWith(resourceSuffix))
    .map((e) => e.taskFailedEventDetails!.error!);
}

/** The production replica is still a replica of the primary. */
async function expectProductionUntouched(): Promise<void> {
  const r = await replica();
  expect(r.ReadReplicaSourceDBInstanceIdentifier).toContain(PRIMARY);
  expect(r.DBInstanceStatus).toBe('available');
}

test('(e) happy path: the copy is created, promoted, found writable and deleted; the report carries each phase', async () => {
  const run = await finish(await start());
  expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
  expect(entered(run)).toEqual(expect.arrayContaining(['CreateCopy', 'Promote', 'DescribePromotion', 'Promoted', 'CopyWritable', 'DeleteCopy', 'CopyGone', 'PublishMetrics', 'Report', 'Done']));
  const report = run.output;
  expect(report).toMatchObject({ outcome: 'drilled', replica: REPLICA, copy: COPY, copyLeft: false, metricsPublished: true, error: null });
  for (const phase of ['createSeconds', 'promotionSeconds', 'writableSeconds', 'deleteSeconds', 'totalSeconds']) {
    expect(typeof report.phases[phase]).toBe('number');
    expect(report.phases[phase]).toBeGreaterThanOrEqual(0);
  }
  expect((await reports()).map((m) => m.outcome)).toEqual(['drilled']);
  expect(await instances()).toEqual([REPLICA]);
  await expectProductionUntouched();
  const now = Date.now();
  const figures = await cw.send(new GetMetricDataCommand({
    StartTime: new Date(now - 3_600_000),
    EndTime: new Date(now + 60_000),
    MetricDataQueries: ['PromotionSeconds', 'CreateSeconds', 'Runs'].map((name, i) => ({
      Id: `m${i}`,
      MetricStat: {
        Metric: { Namespace: 'CdkResilientPostgres/RegionDrill', MetricName: name, Dimensions: [{ Name: 'ReplicaIdentifier', Value: REPLICA }] },
        Period: 60,
        Stat: 'Maximum',
      },
    })),
  }));
  expect(figures.MetricDataResults!.map((r) => r.Values!.length)).toEqual([1, 1, 1]);
});

test('(a) the copy cannot be created: the run fails with Drill.CopyNotCreated and leaves nothing behind', async () => {
  await moto.injectFaults('CreateDBInstanceReadReplica', [{ code: 'InsufficientDBInstanceCapacity', message: 'no capacity for db.m7g.large' }]);
  const run = await finish(await start());
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('Drill.CopyNotCreated');
  expect(run.cause).toContain('failed at create');
  expect(run.cause).toContain('was deleted');
  expect(taskErrors(run, 'createDBInstanceReadReplica')).toEqual(['Rds.InsufficientDbInstanceCapacityException']);
  const [report] = await reports();
  expect(report).toMatchObject({ outcome: 'failed', error: 'Drill.CopyNotCreated', failedStep: 'create', copyLeft: false });
  expect(report.phases.createSeconds).toBeNull();
  expect(await instances()).toEqual([REPLICA]);
  await expectProductionUntouched();
});

test('(b) PromoteReadReplica throttled twice: the retries carry the drill to success', async () => {
  await moto.injectFaults('PromoteReadReplica', [{ code: 'Throttling', message: 'Rate exceeded' }, { code: 'Throttling', message: 'Rate exceeded' }]);
  const run = await finish(await start());
  expect({ status: run.status, error: run.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
  expect(taskErrors(run, 'promoteReadReplica')).toEqual(['Rds.RdsException', 'Rds.RdsException']);
  expect(run.output.outcome).toBe('drilled');
  expect(await instances()).toEqual([REPLICA]);
  await expectProductionUntouched();
});

test('(c) a run stopped halfway: the cleanup run, started with the event Step Functions sends, deletes the copy', async () => {
  const executionArn = await start();
  for (let i = 0; i < 200 && !(await instances()).includes(COPY); i++) {
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(await instances()).toEqual([REPLICA, COPY].sort());
  await sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator.Stopped', cause: 'stopped halfway' }));
  const stopped = await finish(executionArn);
  expect(stopped.status).toBe('ABORTED');
  expect(await instances()).toEqual([REPLICA, COPY].sort());
  // The "Step Functions Execution Status Change" event, as the EventBridge rule passes it to the target.
  // https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-integration.html
  const event = {
    'version': '0',
    'id': '315c1398-40ff-a850-213b-158f73e60175',
    'detail-type': 'Step Functions Execution Status Change',
    'source': 'aws.states',
    'account': MOTO_ACCOUNT,
    'time': new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    'region': DR_REGION,
    'resources': [executionArn],
    'detail': {
      executionArn,
      stateMachineArn: machineArn,
      name: executionArn.split(':').pop(),
      status: 'ABORTED',
      startDate: Date.now() - 10_000,
      stopDate: Date.now(),
      input: '{}',
      output: null,
    },
  };
  const cleanup = await finish(await start(event));
  expect({ status: cleanup.status, error: cleanup.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
  expect(entered(cleanup)).not.toContain('CreateCopy');
  expect(cleanup.output).toMatchObject({ trigger: 'cleanup', leftoverDeleted: true, copyLeft: false, interrupted: { execution: executionArn, status: 'ABORTED' } });
  expect(await instances()).toEqual([REPLICA]);
  await expectProductionUntouched();
});

test('(c) a leftover copy is deleted before a drill run creates its own', async () => {
  await rds.send(new CreateDBInstanceReadReplicaCommand({ DBInstanceIdentifier: COPY, SourceDBInstanceIdentifier: REPLICA, DBInstanceClass: 'db.m7g.large' }));
  const run = await finish(await start());
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output).toMatchObject({ trigger: 'operator', leftoverDeleted: true, outcome: 'drilled' });
  expect(entered(run).indexOf('DeleteCopy')).toBeLessThan(entered(run).indexOf('CreateCopy'));
  expect(await instances()).toEqual([REPLICA]);
});

test('(d) the promotion is refused after the copy was created: the copy is deleted and the run fails', async () => {
  await moto.injectFaults('PromoteReadReplica', [{ code: 'DBInstanceNotFound', message: 'refused' }]);
  const run = await finish(await start());
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('Drill.PromotionRefused');
  expect(entered(run)).toEqual(expect.arrayContaining(['DescribeAfterRefusal', 'PromotionRefused', 'DeleteCopy', 'CopyGone']));
  const [report] = await reports();
  expect(report).toMatchObject({ outcome: 'failed', failedStep: 'promote', copyLeft: false });
  expect(typeof report.phases.createSeconds).toBe('number');
  expect(typeof report.phases.deleteSeconds).toBe('number');
  expect(await instances()).toEqual([REPLICA]);
  await expectProductionUntouched();
});

test('a copy that cannot be deleted is reported and fails the run with Drill.CopyNotDeleted', async () => {
  await moto.injectFaults('DeleteDBInstance', [
    { code: 'DBInstanceNotFound' }, // the leftover check: no leftover
    ...Array.from({ length: 6 }, () => ({ code: 'AccessDenied', message: 'not authorized' })),
  ]);
  const run = await finish(await start());
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('Drill.CopyNotDeleted');
  expect(run.cause).toContain('NOT deleted');
  expect(run.history.some((e) => e.type === 'ExecutionFailed')).toBe(true);
  expect(await instances()).toEqual([REPLICA, COPY].sort());
});
