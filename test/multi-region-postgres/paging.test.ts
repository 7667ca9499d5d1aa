import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { MultiRegionPostgresProps, Warnings } from '../../src';
import { multiRegionIn } from '../rejections/builders';
import { ACCOUNT, DR_REGION, ONCALL_EMAIL, PRIMARY_REGION, newApp, newStack, record } from '../util';

const DR_TOPIC_ARN = `arn:aws:sns:${DR_REGION}:${ACCOUNT}:orders-dr-paging`;

/** The pattern `orders` with the given paging props, in `stacks` or in new stacks of `app`. */
function pattern(props: Partial<MultiRegionPostgresProps> = {}, app: App = newApp(), stacks?: { primaryStack: Stack; drStack: Stack }) {
  const primaryStack = stacks?.primaryStack ?? newStack(app, 'Primary', PRIMARY_REGION);
  const drStack = stacks?.drStack ?? newStack(app, 'Dr', DR_REGION);
  return { app, primaryStack, drStack, orders: multiRegionIn(primaryStack, drStack, props) };
}

const ref = (topic: sns.ITopic) => ({ Ref: Stack.of(topic).getLogicalId(topic.node.defaultChild as sns.CfnTopic) });

describe('subscribers', () => {
  test('subscriberEmails and subscriberUrls subscribe the topics of both Regions, which then page', () => {
    const { primaryStack, drStack, orders } = pattern({ subscriberEmails: [ONCALL_EMAIL], subscriberUrls: ['https://events.pager.example.com/abc'] });
    for (const [stack, topic] of [[primaryStack, orders.primaryAlarms.topic], [drStack, orders.replicaAlarms.topic]] as const) {
      const template = record(stack);
      template.resourceCountIs('AWS::SNS::Subscription', 2);
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: ONCALL_EMAIL, TopicArn: ref(topic) });
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', Endpoint: 'https://events.pager.example.com/abc', TopicArn: ref(topic) });
      Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(Warnings.TOPIC_WITHOUT_SUBSCRIBER));
    }
    // The runbook announces, and asks for approvals, on the DR topic.
    expect(orders.runbook.stateMachine.node.defaultChild).toBeDefined();
    record(drStack).hasResourceProperties('AWS::StepFunctions::StateMachine', { DefinitionSubstitutions: { TopicArn: ref(orders.replicaAlarms.topic) } });
  });

  test('without subscribers, each of the pattern\'s topics warns once; the pattern\'s acknowledgeWarning reaches both', () => {
    const { primaryStack, drStack } = pattern();
    const primaryWarnings = Annotations.fromStack(primaryStack).findWarning('*', Match.stringLikeRegexp(Warnings.TOPIC_WITHOUT_SUBSCRIBER));
    expect(primaryWarnings.map((w) => w.id)).toEqual(['/Primary/Orders/PrimaryAlarms']);
    const drWarnings = Annotations.fromStack(drStack).findWarning('*', Match.stringLikeRegexp(Warnings.TOPIC_WITHOUT_SUBSCRIBER));
    expect(drWarnings.map((w) => w.id)).toEqual(['/Dr/Orders/ReplicaAlarms']);
    expect(String(drWarnings[0].entry.data)).toContain('failover runbook announcements and approval requests of orders-dr');

    const acknowledged = pattern();
    acknowledged.orders.acknowledgeWarning(Warnings.TOPIC_WITHOUT_SUBSCRIBER, 'subscribed by the paging service');
    for (const stack of [acknowledged.primaryStack, acknowledged.drStack]) {
      Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(Warnings.TOPIC_WITHOUT_SUBSCRIBER));
    }
  });
});

describe('topics of your own', () => {
  test('primaryTopic and drTopic reach the alarms, the probes, the runbook and its role; subscribers go to the pattern\'s topic only', () => {
    const app = newApp();
    const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
    const drStack = newStack(app, 'Dr', DR_REGION);
    const primaryTopic = new sns.Topic(primaryStack, 'Paging', { enforceSSL: true });
    primaryTopic.addSubscription(new subscriptions.EmailSubscription('dba@example.com'));
    const drKey = new kms.Key(drStack, 'PagingKey', { enableKeyRotation: true });
    const drTopic = new sns.Topic(drStack, 'Paging', { masterKey: drKey, enforceSSL: true });
    drTopic.addSubscription(new subscriptions.EmailSubscription('dba@example.com'));
    const { orders } = pattern({ primaryTopic, drTopic }, app, { primaryStack, drStack });
    expect(orders.primaryAlarms.topic).toBe(primaryTopic);
    expect(orders.replicaAlarms.topic).toBe(drTopic);

    const primary = record(primaryStack);
    primary.resourceCountIs('AWS::SNS::Topic', 1);
    primary.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'orders-primary-not-writable', AlarmActions: [ref(primaryTopic)] });
    primary.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'AllowCloudWatchAlarms', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
          Match.objectLike({ Sid: 'AllowRdsEventsordersprimary', Principal: { Service: 'events.rds.amazonaws.com' } }),
        ]),
      },
    });

    const dr = record(drStack);
    dr.resourceCountIs('AWS::SNS::Topic', 1);
    dr.hasResourceProperties('AWS::StepFunctions::StateMachine', { DefinitionSubstitutions: { TopicArn: ref(drTopic) } });
    dr.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'NotifyEncryptedTopic',
          Resource: { 'Fn::GetAtt': [drStack.getLogicalId(drKey.node.defaultChild as kms.CfnKey), 'Arn'] },
        })]),
      },
    });
    dr.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchAndRdsEventsToPublish' })]) },
    });
    for (const stack of [primaryStack, drStack]) {
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    }
  });

  test('with one topic of your own, the subscribers go to the other Region\'s topic', () => {
    const app = newApp();
    const drStack = newStack(app, 'Dr', DR_REGION);
    const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
    const drTopic = sns.Topic.fromTopicArn(drStack, 'Paging', DR_TOPIC_ARN);
    const { orders } = pattern({ drTopic, subscriberEmails: [ONCALL_EMAIL] }, app, { primaryStack, drStack });
    record(primaryStack).hasResourceProperties('AWS::SNS::Subscription', { Endpoint: ONCALL_EMAIL, TopicArn: ref(orders.primaryAlarms.topic) });
    record(drStack).resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('an imported drTopic warns once, for the alarms, the probe and the runbook together, with the statements to add', () => {
    const app = newApp();
    const drStack = newStack(app, 'Dr', DR_REGION);
    const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
    const drTopic = sns.Topic.fromTopicArn(drStack, 'Paging', DR_TOPIC_ARN);
    const { orders } = pattern({ drTopic, subscriberEmails: [ONCALL_EMAIL] }, app, { primaryStack, drStack });
    const warnings = Annotations.fromStack(drStack).findWarning('*', Match.stringLikeRegexp(Warnings.TOPIC_PERMISSIONS_NOT_ADDED));
    expect(warnings.map((w) => w.id)).toEqual(['/Dr/Orders/ReplicaAlarms']);
    const text = String(warnings[0].entry.data);
    expect(text).toContain(`the topic ${DR_TOPIC_ARN} (alarms and RDS events of orders-dr; writable probe alarms of orders-dr; `
      + 'failover runbook announcements and approval requests of orders-dr)');
    expect(text).toContain(`"aws:SourceArn":"arn:aws:rds:${DR_REGION}:${ACCOUNT}:db:orders-dr"`);
    expect(text).toContain(`"aws:SourceArn":"arn:aws:cloudwatch:${DR_REGION}:${ACCOUNT}:alarm:*"`);
    expect(text).toContain('"Sid":"AllowCloudWatchAndRdsEventsToPublish"');

    orders.acknowledgeWarning(Warnings.TOPIC_PERMISSIONS_NOT_ADDED, 'the paging team\'s topic holds the statements');
    Annotations.fromStack(drStack).hasNoWarning('*', Match.stringLikeRegexp(Warnings.TOPIC_PERMISSIONS_NOT_ADDED));
  });

  test('a topic in its stack\'s Region is accepted; one of the other Region is rejected under the pattern\'s prop', () => {
    const app = newApp();
    const drStack = newStack(app, 'Dr', DR_REGION);
    const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
    expect(() => pattern({ drTopic: sns.Topic.fromTopicArn(drStack, 'Paging', DR_TOPIC_ARN) }, app, { primaryStack, drStack })).not.toThrow();
    const other = newApp();
    const otherDr = newStack(other, 'Dr', DR_REGION);
    const otherPrimary = newStack(other, 'Primary', PRIMARY_REGION);
    expect(() => pattern({ primaryTopic: sns.Topic.fromTopicArn(otherDr, 'Paging', DR_TOPIC_ARN) }, other, { primaryStack: otherPrimary, drStack: otherDr }))
      .toThrow(`[Primary/Orders] MultiRegionPostgres: invalid primaryTopic '${DR_TOPIC_ARN}': a resource in ${PRIMARY_REGION}, not ${DR_REGION}: `
        + 'CloudWatch alarm actions must be in the alarm\'s Region');
  });
});
