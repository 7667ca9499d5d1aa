import { Annotations as CoreAnnotations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { DbAlarmSet, Warnings } from '../../src';
import { ACCOUNT, PRIMARY_REGION, dbStack, record } from '../util';

const TOPIC_ARN = `arn:aws:sns:${PRIMARY_REGION}:${ACCOUNT}:orders-paging`;
const ALARM_SOURCE = `arn:aws:cloudwatch:${PRIMARY_REGION}:${ACCOUNT}:alarm:*`;
const RDS_SOURCE = `arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:db:orders-primary`;

/** The statements of the only topic policy of a template. */
function topicStatements(template: ReturnType<typeof record>): any[] {
  const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
  expect(policies).toHaveLength(1);
  return (policies[0] as any).Properties.PolicyDocument.Statement;
}

/** The statement that lets CloudWatch and RDS events use the key whose logical ID starts with `prefix`. */
function keyStatement(template: ReturnType<typeof record>, prefix: string): any {
  const [key] = Object.entries(template.findResources('AWS::KMS::Key')).filter(([id]) => id.startsWith(prefix)).map(([, r]) => r as any);
  return key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'AllowCloudWatchAndRdsEventsToPublish');
}

describe('subscribers of the topic the construct creates', () => {
  test('email addresses and HTTPS endpoints become subscriptions of its topic', () => {
    const { stack, db } = dbStack({ instanceIdentifier: 'orders-primary' });
    const alarms = new DbAlarmSet(stack, 'Alarms', {
      instance: db, subscriberEmails: ['oncall@example.com'], subscriberUrls: ['https://events.pager.example.com/integration/abc'],
    });
    const template = record(stack);
    const topicRef = { Ref: stack.getLogicalId(alarms.topic.node.defaultChild as sns.CfnTopic) };
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: topicRef });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'https', Endpoint: 'https://events.pager.example.com/integration/abc', TopicArn: topicRef,
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(Warnings.TOPIC_WITHOUT_SUBSCRIBER));
  });

  test.each([
    ['subscriberUrls[0]', { subscriberUrls: ['http://events.pager.example.com/hook'] }, "'http://events.pager.example.com/hook': an https:// URL with a host"],
    ['subscriberUrls[0]', { subscriberUrls: ['https://'] }, "'https://': an https:// URL with a host"],
    ['subscriberEmails[0]', { subscriberEmails: ['oncall@'] }, "'oncall@': an email address, name@domain"],
    ['subscriberEmails[1]', { subscriberEmails: ['a@example.com', 'a@example.com'] }, "'a@example.com': an entry not given before (subscriberEmails[0])"],
  ])('%s is rejected: %j', (prop, props, message) => {
    const { stack, db } = dbStack({ instanceIdentifier: 'orders-primary' });
    expect(() => new DbAlarmSet(stack, 'Alarms', { instance: db, ...props })).toThrow(`DbAlarmSet: invalid ${prop} ${message}`);
  });

  test('subscribers with a given topic are rejected: the given topic keeps its own', () => {
    const { stack, db } = dbStack({ instanceIdentifier: 'orders-primary' });
    const topic = new sns.Topic(stack, 'Paging');
    expect(() => new DbAlarmSet(stack, 'Alarms', { instance: db, topic, subscriberUrls: ['https://pager.example.com/x'] }))
      .toThrow("DbAlarmSet: invalid subscriberUrls 'https://pager.example.com/x': unset when topic is given");
  });

  test('a topic without a subscription warns, acknowledgeably; one subscribed after the construct does not', () => {
    const unsubscribed = dbStack({ instanceIdentifier: 'orders-primary' });
    new DbAlarmSet(unsubscribed.stack, 'Alarms', { instance: unsubscribed.db });
    Annotations.fromStack(unsubscribed.stack).hasWarning('/TestStack/Alarms',
      Match.stringLikeRegexp(`has no subscription in this app, so nobody is paged.*\\[ack: ${Warnings.TOPIC_WITHOUT_SUBSCRIBER}\\]`));

    const acknowledged = dbStack({ instanceIdentifier: 'orders-primary' });
    const alarms = new DbAlarmSet(acknowledged.stack, 'Alarms', { instance: acknowledged.db });
    CoreAnnotations.of(alarms).acknowledgeWarning(Warnings.TOPIC_WITHOUT_SUBSCRIBER, 'subscribed by the paging service');
    Annotations.fromStack(acknowledged.stack).hasNoWarning('*', Match.stringLikeRegexp(Warnings.TOPIC_WITHOUT_SUBSCRIBER));

    const later = dbStack({ instanceIdentifier: 'orders-primary' });
    const subscribedLater = new DbAlarmSet(later.stack, 'Alarms', { instance: later.db });
    subscribedLater.topic.addSubscription(new subscriptions.EmailSubscription('dba@example.com'));
    Annotations.fromStack(later.stack).hasNoWarning('*', Match.stringLikeRegexp(Warnings.TOPIC_WITHOUT_SUBSCRIBER));
  });
});

describe('a topic of this app given as topic', () => {
  test('gets the statements the construct\'s own topic has, on its policy and its key', () => {
    const own = dbStack({ instanceIdentifier: 'orders-primary' });
    new DbAlarmSet(own.stack, 'Alarms', { instance: own.db, subscriberEmails: ['oncall@example.com'] });
    const ownStatements = topicStatements(record(own.stack));

    const { stack, db } = dbStack({ instanceIdentifier: 'orders-primary' });
    const key = new kms.Key(stack, 'PagingKey', { enableKeyRotation: true });
    const topic = new sns.Topic(stack, 'Paging', { masterKey: key, enforceSSL: true });
    topic.addSubscription(new subscriptions.EmailSubscription('oncall@example.com'));
    new DbAlarmSet(stack, 'Alarms', { instance: db, topic });
    const template = record(stack);
    const statements = topicStatements(template);
    const cloudwatch = statements.find((s) => s.Sid === 'AllowCloudWatchAlarms');
    expect(cloudwatch).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': ALARM_SOURCE } },
    });
    const rds = statements.find((s) => s.Sid === 'AllowRdsEventsordersprimary');
    expect(rds).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'events.rds.amazonaws.com' },
      Action: 'sns:Publish',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': RDS_SOURCE } },
    });
    // The same statements as on the construct's own topic, but the RDS statement's ID, which names its source.
    const bySid = (list: any[], sid: string) => { const { Sid, Resource, ...rest } = list.find((s) => s.Sid === sid); return rest; };
    expect(bySid(statements, 'AllowCloudWatchAlarms')).toEqual(bySid(ownStatements, 'AllowCloudWatchAlarms'));
    expect(bySid(statements, 'AllowRdsEventsordersprimary')).toEqual(bySid(ownStatements, 'AllowRdsEvents'));
    // Its key gets the key statement of the construct's own key.
    expect(keyStatement(template, 'PagingKey')).toEqual(keyStatement(record(own.stack), 'AlarmsTopicKey'));
    expect(keyStatement(template, 'PagingKey')).toMatchObject({ Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('an unsubscribed topic of this app warns', () => {
    const { stack, db } = dbStack({ instanceIdentifier: 'orders-primary' });
    new DbAlarmSet(stack, 'Alarms', { instance: db, topic: new sns.Topic(stack, 'Paging') });
    Annotations.fromStack(stack).hasWarning('/TestStack/Alarms',
      Match.stringLikeRegexp(`the topic TestStack/Paging .* has no subscription.*\\[ack: ${Warnings.TOPIC_WITHOUT_SUBSCRIBER}\\]`));
  });
});

describe('an imported topic given as topic', () => {
  test('is left unchanged, with one warning that lists the statements its policies must hold', () => {
    const { stack, db } = dbStack({ instanceIdentifier: 'orders-primary' });
    new DbAlarmSet(stack, 'Alarms', { instance: db, topic: sns.Topic.fromTopicArn(stack, 'Paging', TOPIC_ARN) });
    const template = record(stack);
    template.resourceCountIs('AWS::SNS::TopicPolicy', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Alarms', Match.stringLikeRegexp(Warnings.TOPIC_PERMISSIONS_NOT_ADDED));
    expect(warnings).toHaveLength(1);
    const text = String(warnings[0].entry.data);
    expect(text).toContain(`the topic ${TOPIC_ARN} (alarms and RDS events of orders-primary) is not of this app`);
    for (const fragment of ['"Sid":"AllowCloudWatchAlarms"', `"aws:SourceArn":"${ALARM_SOURCE}"`, '"Sid":"AllowRdsEventsordersprimary"',
      `"aws:SourceArn":"${RDS_SOURCE}"`, `"Resource":"${TOPIC_ARN}"`, '"Sid":"AllowCloudWatchAndRdsEventsToPublish"', '"kms:GenerateDataKey*"',
      `"aws:SourceAccount":"${ACCOUNT}"`, 'not alias/aws/sns']) {
      expect(text).toContain(fragment);
    }
    // An imported topic is assumed to have its subscribers.
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(Warnings.TOPIC_WITHOUT_SUBSCRIBER));
  });

  test('the warning can be acknowledged', () => {
    const { stack, db } = dbStack({ instanceIdentifier: 'orders-primary' });
    const alarms = new DbAlarmSet(stack, 'Alarms', { instance: db, topic: sns.Topic.fromTopicArn(stack, 'Paging', TOPIC_ARN) });
    CoreAnnotations.of(alarms).acknowledgeWarning(Warnings.TOPIC_PERMISSIONS_NOT_ADDED, 'the paging team added the statements');
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});
