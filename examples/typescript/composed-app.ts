import { App, ArnFormat, CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import {
  BackupReplication, CrossRegionReadReplica, DbAlarmSet, DrBackupVault, DrSecretKey, FailoverRunbook, IsolatedVpc,
  MultiAzPostgres, ResilienceObjectives, Route53DbFailover, WritableProbe,
} from 'cdk-resilient-postgres';

const ACCOUNT = '111111111111';
const PRIMARY_REGION = 'us-east-1';
const DR_REGION = 'us-west-2';

/**
 * Values another Region's stack can only name by a literal, read from earlier deploys' outputs (the same placeholders
 * as app.ts): the DR foundation stack's `BackupKeyArn` and `SecretKeyArn` (deployed first), then the primary stack's
 * `PrimaryVpcId` and `PrimaryEndpointAddress` (deployed second).
 */
const DR_BACKUP_KEY_ARN = `arn:aws:kms:${DR_REGION}:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`;
const DR_SECRET_KEY_ARN = `arn:aws:kms:${DR_REGION}:${ACCOUNT}:key/8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64`;
const PRIMARY_VPC_ID = 'vpc-0a1b2c3d4e5f60718';
const PRIMARY_ENDPOINT = 'orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com';

/**
 * The reference architecture of app.ts composed from the parts instead of `MultiRegionPostgres`, in the same three
 * stacks and deploy order: OrdersDrFoundation (us-west-2), OrdersPrimary (us-east-1), OrdersDr (us-west-2).
 * examples/python/composed_app.py builds the same app; CI checks that the templates are identical.
 */
export function defineComposedApp(app: App): Stack[] {
  // 1. DR foundation: the keys the primary stack names by their ARNs.
  const drFoundation = new Stack(app, 'OrdersDrFoundation', {
    env: { account: ACCOUNT, region: DR_REGION },
    description: 'Orders database: DR backup vault and secret key (cdk-resilient-postgres composed app)',
  });
  const vault = new DrBackupVault(drFoundation, 'BackupVault', {
    backupVaultName: 'orders-dr',
    lockConfiguration: { minRetention: Duration.days(7), maxRetention: Duration.days(365), changeableFor: Duration.days(3) },
  });
  new CfnOutput(drFoundation, 'BackupKeyArn', { value: vault.encryptionKey.keyArn });
  const secretKey = new DrSecretKey(drFoundation, 'SecretKey');
  new CfnOutput(drFoundation, 'SecretKeyArn', { value: secretKey.keyArn });

  // 2. Primary Region: the Multi-AZ primary, its replicated backups, alarms and writable probe.
  const primaryStack = new Stack(app, 'OrdersPrimary', {
    env: { account: ACCOUNT, region: PRIMARY_REGION },
    description: 'Orders database: Multi-AZ primary (cdk-resilient-postgres composed app)',
  });
  primaryStack.addStackDependency(drFoundation, 'the replicated backups and the secret replica are encrypted with its keys');
  const primaryNet = new IsolatedVpc(primaryStack, 'Network');
  const primary = new MultiAzPostgres(primaryStack, 'Orders', {
    vpc: primaryNet.vpc,
    secretsManagerEndpoint: primaryNet.secretsManagerEndpoint,
    instanceIdentifier: 'orders-primary',
    databaseName: 'orders',
    secretName: 'orders-primary/master',
    secretReplicaRegions: [{ region: DR_REGION, encryptionKey: kms.Key.fromKeyArn(primaryStack, 'DrSecretKey', DR_SECRET_KEY_ARN) }],
  });
  const backups = new BackupReplication(primaryStack, 'Backups', {
    sourceInstance: primary,
    destinationRegion: DR_REGION,
    destinationKeyArn: DR_BACKUP_KEY_ARN,
    awsBackup: { destination: vault.copyDestination },
  });
  const primaryAlarms = new DbAlarmSet(primaryStack, 'OrdersAlarms', { instance: primary });
  const primaryProbe = new WritableProbe(primaryStack, 'OrdersProbe', {
    instance: primary,
    credentials: primary.secret,
    vpc: primaryNet.vpc,
    awsApiEndpoints: [primaryNet.secretsManagerEndpoint, primaryNet.monitoringEndpoint],
    topic: primaryAlarms.topic,
  });
  new CfnOutput(primaryStack, 'PrimaryVpcId', { value: primaryNet.vpc.vpcId });
  new CfnOutput(primaryStack, 'PrimaryEndpointAddress', { value: primary.endpoint.hostname });

  // 3. DR Region: the replica, its alarms and probe, the failover names, the runbook and the recovery objectives.
  const drStack = new Stack(app, 'OrdersDr', {
    env: { account: ACCOUNT, region: DR_REGION },
    description: 'Orders database: cross-Region replica, failover and runbook (cdk-resilient-postgres composed app)',
  });
  drStack.addStackDependency(primaryStack, 'orders-dr replicates orders-primary');
  const drNet = new IsolatedVpc(drStack, 'Network', { ipAddresses: ec2.IpAddresses.cidr('10.1.0.0/16') });
  const replica = new CrossRegionReadReplica(drStack, 'Replica', {
    sourceInstance: primary,
    vpc: drNet.vpc,
    instanceIdentifier: 'orders-dr',
  });
  const replicaAlarms = new DbAlarmSet(drStack, 'ReplicaAlarms', { instance: replica });
  // The master secret's replica in the DR Region: same name as the primary's, encrypted with the DR secret key.
  const drSecret = secretsmanager.Secret.fromSecretAttributes(drStack, 'ReplicatedSecret', {
    secretPartialArn: drStack.formatArn({
      service: 'secretsmanager', resource: 'secret', resourceName: 'orders-primary/master', arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
    encryptionKey: kms.Key.fromKeyArn(drStack, 'SecretKey', DR_SECRET_KEY_ARN),
  });
  const replicaProbe = new WritableProbe(drStack, 'ReplicaProbe', {
    instance: replica,
    credentials: drSecret,
    vpc: drNet.vpc,
    awsApiEndpoints: [drNet.secretsManagerEndpoint, drNet.monitoringEndpoint],
    topic: replicaAlarms.topic,
  });
  const failover = new Route53DbFailover(drStack, 'Failover', {
    zoneName: 'orders.internal',
    vpcs: [drNet.vpc, ec2.Vpc.fromVpcAttributes(drStack, 'PrimaryVpc', {
      vpcId: PRIMARY_VPC_ID, region: PRIMARY_REGION, availabilityZones: primaryNet.vpc.availabilityZones,
    })],
    primary: {
      endpointAddress: PRIMARY_ENDPOINT,
      notWritableAlarm: primaryProbe.notWritableAlarm,
      unreachableAlarm: primaryProbe.unreachableAlarm,
    },
    secondary: {
      endpointAddress: replica.endpoint.hostname,
      notWritableAlarm: replicaProbe.notWritableAlarm,
      unreachableAlarm: replicaProbe.unreachableAlarm,
      writableAlarm: replicaProbe.writableAlarm,
    },
    readerRecordName: 'reader',
  });
  const runbook = new FailoverRunbook(drStack, 'Runbook', {
    replica,
    topic: replicaAlarms.topic,
    topicKey: replicaAlarms.topicKey,
    failover,
    automaticPromotion: true,
    approval: true,
    approvalTimeout: Duration.minutes(15),
    backupRetention: primary.backupRetention,
  });
  new ResilienceObjectives(drStack, 'Objectives', {
    primary,
    runbook,
    backupReplication: backups,
    azFailure: { rto: Duration.minutes(5), rpo: Duration.seconds(0) },
    regionFailure: { rto: Duration.minutes(45), rpo: Duration.minutes(2) },
    backupRestoreRpo: Duration.minutes(15),
  });

  // cdk-nag findings the library acknowledges itself (docs/compliance.md gives the reasons), repeated here the way an app
  // acknowledges a finding with a detail on its own resources (see acknowledgeFinding).
  const managedPolicy = (name: string) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}]`;
  acknowledgeFinding(primary, managedPolicy('AmazonRDSEnhancedMonitoringRole'),
    'The AWS-managed policy RDS documents for enhanced monitoring; it only writes to the RDSOSMetrics log group.');
  acknowledgeFinding(replica, managedPolicy('AmazonRDSEnhancedMonitoringRole'),
    'The AWS-managed policy RDS documents for enhanced monitoring; it only writes to the RDSOSMetrics log group.');
  acknowledgeFinding(backups, managedPolicy('AWSBackupServiceRolePolicyForBackup'),
    'The AWS-managed policy AWS Backup documents for backup jobs; the selection names one DB instance.');
  acknowledgeFinding(vault, managedPolicy('AWSBackupServiceRolePolicyForRestores'),
    'The AWS-managed policy AWS Backup documents for restore jobs; restore testing restores only this vault.');
  // aws-cdk-lib's own rule W3010, which recent releases (2.275.0 among them) acknowledge themselves: the subnets name
  // the Availability Zones of the context, which is how `cdk.json` pins them.
  Validations.of(primaryStack).acknowledge({
    id: 'CloudFormation-Validate::W3010',
    reason: 'The Availability Zones come from the context (cdk.json), which pins them for this account and Region.',
  });
  for (const part of [primaryProbe, replicaProbe, runbook]) {
    acknowledgeFinding(part, 'AwsSolutions-IAM5[Resource::*]',
      'cloudwatch:PutMetricData and cloudwatch:GetMetricData have no resource type; PutMetricData is limited to one namespace by condition.');
  }

  new CfnOutput(drStack, 'RunbookArn', { value: runbook.stateMachine.stateMachineArn });
  new CfnOutput(drStack, 'WriterName', { value: failover.writerDnsName });
  new CfnOutput(drStack, 'ReaderName', { value: failover.readerDnsName! });
  return [drFoundation, primaryStack, drStack];
}

/**
 * Acknowledges a cdk-nag finding on a part, as the library does: `<pack>::<finding>`, with the finding's ID as the
 * validation report prints it. aws-cdk-lib 2.263.0 (the library's floor) to 2.268.x refuse an ID with more than one '::'
 * in `Validations.acknowledge`; there the acknowledgement is recorded, as the library records its own, under the
 * finding's ID in the construct metadata that `Validations.acknowledge` writes and cdk-nag reads.
 */
function acknowledgeFinding(scope: IConstruct, id: string, reason: string): void {
  try {
    Validations.of(scope).acknowledge({ id: `${id.slice(0, id.indexOf('-'))}::${id}`, reason });
  } catch (e) {
    if (!/InvalidValidationId|delimiter is reserved/.test(String(e))) {
      throw e;
    }
    scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
  }
}

/**
 * The four cdk-nag packs as aws-cdk-lib validation plugins: synthesis fails ('Validation failed', details in
 * `<outdir>/validation-report.json`) on any finding no one acknowledged.
 */
export function addCompliancePacks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app), new HIPAASecurityChecks(app), new NIST80053R5Checks(app), new PCIDSS321Checks(app));
}

if (require.main === module) {
  const app = new App();
  defineComposedApp(app);
  addCompliancePacks(app);
  app.synth();
}
