import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DnsServer } from './dns-server';
import { freePort } from '../util';
import { PASSWORD, PostgresServers, Server, findPostgresBinDir } from '../writable-probe/postgres-servers';

/**
 * Two RDS-shaped PostgreSQL servers on loopback behind a failover name, for the connection tests:
 *
 * - server A listens on 127.0.0.1 with a certificate naming only the primary's instance endpoint, server B on 127.0.0.2
 *   (the same port, as two RDS instances both listen on 5432) with a certificate naming only the replica's endpoint;
 *   both certificates are signed by one throwaway CA;
 * - a DNS server on loopback UDP answers `writer.orders.internal` with a CNAME to an instance endpoint (A at first)
 *   and the endpoints with A records, so that the names resolve without the system resolver.
 *
 * Both servers have the user `app` (password APP_PASSWORD, sent as a plain password inside TLS) and a table `orders` it
 * may write to.
 */
export const WRITER = 'writer.orders.internal';
export const PRIMARY_ENDPOINT = 'orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com';
export const REPLICA_ENDPOINT = 'orders-replica.c9f8e7d6c5b4.us-west-2.rds.amazonaws.com';
export const APP_USER = 'app';
export const APP_PASSWORD = 'app-test-password';
export { PASSWORD as ADMIN_PASSWORD };

export const binDir = findPostgresBinDir();
if (!binDir && process.env.CI) {
  throw new Error('PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin): run scripts/ensure-packages.sh');
}
/** `describe`, or `describe.skip` (with a warning) when no PostgreSQL server is installed and CI is not set. */
export const describeWithPostgres = binDir ? describe : (() => {
  // eslint-disable-next-line no-console
  console.warn('SKIPPED: PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin); run scripts/ensure-packages.sh');
  return describe.skip;
})();

export class FailoverFixture {
  public static async start(ttlSeconds = 30): Promise<FailoverFixture> {
    const servers = new PostgresServers(binDir!);
    try {
      const port = await freePort();
      const a = await servers.startPrimary('a', { address: '127.0.0.1', port, certificateName: PRIMARY_ENDPOINT });
      const b = await servers.startPrimary('b', { address: '127.0.0.2', port, certificateName: REPLICA_ENDPOINT });
      for (const server of [a, b]) {
        servers.psql(server, `CREATE USER ${APP_USER} PASSWORD '${APP_PASSWORD}'`);
        // The application user sends its password in the clear inside TLS, as a client sends an IAM token to RDS.
        const hba = path.join(server.dataDir, 'pg_hba.conf');
        fs.writeFileSync(hba, `hostssl all ${APP_USER} 127.0.0.0/8 password\n${fs.readFileSync(hba, 'utf8')}`);
        servers.psql(server, 'SELECT pg_reload_conf()');
        servers.psql(server, `CREATE TABLE orders (id serial PRIMARY KEY, note text NOT NULL); GRANT ALL ON orders, orders_id_seq TO ${APP_USER}`);
      }
      const dns = new DnsServer(ttlSeconds);
      await dns.start();
      dns.setCname(WRITER, PRIMARY_ENDPOINT);
      dns.setA(PRIMARY_ENDPOINT, a.address);
      dns.setA(REPLICA_ENDPOINT, b.address);
      const wrongCaFile = path.join(servers.dir, 'wrong-ca.crt');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=not-the-rds-ca',
        '-keyout', path.join(servers.dir, 'wrong-ca.key'), '-out', wrongCaFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      return new FailoverFixture(servers, a, b, port, dns, wrongCaFile);
    } catch (e) {
      servers.stopAll();
      throw e;
    }
  }

  private constructor(
    public readonly servers: PostgresServers,
    public readonly a: Server,
    public readonly b: Server,
    public readonly port: number,
    public readonly dns: DnsServer,
    public readonly wrongCaFile: string,
  ) {}

  public get caFile(): string {
    return this.servers.caFile;
  }

  public get ca(): Buffer {
    return fs.readFileSync(this.servers.caFile);
  }

  /** Points the writer name at an endpoint, as Route 53 does when the failover record's health changes. */
  public pointWriterAt(endpoint: string): void {
    this.dns.setCname(WRITER, endpoint);
  }

  /** Makes a server refuse writes in every session, existing ones included (their next statement). */
  public setReadOnly(server: Server, readOnly: boolean): void {
    this.servers.psql(server, readOnly ? 'ALTER SYSTEM SET default_transaction_read_only = on' : 'ALTER SYSTEM RESET default_transaction_read_only');
    this.servers.psql(server, 'SELECT pg_reload_conf()');
  }

  public rows(server: Server): number {
    return Number(this.servers.psql(server, 'SELECT count(*) FROM orders'));
  }

  public async stop(): Promise<void> {
    await this.dns.stop();
    this.servers.stopAll();
  }
}
