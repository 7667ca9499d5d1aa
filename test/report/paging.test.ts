import { alarmsThatPage, paging } from '../../src/report/paging';
import { StackTemplate } from '../../src/report/template';

function stack(id: string, region: string, template: any): StackTemplate {
  return { artifactId: id, stackName: id, displayName: id, region, account: '210987654321', templateFile: `${id}.template.json`, template };
}

const alarm = (name: string, actions: unknown[]) => ({ Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: name, AlarmActions: actions } });

const ops = stack('Ops', 'eu-west-1', {
  Resources: {
    Inline: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'inline', Subscription: [{ Protocol: 'sms', Endpoint: '+15550100' }] } },
    Paged: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'paged' } },
    PagedSub: { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'Paged' }, Protocol: 'sqs', Endpoint: { 'Fn::GetAtt': ['Queue', 'Arn'] } } },
    Queue: { Type: 'AWS::SQS::Queue' },
    Nobody: { Type: 'AWS::SNS::Topic' },
    A1: alarm('inline-alarm', [{ Ref: 'Inline' }]),
    A2: alarm('silent-alarm', [{ Ref: 'Nobody' }]),
    A3: alarm('no-action', []),
    Events: { Type: 'AWS::RDS::EventSubscription', Properties: { SnsTopicArn: { Ref: 'Paged' }, SourceType: 'db-instance', SourceIds: ['db1'] } },
    Vault: { Type: 'AWS::Backup::BackupVault', Properties: { BackupVaultName: 'v', Notifications: { SNSTopicArn: { Ref: 'Nobody' }, BackupVaultEvents: [] } } },
  },
  Outputs: { PagedArn: { Value: { Ref: 'Paged' }, Export: { Name: 'ops-paged' } } },
});
const app = stack('App', 'eu-west-1', {
  Resources: {
    ByImport: alarm('imported', [{ 'Fn::ImportValue': 'ops-paged' }]),
    ByArn: alarm('by-arn', ['arn:aws:sns:eu-west-1:210987654321:inline']),
    External: alarm('external', ['arn:aws:sns:eu-west-1:210987654321:elsewhere']),
  },
});

test('finds inline and resource subscriptions, and every kind of publisher, across stacks', () => {
  const page = paging([ops, app]);
  const topic = (id: string) => page.topics.find((t) => t.logicalId === id)!;
  expect(topic('Inline').subscriptions).toEqual([{ protocol: 'sms', endpoint: '+15550100', declaredAs: 'inline' }]);
  expect(topic('Paged').subscriptions).toEqual([{ protocol: 'sqs', endpoint: 'Queue (AWS::SQS::Queue)', declaredAs: 'resource' }]);
  expect(topic('Nobody').subscriptions).toEqual([]);
  expect(topic('Inline').publishers.map((p) => p.name)).toEqual(['inline-alarm', 'by-arn']);
  expect(topic('Paged').publishers.map((p) => `${p.kind}: ${p.name}`)).toEqual(['event subscription: db-instance events of db1', 'alarm: imported']);
  expect(topic('Nobody').publishers.map((p) => p.kind)).toEqual(['alarm', 'backup vault']);
  expect([...page.externalTopics.keys()]).toEqual(['arn:aws:sns:eu-west-1:210987654321:elsewhere']);
});

test('an alarm pages someone only when its topic has a subscriber', () => {
  const page = paging([ops, app]);
  expect(alarmsThatPage(ops, page)).toEqual({ alarms: 3, paging: 1 });
  expect(alarmsThatPage(app, page)).toEqual({ alarms: 3, paging: 2 });
});
