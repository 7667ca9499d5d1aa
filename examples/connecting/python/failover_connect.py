"""Connecting psycopg 3 through a Route53DbFailover name (``writer.<zone>`` / ``reader.<zone>``) with
``sslmode=verify-full`` and, optionally, IAM database authentication.

The failover name is a CNAME to an RDS instance endpoint, and RDS's server certificate names only that endpoint, so
verify-full against the failover name fails ("server certificate for ... does not match host name"). Instead, every
new connection resolves the name to the instance endpoint and connects with ``host=<endpoint>`` (the name libpq
verifies the certificate against) and ``hostaddr=<its address>`` (where libpq connects), and signs an IAM token for
that endpoint and port. Resolve again for every new connection: a connection pool then follows the name after a
failover.

Copy this file into your application; it needs ``psycopg`` (3), ``dnspython`` and, for IAM tokens, ``boto3``.

See https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html (the certificate
names the instance endpoint) and
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.html (tokens are valid for 15
minutes).
"""
import re
from typing import Any, Optional, Tuple

import dns.name
import dns.resolver
import psycopg

#: How many CNAMEs a chain may have before the name is treated as a loop.
MAX_CNAME_HOPS = 8

_ENDPOINT_REGION = re.compile(r"\.([a-z]{2}(?:-[a-z]+)+-\d+)\.rds\.amazonaws\.com\.?$", re.IGNORECASE)

#: The SQLSTATE of a write on an instance that is no longer the writer (read_only_sql_transaction).
READ_ONLY_SQL_TRANSACTION = "25006"


def resolve_endpoint(name: str, resolver: Optional[dns.resolver.Resolver] = None) -> Tuple[str, str]:
    """Follows the name's CNAME chain to its last name (the instance endpoint); returns it and its IPv4 address,
    both looked up with the same resolver. Nothing is cached here: call it for every new connection."""
    resolver = resolver or dns.resolver.Resolver()
    current = dns.name.from_text(name)
    for _ in range(MAX_CNAME_HOPS + 1):
        try:
            answer = resolver.resolve(current, "CNAME")
        except dns.resolver.NoAnswer:
            break  # the name has records but no CNAME: it is the end of the chain
        current = answer[0].target
    else:
        raise ValueError(f"{name}: more than {MAX_CNAME_HOPS} CNAME records in a chain")
    address = resolver.resolve(current, "A")[0].address
    return current.to_text(omit_final_dot=True), address


def region_of_endpoint(endpoint: str) -> Optional[str]:
    """The Region of an RDS endpoint name (``<id>.<hash>.<region>.rds.amazonaws.com``), if it has that shape."""
    match = _ENDPOINT_REGION.search(endpoint)
    return match.group(1) if match else None


def iam_token(endpoint: str, port: int, user: str, region: Optional[str] = None, session: Any = None) -> str:
    """An IAM authentication token for this endpoint and port: a presigned ``connect`` request, valid for 15 minutes."""
    import boto3

    region = region_of_endpoint(endpoint) or region
    if not region:
        raise ValueError(f"{endpoint}: no Region in the endpoint name; pass region")
    client = (session or boto3.session.Session()).client("rds", region_name=region)
    return client.generate_db_auth_token(DBHostname=endpoint, Port=port, DBUsername=user)


def conninfo(name: str, port: int, dbname: str, user: str, sslrootcert: str, password: Optional[str] = None,
             region: Optional[str] = None, resolver: Optional[dns.resolver.Resolver] = None,
             session: Any = None) -> dict:
    """The connection parameters for where the failover name points now. Without a password, an IAM token signed for
    the endpoint is the password."""
    endpoint, address = resolve_endpoint(name, resolver)
    return {
        "host": endpoint,
        "hostaddr": address,
        "port": port,
        "dbname": dbname,
        "user": user,
        "password": password if password is not None else iam_token(endpoint, port, user, region, session),
        "sslmode": "verify-full",
        "sslrootcert": sslrootcert,
    }


def connect(name: str, port: int, dbname: str, user: str, sslrootcert: str, password: Optional[str] = None,
            region: Optional[str] = None, resolver: Optional[dns.resolver.Resolver] = None, session: Any = None,
            **connect_kwargs: Any) -> psycopg.Connection:
    """A new connection to where the failover name points now, with verify-full against the instance endpoint.

    Whatever keeps connections (a pool, a long-lived worker) must open each new one through this function, keep none
    longer than the record TTL, and close a connection after an error for which ``should_discard`` is true.
    """
    params = conninfo(name, port, dbname, user, sslrootcert, password, region, resolver, session)
    return psycopg.connect(**params, **connect_kwargs)


def should_discard(error: BaseException) -> bool:
    """Whether a pooled connection should be closed after this error: the server is read-only, or the connection
    broke."""
    return getattr(error, "sqlstate", None) == READ_ONLY_SQL_TRANSACTION or isinstance(error, psycopg.OperationalError)
