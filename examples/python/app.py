"""The example app in Python: the same stacks as examples/typescript/app.ts, built from the PyPI package."""
import aws_cdk as cdk
from cdk_resilient_postgres import (
    AwsBackupCopyOptions,
    BackupReplication,
    CrossRegionReadReplica,
    DrBackupVault,
    IsolatedVpc,
    MultiAzPostgres,
)
from aws_cdk import aws_backup as backup

ACCOUNT = "111111111111"
PRIMARY_REGION = "us-east-1"
DR_REGION = "us-west-2"

# The ARN of the DR foundation stack's vault key (output BackupKeyArn after its first deploy).
DR_BACKUP_KEY_ARN = f"arn:aws:kms:{DR_REGION}:{ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10"


def define_app(app: cdk.App) -> list:
    dr_foundation = cdk.Stack(
        app,
        "OrdersDrFoundation",
        env=cdk.Environment(account=ACCOUNT, region=DR_REGION),
        description="Orders database: DR backup vault (cdk-resilient-postgres example)",
    )
    vault = DrBackupVault(
        dr_foundation,
        "BackupVault",
        backup_vault_name="orders-dr",
        lock_configuration=backup.LockConfiguration(
            min_retention=cdk.Duration.days(7),
            max_retention=cdk.Duration.days(365),
            changeable_for=cdk.Duration.days(3),
        ),
    )
    cdk.CfnOutput(dr_foundation, "BackupKeyArn", value=vault.encryption_key.key_arn)

    primary = cdk.Stack(
        app,
        "OrdersPrimary",
        env=cdk.Environment(account=ACCOUNT, region=PRIMARY_REGION),
        description="Orders database: Multi-AZ RDS for PostgreSQL (cdk-resilient-postgres example)",
    )
    network = IsolatedVpc(primary, "Network")
    orders = MultiAzPostgres(
        primary,
        "Orders",
        vpc=network.vpc,
        secrets_manager_endpoint=network.secrets_manager_endpoint,
        instance_identifier="orders-primary",
        database_name="orders",
    )
    BackupReplication(
        primary,
        "OrdersBackups",
        source_instance=orders.instance,
        destination_region=DR_REGION,
        destination_key_arn=DR_BACKUP_KEY_ARN,
        aws_backup=AwsBackupCopyOptions(destination=vault.copy_destination),
    )
    primary.add_stack_dependency(dr_foundation)

    dr = cdk.Stack(
        app,
        "OrdersDr",
        env=cdk.Environment(account=ACCOUNT, region=DR_REGION),
        description="Orders database: cross-Region read replica (cdk-resilient-postgres example)",
    )
    dr_network = IsolatedVpc(dr, "Network")
    CrossRegionReadReplica(
        dr,
        "OrdersReplica",
        source_instance=orders.instance,
        vpc=dr_network.vpc,
        instance_identifier="orders-dr",
    )
    dr.add_stack_dependency(primary)

    return [dr_foundation, primary, dr]


if __name__ == "__main__":
    app = cdk.App()
    define_app(app)
    app.synth()
