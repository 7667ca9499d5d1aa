import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { multiRegionIn } from './builders';
import { CrossRegionReadReplica, IPostgresInstance, IsolatedVpc, MultiAzPostgres, PostgresInstanceBase, WritableProbe } from '../../src';
import { instanceClassMemoryGiB } from '../../src/private/instance-class';
import { DR_REGION, PRIMARY_REGION, PRIMARY_VPC_ID, newApp, newStack } from '../util';


function pattern(instanceClass?: string, zoneName = 'orders.internal') {
  const app = newApp();
  const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
  const drStack = newStack(app, 'Dr', DR_REGION);
  multiRegionIn(primaryStack, drStack, {
    zoneName,
    instanceType: instanceClass === undefined ? undefined : new ec2.InstanceType(instanceClass),
  });
  app.synth();
}

/** Current RDS for PostgreSQL classes (Concepts.DBInstanceClass.Support) are accepted by the pattern. */
test.each(['r5b.large', 'x2iedn.xlarge', 'm7g.large', 'r7g.large', 'r8g.large', 't4g.medium'])('the pattern accepts db.%s', (c) => {
  expect(() => pattern(c)).not.toThrow();
});

test.each(['orders.internal', 'db.example.com', 'orders.aws-internal', 'compute.example'])('zone %s is accepted', (zone) => {
  expect(() => pattern(undefined, zone)).not.toThrow();
});

test('replica parameters equal to or above the primary\'s are accepted', () => {
  const app = newApp();
  const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
  const net = new IsolatedVpc(primaryStack, 'Network');
  const primary = new MultiAzPostgres(primaryStack, 'Orders', {
    vpc: net.vpc,
    secretsManagerEndpoint: net.secretsManagerEndpoint,
    instanceIdentifier: 'orders-primary',
    parameters: { max_connections: '500', max_wal_senders: '10' },
  });
  const drStack = newStack(app, 'Dr', DR_REGION);
  const drNet = new IsolatedVpc(drStack, 'Network');
  expect(() => new CrossRegionReadReplica(drStack, 'Replica', {
    sourceInstance: primary,
    vpc: drNet.vpc,
    instanceIdentifier: 'orders-dr',
    parameters: { max_connections: '500', max_wal_senders: '20', max_locks_per_transaction: '64' },
  })).not.toThrow();
});

test('two DB instances of one identifier created outside the library constructs fail the app validation', () => {
  const app = newApp();
  const stack = newStack(app, 'A', PRIMARY_REGION);
  const net = new IsolatedVpc(stack, 'Network');
  new MultiAzPostgres(stack, 'First', { vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, instanceIdentifier: 'billing' });
  const drStack = newStack(app, 'Dr', DR_REGION);
  const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
  multiRegionIn(primaryStack, drStack, {});
  const other = newStack(app, 'B', PRIMARY_REGION);
  const otherNet = new IsolatedVpc(other, 'Network');
  new MultiAzPostgres(other, 'Second', { vpc: otherNet.vpc, secretsManagerEndpoint: otherNet.secretsManagerEndpoint, instanceIdentifier: 'Billing' });
  expect(() => app.synth()).toThrow(/DB instance identifier 'billing' is used by A\/First\/.* and B\/Second\/.* in 111111111111:us-east-1/);
});

describe('instance class memory, for the relative alarms', () => {
  test.each<[string, number | undefined]>([
    ['db.r5b.large', 16],
    ['db.r5b.24xlarge', 768],
    ['db.x2iedn.xlarge', 128],
    ['db.x2g.large', 32],
    ['db.z1d.3xlarge', 96],
    ['db.m7g.large', 8],
    ['db.r8g.xlarge', 32],
    ['db.t4g.medium', 4],
    ['db.x1e.xlarge', 122],
    ['db.x1.16xlarge', 976],
    ['db.q9z.large', undefined],
  ])('%s: %s GiB', (instanceClass, gib) => {
    expect(instanceClassMemoryGiB(instanceClass)).toBe(gib);
  });
});

describe('the probe port follows the instance', () => {
  function probe(instance: (stack: ReturnType<typeof newStack>, net: IsolatedVpc) => IPostgresInstance, port?: number) {
    const stack = newStack(newApp());
    const net = new IsolatedVpc(stack, 'Network');
    const credentials = secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'orders-primary/master');
    const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
    return () => new WritableProbe(stack, 'Probe', {
      instance: instance(stack, net), credentials, vpc: net.vpc, port, instanceIdentifier: 'orders-primary', topic,
    });
  }
  const imported = (port: number) => (stack: ReturnType<typeof newStack>) => PostgresInstanceBase.fromPostgresInstanceAttributes(stack, 'Imported', {
    instanceArn: 'arn:aws:rds:us-east-1:111111111111:db:orders-primary',
    endpointAddress: 'orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com',
    port,
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 }),
  });
  const created = (port: number) => (stack: ReturnType<typeof newStack>, net: IsolatedVpc) => new MultiAzPostgres(stack, 'Db', {
    vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, instanceIdentifier: 'orders-primary', port,
  });

  test('the instance port, given again, is accepted', () => {
    expect(probe(created(5433), 5433)).not.toThrow();
  });
  test('unset, the probe takes the instance port', () => {
    expect(probe(created(5433))).not.toThrow();
  });
  test('another port than an imported instance\'s is refused', () => {
    expect(probe(imported(5433), 5432)).toThrow('WritableProbe: invalid port 5432: the port the instance listens on, 5433, or unset');
  });
  test('another port than a created instance\'s is refused', () => {
    expect(probe(created(6543), 5432)).toThrow('WritableProbe: invalid port 5432: the port the instance listens on, 6543, or unset');
  });
});

test('a primaryVpcId equal to the literal ID of the primaryNetwork VPC is accepted', () => {
  const app = newApp();
  const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
  const drStack = newStack(app, 'Dr', DR_REGION);
  const vpc = ec2.Vpc.fromVpcAttributes(primaryStack, 'Vpc', {
    vpcId: PRIMARY_VPC_ID, availabilityZones: ['us-east-1a', 'us-east-1b'], isolatedSubnetIds: ['subnet-0a', 'subnet-0b'],
  });
  expect(() => multiRegionIn(primaryStack, drStack, { primaryNetwork: { vpc } })).not.toThrow();
});
