import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import * as readline from 'readline';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, HistoryEvent, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { javaSdkModelFile } from '../contracts/java-sdk-model';
import { freePort } from '../util';

/** The account the test app synthesizes for; moto server answers as this account too. */
export const MOTO_ACCOUNT = '111111111111';

/** An answer of the fake SQL agent: its return value, a function error, or an Invoke API error. */
export type AgentAnswer = { result: unknown } | { error: string; message?: string } | { serviceError: string };

/** A moto server on 127.0.0.1, started from the tool virtualenv with test/failover-runbook/moto_server.py. */
export class MotoServer {
  /**
   * Starts the server on a free port and waits until it accepts requests. `sdkServices` are the services of the AWS SDK
   * integration tasks the tests run: their AWS SDK for Java v2 model, read from the SDK's jars, names the tasks' fields
   * and errors as Step Functions does.
   */
  public static async start(sdkServices: string[]): Promise<MotoServer> {
    const model = javaSdkModelFile(sdkServices);
    const port = await freePort();
    const venv = process.env.CRP_VENV ?? path.join(__dirname, '..', '..', '.tools', 'venv');
    const child = spawn(path.join(venv, 'bin', 'python'), [path.join(__dirname, 'moto_server.py'), String(port)], {
      // moto's Step Functions interpreter calls the other services through MOTO_PORT.
      env: { ...process.env, MOTO_PORT: String(port), MOTO_ACCOUNT_ID: MOTO_ACCOUNT, CRP_JAVA_SDK_MODEL: model },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr: string[] = [];
    child.stderr!.on('data', (chunk) => { stderr.push(String(chunk)); if (stderr.length > 200) stderr.shift(); });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`moto server did not start in 60 s:\n${stderr.join('')}`)), 60_000);
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`moto server exited with ${code}:\n${stderr.join('')}`)); });
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.removeAllListeners('exit');
    return new MotoServer(child, port, stderr);
  }

  public readonly endpoint: string;

  private constructor(private readonly child: ChildProcess, public readonly port: number, private readonly stderr: string[]) {
    this.endpoint = `http://127.0.0.1:${port}`;
  }

  /** Forgets every resource, clears injected faults and turns on Step Functions execution. */
  public async reset(): Promise<void> {
    await this.post('/moto-api/reset', {});
    await this.post('/_faults/reset', {});
    await this.post('/moto-api/config', { stepfunctions: { execute_state_machine: true } });
  }

  /** Makes the next calls of an RDS action fail, one error per call. */
  public async injectFaults(action: string, errors: Array<{ code: string; message?: string }>): Promise<void> {
    await this.post('/_faults', { [action]: errors });
  }

  /**
   * Makes the next DescribeDBInstances calls that return the instance report these statuses, one per call; it is
   * `available` again after the last.
   */
  public async injectStatuses(identifier: string, statuses: string[]): Promise<void> {
    await this.post('/_statuses', { [identifier]: statuses });
  }

  /**
   * Queues the answers of the fake SQL agent (a test double of the switchover's agent and relay; see moto_server.py):
   * per function name and operation, one answer per call, the last repeated.
   */
  public async setAgentAnswers(answers: Record<string, Record<string, AgentAnswer[]>>): Promise<void> {
    await this.post('/_agent', answers);
  }

  /** Every invocation of the fake agent so far, in order. */
  public async agentCalls(): Promise<Array<{ function: string; region: string; payload: any }>> {
    return (await fetch(`${this.endpoint}/_agent/calls`)).json() as Promise<any>;
  }

  /** The server's recent stderr, for failure messages. */
  public log(): string {
    return this.stderr.join('');
  }

  public async stop(): Promise<void> {
    if (this.child.exitCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }

  private async post(urlPath: string, body: unknown): Promise<void> {
    const response = await fetch(`${this.endpoint}${urlPath}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error(`POST ${urlPath}: ${response.status} ${await response.text()}`);
    }
  }
}

/** The end of an execution on moto server: its status, error, output and history. */
export interface ExecutionRun {
  readonly status: string;
  readonly error?: string;
  readonly cause?: string;
  readonly output?: any;
  readonly history: HistoryEvent[];
}

/** Starts an execution; moto server does not generate a name when none is given, as AWS does, so each run gets one. */
export async function startExecution(sfn: SFNClient, stateMachineArn: string, input: object = {}): Promise<string> {
  const name = `run-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  return (await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }))).executionArn!;
}

/** Polls an execution every 250 ms until it ends, at most `seconds`; the error then carries moto server's log. */
export async function waitForExecution(sfn: SFNClient, executionArn: string, moto: MotoServer, seconds: number): Promise<ExecutionRun> {
  for (let i = 0; i < seconds * 4; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') {
      const history = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
      return { status: d.status!, error: d.error, cause: d.cause, output: d.output ? JSON.parse(d.output) : undefined, history };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`execution still running after ${seconds} s\n${moto.log()}`);
}

/** Every message on the queue so far, parsed, in arrival order; each is deleted once read, so it does not come back. */
export async function drainMessages(sqs: SQSClient, queueUrl: string): Promise<any[]> {
  const all: any[] = [];
  for (;;) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!r.Messages?.length) {
      return all;
    }
    all.push(...r.Messages.map((m) => JSON.parse(m.Body!)));
    for (const m of r.Messages) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
}
