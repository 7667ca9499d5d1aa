import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IPostgresInstance } from '../common/postgres-instance';
import { literalAlarmNameOf } from '../private/alarms';
import { propError, where } from '../private/errors';
import { acknowledge } from '../private/nag';
import { DNS_NAME } from '../private/validation';
import { PROBE_METRIC_NAMESPACE } from '../writable-probe/writable-probe';

const CONSTRUCT = 'PromotionRole';

/** The prefix of the tags a promotion writes on the promoted instance. */
export const FENCE_TAG_PREFIX = 'cdk-resilient-postgres:';

/** The actions `route53:ChangeResourceRecordSets` can carry. */
const RECORD_ACTIONS = ['CREATE', 'UPSERT', 'DELETE'];
/** Record types a failover design may change. */
const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT'];

/**
 * A narrowly scoped permission to change DNS records, for designs that really move DNS by API. The library's own
 * failover does not: DNS moves through health checks, and at failover time Route 53's control plane (us-east-1) may
 * be the Region that is down.
 */
export interface RecordChangeScope {
  /** The hosted zone. */
  readonly zone: route53.IHostedZone;
  /** Fully qualified record names, without the trailing dot, e.g. `writer.orders.internal`. */
  readonly recordNames: string[];
  /**
   * Record types that may change.
   *
   * @default ['CNAME']
   */
  readonly recordTypes?: string[];
  /**
   * Change actions allowed.
   *
   * @default ['UPSERT']
   */
  readonly actions?: string[];
}

/** Properties of a `PromotionRole`. */
export interface PromotionRoleProps {
  /** The read replica that may be promoted: in this stack's Region, with an identifier known at synth time. */
  readonly replica: IPostgresInstance;

  /**
   * Who assumes the role: the failover runbook's state machine, a Lambda function, or an operator role.
   *
   * @default - AWS Step Functions in this account (states.amazonaws.com, aws:SourceAccount)
   */
  readonly assumedBy?: iam.IPrincipal;

  /** The topic every step of a promotion is announced on. */
  readonly topic: sns.ITopic;

  /**
   * The KMS key of `topic`, when it is encrypted with a customer-managed key.
   *
   * @default - none
   */
  readonly topicKey?: kms.IKey;

  /**
   * Alarms whose state the automation reads as evidence (DescribeAlarms is scoped to these ARNs).
   *
   * @default - none
   */
  readonly evidenceAlarms?: cloudwatch.IAlarm[];

  /**
   * ARNs of DB instances the automation may fence (`rds:ModifyDBInstance`, for example the old primary, to make it
   * read-only once its Region answers again).
   *
   * @default - none
   */
  readonly fenceInstanceArns?: string[];

  /**
   * DNS changes the automation may make through the Route 53 API, scoped with the condition keys
   * `route53:ChangeResourceRecordSetsNormalizedRecordNames`, `...RecordTypes` and `...Actions`.
   *
   * @default - none: DNS moves through health checks
   */
  readonly recordChanges?: RecordChangeScope;

  /**
   * Lets the automation tag the promoted instance with the fence record (`rds:AddTagsToResource` on the replica, for
   * tag keys starting with `cdk-resilient-postgres:` only).
   *
   * @default false
   */
  readonly recordFence?: boolean;

  /**
   * The role name.
   *
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
}

/**
 * The least-privilege role that promotion automation assumes, replacing the `AmazonRDSFullAccess` and
 * `AmazonRoute53FullAccess` roles of the usual recipes. Every statement names exactly what it needs:
 * - `rds:DescribeDBInstances` and `rds:PromoteReadReplica` on the replica's ARN only (the backup retention of the promoted
 *   instance is a parameter of PromoteReadReplica, so no `rds:ModifyDBInstance` on it);
 * - `rds:AddTagsToResource` on the replica for `cdk-resilient-postgres:` tag keys, with `recordFence`;
 * - `rds:ModifyDBInstance` and `rds:DescribeDBInstances` on the instances it may fence, if any;
 * - `cloudwatch:DescribeAlarms` on the evidence alarms' ARNs;
 * - `cloudwatch:GetMetricData` (no resource type exists; resource `*`) and `cloudwatch:PutMetricData` (no resource
 *   type; only in the probe's namespace, by the `cloudwatch:namespace` condition);
 * - `sns:Publish` on the topic (and `kms:GenerateDataKey`/`kms:Decrypt` on its key, through SNS only);
 * - `route53:ChangeResourceRecordSets` only when `recordChanges` asks for it, on that zone, for those names, types and
 *   actions.
 *
 * The permissions are a customer-managed policy; no AWS-managed policy is attached.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html
 */
export class PromotionRole extends Construct {
  /** The role. */
  public readonly role: iam.Role;
  /** The customer-managed policy with every permission of the role. */
  public readonly policy: iam.ManagedPolicy;
  /** The ARN of the replica the role may promote. */
  public readonly replicaArn: string;

  constructor(scope: Construct, id: string, props: PromotionRoleProps) {
    super(scope, id);
    const construct = where(this, CONSTRUCT);
    const stack = Stack.of(this);

    const replicaArn = props.replica.instanceArn;
    if (props.replica.region !== stack.region && !Token.isUnresolved(stack.region)) {
      throw propError(construct, 'replica', props.replica.instance.node.path,
        `a DB instance in this stack's Region (${stack.region}): promotion runs where the replica is, never in the failed Region`);
    }
    this.replicaArn = replicaArn;
    const fenceArns = props.fenceInstanceArns ?? [];
    fenceArns.forEach((arn, i) => {
      if (!Token.isUnresolved(arn) && !/^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:db:[a-z][a-z0-9-]*$/.test(arn)) {
        throw propError(construct, `fenceInstanceArns[${i}]`, arn, 'a DB instance ARN such as arn:aws:rds:us-east-1:111111111111:db:orders-primary');
      }
    });

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: props.assumedBy ?? new iam.ServicePrincipal('states.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Promotes the DR read replica (cdk-resilient-postgres): least privilege, no AWS-managed policies',
    });

    const statements = [
      new iam.PolicyStatement({
        sid: 'PromoteTheReplica',
        actions: ['rds:DescribeDBInstances', 'rds:PromoteReadReplica'],
        resources: [replicaArn],
      }),
    ];
    if (props.recordFence === true) {
      statements.push(new iam.PolicyStatement({
        sid: 'RecordTheFence',
        actions: ['rds:AddTagsToResource'],
        resources: [replicaArn],
        conditions: { 'ForAllValues:StringLike': { 'aws:TagKeys': [`${FENCE_TAG_PREFIX}*`] } },
      }));
    }
    if (fenceArns.length > 0) {
      statements.push(new iam.PolicyStatement({
        sid: 'FenceTheOldPrimary',
        actions: ['rds:DescribeDBInstances', 'rds:ModifyDBInstance'],
        resources: fenceArns,
      }));
    }
    const alarms = props.evidenceAlarms ?? [];
    if (alarms.length > 0) {
      statements.push(new iam.PolicyStatement({
        sid: 'ReadEvidenceAlarms',
        actions: ['cloudwatch:DescribeAlarms'],
        resources: alarms.map(alarmArnOf),
      }));
    }
    statements.push(
      // GetMetricData has no resource type and no condition key that narrows it.
      new iam.PolicyStatement({ sid: 'ReadMetrics', actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
      new iam.PolicyStatement({
        sid: 'PublishWritableSignal',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': PROBE_METRIC_NAMESPACE } },
      }),
      new iam.PolicyStatement({ sid: 'Notify', actions: ['sns:Publish'], resources: [props.topic.topicArn] }),
    );
    if (props.topicKey) {
      statements.push(new iam.PolicyStatement({
        sid: 'NotifyEncryptedTopic',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.topicKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${stack.region}.amazonaws.com` } },
      }));
    }
    if (props.recordChanges) {
      statements.push(recordChangeStatement(construct, props.recordChanges));
    }

    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Promotion of the DR read replica: scoped to the replica, the evidence, the signal namespace and the topic',
      roles: [this.role],
      statements,
    });
    acknowledge(this.policy,
      'cloudwatch:GetMetricData and cloudwatch:PutMetricData have no resource type in the service authorization reference, '
      + `so their resource is "*"; PutMetricData is limited to the ${PROBE_METRIC_NAMESPACE} namespace by the `
      + 'cloudwatch:namespace condition, and GetMetricData only reads.',
      'AwsSolutions-IAM5[Resource::*]');
  }
}

/** An alarm's ARN, as a literal when its name is one, so the policy reads as what it grants. */
function alarmArnOf(alarm: cloudwatch.IAlarm): string {
  const name = literalAlarmNameOf(alarm);
  if (name === undefined) {
    return alarm.alarmArn;
  }
  return Stack.of(alarm).formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/** `route53:ChangeResourceRecordSets` on one zone, for the given names, types and actions only. */
function recordChangeStatement(construct: string, scope: RecordChangeScope): iam.PolicyStatement {
  if (scope.recordNames.length === 0) {
    throw propError(construct, 'recordChanges.recordNames', '[]', 'at least one fully qualified record name');
  }
  const names = scope.recordNames.map((name, i) => {
    if (!DNS_NAME.test(name)) {
      throw propError(construct, `recordChanges.recordNames[${i}]`, name,
        'a fully qualified, lower-case record name without the trailing dot, such as writer.orders.internal (the normalized form the condition key compares)');
    }
    return name;
  });
  const types = scope.recordTypes ?? ['CNAME'];
  const badType = types.find((t) => !RECORD_TYPES.includes(t));
  if (types.length === 0 || badType !== undefined) {
    throw propError(construct, 'recordChanges.recordTypes', badType ?? '[]', `one or more of ${RECORD_TYPES.join(', ')}`);
  }
  const actions = scope.actions ?? ['UPSERT'];
  const badAction = actions.find((a) => !RECORD_ACTIONS.includes(a));
  if (actions.length === 0 || badAction !== undefined) {
    throw propError(construct, 'recordChanges.actions', badAction ?? '[]', `one or more of ${RECORD_ACTIONS.join(', ')}`);
  }
  return new iam.PolicyStatement({
    sid: 'ChangeFailoverRecords',
    actions: ['route53:ChangeResourceRecordSets'],
    resources: [scope.zone.hostedZoneArn],
    conditions: {
      'ForAllValues:StringEquals': {
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': names,
        'route53:ChangeResourceRecordSetsRecordTypes': types,
        'route53:ChangeResourceRecordSetsActions': actions,
      },
    },
  });
}
