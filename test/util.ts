import * as fs from 'fs';
import * as path from 'path';
import { App, AppProps, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Finding, synthWithCompliancePacks } from '../scripts/compliance';
import { IsolatedVpc, MultiAzPostgres, MultiAzPostgresProps } from '../src';

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
export function twoRegionApp(primaryProps: Partial<MultiAzPostgresProps> = {}): {
  app: App; primaryStack: Stack; drStack: Stack; primary: MultiAzPostgres; drNet: IsolatedVpc;
} {
  const app = newApp();
  const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
  const net = new IsolatedVpc(primaryStack, 'Network');
  const primary = new MultiAzPostgres(primaryStack, 'Orders', {
    vpc: net.vpc,
    secretsManagerEndpoint: net.secretsManagerEndpoint,
    instanceIdentifier: 'orders-primary',
    ...primaryProps,
  });
  const drStack = newStack(app, 'Dr', DR_REGION);
  const drNet = new IsolatedVpc(drStack, 'Network');
  return { app, primaryStack, drStack, primary, drNet };
}
