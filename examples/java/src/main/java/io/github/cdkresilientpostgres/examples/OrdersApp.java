package io.github.cdkresilientpostgres.examples;

import io.github.cdkresilientpostgres.IsolatedVpc;
import io.github.cdkresilientpostgres.MultiAzPostgres;
import java.util.List;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;

/** The example app in Java: the same stacks as examples/typescript/app.ts. */
public final class OrdersApp {
    private OrdersApp() {
    }

    public static List<Stack> defineApp(final App app) {
        Stack primary = new Stack(app, "OrdersPrimary", StackProps.builder()
                .env(Environment.builder().account("111111111111").region("us-east-1").build())
                .description("Orders database: Multi-AZ RDS for PostgreSQL (cdk-resilient-postgres example)")
                .build());
        IsolatedVpc network = new IsolatedVpc(primary, "Network");
        MultiAzPostgres.Builder.create(primary, "Orders")
                .vpc(network.getVpc())
                .secretsManagerEndpoint(network.getSecretsManagerEndpoint())
                .instanceIdentifier("orders-primary")
                .databaseName("orders")
                .build();
        return List.of(primary);
    }

    public static void main(final String[] args) {
        App app = new App();
        defineApp(app);
        app.synth();
    }
}
