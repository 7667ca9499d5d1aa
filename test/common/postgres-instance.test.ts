import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  BackupReplication, CrossRegionReadReplica, DbAlarmSet, ReplicationRole, FailoverRunbook, IPostgresInstance, IsolatedVpc, PostgresInstanceBase,
  PromotionRole, ResilienceObjectives, WritableProbe,
} from '../../src';
import { ACCOUNT, DR_REGION, newStack, record, twoRegionApp } from '../util';

const PG18 = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 });
const ISOLATED = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
const DR_KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/7c1e4b2a-9d3f-4e6a-8b5c-2f0a1d9e8c74`;

/** The two Regions with a replica of the primary. */
function withReplica() {
  // The master secret is replicated to the DR Region under its name, where a DR probe reads it.
  const env = twoRegionApp({ secretName: 'orders-primary/master', secretReplicaRegions: [{ region: DR_REGION }] });
  const replica = new CrossRegionReadReplica(env.drStack, 'Replica', { sourceInstance: env.primary, vpc: env.drNet.vpc, instanceIdentifier: 'orders-dr' });
  return { ...env, replica };
}

/** An instance made outside the app, in us-east-1. */
function legacy(scope: Stack, props: { multiAz?: boolean; replicationSourceArn?: string; region?: string } = {}): IPostgresInstance {
  const region = props.region ?? 'us-east-1';
  return PostgresInstanceBase.fromPostgresInstanceAttributes(scope, 'Legacy', {
    instanceArn: `arn:aws:rds:${region}:${ACCOUNT}:db:legacy-orders`,
    endpointAddress: `legacy-orders.c1a2b3c4d5e6.${region}.rds.amazonaws.com`,
    engine: PG18,
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.XLARGE),
    allocatedStorage: 500,
    multiAz: props.multiAz,
    replicationSourceArn: props.replicationSourceArn,
  });
}

describe('DbAlarmSet', () => {
  test('takes a MultiAzPostgres, a CrossRegionReadReplica and an import directly', () => {
    const { primary, primaryStack, replica, drStack } = withReplica();
    const primaryAlarms = new DbAlarmSet(primaryStack, 'Alarms', { instance: primary });
    expect(primaryAlarms.replicationRole).toBe(ReplicationRole.PRIMARY);
    expect(primaryAlarms.maxConnections).toBeDefined();
    const replicaAlarms = new DbAlarmSet(drStack, 'Alarms', { instance: replica });
    expect(replicaAlarms.replicationRole).toBe(ReplicationRole.REPLICA);
    // The replica's storage is its source's: the storage alarms need no figure by hand.
    expect(replicaAlarms.alarms.FreeStorageSpace.node.defaultChild).toBeDefined();
    const other = newStack(undefined, 'Legacy');
    const legacyAlarms = new DbAlarmSet(other, 'Alarms', { instance: legacy(other) });
    expect(legacyAlarms.instanceIdentifier).toBe('legacy-orders');
    // r7g.xlarge: 32 GiB -> LEAST(32 GiB / 9531392, 5000) = 3604
    expect(legacyAlarms.maxConnections).toBe(3604);
    record(other).resourceCountIs('AWS::RDS::EventSubscription', 1);
  });

  test('takes a wrapped rds.DatabaseInstance', () => {
    const stack = newStack();
    const net = new IsolatedVpc(stack, 'Network');
    const db = new rds.DatabaseInstance(stack, 'Db', { engine: PG18, vpc: net.vpc, vpcSubnets: ISOLATED, instanceIdentifier: 'billing' });
    const alarms = new DbAlarmSet(stack, 'Alarms', { instance: PostgresInstanceBase.fromDatabaseInstance(stack, 'Billing', db) });
    expect(alarms.instanceIdentifier).toBe('billing');
    expect(alarms.maxConnections).toBeDefined();
  });
});

describe('WritableProbe', () => {
  test('takes a MultiAzPostgres, a CrossRegionReadReplica and an import directly', () => {
    const { primary, primaryStack, replica, drStack, drNet } = withReplica();
    const replicated = secretsmanager.Secret.fromSecretNameV2(drStack, 'ReplicatedSecret', 'orders-primary/master');
    const probe = (scope: Stack, instance: IPostgresInstance, vpc: ec2.IVpc) => new WritableProbe(scope, `Probe${instance.node.id}`, {
      instance,
      credentials: scope === drStack ? replicated : primary.secret,
      vpc,
      topic: new sns.Topic(scope, `Topic${instance.node.id}`, { enforceSSL: true }),
    });
    expect(probe(primaryStack, primary, (primaryStack.node.findChild('Network') as IsolatedVpc).vpc).instanceIdentifier).toBe('orders-primary');
    expect(probe(drStack, replica, drNet.vpc).instanceIdentifier).toBe('orders-dr');
    expect(probe(primaryStack, legacy(primaryStack), (primaryStack.node.findChild('Network') as IsolatedVpc).vpc).instanceIdentifier).toBe('legacy-orders');
  });
});

describe('PromotionRole', () => {
  test('takes a CrossRegionReadReplica and an import directly', () => {
    const { replica, drStack } = withReplica();
    expect(drStack.resolve(new PromotionRole(drStack, 'Role', { replica, topic: new sns.Topic(drStack, 'T1', { enforceSSL: true }) }).replicaArn))
      .toBe(`arn:aws:rds:us-west-2:${ACCOUNT}:db:orders-dr`);
    const imported = legacy(drStack, { region: 'us-west-2', replicationSourceArn: `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-primary` });
    expect(new PromotionRole(drStack, 'LegacyRole', { replica: imported, topic: new sns.Topic(drStack, 'T2', { enforceSSL: true }) }).replicaArn).toBe(`arn:aws:rds:us-west-2:${ACCOUNT}:db:legacy-orders`);
  });

  test('refuses a replica of another Region', () => {
    const { drStack } = withReplica();
    expect(() => new PromotionRole(drStack, 'Role', { replica: legacy(drStack), topic: new sns.Topic(drStack, 'T1', { enforceSSL: true }) })).toThrow(
      /PromotionRole: invalid replica 'Dr\/Legacy\/Instance': a DB instance in this stack's Region \(us-west-2\)/);
  });
});

describe('BackupReplication', () => {
  test('takes a MultiAzPostgres directly', () => {
    const { primary, primaryStack } = twoRegionApp();
    new BackupReplication(primaryStack, 'Backups', { sourceInstance: primary, destinationRegion: 'us-west-2', destinationKeyArn: DR_KEY });
    record(primaryStack).hasResourceProperties('AWS::RDS::DBInstance', { AutomaticBackupReplicationRegion: 'us-west-2' });
  });

  test('refuses an import: the setting lives on the instance\'s resource', () => {
    const stack = newStack();
    expect(() => new BackupReplication(stack, 'Backups', { sourceInstance: legacy(stack), destinationRegion: 'us-west-2', destinationKeyArn: DR_KEY }))
      .toThrow(/BackupReplication: invalid sourceInstance 'TestStack\/Legacy\/Instance': a DB instance defined in this CDK app/);
  });
});

describe('CrossRegionReadReplica', () => {
  test('takes an import as its source', () => {
    const { drStack, drNet } = twoRegionApp();
    const source = legacy(drStack);
    const replica = new CrossRegionReadReplica(drStack, 'LegacyReplica', { sourceInstance: source, vpc: drNet.vpc, instanceIdentifier: 'legacy-dr' });
    expect(replica.sourceInstanceArn).toBe(`arn:aws:rds:us-east-1:${ACCOUNT}:db:legacy-orders`);
    expect(replica.instanceClass).toBe('db.r7g.xlarge');
    expect(replica.allocatedStorage).toBe(500);
  });

  test('refuses an import without its instance class', () => {
    const { drStack, drNet } = twoRegionApp();
    const source = PostgresInstanceBase.fromPostgresInstanceAttributes(drStack, 'NoClass', {
      instanceArn: `arn:aws:rds:us-east-1:${ACCOUNT}:db:legacy-orders`, endpointAddress: 'legacy-orders.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com', engine: PG18,
    });
    expect(() => new CrossRegionReadReplica(drStack, 'R', { sourceInstance: source, vpc: drNet.vpc })).toThrow(
      "CrossRegionReadReplica: invalid sourceInstance 'Dr/NoClass/Instance': a DB instance with a literal instance class");
  });
});

describe('FailoverRunbook', () => {
  /** A plain aws-cdk-lib read replica in the DR Region, whose source is named by a literal ARN. */
  function plainReplica() {
    const { drStack, drNet } = twoRegionApp();
    const source = rds.DatabaseInstance.fromDatabaseInstanceAttributes(drStack, 'Source', {
      instanceIdentifier: 'orders-primary',
      instanceEndpointAddress: 'orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com',
      port: 5432,
      securityGroups: [],
      engine: PG18,
    });
    const plain = new rds.DatabaseInstanceReadReplica(drStack, 'Plain', {
      sourceDatabaseInstance: source,
      instanceType: new ec2.InstanceType('m7g.large'),
      vpc: drNet.vpc,
      vpcSubnets: ISOLATED,
      instanceIdentifier: 'orders-dr-plain',
    });
    (plain.node.defaultChild as rds.CfnDBInstance).sourceDbInstanceIdentifier = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-primary`;
    return { drStack, plain };
  }

  test('takes a plain aws-cdk-lib read replica, wrapped', () => {
    const { drStack, plain } = plainReplica();
    const replica = PostgresInstanceBase.fromDatabaseInstance(drStack, 'PlainReplica', plain, PG18);
    expect(replica.replicationSourceArn).toBe(`arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-primary`);
    const runbook = new FailoverRunbook(drStack, 'Runbook', {
      replica, topic: new sns.Topic(drStack, 'Topic', { enforceSSL: true }), backupRetention: Duration.days(7),
    });
    expect(runbook.promotionRole.replicaArn).toBe(replica.instanceArn);
    record(drStack).resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  });

  test('a plain read replica without its engine is refused', () => {
    const { drStack, plain } = plainReplica();
    expect(() => PostgresInstanceBase.fromDatabaseInstance(drStack, 'PlainReplica', plain)).toThrow(
      "PostgresInstanceBase.fromDatabaseInstance: invalid instance 'Dr/Plain': a DB instance whose engine is known, or the engine given as engine");
  });

  test('refuses a standalone instance', () => {
    const { drStack } = plainReplica();
    expect(() => new FailoverRunbook(drStack, 'Runbook', {
      replica: legacy(drStack, { region: 'us-west-2' }), topic: new sns.Topic(drStack, 'Topic', { enforceSSL: true }), backupRetention: Duration.days(7),
    })).toThrow("FailoverRunbook: invalid replica 'Dr/Legacy': a read replica (an instance with replicationSourceArn): a standalone instance has nothing to promote");
  });
});

describe('ResilienceObjectives', () => {
  test('takes a MultiAzPostgres and an import whose Multi-AZ is known', () => {
    const { primary, primaryStack } = twoRegionApp();
    const azFailure = { rto: Duration.minutes(5), rpo: Duration.seconds(0) };
    expect(() => new ResilienceObjectives(primaryStack, 'Objectives', { primary, azFailure })).not.toThrow();
    const other = newStack(undefined, 'Legacy');
    expect(() => new ResilienceObjectives(other, 'Objectives', { primary: legacy(other, { multiAz: true }), azFailure })).not.toThrow();
  });

  test('refuses an import whose Multi-AZ is not known when azFailure is given', () => {
    const other = newStack(undefined, 'Legacy');
    expect(() => new ResilienceObjectives(other, 'Objectives', {
      primary: legacy(other), azFailure: { rto: Duration.minutes(5), rpo: Duration.seconds(0) },
    })).toThrow(/ResilienceObjectives: invalid primary 'Legacy\/Legacy': an instance whose multiAz is known when azFailure is given/);
  });
});

describe('the database constructs', () => {
  test('node.defaultChild is the CfnDBInstance', () => {
    const { primary, replica } = withReplica();
    expect(primary.node.defaultChild).toBeInstanceOf(rds.CfnDBInstance);
    expect(primary.node.defaultChild).toBe(primary.instance.node.defaultChild);
    expect(replica.node.defaultChild).toBeInstanceOf(rds.CfnDBInstance);
    expect(replica.node.defaultChild).toBe(replica.readReplica.node.defaultChild);
  });

  test('MultiAzPostgres.instance is an rds.DatabaseInstance: addRotationMultiUser compiles and synthesizes', () => {
    const { primary, primaryStack } = twoRegionApp();
    const net = primaryStack.node.findChild('Network') as IsolatedVpc;
    const appUser = new rds.DatabaseSecret(primaryStack, 'AppUser', { username: 'orders_app', masterSecret: primary.secret });
    primary.instance.addRotationMultiUser('AppUserRotation', { secret: appUser.attach(primary.instance), endpoint: net.secretsManagerEndpoint });
    record(primaryStack).resourceCountIs('AWS::Serverless::Application', 2);
  });
});

describe('PostgresInstanceBase.fromDatabaseInstance', () => {
  function plainDb(stack: Stack) {
    const net = new IsolatedVpc(stack, 'Network');
    return new rds.DatabaseInstance(stack, 'Db', {
      engine: PG18,
      vpc: net.vpc,
      vpcSubnets: ISOLATED,
      instanceIdentifier: 'Billing',
      port: 5433,
      allocatedStorage: 200,
      instanceType: new ec2.InstanceType('m7g.large'),
      multiAz: true,
      storageEncrypted: true,
    });
  }

  test('reads the instance and leaves its template unchanged', () => {
    const before = Template.fromStack(((): Stack => { const s = newStack(); plainDb(s); return s; })()).toJSON();
    const stack = newStack();
    const db = plainDb(stack);
    const wrapped = PostgresInstanceBase.fromDatabaseInstance(stack, 'Billing', db);
    expect(Template.fromStack(stack).toJSON()).toEqual(before);
    expect(wrapped.instanceIdentifier).toBe('billing');
    expect(wrapped.port).toBe(5433);
    expect(wrapped.allocatedStorage).toBe(200);
    expect(wrapped.instanceType?.toString()).toBe('m7g.large');
    expect(wrapped.isMultiAz).toBe(true);
    expect(wrapped.storageEncrypted).toBe(true);
    expect(wrapped.replicationSourceArn).toBeUndefined();
    expect(wrapped.instance).toBe(db);
  });
});

describe('PostgresInstanceBase.fromPostgresInstanceAttributes', () => {
  const attrs = { endpointAddress: 'legacy-orders.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com', engine: PG18 };
  test('reads identifier, Region and account from the ARN', () => {
    const stack = newStack();
    const imported = PostgresInstanceBase.fromPostgresInstanceAttributes(stack, 'I', { ...attrs, instanceArn: 'arn:aws:rds:eu-west-1:222222222222:db:Legacy-Orders' });
    expect([imported.instanceIdentifier, imported.region, imported.account, imported.port]).toEqual(['legacy-orders', 'eu-west-1', '222222222222', 5432]);
  });
  test.each([
    ['a cluster ARN', { instanceArn: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:orders` },
      `PostgresInstanceBase.fromPostgresInstanceAttributes: invalid instanceArn 'arn:aws:rds:us-east-1:${ACCOUNT}:cluster:orders': a literal DB instance ARN`],
    ['a port out of range', { instanceArn: `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`, port: 80 },
      'PostgresInstanceBase.fromPostgresInstanceAttributes: invalid port 80: a whole number from 1150 to 65535'],
  ])('refuses %s', (_name, more, message) => {
    expect(() => PostgresInstanceBase.fromPostgresInstanceAttributes(newStack(), 'I', { ...attrs, ...more })).toThrow(message);
  });
});
