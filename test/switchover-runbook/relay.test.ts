import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RELAY_CODE } from '../../src/private/relay-code';

/**
 * The relay's inline Python code, run with the tool virtualenv's Python and boto3, its Lambda client stubbed with
 * botocore's Stubber: what it forwards to the writer's agent, in which Region, and how it passes the agent's errors on.
 */
const VENV = process.env.CRP_VENV ?? path.join(__dirname, '..', '..', '.tools', 'venv');
const AGENT = 'arn:aws:lambda:us-east-1:111111111111:function:orders-primary-switchover-agent';

/** Runs the relay's handler on `event`, the stubbed Invoke answering `response`; returns what happened, as JSON. */
function runRelay(event: unknown, response?: { payload: unknown; functionError?: string }): any {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-'));
  try {
    fs.writeFileSync(path.join(dir, 'index.py'), RELAY_CODE);
    const script = `
import io, json, os, sys
sys.path.insert(0, ${JSON.stringify(dir)})
os.environ["AGENT_FUNCTION_ARN"] = ${JSON.stringify(AGENT)}
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing"); os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
from botocore.response import StreamingBody
from botocore.stub import Stubber
import index
stub = Stubber(index.CLIENT)
response = json.loads(${JSON.stringify(JSON.stringify(response ?? null))})
if response is not None:
    body = json.dumps(response["payload"]).encode()
    answer = {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(body), len(body))}
    if response.get("functionError"):
        answer["FunctionError"] = response["functionError"]
    stub.add_response("invoke", answer, {"FunctionName": ${JSON.stringify(AGENT)}, "Payload": json.dumps({"operation": json.loads(${JSON.stringify(JSON.stringify(event))}).get("operation")}).encode()})
stub.activate()
try:
    result = index.handler(json.loads(${JSON.stringify(JSON.stringify(event))}), None)
    out = {"result": result}
except Exception as e:
    out = {"errorType": type(e).__name__, "errorMessage": str(e)}
stub.assert_no_pending_responses()
out["region"] = index.CLIENT.meta.region_name
print(json.dumps(out))
`;
    return JSON.parse(execFileSync(path.join(VENV, 'bin', 'python'), ['-c', script], { encoding: 'utf-8' }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test.each([['fence'], ['unfence'], ['writerLsn']])('forwards %s to the writer\'s agent, in the agent\'s Region', (operation) => {
  const answer = { operation, lsn: '0/5000A28' };
  expect(runRelay({ operation, extra: 'dropped' }, { payload: answer })).toEqual({ result: answer, region: 'us-east-1' });
});

test.each([['replayLsn'], ['drop'], [undefined]])('refuses %p without calling the agent', (operation) => {
  expect(runRelay({ operation })).toMatchObject({ errorType: 'AgentRefused', errorMessage: expect.stringContaining('is not one of fence, unfence, writerLsn') });
});

test('passes the agent\'s error on under the agent\'s error type', () => {
  const out = runRelay({ operation: 'fence' }, { payload: { errorType: 'DatabaseError', errorMessage: 'permission denied' }, functionError: 'Unhandled' });
  expect(out).toMatchObject({ errorType: 'DatabaseError', errorMessage: 'permission denied' });
});
