/**
 * Who gets paged: every SNS topic of the assembly, its subscriptions (AWS::SNS::Subscription resources and the
 * topic's inline `Subscription` property) and what publishes to it (alarm actions, RDS event subscriptions, AWS Backup
 * vault notifications, state machines, EventBridge rule targets).
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-topic.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-subscription.html
 */
import { StackTemplate, Template, describeValue, directReference } from './template';

/** One subscription of a topic. */
export interface TopicSubscription {
  readonly protocol: string;
  readonly endpoint: string;
  /** `resource` for an AWS::SNS::Subscription, `inline` for the topic's Subscription property. */
  readonly declaredAs: 'resource' | 'inline';
}

/** One publisher of a topic. */
export interface TopicPublisher {
  readonly kind: 'alarm' | 'event subscription' | 'backup vault' | 'state machine' | 'EventBridge rule';
  readonly name: string;
  readonly logicalId: string;
}

/** A topic with its subscriptions and publishers. */
export interface PagedTopic {
  readonly stack: StackTemplate;
  readonly logicalId: string;
  readonly name: string;
  readonly subscriptions: TopicSubscription[];
  readonly publishers: TopicPublisher[];
}

/** The topics of the assembly and the topics that alarms name but the assembly does not hold. */
export interface Paging {
  readonly topics: PagedTopic[];
  /** Topic ARNs named by literal that no stack of the assembly defines, with who publishes to them. */
  readonly externalTopics: Map<string, TopicPublisher[]>;
  /** The topic an action value points at, or the external ARN. */
  readonly resolve: (stack: StackTemplate, value: unknown) => PagedTopic | string | undefined;
}

const key = (stack: StackTemplate, id: string) => `${stack.artifactId}/${id}`;

/** The topics of the stacks, their subscriptions and their publishers. */
export function paging(stacks: StackTemplate[]): Paging {
  const topics = new Map<string, PagedTopic>();
  for (const stack of stacks) {
    for (const [id, r] of Object.entries(stack.template.Resources)) {
      if (r.Type !== 'AWS::SNS::Topic') continue;
      const p = r.Properties ?? {};
      topics.set(key(stack, id), {
        stack,
        logicalId: id,
        name: typeof p.TopicName === 'string' ? p.TopicName : (typeof p.DisplayName === 'string' ? `${id} ("${p.DisplayName}")` : id),
        subscriptions: (Array.isArray(p.Subscription) ? p.Subscription : []).map((s: any) => ({
          protocol: String(s.Protocol), endpoint: describeValue(stack.template, s.Endpoint), declaredAs: 'inline' as const,
        })),
        publishers: [],
      });
    }
  }
  const exportsByName = new Map<string, [StackTemplate, unknown]>();
  for (const stack of stacks) {
    for (const o of Object.values(stack.template.Outputs ?? {})) {
      if (typeof o.Export?.Name === 'string') exportsByName.set(o.Export.Name, [stack, o.Value]);
    }
  }
  const resolve = (stack: StackTemplate, value: unknown, depth = 0): PagedTopic | string | undefined => {
    const id = directReference(value);
    if (id !== undefined) return topics.get(key(stack, id));
    if (value && typeof value === 'object' && 'Fn::ImportValue' in (value as object) && depth === 0) {
      const exported = exportsByName.get(String((value as Record<string, unknown>)['Fn::ImportValue']));
      return exported ? resolve(exported[0], exported[1], 1) : undefined;
    }
    if (typeof value === 'string' && value.startsWith('arn:') && value.split(':')[2] === 'sns') {
      const [, , , region, account, name] = value.split(':');
      const named = [...topics.values()].find((t) => t.stack.template.Resources[t.logicalId].Properties?.TopicName === name
        && (t.stack.region === region || t.stack.region === 'unknown-region') && (t.stack.account === account || t.stack.account === 'unknown-account'));
      return named ?? value;
    }
    return undefined;
  };
  const externalTopics = new Map<string, TopicPublisher[]>();
  const publish = (stack: StackTemplate, value: unknown, publisher: TopicPublisher) => {
    for (const v of Array.isArray(value) ? value : [value]) {
      const topic = resolve(stack, v);
      if (typeof topic === 'string') {
        externalTopics.set(topic, [...(externalTopics.get(topic) ?? []), publisher]);
      } else if (topic && !topic.publishers.some((p) => p.logicalId === publisher.logicalId && p.kind === publisher.kind)) {
        topic.publishers.push(publisher);
      }
    }
  };
  for (const stack of stacks) {
    const template: Template = stack.template;
    for (const [id, r] of Object.entries(template.Resources)) {
      const p = r.Properties ?? {};
      switch (r.Type) {
        case 'AWS::SNS::Subscription': {
          const topic = resolve(stack, p.TopicArn);
          if (topic && typeof topic !== 'string') {
            topic.subscriptions.push({ protocol: String(p.Protocol), endpoint: describeValue(template, p.Endpoint), declaredAs: 'resource' });
          }
          break;
        }
        case 'AWS::CloudWatch::Alarm':
        case 'AWS::CloudWatch::CompositeAlarm': {
          const publisher: TopicPublisher = { kind: 'alarm', name: typeof p.AlarmName === 'string' ? p.AlarmName : id, logicalId: id };
          for (const actions of [p.AlarmActions, p.OKActions, p.InsufficientDataActions]) publish(stack, actions ?? [], publisher);
          break;
        }
        case 'AWS::RDS::EventSubscription':
          publish(stack, p.SnsTopicArn, { kind: 'event subscription', name: `${p.SourceType ?? 'all'} events of ${(p.SourceIds ?? ['all sources']).join(', ')}`, logicalId: id });
          break;
        case 'AWS::Backup::BackupVault':
          if (p.Notifications) publish(stack, p.Notifications.SNSTopicArn, { kind: 'backup vault', name: String(p.BackupVaultName ?? id), logicalId: id });
          break;
        case 'AWS::StepFunctions::StateMachine': {
          const publisher: TopicPublisher = { kind: 'state machine', name: typeof p.StateMachineName === 'string' ? p.StateMachineName : id, logicalId: id };
          for (const v of Object.values(p.DefinitionSubstitutions ?? {})) publish(stack, v, publisher);
          const definition = JSON.stringify(p.DefinitionString ?? p.Definition ?? '');
          for (const t of topics.values()) {
            if (t.stack === stack && definition.includes(`"${t.logicalId}"`) && !t.publishers.some((x) => x.logicalId === id)) t.publishers.push(publisher);
          }
          break;
        }
        case 'AWS::Events::Rule':
          for (const target of p.Targets ?? []) publish(stack, target.Arn, { kind: 'EventBridge rule', name: typeof p.Name === 'string' ? p.Name : id, logicalId: id });
          break;
        default:
          break;
      }
    }
  }
  return { topics: [...topics.values()], externalTopics, resolve: (stack, value) => resolve(stack, value) };
}

/** The alarms of a stack and how many of them notify a topic with at least one subscriber. */
export function alarmsThatPage(stack: StackTemplate, page: Paging): { alarms: number; paging: number } {
  let alarms = 0;
  let pagingCount = 0;
  for (const r of Object.values(stack.template.Resources)) {
    if (r.Type !== 'AWS::CloudWatch::Alarm' && r.Type !== 'AWS::CloudWatch::CompositeAlarm') continue;
    alarms++;
    const actions: unknown[] = r.Properties?.AlarmActions ?? [];
    if (actions.some((a) => {
      const topic = page.resolve(stack, a);
      return topic !== undefined && typeof topic !== 'string' && topic.subscriptions.length > 0;
    })) pagingCount++;
  }
  return { alarms, paging: pagingCount };
}
