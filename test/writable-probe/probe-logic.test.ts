import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { Client } from 'pg';
import { DbProbe, ProbeConfig, configFromEnv } from '../../src/writable-probe/db-probe.lambda';

/**
 * The probe's logic with every dependency mocked: Secrets Manager and CloudWatch through aws-sdk-client-mock, the
 * PostgreSQL client through jest. test/writable-probe/probe-postgres.test.ts runs the same code against real servers.
 */
jest.mock('pg', () => {
  const behaviour: { inRecovery: boolean; connectError?: Error & { code?: string }; failures: number; configs: unknown[] } =
    { inRecovery: false, failures: 0, configs: [] };
  class FakeClient {
    public static behaviour = behaviour;
    constructor(config: unknown) {
      behaviour.configs.push(config);
    }
    on() { return this; }
    async connect() {
      if (behaviour.connectError && behaviour.failures > 0) {
        behaviour.failures--;
        throw behaviour.connectError;
      }
    }
    async query() { return { rows: [{ in_recovery: behaviour.inRecovery }] }; }
    async end() { return undefined; }
  }
  return { Client: FakeClient };
});

interface FakeBehaviour {
  inRecovery: boolean;
  connectError?: Error & { code?: string };
  failures: number;
  configs: any[];
}
const fake = (Client as unknown as { behaviour: FakeBehaviour }).behaviour;

const secrets = mockClient(SecretsManagerClient);
const cloudwatch = mockClient(CloudWatchClient);

const CONFIG: ProbeConfig = {
  secretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf',
  host: 'orders-primary.abcdefghijkl.us-east-1.rds.amazonaws.com',
  database: 'postgres',
  namespace: 'CdkResilientPostgres',
  instanceIdentifier: 'orders-primary',
  timeoutMs: 5000,
  secretCacheMs: 300_000,
};

function newProbe(config: Partial<ProbeConfig> = {}, now: () => number = Date.now): DbProbe {
  return new DbProbe({ ...CONFIG, ...config }, new SecretsManagerClient({ region: 'us-east-1' }),
    new CloudWatchClient({ region: 'us-east-1' }), now);
}

beforeEach(() => {
  secrets.reset();
  cloudwatch.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: 'admin', password: 'pw', port: 5432 }) });
  cloudwatch.on(PutMetricDataCommand).resolves({});
  fake.inRecovery = false;
  fake.connectError = undefined;
  fake.failures = 0;
  fake.configs = [];
});

afterAll(() => {
  secrets.restore();
  cloudwatch.restore();
});

test('publishes Writable=1, Reachable=1 for a primary, per instance, standard resolution', async () => {
  const result = await newProbe({}, () => Date.UTC(2026, 10, 23, 12, 0, 0)).run();
  expect(result.state).toBe('writable');
  expect(cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input).toEqual({
    Namespace: 'CdkResilientPostgres',
    MetricData: ['Writable', 'Reachable'].map((name) => ({
      MetricName: name,
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'orders-primary' }],
      Timestamp: new Date(Date.UTC(2026, 10, 23, 12, 0, 0)),
      Unit: 'Count',
      StorageResolution: 60,
      Value: 1,
    })),
  });
});

test('publishes Writable=0, Reachable=1 for a replica', async () => {
  fake.inRecovery = true;
  expect((await newProbe().run()).state).toBe('read-only');
  const data = cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData!;
  expect(data.map((d) => [d.MetricName, d.Value])).toEqual([['Writable', 0], ['Reachable', 1]]);
});

describe('the fence latch (Promoted), on a DR replica\'s probe', () => {
  const published = () => cloudwatch.commandCalls(PutMetricDataCommand)
    .map((c) => c.args[0].input.MetricData!.map((d) => [d.MetricName, d.Value]));

  test('a promoted (writable) replica publishes Promoted=1 with Writable and Reachable, same dimension and resolution', async () => {
    await newProbe({ instanceIdentifier: 'orders-dr', promotedMetricName: 'Promoted' }).run();
    const data = cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData!;
    expect(data.map((d) => [d.MetricName, d.Value])).toEqual([['Writable', 1], ['Reachable', 1], ['Promoted', 1]]);
    expect(data[2]).toMatchObject({ Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'orders-dr' }], Unit: 'Count', StorageResolution: 60 });
  });

  test('never a 0: a replica in recovery, a down or rebooting instance publish no Promoted datapoint at all', async () => {
    const probe = newProbe({ instanceIdentifier: 'orders-dr', promotedMetricName: 'Promoted' });
    fake.inRecovery = true;
    await probe.run();
    fake.inRecovery = false;
    fake.connectError = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    fake.failures = 1;
    await probe.run();
    expect(published()).toEqual([[['Writable', 0], ['Reachable', 1]], [['Writable', 0], ['Reachable', 0]]]);
  });

  test('a probe without the setting (the primary\'s) publishes no Promoted metric, even when writable', async () => {
    await newProbe().run();
    expect(published()).toEqual([[['Writable', 1], ['Reachable', 1]]]);
  });
});

test('connects with TLS, verifying the certificate against the endpoint name, within the deadline', async () => {
  await newProbe().run();
  expect(fake.configs[0]).toMatchObject({
    host: CONFIG.host,
    port: 5432,
    user: 'admin',
    ssl: { rejectUnauthorized: true, servername: CONFIG.host },
  });
  expect(fake.configs[0].connectionTimeoutMillis).toBeLessThanOrEqual(5000);
  expect(fake.configs[0].statement_timeout).toBeLessThanOrEqual(5000);
});

test('reuses the secret within the cache period and reads it again after', async () => {
  let now = 0;
  const probe = newProbe({}, () => now);
  await probe.run();
  now = 299_000;
  await probe.run();
  expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  now = 301_000;
  await probe.run();
  expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
});

test('a failed login reads the secret again once (rotation) and succeeds with the new password', async () => {
  const probe = newProbe();
  await probe.run();
  fake.connectError = Object.assign(new Error('password authentication failed'), { code: '28P01' });
  fake.failures = 1;
  const result = await probe.run();
  expect(result.state).toBe('writable');
  expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
});

test('an unreachable server is down, with the reason', async () => {
  fake.connectError = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  fake.failures = 1;
  const result = await newProbe().run();
  expect(result).toMatchObject({ state: 'down', reason: 'connect ECONNREFUSED' });
  const data = cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData!;
  expect(data.map((d) => d.Value)).toEqual([0, 0]);
});

test('a secret without a password is down, not an exception', async () => {
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: 'admin' }) });
  expect(await newProbe().run()).toMatchObject({ state: 'down', reason: 'secret lacks a username or password' });
});

test('no host anywhere is down', async () => {
  expect(await newProbe({ host: undefined }).run()).toMatchObject({ state: 'down', reason: 'no host: set DB_HOST or put host in the secret' });
});

test('a failed publish fails the invocation, so the metric goes missing and the alarm breaches', async () => {
  cloudwatch.on(PutMetricDataCommand).rejects(new Error('AccessDenied'));
  await expect(newProbe().run()).rejects.toThrow('AccessDenied');
});

describe('configuration from the environment', () => {
  const env = {
    SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf',
    METRIC_NAMESPACE: 'CdkResilientPostgres',
    DB_INSTANCE_IDENTIFIER: 'orders-primary',
  };

  test('defaults', () => {
    expect(configFromEnv(env)).toEqual({
      secretArn: env.SECRET_ARN,
      namespace: env.METRIC_NAMESPACE,
      instanceIdentifier: env.DB_INSTANCE_IDENTIFIER,
      host: undefined,
      port: undefined,
      database: 'postgres',
      timeoutMs: 5000,
      caFile: undefined,
      secretCacheMs: 300_000,
      promotedMetricName: undefined,
    });
  });

  test('overrides', () => {
    expect(configFromEnv({ ...env, DB_HOST: 'h', DB_PORT: '6432', DB_NAME: 'orders', PROBE_TIMEOUT_MS: '3000' }))
      .toMatchObject({ host: 'h', port: 6432, database: 'orders', timeoutMs: 3000 });
    expect(configFromEnv({ ...env, PROMOTED_METRIC_NAME: 'Promoted' })).toMatchObject({ promotedMetricName: 'Promoted' });
  });

  test.each(['SECRET_ARN', 'METRIC_NAMESPACE', 'DB_INSTANCE_IDENTIFIER'])('refuses to start without %s', (name) => {
    expect(() => configFromEnv({ ...env, [name]: '' })).toThrow(`probe: environment variable ${name} is not set`);
  });

  test('refuses a non-numeric timeout', () => {
    expect(() => configFromEnv({ ...env, PROBE_TIMEOUT_MS: 'soon' }))
      .toThrow("probe: environment variable PROBE_TIMEOUT_MS is 'soon', expected a positive number");
  });
});
