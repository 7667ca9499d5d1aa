package io.github.cdkresilientpostgres.examples;

import io.github.cdkresilientpostgres.AwsBackupCopyOptions;
import io.github.cdkresilientpostgres.BackupReplication;
import io.github.cdkresilientpostgres.CrossRegionReadReplica;
import io.github.cdkresilientpostgres.DbAlarmSet;
import io.github.cdkresilientpostgres.DrBackupVault;
import io.github.cdkresilientpostgres.FailoverRunbook;
import io.github.cdkresilientpostgres.FailoverTarget;
import io.github.cdkresilientpostgres.IsolatedVpc;
import io.github.cdkresilientpostgres.MultiAzPostgres;
import io.github.cdkresilientpostgres.Route53DbFailover;
import io.github.cdkresilientpostgres.WritableProbe;
import java.util.List;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Size;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.backup.LockConfiguration;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcAttributes;
import software.amazon.awscdk.services.secretsmanager.ReplicaRegion;
import software.amazon.awscdk.services.secretsmanager.Secret;

/** The example app in Java: the same stacks as examples/typescript/app.ts. */
public final class OrdersApp {
    private static final String ACCOUNT = "111111111111";
    private static final String PRIMARY_REGION = "us-east-1";
    private static final String DR_REGION = "us-west-2";
    /** The ARN of the DR foundation stack's vault key (output BackupKeyArn after its first deploy). */
    private static final String DR_BACKUP_KEY_ARN =
            "arn:aws:kms:" + DR_REGION + ":" + ACCOUNT + ":key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10";
    /** The primary stack's outputs VpcId and EndpointAddress after its first deploy. */
    private static final String PRIMARY_VPC_ID = "vpc-0a1b2c3d4e5f60718";
    private static final String PRIMARY_ENDPOINT = "orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com";
    /** The master secret's name; Secrets Manager replicates it to the DR Region under the same name. */
    private static final String SECRET_NAME = "orders-primary/master";

    private OrdersApp() {
    }

    private static Stack stack(final App app, final String id, final String region, final String description) {
        return new Stack(app, id, StackProps.builder()
                .env(Environment.builder().account(ACCOUNT).region(region).build())
                .description(description)
                .build());
    }

    public static List<Stack> defineApp(final App app) {
        Stack drFoundation = stack(app, "OrdersDrFoundation", DR_REGION,
                "Orders database: DR backup vault (cdk-resilient-postgres example)");
        DrBackupVault vault = DrBackupVault.Builder.create(drFoundation, "BackupVault")
                .backupVaultName("orders-dr")
                .lockConfiguration(LockConfiguration.builder()
                        .minRetention(Duration.days(7))
                        .maxRetention(Duration.days(365))
                        .changeableFor(Duration.days(3))
                        .build())
                .build();
        CfnOutput.Builder.create(drFoundation, "BackupKeyArn").value(vault.getEncryptionKey().getKeyArn()).build();

        Stack primary = stack(app, "OrdersPrimary", PRIMARY_REGION,
                "Orders database: Multi-AZ RDS for PostgreSQL (cdk-resilient-postgres example)");
        IsolatedVpc network = new IsolatedVpc(primary, "Network");
        MultiAzPostgres orders = MultiAzPostgres.Builder.create(primary, "Orders")
                .vpc(network.getVpc())
                .secretsManagerEndpoint(network.getSecretsManagerEndpoint())
                .instanceIdentifier("orders-primary")
                .databaseName("orders")
                .secretName(SECRET_NAME)
                .secretReplicaRegions(List.of(ReplicaRegion.builder().region(DR_REGION).build()))
                .build();
        BackupReplication.Builder.create(primary, "OrdersBackups")
                .sourceInstance(orders.getInstance())
                .destinationRegion(DR_REGION)
                .destinationKeyArn(DR_BACKUP_KEY_ARN)
                .awsBackup(AwsBackupCopyOptions.builder().destination(vault.getCopyDestination()).build())
                .build();
        DbAlarmSet ordersAlarms = DbAlarmSet.Builder.create(primary, "OrdersAlarms").instance(orders.getInstance()).build();
        WritableProbe ordersProbe = WritableProbe.Builder.create(primary, "OrdersProbe")
                .instance(orders.getInstance())
                .credentials(orders.getSecret())
                .vpc(network.getVpc())
                .awsApiEndpoints(List.of(network.getSecretsManagerEndpoint(), network.getMonitoringEndpoint()))
                .topic(ordersAlarms.getTopic())
                .build();
        CfnOutput.Builder.create(primary, "VpcId").value(network.getVpc().getVpcId()).build();
        CfnOutput.Builder.create(primary, "EndpointAddress").value(orders.getEndpoint().getHostname()).build();
        primary.addStackDependency(drFoundation);

        Stack dr = stack(app, "OrdersDr", DR_REGION,
                "Orders database: cross-Region read replica (cdk-resilient-postgres example)");
        IsolatedVpc drNetwork = new IsolatedVpc(dr, "Network");
        CrossRegionReadReplica replica = CrossRegionReadReplica.Builder.create(dr, "OrdersReplica")
                .sourceInstance(orders.getInstance())
                .vpc(drNetwork.getVpc())
                .instanceIdentifier("orders-dr")
                .build();
        DbAlarmSet replicaAlarms = DbAlarmSet.Builder.create(dr, "ReplicaAlarms")
                .instance(replica.getInstance())
                .allocatedStorage(Size.gibibytes(100))
                .build();
        WritableProbe replicaProbe = WritableProbe.Builder.create(dr, "ReplicaProbe")
                .instance(replica.getInstance())
                .credentials(Secret.fromSecretNameV2(dr, "ReplicatedSecret", SECRET_NAME))
                .vpc(drNetwork.getVpc())
                .awsApiEndpoints(List.of(drNetwork.getSecretsManagerEndpoint(), drNetwork.getMonitoringEndpoint()))
                .topic(replicaAlarms.getTopic())
                .build();
        Route53DbFailover failover = Route53DbFailover.Builder.create(dr, "Failover")
                .zoneName("orders.internal")
                .vpcs(List.of(drNetwork.getVpc(), Vpc.fromVpcAttributes(dr, "PrimaryVpc", VpcAttributes.builder()
                        .vpcId(PRIMARY_VPC_ID)
                        .region(PRIMARY_REGION)
                        .availabilityZones(List.of("us-east-1a", "us-east-1b"))
                        .build())))
                .primary(FailoverTarget.builder()
                        .endpointAddress(PRIMARY_ENDPOINT)
                        .notWritableAlarm(ordersProbe.getNotWritableAlarm())
                        .unreachableAlarm(ordersProbe.getUnreachableAlarm())
                        .build())
                .secondary(FailoverTarget.builder()
                        .endpointAddress(replica.getEndpoint().getHostname())
                        .notWritableAlarm(replicaProbe.getNotWritableAlarm())
                        .unreachableAlarm(replicaProbe.getUnreachableAlarm())
                        .writableAlarm(replicaProbe.getWritableAlarm())
                        .build())
                .readerRecordName("reader")
                .build();
        FailoverRunbook runbook = FailoverRunbook.Builder.create(dr, "Runbook")
                .replica(replica)
                .topic(replicaAlarms.getTopic())
                .topicKey(replicaAlarms.getTopicKey())
                .failover(failover)
                .automaticPromotion(true)
                .build();
        CfnOutput.Builder.create(dr, "RunbookArn").value(runbook.getStateMachine().getStateMachineArn()).build();
        CfnOutput.Builder.create(dr, "PromotionRoleArn").value(runbook.getPromotionRole().getRole().getRoleArn()).build();
        CfnOutput.Builder.create(dr, "RtoBudgetSeconds")
                .value(String.valueOf(runbook.getRtoBudget().getTotalSeconds().intValue()))
                .description(runbook.getRtoBudget().getFormula())
                .build();
        CfnOutput.Builder.create(dr, "WriterName").value(failover.getWriterDnsName()).build();
        CfnOutput.Builder.create(dr, "ReaderName").value(failover.getReaderDnsName()).build();
        CfnOutput.Builder.create(dr, "DetectionBudgetSeconds")
                .value(String.valueOf(failover.getDetectionBudget().getTotalSeconds().intValue()))
                .description(failover.getDetectionBudget().getFormula())
                .build();
        dr.addStackDependency(primary);

        return List.of(drFoundation, primary, dr);
    }

    public static void main(final String[] args) {
        App app = new App();
        defineApp(app);
        app.synth();
    }
}
