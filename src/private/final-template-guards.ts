import { CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { IConstruct } from 'constructs';
import { propError } from './errors';
import { POSTGRES_LOG_EXPORTS, TLS_PARAMETER_VALUES } from './instance-setup';
import { TlsVersion } from '../common/tls';

/**
 * Checks, at synth time, that escape hatches did not undo a default that a prop guards.
 *
 * The constructs set secure and data-safety defaults, and weakening one takes a prop (`enforceTls: false`,
 * `deletionProtection: false`, ...) or is not offered at all. `addPropertyOverride`, `addOverride`,
 * `applyRemovalPolicy` or `parameterGroup.addParameter` on the resources the construct creates go around those props.
 * The check runs as a validation of the construct (`node.addValidation`), which `app.synth()` runs after every escape
 * hatch has been applied, and reads the resources as they are rendered into the template, overrides included.
 *
 * What is not checked: a value that is not a literal in the template (a `Ref` to a CloudFormation parameter, an
 * `Fn::If`, an imported value), and a parameter group the instance names by a literal name or an import rather than
 * by a `Ref` to a parameter group of its stack (its parameters are not in the template); resources that are not the
 * construct's own (a security group rule added elsewhere, a parameter group attached later to another instance).
 */

/** The settings of one database construct that escape hatches must not undo, with the props that opt out of them. */
export interface GuardedSettings {
  /** The construct's name, which starts every message. */
  readonly construct: string;
  /** The DB instance's resource; undefined while the template does not declare it. */
  readonly instance?: rds.CfnDBInstance;
  /** The construct's parameter group, which carries the TLS settings. */
  readonly parameterGroup: rds.IParameterGroup;
  /** `enforceTls`. */
  readonly enforceTls: boolean;
  /** `minimumTlsVersion`. */
  readonly minimumTlsVersion: TlsVersion;
  /**
   * Whether `StorageEncrypted` is left out because the instance inherits encryption from its source (a read replica or
   * an instance promoted from one). It must then not be `false`; otherwise it must be `true`.
   */
  readonly storageEncryptionInherited: boolean;
  /** Whether Multi-AZ is on, and the props that turn it off. */
  readonly multiAz: { readonly on: boolean; readonly optOut: string };
  /** `deletionProtection`. */
  readonly deletionProtection: boolean;
  /** `iamAuthentication`. */
  readonly iamAuthentication: boolean;
  /** `autoMinorVersionUpgrade`. */
  readonly autoMinorVersionUpgrade: boolean;
  /** The automated-backup retention in days the props ask for (0: none), and the prop that sets it. */
  readonly backupRetention: { readonly days: number; readonly prop: string };
  /** The instance's `removalPolicy`. */
  readonly removalPolicy: RemovalPolicy;
  /** `keyRemovalPolicy`, and the constructs that follow it (the created key, the secret, the log groups). */
  readonly keyRemovalPolicy: RemovalPolicy;
  readonly followKeyRemovalPolicy: IConstruct[];
  /** The master secret, which must stay encrypted with the customer-managed key. */
  readonly secret?: IConstruct;
}

/** Adds the check of the guarded settings on the final template to the construct. */
export function guardFinalTemplate(scope: IConstruct, settings: GuardedSettings): void {
  scope.node.addValidation({ validate: () => finalTemplateViolations(settings) });
}

/** The versions `ssl_min_protocol_version` may take, weakest first. */
const TLS_ORDER = [TLS_PARAMETER_VALUES[TlsVersion.TLS_1_2], TLS_PARAMETER_VALUES[TlsVersion.TLS_1_3]];

/** The messages, one for each guarded setting the final template undoes. */
export function finalTemplateViolations(s: GuardedSettings): string[] {
  const violations: string[] = [];
  const invalid = (what: string, value: unknown, why: string) =>
    violations.push(propError(s.construct, what, typeof value === 'object' && value !== null ? JSON.stringify(value) : value, why).message);

  const groups = new Set<rds.CfnDBParameterGroup>();
  const ownGroup = s.parameterGroup.node.defaultChild;
  if (ownGroup instanceof rds.CfnDBParameterGroup) {
    groups.add(ownGroup);
  }
  if (s.instance) {
    const rendered = renderedResource(s.instance);
    checkInstance(s, rendered?.Properties ?? {}, rendered?.DeletionPolicy, invalid);
    const group = referencedParameterGroup(s.instance, rendered?.Properties?.DBParameterGroupName);
    if (group) {
      groups.add(group);
    }
  }
  for (const group of groups) {
    checkTlsParameters(s, renderedResource(group)?.Properties?.Parameters, invalid);
  }
  const secret = s.secret?.node.defaultChild;
  if (secret instanceof CfnResource) {
    const keyId = renderedResource(secret)?.Properties?.KmsKeyId;
    if (keyId === undefined || keyId === '') {
      // Without KmsKeyId, Secrets Manager encrypts the secret with the AWS-managed key aws/secretsmanager.
      // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
      invalid('secret KmsKeyId', keyId, 'the master secret is encrypted with the customer-managed key (encryptionKey), not the '
        + 'AWS-managed aws/secretsmanager key; no prop changes it, give another key through encryptionKey');
    }
  }
  if (s.keyRemovalPolicy !== RemovalPolicy.DESTROY) {
    for (const construct of s.followKeyRemovalPolicy) {
      const resource = construct.node.defaultChild;
      if (resource instanceof CfnResource && deletes(resource.cfnResourceType, renderedResource(resource)?.DeletionPolicy)) {
        invalid(`DeletionPolicy of ${construct.node.path}`, renderedResource(resource)?.DeletionPolicy,
          `keyRemovalPolicy is ${s.keyRemovalPolicy}, so it is kept when it leaves the stack; set keyRemovalPolicy: `
          + 'RemovalPolicy.DESTROY (with removalPolicy: RemovalPolicy.DESTROY) to delete it with the stack');
      }
    }
  }
  return violations;
}

type Invalid = (what: string, value: unknown, why: string) => void;

/**
 * The DB instance's guarded properties.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.BackupRetention.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.Retaining.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.access-control.cmk-policy.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.Upgrading.html#USER_UpgradeDBInstance.Upgrading.AutoMinorVersionUpgrades
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
 */
function checkInstance(s: GuardedSettings, p: Record<string, unknown>, deletionPolicy: unknown, invalid: Invalid): void {
  const noProp = 'no prop changes it';
  if (s.storageEncryptionInherited ? is(p.StorageEncrypted, false) : isNot(p.StorageEncrypted, true)) {
    invalid('StorageEncrypted', p.StorageEncrypted, `the storage is encrypted; ${noProp}`);
  }
  if (p.KmsKeyId === undefined || p.KmsKeyId === '') {
    invalid('KmsKeyId', p.KmsKeyId, 'the storage is encrypted with the customer-managed key (encryptionKey), not the AWS-managed '
      + `aws/rds key; ${noProp}, give another key through encryptionKey`);
  }
  if (isNot(p.PubliclyAccessible, false)) {
    invalid('PubliclyAccessible', p.PubliclyAccessible, `the instance is not publicly accessible; ${noProp}`);
  }
  if (s.deletionProtection && isNot(p.DeletionProtection, true)) {
    invalid('DeletionProtection', p.DeletionProtection,
      'deletionProtection is on, so the instance must keep it; set deletionProtection: false to turn it off');
  }
  const retention = p.BackupRetentionPeriod;
  if (s.backupRetention.days > 0 && !isIntrinsic(retention) && !(Number(retention) >= s.backupRetention.days)) {
    invalid('BackupRetentionPeriod', retention,
      `${s.backupRetention.prop} is ${s.backupRetention.days} days, so automated backups must be kept at least that long; `
      + `set ${s.backupRetention.prop} to change it`);
  }
  if (isNot(p.DeleteAutomatedBackups, false)) {
    invalid('DeleteAutomatedBackups', p.DeleteAutomatedBackups,
      `the automated backups are kept for their retention period after the instance is deleted; ${noProp}`);
  }
  if (s.multiAz.on && isNot(p.MultiAZ, true)) {
    invalid('MultiAZ', p.MultiAZ, `multiAz is on, so the instance must keep its standby; set ${s.multiAz.optOut} for a single-AZ instance`);
  }
  if (isNot(p.CopyTagsToSnapshot, true)) {
    invalid('CopyTagsToSnapshot', p.CopyTagsToSnapshot, `tags are copied to snapshots; ${noProp}`);
  }
  if (s.iamAuthentication && isNot(p.EnableIAMDatabaseAuthentication, true)) {
    invalid('EnableIAMDatabaseAuthentication', p.EnableIAMDatabaseAuthentication,
      'iamAuthentication is on; set iamAuthentication: false to turn IAM database authentication off');
  }
  const exports = p.EnableCloudwatchLogsExports;
  if (!isIntrinsic(exports) && !(Array.isArray(exports) && POSTGRES_LOG_EXPORTS.every((log) => exports.includes(log)))) {
    invalid('EnableCloudwatchLogsExports', exports, `the ${POSTGRES_LOG_EXPORTS.join(' and ')} logs are exported to their encrypted log `
      + 'groups; no prop turns the exports off (more log types may be added)');
  }
  if (isNot(p.EnablePerformanceInsights, true)) {
    invalid('EnablePerformanceInsights', p.EnablePerformanceInsights,
      `Performance Insights is on; ${noProp} (performanceInsightRetention sets its retention)`);
  }
  if (p.PerformanceInsightsKMSKeyId === undefined || p.PerformanceInsightsKMSKeyId === '') {
    invalid('PerformanceInsightsKMSKeyId', p.PerformanceInsightsKMSKeyId, 'Performance Insights data is encrypted with the '
      + `customer-managed key (encryptionKey), not the AWS-managed aws/rds key; ${noProp}`);
  }
  // Left out, AutoMinorVersionUpgrade is true.
  if (s.autoMinorVersionUpgrade && p.AutoMinorVersionUpgrade !== undefined && isNot(p.AutoMinorVersionUpgrade, true)) {
    invalid('AutoMinorVersionUpgrade', p.AutoMinorVersionUpgrade,
      'autoMinorVersionUpgrade is on; set autoMinorVersionUpgrade: false to apply minor versions yourself');
  }
  if (p.DBParameterGroupName === undefined || p.DBParameterGroupName === '') {
    invalid('DBParameterGroupName', p.DBParameterGroupName, 'the instance uses its parameter group, which carries the TLS settings '
      + `(enforceTls, minimumTlsVersion); ${noProp}, extra parameters go through parameters`);
  }
  if (s.removalPolicy !== RemovalPolicy.DESTROY && deletes('AWS::RDS::DBInstance', deletionPolicy)) {
    invalid('DeletionPolicy', deletionPolicy, `removalPolicy is ${s.removalPolicy}, so the instance is not deleted with the stack `
      + 'without a final snapshot; set removalPolicy: RemovalPolicy.DESTROY to allow it');
  }
}

/**
 * `rds.force_ssl` and `ssl_min_protocol_version` in a parameter group's final parameters. A parameter whose value is
 * not a literal, or parameters that are not a literal map, are not checked.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html
 */
function checkTlsParameters(s: GuardedSettings, parameters: unknown, invalid: Invalid): void {
  if (isIntrinsic(parameters)) {
    return;
  }
  const values = (parameters ?? {}) as Record<string, unknown>;
  const forceSsl = values['rds.force_ssl'];
  if (s.enforceTls && !isIntrinsic(forceSsl) && String(forceSsl) !== '1') {
    invalid('parameter rds.force_ssl', forceSsl, 'enforceTls is on, so the parameter group must keep rds.force_ssl=1; set '
      + 'enforceTls: false (with acknowledgeTlsNotEnforced: true) to allow plaintext connections');
  }
  const minimum = values.ssl_min_protocol_version;
  const required = TLS_PARAMETER_VALUES[s.minimumTlsVersion];
  if (!isIntrinsic(minimum) && !(TLS_ORDER.indexOf(String(minimum)) >= TLS_ORDER.indexOf(required))) {
    invalid('parameter ssl_min_protocol_version', minimum, `minimumTlsVersion is ${s.minimumTlsVersion}, so the parameter group must `
      + `keep ssl_min_protocol_version at ${required} or newer; set minimumTlsVersion (TLS_1_2 or TLS_1_3) to change it`);
  }
}

/** The resource as the template renders it: type, properties with every override applied, and policies. */
interface RenderedResource {
  readonly Properties?: Record<string, any>;
  readonly DeletionPolicy?: unknown;
}

/**
 * A resource as `app.synth()` writes it into the template. aws-cdk-lib offers no public way to read the properties of
 * an L1 resource with its raw overrides applied: `CfnResource._toCloudFormation()` is what the stack's synthesis calls,
 * and it merges `addOverride`/`addPropertyOverride` into the rendered resource when resolved
 * (aws-cdk-lib/core/lib/cfn-resource.ts).
 */
function renderedResource(resource: CfnResource): RenderedResource | undefined {
  const stack = Stack.of(resource);
  const rendered = stack.resolve((resource as unknown as { _toCloudFormation(): object })._toCloudFormation());
  return rendered?.Resources?.[stack.resolve(resource.logicalId)];
}

/** The parameter group of the instance's stack that `DBParameterGroupName` refers to, if it is a `Ref` to one. */
function referencedParameterGroup(instance: rds.CfnDBInstance, name: unknown): rds.CfnDBParameterGroup | undefined {
  const ref = typeof name === 'object' && name !== null ? (name as { Ref?: unknown }).Ref : undefined;
  if (typeof ref !== 'string') {
    return undefined;
  }
  const stack = Stack.of(instance);
  return stack.node.findAll().find((c): c is rds.CfnDBParameterGroup =>
    c instanceof rds.CfnDBParameterGroup && stack.resolve(c.logicalId) === ref);
}

/**
 * Whether a deletion policy deletes the resource with the stack. Without one, CloudFormation deletes a resource, except
 * a DB instance outside a DB cluster, of which it takes a snapshot.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
 */
function deletes(resourceType: string, deletionPolicy: unknown): boolean {
  if (deletionPolicy === undefined) {
    return resourceType !== 'AWS::RDS::DBInstance';
  }
  return deletionPolicy === 'Delete';
}

/** Whether a rendered value is an intrinsic function (`Ref`, `Fn::...`), which is not known at synth. */
function isIntrinsic(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/** Whether a rendered boolean is the literal `expected` (CloudFormation takes `true` and `'true'` alike). */
function is(value: unknown, expected: boolean): boolean {
  return !isIntrinsic(value) && String(value) === String(expected);
}

/** Whether a rendered boolean is known and not `expected`: absent (CloudFormation's default) counts as not. */
function isNot(value: unknown, expected: boolean): boolean {
  return !isIntrinsic(value) && String(value) !== String(expected);
}
