import { X509Certificate } from 'crypto';
import { promises as dns } from 'dns';
import * as fs from 'fs';
import { Client, Pool, PoolClient } from 'pg';
import {
  APP_PASSWORD, APP_USER, FailoverFixture, PRIMARY_ENDPOINT, REPLICA_ENDPOINT, WRITER, describeWithPostgres,
} from './fixture';
import {
  FailoverConnectOptions, failoverClientConfig, failoverPoolConfig, regionOfEndpoint, resolveEndpoint, shouldDiscardClient,
} from '../../examples/connecting/node/failover-connect';
import { Route53DbFailoverProps } from '../../src';
import { readSettings } from '../../src/route53-db-failover/validation';

/**
 * node-postgres through a failover name against RDS-shaped servers on loopback (see fixture.ts): verify-full against
 * the failover name fails, the helper in examples/connecting/node/failover-connect.ts succeeds, and a pool that follows
 * its guidance moves to the new writer when the name moves.
 */
const FAKE_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

describeWithPostgres('node-postgres through the failover name', () => {
  let fixture: FailoverFixture;
  let resolver: dns.Resolver;

  beforeAll(async () => {
    fixture = await FailoverFixture.start();
    resolver = new dns.Resolver();
    resolver.setServers([fixture.dns.server]);
  });

  afterAll(async () => {
    await fixture?.stop();
  });

  afterEach(() => {
    fixture?.pointWriterAt(PRIMARY_ENDPOINT);
  });

  function options(overrides: Partial<FailoverConnectOptions> = {}): FailoverConnectOptions {
    return {
      name: WRITER,
      port: fixture.port,
      database: 'postgres',
      user: APP_USER,
      password: APP_PASSWORD,
      ca: fixture.ca,
      resolver,
      ...overrides,
    };
  }

  /** The server address and TLS state of a connected client's session. */
  async function session(client: Client | PoolClient): Promise<{ address: string; ssl: boolean }> {
    const result = await client.query('SELECT host(inet_server_addr()) AS address, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    return result.rows[0];
  }

  test('the fixture\'s server certificate names only the instance endpoint', () => {
    const pem = fs.readFileSync(`${fixture.servers.dir}/a.crt`, 'utf8');
    const cert = new X509Certificate(pem);
    expect(cert.subjectAltName).toBe(`DNS:${PRIMARY_ENDPOINT}`);
    expect(cert.subject).toBe(`CN=${PRIMARY_ENDPOINT}`);
  });

  describe('resolving', () => {
    test('follows the CNAME to the instance endpoint and its address', async () => {
      await expect(resolveEndpoint(WRITER, resolver)).resolves.toEqual({ endpoint: PRIMARY_ENDPOINT, address: '127.0.0.1' });
    });

    test('follows a chain of CNAMEs', async () => {
      fixture.dns.setCname('db.orders.internal', WRITER);
      await expect(resolveEndpoint('db.orders.internal', resolver)).resolves.toEqual({ endpoint: PRIMARY_ENDPOINT, address: '127.0.0.1' });
    });

    test('asks again each time: a moved name resolves to the new endpoint', async () => {
      fixture.pointWriterAt(REPLICA_ENDPOINT);
      await expect(resolveEndpoint(WRITER, resolver)).resolves.toEqual({ endpoint: REPLICA_ENDPOINT, address: '127.0.0.2' });
    });

    test('an unknown name fails', async () => {
      await expect(resolveEndpoint('nothing.orders.internal', resolver)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    });

    test('a CNAME loop fails', async () => {
      fixture.dns.setCname('loop1.orders.internal', 'loop2.orders.internal');
      fixture.dns.setCname('loop2.orders.internal', 'loop1.orders.internal');
      await expect(resolveEndpoint('loop1.orders.internal', resolver)).rejects.toThrow(/more than 8 CNAME records/);
    });

    test('the Region of an endpoint name', () => {
      expect(regionOfEndpoint(PRIMARY_ENDPOINT)).toBe('us-east-1');
      expect(regionOfEndpoint(REPLICA_ENDPOINT)).toBe('us-west-2');
      expect(regionOfEndpoint(WRITER)).toBeUndefined();
    });
  });

  describe('verify-full', () => {
    test('against the failover name fails: the certificate names only the instance endpoint', async () => {
      const [address] = await resolver.resolve4(WRITER);
      const client = new Client({
        host: address,
        port: fixture.port,
        database: 'postgres',
        user: APP_USER,
        password: APP_PASSWORD,
        ssl: { ca: fixture.ca, rejectUnauthorized: true, servername: WRITER },
      });
      const error = await client.connect().then(() => undefined, (e: NodeJS.ErrnoException) => e);
      await client.end().catch(() => undefined);
      expect(error?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      expect(error?.message).toContain(`Host: ${WRITER}. is not in the cert's altnames: DNS:${PRIMARY_ENDPOINT}`);
    });

    test('through the helper succeeds, over TLS, on the endpoint the name points at', async () => {
      const config = await failoverClientConfig(options());
      expect(config.host).toBe('127.0.0.1');
      expect(config.ssl).toEqual({ ca: fixture.ca, rejectUnauthorized: true, servername: PRIMARY_ENDPOINT });
      const client = new Client(config);
      await client.connect();
      try {
        expect(await session(client)).toEqual({ address: '127.0.0.1', ssl: true });
      } finally {
        await client.end();
      }
    });

    test('through the helper with a CA that did not sign the certificate fails', async () => {
      const client = new Client(await failoverClientConfig(options({ ca: fs.readFileSync(fixture.wrongCaFile) })));
      const error = await client.connect().then(() => undefined, (e: NodeJS.ErrnoException) => e);
      await client.end().catch(() => undefined);
      expect(error?.code).toMatch(/^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/);
    });
  });

  describe('IAM token', () => {
    function parseToken(token: string) {
      const url = new URL(`https://${token}`);
      const [accessKey, date, region, service, terminator] = (url.searchParams.get('X-Amz-Credential') ?? '').split('/');
      return {
        host: url.hostname,
        port: url.port,
        action: url.searchParams.get('Action'),
        user: url.searchParams.get('DBUser'),
        expires: url.searchParams.get('X-Amz-Expires'),
        accessKey,
        date,
        region,
        service,
        terminator,
        signed: /^[0-9a-f]{64}$/.test(url.searchParams.get('X-Amz-Signature') ?? ''),
      };
    }

    test('is signed for the resolved instance endpoint and port, and the driver sends it as the password over TLS', async () => {
      const config = await failoverClientConfig(options({ password: undefined, credentials: FAKE_CREDENTIALS }));
      expect(typeof config.password).toBe('function');
      const sign = config.password as () => Promise<string>;
      // Only RDS checks a token's signature. Here the token becomes the user's password before the connection (the
      // server reads the stored password when authentication starts), and the driver asks the config for the password
      // during authentication: the connection succeeds only if the driver sends exactly that token.
      const token = await sign();
      fixture.servers.psql(fixture.a, `ALTER USER ${APP_USER} PASSWORD '${token}'`);
      let sent: string | undefined;
      config.password = async () => {
        sent = token;
        return token;
      };
      const client = new Client(config);
      try {
        await client.connect();
        expect(await session(client)).toEqual({ address: '127.0.0.1', ssl: true });
      } finally {
        await client.end().catch(() => undefined);
        fixture.servers.psql(fixture.a, `ALTER USER ${APP_USER} PASSWORD '${APP_PASSWORD}'`);
      }
      expect(sent).toBe(token);
      expect(parseToken(token)).toEqual({
        host: PRIMARY_ENDPOINT,
        port: String(fixture.port),
        action: 'connect',
        user: APP_USER,
        expires: '900',
        accessKey: FAKE_CREDENTIALS.accessKeyId,
        date: expect.stringMatching(/^\d{8}$/),
        region: 'us-east-1',
        service: 'rds-db',
        terminator: 'aws4_request',
        signed: true,
      });
    });

    test('after the name moves, is signed for the new endpoint and its Region', async () => {
      fixture.pointWriterAt(REPLICA_ENDPOINT);
      const config = await failoverClientConfig(options({ password: undefined, credentials: FAKE_CREDENTIALS }));
      const token = parseToken(await (config.password as () => Promise<string>)());
      expect(token).toMatchObject({ host: REPLICA_ENDPOINT, port: String(fixture.port), region: 'us-west-2', user: APP_USER });
    });

    test('a token with the wrong password is refused (the server really checks the password)', async () => {
      const client = new Client(await failoverClientConfig(options({ password: 'not-the-token' })));
      await expect(client.connect()).rejects.toMatchObject({ code: '28P01' });
      await client.end().catch(() => undefined);
    });
  });

  describe('a pool while the name moves', () => {
    const POOL_SIZE = 3;

    /** One write through the pool, following the guidance: release(err) on a read-only or connection error. */
    async function write(pool: Pool, note: string): Promise<string> {
      const client = await pool.connect();
      try {
        await client.query('INSERT INTO orders (note) VALUES ($1)', [note]);
        const endpoint = (client as unknown as { endpoint: string }).endpoint;
        client.release();
        return endpoint;
      } catch (e) {
        client.release(shouldDiscardClient(e) ? (e as Error) : undefined);
        throw e;
      }
    }

    test('writes move to the new writer after one failed write per pooled connection', async () => {
      const pool = new Pool({ ...failoverPoolConfig(options()), max: POOL_SIZE });
      try {
        // All pooled connections open to A, through the name.
        const clients = await Promise.all(Array.from({ length: POOL_SIZE }, () => pool.connect()));
        expect(clients.map((c) => (c as unknown as { endpoint: string }).endpoint)).toEqual(Array(POOL_SIZE).fill(PRIMARY_ENDPOINT));
        clients.forEach((c) => c.release());
        expect(await write(pool, 'before')).toBe(PRIMARY_ENDPOINT);
        const [aBefore, bBefore] = [fixture.rows(fixture.a), fixture.rows(fixture.b)];

        // The failover: the name moves to B and A refuses writes.
        fixture.pointWriterAt(REPLICA_ENDPOINT);
        fixture.setReadOnly(fixture.a, true);
        await new Promise((r) => setTimeout(r, 300));

        const failures: string[] = [];
        let landed: string | undefined;
        for (let attempt = 0; attempt < 10 && !landed; attempt++) {
          try {
            landed = await write(pool, `after-${attempt}`);
          } catch (e) {
            failures.push((e as { code?: string }).code ?? String(e));
          }
        }
        expect(landed).toBe(REPLICA_ENDPOINT);
        expect(failures).toEqual(Array(POOL_SIZE).fill('25006'));
        // Every later write lands on B too.
        for (let i = 0; i < 5; i++) {
          expect(await write(pool, `later-${i}`)).toBe(REPLICA_ENDPOINT);
        }
        expect(fixture.rows(fixture.a)).toBe(aBefore);
        expect(fixture.rows(fixture.b)).toBe(bBefore + 6);
      } finally {
        await pool.end();
        fixture.setReadOnly(fixture.a, false);
      }
    });

    test('without release(err), a pooled connection to the old writer keeps failing', async () => {
      const pool = new Pool({ ...failoverPoolConfig(options()), max: 1 });
      try {
        expect(await write(pool, 'before')).toBe(PRIMARY_ENDPOINT);
        fixture.pointWriterAt(REPLICA_ENDPOINT);
        fixture.setReadOnly(fixture.a, true);
        await new Promise((r) => setTimeout(r, 300));
        const codes: string[] = [];
        for (let i = 0; i < 3; i++) {
          const client = await pool.connect();
          try {
            await client.query('INSERT INTO orders (note) VALUES ($1)', ['kept']);
          } catch (e) {
            codes.push((e as { code: string }).code);
          }
          client.release();
        }
        expect(codes).toEqual(['25006', '25006', '25006']);
      } finally {
        await pool.end();
        fixture.setReadOnly(fixture.a, false);
      }
    });

    // This stops server A: no later test in this file uses it.
    test('when the old writer goes away, writes move to the new writer', async () => {
      const pool = new Pool({ ...failoverPoolConfig(options()), max: POOL_SIZE });
      const errors: string[] = [];
      pool.on('error', (e) => errors.push((e as { code?: string }).code ?? e.message));
      try {
        const clients = await Promise.all(Array.from({ length: POOL_SIZE }, () => pool.connect()));
        clients.forEach((c) => c.release());
        fixture.pointWriterAt(REPLICA_ENDPOINT);
        fixture.servers.stop(fixture.a);
        await new Promise((r) => setTimeout(r, 300));

        const failures: string[] = [];
        let landed: string | undefined;
        for (let attempt = 0; attempt < 10 && !landed; attempt++) {
          try {
            landed = await write(pool, `after-stop-${attempt}`);
          } catch (e) {
            failures.push((e as { code?: string }).code ?? (e as Error).message);
          }
        }
        expect(landed).toBe(REPLICA_ENDPOINT);
        // The pool drops idle connections whose server closed them (it reports each as an 'error' event), so no write
        // goes to the stopped server.
        expect(failures).toEqual([]);
        expect(errors).toHaveLength(POOL_SIZE);
      } finally {
        await pool.end();
      }
    });

    test('a pool keeps connections no longer than maxLifetimeSeconds, the record TTL by default', () => {
      const defaultTtl = readSettings('Route53DbFailover', {
        primary: { endpointAddress: PRIMARY_ENDPOINT }, secondary: { endpointAddress: REPLICA_ENDPOINT },
      } as Route53DbFailoverProps).ttlSeconds;
      expect(failoverPoolConfig(options()).maxLifetimeSeconds).toBe(defaultTtl);
      expect(failoverPoolConfig(options(), 10).maxLifetimeSeconds).toBe(10);
    });

    test('which errors discard a client', () => {
      expect(shouldDiscardClient({ code: '25006' })).toBe(true);
      expect(shouldDiscardClient({ code: 'ECONNRESET' })).toBe(true);
      expect(shouldDiscardClient(new Error('Connection terminated unexpectedly'))).toBe(true);
      expect(shouldDiscardClient({ code: '23505' })).toBe(false);
    });
  });
});
