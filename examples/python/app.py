"""The reference app in Python: the same stacks as examples/typescript/app.ts, built from the PyPI package."""
import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from cdk_resilient_postgres import (
    AwsBackupCopyOptions,
    DrBackupVault,
    DrSecretKey,
    MultiRegionPostgres,
    RecoveryObjective,
    ResilienceTargets,
)

ACCOUNT = "111111111111"
PRIMARY_REGION = "us-east-1"
DR_REGION = "us-west-2"

# Values another Region's stack can only name by a literal, read from earlier deploys' outputs: the DR foundation
# stack's BackupKeyArn and SecretKeyArn (deployed first), then the primary stack's OrdersPrimaryVpcId... and
# OrdersPrimaryEndpointAddress... (deployed second). These placeholders have the example's made-up IDs.
DR_BACKUP_KEY_ARN = f"arn:aws:kms:{DR_REGION}:{ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10"
DR_SECRET_KEY_ARN = f"arn:aws:kms:{DR_REGION}:{ACCOUNT}:key/8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64"
PRIMARY_VPC_ID = "vpc-0a1b2c3d4e5f60718"
PRIMARY_ENDPOINT = "orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"


def define_app(app: cdk.App) -> list:
    dr_foundation = cdk.Stack(
        app,
        "OrdersDrFoundation",
        env=cdk.Environment(account=ACCOUNT, region=DR_REGION),
        description="Orders database: DR backup vault and secret key (cdk-resilient-postgres reference app)",
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
    secret_key = DrSecretKey(dr_foundation, "SecretKey")
    cdk.CfnOutput(dr_foundation, "SecretKeyArn", value=secret_key.key_arn)

    primary = cdk.Stack(
        app,
        "OrdersPrimary",
        env=cdk.Environment(account=ACCOUNT, region=PRIMARY_REGION),
        description="Orders database: Multi-AZ primary (cdk-resilient-postgres reference app)",
    )
    dr = cdk.Stack(
        app,
        "OrdersDr",
        env=cdk.Environment(account=ACCOUNT, region=DR_REGION),
        description="Orders database: cross-Region replica, failover and runbook (cdk-resilient-postgres reference app)",
    )
    primary.add_stack_dependency(dr_foundation, "the replicated backups and the secret replica are encrypted with its keys")

    orders = MultiRegionPostgres(
        primary,
        "Orders",
        dr_scope=dr,
        name="orders",
        zone_name="orders.internal",
        dr_backup_key_arn=DR_BACKUP_KEY_ARN,
        dr_secret_key_arn=DR_SECRET_KEY_ARN,
        primary_endpoint_address=PRIMARY_ENDPOINT,
        primary_vpc_id=PRIMARY_VPC_ID,
        aws_backup=AwsBackupCopyOptions(destination=vault.copy_destination),
        approval_timeout=cdk.Duration.minutes(15),
        subscriber_emails=["oncall@example.com"],
        # The AZ drill (an AWS FIS experiment) and the Region drill (a temporary copy of the replica, promoted and deleted):
        # nothing runs until someone starts them.
        az_drill=True,
        region_drill=True,
        objectives=ResilienceTargets(
            az_failure=RecoveryObjective(rto=cdk.Duration.minutes(5), rpo=cdk.Duration.seconds(0)),
            region_failure=RecoveryObjective(rto=cdk.Duration.minutes(45), rpo=cdk.Duration.minutes(2)),
            backup_restore_rpo=cdk.Duration.minutes(15),
        ),
    )

    cdk.CfnOutput(dr, "RunbookArn", value=orders.runbook.state_machine.state_machine_arn)
    cdk.CfnOutput(dr, "WriterName", value=orders.failover.writer_dns_name)
    cdk.CfnOutput(dr, "ReaderName", value=orders.failover.reader_dns_name)
    return [dr_foundation, primary, dr]


if __name__ == "__main__":
    app = cdk.App()
    define_app(app)
    app.synth()
