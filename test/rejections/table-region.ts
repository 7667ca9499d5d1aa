import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  BackupReplication, BackupReplicationProps, CrossRegionReadReplica, CrossRegionReadReplicaProps, DbAlarmSet, DrBackupVault,
  FailoverRunbook, IsolatedVpc, MultiAzPostgres, MultiAzPostgresProps, MultiRegionPostgres, MultiRegionPostgresProps, WritableProbe,
} from '../../src';
import { ACCOUNT, DR_REGION, PRIMARY_ENDPOINT, PRIMARY_REGION, PRIMARY_VPC_ID, newStack } from '../util';
// Types only: table.ts spreads this module's rows, so a value import from it would be circular.
import type { RejectionRow } from './table';

/**
 * Region, partition and account rules: a key, topic, vault or ARN of the wrong Region, partition or account, and
 * Region names that are not AWS Regions. Spread into `REJECTIONS` by `table.ts`.
 */

export const CREATE_DB_INSTANCE = 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html';
export const PUT_METRIC_ALARM = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html';
const TOPIC_RULE = "library: CloudWatch refuses an alarm action in another Region than the alarm's (no AWS page states it)";
export const CREATE_READ_REPLICA = 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html';
export const REPLICATE_BACKUPS = 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBInstanceAutomatedBackupsReplication.html';
export const MULTI_REGION_KEYS = 'https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html';
export const REGIONS = 'https://docs.aws.amazon.com/general/latest/gr/rande.html';
export const PARTITIONS = 'https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html';

const keyArn = (region: string, id = '3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10', partition = 'aws') => `arn:${partition}:kms:${region}:${ACCOUNT}:key/${id}`;
const topicArn = (region: string) => `arn:aws:sns:${region}:${ACCOUNT}:orders-alarms`;
const BACKUP_KEY = keyArn(DR_REGION);

/** A `MultiAzPostgres` named `orders-primary` in `region`, for the constructs that take an instance. */
function primaryIn(app: App, region = PRIMARY_REGION): { stack: Stack; primary: MultiAzPostgres; net: IsolatedVpc } {
  const stack = newStack(app, 'Primary', region);
  const net = new IsolatedVpc(stack, 'Network');
  const primary = new MultiAzPostgres(stack, 'Orders', {
    vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, instanceIdentifier: 'orders-primary', allocatedStorage: 100,
  });
  return { stack, primary, net };
}

/** A `BackupReplication` of a primary in us-east-1 to us-west-2 unless `props` say otherwise. */
export function backupReplication(props: Partial<BackupReplicationProps>): (app: App) => void {
  return (app) => {
    const { stack, primary } = primaryIn(app);
    new BackupReplication(stack, 'Backups', { sourceInstance: primary, destinationRegion: DR_REGION, destinationKeyArn: BACKUP_KEY, ...props });
  };
}

/** A replica described by `sourceAttributes` with the ARN `instanceArn`, in us-west-2. */
function replicaOfArn(instanceArn: string, props: Partial<CrossRegionReadReplicaProps> = {}): (app: App) => void {
  return (app) => {
    const drStack = newStack(app, 'Dr', DR_REGION);
    const drNet = new IsolatedVpc(drStack, 'Network');
    new CrossRegionReadReplica(drStack, 'Replica', {
      sourceAttributes: {
        instanceArn,
        engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
      },
      vpc: drNet.vpc,
      instanceIdentifier: 'orders-dr',
      ...props,
    });
  };
}

/** A `CrossRegionReadReplica` in us-west-2 of a primary in us-east-1. */
function replicaApp(app: App): { drStack: Stack; replicaConstruct: CrossRegionReadReplica; drNet: IsolatedVpc; primary: MultiAzPostgres } {
  const { primary } = primaryIn(app);
  const drStack = newStack(app, 'Dr', DR_REGION);
  const drNet = new IsolatedVpc(drStack, 'Network');
  const replicaConstruct = new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, instanceIdentifier: 'orders-dr' });
  return { drStack, replicaConstruct, drNet, primary };
}

const M = 'MultiAzPostgres' as const;
const R = 'CrossRegionReadReplica' as const;
const P = 'MultiRegionPostgres' as const;
const B = 'BackupReplication' as const;

export const REGION_REJECTIONS: RejectionRow[] = [
  // --- Keys of another Region --------------------------------------------------------------------------------------------
  {
    construct: M,
    prop: 'encryptionKey',
    shown: `'${keyArn(DR_REGION)}'`,
    allowed: `a resource in ${PRIMARY_REGION}, not ${DR_REGION}: a KMS key is used only in its own Region`,
    readme: 'a key of another Region',
    source: CREATE_READ_REPLICA,
    build: (app) => multiAz({ encryptionKey: kms.Key.fromKeyArn(new Stack(app, 'Keys', { env: { account: ACCOUNT, region: PRIMARY_REGION } }), 'Key', keyArn(DR_REGION)) })(app),
  },
  {
    construct: R,
    prop: 'encryptionKey',
    shown: `'${keyArn(PRIMARY_REGION)}'`,
    allowed: `a resource in ${DR_REGION}, not ${PRIMARY_REGION}: CreateDBInstanceReadReplica needs a key of the replica's Region`,
    readme: 'a key of another Region than the replica\'s',
    source: CREATE_READ_REPLICA,
    build: (app) => replica({ encryptionKey: kms.Key.fromKeyArn(new Stack(app, 'Keys', { env: { account: ACCOUNT, region: DR_REGION } }), 'Key', keyArn(PRIMARY_REGION)) })(app),
  },
  {
    construct: B,
    prop: 'awsBackup.vaultKey',
    shown: `'${keyArn(DR_REGION)}'`,
    allowed: `a resource in ${PRIMARY_REGION}, not ${DR_REGION}: the vault is in the source's Region`,
    readme: 'a key of another Region than the source\'s',
    source: MULTI_REGION_KEYS,
    build: (app) => {
      const keys = new Stack(app, 'Keys', { env: { account: ACCOUNT, region: PRIMARY_REGION } });
      backupReplication({
        awsBackup: { destination: { vaultArn: `arn:aws:backup:${DR_REGION}:${ACCOUNT}:backup-vault:orders-dr` }, vaultKey: kms.Key.fromKeyArn(keys, 'Key', keyArn(DR_REGION)) },
      })(app);
    },
  },
  {
    construct: M,
    prop: 'secretReplicaRegions[0].encryptionKey',
    shown: `'${keyArn(PRIMARY_REGION)}'`,
    allowed: `a resource in ${DR_REGION}, not ${PRIMARY_REGION}: Secrets Manager encrypts the replica in its own Region`,
    readme: 'a replica key of another Region than the replica\'s',
    source: CREATE_READ_REPLICA,
    build: (app) => multiAz({
      secretReplicaRegions: [{ region: DR_REGION, encryptionKey: kms.Key.fromKeyArn(new Stack(app, 'Keys', { env: { account: ACCOUNT, region: PRIMARY_REGION } }), 'Key', keyArn(PRIMARY_REGION)) }],
    })(app),
  },
  {
    construct: M,
    prop: 'secretReplicaRegions[0].region',
    shown: "'eu-wets-1'",
    allowed: 'a literal AWS Region name such as us-west-2',
    readme: 'a replica Region that is not an AWS Region',
    source: REGIONS,
    build: multiAz({ secretReplicaRegions: [{ region: 'eu-wets-1' }] }),
  },
  // --- Topics of another Region ------------------------------------------------------------------------------------------
  {
    construct: 'DbAlarmSet',
    prop: 'topic',
    shown: `'${topicArn(DR_REGION)}'`,
    allowed: `a resource in ${PRIMARY_REGION}, not ${DR_REGION}: CloudWatch alarm actions must be in the alarm's Region`,
    readme: 'a `topic` of another Region',
    source: TOPIC_RULE,
    build: (app) => {
      const { stack, primary } = primaryIn(app);
      new DbAlarmSet(stack, 'Alarms', { instance: primary, topic: sns.Topic.fromTopicArn(stack, 'Topic', topicArn(DR_REGION)) });
    },
  },
  {
    construct: 'WritableProbe',
    prop: 'topic',
    shown: `'${topicArn(DR_REGION)}'`,
    allowed: `a resource in ${PRIMARY_REGION}, not ${DR_REGION}: CloudWatch alarm actions must be in the alarm's Region`,
    readme: 'a `topic` of another Region',
    source: TOPIC_RULE,
    build: (app) => {
      const { stack, primary, net } = primaryIn(app);
      new WritableProbe(stack, 'Probe', {
        instance: primary, credentials: primary.secret, vpc: net.vpc, topic: sns.Topic.fromTopicArn(stack, 'Topic', topicArn(DR_REGION)),
      });
    },
  },
  {
    construct: 'FailoverRunbook',
    prop: 'topic',
    shown: `'${topicArn(PRIMARY_REGION)}'`,
    allowed: `a resource in ${DR_REGION}, not ${PRIMARY_REGION}: CloudWatch alarm actions must be in the alarm's Region`,
    readme: 'a `topic` of another Region',
    source: TOPIC_RULE,
    build: (app) => {
      const { drStack, replicaConstruct } = replicaApp(app);
      new FailoverRunbook(drStack, 'Runbook', { replica: replicaConstruct, topic: sns.Topic.fromTopicArn(drStack, 'Topic', topicArn(PRIMARY_REGION)) });
    },
  },
  {
    construct: P,
    prop: 'primaryTopic',
    shown: `'${topicArn(DR_REGION)}'`,
    allowed: `a resource in ${PRIMARY_REGION}, not ${DR_REGION}: CloudWatch alarm actions must be in the alarm's Region`,
    readme: 'a `primaryTopic` or `drTopic` of another Region than its stack',
    source: TOPIC_RULE,
    build: (app) => multiRegion({ primaryTopic: sns.Topic.fromTopicArn(new Stack(app, 'Topics'), 'Topic', topicArn(DR_REGION)) })(app),
  },
  {
    construct: P,
    prop: 'drTopic',
    shown: `'${topicArn(PRIMARY_REGION)}'`,
    allowed: `a resource in ${DR_REGION}, not ${PRIMARY_REGION}: CloudWatch alarm actions must be in the alarm's Region`,
    readme: 'a `primaryTopic` or `drTopic` of another Region than its stack',
    source: TOPIC_RULE,
    build: (app) => multiRegion({ drTopic: sns.Topic.fromTopicArn(new Stack(app, 'Topics'), 'Topic', topicArn(PRIMARY_REGION)) })(app),
  },
  // --- Regions that are not AWS Regions ----------------------------------------------------------------------------------
  {
    construct: M,
    prop: 'scope',
    shown: "'stack TestStack (region us-east-7)'",
    allowed: 'a literal AWS Region name such as us-west-2',
    readme: 'a stack Region that is not an AWS Region',
    source: REGIONS,
    build: (app) => {
      const stack = newStack(app, 'TestStack', 'us-east-7');
      const net = new IsolatedVpc(stack, 'Network');
      new MultiAzPostgres(stack, 'Db', { vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint });
    },
  },
  {
    construct: R,
    prop: 'sourceAttributes.instanceArn',
    shown: `'arn:aws:rds:us-esat-1:${ACCOUNT}:db:orders-primary'`,
    allowed: 'a literal AWS Region name such as us-west-2',
    readme: 'a source Region that is not an AWS Region',
    source: REGIONS,
    build: replicaOfArn(`arn:aws:rds:us-esat-1:${ACCOUNT}:db:orders-primary`),
  },
  {
    construct: P,
    prop: 'drScope',
    shown: "'Dr'",
    allowed: 'a literal AWS Region name such as us-west-2',
    readme: 'a `drScope` Region that is not an AWS Region',
    source: REGIONS,
    build: (app) => {
      const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
      const drStack = newStack(app, 'Dr', 'us-weast-2');
      multiRegionIn(primaryStack, drStack, {});
    },
  },
  {
    construct: B,
    prop: 'destinationRegion',
    shown: "'us-west-9'",
    allowed: 'a literal AWS Region name such as us-west-2',
    readme: 'a `destinationRegion` that is not an AWS Region',
    source: REGIONS,
    build: backupReplication({ destinationRegion: 'us-west-9', destinationKeyArn: keyArn('us-west-9') }),
  },
  {
    construct: 'DrBackupVault',
    prop: 'scope',
    shown: "'stack Dr (region eu-west-9)'",
    allowed: 'a literal AWS Region name such as us-west-2',
    readme: 'a stack Region that is not an AWS Region',
    source: REGIONS,
    build: (app) => {
      new DrBackupVault(newStack(app, 'Dr', 'eu-west-9'), 'Vault', { backupVaultName: 'orders-dr' });
    },
  },
  // --- Partitions --------------------------------------------------------------------------------------------------------
  {
    construct: R,
    prop: 'sourceAttributes.instanceArn',
    shown: `'arn:aws-cn:rds:cn-north-1:${ACCOUNT}:db:orders-primary'`,
    allowed: "a Region of the partition of the replica's stack (us-west-2, partition aws), not cn-north-1 (partition aws-cn)",
    readme: 'a source in another partition',
    source: PARTITIONS,
    build: replicaOfArn(`arn:aws-cn:rds:cn-north-1:${ACCOUNT}:db:orders-primary`),
  },
  {
    construct: R,
    prop: 'sourceAttributes.instanceArn',
    shown: `'arn:aws:rds:cn-north-1:${ACCOUNT}:db:orders-primary'`,
    allowed: "an ARN whose partition is its Region's: cn-north-1 is in partition aws-cn, not aws",
    readme: 'an ARN whose partition is not its Region\'s',
    source: PARTITIONS,
    build: (app) => {
      const drStack = newStack(app, 'Dr', 'cn-northwest-1');
      const drNet = new IsolatedVpc(drStack, 'Network');
      new CrossRegionReadReplica(drStack, 'Replica', {
        sourceAttributes: {
          instanceArn: `arn:aws:rds:cn-north-1:${ACCOUNT}:db:orders-primary`,
          engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
          instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
        },
        vpc: drNet.vpc,
        instanceIdentifier: 'orders-dr',
      });
    },
  },
  {
    construct: P,
    prop: 'drScope',
    shown: "'Dr'",
    allowed: "a Region of the partition of the primary's stack (us-east-1, partition aws), not cn-northwest-1 (partition aws-cn)",
    readme: 'a `drScope` in another partition',
    source: PARTITIONS,
    build: (app) => {
      const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
      const drStack = newStack(app, 'Dr', 'cn-northwest-1');
      multiRegionIn(primaryStack, drStack, {
        drBackupKeyArn: keyArn('cn-northwest-1', undefined, 'aws-cn'),
        drSecretKeyArn: keyArn('cn-northwest-1', '8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64', 'aws-cn'),
      });
    },
  },
  {
    construct: P,
    prop: 'drSecretKeyArn',
    shown: `'${keyArn(DR_REGION, '8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64', 'aws-us-gov')}'`,
    allowed: "an ARN whose partition is its Region's: us-west-2 is in partition aws, not aws-us-gov",
    readme: 'a `drSecretKeyArn` whose partition is not its Region\'s',
    source: CREATE_READ_REPLICA,
    build: multiRegion({ drSecretKeyArn: keyArn(DR_REGION, '8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64', 'aws-us-gov') }),
  },
  {
    construct: B,
    prop: 'destinationRegion',
    shown: "'cn-north-1'",
    allowed: "a Region of the partition of the source's stack (us-east-1, partition aws), not cn-north-1 (partition aws-cn)",
    readme: 'a `destinationRegion` in another partition',
    source: PARTITIONS,
    build: backupReplication({ destinationRegion: 'cn-north-1', destinationKeyArn: keyArn('cn-north-1', undefined, 'aws-cn') }),
  },
  {
    construct: B,
    prop: 'destinationKeyArn',
    shown: `'${keyArn(DR_REGION, undefined, 'aws-cn')}'`,
    allowed: "an ARN whose partition is its Region's: us-west-2 is in partition aws, not aws-cn",
    readme: 'a `destinationKeyArn` whose partition is not its Region\'s',
    source: REPLICATE_BACKUPS,
    build: backupReplication({ destinationKeyArn: keyArn(DR_REGION, undefined, 'aws-cn') }),
  },
  {
    construct: B,
    prop: 'awsBackup.destination.vaultArn',
    shown: `'arn:aws-cn:backup:cn-north-1:${ACCOUNT}:backup-vault:orders-dr'`,
    allowed: "a Region of the partition of the source's stack (us-east-1, partition aws), not cn-north-1 (partition aws-cn)",
    readme: 'a copy vault in another partition',
    source: PARTITIONS,
    build: backupReplication({ awsBackup: { destination: { vaultArn: `arn:aws-cn:backup:cn-north-1:${ACCOUNT}:backup-vault:orders-dr` } } }),
  },
];

/** A `MultiRegionPostgres` named `orders` from `primaryStack` to `drStack`, with keys in the DR stack's Region. */
function multiRegionIn(primaryStack: Stack, drStack: Stack, props: Partial<MultiRegionPostgresProps>): void {
  new MultiRegionPostgres(primaryStack, 'Orders', {
    drScope: drStack,
    name: 'orders',
    zoneName: 'orders.internal',
    drBackupKeyArn: keyArn(drStack.region),
    drSecretKeyArn: keyArn(drStack.region, '8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64'),
    primaryEndpointAddress: PRIMARY_ENDPOINT,
    primaryVpcId: PRIMARY_VPC_ID,
    ...props,
  });
}

/** A `MultiRegionPostgres` from us-east-1 to us-west-2. */
function multiRegion(props: Partial<MultiRegionPostgresProps>): (app: App) => void {
  return (app) => multiRegionIn(newStack(app, 'Primary', PRIMARY_REGION), newStack(app, 'Dr', DR_REGION), props);
}

/** A `MultiAzPostgres` in an `IsolatedVpc` in us-east-1. */
function multiAz(props: Partial<MultiAzPostgresProps>): (app: App) => void {
  return (app) => {
    const stack = newStack(app);
    const net = new IsolatedVpc(stack, 'Network');
    new MultiAzPostgres(stack, 'Db', { vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, ...props });
  };
}

/** A `CrossRegionReadReplica` in us-west-2 of a primary in us-east-1. */
function replica(props: Partial<CrossRegionReadReplicaProps>): (app: App) => void {
  return (app) => {
    const { primary } = primaryIn(app);
    const drStack = newStack(app, 'Dr', DR_REGION);
    const drNet = new IsolatedVpc(drStack, 'Network');
    new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, instanceIdentifier: 'orders-dr', ...props });
  };
}
