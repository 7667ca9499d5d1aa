import { spawn } from 'child_process';
import * as path from 'path';
import {
  ADMIN_PASSWORD, APP_PASSWORD, APP_USER, FailoverFixture, PRIMARY_ENDPOINT, REPLICA_ENDPOINT, WRITER, describeWithPostgres,
} from './fixture';

/**
 * psycopg 3 through a failover name against RDS-shaped servers on loopback (see fixture.ts), with the helper in
 * examples/connecting/python/failover_connect.py. Each case runs in the shared venv's Python (psycopg_cases.py).
 */
const VENV = process.env.CRP_VENV ?? path.join(__dirname, '..', '..', '.tools', 'venv');
const PYTHON = path.join(VENV, 'bin', 'python');
const CASES = path.join(__dirname, 'psycopg_cases.py');
const FAKE_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
};

describeWithPostgres('psycopg through the failover name', () => {
  let fixture: FailoverFixture;

  beforeAll(async () => {
    fixture = await FailoverFixture.start();
  });

  afterAll(async () => {
    await fixture?.stop();
  });

  afterEach(() => {
    fixture?.pointWriterAt(PRIMARY_ENDPOINT);
  });

  function args(testCase: string): string {
    return JSON.stringify({
      case: testCase,
      dns_port: fixture.dns.port,
      name: WRITER,
      port: fixture.port,
      user: APP_USER,
      password: APP_PASSWORD,
      admin_password: ADMIN_PASSWORD,
      ca: fixture.caFile,
      wrong_ca: fixture.wrongCaFile,
    });
  }

  /** Runs a case; asynchronously, as the DNS server answers from this process. */
  async function run(testCase: string): Promise<any> {
    const child = spawn(PYTHON, [CASES, args(testCase)], { env: { ...process.env, ...FAKE_AWS_ENV } });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (status !== 0) {
      throw new Error(`psycopg_cases.py ${testCase} failed (${status}): ${stderr}`);
    }
    return JSON.parse(stdout.trim().split('\n').pop()!);
  }

  test('resolves the failover name to the instance endpoint and its address', async () => {
    expect(await run('resolve')).toEqual({ ok: true, resolved: [PRIMARY_ENDPOINT, '127.0.0.1'] });
    fixture.pointWriterAt(REPLICA_ENDPOINT);
    expect(await run('resolve')).toEqual({ ok: true, resolved: [REPLICA_ENDPOINT, '127.0.0.2'] });
  });

  test('verify-full against the failover name fails: the certificate names only the instance endpoint', async () => {
    expect(await run('direct')).toMatchObject({
      ok: false,
      error: 'OperationalError',
      message: expect.stringContaining(`server certificate for "${PRIMARY_ENDPOINT}" does not match host name "${WRITER}"`),
    });
  });

  test('verify-full through the helper succeeds, over TLS, on the endpoint the name points at', async () => {
    expect(await run('helper')).toEqual({ ok: true, session: ['127.0.0.1', true], host: PRIMARY_ENDPOINT });
    fixture.pointWriterAt(REPLICA_ENDPOINT);
    expect(await run('helper')).toEqual({ ok: true, session: ['127.0.0.2', true], host: REPLICA_ENDPOINT });
  });

  test('verify-full through the helper with a CA that did not sign the certificate fails', async () => {
    expect(await run('wrong-ca')).toMatchObject({ ok: false, error: 'OperationalError', message: expect.stringMatching(/certificate verify failed/) });
  });

  test('the IAM token is signed for the resolved endpoint and port and sent as the password over TLS', async () => {
    const result = await run('iam');
    expect(result).toMatchObject({ ok: true, session: ['127.0.0.1', true] });
    expect(result.token).toEqual({
      host: PRIMARY_ENDPOINT,
      port: fixture.port,
      action: 'connect',
      user: APP_USER,
      expires: '900',
      credential: [FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, expect.stringMatching(/^\d{8}$/), 'us-east-1', 'rds-db', 'aws4_request'],
    });
  });

  test('after the name moves, the IAM token is signed for the new endpoint and its Region', async () => {
    fixture.pointWriterAt(REPLICA_ENDPOINT);
    const result = await run('iam');
    expect(result).toMatchObject({ ok: true, session: ['127.0.0.2', true] });
    expect(result.token).toMatchObject({ host: REPLICA_ENDPOINT, credential: expect.arrayContaining(['us-west-2']) });
  });

  test('a long-lived connection that follows the guidance moves to the new writer after one failed write', async () => {
    const child = spawn(PYTHON, [CASES, args('failover')], { env: { ...process.env, ...FAKE_AWS_ENV } });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const ready = new Promise<void>((resolve) => child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('"ready"')) {
        resolve();
      }
    }));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const [aBefore, bBefore] = [fixture.rows(fixture.a), fixture.rows(fixture.b)];
    try {
      await Promise.race([ready, exited.then(() => {
        throw new Error(`psycopg_cases.py failover exited early: ${stderr}`);
      })]);
      fixture.pointWriterAt(REPLICA_ENDPOINT);
      fixture.setReadOnly(fixture.a, true);
      await new Promise((r) => setTimeout(r, 300));
      child.stdin.end('\n');
      expect(await exited).toBe(0);
    } finally {
      child.kill();
      fixture.setReadOnly(fixture.a, false);
    }
    expect(stderr).toBe('');
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result).toEqual({ ok: true, hosts: [PRIMARY_ENDPOINT, REPLICA_ENDPOINT], failures: ['25006'] });
    expect(fixture.rows(fixture.a)).toBe(aBefore + 1);
    expect(fixture.rows(fixture.b)).toBe(bBefore + 1);
  });
});
