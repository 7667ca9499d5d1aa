import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { PASSWORD, PostgresServers, Server, findPostgresBinDir } from './postgres-servers';
import { DbProbe, ProbeConfig } from '../../src/writable-probe/db-probe.lambda';

/**
 * The probe against real PostgreSQL servers on loopback: a primary and a streaming standby with TLS. Secrets Manager
 * and CloudWatch are mocked (aws-sdk-client-mock); the database side is real.
 *
 * The servers come from Debian's postgresql packages, which scripts/ensure-packages.sh installs. Under CI (CI=true,
 * as scripts/test.sh sets) a missing server is a failure, never a skip.
 */
const binDir = findPostgresBinDir();
if (!binDir && process.env.CI) {
  throw new Error('PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin): run scripts/ensure-packages.sh');
}
const describeWithPostgres = binDir ? describe : describe.skip;

const TIMEOUT_MS = 2000;

describeWithPostgres('probe against a real PostgreSQL primary and streaming standby', () => {
  let servers: PostgresServers;
  let primary: Server;
  let standby: Server;
  const secrets = mockClient(SecretsManagerClient);
  const cloudwatch = mockClient(CloudWatchClient);

  beforeAll(async () => {
    servers = new PostgresServers(binDir!);
    primary = await servers.startPrimary();
  });

  afterAll(() => {
    servers?.stopAll();
    secrets.restore();
    cloudwatch.restore();
  });

  beforeEach(() => {
    secrets.reset();
    cloudwatch.reset();
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ username: 'postgres', password: PASSWORD, host: '127.0.0.1' }),
    });
    cloudwatch.on(PutMetricDataCommand).resolves({});
  });

  function probeFor(server: Server, overrides: Partial<ProbeConfig> = {}): DbProbe {
    return new DbProbe({
      secretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf',
      port: server.port,
      database: 'postgres',
      namespace: 'CdkResilientPostgres',
      instanceIdentifier: server.name,
      timeoutMs: TIMEOUT_MS,
      caFile: servers.caFile,
      secretCacheMs: 300_000,
      ...overrides,
    }, new SecretsManagerClient({ region: 'us-east-1' }), new CloudWatchClient({ region: 'us-east-1' }));
  }

  /** The Writable and Reachable values of the last PutMetricData call. */
  function published(): Record<string, number | undefined> {
    const calls = cloudwatch.commandCalls(PutMetricDataCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0].args[0].input;
    expect(input.Namespace).toBe('CdkResilientPostgres');
    for (const datum of input.MetricData ?? []) {
      expect(datum.StorageResolution).toBe(60);
    }
    return Object.fromEntries((input.MetricData ?? []).map((d) => [d.MetricName, d.Value]));
  }

  test('a primary is writable', async () => {
    const result = await probeFor(primary).run();
    expect(result).toMatchObject({ state: 'writable' });
    expect(published()).toEqual({ Writable: 1, Reachable: 1 });
  });

  test('a primary whose new sessions start read-only (the switchover fence) is read-only, and writable again without it', async () => {
    servers.psql(primary, 'ALTER DATABASE postgres SET default_transaction_read_only = on');
    try {
      const result = await probeFor(primary, { promotedMetricName: 'Promoted' }).run();
      expect(result).toMatchObject({ state: 'read-only' });
      expect(published()).toEqual({ Writable: 0, Reachable: 1 });
    } finally {
      // From another database: a session on postgres now starts read-only and could not run the RESET itself.
      servers.psql(primary, 'ALTER DATABASE postgres RESET default_transaction_read_only', 'template1');
    }
    cloudwatch.resetHistory();
    await expect(probeFor(primary).run()).resolves.toMatchObject({ state: 'writable' });
    expect(published()).toEqual({ Writable: 1, Reachable: 1 });
  });

  test('a streaming standby is read-only', async () => {
    servers.psql(primary, 'CREATE TABLE orders (id int primary key); INSERT INTO orders VALUES (1)');
    standby = await servers.startStandby(primary);
    expect(servers.psql(standby, 'SELECT pg_is_in_recovery()')).toBe('t');
    // As the DR probe is configured: the fence latch is never published while the standby replays WAL.
    const result = await probeFor(standby, { promotedMetricName: 'Promoted' }).run();
    expect(result).toMatchObject({ state: 'read-only' });
    expect(published()).toEqual({ Writable: 0, Reachable: 1 });
  });

  test('the standby is writable after pg_promote()', async () => {
    expect(servers.psql(standby, 'SELECT pg_promote(true, 60)')).toBe('t');
    const result = await probeFor(standby, { promotedMetricName: 'Promoted' }).run();
    expect(result).toMatchObject({ state: 'writable' });
    expect(published()).toEqual({ Writable: 1, Reachable: 1, Promoted: 1 });
    expect(servers.psql(standby, 'INSERT INTO orders VALUES (2) RETURNING id')).toBe('2');
  });

  test('a stopped server is down', async () => {
    servers.stop(standby);
    const result = await probeFor(standby).run();
    expect(result.state).toBe('down');
    expect(result.reason).toMatch(/ECONNREFUSED/);
    expect(published()).toEqual({ Writable: 0, Reachable: 0 });
  });

  test('a hung server is down within the timeout', async () => {
    const pid = servers.postmasterPid(primary);
    process.kill(pid, 'SIGSTOP');
    try {
      const result = await probeFor(primary).run();
      expect(result.state).toBe('down');
      expect(result.reason).toMatch(/within 2000 ms|timeout/i);
      // The verdict comes at the deadline, not at the Lambda timeout: allow 500 ms for scheduling.
      expect(result.elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(result.elapsedMs).toBeLessThan(TIMEOUT_MS + 500);
      expect(published()).toEqual({ Writable: 0, Reachable: 0 });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // Once it answers again, it is writable again.
    cloudwatch.resetHistory();
    expect((await probeFor(primary).run()).state).toBe('writable');
  });

  test('a certificate from another CA is refused: down, not writable', async () => {
    const result = await probeFor(primary, { caFile: undefined }).run();
    expect(result.state).toBe('down');
    expect(result.reason).toMatch(/certificate/i);
    expect(published()).toEqual({ Writable: 0, Reachable: 0 });
  });

  test('a wrong password is down, after one fresh read of the secret', async () => {
    secrets.reset();
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ username: 'postgres', password: 'wrong', host: '127.0.0.1' }),
    });
    const result = await probeFor(primary).run();
    expect(result.state).toBe('down');
    expect(result.reason).toMatch(/password authentication failed/);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});
