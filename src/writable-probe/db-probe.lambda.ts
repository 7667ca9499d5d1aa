/* eslint-disable import/no-extraneous-dependencies */
// The probe behind the writable-primary health signal. Every minute it connects to one PostgreSQL DB instance with
// TLS, asks `SELECT pg_is_in_recovery()` and whether new sessions start read-only (`default_transaction_read_only`, which
// the SwitchoverRunbook's fence sets on every database of the old writer), and publishes what it found as the metrics of
// src/private/probe-metric-contract.ts:
// Writable and Reachable always; Promoted on a DR replica's probe only (PROMOTED_METRIC_NAME set), as 1 when the
// instance accepts writes and nothing otherwise, never 0.
// "down" (no answer, TLS or login failure, or no answer within the deadline) publishes 0 for both. If the probe
// cannot publish, the metric goes missing and the alarms treat missing data as breaching.
import { readFileSync } from 'fs';
import { isIP } from 'net';
import { CloudWatchClient, PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client, ClientConfig } from 'pg';
import { PROBE_DIMENSION, PROBE_STORAGE_RESOLUTION, REACHABLE_METRIC_NAME, WRITABLE_METRIC_NAME } from '../private/probe-metric-contract';

/** What the probe found. */
export type ProbeState = 'writable' | 'read-only' | 'down';

/** The probe's settings, read from the function's environment. */
export interface ProbeConfig {
  /** ARN (or name) of the Secrets Manager secret with `username` and `password` (and optionally `host`, `port`). */
  readonly secretArn: string;
  /** Host to connect to; overrides the secret's `host`. */
  readonly host?: string;
  readonly port?: number;
  readonly database: string;
  /** Metric namespace and the DBInstanceIdentifier dimension value. */
  readonly namespace: string;
  readonly instanceIdentifier: string;
  /** Deadline for connect, TLS, login and query together, in milliseconds. */
  readonly timeoutMs: number;
  /** PEM file of the CA that signs the server certificate; unset means Node's trust store (plus NODE_EXTRA_CA_CERTS). */
  readonly caFile?: string;
  /** How long a fetched secret is reused, in milliseconds. A failed login always fetches it again. */
  readonly secretCacheMs: number;
  /**
   * The name of the fence's latch metric, published as 1 whenever the instance is found writable and never as 0.
   * Set on the probe of a DR replica only; unset, nothing is published under it.
   */
  readonly promotedMetricName?: string;
}

/** Reads the configuration from environment variables, refusing to start without the required ones. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ProbeConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new Error(`probe: environment variable ${name} is not set`);
    }
    return value;
  };
  const num = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      return fallback;
    }
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) {
      throw new Error(`probe: environment variable ${name} is '${raw}', expected a positive number`);
    }
    return value;
  };
  return {
    secretArn: required('SECRET_ARN'),
    host: env.DB_HOST || undefined,
    port: env.DB_PORT ? num('DB_PORT', 5432) : undefined,
    database: env.DB_NAME || 'postgres',
    namespace: required('METRIC_NAMESPACE'),
    instanceIdentifier: required('DB_INSTANCE_IDENTIFIER'),
    timeoutMs: num('PROBE_TIMEOUT_MS', 5000),
    caFile: env.DB_CA_FILE || undefined,
    secretCacheMs: num('SECRET_CACHE_MS', 300_000),
    promotedMetricName: env.PROMOTED_METRIC_NAME || undefined,
  };
}

interface Credentials {
  readonly username: string;
  readonly password: string;
  readonly host?: string;
  readonly port?: number;
}

/** The result of one probe, as returned by the handler (and logged). */
export interface ProbeResult {
  readonly state: ProbeState;
  /** Milliseconds from the start of the probe to its verdict. */
  readonly elapsedMs: number;
  /** Why the instance counts as down, when it does. */
  readonly reason?: string;
}

/** The probe, with its clients injected so that tests can replace them. */
export class DbProbe {
  private cached?: { credentials: Credentials; fetchedAt: number };

  constructor(
    private readonly config: ProbeConfig,
    private readonly secrets: SecretsManagerClient,
    private readonly cloudwatch: CloudWatchClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** Probes once and publishes the result. Never throws for a database failure: that is the "down" state. */
  public async run(): Promise<ProbeResult> {
    const started = this.now();
    let state: ProbeState;
    let reason: string | undefined;
    try {
      state = await this.probeWithRetryOnLogin();
    } catch (e) {
      state = 'down';
      reason = (e as Error).message;
    }
    const elapsedMs = this.now() - started;
    await this.publish(state);
    return { state, elapsedMs, reason };
  }

  /** One probe; on a failed login the secret may have been rotated, so it is fetched again and the probe repeated. */
  private async probeWithRetryOnLogin(): Promise<ProbeState> {
    const deadline = this.now() + this.config.timeoutMs;
    try {
      return await this.probeOnce(await this.credentials(false), deadline);
    } catch (e) {
      // 28P01 invalid_password, 28000 invalid_authorization_specification
      const code = (e as { code?: string }).code;
      if (code === '28P01' || code === '28000') {
        return this.probeOnce(await this.credentials(true), deadline);
      }
      throw e;
    }
  }

  private async credentials(refresh: boolean): Promise<Credentials> {
    if (!refresh && this.cached && this.now() - this.cached.fetchedAt < this.config.secretCacheMs) {
      return this.cached.credentials;
    }
    const out = await this.secrets.send(new GetSecretValueCommand({ SecretId: this.config.secretArn }));
    if (out.SecretString === undefined) {
      throw new Error('secret has no SecretString');
    }
    const parsed = JSON.parse(out.SecretString) as Partial<Credentials>;
    if (typeof parsed.username !== 'string' || typeof parsed.password !== 'string') {
      throw new Error('secret lacks a username or password');
    }
    const credentials: Credentials = {
      username: parsed.username,
      password: parsed.password,
      host: parsed.host,
      port: parsed.port === undefined ? undefined : Number(parsed.port),
    };
    this.cached = { credentials, fetchedAt: this.now() };
    return credentials;
  }

  /**
   * Connects with TLS (certificate and host name verified), asks pg_is_in_recovery() and default_transaction_read_only,
   * and disconnects. An instance whose new sessions start read-only is reported read-only: applications connecting
   * through the writer name could not write there, so the name must move (the switchover's fenced old writer).
   *
   * @see https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-DEFAULT-TRANSACTION-READ-ONLY
   */
  private async probeOnce(credentials: Credentials, deadline: number): Promise<ProbeState> {
    const host = this.config.host ?? credentials.host;
    if (host === undefined) {
      throw new Error('no host: set DB_HOST or put host in the secret');
    }
    const remaining = Math.max(1, deadline - this.now());
    const config: ClientConfig = {
      host,
      port: this.config.port ?? credentials.port ?? 5432,
      database: this.config.database,
      user: credentials.username,
      password: credentials.password,
      ssl: {
        rejectUnauthorized: true,
        // SNI carries host names only (RFC 6066); the certificate is checked against the host either way.
        servername: isIP(host) ? undefined : host,
        ca: this.config.caFile ? readFileSync(this.config.caFile, 'utf8') : undefined,
      },
      connectionTimeoutMillis: remaining,
      query_timeout: remaining,
      statement_timeout: remaining,
      application_name: 'cdk-resilient-postgres-probe',
    };
    const client = new Client(config);
    // A hung server can stall inside the TLS handshake or the query: the overall deadline cuts everything.
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.config.timeoutMs} ms`)), remaining);
    });
    client.on('error', () => undefined); // errors after the verdict must not crash the function
    try {
      const result = await Promise.race([
        (async () => {
          await client.connect();
          const res = await client.query<{ in_recovery: boolean; read_only_default: boolean }>(
            "SELECT pg_is_in_recovery() AS in_recovery, current_setting('default_transaction_read_only') = 'on' AS read_only_default");
          const row = res.rows[0];
          return row?.in_recovery || row?.read_only_default ? 'read-only' as const : 'writable' as const;
        })(),
        expired,
      ]);
      return result;
    } finally {
      clearTimeout(timer);
      void client.end().catch(() => undefined);
      // end() waits for the server; a hung server would keep the socket open, so destroy it outright.
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    }
  }

  private async publish(state: ProbeState): Promise<void> {
    const dimensions = [{ Name: PROBE_DIMENSION, Value: this.config.instanceIdentifier }];
    const timestamp = new Date(this.now());
    const datum = (name: string, value: number) => ({
      MetricName: name,
      Dimensions: dimensions,
      Timestamp: timestamp,
      Value: value,
      Unit: StandardUnit.Count,
      StorageResolution: PROBE_STORAGE_RESOLUTION,
    });
    const data = [datum(WRITABLE_METRIC_NAME, state === 'writable' ? 1 : 0), datum(REACHABLE_METRIC_NAME, state === 'down' ? 0 : 1)];
    // The latch only ever goes up: a 0 here would lift the fence whenever the promoted instance reboots.
    if (this.config.promotedMetricName !== undefined && state === 'writable') {
      data.push(datum(this.config.promotedMetricName, 1));
    }
    await this.cloudwatch.send(new PutMetricDataCommand({ Namespace: this.config.namespace, MetricData: data }));
  }
}

let probe: DbProbe | undefined;

/** Lambda entry point, invoked every minute by an EventBridge schedule. */
export async function handler(): Promise<ProbeResult> {
  probe ??= new DbProbe(configFromEnv(), new SecretsManagerClient({}), new CloudWatchClient({}));
  const result = await probe.run();
  console.log(JSON.stringify(result));
  return result;
}
