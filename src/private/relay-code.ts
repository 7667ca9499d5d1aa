/**
 * The relay's code, in the Lambda Python runtime, whose AWS SDK for Python (Boto3) is part of the runtime: it invokes
 * the writer's agent, named by ARN in its environment, in that agent's Region, for `fence`, `unfence` and `writerLsn`
 * only, and raises the agent's error under the agent's error type.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html (python3.14)
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
export const RELAY_CODE = `import json, os
import boto3

AGENT = os.environ["AGENT_FUNCTION_ARN"]
CLIENT = boto3.client("lambda", region_name=AGENT.split(":")[3])
RELAYED = ("fence", "unfence", "writerLsn")


class AgentRefused(Exception):
    pass


def handler(event, context):
    operation = event.get("operation") if isinstance(event, dict) else None
    if operation not in RELAYED:
        raise AgentRefused(f"operation {operation!r} is not one of {', '.join(RELAYED)}")
    out = CLIENT.invoke(FunctionName=AGENT, Payload=json.dumps({"operation": operation}).encode())
    payload = json.loads(out["Payload"].read() or b"null")
    if out.get("FunctionError"):
        error = type(payload.get("errorType", "AgentFailed"), (Exception,), {})
        raise error(payload.get("errorMessage", json.dumps(payload)))
    return payload
`;
