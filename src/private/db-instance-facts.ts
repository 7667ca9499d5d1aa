import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { propError } from './errors';
import type { IPostgresInstance } from '../common/postgres-instance';

// What constructs read from a DB instance of the app at synth time (its AWS::RDS::DBInstance, its literal identifier,
// numbers of its template), and the ARN of a DB instance built from literals.

/**
 * The `AWS::RDS::DBInstance` behind a DB instance construct of this app, or undefined for imported instances.
 */
export function cfnDbInstanceOf(instance: rds.IDatabaseInstance): rds.CfnDBInstance | undefined {
  const child = instance.node.defaultChild;
  return child instanceof rds.CfnDBInstance ? child : undefined;
}

/** The literal DB instance identifier of an instance of this app, or undefined if only a token is known. */
export function literalIdentifierOf(instance: rds.IDatabaseInstance): string | undefined {
  if (!Token.isUnresolved(instance.instanceIdentifier)) {
    return instance.instanceIdentifier.toLowerCase();
  }
  const id = cfnDbInstanceOf(instance)?.dbInstanceIdentifier;
  return id !== undefined && !Token.isUnresolved(id) ? id.toLowerCase() : undefined;
}

/**
 * The identifier alarms and metrics are named after: `given`, or the instance's literal identifier. Rejects an
 * instance whose identifier is only known at deploy time.
 */
export function requireLiteralIdentifier(construct: string, instance: IPostgresInstance, given?: string): string {
  const identifier = given ?? instance.instanceIdentifier;
  if (identifier === undefined || Token.isUnresolved(identifier)) {
    throw propError(construct, 'instanceIdentifier', identifier ?? instance.instance.node.path,
      'a literal DB instance identifier: the instance has none known at synth time, so give instanceIdentifier');
  }
  return identifier;
}

/**
 * The ARN of a DB instance from its identifier, `arn:<partition>:rds:<region>:<account>:db:<identifier>`, in `stack`'s
 * Region and account unless others are given. Built from literals, so it can be used in another Region's stack. The
 * partition is `partition` when given (the source's own, so an `aws-cn` or `aws-us-gov` ARN keeps it), else `stack`'s.
 */
export function dbInstanceArn(stack: Stack, identifier: string, region?: string, account?: string, partition?: string): string {
  return Arn.format({
    partition, service: 'rds', region, account, resource: 'db', resourceName: identifier, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  }, stack);
}

/** A number, or a numeric string, as a number; anything else as undefined. */
export function numberOrUndefined(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/**
 * RDS's backup retention when a DB instance is created without `BackupRetentionPeriod` (the API's and the
 * CloudFormation resource's default).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (BackupRetentionPeriod, Default: 1)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.BackupRetention.html
 */
export const RDS_DEFAULT_BACKUP_RETENTION_DAYS = 1;

/**
 * The automated-backup retention in days of a DB instance of this app, as its template says: the literal
 * `BackupRetentionPeriod`, RDS's default of 1 day when the template leaves it out, or undefined when it is a token
 * (a parameter or an import) and so unknown at synth. Every part that follows the source's retention reads it here.
 */
export function backupRetentionDaysOf(cfn: rds.CfnDBInstance): number | undefined {
  const value = Stack.of(cfn).resolve(cfn.backupRetentionPeriod);
  return value === undefined ? RDS_DEFAULT_BACKUP_RETENTION_DAYS : numberOrUndefined(value);
}

/**
 * The resource ID (`DbiResourceId`, `db-...`) that `rds-db:connect` names, of an instance of the app or of an import.
 * For an instance of the app it is the `DbiResourceId` attribute of its `AWS::RDS::DBInstance`, read from the resource
 * itself: aws-cdk-lib's `DatabaseInstanceReadReplica.instanceResourceId` is the instance's ARN unless the feature flag
 * `@aws-cdk/aws-rds:setCorrectValueForDatabaseInstanceReadReplicaInstanceResourceId` is set, and a grant on that ARN
 * matches no login. For an import, the `instanceResourceId` it was given, if any.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrdsiamauthentication.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html#aws-resource-rds-dbinstance-return-values
 */
export function dbiResourceIdOf(instance: rds.IDatabaseInstance): string | undefined {
  const resource = instance.node.defaultChild;
  return resource instanceof rds.CfnDBInstance ? resource.attrDbiResourceId : instance.instanceResourceId;
}
