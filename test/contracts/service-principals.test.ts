/**
 * The service-principal contract on the reference apps: every place where an AWS service (or a role) acts on a topic,
 * a key or a log group of the synthesized templates is allowed in the form AWS documents. The rules, each with its
 * AWS source, are in ./service-principals.ts. The negative cases show that the check fails on a template that lacks
 * a statement.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { ContractReport, ContractTemplate, checkServicePrincipals } from './service-principals';
import { defineApp } from '../../examples/typescript/app';

// The example app imports the package by name; here it is this checkout's source.
jest.mock('cdk-resilient-postgres', () => jest.requireActual('../../src'), { virtual: true });

const ROOT = path.join(__dirname, '..', '..');

function templatesOf(assembly: cxapi.CloudAssembly): ContractTemplate[] {
  return assembly.stacks.map((s) => ({ name: s.stackName, account: s.environment.account, region: s.environment.region, template: s.template }));
}

/** test/integ.two-region.ts, synthesized as integ-runner runs it (test/integ-snapshots.test.ts does the same). */
function integTemplates(): ContractTemplate[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-integ-'));
  const previous = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = outdir;
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(ROOT, 'test', 'integ.two-region.ts'));
    });
  } finally {
    if (previous === undefined) {
      delete process.env.CDK_OUTDIR;
    } else {
      process.env.CDK_OUTDIR = previous;
    }
  }
  try {
    return templatesOf(new cxapi.CloudAssembly(outdir));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** examples/typescript/app.ts (MultiRegionPostgres), with the context of examples/cdk.json. */
function exampleTemplates(): ContractTemplate[] {
  const context = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'cdk.json'), 'utf-8')).context;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-example-'));
  try {
    const app = new App({ outdir, context });
    defineApp(app);
    return templatesOf(app.synth());
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function summary(report: ContractReport): string {
  return `${report.topics.size} topics, ${report.keys.size} keys, ${report.logGroups.size} log groups, `
    + `${report.principals.size} principals (${[...report.principals].sort().join(', ')}), ${report.checks} checks, `
    + `${report.failures.length} failures`;
}

describe.each([
  ['test/integ.two-region.ts', integTemplates],
  ['examples/typescript/app.ts', exampleTemplates],
])('%s', (name, synth) => {
  const templates = synth();
  const report = checkServicePrincipals(templates);

  test('every service principal and publishing role is allowed in the documented form', () => {
    // eslint-disable-next-line no-console
    console.log(`service-principal contract, ${name}: ${summary(report)}`);
    expect(report.failures).toEqual([]);
  });

  test('the check saw what the app has: both Regions\' topics, keys and log groups, every kind of principal', () => {
    expect(templates.length).toBe(3);
    expect(report.topics.size).toBeGreaterThanOrEqual(2);
    expect(report.keys.size).toBeGreaterThanOrEqual(2 + 4);
    expect(report.logGroups.size).toBeGreaterThanOrEqual(4);
    expect([...report.principals]).toEqual(expect.arrayContaining([
      'cloudwatch.amazonaws.com', 'events.rds.amazonaws.com', 'logs.us-east-1.amazonaws.com', 'logs.us-west-2.amazonaws.com',
    ]));
    // The runbook's role publishes to the DR topic; in the reference app, so does the Region drill's role (a
    // PromotionRole scoped to the drill's copy).
    const roles = [...report.principals].filter((p) => /PromotionRole/.test(p));
    expect(roles.filter((p) => /RunbookPromotionRole/.test(p))).toHaveLength(1);
    expect(roles.filter((p) => !/RunbookPromotionRole/.test(p)))
      .toEqual(name.startsWith('examples/') ? [expect.stringMatching(/RegionDrillPromotionRole/)] : []);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Negative cases: a small template with every kind of use, complete, then with one statement missing or wrong.
// ---------------------------------------------------------------------------------------------------------------------

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const TOPIC_ARN = { Ref: 'Topic' };
const KEY_ARN = { 'Fn::GetAtt': ['Key', 'Arn'] };
const LOG_GROUP = '/aws/vendedlogs/states/orders-failover';

function fragment(): any {
  return {
    Resources: {
      Key: {
        Type: 'AWS::KMS::Key',
        Properties: {
          KeyPolicy: {
            Statement: [
              { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
              {
                Sid: 'Services',
                Effect: 'Allow',
                Principal: { Service: ['cloudwatch.amazonaws.com', 'events.rds.amazonaws.com'] },
                Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
                Resource: '*',
                Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
              },
            ],
          },
        },
      },
      Topic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: KEY_ARN } },
      TopicPolicy: {
        Type: 'AWS::SNS::TopicPolicy',
        Properties: {
          Topics: [TOPIC_ARN],
          PolicyDocument: {
            Statement: [
              { Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: TOPIC_ARN, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
              {
                Sid: 'Alarms',
                Effect: 'Allow',
                Principal: { Service: 'cloudwatch.amazonaws.com' },
                Action: 'sns:Publish',
                Resource: TOPIC_ARN,
                Condition: {
                  StringEquals: { 'aws:SourceAccount': ACCOUNT },
                  ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudwatch:${REGION}:${ACCOUNT}:alarm:*`]] } },
                },
              },
              {
                Sid: 'RdsEvents',
                Effect: 'Allow',
                Principal: { Service: 'events.rds.amazonaws.com' },
                Action: 'sns:Publish',
                Resource: TOPIC_ARN,
                Condition: {
                  StringEquals: { 'aws:SourceAccount': ACCOUNT },
                  ArnLike: { 'aws:SourceArn': `arn:aws:rds:${REGION}:${ACCOUNT}:db:orders` },
                },
              },
            ],
          },
        },
      },
      Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'orders-cpu', AlarmActions: [TOPIC_ARN], OKActions: [TOPIC_ARN] } },
      Events: { Type: 'AWS::RDS::EventSubscription', Properties: { SnsTopicArn: TOPIC_ARN, SourceType: 'db-instance', SourceIds: ['orders'] } },
      LogKey: {
        Type: 'AWS::KMS::Key',
        Properties: {
          KeyPolicy: {
            Statement: [
              { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
              {
                Sid: 'Logs',
                Effect: 'Allow',
                Principal: { Service: `logs.${REGION}.amazonaws.com` },
                Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
                Resource: '*',
                Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}` } },
              },
            ],
          },
        },
      },
      LogGroup: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: LOG_GROUP, KmsKeyId: { 'Fn::GetAtt': ['LogKey', 'Arn'] } } },
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
      RolePolicy: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          Roles: [{ Ref: 'Role' }],
          PolicyDocument: {
            Statement: [
              { Sid: 'Notify', Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC_ARN },
              {
                Sid: 'NotifyEncrypted',
                Effect: 'Allow',
                Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
                Resource: KEY_ARN,
                Condition: { StringEquals: { 'kms:ViaService': `sns.${REGION}.amazonaws.com` } },
              },
            ],
          },
        },
      },
      StateMachine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
          DefinitionString: JSON.stringify({
            StartAt: 'Notify',
            States: {
              Notify: {
                Type: 'Parallel',
                End: true,
                Branches: [{
                  StartAt: 'Publish',
                  States: { Publish: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Arguments: { TopicArn: '${TopicArn}', Message: 'x' }, End: true } },
                }],
              },
            },
          }),
          DefinitionSubstitutions: { TopicArn: TOPIC_ARN },
        },
      },
    },
  };
}

function check(template: any) {
  return checkServicePrincipals([{ name: 'Fragment', account: ACCOUNT, region: REGION, template }]);
}

const statement = (t: any, resource: string, sid: string) => {
  const doc = t.Resources[resource].Properties.PolicyDocument ?? t.Resources[resource].Properties.KeyPolicy;
  return doc.Statement.find((s: any) => s.Sid === sid);
};
const withoutStatement = (resource: string, sid: string) => (t: any) => {
  const doc = t.Resources[resource].Properties.PolicyDocument ?? t.Resources[resource].Properties.KeyPolicy;
  doc.Statement = doc.Statement.filter((s: any) => s.Sid !== sid);
};

test('the complete fragment passes, and every kind of check ran on it', () => {
  const report = check(fragment());
  expect(report.failures).toEqual([]);
  expect([report.topics.size, report.keys.size, report.logGroups.size]).toEqual([1, 2, 1]);
  expect([...report.principals].sort()).toEqual(['Fragment/Role', 'cloudwatch.amazonaws.com', 'events.rds.amazonaws.com', `logs.${REGION}.amazonaws.com`]);
  // alarm: 1 publish + 2 key actions; RDS events: 1 + 2; log group: 5 key actions; role: publish, 2 key actions, key delegation
  expect(report.checks).toBe(3 + 3 + 5 + 4);
});

test.each<[string, (t: any) => void, RegExp]>([
  ['the topic policy lacks the CloudWatch statement', withoutStatement('TopicPolicy', 'Alarms'),
    /alarm orders-cpu: topic Topic does not let cloudwatch\.amazonaws\.com sns:Publish .*: no statement allows it/],
  ['the CloudWatch statement is not scoped', (t) => delete statement(t, 'TopicPolicy', 'Alarms').Condition,
    /alarm orders-cpu: .*not scoped by aws:SourceArn or aws:SourceAccount/],
  ['the CloudWatch statement names another Region\'s alarms', (t) => {
    statement(t, 'TopicPolicy', 'Alarms').Condition.ArnLike['aws:SourceArn'] = `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:*`;
  }, /alarm orders-cpu: .*\(Alarms\) do not match its resource or conditions/],
  ['the RDS statement names the event subscription, not the DB instance', (t) => {
    statement(t, 'TopicPolicy', 'RdsEvents').Condition.ArnLike['aws:SourceArn'] = `arn:aws:rds:${REGION}:${ACCOUNT}:es:*`;
  }, /RDS events of orders \(subscription Events\): topic Topic does not let events\.rds\.amazonaws\.com sns:Publish for arn:aws:rds:eu-west-1:111111111111:db:orders/],
  ['the RDS statement is scoped by account only', (t) => delete statement(t, 'TopicPolicy', 'RdsEvents').Condition.ArnLike,
    /RDS events of orders .*not scoped by aws:SourceArn$/],
  ['the topic policy denies every publisher', (t) => delete statement(t, 'TopicPolicy', 'TlsOnly').Condition,
    /denied by TlsOnly/],
  ['the key policy lacks the service statement', withoutStatement('Key', 'Services'),
    /alarm orders-cpu: key Key of topic Topic does not let cloudwatch\.amazonaws\.com kms:Decrypt/],
  ['the key policy grants kms:GenerateDataKey, not kms:GenerateDataKey*', (t) => {
    statement(t, 'Key', 'Services').Action = ['kms:Decrypt', 'kms:GenerateDataKey'];
  }, /key Key of topic Topic does not let events\.rds\.amazonaws\.com kms:GenerateDataKey\*/],
  ['the topic is encrypted with the AWS-managed key', (t) => { t.Resources.Topic.Properties.KmsMasterKeyId = 'alias/aws/sns'; },
    /topic Topic is encrypted with "alias\/aws\/sns", not a key of this template/],
  ['the log key lacks the CloudWatch Logs statement', withoutStatement('LogKey', 'Logs'),
    /log group \/aws\/vendedlogs\/states\/orders-failover: key LogKey does not let logs\.eu-west-1\.amazonaws\.com kms:Encrypt\*/],
  ['the log key statement has no encryption context condition', (t) => delete statement(t, 'LogKey', 'Logs').Condition,
    /not scoped by kms:EncryptionContext:aws:logs:arn/],
  ['the log key names another log group', (t) => {
    statement(t, 'LogKey', 'Logs').Condition.ArnEquals['kms:EncryptionContext:aws:logs:arn'] = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/other`;
  }, /key LogKey does not let logs\.eu-west-1\.amazonaws\.com kms:Decrypt\*/],
  ['the log key names another Region\'s CloudWatch Logs', (t) => {
    statement(t, 'LogKey', 'Logs').Principal.Service = 'logs.us-east-1.amazonaws.com';
  }, /key LogKey does not let logs\.eu-west-1\.amazonaws\.com/],
  ['the state machine\'s role may not publish', withoutStatement('RolePolicy', 'Notify'),
    /state machine StateMachine: role Role may not sns:Publish to topic Topic/],
  ['the state machine\'s role may not use the topic\'s key', withoutStatement('RolePolicy', 'NotifyEncrypted'),
    /state machine StateMachine: role Role may not kms:GenerateDataKey on key Key/],
  ['the role\'s key permission is not through SNS', (t) => {
    statement(t, 'RolePolicy', 'NotifyEncrypted').Condition.StringEquals['kms:ViaService'] = `sqs.${REGION}.amazonaws.com`;
  }, /role Role may not kms:Decrypt on key Key/],
  ['the topic policy denies the state machine\'s role', (t) => {
    t.Resources.TopicPolicy.Properties.PolicyDocument.Statement.push({
      Sid: 'NotTheRunbook', Effect: 'Deny', Principal: { AWS: { 'Fn::GetAtt': ['Role', 'Arn'] } }, Action: 'sns:Publish', Resource: TOPIC_ARN,
    });
  }, /state machine StateMachine: topic Topic denies role Role: NotTheRunbook/],
  ['the topic\'s key does not hand permissions to IAM policies', withoutStatement('Key', 'Root'),
    /key Key of topic Topic has no statement for arn:aws:iam::111111111111:root/],
  ['a function publishes with a role that may not', (t) => {
    t.Resources.Fn = { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] }, Environment: { Variables: { TOPIC: TOPIC_ARN } } } };
    t.Resources.FnRole = { Type: 'AWS::IAM::Role', Properties: {} };
  }, /function Fn: role FnRole may not sns:Publish to topic Topic/],
  ['an alarm sends to a topic outside the template', (t) => {
    t.Resources.Alarm.Properties.AlarmActions.push(`arn:aws:sns:${REGION}:${ACCOUNT}:elsewhere`);
  }, /alarm orders-cpu sends to "arn:aws:sns:eu-west-1:111111111111:elsewhere", a topic not in this template/],
  ['an EventBridge rule targets the topic: no rule covers events.amazonaws.com', (t) => {
    t.Resources.Rule = { Type: 'AWS::Events::Rule', Properties: { Targets: [{ Arn: TOPIC_ARN, Id: 'Topic' }] } };
  }, /AWS::Events::Rule Rule names topic Topic: no rule checks that its service may publish there/],
])('fails when %s', (_, mutate, message) => {
  const t = fragment();
  mutate(t);
  const report = check(t);
  expect(report.failures).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
});
