import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, IConstruct } from 'constructs';
import { propError } from './errors';
import { Warnings } from '../common/warnings';

/** Who publishes to an alarm topic besides the principals of this account that hold `sns:Publish`. */
export interface TopicPublishers {
  /** The identifier of the DB instance whose RDS events go to the topic, when they do. */
  readonly rdsEventSource?: string;
  /**
   * Whether statement IDs name the RDS event source: a topic the user gives may serve several instances, whose RDS
   * statements then need an ID each.
   */
  readonly sidPerSource?: boolean;
}

/**
 * The statements an alarm topic's access policy needs. Any TopicPolicy replaces SNS's default policy, so every service
 * that publishes is named:
 * - CloudWatch alarms of this account and Region (the alarm's ARN is the request's aws:SourceArn);
 * - RDS events of the instance: aws:SourceArn is the source's ARN (the DB instance), not the event subscription's.
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html#sns-allow-cloudwatch-alarm-to-publish-to-topic-in-another-account
 * @see https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.GrantingPermissions.html
 */
export function topicPublishStatements(stack: Stack, topicArn: string, publishers: TopicPublishers): iam.PolicyStatement[] {
  const statements = [new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarms',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topicArn],
    conditions: {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
    },
  })];
  const source = publishers.rdsEventSource;
  if (source !== undefined) {
    statements.push(new iam.PolicyStatement({
      sid: publishers.sidPerSource ? `AllowRdsEvents${source.replace(/[^A-Za-z0-9]/g, '')}` : 'AllowRdsEvents',
      principals: [new iam.ServicePrincipal('events.rds.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:rds:${stack.region}:${stack.account}:db:${source}` },
      },
    }));
  }
  return statements;
}

/**
 * The statement the key of an encrypted alarm topic needs: CloudWatch alarms and RDS event notifications publish to an
 * encrypted topic only if the key lets them, and aws:SourceAccount keeps the key from serving another account's alarms
 * or events. AWS-managed keys (`alias/aws/sns`) cannot be given this statement.
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html (CloudWatch and RDS set aws:SourceAccount)
 */
export function topicKeyStatement(stack: Stack): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AllowCloudWatchAndRdsEventsToPublish',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.rds.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
  });
}

/** What a construct sends to a topic it was given or created. */
export interface TopicUse extends TopicPublishers {
  /** The construct label for messages (`where(...)`). */
  readonly construct: string;
  /** What the construct sends, for the messages: `the alarms and RDS events of orders-dr`. */
  readonly purpose: string;
  /** Whether the topic was given to the construct, which then adds its statements to the topic's policies. */
  readonly given: boolean;
  /** Whether someone must read what is sent (alarms, approval requests): warns when the topic has no subscriber. */
  readonly paged: boolean;
}

interface TopicRecord {
  readonly scope: Construct;
  readonly construct: string;
  readonly purposes: string[];
  paged: boolean;
  /** Statements the topic's policy needs and the library could not add, as JSON. */
  readonly missing: Map<string, unknown>;
  /** The key statement the topic's key needs and the library could not add. */
  missingKey?: unknown;
}

const records = new WeakMap<sns.ITopic, TopicRecord>();

/**
 * Records that `scope` sends to `topic`. On a topic the construct was given, it adds the statements of
 * `topicPublishStatements` to the topic's policy and `topicKeyStatement` to its key, as the library does on its own
 * topics; what it cannot add (an imported topic or key) is listed in one warning per topic
 * (`Warnings.TOPIC_PERMISSIONS_NOT_ADDED`). A topic of this app that receives alarms or approval requests and has no
 * subscription in the app when it is synthesized gets one warning too (`Warnings.TOPIC_WITHOUT_SUBSCRIBER`). Both are
 * raised on the first construct that used the topic.
 */
export function useTopic(scope: Construct, topic: sns.ITopic, use: TopicUse): void {
  const stack = Stack.of(scope);
  let record = records.get(topic);
  if (record === undefined) {
    const created: TopicRecord = { scope, construct: use.construct, purposes: [], paged: false, missing: new Map() };
    record = created;
    records.set(topic, created);
    scope.node.addValidation({ validate: () => { warnAbout(topic, created); return []; } });
  }
  record.purposes.push(use.purpose);
  record.paged ||= use.paged;
  if (!use.given) {
    return;
  }
  for (const statement of topicPublishStatements(stack, topic.topicArn, { ...use, sidPerSource: true })) {
    if (!topic.addToResourcePolicy(statement).statementAdded) {
      const json = stack.resolve(statement.toStatementJson());
      record.missing.set(JSON.stringify(json), json);
    }
  }
  const keyStatement = topicKeyStatement(stack);
  // An imported topic does not say whether it is encrypted: its key, if any, is listed too.
  if (topic.masterKey ? !topic.masterKey.addToResourcePolicy(keyStatement).statementAdded : !(topic instanceof sns.Topic)) {
    record.missingKey = stack.resolve(keyStatement.toStatementJson());
  }
}

function warnAbout(topic: sns.ITopic, record: TopicRecord): void {
  const name = Token.isUnresolved(topic.topicArn) ? topic.node.path : topic.topicArn;
  const purposes = [...new Set(record.purposes)].join('; ');
  if (record.missing.size > 0 || record.missingKey !== undefined) {
    const policy = record.missing.size > 0
      ? ` Its access policy must hold ${JSON.stringify([...record.missing.values()])}.`
      : '';
    const key = record.missingKey === undefined
      ? ''
      : ` If it is encrypted, its key must be a customer-managed key (not alias/aws/sns) whose key policy holds ${JSON.stringify(record.missingKey)}.`;
    Annotations.of(record.scope).addWarningV2(Warnings.TOPIC_PERMISSIONS_NOT_ADDED,
      `${record.construct}: the topic ${name} (${purposes}) is not of this app, so the library cannot add the permissions `
      + `it gives its own topics.${policy}${key} Without them alarms and RDS events are dropped. Once they are in place, `
      + `acknowledge this warning: Annotations.of(scope).acknowledgeWarning('${Warnings.TOPIC_PERMISSIONS_NOT_ADDED}', '<reason>').`);
  }
  if (record.paged && topic instanceof sns.Topic && !hasSubscription(topic)) {
    Annotations.of(record.scope).addWarningV2(Warnings.TOPIC_WITHOUT_SUBSCRIBER,
      `${record.construct}: the topic ${name} (${purposes}) has no subscription in this app, so nobody is paged. Give email `
      + 'addresses or HTTPS endpoints (subscriberEmails, subscriberUrls) or subscribe the topic (topic.addSubscription); '
      + 'if it is subscribed outside this app, acknowledge this warning: '
      + `Annotations.of(scope).acknowledgeWarning('${Warnings.TOPIC_WITHOUT_SUBSCRIBER}', '<reason>').`);
  }
}

/** Whether a subscription of the app names the topic (`addSubscription`, `sns.Subscription` or `CfnSubscription`). */
function hasSubscription(topic: sns.Topic): boolean {
  return topic.node.root.node.findAll().some((c: IConstruct) => c instanceof sns.CfnSubscription && c.topicArn === topic.topicArn);
}

/** The prop names under which a construct takes the subscribers of the topics it creates. */
export interface SubscriberProps {
  readonly emails: string;
  readonly urls: string;
}

/**
 * Checks subscriber email addresses and HTTPS endpoints. Only `https://` URLs: an `http://` endpoint would receive the
 * alarms, and an approval request's task token, which lets whoever holds it approve a promotion, in clear text.
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-http-https-endpoint-as-subscriber.html
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html (Protocol, Endpoint)
 */
export function validateSubscribers(construct: string, names: SubscriberProps, emails: string[], urls: string[]): void {
  const check = (prop: string, values: string[], valid: (v: string) => boolean, allowed: string) => {
    values.forEach((value, i) => {
      if (!Token.isUnresolved(value) && !valid(value)) {
        throw propError(construct, `${prop}[${i}]`, value, allowed);
      }
      if (values.indexOf(value) !== i) {
        throw propError(construct, `${prop}[${i}]`, value, `an entry not given before (${prop}[${values.indexOf(value)}])`);
      }
    });
  };
  check(names.emails, emails, (v) => /^[^\s@]+@[^\s@]+\.[^\s@.]+$/.test(v), 'an email address, name@domain');
  check(names.urls, urls, isHttpsUrl,
    'an https:// URL with a host: alarms and approval requests (whose task token approves a promotion) are not sent in clear text');
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '' && value.startsWith('https://');
  } catch {
    return false;
  }
}

/** Subscribes a topic the library created to the given email addresses and HTTPS endpoints. */
export function subscribe(topic: sns.ITopic, emails: string[], urls: string[]): void {
  for (const email of emails) {
    topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
  for (const url of urls) {
    topic.addSubscription(new subscriptions.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }));
  }
}
