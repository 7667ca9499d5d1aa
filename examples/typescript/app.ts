import { App, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import {
  BackupReplication, CrossRegionReadReplica, DrBackupVault, IsolatedVpc, MultiAzPostgres,
} from 'cdk-resilient-postgres';

const ACCOUNT = '111111111111';
const PRIMARY_REGION = 'us-east-1';
const DR_REGION = 'us-west-2';

/**
 * The ARN of the DR foundation stack's vault key (output `BackupKeyArn` after its first deploy). RDS needs a key ARN
 * in the DR Region for the replicated automated backups, and a key made in another Region's stack can only be named
 * by a literal. This placeholder has the dummy account of the example.
 */
const DR_BACKUP_KEY_ARN = `arn:aws:kms:${DR_REGION}:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`;

/**
 * The example app, deployed in this order:
 * 1. OrdersDrFoundation (us-west-2): the backup vault with its key, vault lock and restore testing;
 * 2. OrdersPrimary (us-east-1): the Multi-AZ primary, its backups replicated to us-west-2 and copied to the vault;
 * 3. OrdersDr (us-west-2): the cross-Region read replica.
 * examples/python/app.py and examples/java build the same app; CI checks that the templates are identical.
 */
export function defineApp(app: App): Stack[] {
  const drFoundation = new Stack(app, 'OrdersDrFoundation', {
    env: { account: ACCOUNT, region: DR_REGION },
    description: 'Orders database: DR backup vault (cdk-resilient-postgres example)',
  });
  const vault = new DrBackupVault(drFoundation, 'BackupVault', {
    backupVaultName: 'orders-dr',
    lockConfiguration: { minRetention: Duration.days(7), maxRetention: Duration.days(365), changeableFor: Duration.days(3) },
  });
  new CfnOutput(drFoundation, 'BackupKeyArn', { value: vault.encryptionKey.keyArn });

  const primary = new Stack(app, 'OrdersPrimary', {
    env: { account: ACCOUNT, region: PRIMARY_REGION },
    description: 'Orders database: Multi-AZ RDS for PostgreSQL (cdk-resilient-postgres example)',
  });
  const network = new IsolatedVpc(primary, 'Network');
  const orders = new MultiAzPostgres(primary, 'Orders', {
    vpc: network.vpc,
    secretsManagerEndpoint: network.secretsManagerEndpoint,
    instanceIdentifier: 'orders-primary',
    databaseName: 'orders',
  });
  new BackupReplication(primary, 'OrdersBackups', {
    sourceInstance: orders.instance,
    destinationRegion: DR_REGION,
    destinationKeyArn: DR_BACKUP_KEY_ARN,
    awsBackup: { destination: vault.copyDestination },
  });
  primary.addStackDependency(drFoundation);

  const dr = new Stack(app, 'OrdersDr', {
    env: { account: ACCOUNT, region: DR_REGION },
    description: 'Orders database: cross-Region read replica (cdk-resilient-postgres example)',
  });
  const drNetwork = new IsolatedVpc(dr, 'Network');
  new CrossRegionReadReplica(dr, 'OrdersReplica', {
    sourceInstance: orders.instance,
    vpc: drNetwork.vpc,
    instanceIdentifier: 'orders-dr',
  });
  dr.addStackDependency(primary);

  return [drFoundation, primary, dr];
}

if (require.main === module) {
  const app = new App();
  defineApp(app);
  app.synth();
}
