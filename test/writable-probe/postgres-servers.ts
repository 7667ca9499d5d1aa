import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort } from '../util';

/**
 * Real PostgreSQL servers on loopback for the probe tests, from Debian's postgresql packages (scripts/ensure-packages.sh
 * installs them). A primary and a streaming standby, both with TLS (certificates from a throwaway CA) and SCRAM
 * passwords, in a temporary directory that `stopAll` removes. PostgreSQL refuses to run as root, so under root every
 * server command runs as the `postgres` user the Debian package creates.
 */

/** The newest installed server's bin directory, or undefined if no server is installed. */
export function findPostgresBinDir(): string | undefined {
  if (process.env.PG_BINDIR) {
    return process.env.PG_BINDIR;
  }
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) {
    return undefined;
  }
  const versions = fs.readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(root, versions[0], 'bin') : undefined;
}

const asRoot = process.getuid?.() === 0;

export const PASSWORD = 'probe-test-password';

export interface Server {
  readonly name: string;
  readonly port: number;
  readonly dataDir: string;
  /** The loopback address the server listens on. */
  readonly address: string;
}

export interface PrimaryOptions {
  /** A loopback address to listen on (Linux routes all of 127.0.0.0/8 to the loopback interface). Default: 127.0.0.1. */
  readonly address?: string;
  /** Default: a free port. */
  readonly port?: number;
  /**
   * The one DNS name the server certificate names (subject alternative name and common name), as an RDS instance's
   * certificate names only the instance endpoint. Default: a certificate for 127.0.0.1 and localhost.
   */
  readonly certificateName?: string;
}

export class PostgresServers {
  public readonly dir: string;
  public readonly caFile: string;
  private readonly socketDir: string;
  private readonly started: Server[] = [];

  constructor(private readonly binDir: string) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crp-pg-'));
    fs.chmodSync(this.dir, 0o755);
    this.socketDir = path.join(this.dir, 'sockets');
    fs.mkdirSync(this.socketDir);
    this.caFile = path.join(this.dir, 'ca.crt');
    this.makeCertificates();
    this.chownToPostgres(this.dir);
  }

  /** Initializes and starts a primary on a free loopback port. */
  public async startPrimary(name = 'primary', options: PrimaryOptions = {}): Promise<Server> {
    const address = options.address ?? '127.0.0.1';
    const server: Server = { name, port: options.port ?? await freePort(), dataDir: path.join(this.dir, name), address };
    const [cert, key] = options.certificateName ? this.makeNamedCertificate(name, options.certificateName) : ['server.crt', 'server.key'];
    this.run('initdb', ['-D', server.dataDir, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync']);
    fs.appendFileSync(path.join(server.dataDir, 'postgresql.conf'), [
      `listen_addresses = '${address}'`,
      `unix_socket_directories = '${this.socketDirOf(server)}'`,
      'ssl = on',
      `ssl_cert_file = '${path.join(this.dir, cert)}'`,
      `ssl_key_file = '${path.join(this.dir, key)}'`,
      "ssl_min_protocol_version = 'TLSv1.2'",
      'fsync = off',
      '',
    ].join('\n'));
    // TLS only for clients; replication from loopback for the standby's base backup and streaming.
    fs.writeFileSync(path.join(server.dataDir, 'pg_hba.conf'), [
      'local all all trust',
      'hostssl replication postgres 127.0.0.1/32 trust',
      'hostssl all all 127.0.0.0/8 scram-sha-256',
      '',
    ].join('\n'));
    this.chownToPostgres(server.dataDir);
    this.start(server);
    this.psql(server, `ALTER USER postgres PASSWORD '${PASSWORD}'`);
    return server;
  }

  /** Takes a base backup of `primary` and starts it as a streaming standby (hot standby, read-only). */
  public async startStandby(primary: Server, name = 'standby'): Promise<Server> {
    const server: Server = { name, port: await freePort(), dataDir: path.join(this.dir, name), address: '127.0.0.1' };
    this.run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', server.dataDir,
      '-R', '-X', 'stream', '--no-sync'], { PGSSLMODE: 'require' });
    fs.appendFileSync(path.join(server.dataDir, 'postgresql.conf'), `unix_socket_directories = '${this.socketDirOf(server)}'\n`);
    this.start(server);
    return server;
  }

  public psql(server: Server, sql: string, database = 'postgres'): string {
    return this.run('psql', ['-h', this.socketDirOf(server), '-p', String(server.port), '-U', 'postgres', '-d', database,
      '-Atq', '-v', 'ON_ERROR_STOP=1', '-c', sql]).trim();
  }

  public stop(server: Server): void {
    this.run('pg_ctl', ['-D', server.dataDir, '-m', 'immediate', '-w', 'stop']);
    this.started.splice(this.started.indexOf(server), 1);
  }

  /** The postmaster's process id, to freeze it with SIGSTOP (a hung server: connections queue, nothing answers). */
  public postmasterPid(server: Server): number {
    return Number(fs.readFileSync(path.join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  public stopAll(): void {
    for (const server of [...this.started]) {
      try {
        process.kill(this.postmasterPid(server), 'SIGCONT');
      } catch {
        // already gone
      }
      spawnSync(...this.command('pg_ctl', ['-D', server.dataDir, '-m', 'immediate', '-w', 'stop']), { stdio: 'ignore' });
    }
    this.started.length = 0;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** A socket directory per server, as servers on distinct addresses may share a port. */
  private socketDirOf(server: Server): string {
    const dir = path.join(this.socketDir, server.name);
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir);
      this.chownToPostgres(dir);
    }
    return dir;
  }

  private start(server: Server): void {
    this.run('pg_ctl', ['-D', server.dataDir, '-l', path.join(this.dir, `${server.name}.log`), '-o', `-p ${server.port}`, '-w', 'start']);
    this.started.push(server);
  }

  private run(tool: string, args: string[], env: Record<string, string> = {}): string {
    const [file, argv] = this.command(tool, args);
    try {
      return execFileSync(file, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', cwd: this.dir });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`${tool} failed: ${err.stderr ?? err.message}`);
    }
  }

  private command(tool: string, args: string[]): [string, string[]] {
    const bin = path.join(this.binDir, tool);
    return asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  }

  private chownToPostgres(target: string): void {
    if (asRoot) {
      execFileSync('chown', ['-R', 'postgres:postgres', target]);
    }
  }

  /** A throwaway CA and a server certificate for 127.0.0.1 and localhost signed by it. */
  private makeCertificates(): void {
    const f = (name: string) => path.join(this.dir, name);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=probe-test-ca',
      '-keyout', f('ca.key'), '-out', f('ca.crt'));
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'), '-out', f('server.csr'));
    fs.writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial',
      '-days', '1', '-extfile', f('server.ext'), '-out', f('server.crt'));
    fs.chmodSync(f('server.key'), 0o600);
  }

  /** A server certificate, signed by the throwaway CA, whose only name is `dnsName`; returns its certificate and key files. */
  private makeNamedCertificate(name: string, dnsName: string): [string, string] {
    const f = (file: string) => path.join(this.dir, file);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const [cert, key] = [`${name}.crt`, `${name}.key`];
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${dnsName}`, '-keyout', f(key), '-out', f(`${name}.csr`));
    fs.writeFileSync(f(`${name}.ext`), `subjectAltName=DNS:${dnsName}\n`);
    openssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial',
      '-days', '1', '-extfile', f(`${name}.ext`), '-out', f(cert));
    fs.chmodSync(f(key), 0o600);
    this.chownToPostgres(f(key));
    return [cert, key];
  }
}
