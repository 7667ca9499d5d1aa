import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ConnectGrant, CrossRegionReadReplica, MultiRegionPostgres, PostgresInstanceBase } from '../../src';
import { multiRegion } from '../rejections/builders';
import { ACCOUNT, DR_REGION, PRIMARY_REGION, dbStack, newApp, twoRegionApp } from '../util';

const REPLICA_ID = 'db-REPLICA0123456789ABCDEFGH';
const PRIMARY_ID = 'db-PRIMARY0123456789ABCDEFGH';

function pattern(app: App = newApp()) {
  multiRegion({})(app);
  const orders = app.node.findAll().find((c): c is MultiRegionPostgres => c instanceof MultiRegionPostgres)!;
  const primaryStack = Stack.of(orders.primary);
  const drStack = Stack.of(orders.replica);
  return { app, orders, primaryStack, drStack };
}

/** The `rds-db:connect` statements of a role's policies in a template. */
function connectStatements(template: Template): Array<{ Action: unknown; Resource: unknown }> {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>)
    .filter((statement) => statement.Action === 'rds-db:connect');
}

function dbuserArn(region: string, resourceId: unknown, user: string): unknown {
  return {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds-db:${region}:${ACCOUNT}:dbuser:`, resourceId, `/${user}`]],
  };
}

describe('MultiRegionPostgres.grantConnect', () => {
  test('a role next to the primary: the primary by its DbiResourceId attribute, the replica by the given ID, this user only', () => {
    const { orders, primaryStack } = pattern();
    const role = new iam.Role(primaryStack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    orders.grantConnect(role, 'orders_app', { resourceIds: { 'orders-dr': REPLICA_ID } });
    const primaryInstance = primaryStack.getLogicalId(orders.primary.instance.node.defaultChild as any);
    expect(connectStatements(Template.fromStack(primaryStack))).toEqual([{
      Action: 'rds-db:connect',
      Effect: 'Allow',
      Resource: [
        dbuserArn(PRIMARY_REGION, { 'Fn::GetAtt': [primaryInstance, 'DbiResourceId'] }, 'orders_app'),
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds-db:${DR_REGION}:${ACCOUNT}:dbuser:${REPLICA_ID}/orders_app`]] },
      ],
    }]);
  });

  test.each([
    ['with', true],
    ['without', false],
  ])('%s the feature flag that corrects DatabaseInstanceReadReplica.instanceResourceId, the replica is named by its DbiResourceId', (_, flag) => {
    // aws-cdk-lib gives a read replica's instanceResourceId as its ARN unless this flag is set; an app made before the flag
    // existed does not have it, and a grant on the ARN matches no login.
    const app = new App({ context: { '@aws-cdk/aws-rds:setCorrectValueForDatabaseInstanceReadReplicaInstanceResourceId': flag } });
    const { orders, drStack } = pattern(app);
    const role = new iam.Role(drStack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    orders.replica.grantConnect(role, 'orders_app');
    orders.grantConnect(role, 'orders_reporting', { resourceIds: { 'orders-primary': PRIMARY_ID } });
    const replicaInstance = drStack.getLogicalId(orders.replica.readReplica.node.defaultChild as any);
    const resources = connectStatements(Template.fromStack(drStack)).flatMap((statement) => [statement.Resource].flat());
    expect(resources).toEqual(expect.arrayContaining([
      dbuserArn(DR_REGION, { 'Fn::GetAtt': [replicaInstance, 'DbiResourceId'] }, 'orders_app'),
      dbuserArn(DR_REGION, { 'Fn::GetAtt': [replicaInstance, 'DbiResourceId'] }, 'orders_reporting'),
    ]));
    expect(JSON.stringify(resources)).not.toContain('DBInstanceArn');
  });

  test('a role in the DR Region: the replica by its attribute, the primary by the given ID', () => {
    const { orders, drStack } = pattern();
    const role = new iam.Role(drStack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    orders.grantConnect(role, 'orders_app', { resourceIds: { 'orders-primary': PRIMARY_ID } });
    const replicaInstance = drStack.getLogicalId(orders.replica.readReplica.node.defaultChild as any);
    expect(connectStatements(Template.fromStack(drStack))).toEqual([{
      Action: 'rds-db:connect',
      Effect: 'Allow',
      Resource: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds-db:${PRIMARY_REGION}:${ACCOUNT}:dbuser:${PRIMARY_ID}/orders_app`]] },
        dbuserArn(DR_REGION, { 'Fn::GetAtt': [replicaInstance, 'DbiResourceId'] }, 'orders_app'),
      ],
    }]);
  });

  test('anyInstanceWhereUnknown grants on every instance of the other Region, for this user only', () => {
    const { orders, primaryStack } = pattern();
    const role = new iam.Role(primaryStack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    orders.grantConnect(role, 'orders_app', { anyInstanceWhereUnknown: true });
    const resources = connectStatements(Template.fromStack(primaryStack))[0].Resource as unknown[];
    expect(resources).toHaveLength(2);
    expect(resources[1]).toEqual(
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds-db:${DR_REGION}:${ACCOUNT}:dbuser:*/orders_app`]] });
    expect(JSON.stringify(resources)).not.toMatch(/dbuser:\*\/\*|dbuser:\*"|\/\*"/);
  });

  test('without the other Region\'s resource ID, the grant is refused rather than broadened', () => {
    const { orders, primaryStack } = pattern();
    const role = new iam.Role(primaryStack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => orders.grantConnect(role, 'orders_app')).toThrow(
      /^\[Primary\/Orders\] MultiRegionPostgres: invalid resourceIds \(unset\): the DbiResourceId of orders-dr \(us-west-2\).*anyInstanceWhereUnknown: true/);
  });

  test.each([
    ['a resource ID of an unknown instance', { resourceIds: { 'billing-dr': REPLICA_ID } }, /invalid resourceIds 'billing-dr': the DB instance identifier/],
    ['a malformed resource ID', { resourceIds: { 'orders-dr': 'orders-dr' } }, /invalid resourceIds.orders-dr 'orders-dr': the literal DbiResourceId/],
  ])('%s is refused', (_name, options, message) => {
    const { orders, primaryStack } = pattern();
    const role = new iam.Role(primaryStack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => orders.grantConnect(role, 'orders_app', options)).toThrow(message);
  });
});

describe('dbUser', () => {
  test.each([
    ['', /invalid dbUser '': a PostgreSQL role name/],
    ['Orders_App', /invalid dbUser 'Orders_App': a PostgreSQL role name/],
    ['orders-app', /invalid dbUser 'orders-app'/],
    ['1app', /invalid dbUser '1app'/],
    ['x'.repeat(64), /invalid dbUser 'x{64}'/],
    ['user', /invalid dbUser 'user': not a PostgreSQL reserved word/],
    ['pg_monitor', /invalid dbUser 'pg_monitor': a role of the application/],
    ['rdsadmin', /invalid dbUser 'rdsadmin': a role of the application/],
  ])('%j is refused by MultiAzPostgres, MultiRegionPostgres and ConnectGrant', (user, message) => {
    const { db, stack } = dbStack();
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => db.grantConnect(role, user)).toThrow(message);
    expect(() => ConnectGrant.onInstances(role, user, [db])).toThrow(message);
    const { orders, primaryStack } = pattern();
    const other = new iam.Role(primaryStack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => orders.grantConnect(other, user, { anyInstanceWhereUnknown: true })).toThrow(message);
  });

  test.each(['orders_app', '_svc', 'app$1', 'x'.repeat(63)])('%s is accepted', (user) => {
    const { db, stack } = dbStack();
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => db.grantConnect(role, user)).not.toThrow();
  });
});

describe('the composed path', () => {
  test('ConnectGrant.onInstances names the primary and the replica, each by its own resource ID', () => {
    const { primaryStack, drStack, primary, drNet } = twoRegionApp();
    const replica = new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, instanceIdentifier: 'orders-dr' });
    const role = new iam.Role(drStack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    ConnectGrant.onInstances(role, 'orders_app', [primary, replica], { resourceIds: { 'orders-primary': PRIMARY_ID } });
    const replicaInstance = drStack.getLogicalId(replica.readReplica.node.defaultChild as any);
    expect(connectStatements(Template.fromStack(drStack))[0].Resource).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds-db:${PRIMARY_REGION}:${ACCOUNT}:dbuser:${PRIMARY_ID}/orders_app`]] },
      dbuserArn(DR_REGION, { 'Fn::GetAtt': [replicaInstance, 'DbiResourceId'] }, 'orders_app'),
    ]);
    expect(primaryStack).toBeDefined();
  });

  test('an imported instance with a literal resource ID is named by it in any stack', () => {
    const { primaryStack, primary } = twoRegionApp();
    const imported = PostgresInstanceBase.fromPostgresInstanceAttributes(primaryStack, 'Dr', {
      instanceArn: `arn:aws:rds:${DR_REGION}:${ACCOUNT}:db:orders-dr`,
      endpointAddress: `orders-dr.c1a2b3c4d5e6.${DR_REGION}.rds.amazonaws.com`,
      engine: primary.engine,
      instanceResourceId: REPLICA_ID,
    });
    const role = new iam.Role(primaryStack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    ConnectGrant.onInstances(role, 'orders_app', [primary, imported]);
    const resources = connectStatements(Template.fromStack(primaryStack))[0].Resource as unknown[];
    expect(resources[1]).toEqual(
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds-db:${DR_REGION}:${ACCOUNT}:dbuser:${REPLICA_ID}/orders_app`]] });
  });

  test('no instances is refused', () => {
    const { db, stack } = dbStack();
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(db).toBeDefined();
    expect(() => ConnectGrant.onInstances(role, 'orders_app', [])).toThrow(/^ConnectGrant: invalid instances '\[\]': at least one DB instance/);
  });
});
