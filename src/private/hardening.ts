import { Names, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { acknowledge } from './nag';
import { TlsVersion } from '../common/tls';

/** Log types that RDS for PostgreSQL can export to CloudWatch Logs. */
export const POSTGRES_LOG_EXPORTS = ['postgresql', 'upgrade'];

/** The parameters that carry the TLS settings; users set them through typed props, never by hand. */
export const TLS_PARAMETERS = ['rds.force_ssl', 'ssl_min_protocol_version'];

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

