package io.github.cdkresilientpostgres.examples;

import io.github.cdkresilientpostgres.AwsBackupCopyOptions;
import io.github.cdkresilientpostgres.DrBackupVault;
import io.github.cdkresilientpostgres.DrSecretKey;
import io.github.cdkresilientpostgres.MultiRegionPostgres;
import io.github.cdkresilientpostgres.RecoveryObjective;
import io.github.cdkresilientpostgres.ResilienceTargets;
import java.util.List;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.backup.LockConfiguration;

/** The reference app in Java: the same stacks as examples/typescript/app.ts. */
public final class OrdersApp {
    private static final String ACCOUNT = "111111111111";
    private static final String PRIMARY_REGION = "us-east-1";
    private static final String DR_REGION = "us-west-2";
    /**
     * Values another Region's stack can only name by a literal, read from earlier deploys' outputs: the DR foundation
     * stack's BackupKeyArn and SecretKeyArn (deployed first), then the primary stack's OrdersPrimaryVpcId... and
     * OrdersPrimaryEndpointAddress... (deployed second). These placeholders have the example's made-up IDs.
     */
    private static final String DR_BACKUP_KEY_ARN =
            "arn:aws:kms:" + DR_REGION + ":" + ACCOUNT + ":key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10";
    private static final String DR_SECRET_KEY_ARN =
            "arn:aws:kms:" + DR_REGION + ":" + ACCOUNT + ":key/8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64";
    private static final String PRIMARY_VPC_ID = "vpc-0a1b2c3d4e5f60718";
    private static final String PRIMARY_ENDPOINT = "orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com";

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
                "Orders database: DR backup vault and secret key (cdk-resilient-postgres reference app)");
        DrBackupVault vault = DrBackupVault.Builder.create(drFoundation, "BackupVault")
                .backupVaultName("orders-dr")
                .lockConfiguration(LockConfiguration.builder()
                        .minRetention(Duration.days(7))
                        .maxRetention(Duration.days(365))
                        .changeableFor(Duration.days(3))
                        .build())
                .build();
        CfnOutput.Builder.create(drFoundation, "BackupKeyArn").value(vault.getEncryptionKey().getKeyArn()).build();
        DrSecretKey secretKey = new DrSecretKey(drFoundation, "SecretKey");
        CfnOutput.Builder.create(drFoundation, "SecretKeyArn").value(secretKey.getKeyArn()).build();

        Stack primary = stack(app, "OrdersPrimary", PRIMARY_REGION,
                "Orders database: Multi-AZ primary (cdk-resilient-postgres reference app)");
        Stack dr = stack(app, "OrdersDr", DR_REGION,
                "Orders database: cross-Region replica, failover and runbook (cdk-resilient-postgres reference app)");
        primary.addStackDependency(drFoundation, "the replicated backups and the secret replica are encrypted with its keys");

        MultiRegionPostgres orders = MultiRegionPostgres.Builder.create(primary, "Orders")
                .drScope(dr)
                .name("orders")
                .zoneName("orders.internal")
                .drBackupKeyArn(DR_BACKUP_KEY_ARN)
                .drSecretKeyArn(DR_SECRET_KEY_ARN)
                .primaryEndpointAddress(PRIMARY_ENDPOINT)
                .primaryVpcId(PRIMARY_VPC_ID)
                .awsBackup(AwsBackupCopyOptions.builder().destination(vault.getCopyDestination()).build())
                .approvalTimeout(Duration.minutes(15))
                .subscriberEmails(List.of("oncall@example.com"))
                // The AZ drill (an AWS FIS experiment) and the Region drill (a temporary copy of the replica, promoted
                // and deleted): nothing runs until someone starts them.
                .azDrill(true)
                .regionDrill(true)
                .objectives(ResilienceTargets.builder()
                        .azFailure(RecoveryObjective.builder().rto(Duration.minutes(5)).rpo(Duration.seconds(0)).build())
                        .regionFailure(RecoveryObjective.builder().rto(Duration.minutes(45)).rpo(Duration.minutes(2)).build())
                        .backupRestoreRpo(Duration.minutes(15))
                        .build())
                .build();

        CfnOutput.Builder.create(dr, "RunbookArn").value(orders.getRunbook().getStateMachine().getStateMachineArn()).build();
        CfnOutput.Builder.create(dr, "WriterName").value(orders.getFailover().getWriterDnsName()).build();
        CfnOutput.Builder.create(dr, "ReaderName").value(orders.getFailover().getReaderDnsName()).build();
        return List.of(drFoundation, primary, dr);
    }

    public static void main(final String[] args) {
        App app = new App();
        defineApp(app);
        app.synth();
    }
}
