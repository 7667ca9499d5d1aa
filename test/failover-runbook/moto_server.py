"""moto server for the FailoverRunbook execution tests, on 127.0.0.1.

Usage: moto_server.py <port>. Prints "ready <port>" once it accepts requests.

moto executes the state machine with its Step Functions interpreter. Four gaps between moto 5.2.5 and AWS are
closed here, each to the behaviour AWS documents; nothing else of moto is changed, except that the Lambda
integration is routed to a fake SQL agent (below):

1. JSONata. moto's interpreter parses JSONata states but ships without an evaluator (LocalStack runs the dashjoin
   jsonata-java engine in a JVM). jsonata-python, a port of that same engine, evaluates the expressions instead.
   https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
2. Names of AWS SDK integrations. Step Functions names request fields, result fields and errors after the AWS SDK for
   Java v2: `DbInstanceIdentifier`, `DbInstances[0].DbInstanceStatus`, but `ReadReplicaSourceDBInstanceIdentifier`;
   an error is `<Prefix>.<Java exception class>` (`Rds.InvalidDbInstanceStateException` for RDS's
   InvalidDBInstanceState), and one the SDK does not model, throttling among them, is the base exception
   (`Rds.RdsException`). moto's interpreter passes the fields to botocore as they are, returns botocore's names and
   leaves its normalisation hooks (`_normalise_parameters`, `_normalise_response`) empty. Here they translate, and
   errors are named, with the model the tests read from the SDK's jars (test/contracts/JavaSdkModel.java, the file
   named by CRP_JAVA_SDK_MODEL): the same model the contract check in test/contracts/sfn-sdk.test.ts uses. A field the
   model does not have fails the task, as CreateStateMachine refuses it on AWS. An error is named by botocore's error
   code, looked up in the error codes the Java client maps to its exception classes; RDS speaks the query protocol in
   both SDKs, so the codes are the same. A code the Java client does not map falls back to the base exception.
   https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
3. Timestamps in AWS SDK integration results. Step Functions returns them as ISO 8601 strings in the JSON result;
   moto hands the workflow botocore's datetime objects, which JSONata cannot read.
   https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
4. PromoteReadReplica. A promoted instance is no longer a read replica, so DescribeDBInstances stops returning
   ReadReplicaSourceDBInstanceIdentifier; moto 5.2.5 keeps returning it.
   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstance.html

Fault injection: POST /_faults with {"<RDS action>": [{"code": "...", "message": "..."}, ...]} makes the next calls of
that action fail with those errors, one per call, as RDS error responses (PromoteReadReplica, DescribeDBInstances,
CreateDBInstanceReadReplica and DeleteDBInstance). The tests drive throttling and failures this way. POST /_faults/reset clears them (and the statuses below).

Status injection: POST /_statuses with {"<DB instance identifier>": ["backing-up", "modifying", ...]} makes the next
DescribeDBInstances calls that return that instance report those statuses, one per call; after the last, the
instance is `available` again. moto's instances are always `available`; RDS shows transient statuses such as these
while it backs up, modifies or promotes an instance.
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html#Overview.DBInstance.Status

Fake SQL agent (switchover tests). moto runs a Lambda function only in Docker, which the tests do not use, so the
optimized Lambda integration (`arn:aws:states:::lambda:invoke`) is routed here to a test double of the switchover's
SQL agent and relay: POST /_agent with {"<function name>": {"<operation>": [answer, ...]}} queues the answers of that
function's operation, one per call, the last one repeated. An answer is {"result": {...}} (the function's return
value), {"error": "<errorType>", "message": "..."} (a function error, which Step Functions names by its errorType), or
{"serviceError": "<Lambda error code>"} (an Invoke API error, named `Lambda.<code>`). GET /_agent/calls lists every
call (function ARN and payload) in order. A function without answers fails the call with ResourceNotFoundException.
The agent's real SQL is tested against PostgreSQL in test/switchover-runbook/sql-agent-postgres.test.ts.
https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
"""
import datetime
import json
import os
import sys
import threading

import jsonata
from botocore.exceptions import ClientError
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

import moto.stepfunctions.parser.asl.jsonata.jsonata as moto_jsonata
from moto.moto_server.threaded_moto_server import MotoRequestHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.rds.exceptions import RDSClientError
from moto.rds.models import RDSBackend
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_aws_sdk as aws_sdk

# 1. JSONata evaluator.
moto_jsonata._eval_jsonata = lambda expression: jsonata.Jsonata(expression).evaluate(None)

# 2. AWS SDK integration names, from the AWS SDK for Java v2 model.
with open(os.environ["CRP_JAVA_SDK_MODEL"], encoding="utf-8") as model_file:
    _SDK = json.load(model_file)["services"]
_BY_WIRE = {}


class SdkFieldNotSupported(ValueError):
    """A request field the AWS SDK for Java v2 model does not have."""


def _sdk_service(service_name):
    service = _SDK.get(service_name)
    if service is None:
        raise ValueError(f"the AWS SDK for Java v2 model read by the tests has no service {service_name}")
    return service


def _sdk_operation(self):
    service = _sdk_service(self.resource.api_name)
    operation = service["operations"].get(self.resource.api_action)
    if operation is None:
        raise ValueError(f"{service['client']} has no method {self.resource.api_action}")
    return service, operation


def _to_wire(service, member_type, value):
    """A request value with the SDK's member names, by botocore's (wire) names."""
    if "structure" in member_type and isinstance(value, dict):
        shape = service["shapes"][member_type["structure"]]
        wire = {}
        for name, field_value in value.items():
            member = shape["members"].get(name)
            if member is None:
                raise SdkFieldNotSupported(f"The field {name} is not supported by Step Functions "
                                           f"({member_type['structure']} has {', '.join(shape['members'])})")
            wire[member["wire"]] = _to_wire(service, member["type"], field_value)
        return wire
    if "list" in member_type and isinstance(value, list):
        return [_to_wire(service, member_type["list"], v) for v in value]
    if "map" in member_type and isinstance(value, dict):
        return {k: _to_wire(service, member_type["map"], v) for k, v in value.items()}
    return value


def _from_wire(service, member_type, value):
    """A result by botocore's (wire) names, with the SDK's member names; what the SDK does not model is left out."""
    if "structure" in member_type and isinstance(value, dict):
        shape_name = member_type["structure"]
        by_wire = _BY_WIRE.get((id(service), shape_name))
        if by_wire is None:
            by_wire = {m["wire"]: (name, m) for name, m in service["shapes"][shape_name]["members"].items()}
            _BY_WIRE[(id(service), shape_name)] = by_wire
        return {by_wire[k][0]: _from_wire(service, by_wire[k][1]["type"], v) for k, v in value.items() if k in by_wire}
    if "list" in member_type and isinstance(value, list):
        return [_from_wire(service, member_type["list"], v) for v in value]
    if "map" in member_type and isinstance(value, dict):
        return {k: _from_wire(service, member_type["map"], v) for k, v in value.items()}
    return value


def _normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):
    service, operation = _sdk_operation(self)
    wire = _to_wire(service, {"structure": operation["input"]}, parameters)
    parameters.clear()
    parameters.update(wire)


def _normalise_response(self, response, boto_service_name=None, service_action_name=None):
    if not isinstance(response, dict):
        return
    service, operation = _sdk_operation(self)
    named = _from_wire(service, {"structure": operation["output"]}, response)
    response.clear()
    response.update(named)


def _service_error_name(service_name):
    return _sdk_service(service_name.lower())["prefix"]


def _exception_name(norm_service_name, ex):
    service = next(s for s in _SDK.values() if s["prefix"] == norm_service_name)
    code = getattr(ex, "response", {}).get("Error", {}).get("Code")
    modeled = [name for name, e in service["exceptions"].items() if code in e["errorCodes"]]
    return f"{norm_service_name}.{modeled[0] if len(modeled) == 1 else service['baseException']}"


aws_sdk.StateTaskServiceAwsSdk._normalise_parameters = _normalise_parameters
aws_sdk.StateTaskServiceAwsSdk._normalise_response = _normalise_response
aws_sdk.StateTaskServiceAwsSdk._normalise_service_error_name = staticmethod(_service_error_name)
aws_sdk.StateTaskServiceAwsSdk._normalise_exception_name = staticmethod(_exception_name)


# 3. Timestamps as ISO 8601 strings.
def _iso_timestamps(value):
    if isinstance(value, datetime.datetime):
        utc = value.astimezone(datetime.timezone.utc)
        return utc.strftime("%Y-%m-%dT%H:%M:%S") + (f".{utc.microsecond // 1000:03d}" if utc.microsecond else "") + "Z"
    if isinstance(value, dict):
        return {k: _iso_timestamps(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso_timestamps(v) for v in value]
    return value


_original_eval_service_task = aws_sdk.StateTaskServiceAwsSdk._eval_service_task


def _eval_service_task(self, env, *args, **kwargs):
    _original_eval_service_task(self, env, *args, **kwargs)
    env.stack.append(_iso_timestamps(env.stack.pop()))


aws_sdk.StateTaskServiceAwsSdk._eval_service_task = _eval_service_task

# Fault injection and 4. PromoteReadReplica.
_faults = {}
_lock = threading.Lock()


def _next_fault(action):
    with _lock:
        queue = _faults.get(action) or []
        return queue.pop(0) if queue else None


def _with_faults(action, method):
    def wrapper(self, *args, **kwargs):
        fault = _next_fault(action)
        if fault:
            raise RDSClientError(fault["code"], fault.get("message", fault["code"]))
        return method(self, *args, **kwargs)
    return wrapper


_original_promote = RDSBackend.promote_read_replica


def _promote(self, db_kwargs):
    database = self.databases.get(db_kwargs["db_instance_identifier"])
    was_replica = database is not None and database.is_replica
    result = _original_promote(self, db_kwargs)
    if was_replica:
        database.source_db_instance_identifier = None
    return result


_statuses = {}
_original_describe = RDSBackend.describe_db_instances


def _describe(self, *args, **kwargs):
    databases = _original_describe(self, *args, **kwargs)
    with _lock:
        for database in databases:
            queue = _statuses.get(database.db_instance_identifier)
            if queue is None:
                continue
            if queue:
                database.status = queue.pop(0)
            else:
                database.status = "available"
                del _statuses[database.db_instance_identifier]
    return databases


RDSBackend.promote_read_replica = _with_faults("PromoteReadReplica", _promote)
RDSBackend.describe_db_instances = _with_faults("DescribeDBInstances", _describe)
RDSBackend.create_db_instance_read_replica = _with_faults("CreateDBInstanceReadReplica", RDSBackend.create_db_instance_read_replica)
RDSBackend.delete_db_instance = _with_faults("DeleteDBInstance", RDSBackend.delete_db_instance)


# The fake SQL agent behind the optimized Lambda integration.
_agent_answers = {}
_agent_calls = []


def _invoke_fake_agent(parameters, region, state_credentials):
    function_arn = parameters["FunctionName"]
    payload = json.loads(parameters.get("Payload") or b"{}")
    name = function_arn.split(":")[-1]
    with _lock:
        _agent_calls.append({"function": function_arn, "region": region, "payload": payload})
        queue = (_agent_answers.get(name) or {}).get(payload.get("operation"))
        answer = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else None
    if answer is None:
        raise ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": f"no fake answer for {name} {payload}"},
                           "ResponseMetadata": {"HTTPStatusCode": 404, "RequestId": "fake"}}, "Invoke")
    if "serviceError" in answer:
        raise ClientError({"Error": {"Code": answer["serviceError"], "Message": answer["serviceError"]},
                           "ResponseMetadata": {"HTTPStatusCode": 429, "RequestId": "fake"}}, "Invoke")
    if "error" in answer:
        return {"StatusCode": 200, "FunctionError": "Unhandled", "ExecutedVersion": "$LATEST",
                "Payload": {"errorType": answer["error"], "errorMessage": answer.get("message", answer["error"])}}
    return {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": answer["result"]}


lambda_eval_utils._invoke_lambda_function = _invoke_fake_agent


def main():
    port = int(sys.argv[1])
    moto_app = DomainDispatcherApplication(create_backend_app)

    def app(environ, start_response):
        request = Request(environ)
        if request.path == "/_faults" and request.method == "POST":
            with _lock:
                for action, errors in json.loads(request.get_data() or b"{}").items():
                    _faults.setdefault(action, []).extend(errors)
            return Response("ok")(environ, start_response)
        if request.path == "/_statuses" and request.method == "POST":
            with _lock:
                for identifier, statuses in json.loads(request.get_data() or b"{}").items():
                    _statuses.setdefault(identifier, []).extend(statuses)
            return Response("ok")(environ, start_response)
        if request.path == "/_agent" and request.method == "POST":
            with _lock:
                for function_name, operations in json.loads(request.get_data() or b"{}").items():
                    for operation, answers in operations.items():
                        _agent_answers.setdefault(function_name, {})[operation] = list(answers)
            return Response("ok")(environ, start_response)
        if request.path == "/_agent/calls" and request.method == "GET":
            with _lock:
                return Response(json.dumps(_agent_calls), content_type="application/json")(environ, start_response)
        if request.path == "/_faults/reset" and request.method == "POST":
            with _lock:
                _faults.clear()
                _statuses.clear()
                _agent_answers.clear()
                _agent_calls.clear()
            return Response("ok")(environ, start_response)
        return moto_app(environ, start_response)

    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
    print(f"ready {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
