/**
 * Integration case: a Multi-AZ primary in us-east-1 with native backup replication and an AWS Backup cross-Region copy,
 * and in us-west-2 a cross-Region read replica plus the DR backup vault with a lock and restore testing. Each database
 * has a DbAlarmSet and a WritableProbe, and the DR stack holds the Route53DbFailover writer and reader names (with the
 * fence) and the FailoverRunbook that promotes the replica, started by its replication-stalled alarm after an approval.
 *
 * integ-runner compares the synthesized templates with the committed snapshot (integ.two-region.ts.snapshot);
 * `npx projen integ:update` rewrites the snapshot after an intended change. Nothing is deployed from CI.
 */
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  BackupReplication, CrossRegionReadReplica, DbAlarmSet, DrBackupVault, DrSecretKey, FailoverRunbook, IsolatedVpc, MultiAzPostgres, Route53DbFailover,
  WritableProbe,
} from '../src';

const account = '111111111111';
const app = new App({ context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } });

const drFoundation = new Stack(app, 'integ-two-region-dr-foundation', { env: { account, region: 'us-west-2' } });
const vault = new DrBackupVault(drFoundation, 'Vault', {
  backupVaultName: 'integ-orders-dr',
  lockConfiguration: { minRetention: Duration.days(7), maxRetention: Duration.days(90), changeableFor: Duration.days(3) },
});
// The key of the master secret's replica in us-west-2; the primary names it by its literal ARN.
new DrSecretKey(drFoundation, 'SecretKey');
const drSecretKeyArn = `arn:aws:kms:us-west-2:${account}:key/7c1e4b2a-9d3f-4e6a-8b5c-2f0a1d9e8c74`;

const primaryStack = new Stack(app, 'integ-two-region-primary', { env: { account, region: 'us-east-1' } });
const primaryNet = new IsolatedVpc(primaryStack, 'Network');
const primary = new MultiAzPostgres(primaryStack, 'Orders', {
  vpc: primaryNet.vpc,
  secretsManagerEndpoint: primaryNet.secretsManagerEndpoint,
  instanceIdentifier: 'integ-orders-primary',
  secretName: 'integ-orders-primary/master',
  secretReplicaRegions: [{ region: 'us-west-2', encryptionKey: kms.Key.fromKeyArn(primaryStack, 'DrSecretKey', drSecretKeyArn) }],
});
const primaryAlarms = new DbAlarmSet(primaryStack, 'OrdersAlarms', { instance: primary });
const primaryProbe = new WritableProbe(primaryStack, 'OrdersProbe', {
  instance: primary,
  credentials: primary.secret,
  vpc: primaryNet.vpc,
  awsApiEndpoints: [primaryNet.secretsManagerEndpoint, primaryNet.monitoringEndpoint],
  topic: primaryAlarms.topic,
});
new BackupReplication(primaryStack, 'Backups', {
  sourceInstance: primary,
  destinationRegion: 'us-west-2',
  // A key made in the DR foundation stack, deployed first; its ARN is a literal here.
  destinationKeyArn: `arn:aws:kms:us-west-2:${account}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`,
  awsBackup: { destination: vault.copyDestination },
});
primaryStack.addStackDependency(drFoundation);

const drStack = new Stack(app, 'integ-two-region-dr', { env: { account, region: 'us-west-2' } });
const drNet = new IsolatedVpc(drStack, 'Network');
const replica = new CrossRegionReadReplica(drStack, 'OrdersReplica', {
  sourceInstance: primary,
  vpc: drNet.vpc,
  instanceIdentifier: 'integ-orders-dr',
});
const drAlarms = new DbAlarmSet(drStack, 'ReplicaAlarms', { instance: replica, allocatedStorage: Size.gibibytes(100) });
const drProbe = new WritableProbe(drStack, 'ReplicaProbe', {
  instance: replica,
  credentials: secretsmanager.Secret.fromSecretAttributes(drStack, 'ReplicatedSecret', {
    secretPartialArn: `arn:aws:secretsmanager:us-west-2:${account}:secret:integ-orders-primary/master`,
    encryptionKey: kms.Key.fromKeyArn(drStack, 'SecretKey', drSecretKeyArn),
  }),
  vpc: drNet.vpc,
  awsApiEndpoints: [drNet.secretsManagerEndpoint, drNet.monitoringEndpoint],
  topic: drAlarms.topic,
});
const failover = new Route53DbFailover(drStack, 'Failover', {
  zoneName: 'integ-orders.internal',
  // The primary's VPC ID and endpoint address are outputs of the primary stack, written here as literals.
  vpcs: [drNet.vpc, ec2.Vpc.fromVpcAttributes(drStack, 'PrimaryVpc', {
    vpcId: 'vpc-0a1b2c3d4e5f60718', region: 'us-east-1', availabilityZones: ['us-east-1a', 'us-east-1b'],
  })],
  primary: {
    endpointAddress: 'integ-orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com',
    notWritableAlarm: primaryProbe.notWritableAlarm,
    unreachableAlarm: primaryProbe.unreachableAlarm,
  },
  secondary: {
    endpointAddress: replica.endpoint.hostname,
    notWritableAlarm: drProbe.notWritableAlarm,
    unreachableAlarm: drProbe.unreachableAlarm,
    writableAlarm: drProbe.writableAlarm,
  },
  readerRecordName: 'reader',
});
new FailoverRunbook(drStack, 'Runbook', {
  replica,
  topic: drAlarms.topic,
  topicKey: drAlarms.topicKey,
  failover,
  automaticPromotion: true,
});
drStack.addStackDependency(primaryStack);

app.synth();
