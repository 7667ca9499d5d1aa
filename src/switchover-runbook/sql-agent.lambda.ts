/* eslint-disable import/no-extraneous-dependencies */
// The switchover's SQL agent. It runs in the VPC of one DB instance, connects with TLS (certificate and host name
// verified, as the writable probe does) using the master secret, and does one of four operations, nothing else:
//
// - `fence`: for every database that is not a template, `ALTER DATABASE … SET default_transaction_read_only = on`
//   (new sessions start read-only), then terminates the other client backends (pg_terminate_backend, waiting for each to
//   end) and reads `pg_current_wal_lsn()`: the fence LSN. WAL senders and RDS's own `rdsadmin` sessions are left alone.
// - `unfence`: `ALTER DATABASE … RESET default_transaction_read_only` on the same databases.
// - `writerLsn`: `pg_current_wal_lsn()` on a primary.
// - `replayLsn`: `pg_last_wal_replay_lsn()` on a replica, and, given `fenceLsn`, whether replay has reached it and how
//   many bytes it lacks (`pg_wal_lsn_diff`, computed by the server, never by the caller).
//
// The fence does not stop a session that sets `default_transaction_read_only` (or `transaction_read_only`) itself, a
// `BEGIN READ WRITE`, nor a role or role-in-database setting (`ALTER ROLE … SET default_transaction_read_only = off`),
// which PostgreSQL applies after the database's. docs/switchover-runbook.md says so.
// https://www.postgresql.org/docs/current/sql-alterdatabase.html
// https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-SIGNAL
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.rds_superuser.html
import { readFileSync } from 'fs';
import { isIP } from 'net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client, ClientConfig } from 'pg';

/** The operations the agent performs; any other is refused. */
export const AGENT_OPERATIONS = ['fence', 'unfence', 'writerLsn', 'replayLsn'] as const;
export type AgentOperation = typeof AGENT_OPERATIONS[number];

/** The error type of a refused request (the Lambda error's `errorType`, which Step Functions takes as the error name). */
export class AgentRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentRefused';
  }
}

/** The agent's settings, from the function's environment. */
export interface AgentConfig {
  readonly secretArn: string;
  readonly host?: string;
  readonly port?: number;
  readonly database: string;
  readonly timeoutMs: number;
  readonly caFile?: string;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const secretArn = env.SECRET_ARN;
  if (!secretArn) {
    throw new Error('sql agent: environment variable SECRET_ARN is not set');
  }
  return {
    secretArn,
    host: env.DB_HOST || undefined,
    port: env.DB_PORT ? Number(env.DB_PORT) : undefined,
    database: env.DB_NAME || 'postgres',
    timeoutMs: env.AGENT_TIMEOUT_MS ? Number(env.AGENT_TIMEOUT_MS) : 20_000,
    caFile: env.DB_CA_FILE || undefined,
  };
}

/** A request: the operation, and for `replayLsn` the LSN replay must reach. */
export interface AgentRequest {
  readonly operation?: unknown;
  readonly fenceLsn?: unknown;
}

export interface AgentResult {
  readonly operation: AgentOperation;
  readonly inRecovery: boolean;
  /** `fence`, `unfence`: the databases changed. */
  readonly databases?: string[];
  /** `fence`: how many client backends were terminated. */
  readonly terminated?: number;
  /** `fence`, `writerLsn`: pg_current_wal_lsn(); `replayLsn`: pg_last_wal_replay_lsn(). */
  readonly lsn?: string | null;
  /** `replayLsn`: whether replay reached `fenceLsn`. */
  readonly reached?: boolean;
  /** `replayLsn`: bytes from the replay position to `fenceLsn`, 0 once reached. */
  readonly lagBytes?: number | null;
}

/** An LSN as PostgreSQL prints it: two hexadecimal numbers separated by a slash. */
const LSN = /^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/;

/** How long pg_terminate_backend waits for each backend to end (PostgreSQL 14 and later), in milliseconds. */
const TERMINATE_WAIT_MS = 5000;

/** A quoted identifier, as PostgreSQL's quote_ident writes it. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Validates a request; throws AgentRefused for anything outside the four operations and their arguments. */
export function parseRequest(request: AgentRequest): { operation: AgentOperation; fenceLsn?: string } {
  const operation = request?.operation;
  if (typeof operation !== 'string' || !(AGENT_OPERATIONS as readonly string[]).includes(operation)) {
    throw new AgentRefused(`operation ${JSON.stringify(operation)} is not one of ${AGENT_OPERATIONS.join(', ')}`);
  }
  if (operation === 'replayLsn') {
    if (typeof request.fenceLsn !== 'string' || !LSN.test(request.fenceLsn)) {
      throw new AgentRefused(`replayLsn needs fenceLsn, an LSN such as 0/3000148, not ${JSON.stringify(request.fenceLsn)}`);
    }
    return { operation, fenceLsn: request.fenceLsn };
  }
  return { operation: operation as AgentOperation };
}

export class SqlAgent {
  constructor(private readonly config: AgentConfig, private readonly secrets: SecretsManagerClient) {}

  public async run(request: AgentRequest): Promise<AgentResult> {
    const { operation, fenceLsn } = parseRequest(request);
    const client = new Client(await this.clientConfig());
    client.on('error', () => undefined);
    await client.connect();
    try {
      // The agent's own session must be able to write even when the fence is already set.
      await client.query('SET default_transaction_read_only = off');
      const inRecovery = (await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0].r;
      switch (operation) {
        case 'fence': return await this.fence(client, inRecovery);
        case 'unfence': return { operation, inRecovery, databases: await this.setReadOnly(client, false) };
        case 'writerLsn': {
          if (inRecovery) {
            throw new AgentRefused('writerLsn: the instance is in recovery (a replica), not a writer');
          }
          const lsn = (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;
          return { operation, inRecovery, lsn };
        }
        case 'replayLsn': {
          const row = (await client.query<{ lsn: string | null; lag: string | null }>(
            'SELECT pg_last_wal_replay_lsn()::text AS lsn, GREATEST(pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn()), 0)::text AS lag',
            [fenceLsn])).rows[0];
          const lagBytes = row.lag === null ? null : Number(row.lag);
          return { operation, inRecovery, lsn: row.lsn, reached: lagBytes === 0, lagBytes };
        }
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async fence(client: Client, inRecovery: boolean): Promise<AgentResult> {
    if (inRecovery) {
      throw new AgentRefused('fence: the instance is in recovery (a replica), not a writer');
    }
    const databases = await this.setReadOnly(client, true);
    const terminated = (await client.query<{ n: string }>(
      'SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, $1)) AS n FROM pg_stat_activity '
      + "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND usename IS DISTINCT FROM 'rdsadmin'",
      [TERMINATE_WAIT_MS])).rows[0].n;
    const lsn = (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;
    return { operation: 'fence', inRecovery, databases, terminated: Number(terminated), lsn };
  }

  /** Every database that accepts connections and is not a template, and not RDS's own `rdsadmin`. */
  private async setReadOnly(client: Client, readOnly: boolean): Promise<string[]> {
    const names = (await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE NOT datistemplate AND datallowconn AND datname <> 'rdsadmin' ORDER BY datname")).rows
      .map((r) => r.datname);
    for (const name of names) {
      await client.query(readOnly
        ? `ALTER DATABASE ${ident(name)} SET default_transaction_read_only = on`
        : `ALTER DATABASE ${ident(name)} RESET default_transaction_read_only`);
    }
    return names;
  }

  private async clientConfig(): Promise<ClientConfig> {
    const out = await this.secrets.send(new GetSecretValueCommand({ SecretId: this.config.secretArn }));
    const secret = JSON.parse(out.SecretString ?? '{}') as { username?: string; password?: string; host?: string; port?: number };
    if (typeof secret.username !== 'string' || typeof secret.password !== 'string') {
      throw new Error('secret lacks a username or password');
    }
    const host = this.config.host ?? secret.host;
    if (host === undefined) {
      throw new Error('no host: set DB_HOST or put host in the secret');
    }
    return {
      host,
      port: this.config.port ?? (secret.port === undefined ? 5432 : Number(secret.port)),
      database: this.config.database,
      user: secret.username,
      password: secret.password,
      ssl: {
        rejectUnauthorized: true,
        servername: isIP(host) ? undefined : host,
        ca: this.config.caFile ? readFileSync(this.config.caFile, 'utf8') : undefined,
      },
      connectionTimeoutMillis: this.config.timeoutMs,
      query_timeout: this.config.timeoutMs,
      statement_timeout: this.config.timeoutMs,
      application_name: 'cdk-resilient-postgres-switchover',
    };
  }
}

let agent: SqlAgent | undefined;

/** Lambda entry point, invoked by the switchover runbook (directly, or through the relay in the other Region). */
export async function handler(request: AgentRequest): Promise<AgentResult> {
  agent ??= new SqlAgent(configFromEnv(), new SecretsManagerClient({}));
  const result = await agent.run(request);
  console.log(JSON.stringify(result));
  return result;
}
