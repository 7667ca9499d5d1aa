/**
 * The service-principal contract: wherever an AWS service acts on a resource of a synthesized template (CloudWatch
 * alarms and RDS events publishing to a topic, CloudWatch Logs encrypting a log group, a state machine or a function
 * publishing to a topic), the resource's policy, or the publisher's role, allows it in the form AWS documents.
 *
 * The check reads CloudFormation templates only. Policies are evaluated the way IAM evaluates them for one request
 * (principal, action, resource, request context): an Allow must match, no Deny may match. Each rule names the request
 * the service makes and the AWS page that documents it.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */

/** One synthesized template and the environment it deploys to. */
export interface ContractTemplate {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly template: { Resources?: Record<string, CfnResource> };
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: any;
}

/** What the check looked at, and every broken contract it found. */
export interface ContractReport {
  /** Topics a service or a role publishes to. */
  readonly topics: Set<string>;
  /** KMS keys checked for a topic or a log group. */
  readonly keys: Set<string>;
  /** Log groups encrypted with a KMS key. */
  readonly logGroups: Set<string>;
  /** The distinct principals checked (service principals and roles). */
  readonly principals: Set<string>;
  /** How many (resource, principal, request) checks were made. */
  checks: number;
  readonly failures: string[];
}

type Statement = Record<string, any>;

/** One request as IAM sees it. */
interface Request {
  /** A service principal (`cloudwatch.amazonaws.com`), or undefined for a request judged by an identity policy. */
  readonly service?: string;
  /** The ARN of the role making the request, when it is a role's. */
  readonly role?: string;
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string>;
}

// -------------------------------------------------------------------------------------------------------------------
// Rules. Each names the request the service makes, and the page AWS documents it on.
// -------------------------------------------------------------------------------------------------------------------

/**
 * CloudWatch alarm actions: cloudwatch.amazonaws.com calls sns:Publish on the topic; the request's aws:SourceArn is the
 * alarm's ARN and aws:SourceAccount its account. The documented scoping is ArnLike aws:SourceArn
 * `arn:aws:cloudwatch:<region>:<account>:alarm:*` (and CloudWatch sets aws:SourceAccount).
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html#sns-allow-cloudwatch-alarm-to-publish-to-topic-in-another-account
 * @see https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html#amazoncloudwatch-resources-for-iam-policies
 */
const CLOUDWATCH_ALARMS = 'cloudwatch.amazonaws.com';
/** The condition keys the SNS and KMS scoping of a service principal may use. */
const SOURCE_KEYS = ['aws:sourcearn', 'aws:sourceaccount'];

/**
 * RDS event notifications: events.rds.amazonaws.com calls sns:Publish on the subscription's topic; aws:SourceArn is the
 * source resource's ARN (for a DB instance `arn:aws:rds:<region>:<account>:db:<id>`), not the event subscription's.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.GrantingPermissions.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html#amazonrds-resources-for-iam-policies
 */
const RDS_EVENTS = 'events.rds.amazonaws.com';
/** RDS event source types and the ARN resource type of their sources (Service Authorization Reference). */
const RDS_SOURCE_ARN_TYPE: Record<string, string> = { 'db-instance': 'db', 'db-cluster': 'cluster' };

/**
 * A service publishing to a topic encrypted with a customer-managed key needs kms:GenerateDataKey* and kms:Decrypt in
 * the key policy, optionally scoped with aws:SourceAccount and aws:SourceArn. The AWS-managed key alias/aws/sns cannot
 * be used by CloudWatch alarms (its policy cannot be changed).
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 * @see https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns
 */
const TOPIC_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey*'];

/**
 * CloudWatch Logs with a customer-managed key: logs.<region>.amazonaws.com needs kms:Encrypt*, kms:Decrypt*,
 * kms:ReEncrypt*, kms:GenerateDataKey* and kms:Describe*, scoped by the encryption context
 * kms:EncryptionContext:aws:logs:arn = the log group's ARN `arn:aws:logs:<region>:<account>:log-group:<name>`.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
const LOGS_KEY_ACTIONS = ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'];
const LOGS_CONTEXT_KEY = 'kms:EncryptionContext:aws:logs:arn';

/**
 * A role that publishes to an encrypted topic needs sns:Publish on the topic and kms:GenerateDataKey and kms:Decrypt
 * on its key; SNS calls KMS for it (kms:ViaService sns.<region>.amazonaws.com).
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#send-to-encrypted-topic
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html
 */
const PUBLISHER_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

/**
 * A key policy lets IAM policies of its account grant use of the key only through a statement for the account
 * (`arn:aws:iam::<account>:root`); without it a role's kms: permissions do nothing.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
 */
const ACCOUNT_ROOT = (partition: string, account: string) => `arn:${partition}:iam::${account}:root`;

/** Step Functions tasks that publish to SNS (optimized integration, any pattern, and the SDK integration). */
const SFN_SNS_PUBLISH = /^arn:[^:]+:states:::(aws-sdk:)?sns:publish(\.[A-Za-z]+)?$/;

/** Resource types that may name a topic without publishing to it as a service, or whose use the rules above cover. */
const TOPIC_CONSUMERS = new Set([
  'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::SNS::Subscription', 'AWS::CloudWatch::Alarm', 'AWS::RDS::EventSubscription',
  'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Role', 'AWS::StepFunctions::StateMachine', 'AWS::Lambda::Function',
]);

// -------------------------------------------------------------------------------------------------------------------
// The check
// -------------------------------------------------------------------------------------------------------------------

/** Checks every template; the report lists what was checked and what is broken. */
export function checkServicePrincipals(templates: ContractTemplate[]): ContractReport {
  const report: ContractReport = { topics: new Set(), keys: new Set(), logGroups: new Set(), principals: new Set(), checks: 0, failures: [] };
  for (const t of templates) {
    new TemplateCheck(t, report).run();
  }
  return report;
}

class TemplateCheck {
  private readonly resources: Record<string, CfnResource>;
  private readonly partition: string;

  constructor(private readonly t: ContractTemplate, private readonly report: ContractReport) {
    this.resources = t.template.Resources ?? {};
    this.partition = t.region.startsWith('cn-') ? 'aws-cn' : t.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  }

  run(): void {
    this.guard(() => this.alarmActions());
    this.guard(() => this.eventSubscriptions());
    this.guard(() => this.logGroups());
    this.guard(() => this.publishers());
    this.guard(() => this.uncoveredTopicUses());
  }

  private guard(f: () => void) {
    try {
      f();
    } catch (e) {
      this.fail((e as Error).message);
    }
  }

  private fail(message: string) {
    this.report.failures.push(`${this.t.name}: ${message}`);
  }

  // --- (a) CloudWatch alarm actions --------------------------------------------------------------------------------
  private alarmActions() {
    for (const [id, r] of this.ofType('AWS::CloudWatch::Alarm')) {
      const p = r.Properties ?? {};
      const alarmName = p.AlarmName === undefined ? id : this.str(p.AlarmName);
      const alarmArn = `arn:${this.partition}:cloudwatch:${this.t.region}:${this.t.account}:alarm:${alarmName}`;
      const actions: unknown[] = [...(p.AlarmActions ?? []), ...(p.OKActions ?? []), ...(p.InsufficientDataActions ?? [])];
      const topics = new Set<string>();
      for (const action of actions) {
        const topic = this.topicOf(action);
        if (topic === undefined) {
          const text = JSON.stringify(action);
          if (text.includes(':sns:')) {
            this.fail(`alarm ${alarmName} sends to ${text}, a topic not in this template: its policy cannot be checked`);
          }
          continue;
        }
        topics.add(topic);
      }
      for (const topic of topics) {
        const request = { aws: alarmArn };
        this.servicePublishes(topic, CLOUDWATCH_ALARMS, request, `alarm ${alarmName}`, false);
      }
    }
  }

  // --- (b) RDS event subscriptions ---------------------------------------------------------------------------------
  private eventSubscriptions() {
    for (const [id, r] of this.ofType('AWS::RDS::EventSubscription')) {
      const p = r.Properties ?? {};
      const topic = this.topicOf(p.SnsTopicArn);
      if (topic === undefined) {
        this.fail(`event subscription ${id} sends to ${JSON.stringify(p.SnsTopicArn)}, a topic not in this template`);
        continue;
      }
      const arnType = RDS_SOURCE_ARN_TYPE[p.SourceType];
      const sourceIds: unknown[] = p.SourceIds ?? [];
      if (arnType === undefined || sourceIds.length === 0) {
        this.fail(`event subscription ${id}: source type ${p.SourceType} with source IDs ${JSON.stringify(p.SourceIds)} `
          + 'cannot be checked (the check knows db-instance and db-cluster sources named by ID)');
        continue;
      }
      for (const sourceId of sourceIds) {
        const source = this.str(sourceId);
        const sourceArn = `arn:${this.partition}:rds:${this.t.region}:${this.t.account}:${arnType}:${source}`;
        this.servicePublishes(topic, RDS_EVENTS, { aws: sourceArn }, `RDS events of ${source} (subscription ${id})`, true);
      }
    }
  }

  /**
   * A service publishing for a source: the topic policy allows it with the documented scoping, and the topic's key
   * (when encrypted) lets it encrypt.
   */
  private servicePublishes(topic: string, service: string, source: { aws: string }, what: string, requireSourceArn: boolean) {
    const topicArn = this.topicArn(topic);
    this.report.topics.add(`${this.t.name}/${topic}`);
    this.report.principals.add(service);
    const context = { 'aws:SourceArn': source.aws, 'aws:SourceAccount': this.t.account, 'aws:SecureTransport': 'true' };
    const request: Request = { service, action: 'sns:Publish', resource: topicArn, context };
    const statements = this.topicPolicyStatements(topic);
    this.report.checks++;
    const verdict = evaluate(statements, request, (s) => {
      const keys = conditionKeys(s);
      if (!keys.some((k) => SOURCE_KEYS.includes(k))) {
        return 'it is not scoped by aws:SourceArn or aws:SourceAccount';
      }
      if (requireSourceArn && !keys.includes('aws:sourcearn')) {
        return 'it is not scoped by aws:SourceArn';
      }
      return undefined;
    });
    if (verdict !== undefined) {
      this.fail(`${what}: topic ${topic} does not let ${service} sns:Publish for ${source.aws}: ${verdict}`);
    }
    this.topicKeyAllows(topic, service, context, what);
  }

  /** The topic's policy statements: every AWS::SNS::TopicPolicy of the template that names it. */
  private topicPolicyStatements(topic: string): Statement[] {
    const topicArn = this.topicArn(topic);
    const statements: Statement[] = [];
    for (const [, r] of this.ofType('AWS::SNS::TopicPolicy')) {
      const topics = (r.Properties?.Topics ?? []).map((x: unknown) => this.str(x));
      if (topics.includes(topicArn)) {
        statements.push(...asArray(r.Properties?.PolicyDocument?.Statement));
      }
    }
    return statements.map((st) => this.readStatement(st));
  }

  /** (c) The topic's key policy lets the service use the key. */
  private topicKeyAllows(topic: string, service: string, context: Record<string, string>, what: string) {
    const keyRef = this.resources[topic].Properties?.KmsMasterKeyId;
    if (keyRef === undefined) {
      return;
    }
    const key = this.keyOf(keyRef);
    if (key === undefined) {
      this.fail(`${what}: topic ${topic} is encrypted with ${JSON.stringify(keyRef)}, not a key of this template: `
        + `${service} needs a customer-managed key whose policy it can be checked against (alias/aws/sns cannot be used)`);
      return;
    }
    this.report.keys.add(`${this.t.name}/${key}`);
    for (const pattern of TOPIC_KEY_ACTIONS) {
      this.report.checks++;
      const verdict = evaluate(this.keyStatements(key), { service, action: pattern, resource: '*', context }, () => undefined);
      if (verdict !== undefined) {
        this.fail(`${what}: key ${key} of topic ${topic} does not let ${service} ${pattern}: ${verdict}`);
      }
    }
  }

  // --- (d) Log groups encrypted with a KMS key ---------------------------------------------------------------------
  private logGroups() {
    for (const [id, r] of this.ofType('AWS::Logs::LogGroup')) {
      const p = r.Properties ?? {};
      if (p.KmsKeyId === undefined) {
        continue;
      }
      this.report.logGroups.add(`${this.t.name}/${id}`);
      const key = this.keyOf(p.KmsKeyId);
      if (key === undefined) {
        this.fail(`log group ${id} is encrypted with ${JSON.stringify(p.KmsKeyId)}, not a key of this template`);
        continue;
      }
      if (typeof p.LogGroupName !== 'string') {
        this.fail(`log group ${id} has no literal LogGroupName: the encryption context its key must allow is unknown`);
        continue;
      }
      this.report.keys.add(`${this.t.name}/${key}`);
      const service = `logs.${this.t.region}.amazonaws.com`;
      this.report.principals.add(service);
      const logGroupArn = `arn:${this.partition}:logs:${this.t.region}:${this.t.account}:log-group:${p.LogGroupName}`;
      for (const pattern of LOGS_KEY_ACTIONS) {
        this.report.checks++;
        const verdict = evaluate(this.keyStatements(key), { service, action: pattern, resource: '*', context: { [LOGS_CONTEXT_KEY]: logGroupArn } },
          (s) => conditionKeys(s).includes(LOGS_CONTEXT_KEY.toLowerCase()) ? undefined : `it is not scoped by ${LOGS_CONTEXT_KEY}`);
        if (verdict !== undefined) {
          this.fail(`log group ${p.LogGroupName}: key ${key} does not let ${service} ${pattern} for ${logGroupArn}: ${verdict}`);
        }
      }
    }
  }

  // --- (e) State machines and functions that publish through their role --------------------------------------------
  private publishers() {
    for (const [id, r] of this.ofType('AWS::StepFunctions::StateMachine')) {
      const p = r.Properties ?? {};
      const topics = new Set<string>();
      for (const target of snsPublishTargets(p.DefinitionString, p.Definition)) {
        const topic = this.topicOf(substitute(target, p.DefinitionSubstitutions ?? {}));
        if (topic === undefined) {
          this.fail(`state machine ${id} publishes to ${JSON.stringify(target)}, which is not a topic of this template`);
        } else {
          topics.add(topic);
        }
      }
      for (const topic of topics) {
        this.rolePublishes(p.RoleArn, topic, `state machine ${id}`);
      }
    }
    for (const [id, r] of this.ofType('AWS::Lambda::Function')) {
      const p = r.Properties ?? {};
      const topics = new Set(Object.values(p.Environment?.Variables ?? {}).map((v) => this.topicOf(v)).filter((x): x is string => x !== undefined));
      for (const topic of topics) {
        this.rolePublishes(p.Role, topic, `function ${id}`);
      }
    }
  }

  private rolePublishes(roleRef: unknown, topic: string, what: string) {
    const role = this.logicalIdOf(roleRef, 'AWS::IAM::Role');
    if (role === undefined) {
      this.fail(`${what} publishes to topic ${topic} with role ${JSON.stringify(roleRef)}, not a role of this template`);
      return;
    }
    this.report.topics.add(`${this.t.name}/${topic}`);
    this.report.principals.add(`${this.t.name}/${role}`);
    const statements = this.roleStatements(role);
    const topicArn = this.topicArn(topic);
    this.report.checks++;
    const publish = evaluate(statements, { action: 'sns:Publish', resource: topicArn, context: { 'aws:SecureTransport': 'true' } }, () => undefined);
    if (publish !== undefined) {
      this.fail(`${what}: role ${role} may not sns:Publish to topic ${topic}: ${publish}`);
    }
    // The topic's own policy must not refuse the role (a Deny applies to every principal).
    const roleArn = this.str({ 'Fn::GetAtt': [role, 'Arn'] });
    const denied = this.topicPolicyStatements(topic).filter((s) => s.Effect === 'Deny'
      && statementMatches(s, { role: roleArn, action: 'sns:Publish', resource: topicArn, context: { 'aws:SecureTransport': 'true' } }, true));
    if (denied.length > 0) {
      this.fail(`${what}: topic ${topic} denies role ${role}: ${denied.map((s) => s.Sid ?? '(no Sid)').join(', ')}`);
    }
    const keyRef = this.resources[topic].Properties?.KmsMasterKeyId;
    if (keyRef === undefined) {
      return;
    }
    const key = this.keyOf(keyRef);
    if (key === undefined) {
      this.fail(`${what}: topic ${topic} is encrypted with ${JSON.stringify(keyRef)}, not a key of this template`);
      return;
    }
    this.report.keys.add(`${this.t.name}/${key}`);
    const keyArn = this.str({ 'Fn::GetAtt': [key, 'Arn'] });
    const context = {
      'kms:ViaService': `sns.${this.t.region}.amazonaws.com`,
      'kms:CallerAccount': this.t.account,
      'kms:EncryptionContext:aws:sns:topicArn': topicArn,
    };
    for (const action of PUBLISHER_KEY_ACTIONS) {
      this.report.checks++;
      const verdict = evaluate(statements, { action, resource: keyArn, context }, () => undefined);
      if (verdict !== undefined) {
        this.fail(`${what}: role ${role} may not ${action} on key ${key} of topic ${topic}: ${verdict}`);
      }
    }
    // The key policy must hand the decision to IAM policies of the account.
    this.report.checks++;
    const root = ACCOUNT_ROOT(this.partition, this.t.account);
    const delegates = this.keyStatements(key).some((s) => s.Effect === 'Allow' && asArray(s.Principal?.AWS)
      .some((x) => x === root || x === this.t.account) && PUBLISHER_KEY_ACTIONS.every((a) => actionMatches(s, a)) && s.Condition === undefined);
    if (!delegates) {
      this.fail(`${what}: key ${key} of topic ${topic} has no statement for ${root}, so role ${role}'s kms: permissions do not apply`);
    }
  }

  /** The statements of a role: inline policies, AWS::IAM::Policy and AWS::IAM::ManagedPolicy attached to it. */
  private roleStatements(role: string): Statement[] {
    const statements: Statement[] = [];
    const p = this.resources[role].Properties ?? {};
    for (const policy of asArray(p.Policies)) {
      statements.push(...asArray(policy.PolicyDocument?.Statement));
    }
    const managedArns = asArray(p.ManagedPolicyArns).map((x) => JSON.stringify(x));
    for (const [id, r] of Object.entries(this.resources)) {
      if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::ManagedPolicy') {
        continue;
      }
      const attached = asArray(r.Properties?.Roles).some((x) => this.logicalIdOf(x, 'AWS::IAM::Role') === role)
        || managedArns.includes(JSON.stringify({ Ref: id }));
      if (attached) {
        statements.push(...asArray(r.Properties?.PolicyDocument?.Statement));
      }
    }
    return statements.map((st) => this.readStatement(st));
  }

  // --- Completeness: a topic named by a resource none of the rules covers -------------------------------------------
  private uncoveredTopicUses() {
    const topics = new Set(this.ofType('AWS::SNS::Topic').map(([id]) => id));
    for (const [id, r] of Object.entries(this.resources)) {
      if (TOPIC_CONSUMERS.has(r.Type)) {
        continue;
      }
      const named = [...topics].filter((topic) => references(r.Properties, topic));
      if (named.length > 0) {
        this.fail(`${r.Type} ${id} names topic ${named.join(', ')}: no rule checks that its service may publish there`);
      }
    }
  }

  // --- Template helpers --------------------------------------------------------------------------------------------
  private ofType(type: string): Array<[string, CfnResource]> {
    return Object.entries(this.resources).filter(([, r]) => r.Type === type);
  }

  private keyStatements(key: string): Statement[] {
    return asArray(this.resources[key].Properties?.KeyPolicy?.Statement).map((st) => this.readStatement(st));
  }

  /** A policy statement with its resources, principals and condition values read as strings. */
  private readStatement(st: Statement): Statement {
    const read = (x: unknown) => Array.isArray(x) ? x.map((y) => this.str(y)) : this.str(x);
    const principal = st.Principal === undefined || typeof st.Principal === 'string' ? st.Principal
      : Object.fromEntries(Object.entries(st.Principal).map(([k, v]) => [k, read(v)]));
    const condition = st.Condition === undefined ? undefined : Object.fromEntries(Object.entries(st.Condition)
      .map(([op, block]) => [op, Object.fromEntries(Object.entries(block as object).map(([k, v]) => [k, read(v)]))]));
    return {
      ...st,
      ...(principal === undefined ? {} : { Principal: principal }),
      ...(st.Resource === undefined ? {} : { Resource: read(st.Resource) }),
      ...(condition === undefined ? {} : { Condition: condition }),
    };
  }

  /** The logical ID of a topic of this template that a value names (Ref, or the topic's ARN), else undefined. */
  private topicOf(value: unknown): string | undefined {
    const id = this.logicalIdOf(value, 'AWS::SNS::Topic');
    if (id !== undefined) {
      return id;
    }
    if (typeof value !== 'string') {
      return undefined;
    }
    return this.ofType('AWS::SNS::Topic').map(([topic]) => topic).find((topic) => this.topicArn(topic) === value);
  }

  /** The logical ID of a key of this template that a value names (Ref, GetAtt Arn), else undefined. */
  private keyOf(value: unknown): string | undefined {
    return this.logicalIdOf(value, 'AWS::KMS::Key');
  }

  private logicalIdOf(value: unknown, type: string): string | undefined {
    const v = value as any;
    const id = typeof v?.Ref === 'string' ? v.Ref : Array.isArray(v?.['Fn::GetAtt']) ? v['Fn::GetAtt'][0] : undefined;
    return id !== undefined && this.resources[id]?.Type === type ? id : undefined;
  }

  private topicArn(topic: string): string {
    return this.str({ Ref: topic });
  }

  /**
   * A template value as the string it deploys as. Resources' generated names stand in as their logical IDs, so one
   * resource always reads the same; anything the check cannot read throws.
   */
  str(value: unknown): string {
    const v = value as any;
    const { partition: p, t: { region: r, account: a } } = this;
    if (typeof v === 'string') {
      return v;
    }
    if (typeof v?.Ref === 'string') {
      const pseudo: Record<string, string> = { 'AWS::Partition': p, 'AWS::Region': r, 'AWS::AccountId': a, 'AWS::URLSuffix': 'amazonaws.com' };
      if (pseudo[v.Ref] !== undefined) {
        return pseudo[v.Ref];
      }
      const res = this.resources[v.Ref];
      switch (res?.Type) {
        case 'AWS::SNS::Topic': return `arn:${p}:sns:${r}:${a}:${res.Properties?.TopicName ?? v.Ref}`;
        case 'AWS::Logs::LogGroup': return res.Properties?.LogGroupName ?? v.Ref;
        case undefined: throw new Error(`cannot read ${JSON.stringify(v)}: no such resource`);
        default: return v.Ref;
      }
    }
    if (Array.isArray(v?.['Fn::GetAtt'])) {
      const [id, attr] = v['Fn::GetAtt'];
      const res = this.resources[id];
      if (res?.Type === 'AWS::KMS::Key' && attr === 'Arn') {
        return `arn:${p}:kms:${r}:${a}:key/${id}`;
      }
      if (res?.Type === 'AWS::Logs::LogGroup' && attr === 'Arn') {
        return `arn:${p}:logs:${r}:${a}:log-group:${res.Properties?.LogGroupName ?? id}:*`;
      }
      if (res?.Type === 'AWS::IAM::Role' && attr === 'Arn') {
        return `arn:${p}:iam::${a}:role/${res.Properties?.RoleName ?? id}`;
      }
      if (res?.Type === 'AWS::SNS::Topic' && attr === 'TopicArn') {
        return this.str({ Ref: id });
      }
      return `${id}.${attr}`;
    }
    if (Array.isArray(v?.['Fn::Join'])) {
      const [sep, parts] = v['Fn::Join'];
      return asArray(parts).map((x) => this.str(x)).join(sep);
    }
    throw new Error(`cannot read ${JSON.stringify(v)}`);
  }
}

// -------------------------------------------------------------------------------------------------------------------
// Policy evaluation for one request
// -------------------------------------------------------------------------------------------------------------------

/**
 * Whether the statements allow the request: undefined when an Allow matches (and `form` accepts it) and no Deny
 * matches, else why not. `form` returns why a matching Allow is not in the documented form, or undefined.
 */
function evaluate(statements: Statement[], request: Request, form: (s: Statement) => string | undefined): string | undefined {
  const denies = statements.filter((s) => s.Effect === 'Deny' && statementMatches(s, request, true));
  if (denies.length > 0) {
    return `denied by ${denies.map((s) => s.Sid ?? '(no Sid)').join(', ')}`;
  }
  const allows = statements.filter((s) => s.Effect === 'Allow' && statementMatches(s, request, false));
  if (allows.length === 0) {
    const near = statements.filter((s) => s.Effect === 'Allow' && principalMatches(s, request) && actionMatches(s, request.action));
    return near.length === 0 ? 'no statement allows it'
      : `the statements for it (${near.map((s) => s.Sid ?? '(no Sid)').join(', ')}) do not match its resource or conditions`;
  }
  const reasons = allows.map((s) => form(s));
  return reasons.some((x) => x === undefined) ? undefined : `${allows.map((s) => s.Sid ?? '(no Sid)').join(', ')}: ${reasons.join('; ')}`;
}

function statementMatches(s: Statement, request: Request, forDeny: boolean): boolean {
  for (const element of ['NotPrincipal', 'NotAction', 'NotResource']) {
    if (s[element] !== undefined) {
      // Not evaluated here: a Deny with it might apply, an Allow with it is not the documented form.
      return forDeny;
    }
  }
  return principalMatches(s, request) && actionMatches(s, request.action) && resourceMatches(s, request.resource)
    && conditionsMatch(s.Condition, request.context);
}

/** A statement without a Principal is an identity policy's, judged for the identity's own requests. */
function principalMatches(s: Statement, request: Request): boolean {
  if (s.Principal === undefined) {
    return request.service === undefined;
  }
  if (s.Principal === '*' || asArray(s.Principal.AWS).includes('*')) {
    return true;
  }
  if (request.role !== undefined && asArray(s.Principal.AWS).includes(request.role)) {
    return true;
  }
  return request.service !== undefined && asArray(s.Principal.Service).includes(request.service);
}

/** IAM action names are case-insensitive; * and ? are wildcards. A required pattern such as kms:GenerateDataKey* is
 * granted by a statement action that matches it as a string (kms:GenerateDataKey*, kms:*), not by kms:GenerateDataKey. */
function actionMatches(s: Statement, action: string): boolean {
  return asArray(s.Action).some((a: string) => glob(a.toLowerCase(), action.toLowerCase()));
}

function resourceMatches(s: Statement, resource: string): boolean {
  if (s.Resource === undefined) {
    return true; // a key policy or topic policy statement without Resource applies to the resource itself
  }
  return asArray(s.Resource).some((r: unknown) => typeof r === 'string' && glob(r, resource));
}

/** Every operator and every key must hold (AND); a key's values are alternatives (OR). */
function conditionsMatch(condition: Record<string, Record<string, unknown>> | undefined, context: Record<string, string>): boolean {
  if (condition === undefined) {
    return true;
  }
  const ctx = Object.fromEntries(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.entries(condition).every(([operator, block]) => Object.entries(block).every(([key, expected]) => {
    const op = operator.replace(/^For(All|Any)Values:/, '');
    const ifExists = op.endsWith('IfExists');
    const base = ifExists ? op.slice(0, -'IfExists'.length) : op;
    const actual = ctx[key.toLowerCase()];
    const negated = /Not/.test(base);
    if (actual === undefined) {
      return ifExists || negated;
    }
    const values = asArray(expected).map(String);
    const test = (v: string): boolean => {
      switch (base.replace('Not', '')) {
        case 'StringEquals': case 'ArnEquals': return v === actual;
        case 'StringEqualsIgnoreCase': return v.toLowerCase() === actual.toLowerCase();
        case 'StringLike': return glob(v, actual);
        case 'ArnLike': return arnLike(v, actual);
        case 'Bool': return v.toLowerCase() === actual.toLowerCase();
        default: throw new Error(`condition operator ${operator} is not evaluated by the check`);
      }
    };
    const any = values.some(test);
    return negated ? !any : any;
  }));
}

/** ArnLike compares the six colon-separated parts separately; wildcards do not cross the first five colons. */
function arnLike(pattern: string, arn: string): boolean {
  const split = (s: string) => {
    const parts = s.split(':');
    return [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const [p, a] = [split(pattern), split(arn)];
  return p.length === a.length && p.every((part, i) => glob(part, a[i]));
}

function glob(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('')}$`, 's');
  return re.test(value);
}

function conditionKeys(s: Statement): string[] {
  return Object.values(s.Condition ?? {}).flatMap((block: any) => Object.keys(block).map((k) => k.toLowerCase()));
}

// -------------------------------------------------------------------------------------------------------------------
// Template reading
// -------------------------------------------------------------------------------------------------------------------

function asArray(x: any): any[] {
  return x === undefined ? [] : Array.isArray(x) ? x : [x];
}

/** Whether a value references a logical ID (Ref, GetAtt, or ${id} in Fn::Sub). */
function references(value: unknown, id: string): boolean {
  if (Array.isArray(value)) {
    return value.some((v) => references(v, id));
  }
  if (value !== null && typeof value === 'object') {
    const v = value as any;
    if (v.Ref === id || (Array.isArray(v['Fn::GetAtt']) && v['Fn::GetAtt'][0] === id)) {
      return true;
    }
    return Object.values(v).some((x) => references(x, id));
  }
  return typeof value === 'string' && value.includes(`\${${id}`);
}

/**
 * The TopicArn of every SNS publish task of a state machine definition (Amazon States Language): JSONPath `Parameters`
 * or JSONata `Arguments`, in any nesting (Parallel branches, Map item processors). A definition with tokens is read with
 * each token as a placeholder that maps back to it.
 */
function snsPublishTargets(definitionString: unknown, definition: unknown): unknown[] {
  let parsed: unknown = definition;
  const placeholders = new Map<string, unknown>();
  if (definitionString !== undefined) {
    const text = typeof definitionString === 'string' ? definitionString
      : asArray((definitionString as any)['Fn::Join']?.[1]).map((part) => {
        if (typeof part === 'string') {
          return part;
        }
        const placeholder = `__token${placeholders.size}__`;
        placeholders.set(placeholder, part);
        return placeholder;
      }).join((definitionString as any)['Fn::Join']?.[0] ?? '');
    parsed = JSON.parse(text);
  }
  const targets: unknown[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) {
      node.forEach(walk);
    } else if (node !== null && typeof node === 'object') {
      const n = node as any;
      if (typeof n.Resource === 'string' && SFN_SNS_PUBLISH.test(n.Resource)) {
        const args = n.Arguments ?? n.Parameters ?? {};
        const target = args.TopicArn ?? args['TopicArn.$'];
        targets.push(typeof target === 'string' && placeholders.has(target) ? placeholders.get(target) : target);
      }
      Object.values(n).forEach(walk);
    }
  };
  walk(parsed);
  return targets;
}

/** Replaces a `${Name}` DefinitionSubstitutions placeholder by its value. */
function substitute(value: unknown, substitutions: Record<string, unknown>): unknown {
  const m = typeof value === 'string' ? /^\$\{([^}]+)\}$/.exec(value) : null;
  return m !== null && substitutions[m[1]] !== undefined ? substitutions[m[1]] : value;
}
