import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  ADMIN_PASSWORD, APP_PASSWORD, APP_USER, FailoverFixture, PRIMARY_ENDPOINT, REPLICA_ENDPOINT, WRITER, describeWithPostgres,
} from './fixture';
import { buildJdbcCases } from './jdbc';

/**
 * pgjdbc through a failover name against RDS-shaped servers on loopback (see fixture.ts), with the helper in
 * examples/connecting/java/FailoverConnect.java. The helper resolves the CNAME with the JDK's JNDI DNS provider from the
 * fixture's DNS server; the JVM then looks the instance endpoint up in a hosts file (-Djdk.net.hosts.file), which
 * stands in for the A record, as pgjdbc has no equivalent of libpq's hostaddr. The direct case's hosts file entry for
 * the failover name stands in for the system resolver following the CNAME.
 */
describeWithPostgres('pgjdbc through the failover name', () => {
  let fixture: FailoverFixture;
  let classpath: string;
  let hostsFile: string;

  beforeAll(async () => {
    fixture = await FailoverFixture.start();
    const out = fs.mkdtempSync(path.join(fixture.servers.dir, 'jdbc-'));
    classpath = buildJdbcCases(out);
    hostsFile = path.join(out, 'hosts');
    fs.writeFileSync(hostsFile, [`${fixture.a.address} ${PRIMARY_ENDPOINT}`, `${fixture.b.address} ${REPLICA_ENDPOINT}`,
      `${fixture.a.address} ${WRITER}`, ''].join('\n'));
  }, 600_000);

  afterAll(async () => {
    await fixture?.stop();
  });

  afterEach(() => {
    fixture?.pointWriterAt(PRIMARY_ENDPOINT);
  });

  /** Runs a case; asynchronously, as the DNS server answers from this process. */
  async function run(testCase: string): Promise<any> {
    const child = spawn('java', [`-Djdk.net.hosts.file=${hostsFile}`, '-cp', classpath, 'JdbcCases', testCase,
      `dns://127.0.0.1:${fixture.dns.port}/`, WRITER, String(fixture.port), APP_USER, APP_PASSWORD, ADMIN_PASSWORD,
      fixture.caFile, fixture.wrongCaFile]);
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (status !== 0) {
      throw new Error(`JdbcCases ${testCase} failed (${status}): ${stderr}`);
    }
    return JSON.parse(stdout.trim().split('\n').pop()!);
  }

  test('resolves the failover name to the instance endpoint with JNDI', async () => {
    expect(await run('resolve')).toEqual({ ok: true, endpoint: PRIMARY_ENDPOINT });
    fixture.pointWriterAt(REPLICA_ENDPOINT);
    expect(await run('resolve')).toEqual({ ok: true, endpoint: REPLICA_ENDPOINT });
  });

  test('verify-full against the failover name fails: the certificate names only the instance endpoint', async () => {
    expect(await run('direct')).toMatchObject({
      ok: false,
      sqlstate: '08006',
      message: expect.stringContaining(`The hostname ${WRITER} could not be verified by hostnameverifier PgjdbcHostnameVerifier`),
    });
  });

  test('verify-full through the helper succeeds, over TLS, on the endpoint the name points at', async () => {
    expect(await run('helper')).toEqual({ ok: true, session: ['127.0.0.1', true] });
    fixture.pointWriterAt(REPLICA_ENDPOINT);
    expect(await run('helper')).toEqual({ ok: true, session: ['127.0.0.2', true] });
  });

  test('verify-full through the helper with a CA that did not sign the certificate fails', async () => {
    expect(await run('wrong-ca')).toMatchObject({ ok: false, sqlstate: '08006', message: expect.stringMatching(/SSL error/) });
  });

  test('the IAM token is signed for the resolved endpoint and port and sent as the password over TLS', async () => {
    const result = await run('iam');
    expect(result).toMatchObject({ ok: true, session: ['127.0.0.1', true] });
    const url = new URL(`https://${result.token}`);
    expect(url.hostname).toBe(PRIMARY_ENDPOINT);
    expect(url.port).toBe(String(fixture.port));
    expect(url.searchParams.get('Action')).toBe('connect');
    expect(url.searchParams.get('DBUser')).toBe(APP_USER);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/rds-db\/aws4_request$/);
  });

  test('after the name moves, the IAM token is signed for the new endpoint and its Region', async () => {
    fixture.pointWriterAt(REPLICA_ENDPOINT);
    const result = await run('iam');
    expect(result).toMatchObject({ ok: true, session: ['127.0.0.2', true] });
    const url = new URL(`https://${result.token}`);
    expect(url.hostname).toBe(REPLICA_ENDPOINT);
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/\/us-west-2\/rds-db\//);
  });
});
