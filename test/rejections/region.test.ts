import { App, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  BackupReplication, CrossRegionReadReplica, DbAlarmSet, DrBackupVault, FailoverRunbook, IsolatedVpc, MultiAzPostgres,
} from '../../src';
import { ACCOUNT, DR_REGION, PRIMARY_REGION, newStack } from '../util';

/** A plain `App()` (no feature flags at all) and the flags a new CDK project gets. */
const APPS: Array<[string, () => App]> = [
  ['a plain App() without context', () => new App()],
  ['an App with the currently recommended flags', () => new App({ context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } })],
];

function stackIn(app: App, id: string, region: string, account = ACCOUNT): Stack {
  return new Stack(app, id, { env: { account, region } });
}

function primaryIn(stack: Stack, props: { encryptionKey?: kms.IKey } = {}): MultiAzPostgres {
  const net = new IsolatedVpc(stack, 'Network');
  return new MultiAzPostgres(stack, 'Orders', {
    vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, instanceIdentifier: 'orders-primary', ...props,
  });
}

describe.each(APPS)('what the constructs produce is accepted in %s', (_name, makeApp) => {
  test('the DR-vault recipe of docs/backup-replication.md: BackupReplication copies into DrBackupVault.copyDestination', () => {
    const app = makeApp();
    const drFoundation = stackIn(app, 'OrdersDrFoundation', DR_REGION);
    const vault = new DrBackupVault(drFoundation, 'BackupVault', { backupVaultName: 'orders-dr' });
    const primaryStack = stackIn(app, 'OrdersPrimary', PRIMARY_REGION);
    const primary = primaryIn(primaryStack);
    new BackupReplication(primaryStack, 'OrdersBackups', {
      sourceInstance: primary,
      destinationRegion: DR_REGION,
      destinationKeyArn: `arn:aws:kms:${DR_REGION}:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`,
      awsBackup: { destination: vault.copyDestination },
    });
    primaryStack.addStackDependency(drFoundation);
    // The vault ARN is a literal, partition included, whatever the flags.
    expect(vault.backupVaultArn).toBe(`arn:aws:backup:${DR_REGION}:${ACCOUNT}:backup-vault:orders-dr`);
    const plans = Template.fromStack(primaryStack).findResources('AWS::Backup::BackupPlan');
    const rule = Object.values(plans)[0].Properties.BackupPlan.BackupPlanRule[0];
    expect(rule.CopyActions[0].DestinationBackupVaultArn).toBe(`arn:aws:backup:${DR_REGION}:${ACCOUNT}:backup-vault:orders-dr`);
  });

  test('a China pair keeps its partition in the source ARN', () => {
    const app = makeApp();
    const drStack = stackIn(app, 'Dr', 'cn-northwest-1');
    const drNet = new IsolatedVpc(drStack, 'Network');
    const replica = new CrossRegionReadReplica(drStack, 'Replica', {
      sourceAttributes: {
        instanceArn: `arn:aws-cn:rds:cn-north-1:${ACCOUNT}:db:orders-primary`,
        engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
      },
      vpc: drNet.vpc,
      instanceIdentifier: 'orders-dr',
    });
    expect(drStack.resolve(replica.sourceInstanceArn)).toBe(`arn:aws-cn:rds:cn-north-1:${ACCOUNT}:db:orders-primary`);
    const instances = Template.fromStack(drStack).findResources('AWS::RDS::DBInstance');
    expect(Object.values(instances)[0].Properties.SourceDBInstanceIdentifier).toBe(`arn:aws-cn:rds:cn-north-1:${ACCOUNT}:db:orders-primary`);
  });

  test('a GovCloud source replicated by an instance of this app keeps its partition', () => {
    const app = makeApp();
    const primary = primaryIn(stackIn(app, 'Primary', 'us-gov-west-1'));
    const drStack = stackIn(app, 'Dr', 'us-gov-east-1');
    const drNet = new IsolatedVpc(drStack, 'Network');
    const replica = new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, instanceIdentifier: 'orders-dr' });
    expect(drStack.resolve(replica.sourceInstanceArn)).toBe(`arn:aws-us-gov:rds:us-gov-west-1:${ACCOUNT}:db:orders-primary`);
  });
});

describe('valid Regions, partitions and accounts are accepted', () => {
  test('a topic of another account in the alarms\' Region', () => {
    const app = new App();
    const stack = stackIn(app, 'Primary', PRIMARY_REGION);
    const primary = primaryIn(stack);
    const topicArn = `arn:aws:sns:${PRIMARY_REGION}:222222222222:central-alarms`;
    new DbAlarmSet(stack, 'Alarms', { instance: primary, topic: sns.Topic.fromTopicArn(stack, 'Topic', topicArn) });
    const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
    expect(Object.values(alarms).every((a) => JSON.stringify(a.Properties.AlarmActions) === JSON.stringify([topicArn]))).toBe(true);
  });

  test('a topic and a key of the same stack, and a key whose ARN is only known at deploy time', () => {
    const app = new App();
    const stack = stackIn(app, 'Primary', PRIMARY_REGION);
    const key = kms.Key.fromKeyArn(stack, 'ImportedKey', Fn.importValue('OrdersKeyArn'));
    const primary = primaryIn(stack, { encryptionKey: key });
    expect(() => new DbAlarmSet(stack, 'Alarms', { instance: primary, topic: new sns.Topic(stack, 'Topic') })).not.toThrow();
  });

  test('an environment-agnostic MultiAzPostgres: the Region cannot be known, so it is left alone', () => {
    const stack = new Stack(new App(), 'Agnostic');
    expect(() => primaryIn(stack)).not.toThrow();
  });

  test("a replica key of the replica's Region, and a runbook topic of the runbook's Region", () => {
    const app = newApp();
    const primary = primaryIn(newStack(app, 'Primary', PRIMARY_REGION));
    const drStack = newStack(app, 'Dr', DR_REGION);
    const drNet = new IsolatedVpc(drStack, 'Network');
    const replica = new CrossRegionReadReplica(drStack, 'Replica', {
      sourceInstance: primary,
      vpc: drNet.vpc,
      instanceIdentifier: 'orders-dr',
      encryptionKey: kms.Key.fromKeyArn(drStack, 'Key', `arn:aws:kms:${DR_REGION}:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`),
    });
    expect(() => new FailoverRunbook(drStack, 'Runbook', {
      replica, topic: sns.Topic.fromTopicArn(drStack, 'Topic', `arn:aws:sns:${DR_REGION}:${ACCOUNT}:orders-alarms`),
    })).not.toThrow();
  });

  test('backups replicated between GovCloud Regions with a GovCloud key and vault', () => {
    const app = new App();
    const stack = stackIn(app, 'Primary', 'us-gov-west-1');
    const primary = primaryIn(stack);
    expect(() => new BackupReplication(stack, 'Backups', {
      sourceInstance: primary,
      destinationRegion: 'us-gov-east-1',
      destinationKeyArn: `arn:aws-us-gov:kms:us-gov-east-1:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`,
      awsBackup: { destination: { vaultArn: `arn:aws-us-gov:backup:us-gov-east-1:${ACCOUNT}:backup-vault:orders-dr` } },
    })).not.toThrow();
  });
});

function newApp(): App {
  return new App({ context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } });
}
