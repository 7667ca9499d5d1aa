import { Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { propError } from './errors';
import { acknowledge } from './nag';
import { validateMaintenanceWindow, validatePrivateSubnets, Window } from './validation';
import type { PostgresInstanceOptions } from '../common/instance-options';
import { TlsVersion } from '../common/tls';

/** Log types that RDS for PostgreSQL can export to CloudWatch Logs. */
export const POSTGRES_LOG_EXPORTS = ['postgresql', 'upgrade'];

/** The parameters that carry the TLS settings; users set them through typed props, never by hand. */
export const TLS_PARAMETERS: readonly string[] = ['rds.force_ssl', 'ssl_min_protocol_version'];

/** The `ssl_min_protocol_version` value for each TLS version. */
export const TLS_PARAMETER_VALUES: Record<TlsVersion, string> = {
  [TlsVersion.TLS_1_2]: 'TLSv1.2',
  [TlsVersion.TLS_1_3]: 'TLSv1.3',
};

/**
 * Creates the log groups RDS exports into, before the instance exists, so they are encrypted and bounded instead of
 * being created by RDS with infinite retention. Names follow `/aws/rds/instance/<identifier>/<log type>`.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html
 */
export function createExportLogGroups(scope: Construct, instanceIdentifier: string, key: kms.IKey,
  retention: logs.RetentionDays, removalPolicy: RemovalPolicy): Record<string, logs.ILogGroup> {
  const groups: Record<string, logs.ILogGroup> = {};
  for (const logType of POSTGRES_LOG_EXPORTS) {
    groups[logType] = new logs.LogGroup(scope, `${logType.charAt(0).toUpperCase()}${logType.slice(1)}LogGroup`, {
      logGroupName: `/aws/rds/instance/${instanceIdentifier}/${logType}`,
      encryptionKey: key,
      retention,
      removalPolicy,
    });
  }
  return groups;
}

/**
 * Limits who can pass the enhanced monitoring role that aws-cdk-lib creates for an instance to RDS: RDS may assume it
 * only on behalf of this instance in this account (`aws:SourceArn` and `aws:SourceAccount` in the trust policy), the
 * protection against the confused deputy problem that the RDS user guide gives for this role, in the form it documents.
 *
 * aws-cdk-lib builds the trust policy itself (one statement for `monitoring.rds.amazonaws.com`) and has no property for
 * its conditions, so they are added to that statement of the template.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html#USER_Monitoring.OS.confused-deputy
 */
export function scopeMonitoringRoleTrust(instance: rds.DatabaseInstanceBase, instanceArn: string): void {
  const monitoringRole = instance.node.tryFindChild('MonitoringRole');
  if (!(monitoringRole instanceof iam.Role)) {
    return;
  }
  const trust = Stack.of(instance).resolve(monitoringRole.assumeRolePolicy?.toJSON());
  const statements = trust?.Statement ?? [];
  if (statements.length !== 1 || statements[0].Principal?.Service !== 'monitoring.rds.amazonaws.com' || statements[0].Condition) {
    throw new Error(`unexpected trust policy on ${monitoringRole.node.path}: ${JSON.stringify(trust)}`);
  }
  (monitoringRole.node.defaultChild as iam.CfnRole).addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition', {
    StringLike: { 'aws:SourceArn': instanceArn },
    StringEquals: { 'aws:SourceAccount': Stack.of(instance).account },
  });
}

/** Acknowledges the AWS-managed policy on the enhanced monitoring role that aws-cdk-lib creates for an instance. */
export function acknowledgeMonitoringRole(instance: rds.DatabaseInstanceBase): void {
  const monitoringRole = instance.node.tryFindChild('MonitoringRole');
  if (monitoringRole) {
    acknowledge(monitoringRole,
      'The enhanced monitoring role uses the AWS-managed AmazonRDSEnhancedMonitoringRole policy, the policy RDS documents '
      + 'for this role; it only allows writing to the RDSOSMetrics log group.',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]');
  }
}

/** Acknowledges cdk-nag's standard-port rule, which every instance of the library raises by default. */
export function acknowledgeStandardPort(instance: rds.DatabaseInstanceBase): void {
  acknowledge(instance,
    'PostgreSQL listens on its standard port 5432 by default; a non-standard port is obscurity, not a control. Access is '
    + 'closed by a security group with no ingress until granted, TLS is enforced and IAM authentication is on. Set `port` to change it.',
    'AwsSolutions-RDS11');
}

/** The VPC's isolated subnets if it has any, otherwise its private subnets with egress. */
export function defaultSubnets(vpc: ec2.IVpc): ec2.SubnetSelection {
  return vpc.isolatedSubnets.length > 0
    ? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }
    : { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
}

/** A deterministic identifier from the construct path: lower case, hyphen-separated, at most 63 characters. */
export function defaultIdentifier(scope: Construct): string {
  const raw = Names.uniqueResourceName(scope, { maxLength: 63, separator: '-' }).toLowerCase();
  let id = raw.replace(/[^a-z0-9-]/g, '').replace(/-+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '');
  if (Token.isUnresolved(id) || id.length === 0) {
    id = `db-${Names.uniqueId(scope).toLowerCase().slice(-20)}`;
  }
  return id;
}


/** The checked and defaulted form of the options both instance constructs share. */
export interface CheckedInstanceOptions {
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly enforceTls: boolean;
  readonly minimumTlsVersion: TlsVersion;
  readonly iamAuthentication: boolean;
  readonly deletionProtection: boolean;
  readonly autoMinorVersionUpgrade: boolean;
  readonly monitoringInterval: Duration;
  /** The maintenance window, when one is given as a literal. */
  readonly maintenanceWindow?: Window;
}

/** Checks the shared options: TLS and its acknowledgement, hand-set TLS parameters, public access, subnets, monitoring. */
export function checkInstanceOptions(construct: string, options: PostgresInstanceOptions): CheckedInstanceOptions {
  const enforceTls = options.enforceTls ?? true;
  if (!enforceTls && options.acknowledgeTlsNotEnforced !== true) {
    throw propError(construct, 'enforceTls', false,
      'clients could then send credentials and data in clear text; set acknowledgeTlsNotEnforced: true to confirm it is intended');
  }
  for (const managed of TLS_PARAMETERS) {
    if (options.parameters && managed in options.parameters) {
      throw propError(construct, 'parameters', managed, 'the TLS parameters are set through enforceTls and minimumTlsVersion');
    }
  }
  if (options.publiclyAccessible === true) {
    throw propError(construct, 'publiclyAccessible', true, 'only false is supported: the database must not be reachable from the internet');
  }
  const vpcSubnets = options.vpcSubnets ?? defaultSubnets(options.vpc);
  validatePrivateSubnets(construct, options.vpcSubnets ? 'vpcSubnets' : 'vpc', options.vpc, vpcSubnets, 2);
  const monitoringInterval = options.monitoringInterval ?? Duration.seconds(60);
  if (![1, 5, 10, 15, 30, 60].includes(monitoringInterval.toSeconds({ integral: false }))) {
    throw propError(construct, 'monitoringInterval', monitoringInterval.toHumanString(), 'one of 1, 5, 10, 15, 30 or 60 seconds');
  }
  const maintenanceWindow = options.preferredMaintenanceWindow === undefined ? undefined
    : validateMaintenanceWindow(construct, 'preferredMaintenanceWindow', options.preferredMaintenanceWindow);
  return {
    vpcSubnets,
    enforceTls,
    minimumTlsVersion: options.minimumTlsVersion ?? TlsVersion.TLS_1_2,
    iamAuthentication: options.iamAuthentication ?? true,
    deletionProtection: options.deletionProtection ?? true,
    autoMinorVersionUpgrade: options.autoMinorVersionUpgrade ?? true,
    monitoringInterval,
    maintenanceWindow,
  };
}

/** The instance's parameter group: the engine's family, TLS forced (or not, when acknowledged), the minimum TLS version. */
export function tlsParameterGroup(scope: Construct, engine: rds.IInstanceEngine, description: string,
  { enforceTls, minimumTlsVersion }: CheckedInstanceOptions,
  options: PostgresInstanceOptions): { group: rds.ParameterGroup; parameters: Record<string, string> } {
  const parameters: Record<string, string> = {
    'rds.force_ssl': enforceTls ? '1' : '0',
    'ssl_min_protocol_version': TLS_PARAMETER_VALUES[minimumTlsVersion],
    ...options.parameters,
  };
  const group = new rds.ParameterGroup(scope, 'ParameterGroup', {
    engine,
    description: `${description}: TLS ${enforceTls ? 'enforced' : 'optional'}`,
    parameters: { ...parameters },
  });
  return { group, parameters };
}
