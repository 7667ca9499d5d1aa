"""The composed app in Python: the same stacks as examples/typescript/composed-app.ts, built from the PyPI package.

The reference architecture of app.py composed from the parts instead of MultiRegionPostgres, in the same three stacks
and deploy order: OrdersDrFoundation (us-west-2), OrdersPrimary (us-east-1), OrdersDr (us-west-2). The four cdk-nag
packs run at synthesis; the findings the app acknowledges itself are acknowledged the Python way, with
Validations.of(scope).acknowledge(Acknowledgment(id=..., reason=...)).
"""
import aws_cdk as cdk
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_backup as backup
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks
from constructs import IConstruct
from cdk_resilient_postgres import (
    AwsBackupCopyOptions,
    BackupReplication,
    CrossRegionReadReplica,
    DbAlarmSet,
    DrBackupVault,
    DrSecretKey,
    FailoverRunbook,
    FailoverTarget,
    IsolatedVpc,
    MultiAzPostgres,
    RecoveryObjective,
    ResilienceObjectives,
    Route53DbFailover,
    WritableProbe,
)

ACCOUNT = "111111111111"
PRIMARY_REGION = "us-east-1"
DR_REGION = "us-west-2"

# Values another Region's stack can only name by a literal, read from earlier deploys' outputs (the same placeholders
# as app.py): the DR foundation stack's BackupKeyArn and SecretKeyArn (deployed first), then the primary stack's
# PrimaryVpcId and PrimaryEndpointAddress (deployed second).
DR_BACKUP_KEY_ARN = f"arn:aws:kms:{DR_REGION}:{ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10"
DR_SECRET_KEY_ARN = f"arn:aws:kms:{DR_REGION}:{ACCOUNT}:key/8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64"
PRIMARY_VPC_ID = "vpc-0a1b2c3d4e5f60718"
PRIMARY_ENDPOINT = "orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"


def define_composed_app(app: cdk.App) -> list:
    # 1. DR foundation: the keys the primary stack names by their ARNs.
    dr_foundation = cdk.Stack(
        app,
        "OrdersDrFoundation",
        env=cdk.Environment(account=ACCOUNT, region=DR_REGION),
        description="Orders database: DR backup vault and secret key (cdk-resilient-postgres composed app)",
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

    # 2. Primary Region: the Multi-AZ primary, its replicated backups, alarms and writable probe.
    primary_stack = cdk.Stack(
        app,
        "OrdersPrimary",
        env=cdk.Environment(account=ACCOUNT, region=PRIMARY_REGION),
        description="Orders database: Multi-AZ primary (cdk-resilient-postgres composed app)",
    )
    primary_stack.add_stack_dependency(
        dr_foundation, "the replicated backups and the secret replica are encrypted with its keys")
    primary_net = IsolatedVpc(primary_stack, "Network")
    primary = MultiAzPostgres(
        primary_stack,
        "Orders",
        vpc=primary_net.vpc,
        secrets_manager_endpoint=primary_net.secrets_manager_endpoint,
        instance_identifier="orders-primary",
        database_name="orders",
        secret_name="orders-primary/master",
        secret_replica_regions=[secretsmanager.ReplicaRegion(
            region=DR_REGION,
            encryption_key=kms.Key.from_key_arn(primary_stack, "DrSecretKey", DR_SECRET_KEY_ARN),
        )],
    )
    backups = BackupReplication(
        primary_stack,
        "Backups",
        source_instance=primary,
        destination_region=DR_REGION,
        destination_key_arn=DR_BACKUP_KEY_ARN,
        aws_backup=AwsBackupCopyOptions(destination=vault.copy_destination),
    )
    primary_alarms = DbAlarmSet(primary_stack, "OrdersAlarms", instance=primary)
    primary_probe = WritableProbe(
        primary_stack,
        "OrdersProbe",
        instance=primary,
        credentials=primary.secret,
        vpc=primary_net.vpc,
        aws_api_endpoints=[primary_net.secrets_manager_endpoint, primary_net.monitoring_endpoint],
        topic=primary_alarms.topic,
    )
    cdk.CfnOutput(primary_stack, "PrimaryVpcId", value=primary_net.vpc.vpc_id)
    cdk.CfnOutput(primary_stack, "PrimaryEndpointAddress", value=primary.endpoint.hostname)

    # 3. DR Region: the replica, its alarms and probe, the failover names, the runbook and the recovery objectives.
    dr_stack = cdk.Stack(
        app,
        "OrdersDr",
        env=cdk.Environment(account=ACCOUNT, region=DR_REGION),
        description="Orders database: cross-Region replica, failover and runbook (cdk-resilient-postgres composed app)",
    )
    dr_stack.add_stack_dependency(primary_stack, "orders-dr replicates orders-primary")
    dr_net = IsolatedVpc(dr_stack, "Network", ip_addresses=ec2.IpAddresses.cidr("10.1.0.0/16"))
    replica = CrossRegionReadReplica(
        dr_stack,
        "Replica",
        source_instance=primary,
        vpc=dr_net.vpc,
        instance_identifier="orders-dr",
    )
    replica_alarms = DbAlarmSet(dr_stack, "ReplicaAlarms", instance=replica)
    # The master secret's replica in the DR Region: same name as the primary's, encrypted with the DR secret key.
    dr_secret = secretsmanager.Secret.from_secret_attributes(
        dr_stack,
        "ReplicatedSecret",
        secret_partial_arn=dr_stack.format_arn(
            service="secretsmanager",
            resource="secret",
            resource_name="orders-primary/master",
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        ),
        encryption_key=kms.Key.from_key_arn(dr_stack, "SecretKey", DR_SECRET_KEY_ARN),
    )
    replica_probe = WritableProbe(
        dr_stack,
        "ReplicaProbe",
        instance=replica,
        credentials=dr_secret,
        vpc=dr_net.vpc,
        aws_api_endpoints=[dr_net.secrets_manager_endpoint, dr_net.monitoring_endpoint],
        topic=replica_alarms.topic,
    )
    failover = Route53DbFailover(
        dr_stack,
        "Failover",
        zone_name="orders.internal",
        vpcs=[dr_net.vpc, ec2.Vpc.from_vpc_attributes(
            dr_stack,
            "PrimaryVpc",
            vpc_id=PRIMARY_VPC_ID,
            region=PRIMARY_REGION,
            availability_zones=primary_net.vpc.availability_zones,
        )],
        primary=FailoverTarget(
            endpoint_address=PRIMARY_ENDPOINT,
            not_writable_alarm=primary_probe.not_writable_alarm,
            unreachable_alarm=primary_probe.unreachable_alarm,
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
        dr_stack,
        "Runbook",
        replica=replica,
        topic=replica_alarms.topic,
        topic_key=replica_alarms.topic_key,
        failover=failover,
        automatic_promotion=True,
        approval=True,
        approval_timeout=cdk.Duration.minutes(15),
        backup_retention=primary.backup_retention,
    )
    ResilienceObjectives(
        dr_stack,
        "Objectives",
        primary=primary,
        runbook=runbook,
        backup_replication=backups,
        az_failure=RecoveryObjective(rto=cdk.Duration.minutes(5), rpo=cdk.Duration.seconds(0)),
        region_failure=RecoveryObjective(rto=cdk.Duration.minutes(45), rpo=cdk.Duration.minutes(2)),
        backup_restore_rpo=cdk.Duration.minutes(15),
    )

    # cdk-nag findings the library acknowledges itself (docs/compliance.md gives the reasons), repeated here the way an
    # app acknowledges a finding with a detail on its own resources (see acknowledge_finding).
    def managed_policy(name: str) -> str:
        return f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/{name}]"

    acknowledge_finding(primary, managed_policy("AmazonRDSEnhancedMonitoringRole"),
                        "The AWS-managed policy RDS documents for enhanced monitoring; it only writes to the RDSOSMetrics log group.")
    acknowledge_finding(replica, managed_policy("AmazonRDSEnhancedMonitoringRole"),
                        "The AWS-managed policy RDS documents for enhanced monitoring; it only writes to the RDSOSMetrics log group.")
    acknowledge_finding(backups, managed_policy("AWSBackupServiceRolePolicyForBackup"),
                        "The AWS-managed policy AWS Backup documents for backup jobs; the selection names one DB instance.")
    acknowledge_finding(vault, managed_policy("AWSBackupServiceRolePolicyForRestores"),
                        "The AWS-managed policy AWS Backup documents for restore jobs; restore testing restores only this vault.")
    # aws-cdk-lib's own rule W3010, which recent releases (2.275.0 among them) acknowledge themselves: the subnets name
    # the Availability Zones of the context, which is how cdk.json pins them.
    Validations.of(primary_stack).acknowledge(Acknowledgment(
        id="CloudFormation-Validate::W3010",
        reason="The Availability Zones come from the context (cdk.json), which pins them for this account and Region.",
    ))
    for part in [primary_probe, replica_probe, runbook]:
        acknowledge_finding(part, "AwsSolutions-IAM5[Resource::*]",
                            "cloudwatch:PutMetricData and cloudwatch:GetMetricData have no resource type; "
                            "PutMetricData is limited to one namespace by condition.")

    cdk.CfnOutput(dr_stack, "RunbookArn", value=runbook.state_machine.state_machine_arn)
    cdk.CfnOutput(dr_stack, "WriterName", value=failover.writer_dns_name)
    cdk.CfnOutput(dr_stack, "ReaderName", value=failover.reader_dns_name)
    return [dr_foundation, primary_stack, dr_stack]


def acknowledge_finding(scope: IConstruct, id: str, reason: str) -> None:
    """Acknowledges a cdk-nag finding on a part, as the library does: <pack>::<finding>.

    The finding's ID is the one the validation report prints. aws-cdk-lib 2.263.0 (the library's floor) to 2.268.x
    refuse an ID with more than one '::' in Validations.acknowledge; there the acknowledgement is recorded, as the
    library records its own, under the finding's ID in the construct metadata that Validations.acknowledge writes and
    cdk-nag reads.
    """
    try:
        Validations.of(scope).acknowledge(Acknowledgment(id=f"{id.split('-')[0]}::{id}", reason=reason))
    except RuntimeError as e:
        if "InvalidValidationId" not in str(e) and "delimiter is reserved" not in str(e):
            raise
        scope.node.add_metadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {id: reason})


def add_compliance_packs(app: cdk.App) -> None:
    """The four cdk-nag packs as aws-cdk-lib validation plugins.

    Synthesis fails ('Validation failed', details in <outdir>/validation-report.json) on any finding no one
    acknowledged.
    """
    Validations.of(app).add_plugins(
        AwsSolutionsChecks(app), HIPAASecurityChecks(app), NIST80053R5Checks(app), PCIDSS321Checks(app))


if __name__ == "__main__":
    app = cdk.App()
    define_composed_app(app)
    add_compliance_packs(app)
    app.synth()
