import { Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { propError } from './errors';

/**
 * Oldest PostgreSQL major version still in RDS standard support (PostgreSQL 13 left standard support on
 * 2026-02-28; older majors run only under paid RDS Extended Support).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html
 */
export const MIN_POSTGRES_MAJOR = 14;

/**
 * DB instance class families that RDS has retired or announced the end of support for
 * (db.m1/m2/m3, db.r3, db.t1 are previous generation; db.m4, db.r4 and db.t2 reached end of support).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Types.html
 */
export const DEPRECATED_INSTANCE_FAMILIES: readonly string[] = ['t1', 't2', 'm1', 'm2', 'm3', 'm4', 'r3', 'r4'];

/**
 * Allocated-storage limits for RDS for PostgreSQL, in GiB, by storage type.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (AllocatedStorage)
 */
export const STORAGE_LIMITS_GIB: Record<string, { min: number; max: number }> = {
  [rds.StorageType.GP2]: { min: 20, max: 65_536 },
  [rds.StorageType.GP3]: { min: 20, max: 65_536 },
  [rds.StorageType.IO1]: { min: 100, max: 65_536 },
  [rds.StorageType.IO2]: { min: 100, max: 65_536 },
  [rds.StorageType.STANDARD]: { min: 5, max: 3_072 },
};

/** RDS automated backups are kept between 1 and 35 days (0 disables them, which we never allow). */
export const MAX_BACKUP_RETENTION_DAYS = 35;

/** Checks that an engine is RDS for PostgreSQL at a major version in standard support. */
export function validatePostgresEngine(construct: string, prop: string, engine: rds.IInstanceEngine): void {
  if (engine.engineType !== 'postgres') {
    throw propError(construct, prop, engine.engineType, "only RDS for PostgreSQL ('postgres') is supported");
  }
  const full = engine.engineVersion?.fullVersion;
  const major = engine.engineVersion?.majorVersion;
  if (major === undefined || Token.isUnresolved(major)) {
    return;
  }
  const majorNumber = Number.parseInt(major, 10);
  if (!Number.isFinite(majorNumber) || majorNumber < MIN_POSTGRES_MAJOR) {
    throw propError(construct, prop, `postgres ${full ?? major}`,
      `PostgreSQL major version ${MIN_POSTGRES_MAJOR} or newer is required; older majors are out of RDS standard support`);
  }
}

/** Checks an RDS DB instance identifier against the rules of CreateDBInstance. */
export function validateInstanceIdentifier(construct: string, prop: string, identifier: string): void {
  if (Token.isUnresolved(identifier)) {
    throw propError(construct, prop, identifier,
      'a literal string is required, because the replica ARN, log group names and alarms are derived from it at synth time');
  }
  const rules = '1 to 63 letters, digits or hyphens, starting with a letter, with no two consecutive hyphens and no trailing hyphen';
  if (identifier.length < 1 || identifier.length > 63
    || !/^[a-zA-Z][a-zA-Z0-9-]*$/.test(identifier)
    || identifier.includes('--')
    || identifier.endsWith('-')) {
    throw propError(construct, prop, identifier, rules);
  }
}

/** Checks the storage size for the storage type, and the autoscaling ceiling. */
export function validateStorage(construct: string, storageType: rds.StorageType, allocated: number, maxAllocated?: number): void {
  const limits = STORAGE_LIMITS_GIB[storageType];
  if (!Number.isInteger(allocated) || allocated < limits.min || allocated > limits.max) {
    throw propError(construct, 'allocatedStorage', allocated,
      `${storageType} storage takes a whole number of GiB from ${limits.min} to ${limits.max}`);
  }
  if (maxAllocated !== undefined
    && (!Number.isInteger(maxAllocated) || maxAllocated <= allocated || maxAllocated > limits.max)) {
    throw propError(construct, 'maxAllocatedStorage', maxAllocated,
      `a whole number of GiB greater than allocatedStorage (${allocated}) and at most ${limits.max}`);
  }
}

/** Rejects retired DB instance classes. */
export function validateInstanceType(construct: string, prop: string, instanceType: ec2.InstanceType): void {
  const name = instanceType.toString();
  if (Token.isUnresolved(name)) {
    return;
  }
  const family = name.replace(/^db\./, '').split('.')[0];
  if (DEPRECATED_INSTANCE_FAMILIES.includes(family)) {
    throw propError(construct, prop, `db.${name.replace(/^db\./, '')}`,
      `the ${family} instance family is retired by RDS; choose a current generation class such as db.m7g or db.r7g`);
  }
}

/**
 * Checks that a duration is a whole number of days or hours within a range, and returns that number. The message names
 * the range and, when given, where the limit comes from.
 */
export function wholeUnits(construct: string, prop: string, value: Duration, unit: 'days' | 'hours' | 'minutes' | 'seconds',
  min: number, max: number, limit?: string): number {
  const n = {
    days: () => value.toDays({ integral: false }),
    hours: () => value.toHours({ integral: false }),
    minutes: () => value.toMinutes({ integral: false }),
    seconds: () => value.toSeconds({ integral: false }),
  }[unit]();
  if (!Number.isInteger(n) || n < min || n > max) {
    throw propError(construct, prop, value.toHumanString(), `a whole number of ${unit} from ${min} to ${max}${limit ? ` (${limit})` : ''}`);
  }
  return n;
}

/** Checks a backup retention period: whole days from 1 to 35. */
export function validateBackupRetention(construct: string, prop: string, retention: Duration): void {
  wholeUnits(construct, prop, retention, 'days', 1, MAX_BACKUP_RETENTION_DAYS, 'the RDS limit');
}

/** Rejects a subnet selection that contains public subnets. */
export function validatePrivateSubnets(construct: string, prop: string, vpc: ec2.IVpc, selection: ec2.SubnetSelection): void {
  const selected = vpc.selectSubnets(selection);
  if (selected.hasPublic) {
    throw propError(construct, prop, describeSelection(selection),
      'the database must be placed in private or isolated subnets, never public ones');
  }
}

function describeSelection(selection: ec2.SubnetSelection): string {
  if (selection.subnetType) {
    return `subnetType ${selection.subnetType}`;
  }
  if (selection.subnetGroupName) {
    return `subnetGroupName ${selection.subnetGroupName}`;
  }
  return 'selection';
}

/**
 * A fully qualified, lower-case DNS name without the trailing dot, such as `writer.orders.internal`: labels of 1-63
 * letters, digits and hyphens, not starting or ending with a hyphen, and a top-level label that starts with a letter.
 */
export const DNS_NAME = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
