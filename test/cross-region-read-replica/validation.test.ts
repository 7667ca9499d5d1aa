import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { CrossRegionReadReplica, CrossRegionReadReplicaProps, IsolatedVpc, PostgresInstanceBase, ReplicaSourceAttributes } from '../../src';

/** A DB instance of the app, as the parts take it. */
const wrap = (instance: rds.IDatabaseInstance) => PostgresInstanceBase.fromDatabaseInstance(Stack.of(instance), `${instance.node.id}Wrapped`, instance);
import { ACCOUNT, newStack, twoRegionApp } from '../util';

const PG18 = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 });
const ISOLATED = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
const M7G_LARGE = ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE);

function replicaOf(props: Partial<CrossRegionReadReplicaProps>) {
  const { drStack, primary, drNet } = twoRegionApp();
  return () => new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, ...props });
}

function attributes(overrides: Partial<ReplicaSourceAttributes> = {}): ReplicaSourceAttributes {
  return { instanceArn: `arn:aws:rds:us-east-1:${ACCOUNT}:db:legacy-orders`, engine: PG18, instanceType: M7G_LARGE, ...overrides };
}

describe('CrossRegionReadReplica rejects', () => {
  // RDS for PostgreSQL keeps automated backups on a read replica from 14.1 only.
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.html
  test('backups on the replica of a PostgreSQL 14.0 source, and takes Duration.days(0) or 14.1 instead', () => {
    const pg140 = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.of('14.0', '14') });
    const pg141 = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.of('14.1', '14') });
    const { drStack, drNet } = twoRegionApp();
    expect(() => new CrossRegionReadReplica(drStack, 'Replica', { sourceAttributes: attributes({ engine: pg140 }), vpc: drNet.vpc }))
      .toThrow("CrossRegionReadReplica: invalid replicaBackupRetention '1 day': Duration.days(0) for the source's engine 14.0: "
        + 'RDS for PostgreSQL keeps automated backups on a read replica from version 14.1 only');
    new CrossRegionReadReplica(drStack, 'Without', {
      sourceAttributes: attributes({ engine: pg140 }), vpc: drNet.vpc, replicaBackupRetention: Duration.days(0), instanceIdentifier: 'a',
    });
    new CrossRegionReadReplica(drStack, 'On141', { sourceAttributes: attributes({ engine: pg141 }), vpc: drNet.vpc, instanceIdentifier: 'b' });
    const retentions = Object.values(Template.fromStack(drStack).findResources('AWS::RDS::DBInstance'))
      .map((r: any) => r.Properties.BackupRetentionPeriod);
    expect(retentions.sort()).toEqual([1, undefined]);
  });

  test('a source in the replica Region', () => {
    const { app } = twoRegionApp();
    const sameRegion = newStack(app, 'SameRegion', 'us-east-1');
    const net = new IsolatedVpc(sameRegion, 'Network');
    const source = new rds.DatabaseInstance(sameRegion, 'Source', {
      engine: PG18, vpc: net.vpc, vpcSubnets: ISOLATED, instanceIdentifier: 'orders-primary', storageEncrypted: true,
    });
    expect(() => new CrossRegionReadReplica(sameRegion, 'Replica', { sourceInstance: wrap(source), vpc: net.vpc })).toThrow(
      "CrossRegionReadReplica: invalid sourceInstance 'SameRegion/Source': the source is in us-east-1, the replica's own Region; "
      + 'a cross-Region replica must be in another Region');
  });

  test('a source ARN in the replica Region', () => {
    const { drStack, drNet } = twoRegionApp();
    expect(() => new CrossRegionReadReplica(drStack, 'Replica', {
      sourceAttributes: attributes({ instanceArn: `arn:aws:rds:us-west-2:${ACCOUNT}:db:legacy-orders` }), vpc: drNet.vpc,
    })).toThrow(/invalid sourceAttributes.instanceArn 'arn:aws:rds:us-west-2:111111111111:db:legacy-orders': the source is in us-west-2, the replica's own Region/);
  });

  test('a source in another account', () => {
    const { drStack, drNet } = twoRegionApp();
    expect(() => new CrossRegionReadReplica(drStack, 'Replica', {
      sourceAttributes: attributes({ instanceArn: 'arn:aws:rds:us-east-1:222222222222:db:legacy-orders' }), vpc: drNet.vpc,
    })).toThrow(/the source is in account 222222222222 and the replica stack in 111111111111; RDS creates a DB instance read replica in the source's account only/);
  });

  test('an unencrypted source (an unencrypted replica)', () => {
    const { app, drStack, drNet } = twoRegionApp();
    const other = newStack(app, 'Other', 'eu-west-1');
    const net = new IsolatedVpc(other, 'Network');
    const source = new rds.DatabaseInstance(other, 'Plain', {
      engine: PG18, vpc: net.vpc, vpcSubnets: ISOLATED, instanceIdentifier: 'plain', storageEncrypted: false,
    });
    expect(() => new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: wrap(source), vpc: drNet.vpc })).toThrow(
      /invalid sourceInstance 'Other\/Plain': the source storage is not encrypted; RDS can only create an encrypted cross-Region replica of an encrypted source/);
    expect(() => new CrossRegionReadReplica(drStack, 'Replica2', { sourceAttributes: attributes({ storageEncrypted: false }), vpc: drNet.vpc }))
      .toThrow(/the source storage is not encrypted/);
  });

  test('a source whose master password is managed by RDS', () => {
    const { app, drStack, drNet } = twoRegionApp();
    const other = newStack(app, 'Other', 'eu-west-1');
    const net = new IsolatedVpc(other, 'Network');
    const source = new rds.DatabaseInstance(other, 'Managed', {
      engine: PG18, vpc: net.vpc, vpcSubnets: ISOLATED, instanceIdentifier: 'managed', storageEncrypted: true,
    });
    (source.node.defaultChild as rds.CfnDBInstance).manageMasterUserPassword = true;
    expect(() => new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: wrap(source), vpc: drNet.vpc })).toThrow(
      /invalid sourceInstance 'Other\/Managed': the source master password is managed by RDS in Secrets Manager \(ManageMasterUserPassword\), and RDS cannot create a cross-Region read replica/);
    expect(() => new CrossRegionReadReplica(drStack, 'Replica2', { sourceAttributes: attributes({ masterUserPasswordManagedByRds: true }), vpc: drNet.vpc }))
      .toThrow(/managed by RDS in Secrets Manager/);
  });

  test('an engine other than PostgreSQL', () => {
    const { drStack, drNet } = twoRegionApp();
    expect(() => new CrossRegionReadReplica(drStack, 'Replica', {
      sourceAttributes: attributes({ engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0 }) }), vpc: drNet.vpc,
    })).toThrow("CrossRegionReadReplica: invalid sourceAttributes.instanceArn engine 'mysql': only RDS for PostgreSQL ('postgres') is supported");
  });

  test('an engine that does not match the source', () => {
    expect(replicaOf({ engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }) })).toThrow(
      /invalid engine 'postgres 17': the replica runs the source's engine, postgres 18; leave engine unset or give the same engine and major version/);
    expect(replicaOf({ engine: rds.DatabaseInstanceEngine.mariaDb({ version: rds.MariaDbEngineVersion.VER_10_11 }) })).toThrow(
      /invalid engine 'mariadb[^']*': the replica runs the source's engine/);
  });

  test('a source engine without a version', () => {
    const { drStack, drNet } = twoRegionApp();
    expect(() => new CrossRegionReadReplica(drStack, 'Replica', {
      sourceAttributes: attributes({ engine: rds.DatabaseInstanceEngine.POSTGRES }), vpc: drNet.vpc,
    })).toThrow(/the source engine must name its version/);
  });

  test('an environment-agnostic replica stack', () => {
    const { app, primary } = twoRegionApp();
    const agnostic = new Stack(app, 'Agnostic');
    const vpc = new ec2.Vpc(agnostic, 'Vpc', { subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    expect(() => new CrossRegionReadReplica(agnostic, 'Replica', { sourceInstance: primary, vpc })).toThrow(
      /CrossRegionReadReplica: invalid scope 'stack Agnostic \(region \(a token\)\)': the replica stack needs an explicit env with account and region/);
  });

  test('an environment-agnostic source stack', () => {
    const app = new App();
    const agnostic = new Stack(app, 'Agnostic');
    const vpc = new ec2.Vpc(agnostic, 'Vpc', { subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const source = new rds.DatabaseInstance(agnostic, 'Source', { engine: PG18, vpc, vpcSubnets: ISOLATED, instanceIdentifier: 'src', storageEncrypted: true });
    const dr = newStack(app, 'Dr', 'us-west-2');
    const net = new IsolatedVpc(dr, 'Network');
    expect(() => new CrossRegionReadReplica(dr, 'Replica', { sourceInstance: wrap(source), vpc: net.vpc })).toThrow(
      /invalid sourceInstance 'Agnostic\/Source': a DB instance in a stack with an explicit env \(account and region\); stack Agnostic is environment-agnostic/);
  });

  test('a source without a literal identifier', () => {
    const { app, drStack, drNet } = twoRegionApp();
    const other = newStack(app, 'Other', 'eu-west-1');
    const net = new IsolatedVpc(other, 'Network');
    const source = new rds.DatabaseInstance(other, 'Unnamed', { engine: PG18, vpc: net.vpc, vpcSubnets: ISOLATED, storageEncrypted: true });
    expect(() => new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: wrap(source), vpc: drNet.vpc })).toThrow(
      /PostgresInstanceBase.fromDatabaseInstance: invalid instance 'Other\/Unnamed': a DB instance with a literal instanceIdentifier/);
  });

  test('an imported source instance', () => {
    const { app, drStack, drNet } = twoRegionApp();
    const other = newStack(app, 'Other', 'eu-west-1');
    const imported = rds.DatabaseInstance.fromDatabaseInstanceAttributes(other, 'Imported', {
      instanceIdentifier: 'legacy', instanceEndpointAddress: 'legacy.example', port: 5432, securityGroups: [], engine: PG18,
    });
    expect(() => new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: wrap(imported), vpc: drNet.vpc })).toThrow(
      /PostgresInstanceBase.fromDatabaseInstance: invalid instance 'Other\/Imported': a DB instance defined in this CDK app .* PostgresInstanceBase.fromPostgresInstanceAttributes/);
  });

  test('a source that is itself a replica', () => {
    const { app, drStack, drNet, primary } = twoRegionApp();
    const other = newStack(app, 'Other', 'eu-west-1');
    const net = new IsolatedVpc(other, 'Network');
    const chained = new CrossRegionReadReplica(other, 'Chained', { sourceInstance: primary, vpc: net.vpc, vpcSubnets: ISOLATED, instanceIdentifier: 'chained' });
    expect(() => new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: chained, vpc: drNet.vpc })).toThrow(
      /invalid sourceInstance 'Other\/Chained\/Instance': a primary DB instance; this instance is itself a read replica/);
  });

  test('both or neither of sourceInstance and sourceAttributes', () => {
    const { drStack, drNet, primary } = twoRegionApp();
    expect(() => new CrossRegionReadReplica(drStack, 'Neither', { vpc: drNet.vpc })).toThrow(
      'CrossRegionReadReplica: invalid sourceInstance (unset): give exactly one of sourceInstance (a DB instance of this app or an import) and sourceAttributes (an ARN plus attributes)');
    expect(() => new CrossRegionReadReplica(drStack, 'Both', { vpc: drNet.vpc, sourceInstance: primary, sourceAttributes: attributes() }))
      .toThrow(/invalid sourceInstance 'Primary\/Orders\/Instance': give exactly one of sourceInstance/);
  });

  test.each([
    ['arn:aws:rds:us-east-1:111111111111:cluster:orders', 'a cluster ARN'],
    ['orders-primary', 'an identifier'],
    ['arn:aws:rds:us-east-1:1111:db:orders', 'a short account'],
  ])('a malformed source ARN: %s (%s)', (arn) => {
    const { drStack, drNet } = twoRegionApp();
    expect(() => new CrossRegionReadReplica(drStack, 'Replica', { sourceAttributes: attributes({ instanceArn: arn }), vpc: drNet.vpc })).toThrow(
      `CrossRegionReadReplica: invalid sourceAttributes.instanceArn '${arn}': a DB instance ARN of the form arn:<partition>:rds:<region>:<12-digit account>:db:<identifier>`);
  });

  test('a deploy-time token as source ARN', () => {
    const { drStack, drNet } = twoRegionApp();
    const param = new secretsmanager.Secret(drStack, 'S');
    expect(() => new CrossRegionReadReplica(drStack, 'Replica', { sourceAttributes: attributes({ instanceArn: param.secretArn }), vpc: drNet.vpc }))
      .toThrow(/invalid sourceAttributes.instanceArn \(a token\): a literal ARN/);
  });

  test('public subnets, public access, TLS off without acknowledgement, TLS parameters by hand', () => {
    const { app, primary } = twoRegionApp();
    const dr = newStack(app, 'DrPublic', 'us-west-2');
    const vpc = new ec2.Vpc(dr, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'pub', subnetType: ec2.SubnetType.PUBLIC }, { name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const make = (id: string, props: Partial<CrossRegionReadReplicaProps>) =>
      () => new CrossRegionReadReplica(dr, id, { sourceInstance: primary, vpc, ...props });
    expect(make('A', { vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } })).toThrow(
      "CrossRegionReadReplica: invalid vpcSubnets 'subnetType Public': the database must be placed in private or isolated subnets, never public ones");
    expect(make('B', { publiclyAccessible: true })).toThrow('CrossRegionReadReplica: invalid publiclyAccessible true: only false is supported');
    expect(make('C', { enforceTls: false })).toThrow(/invalid enforceTls false: clients could then send credentials and data in clear text; set acknowledgeTlsNotEnforced/);
    expect(make('D', { parameters: { 'rds.force_ssl': '0' } })).toThrow(
      "CrossRegionReadReplica: invalid parameters 'rds.force_ssl': the TLS parameters are set through enforceTls and minimumTlsVersion");
  });

  test.each<[string, Partial<CrossRegionReadReplicaProps>, string | RegExp]>([
    ['identifier', { instanceIdentifier: 'orders--dr' }, /invalid instanceIdentifier 'orders--dr': 1 to 63 letters/],
    ['retired class', { instanceType: ec2.InstanceType.of(ec2.InstanceClass.R4, ec2.InstanceSize.LARGE) }, /invalid instanceType 'db.r4.large': the r4 instance family is retired/],
    ['monitoring interval', { monitoringInterval: { toSeconds: () => 20, toHumanString: () => '20 seconds' } as any }, "CrossRegionReadReplica: invalid monitoringInterval '20 seconds': one of 1, 5, 10, 15, 30 or 60 seconds"],
    ['maxAllocatedStorage', { maxAllocatedStorage: 70000 }, 'CrossRegionReadReplica: invalid maxAllocatedStorage 70000: a whole number of GiB from 20 to 65536'],
  ])('%s', (_name, props, message) => {
    expect(replicaOf(props)).toThrow(message);
  });
});

describe('sourceAttributes describes a source made outside CDK', () => {
  test('ARN, engine, class, storage type and port are used as given', () => {
    const { drStack, drNet } = twoRegionApp();
    const replica = new CrossRegionReadReplica(drStack, 'Replica', {
      sourceAttributes: attributes({
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.XLARGE2),
        storageType: rds.StorageType.IO2,
        port: 5433,
      }),
      vpc: drNet.vpc,
      instanceIdentifier: 'legacy-orders-dr',
    });
    expect(replica.sourceInstanceArn).toBe('arn:aws:rds:us-east-1:111111111111:db:legacy-orders');
    expect(replica.instanceClass).toBe('db.r7g.2xlarge');
    Template.fromStack(drStack).hasResourceProperties('AWS::RDS::DBInstance', {
      SourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:111111111111:db:legacy-orders',
      DBInstanceClass: 'db.r7g.2xlarge',
      StorageType: 'io2',
      Port: '5433',
    });
  });
});
