"""moto server for the FailoverRunbook execution tests, on 127.0.0.1.

Usage: moto_server.py <port>. Prints "ready <port>" once it accepts requests.

moto executes the state machine with its Step Functions interpreter. Four gaps between moto 5.2.5 and AWS are
closed here, each to the behaviour AWS documents; nothing else of moto is changed:

1. JSONata. moto's interpreter parses JSONata states but ships without an evaluator (LocalStack runs the dashjoin
   jsonata-java engine in a JVM). jsonata-python, a port of that same engine, evaluates the expressions instead.
   https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
2. Error names of AWS SDK integrations. AWS names them "<Service>.<ErrorCode>Exception", both in PascalCase (e.g.
   Rds.ThrottlingException); moto uses the lower-case service name and the client class (rds.rdsException).
   https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
3. Timestamps in AWS SDK integration results. Step Functions returns them as ISO 8601 strings in the JSON result;
   moto hands the workflow botocore's datetime objects, which JSONata cannot read.
   https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
4. PromoteReadReplica. A promoted instance is no longer a read replica, so DescribeDBInstances stops returning
   ReadReplicaSourceDBInstanceIdentifier; moto 5.2.5 keeps returning it.
   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstance.html

Fault injection: POST /_faults with {"<RDS action>": [{"code": "...", "message": "..."}, ...]} makes the next calls of
that action fail with those errors, one per call, as RDS error responses. The test drives throttling and failures
this way. POST /_faults/reset clears them.
"""
import datetime
import json
import sys
import threading

import jsonata
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

import moto.stepfunctions.parser.asl.jsonata.jsonata as moto_jsonata
from moto.moto_server.threaded_moto_server import MotoRequestHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.rds.exceptions import RDSClientError
from moto.rds.models import RDSBackend
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_aws_sdk as aws_sdk

# 1. JSONata evaluator.
moto_jsonata._eval_jsonata = lambda expression: jsonata.Jsonata(expression).evaluate(None)

# 2. AWS SDK integration error names.
_PASCAL = {"rds": "Rds", "cloudwatch": "CloudWatch", "sns": "Sns"}


def _service_error_name(service_name):
    return _PASCAL.get(service_name.lower(), service_name)


def _exception_name(norm_service_name, ex):
    code = getattr(ex, "response", {}).get("Error", {}).get("Code") or ex.__class__.__name__
    return f"{norm_service_name}.{code}" + ("" if code.endswith("Exception") else "Exception")


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


RDSBackend.promote_read_replica = _with_faults("PromoteReadReplica", _promote)
RDSBackend.describe_db_instances = _with_faults("DescribeDBInstances", RDSBackend.describe_db_instances)


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
        if request.path == "/_faults/reset" and request.method == "POST":
            with _lock:
                _faults.clear()
            return Response("ok")(environ, start_response)
        return moto_app(environ, start_response)

    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
    print(f"ready {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
