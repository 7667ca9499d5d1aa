package io.github.cdkresilientpostgres.examples;

import io.github.cdkresilientpostgres.AwsBackupCopyOptions;
import io.github.cdkresilientpostgres.BackupReplication;
import io.github.cdkresilientpostgres.CrossRegionReadReplica;
import io.github.cdkresilientpostgres.DrBackupVault;
import io.github.cdkresilientpostgres.IsolatedVpc;
import io.github.cdkresilientpostgres.MultiAzPostgres;
import java.util.List;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.backup.LockConfiguration;

/** The example app in Java: the same stacks as examples/typescript/app.ts. */
public final class OrdersApp {
    private static final String ACCOUNT = "111111111111";
    private static final String PRIMARY_REGION = "us-east-1";
    private static final String DR_REGION = "us-west-2";
    /** The ARN of the DR foundation stack's vault key (output BackupKeyArn after its first deploy). */
    private static final String DR_BACKUP_KEY_ARN =
            "arn:aws:kms:" + DR_REGION + ":" + ACCOUNT + ":key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10";

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
                .build();
        BackupReplication.Builder.create(primary, "OrdersBackups")
                .sourceInstance(orders.getInstance())
                .destinationRegion(DR_REGION)
                .destinationKeyArn(DR_BACKUP_KEY_ARN)
                .awsBackup(AwsBackupCopyOptions.builder().destination(vault.getCopyDestination()).build())
                .build();
        primary.addStackDependency(drFoundation);

        Stack dr = stack(app, "OrdersDr", DR_REGION,
                "Orders database: cross-Region read replica (cdk-resilient-postgres example)");
        IsolatedVpc drNetwork = new IsolatedVpc(dr, "Network");
        CrossRegionReadReplica.Builder.create(dr, "OrdersReplica")
                .sourceInstance(orders.getInstance())
                .vpc(drNetwork.getVpc())
                .instanceIdentifier("orders-dr")
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
