import * as fs from 'fs';
import { AddressInfo, createServer } from 'net';
import * as path from 'path';
import { App, AppProps, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Finding, synthWithCompliancePacks } from '../scripts/compliance';
import {
  CrossRegionReadReplica, DbAlarmSet, FailoverRunbook, FailoverRunbookProps, IsolatedVpc, MultiAzPostgres, MultiAzPostgresProps,
  Route53DbFailover, Route53DbFailoverProps,
  WritableProbe,
} from '../src';

/** Where tests record every template they synthesize; `scripts/cfn-lint.sh` lints all of them. */
export const TEMPLATE_RECORD_DIR = path.join(__dirname, '..', '.cfn-lint', 'templates');

export const ACCOUNT = '111111111111';
export const PRIMARY_REGION = 'us-east-1';

/** An app with the feature flags a new CDK project gets, plus aws-cdk-lib's built-in template validation. */
export function newApp(props: AppProps = {}): App {
  return new App({
    ...props,
    context: {
      ...cxapi.CURRENTLY_RECOMMENDED_FLAGS,
      [cxapi.VALIDATE_AGAINST_DEFAULT_RULES]: true,
      ...props.context,
    },
  });
}

export function newStack(app: App = newApp(), id = 'TestStack', region = PRIMARY_REGION): Stack {
  return new Stack(app, id, { env: { account: ACCOUNT, region } });
}

let recorded = 0;

/** Synthesizes a stack's template for assertions and records it for cfn-lint. */
export function record(stack: Stack): Template {
  const template = Template.fromStack(stack);
  const state = expect.getState();
  const file = path.basename(state.testPath ?? 'unknown', '.test.ts');
  const testName = `${file}-${state.currentTestName ?? 'setup'}-${++recorded}`.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 150);
  fs.mkdirSync(TEMPLATE_RECORD_DIR, { recursive: true });
  fs.writeFileSync(path.join(TEMPLATE_RECORD_DIR, `${testName}--${stack.artifactId}.template.json`),
    JSON.stringify(template.toJSON(), undefined, 1));
  return template;
}

export { NAG_PACKS, acknowledgements } from '../scripts/compliance';
export type { Finding } from '../scripts/compliance';

/** Adds the four compliance packs to an app, synthesizes it and returns the unacknowledged findings. */
export function synthWithNag(app: App): { findings: Finding[] } {
  return { findings: synthWithCompliancePacks(app) };
}

/** A stack with an `IsolatedVpc` and a `MultiAzPostgres` built from `props` (plus the VPC). */
export function dbStack(props: Partial<MultiAzPostgresProps> = {}): { app: App; stack: Stack; db: MultiAzPostgres; net: IsolatedVpc } {
  const app = newApp();
  const stack = newStack(app);
  const net = new IsolatedVpc(stack, 'Network');
  const db = new MultiAzPostgres(stack, 'Db', {
    vpc: net.vpc,
    secretsManagerEndpoint: net.secretsManagerEndpoint,
    ...props,
  });
  return { app, stack, db, net };
}

export const DR_REGION = 'us-west-2';

/**
 * The two-Region layout: a primary stack in us-east-1 with a `MultiAzPostgres` named `orders-primary`, and a DR stack
 * in us-west-2 with its own `IsolatedVpc`. Tests add the replica and the backup pieces.
 */
export function twoRegionApp(primaryProps: Partial<MultiAzPostgresProps> | ((primaryStack: Stack) => Partial<MultiAzPostgresProps>) = {},
  app: App = newApp()): {
    app: App; primaryStack: Stack; drStack: Stack; primary: MultiAzPostgres; drNet: IsolatedVpc;
  } {
  const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
  const net = new IsolatedVpc(primaryStack, 'Network');
  const primary = new MultiAzPostgres(primaryStack, 'Orders', {
    vpc: net.vpc,
    secretsManagerEndpoint: net.secretsManagerEndpoint,
    instanceIdentifier: 'orders-primary',
    ...(typeof primaryProps === 'function' ? primaryProps(primaryStack) : primaryProps),
  });
  const drStack = newStack(app, 'Dr', DR_REGION);
  const drNet = new IsolatedVpc(drStack, 'Network');
  return { app, primaryStack, drStack, primary, drNet };
}

/** The key of the master secret's replica in the DR Region (a `DrSecretKey` deployed first), as a literal ARN. */
export const DR_SECRET_KEY_ARN = `arn:aws:kms:us-west-2:${ACCOUNT}:key/7c1e4b2a-9d3f-4e6a-8b5c-2f0a1d9e8c74`;
/** The primary's endpoint address as the DR stack must spell it: a literal (the account's RDS host suffix is made up). */
export const PRIMARY_ENDPOINT = 'orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com';
/** The primary VPC's ID as the DR stack must spell it: a literal. */
export const PRIMARY_VPC_ID = 'vpc-0a1b2c3d4e5f60718';

/** The address the fixtures' alarm topics page, as the reference app's do. */
export const ONCALL_EMAIL = 'oncall@example.com';

/**
 * The two-Region failover layout: primary and replica, each with a `DbAlarmSet` and a `WritableProbe`, and a
 * `Route53DbFailover` in the DR stack.
 */
export function failoverApp(failoverProps: Partial<Route53DbFailoverProps> = {}, inApp: App = newApp()) {
  const { app, primaryStack, drStack, primary, drNet } = twoRegionApp((scope) => ({
    secretName: 'orders-primary/master',
    secretReplicaRegions: [{ region: DR_REGION, encryptionKey: kms.Key.fromKeyArn(scope, 'DrSecretKey', DR_SECRET_KEY_ARN) }],
  }), inApp);
  const primaryNet = primaryStack.node.findChild('Network') as IsolatedVpc;
  const primaryAlarms = new DbAlarmSet(primaryStack, 'OrdersAlarms', { instance: primary, subscriberEmails: [ONCALL_EMAIL] });
  const primaryProbe = new WritableProbe(primaryStack, 'OrdersProbe', {
    instance: primary,
    credentials: primary.secret,
    vpc: primaryNet.vpc,
    awsApiEndpoints: [primaryNet.secretsManagerEndpoint, primaryNet.monitoringEndpoint],
    topic: primaryAlarms.topic,
  });
  const replica = new CrossRegionReadReplica(drStack, 'OrdersReplica', {
    sourceInstance: primary,
    vpc: drNet.vpc,
    instanceIdentifier: 'orders-dr',
  });
  const drAlarms = new DbAlarmSet(drStack, 'ReplicaAlarms', { instance: replica, allocatedStorage: Size.gibibytes(100), subscriberEmails: [ONCALL_EMAIL] });
  const drProbe = new WritableProbe(drStack, 'ReplicaProbe', {
    instance: replica,
    credentials: secretsmanager.Secret.fromSecretAttributes(drStack, 'ReplicatedSecret', {
      secretPartialArn: `arn:aws:secretsmanager:${DR_REGION}:${ACCOUNT}:secret:orders-primary/master`,
      encryptionKey: kms.Key.fromKeyArn(drStack, 'SecretKey', DR_SECRET_KEY_ARN),
    }),
    vpc: drNet.vpc,
    awsApiEndpoints: [drNet.secretsManagerEndpoint, drNet.monitoringEndpoint],
    topic: drAlarms.topic,
  });
  const primaryVpc = ec2.Vpc.fromVpcAttributes(drStack, 'PrimaryVpc', {
    vpcId: PRIMARY_VPC_ID, region: PRIMARY_REGION, availabilityZones: ['us-east-1a', 'us-east-1b'],
  });
  const failover = new Route53DbFailover(drStack, 'Failover', {
    zoneName: 'orders.internal',
    vpcs: [drNet.vpc, primaryVpc],
    primary: {
      endpointAddress: PRIMARY_ENDPOINT,
      notWritableAlarm: primaryProbe.notWritableAlarm,
      unreachableAlarm: primaryProbe.unreachableAlarm,
    },
    secondary: {
      endpointAddress: replica.endpoint.hostname,
      notWritableAlarm: drProbe.notWritableAlarm,
      unreachableAlarm: drProbe.unreachableAlarm,
      writableAlarm: drProbe.writableAlarm,
    },
    readerRecordName: 'reader',
    ...failoverProps,
  });
  drStack.addStackDependency(primaryStack);
  return { app, primaryStack, drStack, primary, replica, primaryAlarms, drAlarms, primaryProbe, drProbe, failover, primaryVpc, drNet };
}

/** `failoverApp` plus the FailoverRunbook `Runbook` in the DR stack. */
export function runbookApp(runbookProps: Partial<FailoverRunbookProps> = {}) {
  const parts = failoverApp();
  const runbook = new FailoverRunbook(parts.drStack, 'Runbook', {
    replica: parts.replica,
    topic: parts.drAlarms.topic,
    topicKey: parts.drAlarms.topicKey,
    failover: parts.failover,
    ...runbookProps,
  });
  return { ...parts, runbook };
}

/** A TCP port that is free on 127.0.0.1 right now, for a server a test starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}
