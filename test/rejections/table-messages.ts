import { App, Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { RejectionRow } from './table';
import { CrossRegionReadReplica, FailoverRunbook, IsolatedVpc, MultiAzPostgres, MultiRegionPostgres, WritableProbe } from '../../src';
import { ACCOUNT, DR_REGION, PRIMARY_ENDPOINT, PRIMARY_REGION, PRIMARY_VPC_ID, failoverApp, newStack } from '../util';
import { DR_KEY, DR_SECRET_KEY, multiRegion } from './builders';

/**
 * Messages: pattern props reported under their own name, tokens where a literal is needed, and the library's message
 * where aws-cdk-lib (or a later step) would otherwise fail first. Spread into `REJECTIONS` by `table.ts`.
 */
const CREATE_DB_INSTANCE = 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html';
const CREATE_DB_PARAMETER_GROUP = 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html';
const REPLICATE_BACKUPS = 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBInstanceAutomatedBackupsReplication.html';
const RDS_METRICS = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/monitoring-cloudwatch.html';
const DB_SUBNET_GROUPS = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html';
const LAMBDA_VPC = 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html';
const VPC_CIDR = 'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html';


function multiAz(props: (stack: ReturnType<typeof newStack>) => Partial<ConstructorParameters<typeof MultiAzPostgres>[2]>): (app: App) => void {
  return (app) => {
    const stack = newStack(app);
    const net = new IsolatedVpc(stack, 'Network');
    new MultiAzPostgres(stack, 'Db', { vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, ...props(stack) });
  };
}

/** A VPC with public subnets only. */
function publicOnly(scope: ReturnType<typeof newStack>): ec2.Vpc {
  return new ec2.Vpc(scope, 'PublicVpc', { natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
}

function primaryIn(app: App) {
  const stack = newStack(app, 'Primary', PRIMARY_REGION);
  const net = new IsolatedVpc(stack, 'Network');
  const primary = new MultiAzPostgres(stack, 'Orders', {
    vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, instanceIdentifier: 'orders-primary',
  });
  return { stack, net, primary };
}

const M = 'MultiAzPostgres' as const;
const P = 'MultiRegionPostgres' as const;

export const MESSAGE_REJECTIONS: RejectionRow[] = [
  // --- Pattern props reported under their own name ---------------------------------------------------------------------
  {
    construct: P,
    prop: 'drBackupKeyArn',
    shown: `'arn:aws:kms:${PRIMARY_REGION}:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10'`,
    allowed: `a key in the destination Region ${DR_REGION}, not ${PRIMARY_REGION}`,
    readme: 'reported under the pattern\'s prop',
    source: REPLICATE_BACKUPS,
    build: multiRegion({ drBackupKeyArn: `arn:aws:kms:${PRIMARY_REGION}:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10` }),
  },
  {
    construct: P,
    prop: 'maxLagAtPromotion',
    shown: "'30 seconds'",
    allowed: 'at least 60 seconds',
    readme: 'reported under the pattern\'s prop',
    source: RDS_METRICS,
    build: multiRegion({ maxLagAtPromotion: Duration.seconds(30) }),
  },
  {
    construct: P,
    prop: 'allocatedStorage',
    shown: '10',
    allowed: 'gp3 storage takes a whole number of GiB from 20 to 65536',
    readme: 'reported under the pattern\'s prop',
    source: CREATE_DB_INSTANCE,
    build: multiRegion({ allocatedStorage: 10 }),
  },
  {
    construct: P,
    prop: 'engine',
    shown: "'postgres'",
    allowed: 'an engine with a version',
    readme: 'reported under the pattern\'s prop',
    source: CREATE_DB_PARAMETER_GROUP,
    build: multiRegion({ engine: rds.DatabaseInstanceEngine.POSTGRES }),
  },
  {
    construct: P,
    prop: 'primaryNetwork.vpc',
    shown: "'subnetType Private'",
    allowed: 'private or isolated subnets of the VPC, which has none that match',
    readme: 'reported under the pattern\'s prop',
    source: DB_SUBNET_GROUPS,
    build: (app) => {
      const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
      new MultiRegionPostgres(primaryStack, 'Orders', {
        drScope: newStack(app, 'Dr', DR_REGION),
        name: 'orders',
        zoneName: 'orders.internal',
        drBackupKeyArn: DR_KEY,
        drSecretKeyArn: DR_SECRET_KEY,
        primaryEndpointAddress: PRIMARY_ENDPOINT,
        primaryVpcId: PRIMARY_VPC_ID,
        primaryNetwork: { vpc: publicOnly(primaryStack) },
      });
    },
  },

  // --- Tokens where a literal is needed ----------------------------------------------------------------------------------
  {
    construct: M,
    prop: 'backupRetention',
    shown: '(a token)',
    allowed: 'a literal duration is required, because it is checked at synth time',
    readme: 'a deploy-time value',
    source: CREATE_DB_INSTANCE,
    build: multiAz(() => ({ backupRetention: Duration.days(Token.asNumber({ Ref: 'Retention' })) })),
  },
  {
    construct: M,
    prop: 'port',
    shown: '(a token)',
    allowed: 'a literal number is required, because it is checked against the RDS for PostgreSQL range',
    readme: 'a deploy-time value',
    source: CREATE_DB_INSTANCE,
    build: multiAz(() => ({ port: Token.asNumber({ Ref: 'Port' }) })),
  },
  {
    construct: P,
    prop: 'drBackupKeyArn',
    shown: '(a token)',
    allowed: 'not an alias or a token',
    readme: 'reported under the pattern\'s prop',
    source: REPLICATE_BACKUPS,
    build: multiRegion({ drBackupKeyArn: Token.asString({ Ref: 'BackupKey' }) }),
  },

  // --- The library's message before aws-cdk-lib's ------------------------------------------------------------------------
  {
    construct: M,
    prop: 'engine',
    shown: "'postgres'",
    allowed: 'an engine with a version',
    readme: 'an engine without a version',
    source: CREATE_DB_PARAMETER_GROUP,
    build: multiAz(() => ({ engine: rds.DatabaseInstanceEngine.POSTGRES })),
  },
  {
    construct: M,
    prop: 'vpc',
    shown: "'subnetType Private'",
    allowed: 'private or isolated subnets of the VPC, which has none that match',
    readme: 'no private or isolated subnets, or subnets in fewer than two Availability Zones',
    source: DB_SUBNET_GROUPS,
    build: (app) => {
      const stack = newStack(app);
      new MultiAzPostgres(stack, 'Db', { vpc: publicOnly(stack) });
    },
  },
  {
    construct: M,
    prop: 'vpc',
    shown: "'subnetType Isolated'",
    allowed: 'subnets in at least 2 Availability Zones',
    readme: 'no private or isolated subnets, or subnets in fewer than two Availability Zones',
    source: DB_SUBNET_GROUPS,
    build: (app) => {
      const stack = newStack(app);
      const vpc = new ec2.Vpc(stack, 'OneAz', {
        maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      });
      new MultiAzPostgres(stack, 'Db', { vpc });
    },
  },
  {
    construct: 'CrossRegionReadReplica',
    prop: 'vpc',
    shown: "'subnetType Private'",
    allowed: 'private or isolated subnets of the VPC, which has none that match',
    readme: 'no private or isolated subnets, or subnets in fewer than two Availability Zones',
    source: DB_SUBNET_GROUPS,
    build: (app) => {
      const { primary } = primaryIn(app);
      const drStack = newStack(app, 'Dr', DR_REGION);
      new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: publicOnly(drStack), instanceIdentifier: 'orders-dr' });
    },
  },
  {
    construct: 'WritableProbe',
    prop: 'vpc',
    shown: "'subnetType Private'",
    allowed: 'private or isolated subnets of the VPC, which has none that match',
    readme: 'no private or isolated subnets',
    source: DB_SUBNET_GROUPS,
    build: (app) => {
      const { stack, primary } = primaryIn(app);
      new WritableProbe(stack, 'Probe', { instance: primary, credentials: primary.secret, vpc: publicOnly(stack), topic: new sns.Topic(stack, 'Topic') });
    },
  },
  {
    construct: 'WritableProbe',
    prop: 'instance',
    shown: "'Primary/Orders/Instance'",
    allowed: `a DB instance in this stack's Region (${DR_REGION}), not ${PRIMARY_REGION}`,
    readme: 'an `instance` of another Region',
    source: LAMBDA_VPC,
    build: (app) => {
      const { primary } = primaryIn(app);
      const drStack = newStack(app, 'Dr', DR_REGION);
      const net = new IsolatedVpc(drStack, 'Network');
      new WritableProbe(drStack, 'Probe', { instance: primary, credentials: primary.secret, vpc: net.vpc, topic: new sns.Topic(drStack, 'Topic') });
    },
  },
  {
    construct: 'IsolatedVpc',
    prop: 'ipAddresses',
    shown: "'10.0.0.0/28'",
    allowed: 'a CIDR block from /16 to /23',
    readme: 'a CIDR block smaller than its subnets need',
    source: VPC_CIDR,
    build: (app) => {
      new IsolatedVpc(newStack(app), 'Network', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/28') });
    },
  },

  // --- FailoverRunbook ---------------------------------------------------------------------------------------------------
  {
    construct: 'FailoverRunbook',
    prop: 'maxLagAtPromotion',
    shown: "'30 seconds'",
    allowed: 'at least 60 seconds: replication to the other Region is asynchronous',
    readme: '`maxLagAtPromotion` under 60 s',
    source: RDS_METRICS,
    build: (app) => {
      const parts = failoverApp({}, app);
      new FailoverRunbook(parts.drStack, 'Runbook', { replica: parts.replica, topic: parts.drAlarms.topic, maxLagAtPromotion: Duration.seconds(30) });
    },
  },
];
