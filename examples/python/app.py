"""The example app in Python: the same stacks as examples/typescript/app.ts, built from the PyPI package."""
import aws_cdk as cdk
from cdk_resilient_postgres import IsolatedVpc, MultiAzPostgres


def define_app(app: cdk.App) -> list:
    primary = cdk.Stack(
        app,
        "OrdersPrimary",
        env=cdk.Environment(account="111111111111", region="us-east-1"),
        description="Orders database: Multi-AZ RDS for PostgreSQL (cdk-resilient-postgres example)",
    )
    network = IsolatedVpc(primary, "Network")
    MultiAzPostgres(
        primary,
        "Orders",
        vpc=network.vpc,
        secrets_manager_endpoint=network.secrets_manager_endpoint,
        instance_identifier="orders-primary",
        database_name="orders",
    )
    return [primary]


if __name__ == "__main__":
    app = cdk.App()
    define_app(app)
    app.synth()
