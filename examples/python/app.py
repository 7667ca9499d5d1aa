"""The example app in Python: the same stacks as examples/typescript/app.ts, built from the PyPI package."""
import aws_cdk as cdk
from cdk_resilient_postgres import (
    AwsBackupCopyOptions,
    BackupReplication,
    CrossRegionReadReplica,
    DbAlarmSet,
    DrBackupVault,
    FailoverRunbook,
    FailoverTarget,
    IsolatedVpc,
    MultiAzPostgres,
    Route53DbFailover,
    WritableProbe,
)
from aws_cdk import aws_backup as backup
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_secretsmanager as secretsmanager

ACCOUNT = "111111111111"
PRIMARY_REGION = "us-east-1"
DR_REGION = "us-west-2"

# The ARN of the DR foundation stack's vault key (output BackupKeyArn after its first deploy).
DR_BACKUP_KEY_ARN = f"arn:aws:kms:{DR_REGION}:{ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10"
# The primary stack's outputs VpcId and EndpointAddress after its first deploy.
PRIMARY_VPC_ID = "vpc-0a1b2c3d4e5f60718"
PRIMARY_ENDPOINT = "orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"
# The master secret's name; Secrets Manager replicates it to the DR Region under the same name.
SECRET_NAME = "orders-primary/master"


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
        secret_name=SECRET_NAME,
        secret_replica_regions=[secretsmanager.ReplicaRegion(region=DR_REGION)],
    )
    BackupReplication(
        primary,
        "OrdersBackups",
        source_instance=orders.instance,
        destination_region=DR_REGION,
        destination_key_arn=DR_BACKUP_KEY_ARN,
        aws_backup=AwsBackupCopyOptions(destination=vault.copy_destination),
    )
    orders_alarms = DbAlarmSet(primary, "OrdersAlarms", instance=orders.instance)
    orders_probe = WritableProbe(
        primary,
        "OrdersProbe",
        instance=orders.instance,
        credentials=orders.secret,
        vpc=network.vpc,
        aws_api_endpoints=[network.secrets_manager_endpoint, network.monitoring_endpoint],
        topic=orders_alarms.topic,
    )
    cdk.CfnOutput(primary, "VpcId", value=network.vpc.vpc_id)
    cdk.CfnOutput(primary, "EndpointAddress", value=orders.endpoint.hostname)
    primary.add_stack_dependency(dr_foundation)

    dr = cdk.Stack(
        app,
        "OrdersDr",
        env=cdk.Environment(account=ACCOUNT, region=DR_REGION),
        description="Orders database: cross-Region read replica (cdk-resilient-postgres example)",
    )
    dr_network = IsolatedVpc(dr, "Network")
    replica = CrossRegionReadReplica(
        dr,
        "OrdersReplica",
        source_instance=orders.instance,
        vpc=dr_network.vpc,
        instance_identifier="orders-dr",
    )
    replica_alarms = DbAlarmSet(
        dr, "ReplicaAlarms", instance=replica.instance, allocated_storage=cdk.Size.gibibytes(100)
    )
    replica_probe = WritableProbe(
        dr,
        "ReplicaProbe",
        instance=replica.instance,
        credentials=secretsmanager.Secret.from_secret_name_v2(dr, "ReplicatedSecret", SECRET_NAME),
        vpc=dr_network.vpc,
        aws_api_endpoints=[dr_network.secrets_manager_endpoint, dr_network.monitoring_endpoint],
        topic=replica_alarms.topic,
    )
    failover = Route53DbFailover(
        dr,
        "Failover",
        zone_name="orders.internal",
        vpcs=[
            dr_network.vpc,
            ec2.Vpc.from_vpc_attributes(
                dr,
                "PrimaryVpc",
                vpc_id=PRIMARY_VPC_ID,
                region=PRIMARY_REGION,
                availability_zones=["us-east-1a", "us-east-1b"],
            ),
        ],
        primary=FailoverTarget(
            endpoint_address=PRIMARY_ENDPOINT,
            not_writable_alarm=orders_probe.not_writable_alarm,
            unreachable_alarm=orders_probe.unreachable_alarm,
        ),
        secondary=FailoverTarget(
            endpoint_address=replica.endpoint.hostname,
            not_writable_alarm=replica_probe.not_writable_alarm,
            unreachable_alarm=replica_probe.unreachable_alarm,
            writable_alarm=replica_probe.writable_alarm,
        ),
        reader_record_name="reader",
    )
    runbook = FailoverRunbook(
        dr,
        "Runbook",
        replica=replica,
        topic=replica_alarms.topic,
        topic_key=replica_alarms.topic_key,
        failover=failover,
        automatic_promotion=True,
    )
    cdk.CfnOutput(dr, "RunbookArn", value=runbook.state_machine.state_machine_arn)
    cdk.CfnOutput(dr, "PromotionRoleArn", value=runbook.promotion_role.role.role_arn)
    cdk.CfnOutput(
        dr,
        "RtoBudgetSeconds",
        value=str(runbook.rto_budget.total_seconds),
        description=runbook.rto_budget.formula,
    )
    cdk.CfnOutput(dr, "WriterName", value=failover.writer_dns_name)
    cdk.CfnOutput(dr, "ReaderName", value=failover.reader_dns_name)
    cdk.CfnOutput(
        dr,
        "DetectionBudgetSeconds",
        value=str(failover.detection_budget.total_seconds),
        description=failover.detection_budget.formula,
    )
    dr.add_stack_dependency(primary)

    return [dr_foundation, primary, dr]


if __name__ == "__main__":
    app = cdk.App()
    define_app(app)
    app.synth()
