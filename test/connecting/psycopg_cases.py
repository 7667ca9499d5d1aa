"""Runs one psycopg case of test/connecting/psycopg.test.ts against the fixture's servers and prints the outcome as
JSON: {"ok": true, ...} or {"ok": false, "error": <class>, "sqlstate": ..., "message": ...}.

The argument is a JSON object: case, dns_port, name, port, user, password, admin_password, ca, wrong_ca.
"""
import json
import os
import sys
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples", "connecting", "python"))

import dns.resolver  # noqa: E402
import psycopg  # noqa: E402
import psycopg.sql  # noqa: E402

import failover_connect  # noqa: E402

args = json.loads(sys.argv[1])
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = ["127.0.0.1"]
resolver.port = args["dns_port"]


def session(conn):
    return conn.execute("SELECT host(inet_server_addr()), ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()


def failed(error):
    return {"ok": False, "error": type(error).__name__, "sqlstate": getattr(error, "sqlstate", None), "message": str(error)}


def parse_token(token):
    url = urlsplit("https://" + token)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    credential = query.get("X-Amz-Credential", "").split("/")
    return {"host": url.hostname, "port": url.port, "action": query.get("Action"), "user": query.get("DBUser"),
            "expires": query.get("X-Amz-Expires"), "credential": credential}


def helper(**overrides):
    params = dict(name=args["name"], port=args["port"], dbname="postgres", user=args["user"], sslrootcert=args["ca"],
                  password=args["password"], resolver=resolver)
    params.update(overrides)
    return params


def run(case):
    if case == "resolve":
        return {"ok": True, "resolved": list(failover_connect.resolve_endpoint(args["name"], resolver))}
    if case == "direct":
        # The failover name as host (what libpq verifies) and its address as hostaddr (the lookup libpq would make).
        address = resolver.resolve(args["name"], "A")[0].address
        try:
            with psycopg.connect(host=args["name"], hostaddr=address, port=args["port"], dbname="postgres",
                                 user=args["user"], password=args["password"], sslmode="verify-full",
                                 sslrootcert=args["ca"]):
                return {"ok": True}
        except psycopg.Error as e:
            return failed(e)
    if case in ("helper", "wrong-ca"):
        ca = args["ca"] if case == "helper" else args["wrong_ca"]
        try:
            with failover_connect.connect(**helper(sslrootcert=ca)) as conn:
                return {"ok": True, "session": list(session(conn)), "host": conn.info.host}
        except psycopg.Error as e:
            return failed(e)
    if case == "iam":
        params = failover_connect.conninfo(**helper(password=None))
        token = params["password"]
        # Only RDS checks a token's signature: here the token becomes the user's password on the server first.
        admin = failover_connect.conninfo(**helper(user="postgres", password=args["admin_password"]))
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(psycopg.sql.SQL("ALTER USER {} PASSWORD {}").format(
                psycopg.sql.Identifier(args["user"]), psycopg.sql.Literal(token)))
        try:
            with psycopg.connect(**params) as conn:
                return {"ok": True, "session": list(session(conn)), "token": parse_token(token)}
        except psycopg.Error as e:
            return failed(e)
        finally:
            with psycopg.connect(**admin, autocommit=True) as conn:
                conn.execute(psycopg.sql.SQL("ALTER USER {} PASSWORD {}").format(
                    psycopg.sql.Identifier(args["user"]), psycopg.sql.Literal(args["password"])))
    if case == "write":
        # One write on a new connection; with "old" held open from an earlier call it would not move.
        with failover_connect.connect(**helper()) as conn:
            conn.execute("INSERT INTO orders (note) VALUES ('psycopg')")
            return {"ok": True, "host": conn.info.host}
    if case == "failover":
        # A long-lived connection that follows the guidance: on an error for which should_discard is true, close it
        # and connect again through the name. The test moves the name and makes the old writer read-only while this
        # waits for a line on stdin.
        conn = failover_connect.connect(**helper(), autocommit=True)
        hosts = [conn.info.host]
        conn.execute("INSERT INTO orders (note) VALUES ('before')")
        print(json.dumps({"ready": True}), flush=True)
        sys.stdin.readline()
        failures = []
        for _ in range(5):
            try:
                conn.execute("INSERT INTO orders (note) VALUES ('after')")
                break
            except psycopg.Error as e:
                failures.append(e.sqlstate or type(e).__name__)
                if not failover_connect.should_discard(e):
                    raise
                conn.close()
                conn = failover_connect.connect(**helper(), autocommit=True)
                hosts.append(conn.info.host)
        conn.close()
        return {"ok": True, "hosts": hosts, "failures": failures}
    raise ValueError(case)


print(json.dumps(run(args["case"])), flush=True)
