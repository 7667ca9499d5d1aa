import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { PromotionRole, PromotionRoleProps } from '../../src';
import { acknowledgements, failoverApp, record, synthWithNag } from '../util';

function withRole(props: Partial<PromotionRoleProps> = {}) {
  const built = failoverApp();
  const role = new PromotionRole(built.drStack, 'Promotion', {
    replica: built.replica,
    topic: built.drAlarms.topic,
    ...props,
  });
  return { ...built, role };
}

/** The statements of the role's one managed policy. */
function statementsOf(template: ReturnType<typeof record>): any[] {
  const policies = Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).filter(([id]) => id.startsWith('Promotion'));
  expect(policies).toHaveLength(1);
  return (policies[0][1] as any).Properties.PolicyDocument.Statement;
}

const REPLICA_ARN = 'arn:aws:rds:us-west-2:111111111111:db:orders-dr';

describe('defaults', () => {
  const { drStack } = withRole();
  const template = record(drStack);

  test('assumed by Step Functions of this account only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'states.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
        }],
      },
      Description: 'Promotes the DR read replica (cdk-resilient-postgres): least privilege, no AWS-managed policies',
    });
  });

  test('the policy, statement by statement', () => {
    expect(statementsOf(template)).toEqual([
      // No rds:ModifyDBInstance on the replica: no runbook step modifies it (backup retention is a PromoteReadReplica parameter).
      { Sid: 'PromoteTheReplica', Effect: 'Allow', Action: ['rds:DescribeDBInstances', 'rds:PromoteReadReplica'], Resource: REPLICA_ARN },
      { Sid: 'ReadMetrics', Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' },
      { Sid: 'PublishWritableSignal', Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'CdkResilientPostgres' } } },
      { Sid: 'Notify', Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: expect.stringMatching(/^ReplicaAlarmsTopic/) } },
    ]);
  });

  test('no AWS-managed policy, no inline policy, no route53 permission', () => {
    const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('Promotion'));
    expect((roles[0][1] as any).Properties.ManagedPolicyArns).toBeUndefined();
    const inline = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: any) => JSON.stringify(p.Properties.Roles).includes('PromotionRole'));
    expect(inline).toEqual([]);
    expect(JSON.stringify(statementsOf(template))).not.toMatch(/route53|FullAccess|rds:\*|"Action":"\*"/);
  });
});

describe('options', () => {
  test('fencing, evidence alarms, an encrypted topic, DNS changes scoped by condition keys, another principal', () => {
    const built = failoverApp();
    const zone = route53.PrivateHostedZone.fromPrivateHostedZoneAttributes(built.drStack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'orders.internal' });
    new PromotionRole(built.drStack, 'Promotion', {
      replica: built.replica,
      topic: built.drAlarms.topic,
      topicKey: built.drAlarms.topicKey,
      assumedBy: new iam.ArnPrincipal('arn:aws:iam::111111111111:role/dba-oncall'),
      evidenceAlarms: [built.drProbe.notWritableAlarm, built.drAlarms.alarms.ReplicaLag],
      fenceInstanceArns: ['arn:aws:rds:us-east-1:111111111111:db:orders-primary'],
      recordChanges: { zone, recordNames: ['writer.orders.internal'] },
      roleName: 'orders-promotion',
    });
    const template = record(built.drStack);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'orders-promotion',
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/dba-oncall' } }] },
    });
    const statements = statementsOf(template);
    expect(statements.map((s) => s.Sid)).toEqual([
      'PromoteTheReplica', 'FenceTheOldPrimary', 'ReadEvidenceAlarms', 'ReadMetrics', 'PublishWritableSignal', 'Notify', 'NotifyEncryptedTopic', 'ChangeFailoverRecords',
    ]);
    expect(statements[1]).toEqual({
      Sid: 'FenceTheOldPrimary',
      Effect: 'Allow',
      Action: ['rds:DescribeDBInstances', 'rds:ModifyDBInstance'],
      Resource: 'arn:aws:rds:us-east-1:111111111111:db:orders-primary',
    });
    expect(statements[2].Action).toBe('cloudwatch:DescribeAlarms');
    expect(statements[2].Resource).toEqual([
      'arn:aws:cloudwatch:us-west-2:111111111111:alarm:orders-dr-not-writable',
      'arn:aws:cloudwatch:us-west-2:111111111111:alarm:orders-dr-replica-lag',
    ]);
    expect(statements[6]).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: { StringEquals: { 'kms:ViaService': 'sns.us-west-2.amazonaws.com' } },
    });
    expect(statements[7]).toEqual({
      Sid: 'ChangeFailoverRecords',
      Effect: 'Allow',
      Action: 'route53:ChangeResourceRecordSets',
      Resource: 'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ',
      Condition: {
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['writer.orders.internal'],
          'route53:ChangeResourceRecordSetsRecordTypes': ['CNAME'],
          'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
        },
      },
    });
  });
});

describe('compliance', () => {
  test('the four packs, IAM rules included, report nothing unacknowledged; the one acknowledgement has a reason', () => {
    const { app } = withRole();
    expect(synthWithNag(app).findings).toEqual([]);
    const acks = acknowledgements(app).filter((a) => a.path.startsWith('Dr/Promotion'));
    expect(acks.map((a) => `${a.path} ${a.id}`)).toEqual(['Dr/Promotion/Policy AwsSolutions::AwsSolutions-IAM5[Resource::*]']);
    expect(acks[0].reason).toMatch(/no resource type in the service authorization reference/);
  });
});

describe('rejections', () => {
  test('a replica in another Region', () => {
    const built = failoverApp();
    expect(() => new PromotionRole(built.primaryStack, 'Promotion', { replica: built.replica, topic: built.primaryAlarms.topic }))
      .toThrow("PromotionRole: invalid replica 'Dr/OrdersReplica/Instance': a DB instance in this stack's Region (us-east-1): promotion runs where the replica is, never in the failed Region");
  });

  test.each([
    ['a malformed fence ARN', { fenceInstanceArns: ['orders-primary'] }, "PromotionRole: invalid fenceInstanceArns[0] 'orders-primary': a DB instance ARN"],
    ['a record name with a trailing dot', { recordChanges: { recordNames: ['writer.orders.internal.'] } },
      "PromotionRole: invalid recordChanges.recordNames[0] 'writer.orders.internal.': a fully qualified, lower-case record name without the trailing dot"],
    ['no record names', { recordChanges: { recordNames: [] } }, "PromotionRole: invalid recordChanges.recordNames '[]': at least one fully qualified record name"],
    ['an unknown record type', { recordChanges: { recordNames: ['writer.orders.internal'], recordTypes: ['NS'] } },
      "PromotionRole: invalid recordChanges.recordTypes 'NS': one or more of A, AAAA, CNAME, TXT"],
    ['an unknown action', { recordChanges: { recordNames: ['writer.orders.internal'], actions: ['REPLACE'] } },
      "PromotionRole: invalid recordChanges.actions 'REPLACE': one or more of CREATE, UPSERT, DELETE"],
  ] as Array<[string, any, string]>)('%s', (_name, props, message) => {
    const built = failoverApp();
    const zone = route53.PrivateHostedZone.fromPrivateHostedZoneAttributes(built.drStack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'orders.internal' });
    const full = props.recordChanges ? { ...props, recordChanges: { zone, ...props.recordChanges } } : props;
    expect(() => new PromotionRole(built.drStack, 'Promotion', { replica: built.replica, topic: built.drAlarms.topic, ...full })).toThrow(message);
  });
});
