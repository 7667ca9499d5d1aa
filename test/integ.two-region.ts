/**
 * Integration case: a Multi-AZ primary in us-east-1 with native backup replication and an AWS Backup cross-Region copy,
 * and in us-west-2 a cross-Region read replica plus the DR backup vault with a lock and restore testing.
 *
 * integ-runner compares the synthesized templates with the committed snapshot (integ.two-region.ts.snapshot);
 * `npx projen integ:update` rewrites the snapshot after an intended change. Nothing is deployed from CI.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { BackupReplication, CrossRegionReadReplica, DrBackupVault, IsolatedVpc, MultiAzPostgres } from '../src';

const account = '111111111111';
const app = new App({ context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } });

const drFoundation = new Stack(app, 'integ-two-region-dr-foundation', { env: { account, region: 'us-west-2' } });
const vault = new DrBackupVault(drFoundation, 'Vault', {
  backupVaultName: 'integ-orders-dr',
  lockConfiguration: { minRetention: Duration.days(7), maxRetention: Duration.days(90), changeableFor: Duration.days(3) },
});

const primaryStack = new Stack(app, 'integ-two-region-primary', { env: { account, region: 'us-east-1' } });
const primaryNet = new IsolatedVpc(primaryStack, 'Network');
const primary = new MultiAzPostgres(primaryStack, 'Orders', {
  vpc: primaryNet.vpc,
  secretsManagerEndpoint: primaryNet.secretsManagerEndpoint,
  instanceIdentifier: 'integ-orders-primary',
});
new BackupReplication(primaryStack, 'Backups', {
  sourceInstance: primary.instance,
  destinationRegion: 'us-west-2',
  // A key made in the DR foundation stack, deployed first; its ARN is a literal here.
  destinationKeyArn: `arn:aws:kms:us-west-2:${account}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`,
  awsBackup: { destination: vault.copyDestination },
});
primaryStack.addStackDependency(drFoundation);

const drStack = new Stack(app, 'integ-two-region-dr', { env: { account, region: 'us-west-2' } });
const drNet = new IsolatedVpc(drStack, 'Network');
new CrossRegionReadReplica(drStack, 'OrdersReplica', {
  sourceInstance: primary.instance,
  vpc: drNet.vpc,
  instanceIdentifier: 'integ-orders-dr',
});
drStack.addStackDependency(primaryStack);

app.synth();
