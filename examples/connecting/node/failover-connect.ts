/**
 * Connecting node-postgres (`pg`) through a Route53DbFailover name (`writer.<zone>` / `reader.<zone>`) with full TLS
 * verification and, optionally, IAM database authentication.
 *
 * The failover name is a CNAME to an RDS instance endpoint, and RDS's server certificate names only that endpoint, so
 * verifying the certificate against the failover name fails (ERR_TLS_CERT_ALTNAME_INVALID). Instead, each new
 * connection resolves the name to the instance endpoint, connects to the endpoint's address, verifies the certificate
 * against the endpoint (servername) with the RDS CA bundle, and signs an IAM token for that endpoint and port. The name
 * is resolved again for every new connection, so a pool follows the name after a failover.
 *
 * Copy this file into your application; `pg` and `@aws-sdk/rds-signer` are its only dependencies.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html (the certificate names the instance endpoint)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html (the CA bundle)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.html (a token is valid for 15 minutes)
 */
import { promises as dns } from 'dns';
/* eslint-disable import/no-extraneous-dependencies -- dependencies of the application that copies this file */
import { Signer, SignerConfig } from '@aws-sdk/rds-signer';
import { Client, ClientConfig, PoolConfig } from 'pg';
/* eslint-enable import/no-extraneous-dependencies */

export interface FailoverConnectOptions {
  /** The failover name, e.g. `writer.orders.internal`. */
  readonly name: string;
  /** The database port (the instance endpoint's port; 5432 unless you changed it). */
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** The CA certificates to trust: the contents of the RDS CA bundle (global-bundle.pem). */
  readonly ca: string | Buffer;
  /** A password; leave out to authenticate with an IAM token instead. */
  readonly password?: string;
  /** The Region to sign IAM tokens for when the endpoint's name does not tell it (`<id>.<hash>.<region>.rds.amazonaws.com`). */
  readonly region?: string;
  /** Credentials to sign IAM tokens with. Default: the AWS SDK's default credential chain. */
  readonly credentials?: SignerConfig['credentials'];
  /** The resolver to look the names up with. Default: a resolver using the system's name servers. */
  readonly resolver?: dns.Resolver;
}

export interface ResolvedEndpoint {
  /** The RDS instance endpoint the failover name points at now: the last name of the CNAME chain. */
  readonly endpoint: string;
  /** The endpoint's IPv4 address. */
  readonly address: string;
}

/** How many CNAMEs a chain may have before the name is treated as a loop. */
const MAX_CNAME_HOPS = 8;

/**
 * Follows the name's CNAME chain to its last name (the instance endpoint) and looks up that name's address, with the
 * same resolver. Nothing is cached here: call it for every new connection.
 */
export async function resolveEndpoint(name: string, resolver: dns.Resolver = new dns.Resolver()): Promise<ResolvedEndpoint> {
  let current = name;
  for (let hop = 0; ; hop++) {
    if (hop > MAX_CNAME_HOPS) {
      throw new Error(`${name}: more than ${MAX_CNAME_HOPS} CNAME records in a chain`);
    }
    let targets: string[];
    try {
      targets = await resolver.resolveCname(current);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENODATA') {
        break; // the name has records but no CNAME: it is the end of the chain
      }
      throw e;
    }
    current = targets[0];
  }
  const [address] = await resolver.resolve4(current);
  return { endpoint: current, address };
}

/** The Region of an RDS endpoint name (`<id>.<hash>.<region>.rds.amazonaws.com`), if it has that shape. */
export function regionOfEndpoint(endpoint: string): string | undefined {
  return /\.([a-z]{2}(?:-[a-z]+)+-\d+)\.rds\.amazonaws\.com\.?$/i.exec(endpoint)?.[1];
}

/** An IAM authentication token for this endpoint and port: a presigned `connect` request, valid for 15 minutes. */
export async function iamToken(options: FailoverConnectOptions, endpoint: string): Promise<string> {
  const region = regionOfEndpoint(endpoint) ?? options.region;
  if (!region) {
    throw new Error(`${endpoint}: no Region in the endpoint name; set the region option`);
  }
  return new Signer({ hostname: endpoint, port: options.port, username: options.user, region, credentials: options.credentials }).getAuthToken();
}

/**
 * The configuration of one `pg.Client` for where the failover name points now: the endpoint's address as `host`,
 * certificate verification against the endpoint (`servername`) with the given CA, and the password or an IAM token
 * signed for the endpoint.
 */
export async function failoverClientConfig(options: FailoverConnectOptions): Promise<ClientConfig> {
  const { endpoint, address } = await resolveEndpoint(options.name, options.resolver);
  return {
    host: address,
    port: options.port,
    database: options.database,
    user: options.user,
    ssl: { ca: options.ca, rejectUnauthorized: true, servername: endpoint },
    password: options.password ?? (() => iamToken(options, endpoint)),
  };
}

/**
 * A `pg.Client` class for `pg.Pool`'s `Client` option that resolves the failover name when it connects, so that each
 * new pooled connection goes where the name points at that moment.
 */
export function failoverClientClass(options: FailoverConnectOptions): new () => Client {
  return class FailoverClient extends Client {
    /** The instance endpoint this client connected to. */
    public endpoint?: string;

    constructor() {
      super({ port: options.port, database: options.database, user: options.user });
    }

    public override connect(): Promise<Client>;
    public override connect(callback: (err: Error | null, client?: Client) => void): void;
    public override connect(callback?: (err: Error | null, client?: Client) => void): Promise<Client> | void {
      const ready = failoverClientConfig(options).then((config) => {
        // pg reads host, ssl and password from these fields when it connects.
        const self = this as unknown as {
          host: string; ssl: unknown; password: unknown; connectionParameters: { host: string; ssl: unknown }; connection: { ssl: unknown };
        };
        self.host = self.connectionParameters.host = config.host!;
        self.ssl = self.connectionParameters.ssl = self.connection.ssl = config.ssl;
        self.password = config.password;
        this.endpoint = (config.ssl as { servername: string }).servername;
      });
      if (callback) {
        ready.then(() => super.connect(callback as (err: Error) => void), callback);
        return;
      }
      return ready.then(() => super.connect());
    }
  };
}

/**
 * A `pg.Pool` configuration that resolves the failover name for every new connection and closes connections after
 * `maxLifetimeSeconds` (set it no longer than the record TTL: Route53DbFailover's `ttl`, 30 seconds by default), so
 * the pool follows the name after a failover even when no connection breaks.
 *
 * Release a client with the error (`client.release(err)`) when a query fails with SQLSTATE 25006
 * (read_only_sql_transaction: the instance is no longer the writer) or the connection fails; the pool then discards
 * it and the next connection resolves the name again.
 */
export function failoverPoolConfig(options: FailoverConnectOptions, maxLifetimeSeconds = 30): PoolConfig {
  return { Client: failoverClientClass(options), maxLifetimeSeconds };
}

/** Whether a pooled client should be discarded after this error: the server is read-only, or the connection broke. */
export function shouldDiscardClient(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  return code === '25006' || code === '57P01' || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE'
    || (err instanceof Error && /Connection terminated/i.test(err.message));
}
