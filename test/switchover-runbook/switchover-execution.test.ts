/**
 * Executes the SwitchoverRunbook's synthesized definition (ASL, JSONata) against moto server: RDS, CloudWatch, SNS, SQS
 * and Step Functions on 127.0.0.1, seeded with the writer in us-east-1 and its cross-Region replica in us-west-2.
 *
 * moto runs Lambda functions only in Docker, so the Lambda invoke tasks reach a test double of the SQL agent and of the
 * relay (test/failover-runbook/moto_server.py, `/_agent`), whose answers and faults each scenario sets. The agent's
 * real SQL is tested against PostgreSQL in sql-agent-postgres.test.ts.
 */
import { CreateDBInstanceCommand, CreateDBInstanceReadReplicaCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { switchoverApp } from './fixture';
import { sdkServicesOf } from '../contracts/sfn-sdk-contract';
import { AgentAnswer, drainMessages, ExecutionRun, MOTO_ACCOUNT, MotoServer, startExecution, waitForExecution } from '../failover-runbook/moto';
import { DR_REGION, PRIMARY_REGION } from '../util';

jest.setTimeout(180_000);

const REPLICA = 'orders-dr';
const PRIMARY = 'orders-primary';
const PRIMARY_ARN = `arn:aws:rds:${PRIMARY_REGION}:${MOTO_ACCOUNT}:db:${PRIMARY}`;
const RELAY = 'orders-dr-switchover-relay';
const TARGET_AGENT = 'orders-dr-switchover-agent';
const FENCE_LSN = '0/5000A28';

type Run = ExecutionRun;

let moto: MotoServer;
let rds: RDSClient; let rdsPrimary: RDSClient; let sns: SNSClient; let sqs: SQSClient; let sfn: SFNClient;
let definition: string;
let queueUrl: string;
let topicArn: string;

beforeAll(async () => {
  const { drStack } = switchoverApp({
    catchUpPollInterval: Duration.seconds(4),
    catchUpTimeout: Duration.seconds(10),
    pollInterval: Duration.seconds(10),
  });
  const machines = Template.fromStack(drStack).findResources('AWS::StepFunctions::StateMachine');
  definition = Object.entries(machines).find(([id]) => id.startsWith('Switchover'))![1].Properties.DefinitionString;
  expect(typeof definition).toBe('string');
  moto = await MotoServer.start(sdkServicesOf([JSON.parse(definition)]));
  const config = (region: string) => ({ endpoint: moto.endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  rds = new RDSClient(config(DR_REGION));
  rdsPrimary = new RDSClient(config(PRIMARY_REGION));
  sns = new SNSClient(config(DR_REGION));
  sqs = new SQSClient(config(DR_REGION));
  sfn = new SFNClient(config(DR_REGION));
});

afterAll(async () => {
  for (const client of [rds, rdsPrimary, sns, sqs, sfn]) {
    client?.destroy();
  }
  await moto?.stop();
});

const fenced: AgentAnswer = { result: { operation: 'fence', inRecovery: false, databases: ['orders', 'postgres'], terminated: 3, lsn: FENCE_LSN } };
const unfenced: AgentAnswer = { result: { operation: 'unfence', inRecovery: false, databases: ['orders', 'postgres'] } };
const replay = (lsn: string, lagBytes: number): AgentAnswer => ({ result: { operation: 'replayLsn', inRecovery: true, lsn, reached: lagBytes === 0, lagBytes } });

async function seed(agent: Record<string, Record<string, AgentAnswer[]>>): Promise<string> {
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
  await rds.send(new CreateDBInstanceReadReplicaCommand({ DBInstanceIdentifier: REPLICA, SourceDBInstanceIdentifier: PRIMARY_ARN, DBInstanceClass: 'db.m7g.large' }));
  topicArn = (await sns.send(new CreateTopicCommand({ Name: 'orders-dr-alarms' }))).TopicArn!;
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'switchover-messages' }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));
  await moto.setAgentAnswers(agent);
  const created = await sfn.send(new CreateStateMachineCommand({
    name: `${REPLICA}-switchover`,
    definition: definition.split('${TopicArn}').join(topicArn),
    roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/switchover`,
  }));
  return created.stateMachineArn!;
}

async function execute(machineArn: string, input: object = {}): Promise<Run> {
  return waitForExecution(sfn, await startExecution(sfn, machineArn, input), moto, 150);
}

async function messages(): Promise<any[]> {
  return drainMessages(sqs, queueUrl);
}

async function replicaNow() {
  return (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: REPLICA }))).DBInstances![0];
}

/** The fake agent's calls as `<function name> <operation>`. */
async function agentCalls(): Promise<string[]> {
  return (await moto.agentCalls()).map((c) => `${c.function.split(':').pop()} ${c.payload.operation}`);
}

function promoteAttempts(run: Run): { scheduled: number; errors: string[] } {
  const isPromote = (resource?: string) => resource?.endsWith('promoteReadReplica') ?? false;
  return {
    scheduled: run.history.filter((e) => e.type === 'TaskScheduled' && isPromote(e.taskScheduledEventDetails?.resource)).length,
    errors: run.history.filter((e) => e.type === 'TaskFailed' && isPromote(e.taskFailedEventDetails?.resource)).map((e) => e.taskFailedEventDetails!.error!),
  };
}

test('(a) happy path: fence, catch-up to the fence LSN, promotion, the new writer unfenced, zero lag at promotion', async () => {
  const machine = await seed({
    [RELAY]: { fence: [fenced], unfence: [unfenced] },
    [TARGET_AGENT]: { replayLsn: [replay('0/5000000', 2600), replay(FENCE_LSN, 0)], unfence: [unfenced] },
  });
  const run = await execute(machine, { reason: 'planned move to us-west-2' });
  expect(run.status).toBe('SUCCEEDED');
  expect((await replicaNow()).ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
  // The writer is fenced through the relay in this Region; the replay is read next to the replica; the promoted
  // instance is unfenced (the fence's settings replicated to it); the old writer is not.
  expect(await agentCalls()).toEqual([
    `${RELAY} fence`, `${TARGET_AGENT} replayLsn`, `${TARGET_AGENT} replayLsn`, `${TARGET_AGENT} unfence`,
  ]);
  expect((await moto.agentCalls())[1].payload).toEqual({ operation: 'replayLsn', fenceLsn: FENCE_LSN });
  expect(run.output).toMatchObject({
    outcome: 'switched-over',
    replica: REPLICA,
    writer: PRIMARY_ARN,
    reason: 'planned move to us-west-2',
    fenceLsn: FENCE_LSN,
    replayLsn: FENCE_LSN,
    lagBytes: 0,
    lagBytesAtPromotion: 0,
    replayPolls: 2,
    terminatedSessions: 3,
    newWriterUnfenced: true,
    writerUnfenced: null,
    signalPublished: true,
  });
  for (const phase of ['fenceSeconds', 'catchUpSeconds', 'promotionSeconds', 'writesBlockedSeconds']) {
    expect(run.output.phases[phase]).toEqual(expect.any(Number));
  }
  expect(run.output.phases.writesBlockedSeconds).toBeGreaterThanOrEqual(run.output.phases.promotionSeconds);
  const steps = (await messages()).map((m) => m.step);
  expect(steps).toEqual(['started', 'writer fenced', 'replica caught up with the fence LSN', 'promotion requested', 'writable', undefined]);
});

test('(b) the fence cannot be set: aborted, the writer unfenced, nothing promoted', async () => {
  const machine = await seed({
    [RELAY]: { fence: [{ error: 'DatabaseError', message: 'permission denied to terminate process' }], unfence: [unfenced] },
    [TARGET_AGENT]: { replayLsn: [replay(FENCE_LSN, 0)] },
  });
  const run = await execute(machine);
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('Switchover.Aborted');
  const report = JSON.parse(run.cause!);
  expect(report).toMatchObject({ outcome: 'aborted: fence failed', writerUnfenced: true, fenceLsn: null, promoteRequestedAt: null });
  expect(report.error.Error).toBe('DatabaseError');
  expect(await agentCalls()).toEqual([`${RELAY} fence`, `${RELAY} unfence`]);
  expect(promoteAttempts(run).scheduled).toBe(0);
  expect((await replicaNow()).ReadReplicaSourceDBInstanceIdentifier).toBe(PRIMARY_ARN);
});

test('(c) replay never reaches the fence LSN: aborted after the bound, AND the old writer unfenced', async () => {
  const machine = await seed({
    [RELAY]: { fence: [fenced], unfence: [unfenced] },
    [TARGET_AGENT]: { replayLsn: [replay('0/4000000', 16_779_816)] },
  });
  const run = await execute(machine);
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('Switchover.Aborted');
  const report = JSON.parse(run.cause!);
  expect(report).toMatchObject({
    outcome: 'aborted: replay did not reach the fence LSN',
    writerUnfenced: true,
    fenceLsn: FENCE_LSN,
    replayLsn: '0/4000000',
    lagBytes: 16_779_816,
    replayPolls: 3,
    lagBytesAtPromotion: null,
  });
  const calls = await agentCalls();
  // catchUpTimeout 10 s at 4 s: three reads, then the unfence of the old writer, through the relay.
  expect(calls).toEqual([`${RELAY} fence`, `${TARGET_AGENT} replayLsn`, `${TARGET_AGENT} replayLsn`, `${TARGET_AGENT} replayLsn`, `${RELAY} unfence`]);
  expect((await moto.agentCalls()).at(-1)!.function).toBe(`arn:aws:lambda:${DR_REGION}:${MOTO_ACCOUNT}:function:${RELAY}`);
  expect(promoteAttempts(run).scheduled).toBe(0);
  expect((await replicaNow()).ReadReplicaSourceDBInstanceIdentifier).toBe(PRIMARY_ARN);
  const steps = (await messages()).map((m) => m.step);
  expect(steps).toContain('aborting: the replica did not replay the fence LSN within 3 polls');
});

test('(e) PromoteReadReplica refused while the replica is still a replica: aborted, the writer unfenced', async () => {
  const machine = await seed({
    [RELAY]: { fence: [fenced], unfence: [unfenced] },
    [TARGET_AGENT]: { replayLsn: [replay(FENCE_LSN, 0)] },
  });
  // A modeled error that PROMOTE_RETRY does not retry (Rds.DbInstanceNotFoundException), so that the refusal path runs
  // at once; the refusal check then finds the replica still a replica.
  await moto.injectFaults('PromoteReadReplica', [{ code: 'DBInstanceNotFound', message: 'refused' }]);
  const run = await execute(machine);
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('Switchover.Aborted');
  expect(JSON.parse(run.cause!)).toMatchObject({ outcome: 'aborted: PromoteReadReplica was refused', writerUnfenced: true });
  expect(await agentCalls()).toEqual([`${RELAY} fence`, `${TARGET_AGENT} replayLsn`, `${RELAY} unfence`]);
  expect((await replicaNow()).ReadReplicaSourceDBInstanceIdentifier).toBe(PRIMARY_ARN);
});

test('(c\') the replica agent failing on every read counts as not caught up: aborted and unfenced', async () => {
  const machine = await seed({
    [RELAY]: { fence: [fenced], unfence: [unfenced] },
    [TARGET_AGENT]: { replayLsn: [{ error: 'Error', message: 'connect ETIMEDOUT' }] },
  });
  const run = await execute(machine);
  expect(run.error).toBe('Switchover.Aborted');
  expect(JSON.parse(run.cause!)).toMatchObject({ writerUnfenced: true, replayPolls: 3 });
  expect((await agentCalls()).at(-1)).toBe(`${RELAY} unfence`);
  expect(promoteAttempts(run).scheduled).toBe(0);
});

test('(d) PromoteReadReplica throttled, and the relay throttled once: retried, switched over', async () => {
  const machine = await seed({
    [RELAY]: { fence: [{ serviceError: 'TooManyRequestsException' }, fenced], unfence: [unfenced] },
    [TARGET_AGENT]: { replayLsn: [replay(FENCE_LSN, 0)], unfence: [unfenced] },
  });
  await moto.injectFaults('PromoteReadReplica', [{ code: 'Throttling', message: 'Rate exceeded' }, { code: 'Throttling', message: 'Rate exceeded' }]);
  const run = await execute(machine);
  expect(run.status).toBe('SUCCEEDED');
  expect(promoteAttempts(run)).toEqual({ scheduled: 3, errors: ['Rds.RdsException', 'Rds.RdsException'] });
  expect(run.output).toMatchObject({ outcome: 'switched-over', lagBytesAtPromotion: 0, newWriterUnfenced: true });
  expect((await agentCalls()).slice(0, 2)).toEqual([`${RELAY} fence`, `${RELAY} fence`]);
  expect((await replicaNow()).ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
});

test('refuses a replica that follows another writer: nothing fenced, nothing promoted', async () => {
  await seed({ [RELAY]: { fence: [fenced] } });
  const other = await sfn.send(new CreateStateMachineCommand({
    name: 'wrong-writer',
    definition: definition.split(PRIMARY_ARN).join(`arn:aws:rds:${PRIMARY_REGION}:${MOTO_ACCOUNT}:db:someone-else`)
      .split(`'${PRIMARY}'`).join("'someone-else'").split('${TopicArn}').join(topicArn),
    roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/switchover`,
  }));
  const refused = await execute(other.stateMachineArn!);
  expect(refused.error).toBe('Switchover.WrongSource');
  expect(await agentCalls()).toEqual([]);
  expect(promoteAttempts(refused).scheduled).toBe(0);
});
