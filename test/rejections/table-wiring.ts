import { App, Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { RejectionRow } from './table';
import {
  BackupReplication, CrossRegionReadReplica, FailoverRunbook, IsolatedVpc, MultiAzPostgres, MultiRegionPostgres,
  ResilienceObjectives, Route53DbFailover,
  Route53DbFailoverProps, WritableProbe,
} from '../../src';
import { ACCOUNT, DR_REGION, DR_SECRET_KEY_ARN, PRIMARY_ENDPOINT, PRIMARY_REGION, failoverApp, newStack, twoRegionApp } from '../util';
import { DR_KEY, DR_SECRET_KEY, multiRegion } from './builders';

/**
 * Wiring mistakes: values each part accepts on its own, but that combined give an outage, a deploy failure or a target
 * reported as met that the configuration cannot meet.
 */
export const CONSIDERATIONS_PHZ = 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-considerations.html';
export const HOT_STANDBY = 'https://www.postgresql.org/docs/current/hot-standby.html';
export const RDS_ENDPOINTS = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ConnectToInstance.html';
export const MULTI_AZ_FAILOVER = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html';
export const REPLICA_LAG = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.Monitor.html';
export const RDS_METRICS = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/monitoring-cloudwatch.html';
const CREATE_DB_INSTANCE = 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html';
export const REPLICATE_SECRETS = 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html';
export const IMPORT_VALUE = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-importvalue.html';
export const IAM_DB_AUTH_POLICY = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html';
export const POSTGRES_IDENTIFIERS = 'https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS';

/** A DR probe of a replica of a primary whose master secret `orders-primary/master` is not replicated. */
function probeOfUnreplicatedSecret(app: App): void {
  const { drStack, primary, drNet } = twoRegionApp({ secretName: 'orders-primary/master' }, app);
  const replica = new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, instanceIdentifier: 'orders-dr' });
  new WritableProbe(drStack, 'ReplicaProbe', {
    instance: replica,
    credentials: secretsmanager.Secret.fromSecretAttributes(drStack, 'ReplicatedSecret', {
      secretPartialArn: `arn:aws:secretsmanager:${DR_REGION}:${ACCOUNT}:secret:orders-primary/master`,
      encryptionKey: kms.Key.fromKeyArn(drStack, 'SecretKey', DR_SECRET_KEY_ARN),
    }),
    vpc: drNet.vpc,
    topic: new sns.Topic(drStack, 'Topic', { enforceSSL: true }),
  });
}

/** A `MultiRegionPostgres` of `multiRegion`, and a role next to its primary that `grant` grants connect to. */
function patternGrant(grant: (orders: MultiRegionPostgres, role: iam.Role) => void): (app: App) => void {
  return (app) => {
    multiRegion({})(app);
    const orders = app.node.findAll().find((c): c is MultiRegionPostgres => c instanceof MultiRegionPostgres)!;
    const role = new iam.Role(orders, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    grant(orders, role);
  };
}


/** A primary with `primaryParameters` and its cross-Region replica with `replicaParameters`. */
function replicaWithParameters(primaryParameters: Record<string, string>, replicaParameters: Record<string, string>): (app: App) => void {
  return (app) => {
    const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
    const net = new IsolatedVpc(primaryStack, 'Network');
    const primary = new MultiAzPostgres(primaryStack, 'Orders', {
      vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, instanceIdentifier: 'orders-primary', parameters: primaryParameters,
    });
    const drStack = newStack(app, 'Dr', DR_REGION);
    const drNet = new IsolatedVpc(drStack, 'Network');
    new CrossRegionReadReplica(drStack, 'Replica', {
      sourceInstance: primary, vpc: drNet.vpc, instanceIdentifier: 'orders-dr', parameters: replicaParameters,
    });
  };
}

/** `failoverApp`, plus a second `Route53DbFailover` built from the same parts with `props` changed. */
function failover(props: (parts: ReturnType<typeof failoverApp>) => Partial<Route53DbFailoverProps>): (app: App) => void {
  return (app) => {
    const parts = failoverApp({}, app);
    new Route53DbFailover(parts.drStack, 'Other', {
      zoneName: 'billing.internal',
      vpcs: [parts.drNet.vpc, parts.primaryVpc],
      primary: { endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: parts.primaryProbe.notWritableAlarm },
      secondary: { endpointAddress: parts.replica.endpoint.hostname, notWritableAlarm: parts.drProbe.notWritableAlarm },
      ...props(parts),
    });
  };
}

/** `failoverApp` with its runbook, and `ResilienceObjectives` over them. */
function objectives(props: (parts: ReturnType<typeof failoverApp> & { runbook: FailoverRunbook }) =>
ConstructorParameters<typeof ResilienceObjectives>[2]): (app: App) => void {
  return (app) => {
    const parts = failoverApp({}, app);
    const runbook = new FailoverRunbook(parts.drStack, 'Runbook', {
      replica: parts.replica, topic: parts.drAlarms.topic, topicKey: parts.drAlarms.topicKey, failover: parts.failover,
    });
    new ResilienceObjectives(parts.drStack, 'Objectives', props({ ...parts, runbook }));
  };
}

const P = 'MultiRegionPostgres' as const;
const R = 'CrossRegionReadReplica' as const;
const W = 'WritableProbe' as const;
const F = 'Route53DbFailover' as const;
const O = 'ResilienceObjectives' as const;
const M = 'MultiAzPostgres' as const;

export const WIRING_REJECTIONS: RejectionRow[] = [
  // --- Connecting: credentials, grants and security groups across Regions ------------------------------------------
  {
    construct: W,
    prop: 'credentials',
    shown: "'Dr/ReplicatedSecret'",
    allowed: "these credentials are the source's master secret Primary/Orders/Secret, which has no replica in us-west-2",
    readme: "the source's master secret without a replica in the probe's Region",
    source: REPLICATE_SECRETS,
    build: probeOfUnreplicatedSecret,
  },
  {
    construct: R,
    prop: 'allowedPeers[0]',
    shown: "'Primary/App'",
    allowed: 'a security group of a stack in us-west-2',
    readme: "a security group of another Region's stack",
    source: IMPORT_VALUE,
    build: (app) => {
      const { primaryStack, drStack, primary, drNet } = twoRegionApp({}, app);
      const primaryNet = primaryStack.node.findChild('Network') as IsolatedVpc;
      const client = new ec2.SecurityGroup(primaryStack, 'App', { vpc: primaryNet.vpc });
      new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, instanceIdentifier: 'orders-dr', allowedPeers: [client] });
    },
  },
  {
    construct: M,
    prop: 'allowedPeers[0]',
    shown: "'Dr/App'",
    allowed: 'a security group of a stack in us-east-1',
    readme: "a security group of another Region's stack",
    source: IMPORT_VALUE,
    build: (app) => {
      const drStack = newStack(app, 'Dr', DR_REGION);
      const client = new ec2.SecurityGroup(drStack, 'App', { vpc: new IsolatedVpc(drStack, 'Network').vpc });
      const stack = newStack(app, 'Primary', PRIMARY_REGION);
      const net = new IsolatedVpc(stack, 'Network');
      new MultiAzPostgres(stack, 'Orders', { vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, allowedPeers: [client] });
    },
  },
  {
    construct: P,
    prop: 'drAllowedPeers[0]',
    shown: "'Apps/App'",
    allowed: 'a security group of a stack in us-west-2',
    readme: "a security group of another Region's stack",
    source: IMPORT_VALUE,
    build: (app) => {
      const apps = newStack(app, 'Apps', PRIMARY_REGION);
      const client = new ec2.SecurityGroup(apps, 'App', { vpc: new IsolatedVpc(apps, 'Network').vpc });
      multiRegion({ drAllowedPeers: [client] })(app);
    },
  },
  {
    construct: M,
    prop: 'dbUser',
    shown: "'Orders_App'",
    allowed: 'a PostgreSQL role name as an unquoted identifier is stored',
    readme: 'not a lower-case PostgreSQL identifier',
    source: POSTGRES_IDENTIFIERS,
    build: (app) => {
      const stack = newStack(app);
      const net = new IsolatedVpc(stack, 'Network');
      const db = new MultiAzPostgres(stack, 'Db', { vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint });
      db.grantConnect(new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }), 'Orders_App');
    },
  },
  {
    construct: P,
    prop: 'dbUser',
    shown: "'rdsadmin'",
    allowed: 'a role of the application',
    readme: 'not a lower-case PostgreSQL identifier',
    source: POSTGRES_IDENTIFIERS,
    build: patternGrant((orders, role) => orders.grantConnect(role, 'rdsadmin', { anyInstanceWhereUnknown: true })),
  },
  {
    construct: P,
    prop: 'resourceIds',
    shown: '(unset)',
    allowed: 'the DbiResourceId of orders-dr (us-west-2)',
    readme: '`grantConnect` whose grantee\'s stack cannot read the other Region\'s resource ID',
    source: IAM_DB_AUTH_POLICY,
    build: patternGrant((orders, role) => orders.grantConnect(role, 'orders_app')),
  },
  // --- Wiring that causes an outage ----------------------------------------------------------------------------------
  {
    construct: W,
    prop: 'port',
    shown: '5433',
    allowed: 'the port the instance listens on, 5432',
    readme: 'a `port` other than the instance\'s',
    source: RDS_ENDPOINTS,
    build: (app) => {
      const stack = newStack(app);
      const net = new IsolatedVpc(stack, 'Network');
      const db = new MultiAzPostgres(stack, 'Db', { vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, instanceIdentifier: 'orders-primary' });
      new WritableProbe(stack, 'Probe', {
        instance: db, credentials: db.secret, vpc: net.vpc, port: 5433, topic: new sns.Topic(stack, 'Topic', { enforceSSL: true }),
      });
    },
  },
  {
    construct: F,
    prop: 'primary.endpointAddress',
    shown: "'orders-primary.c1a2b3c4d5e6.us-west-2.rds.amazonaws.com'",
    allowed: "an endpoint in the primary's Region (us-east-1)",
    readme: 'in the secondary\'s Region',
    source: RDS_ENDPOINTS,
    path: 'Dr/Other',
    build: failover((p) => ({
      primary: { endpointAddress: 'orders-primary.c1a2b3c4d5e6.us-west-2.rds.amazonaws.com', notWritableAlarm: p.primaryProbe.notWritableAlarm },
    })),
  },
  {
    construct: F,
    prop: 'primary.endpointAddress',
    shown: `'${PRIMARY_ENDPOINT}'`,
    allowed: 'another endpoint than secondary.endpointAddress',
    readme: 'the same as `secondary.endpointAddress`',
    source: RDS_ENDPOINTS,
    path: 'Dr/Other',
    build: failover((p) => ({
      secondary: { endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: p.drProbe.notWritableAlarm },
    })),
  },
  {
    construct: F,
    prop: 'secondary.endpointAddress',
    shown: "'orders-dr.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com'",
    allowed: "an endpoint in the secondary's Region (us-west-2)",
    readme: 'in the primary\'s Region',
    source: RDS_ENDPOINTS,
    path: 'Dr/Other',
    build: failover((p) => ({
      secondary: { endpointAddress: 'orders-dr.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com', notWritableAlarm: p.drProbe.notWritableAlarm },
    })),
  },
  {
    construct: F,
    prop: 'zoneName',
    shown: "'amazonaws.com'",
    allowed: "a name outside AWS's own namespaces",
    readme: 'covers an AWS namespace',
    source: CONSIDERATIONS_PHZ,
    path: 'Dr/Other',
    build: failover(() => ({ zoneName: 'amazonaws.com' })),
  },
  {
    construct: F,
    prop: 'zoneName',
    shown: "'cn-north-1.compute.internal'",
    allowed: "a name outside AWS's own namespaces",
    readme: 'covers an AWS namespace',
    source: CONSIDERATIONS_PHZ,
    path: 'Dr/Other',
    build: failover(() => ({ zoneName: 'cn-north-1.compute.internal' })),
  },
  {
    construct: F,
    prop: 'writerRecordName',
    shown: "'writer.billing.internal'",
    allowed: 'a name relative to the zone, without the zone name',
    readme: 'contains the zone name',
    source: CONSIDERATIONS_PHZ,
    path: 'Dr/Other',
    build: failover(() => ({ writerRecordName: 'writer.billing.internal' })),
  },
  {
    construct: F,
    prop: 'readerRecordName',
    shown: "'reader.billing.internal'",
    allowed: 'a name relative to the zone, without the zone name',
    readme: 'contains the zone name',
    source: CONSIDERATIONS_PHZ,
    path: 'Dr/Other',
    build: failover((p) => ({
      readerRecordName: 'reader.billing.internal',
      primary: {
        endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: p.primaryProbe.notWritableAlarm, unreachableAlarm: p.primaryProbe.unreachableAlarm,
      },
      secondary: {
        endpointAddress: p.replica.endpoint.hostname, notWritableAlarm: p.drProbe.notWritableAlarm, unreachableAlarm: p.drProbe.unreachableAlarm,
      },
    })),
  },
  {
    construct: F,
    prop: 'readerRecordName',
    shown: "'db'",
    allowed: 'a name other than the writer record name',
    readme: 'both names equal',
    source: CONSIDERATIONS_PHZ,
    path: 'Dr/Other',
    build: failover(() => ({ writerRecordName: 'db', readerRecordName: 'db' })),
  },
  {
    construct: P,
    prop: 'zoneName',
    shown: "'rds.amazonaws.com'",
    allowed: "a name outside AWS's own namespaces",
    readme: 'a `zoneName` that covers an AWS namespace',
    source: CONSIDERATIONS_PHZ,
    build: multiRegion({ zoneName: 'rds.amazonaws.com' }),
  },
  {
    construct: P,
    prop: 'zoneName',
    shown: "'aws'",
    allowed: "a name outside AWS's own namespaces",
    readme: 'a `zoneName` that covers an AWS namespace',
    source: CONSIDERATIONS_PHZ,
    build: multiRegion({ zoneName: 'aws' }),
  },
  {
    construct: P,
    prop: 'primaryVpcId',
    shown: "'vpc-0a1b2c3d4e5f60718'",
    allowed: 'the ID of the VPC in primaryNetwork, vpc-0fedcba9876543210',
    readme: '`primaryVpcId` other than the literal ID of the `primaryNetwork` VPC',
    source: CONSIDERATIONS_PHZ,
    build: (app) => {
      const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
      const drStack = newStack(app, 'Dr', DR_REGION);
      const vpc = ec2.Vpc.fromVpcAttributes(primaryStack, 'Vpc', {
        vpcId: 'vpc-0fedcba9876543210', availabilityZones: ['us-east-1a', 'us-east-1b'], isolatedSubnetIds: ['subnet-0a', 'subnet-0b'],
      });
      new MultiRegionPostgres(primaryStack, 'Orders', {
        drScope: drStack,
        name: 'orders',
        zoneName: 'orders.internal',
        drBackupKeyArn: DR_KEY,
        drSecretKeyArn: DR_SECRET_KEY,
        primaryEndpointAddress: PRIMARY_ENDPOINT,
        primaryVpcId: 'vpc-0a1b2c3d4e5f60718',
        primaryNetwork: { vpc },
      });
    },
  },

  // --- Names that collide ---------------------------------------------------------------------------------------------
  {
    construct: P,
    prop: 'name',
    shown: "'orders'",
    allowed: 'a name no other MultiRegionPostgres of the app uses',
    readme: 'a `name` another `MultiRegionPostgres` of the app uses',
    source: CREATE_DB_INSTANCE,
    path: 'Primary2/Orders',
    build: (app) => {
      multiRegion({})(app);
      const primaryStack = newStack(app, 'Primary2', 'eu-west-1');
      const drStack = newStack(app, 'Dr2', 'eu-central-1');
      new MultiRegionPostgres(primaryStack, 'Orders', {
        drScope: drStack,
        name: 'orders',
        zoneName: 'orders.internal',
        drBackupKeyArn: `arn:aws:kms:eu-central-1:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`,
        drSecretKeyArn: `arn:aws:kms:eu-central-1:${ACCOUNT}:key/8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64`,
        primaryEndpointAddress: 'orders-primary.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com',
        primaryVpcId: 'vpc-0a1b2c3d4e5f60718',
      });
    },
  },
  {
    construct: P,
    prop: 'name',
    shown: "'orders'",
    allowed: 'a value whose DB instance identifier (orders-primary) is one no other DB instance of the app uses in account 111111111111, Region us-east-1',
    readme: 'whose DB instance identifiers another DB instance of the app uses',
    source: CREATE_DB_INSTANCE,
    build: (app) => {
      const stack = newStack(app, 'Other', PRIMARY_REGION);
      const net = new IsolatedVpc(stack, 'Network');
      new MultiAzPostgres(stack, 'Db', { vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, instanceIdentifier: 'orders-primary' });
      multiRegion({})(app);
    },
  },
  {
    construct: R,
    prop: 'instanceIdentifier',
    shown: "'orders-dr'",
    allowed: 'an identifier no other DB instance of the app uses in account 111111111111, Region us-west-2',
    readme: 'an `instanceIdentifier` another DB instance of the app uses in the same account and Region',
    source: CREATE_DB_INSTANCE,
    path: 'Dr/Second',
    build: (app) => {
      replicaWithParameters({}, {})(app);
      const drStack = app.node.findChild('Dr') as ReturnType<typeof newStack>;
      const primary = (app.node.findChild('Primary').node.findChild('Orders') as MultiAzPostgres);
      new CrossRegionReadReplica(drStack, 'Second', {
        sourceInstance: primary, vpc: (drStack.node.findChild('Network') as IsolatedVpc).vpc, instanceIdentifier: 'orders-dr',
      });
    },
  },

  // --- Replica parameters lower than the primary's ---------------------------------------------------------------------
  ...['max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction'].map((name) => ({
    construct: R,
    prop: `parameters.${name}`,
    shown: "'10'",
    allowed: `at least the primary's ${name} (20)`,
    readme: 'lower than the primary\'s',
    source: HOT_STANDBY,
    build: replicaWithParameters({ [name]: '20' }, { [name]: '10' }),
  })),

  // --- Targets that cannot be met -----------------------------------------------------------------------------------
  {
    construct: O,
    prop: 'azFailoverTime',
    shown: "'1 second'",
    allowed: 'a whole number of seconds from 60 to 3600',
    readme: 'an `azFailoverTime` under 60 s',
    source: MULTI_AZ_FAILOVER,
    build: objectives((p) => ({ primary: p.primary, azFailoverTime: Duration.seconds(1) })),
  },
  {
    construct: O,
    prop: 'regionFailure.rpo',
    shown: "'1 second'",
    allowed: 'at least 60 seconds',
    readme: 'a `regionFailure.rpo` under 60 s',
    source: RDS_METRICS,
    build: objectives((p) => ({ primary: p.primary, runbook: p.runbook, regionFailure: { rto: Duration.hours(2), rpo: Duration.seconds(1) } })),
  },
  {
    construct: O,
    prop: 'runbook',
    shown: "'Dr/Runbook'",
    allowed: 'a part of the database primary is about (billing-primary in us-east-1)',
    readme: 'parts of two databases',
    source: REPLICA_LAG,
    build: objectives((p) => {
      const net = p.primaryStack.node.findChild('Network') as IsolatedVpc;
      const billing = new MultiAzPostgres(p.primaryStack, 'Billing', {
        vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, instanceIdentifier: 'billing-primary',
      });
      return { primary: billing, runbook: p.runbook };
    }),
  },
  {
    construct: O,
    prop: 'backupReplication',
    shown: "'Primary/BillingBackups'",
    allowed: 'a part of the database primary is about (orders-primary in us-east-1)',
    readme: 'parts of two databases',
    source: REPLICA_LAG,
    build: objectives((p) => {
      const net = p.primaryStack.node.findChild('Network') as IsolatedVpc;
      const billing = new MultiAzPostgres(p.primaryStack, 'Billing', {
        vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, instanceIdentifier: 'billing-primary',
      });
      const backupReplication = new BackupReplication(p.primaryStack, 'BillingBackups', {
        sourceInstance: billing, destinationRegion: DR_REGION, destinationKeyArn: DR_KEY,
      });
      return { primary: p.primary, backupReplication };
    }),
  },
];
