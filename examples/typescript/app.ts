import { App, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { DrBackupVault, DrSecretKey, MultiRegionPostgres } from 'cdk-resilient-postgres';

const ACCOUNT = '111111111111';
const PRIMARY_REGION = 'us-east-1';
const DR_REGION = 'us-west-2';

/**
 * Values another Region's stack can only name by a literal, read from earlier deploys' outputs. These placeholders
 * have the example's dummy account and made-up IDs:
 * - the DR foundation stack's outputs `BackupKeyArn` and `SecretKeyArn` (deployed first);
 * - the primary stack's outputs `OrdersPrimaryVpcId…` and `OrdersPrimaryEndpointAddress…` (deployed second).
 * The commands of each step are in docs/deploying.md. The app stays in this literal mode so that it synthesizes offline
 * (CI compares its templates with the Python and Java apps'); docs/deploying.md ("Lookup mode") shows the same app
 * reading the four values from SSM parameters at synth instead (DeployParameters, MultiRegionPostgres deployParameters).
 */
const DR_BACKUP_KEY_ARN = `arn:aws:kms:${DR_REGION}:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`;
const DR_SECRET_KEY_ARN = `arn:aws:kms:${DR_REGION}:${ACCOUNT}:key/8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64`;
const PRIMARY_VPC_ID = 'vpc-0a1b2c3d4e5f60718';
const PRIMARY_ENDPOINT = 'orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com';

/**
 * The reference app, deployed in this order:
 * 1. OrdersDrFoundation (us-west-2): the backup vault with its key, vault lock and restore testing, and the key of the
 *    master secret's replica;
 * 2. OrdersPrimary (us-east-1): the Multi-AZ primary, its master secret replicated to us-west-2 under that key, its
 *    backups replicated to us-west-2 and copied to the vault, its alarms, its writable probe and the AZ drill;
 * 3. OrdersDr (us-west-2): the cross-Region read replica, its alarms and probe, the failover names
 *    writer.orders.internal and reader.orders.internal, the failover runbook (started by the replication-stalled
 *    alarm, waiting up to 15 minutes for an approval), the Region drill and the recovery objectives.
 * examples/python/app.py and examples/java build the same app; CI checks that the templates are identical.
 */
export function defineApp(app: App): Stack[] {
  const drFoundation = new Stack(app, 'OrdersDrFoundation', {
    env: { account: ACCOUNT, region: DR_REGION },
    description: 'Orders database: DR backup vault and secret key (cdk-resilient-postgres reference app)',
  });
  const vault = new DrBackupVault(drFoundation, 'BackupVault', {
    backupVaultName: 'orders-dr',
    lockConfiguration: { minRetention: Duration.days(7), maxRetention: Duration.days(365), changeableFor: Duration.days(3) },
  });
  new CfnOutput(drFoundation, 'BackupKeyArn', { value: vault.encryptionKey.keyArn });
  const secretKey = new DrSecretKey(drFoundation, 'SecretKey');
  new CfnOutput(drFoundation, 'SecretKeyArn', { value: secretKey.keyArn });

  const primary = new Stack(app, 'OrdersPrimary', {
    env: { account: ACCOUNT, region: PRIMARY_REGION },
    description: 'Orders database: Multi-AZ primary (cdk-resilient-postgres reference app)',
  });
  const dr = new Stack(app, 'OrdersDr', {
    env: { account: ACCOUNT, region: DR_REGION },
    description: 'Orders database: cross-Region replica, failover and runbook (cdk-resilient-postgres reference app)',
  });
  primary.addStackDependency(drFoundation, 'the replicated backups and the secret replica are encrypted with its keys');

  const orders = new MultiRegionPostgres(primary, 'Orders', {
    drScope: dr,
    name: 'orders',
    zoneName: 'orders.internal',
    drBackupKeyArn: DR_BACKUP_KEY_ARN,
    drSecretKeyArn: DR_SECRET_KEY_ARN,
    primaryEndpointAddress: PRIMARY_ENDPOINT,
    primaryVpcId: PRIMARY_VPC_ID,
    awsBackup: { destination: vault.copyDestination },
    approvalTimeout: Duration.minutes(15),
    subscriberEmails: ['oncall@example.com'],
    // The AZ drill (an AWS FIS experiment) and the Region drill (a temporary copy of the replica, promoted and deleted):
    // nothing runs until someone starts them.
    azDrill: true,
    regionDrill: true,
    objectives: {
      azFailure: { rto: Duration.minutes(5), rpo: Duration.seconds(0) },
      regionFailure: { rto: Duration.minutes(45), rpo: Duration.minutes(2) },
      backupRestoreRpo: Duration.minutes(15),
    },
  });

  new CfnOutput(dr, 'RunbookArn', { value: orders.runbook.stateMachine.stateMachineArn });
  new CfnOutput(dr, 'WriterName', { value: orders.failover.writerDnsName });
  new CfnOutput(dr, 'ReaderName', { value: orders.failover.readerDnsName! });
  return [drFoundation, primary, dr];
}

if (require.main === module) {
  const app = new App();
  defineApp(app);
  app.synth();
}
