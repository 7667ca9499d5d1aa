import { App, Stack } from 'aws-cdk-lib';
import { IsolatedVpc, MultiAzPostgres } from 'cdk-resilient-postgres';

/**
 * The example app: a Multi-AZ PostgreSQL primary in us-east-1 with every default of the library.
 * examples/python/app.py and examples/java build the same app; CI checks that the three templates are identical.
 */
export function defineApp(app: App): Stack[] {
  const primary = new Stack(app, 'OrdersPrimary', {
    env: { account: '111111111111', region: 'us-east-1' },
    description: 'Orders database: Multi-AZ RDS for PostgreSQL (cdk-resilient-postgres example)',
  });
  const network = new IsolatedVpc(primary, 'Network');
  new MultiAzPostgres(primary, 'Orders', {
    vpc: network.vpc,
    secretsManagerEndpoint: network.secretsManagerEndpoint,
    instanceIdentifier: 'orders-primary',
    databaseName: 'orders',
  });
  return [primary];
}

if (require.main === module) {
  const app = new App();
  defineApp(app);
  app.synth();
}
