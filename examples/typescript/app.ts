import { App, CfnOutput, Duration, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  BackupReplication, CrossRegionReadReplica, DbAlarmSet, DrBackupVault, FailoverRunbook, IsolatedVpc, MultiAzPostgres,
  Route53DbFailover, WritableProbe,
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
 * The primary stack's outputs `VpcId` and `EndpointAddress` after its first deploy. The DR stack's private hosted zone
 * is associated with the primary VPC and its writer record points at the primary endpoint, and another Region's stack
 * can only be named by literals. These placeholders have the example's made-up IDs.
 */
const PRIMARY_VPC_ID = 'vpc-0a1b2c3d4e5f60718';
const PRIMARY_ENDPOINT = 'orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com';
/** The master secret's name; Secrets Manager replicates it to the DR Region under the same name. */
const SECRET_NAME = 'orders-primary/master';

/**
 * The example app, deployed in this order:
 * 1. OrdersDrFoundation (us-west-2): the backup vault with its key, vault lock and restore testing;
 * 2. OrdersPrimary (us-east-1): the Multi-AZ primary, its backups replicated to us-west-2 and copied to the vault,
 *    its alarms and its writable probe;
 * 3. OrdersDr (us-west-2): the cross-Region read replica, its alarms and probe, the failover names
 *    writer.orders.internal and reader.orders.internal (the old primary fenced once the replica is writable), and the
 *    failover runbook, started by the replication-stalled alarm and waiting for an approval before it promotes.
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
    secretName: SECRET_NAME,
    secretReplicaRegions: [{ region: DR_REGION }],
  });
  new BackupReplication(primary, 'OrdersBackups', {
    sourceInstance: orders.instance,
    destinationRegion: DR_REGION,
    destinationKeyArn: DR_BACKUP_KEY_ARN,
    awsBackup: { destination: vault.copyDestination },
  });
  const ordersAlarms = new DbAlarmSet(primary, 'OrdersAlarms', { instance: orders.instance });
  const ordersProbe = new WritableProbe(primary, 'OrdersProbe', {
    instance: orders.instance,
    credentials: orders.secret,
    vpc: network.vpc,
    awsApiEndpoints: [network.secretsManagerEndpoint, network.monitoringEndpoint],
    topic: ordersAlarms.topic,
  });
  new CfnOutput(primary, 'VpcId', { value: network.vpc.vpcId });
  new CfnOutput(primary, 'EndpointAddress', { value: orders.endpoint.hostname });
  primary.addStackDependency(drFoundation);

  const dr = new Stack(app, 'OrdersDr', {
    env: { account: ACCOUNT, region: DR_REGION },
    description: 'Orders database: cross-Region read replica (cdk-resilient-postgres example)',
  });
  const drNetwork = new IsolatedVpc(dr, 'Network');
  const replica = new CrossRegionReadReplica(dr, 'OrdersReplica', {
    sourceInstance: orders.instance,
    vpc: drNetwork.vpc,
    instanceIdentifier: 'orders-dr',
  });
  const replicaAlarms = new DbAlarmSet(dr, 'ReplicaAlarms', {
    instance: replica.instance,
    allocatedStorage: Size.gibibytes(100),
  });
  const replicaProbe = new WritableProbe(dr, 'ReplicaProbe', {
    instance: replica.instance,
    credentials: secretsmanager.Secret.fromSecretNameV2(dr, 'ReplicatedSecret', SECRET_NAME),
    vpc: drNetwork.vpc,
    awsApiEndpoints: [drNetwork.secretsManagerEndpoint, drNetwork.monitoringEndpoint],
    topic: replicaAlarms.topic,
  });
  const failover = new Route53DbFailover(dr, 'Failover', {
    zoneName: 'orders.internal',
    vpcs: [drNetwork.vpc, ec2.Vpc.fromVpcAttributes(dr, 'PrimaryVpc', {
      vpcId: PRIMARY_VPC_ID, region: PRIMARY_REGION, availabilityZones: ['us-east-1a', 'us-east-1b'],
    })],
    primary: {
      endpointAddress: PRIMARY_ENDPOINT,
      notWritableAlarm: ordersProbe.notWritableAlarm,
      unreachableAlarm: ordersProbe.unreachableAlarm,
    },
    secondary: {
      endpointAddress: replica.endpoint.hostname,
      notWritableAlarm: replicaProbe.notWritableAlarm,
      unreachableAlarm: replicaProbe.unreachableAlarm,
      writableAlarm: replicaProbe.writableAlarm,
    },
    readerRecordName: 'reader',
  });
  const runbook = new FailoverRunbook(dr, 'Runbook', {
    replica,
    topic: replicaAlarms.topic,
    topicKey: replicaAlarms.topicKey,
    failover,
    automaticPromotion: true,
  });
  new CfnOutput(dr, 'RunbookArn', { value: runbook.stateMachine.stateMachineArn });
  new CfnOutput(dr, 'PromotionRoleArn', { value: runbook.promotionRole.role.roleArn });
  new CfnOutput(dr, 'RtoBudgetSeconds', { value: String(runbook.rtoBudget.totalSeconds), description: runbook.rtoBudget.formula });
  new CfnOutput(dr, 'WriterName', { value: failover.writerDnsName });
  new CfnOutput(dr, 'ReaderName', { value: failover.readerDnsName! });
  new CfnOutput(dr, 'DetectionBudgetSeconds', {
    value: String(failover.detectionBudget.totalSeconds),
    description: failover.detectionBudget.formula,
  });
  dr.addStackDependency(primary);

  return [drFoundation, primary, dr];
}

if (require.main === module) {
  const app = new App();
  defineApp(app);
  app.synth();
}
