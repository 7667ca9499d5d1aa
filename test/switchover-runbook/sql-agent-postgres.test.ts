import { readFileSync } from 'fs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { Client } from 'pg';
import { AgentConfig, parseRequest, SqlAgent } from '../../src/switchover-runbook/sql-agent.lambda';
import { PASSWORD, PostgresServers, Server, findPostgresBinDir } from '../writable-probe/postgres-servers';

/**
 * The switchover's SQL agent against real PostgreSQL servers on loopback (a primary and a streaming standby with TLS,
 * from test/writable-probe/postgres-servers.ts). Secrets Manager is mocked; the SQL is real.
 */
const binDir = findPostgresBinDir();
if (!binDir && process.env.CI) {
  throw new Error('PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin): run scripts/ensure-packages.sh');
}
const describeWithPostgres = binDir ? describe : describe.skip;

describe('requests', () => {
  test.each([['drop'], [undefined], [42], ['FENCE']])('refuses operation %p', (operation) => {
    expect(() => parseRequest({ operation })).toThrow(/is not one of fence, unfence, writerLsn, replayLsn/);
  });
  test('replayLsn needs an LSN', () => {
    expect(() => parseRequest({ operation: 'replayLsn', fenceLsn: "0/1'; DROP" })).toThrow(/needs fenceLsn/);
    expect(parseRequest({ operation: 'replayLsn', fenceLsn: '0/3000148' })).toEqual({ operation: 'replayLsn', fenceLsn: '0/3000148' });
  });
  test.each([['fence'], ['unfence'], ['writerLsn']])('accepts %s', (operation) => {
    expect(parseRequest({ operation })).toEqual({ operation });
  });
});

describeWithPostgres('SQL agent against a real PostgreSQL primary and streaming standby', () => {
  let servers: PostgresServers;
  let primary: Server;
  let standby: Server;
  const secrets = mockClient(SecretsManagerClient);

  beforeAll(async () => {
    servers = new PostgresServers(binDir!);
    primary = await servers.startPrimary();
    servers.psql(primary, 'CREATE DATABASE shop');
    servers.psql(primary, 'CREATE TABLE orders (id int primary key)');
    standby = await servers.startStandby(primary);
  });

  afterAll(() => {
    servers?.stopAll();
    secrets.restore();
  });

  beforeEach(() => {
    secrets.reset();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: 'postgres', password: PASSWORD, host: '127.0.0.1' }) });
  });

  function agentFor(server: Server, overrides: Partial<AgentConfig> = {}): SqlAgent {
    return new SqlAgent({
      secretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf',
      port: server.port,
      database: 'postgres',
      timeoutMs: 10_000,
      caFile: servers.caFile,
      ...overrides,
    }, new SecretsManagerClient({ region: 'us-east-1' }));
  }

  async function connect(server: Server, database = 'postgres'): Promise<Client> {
    const client = new Client({
      host: '127.0.0.1',
      port: server.port,
      database,
      user: 'postgres',
      password: PASSWORD,
      ssl: { rejectUnauthorized: true, ca: readFileSync(servers.caFile, 'utf8') },
    });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  async function waitForReplay(lsn: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if ((await agentFor(standby).run({ operation: 'replayLsn', fenceLsn: lsn })).reached) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`standby never replayed ${lsn}`);
  }

  test('TLS verify-full: a CA that did not sign the server certificate is refused', async () => {
    await expect(agentFor(primary, { caFile: undefined }).run({ operation: 'writerLsn' })).rejects.toThrow(/certificate/);
  });

  test('writerLsn and replayLsn compare after a write; writerLsn refuses a replica', async () => {
    const before = await agentFor(primary).run({ operation: 'writerLsn' });
    servers.psql(primary, 'INSERT INTO orders SELECT g FROM generate_series(1, 1000) g');
    const after = await agentFor(primary).run({ operation: 'writerLsn' });
    expect(after.lsn).not.toEqual(before.lsn);
    expect(servers.psql(primary, `SELECT '${after.lsn}'::pg_lsn > '${before.lsn}'::pg_lsn`)).toBe('t');
    await waitForReplay(after.lsn!);
    const replay = await agentFor(standby).run({ operation: 'replayLsn', fenceLsn: after.lsn });
    expect(replay).toMatchObject({ inRecovery: true, reached: true, lagBytes: 0 });
    // A position beyond the replay: not reached, and the bytes it lacks.
    const ahead = await agentFor(standby).run({ operation: 'replayLsn', fenceLsn: 'FF/0' });
    expect(ahead.reached).toBe(false);
    expect(ahead.lagBytes).toBeGreaterThan(0);
    await expect(agentFor(standby).run({ operation: 'writerLsn' })).rejects.toThrow(/in recovery/);
    await expect(agentFor(standby).run({ operation: 'fence' })).rejects.toThrow(/in recovery/);
  });

  test('fence makes new sessions read-only in every database and terminates the other sessions; unfence restores writes', async () => {
    const other = await connect(primary, 'shop');
    const ended = new Promise<void>((resolve) => other.on('end', () => resolve()));
    const fenced = await agentFor(primary).run({ operation: 'fence' });
    expect(fenced.databases).toEqual(['postgres', 'shop']);
    expect(fenced.terminated).toBeGreaterThanOrEqual(1);
    await ended;
    await expect(other.query('SELECT 1')).rejects.toThrow();
    // Replication survives the fence: WAL senders are not client backends.
    await waitForReplay(fenced.lsn!);
    for (const database of ['postgres', 'shop']) {
      const session = await connect(primary, database);
      await expect(session.query('CREATE TABLE IF NOT EXISTS t (id int)')).rejects.toThrow(/read-only transaction/);
      await session.end();
    }
    // Nothing wrote after the fence LSN.
    expect((await agentFor(primary).run({ operation: 'writerLsn' })).lsn).toEqual(fenced.lsn);
    // What the fence does not stop: a session that sets the GUC itself.
    const rogue = await connect(primary);
    await rogue.query('SET default_transaction_read_only = off');
    await expect(rogue.query('INSERT INTO orders VALUES (-1)')).resolves.toBeDefined();
    await rogue.query('DELETE FROM orders WHERE id = -1');
    await rogue.end();

    const unfenced = await agentFor(primary).run({ operation: 'unfence' });
    expect(unfenced.databases).toEqual(['postgres', 'shop']);
    const session = await connect(primary);
    await expect(session.query('INSERT INTO orders VALUES (-2)')).resolves.toBeDefined();
    await session.end();
  });

  test('the fence replicates: a standby promoted after a fence is read-only for new sessions until unfenced', async () => {
    const fenced = await agentFor(primary).run({ operation: 'fence' });
    await waitForReplay(fenced.lsn!);
    expect(servers.psql(standby, 'SELECT pg_promote(true, 60)')).toBe('t');
    const before = await connect(standby);
    await expect(before.query('INSERT INTO orders VALUES (-3)')).rejects.toThrow(/read-only transaction/);
    await before.end();
    await agentFor(standby).run({ operation: 'unfence' });
    const after = await connect(standby);
    await expect(after.query('INSERT INTO orders VALUES (-3)')).resolves.toBeDefined();
    await after.end();
  });
});

