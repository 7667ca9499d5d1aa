import { Duration, IResource, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { isToken, propError } from './errors';

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

/**
 * Checks that an engine is RDS for PostgreSQL at a major version in standard support. The version floor is the
 * library's policy, not an AWS limit: RDS creates older majors under paid RDS Extended Support (CreateDBInstance
 * EngineLifecycleSupport, default `open-source-rds-extended-support`). There is no opt-out.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (EngineLifecycleSupport)
 */
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
      `PostgreSQL major version ${MIN_POSTGRES_MAJOR} or newer is required: the library's policy, as older majors are out of `
      + 'RDS standard support (RDS still runs them under paid RDS Extended Support); there is no opt-out');
  }
}

/**
 * Requires an engine that names its version: the DB parameter group family (postgres17, ...) is derived from it, and a
 * parameter group belongs to one family only.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html
 */
export function validateVersionedEngine(construct: string, prop: string, engine: rds.IInstanceEngine): void {
  if (engine.engineVersion === undefined) {
    throw propError(construct, prop, engine.engineType,
      'an engine with a version, such as DatabaseInstanceEngine.postgres({ version: PostgresEngineVersion.VER_18 }): '
      + 'the parameter group family is derived from it');
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

/**
 * The storage autoscaling ceiling must be at least 10 % above the allocated storage ("You must set the maximum storage
 * threshold to at least 10% more than the current allocated storage"), and autoscaling is not available for magnetic
 * storage.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html
 */
export function minimumStorageCeiling(allocated: number): number {
  // In whole GiB: 10 % above 1000 GiB is 1100 GiB (the example of the RDS guide); integer arithmetic avoids 1.1's rounding.
  return Math.ceil((allocated * 11) / 10);
}

/**
 * Provisioned IOPS storage of RDS for PostgreSQL: io1 and io2 Block Express take 1,000-256,000 IOPS, at 0.5-50 (io1)
 * or 0.5-1,000 (io2) IOPS per GiB of allocated storage ("The ratio of IOPS to allocated storage (in GiB) must be from
 * 0.5-1,000"; DB instances not based on the AWS Nitro System take io2 at 0.5-500, which RDS checks itself). "If you're
 * using storage autoscaling, the same ratios between IOPS and maximum storage threshold (in GiB) also apply."
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#USER_PIOPS
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (Iops: "a multiple between .5 and 50 of the storage amount")
 */
export const PIOPS_LIMITS: Record<string, { minIops: number; maxIops: number; minRatio: number; maxRatio: number }> = {
  [rds.StorageType.IO1]: { minIops: 1_000, maxIops: 256_000, minRatio: 0.5, maxRatio: 50 },
  [rds.StorageType.IO2]: { minIops: 1_000, maxIops: 256_000, minRatio: 0.5, maxRatio: 1_000 },
};

/** The IOPS aws-cdk-lib provisions for io1 and io2 storage when none are given. */
export const DEFAULT_PROVISIONED_IOPS = 1_000;

/**
 * The IOPS an instance gets: the given ones, or aws-cdk-lib's default for io1 and io2. Undefined for storage types
 * without provisioned IOPS, and for gp3 without `iops` (its baseline applies).
 */
export function effectiveIops(storageType: rds.StorageType, iops: number | undefined): number | undefined {
  return PIOPS_LIMITS[storageType] === undefined ? iops : iops ?? DEFAULT_PROVISIONED_IOPS;
}

/**
 * The highest storage autoscaling ceiling the IOPS of io1 or io2 storage allow: RDS keeps the ratio of IOPS to the
 * maximum storage threshold at 0.5 or more, so the ceiling is at most twice the IOPS. Undefined for other storage types.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#USER_PIOPS
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html
 */
export function maximumIopsCeiling(storageType: rds.StorageType, iops: number | undefined): number | undefined {
  const limits = PIOPS_LIMITS[storageType];
  const provisioned = effectiveIops(storageType, iops);
  if (limits === undefined || provisioned === undefined) {
    return undefined;
  }
  return Math.floor(provisioned / limits.minRatio);
}

/**
 * The default autoscaling ceiling: twice the allocated storage, capped at the storage type's maximum and, for io1 and
 * io2, at twice the IOPS (the lowest ratio of IOPS to ceiling RDS accepts is 0.5); none when RDS cannot autoscale the
 * storage (magnetic storage, an allocation within 10 % of the maximum, or io1/io2 IOPS too few for a ceiling 10 % above
 * the allocation).
 */
export function defaultStorageCeiling(storageType: rds.StorageType, allocated: number, iops?: number): number | undefined {
  const max = STORAGE_LIMITS_GIB[storageType].max;
  if (storageType === rds.StorageType.STANDARD || minimumStorageCeiling(allocated) > max) {
    return undefined;
  }
  const ceiling = Math.min(allocated * 2, max, maximumIopsCeiling(storageType, iops) ?? max);
  return ceiling < minimumStorageCeiling(allocated) ? undefined : ceiling;
}

/**
 * Checks a storage autoscaling ceiling against the IOPS of io1 or io2 storage: at most twice the IOPS (the given ones,
 * or aws-cdk-lib's default of 1,000), as RDS keeps the ratio of IOPS to the maximum storage threshold at 0.5 or more.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#USER_PIOPS
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html
 */
export function validateIopsCeiling(construct: string, storageType: rds.StorageType, ceiling: number | undefined, iops?: number): void {
  const highest = maximumIopsCeiling(storageType, iops);
  if (ceiling === undefined || highest === undefined || ceiling <= highest) {
    return;
  }
  throw propError(construct, 'maxAllocatedStorage', ceiling,
    `at most ${highest} GiB with ${effectiveIops(storageType, iops)} IOPS of ${storageType} storage: `
    + 'RDS needs the IOPS at least 0.5 times the storage autoscaling ceiling');
}

/**
 * Checks the storage size for the storage type, and the autoscaling ceiling against it. `inheritedFrom` names where an
 * allocation comes from when it is not the construct's own prop (a read replica starts with its source's): it is then
 * not checked again, only the ceiling is, and it may be unknown.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (AllocatedStorage)
 */
export function validateStorage(construct: string, storageType: rds.StorageType, allocated: number | undefined, maxAllocated?: number,
  inheritedFrom?: string): void {
  if (inheritedFrom === undefined) {
    literalNumber(construct, 'allocatedStorage', allocated);
    const limits = STORAGE_LIMITS_GIB[storageType];
    if (allocated === undefined || !Number.isInteger(allocated) || allocated < limits.min || allocated > limits.max) {
      throw propError(construct, 'allocatedStorage', allocated,
        `${storageType} storage takes a whole number of GiB from ${limits.min} to ${limits.max}`);
    }
  }
  if (maxAllocated !== undefined) {
    validateStorageCeiling(construct, 'maxAllocatedStorage', storageType, maxAllocated, allocated, inheritedFrom ?? 'allocatedStorage');
  }
}

/**
 * Checks the port of an RDS for PostgreSQL DB instance: a literal whole number from 1150 to 65535.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (Port)
 */
export function validatePort(construct: string, prop: string, port: number): void {
  requireLiteral(construct, prop, port, 'number', 'it is checked against the RDS for PostgreSQL range 1150-65535 at synth time');
  if (!Number.isInteger(port) || port < 1150 || port > 65535) {
    throw propError(construct, prop, port, 'a whole number from 1150 to 65535 (the RDS for PostgreSQL range)');
  }
}

/**
 * Checks a storage autoscaling ceiling against the allocated storage it starts from (`base`, named `baseName` in the
 * message): a whole number of GiB at least 10 % above it and at most the storage type's maximum, and no ceiling for
 * magnetic storage.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html
 */
export function validateStorageCeiling(construct: string, prop: string, storageType: rds.StorageType, ceiling: number,
  base: number | undefined, baseName: string): void {
  literalNumber(construct, prop, ceiling);
  const max = STORAGE_LIMITS_GIB[storageType].max;
  if (storageType === rds.StorageType.STANDARD) {
    throw propError(construct, prop, ceiling, 'storage autoscaling is not available for magnetic (standard) storage; leave it unset');
  }
  if (base !== undefined && minimumStorageCeiling(base) > max) {
    throw propError(construct, prop, ceiling,
      `${baseName} (${base}) is within 10 % of the ${max} GiB maximum, so RDS cannot autoscale it; leave it unset`);
  }
  const typeMin = STORAGE_LIMITS_GIB[storageType].min;
  if (!Number.isInteger(ceiling) || ceiling < typeMin || ceiling > max) {
    throw propError(construct, prop, ceiling, `a whole number of GiB from ${typeMin} to ${max}`);
  }
  if (base !== undefined && ceiling < minimumStorageCeiling(base)) {
    throw propError(construct, prop, ceiling, `a whole number of GiB greater than ${baseName} (${base}) and at most ${max}: `
      + `RDS needs the ceiling at least 10 % above it, so ${minimumStorageCeiling(base)} or more`);
  }
}

/**
 * Provisioned storage performance of gp3 for RDS for PostgreSQL: below 400 GiB the volume has a baseline of 3,000 IOPS
 * and 125 MiB/s and nothing can be provisioned; from 400 GiB, 12,000-64,000 IOPS and 500-4,000 MiB/s, with at most
 * 0.25 MiB/s per provisioned IOPS ("The maximum ratio of storage throughput to IOPS is 0.25 for all supported DB
 * engines"; RDS also publishes the range as StorageThroughputToIopsRatio in ValidStorageOptions, and EBS states the
 * same 0.25 MiB/s per IOPS for gp3 volumes).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#gp3-storage
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ValidStorageOptions.html (StorageThroughputToIopsRatio)
 */
export const GP3_PROVISIONING = {
  thresholdGib: 400, minIops: 12_000, maxIops: 64_000, minThroughput: 500, maxThroughput: 4_000, maxThroughputPerIops: 0.25,
};

/**
 * Checks provisioned IOPS and storage throughput against the storage type and size.
 *
 * - `StorageThroughput` "applies only to the gp3 storage type" (CreateDBInstance).
 * - gp3: provisioning only at or above the 400 GiB threshold, within the ranges of {@link GP3_PROVISIONING}.
 * - io1 and io2: within {@link PIOPS_LIMITS} (1,000-256,000 IOPS; 0.5-50 times the storage for io1, 0.5-1,000 for io2).
 * - gp2 and magnetic storage take no IOPS.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (Iops, StorageThroughput)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#gp3-storage
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#USER_PIOPS
 */
export function validateStoragePerformance(construct: string, storageType: rds.StorageType, allocated: number,
  iops?: number, throughput?: number): void {
  const gp3 = GP3_PROVISIONING;
  if (throughput !== undefined) {
    literalNumber(construct, 'storageThroughput', throughput);
    if (storageType !== rds.StorageType.GP3) {
      throw propError(construct, 'storageThroughput', throughput, `storage throughput applies only to gp3 storage, not ${storageType}`);
    }
    if (allocated < gp3.thresholdGib) {
      throw propError(construct, 'storageThroughput', throughput,
        `gp3 storage below ${gp3.thresholdGib} GiB (allocatedStorage ${allocated}) has a fixed baseline of 125 MiB/s; `
        + `provisioning starts at ${gp3.thresholdGib} GiB`);
    }
    if (!Number.isInteger(throughput) || throughput < gp3.minThroughput || throughput > gp3.maxThroughput) {
      throw propError(construct, 'storageThroughput', throughput,
        `a whole number of MiB/s from ${gp3.minThroughput} to ${gp3.maxThroughput} for gp3 storage of ${gp3.thresholdGib} GiB and more`);
    }
  }
  if (iops === undefined) {
    const limits = PIOPS_LIMITS[storageType];
    // io1 and io2 always have provisioned IOPS: aws-cdk-lib's default must fit the ratio to the allocation too.
    if (limits !== undefined && DEFAULT_PROVISIONED_IOPS < Math.ceil(allocated * limits.minRatio)) {
      throw propError(construct, 'iops', iops,
        `given for ${storageType} storage of ${allocated} GiB: without it aws-cdk-lib provisions ${DEFAULT_PROVISIONED_IOPS} IOPS, `
        + `below the ${limits.minRatio} IOPS per GiB RDS requires (at least ${Math.max(limits.minIops, Math.ceil(allocated * limits.minRatio))})`);
    }
    return;
  }
  literalNumber(construct, 'iops', iops);
  switch (storageType) {
    case rds.StorageType.GP3:
      if (allocated < gp3.thresholdGib) {
        throw propError(construct, 'iops', iops,
          `gp3 storage below ${gp3.thresholdGib} GiB (allocatedStorage ${allocated}) has a fixed baseline of 3000 IOPS; `
          + `provisioning starts at ${gp3.thresholdGib} GiB`);
      }
      if (!Number.isInteger(iops) || iops < gp3.minIops || iops > gp3.maxIops) {
        throw propError(construct, 'iops', iops,
          `a whole number from ${gp3.minIops} to ${gp3.maxIops} for gp3 storage of ${gp3.thresholdGib} GiB and more`);
      }
      if (throughput !== undefined && throughput > iops * gp3.maxThroughputPerIops) {
        throw propError(construct, 'storageThroughput', throughput,
          `at most ${gp3.maxThroughputPerIops} MiB/s per provisioned IOPS, so at most ${Math.floor(iops * gp3.maxThroughputPerIops)} `
          + `with iops ${iops}`);
      }
      return;
    case rds.StorageType.IO1:
    case rds.StorageType.IO2: {
      const limits = PIOPS_LIMITS[storageType];
      const lowest = Math.max(limits.minIops, Math.ceil(allocated * limits.minRatio));
      const highest = Math.min(limits.maxIops, allocated * limits.maxRatio);
      if (!Number.isInteger(iops) || iops < lowest || iops > highest) {
        throw propError(construct, 'iops', iops,
          `a whole number from ${lowest} to ${highest}: ${storageType} takes ${limits.minIops} to ${limits.maxIops} IOPS, `
          + `from ${limits.minRatio} to ${limits.maxRatio} times allocatedStorage (${allocated})`);
      }
      return;
    }
    default:
      throw propError(construct, 'iops', iops, `provisioned IOPS apply to io1, io2 and gp3 storage, not ${storageType}`);
  }
}

/**
 * Rejects a deploy-time number where the storage rules need the literal value. The message shows the token as its
 * placeholder, never a resolved value.
 */
function literalNumber(construct: string, prop: string, value: number | undefined): void {
  requireLiteral(construct, prop, value, 'number', 'the storage limits of RDS are checked against it at synth time');
}

/**
 * Rejects a deploy-time value (a string, number, Duration or Size token) where a check or a derived value needs the
 * literal one, saying what needs it (`because ...`). The message shows the token as `(a token)`.
 */
export function requireLiteral(construct: string, prop: string, value: unknown, kind: string, because: string): void {
  if (isToken(value)) {
    throw propError(construct, prop, value, `a literal ${kind} is required, because ${because}`);
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
  const range = `a whole number of ${unit} from ${min} to ${max}${limit ? ` (${limit})` : ''}`;
  requireLiteral(construct, prop, value, 'duration', `it is checked at synth time: ${range}`);
  const n = {
    days: () => value.toDays({ integral: false }),
    hours: () => value.toHours({ integral: false }),
    minutes: () => value.toMinutes({ integral: false }),
    seconds: () => value.toSeconds({ integral: false }),
  }[unit]();
  if (!Number.isInteger(n) || n < min || n > max) {
    throw propError(construct, prop, value.toHumanString(), range);
  }
  return n;
}

/**
 * RDS sends its instance metrics, ReplicaLag among them, to CloudWatch every minute: a guard on the replica lag cannot
 * resolve less.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/monitoring-cloudwatch.html
 */
export const REPLICA_LAG_PERIOD_SECONDS = 60;

/**
 * Checks a bound on the data lost at promotion (a recovery point objective, or the lag the runbook's guard accepts):
 * a literal of at least one ReplicaLag period ({@link REPLICA_LAG_PERIOD_SECONDS}).
 */
export function validateLagBound(construct: string, prop: string, value: Duration): void {
  requireLiteral(construct, prop, value, 'duration', 'it is compared with the one-minute period of ReplicaLag at synth time');
  if (value.toSeconds({ integral: false }) < REPLICA_LAG_PERIOD_SECONDS) {
    throw propError(construct, prop, value.toHumanString(),
      `at least ${REPLICA_LAG_PERIOD_SECONDS} seconds: replication to the other Region is asynchronous, and the lag guard `
      + `reads ReplicaLag, which RDS publishes once a minute, so it cannot hold the data lost below one ${REPLICA_LAG_PERIOD_SECONDS} s period`);
  }
}

/** Checks a backup retention period: whole days from 1 to 35. */
export function validateBackupRetention(construct: string, prop: string, retention: Duration): void {
  wholeUnits(construct, prop, retention, 'days', 1, MAX_BACKUP_RETENTION_DAYS, 'the RDS limit');
}

/**
 * Rejects a subnet selection that matches no subnet, contains public subnets, or (with `minAzs`) spans fewer
 * Availability Zones than a DB subnet group needs.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html
 */
export function validatePrivateSubnets(construct: string, prop: string, vpc: ec2.IVpc, selection: ec2.SubnetSelection, minAzs = 1): void {
  let selected: ec2.SelectedSubnets;
  try {
    selected = vpc.selectSubnets(selection);
  } catch (e) {
    throw propError(construct, prop, describeSelection(selection),
      `private or isolated subnets of the VPC, which has none that match (${(e as Error).message})`);
  }
  if (selected.subnets.length === 0) {
    throw propError(construct, prop, describeSelection(selection), 'private or isolated subnets of the VPC, which has none that match');
  }
  const azs = selected.availabilityZones;
  if (minAzs > 1 && !azs.some((az) => Token.isUnresolved(az)) && new Set(azs).size < minAzs) {
    throw propError(construct, prop, describeSelection(selection),
      `subnets in at least ${minAzs} Availability Zones (these are in ${[...new Set(azs)].join(', ')}): an RDS DB subnet group needs them`);
  }
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

/**
 * PostgreSQL's reserved key words (category `RESERVED_KEYWORD` in the parser's keyword list, "reserved" in the SQL Key
 * Words appendix), which RDS refuses as a database or master user name ("Can't be a word reserved by the specified
 * database engine").
 *
 * @see https://www.postgresql.org/docs/current/sql-keywords-appendix.html
 * @see https://github.com/postgres/postgres/blob/master/src/include/parser/kwlist.h
 */
export const POSTGRES_RESERVED_WORDS: ReadonlySet<string> = new Set([
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check', 'collate',
  'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role', 'current_time', 'current_timestamp',
  'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false', 'fetch', 'for',
  'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into', 'lateral', 'leading', 'limit',
  'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or', 'order', 'placing', 'primary', 'references',
  'returning', 'select', 'session_user', 'some', 'symmetric', 'system_user', 'table', 'then', 'to', 'trailing', 'true',
  'union', 'unique', 'user', 'using', 'variadic', 'when', 'where', 'window', 'with',
]);

/**
 * What is wrong with a name for the database RDS creates (`DBName`) for RDS for PostgreSQL, or undefined if nothing:
 * 1 to 63 letters, digits or underscores, starting with a letter, not a reserved word.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (DBName, RDS for PostgreSQL)
 */
export function databaseNameProblem(name: string): string | undefined {
  if (!/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/.test(name)) {
    return '1 to 63 letters, digits or underscores, starting with a letter (no hyphens)';
  }
  if (POSTGRES_RESERVED_WORDS.has(name.toLowerCase())) {
    return 'not a PostgreSQL reserved word';
  }
  return undefined;
}

/**
 * Checks the name of the database RDS creates (`DBName`), see {@link databaseNameProblem}. Tokens are left to
 * CloudFormation.
 */
export function validateDatabaseName(construct: string, prop: string, name: string): void {
  const problem = Token.isUnresolved(name) ? undefined : databaseNameProblem(name);
  if (problem) {
    throw propError(construct, prop, name, problem);
  }
}

/**
 * Checks the master user name: 1 to 16 letters, digits or underscores, starting with a letter, not a reserved word.
 * Tokens are left to CloudFormation.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (MasterUsername)
 */
export function validateMasterUsername(construct: string, prop: string, name: string): void {
  if (Token.isUnresolved(name)) {
    return;
  }
  if (!/^[a-zA-Z][a-zA-Z0-9_]{0,15}$/.test(name)) {
    throw propError(construct, prop, name, '1 to 16 letters, digits or underscores, starting with a letter');
  }
  if (POSTGRES_RESERVED_WORDS.has(name.toLowerCase())) {
    throw propError(construct, prop, name, 'not a PostgreSQL reserved word');
  }
}

/**
 * Checks the PostgreSQL role an IAM principal may log in as (`grantConnect`'s `dbUser`): a literal, non-empty name as
 * PostgreSQL stores an unquoted identifier (a lower-case letter or an underscore, then lower-case letters, digits,
 * underscores or dollar signs, at most 63 characters), not a reserved key word, not a name of the `pg_` prefix that
 * PostgreSQL reserves for its predefined roles, and not `rdsadmin`, the role RDS manages the instance with. IAM
 * authentication compares the name with the role's case-sensitively, and PostgreSQL folds unquoted names to lower
 * case, so a name with capitals would only match a role created with a quoted name.
 *
 * @see https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS
 * @see https://www.postgresql.org/docs/current/sql-createrole.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html
 */
export function validateDbUser(construct: string, prop: string, dbUser: string): void {
  if (typeof dbUser !== 'string' || Token.isUnresolved(dbUser)) {
    throw propError(construct, prop, dbUser, 'a literal PostgreSQL role name: the policy names it, and RDS compares it with the login');
  }
  if (!/^[a-z_][a-z0-9_$]{0,62}$/.test(dbUser)) {
    throw propError(construct, prop, dbUser,
      'a PostgreSQL role name as an unquoted identifier is stored: 1 to 63 lower-case letters, digits, underscores or dollar signs, '
      + 'starting with a letter or an underscore (IAM authentication matches the name case-sensitively)');
  }
  if (POSTGRES_RESERVED_WORDS.has(dbUser)) {
    throw propError(construct, prop, dbUser, 'not a PostgreSQL reserved word');
  }
  if (dbUser.startsWith('pg_') || dbUser === 'rdsadmin') {
    throw propError(construct, prop, dbUser,
      'a role of the application: names starting with pg_ are reserved for PostgreSQL\'s predefined roles, and rdsadmin is the role RDS manages the instance with');
  }
}

/**
 * Checks that every security group among `peers` belongs to a stack of `region`: an ingress rule names its source
 * group by ID, which a template cannot read from a stack of another Region (aws-cdk-lib would need
 * `crossRegionReferences`, which the library avoids). CIDR peers are accepted anywhere.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-importvalue.html
 */
export function validatePeersRegion(construct: string, prop: string, peers: readonly ec2.IPeer[], region: string): void {
  peers.forEach((peer, i) => {
    if (!Construct.isConstruct(peer)) {
      return;
    }
    const peerRegion = Stack.of(peer).region;
    if (!Token.isUnresolved(peerRegion) && !Token.isUnresolved(region) && peerRegion !== region) {
      throw propError(construct, `${prop}[${i}]`, peer.node.path,
        `a security group of a stack in ${region}, or a CIDR range (ec2.Peer.ipv4): this one is in ${peerRegion}, and a template `
        + "cannot reference a security group of another Region's stack; admit that Region's clients to the database of their own Region");
    }
  });
}

/**
 * Checks a Secrets Manager secret name: 1 to 512 ASCII letters, digits and `/_+=.@-`. A name ending with a hyphen and
 * six characters (`orders-writer`) is accepted: CreateSecret only advises against it, as lookups by partial ARN may be
 * ambiguous. Tokens are left to CloudFormation.
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html (Name)
 */
export function validateSecretName(construct: string, prop: string, name: string): void {
  if (Token.isUnresolved(name)) {
    return;
  }
  if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) {
    throw propError(construct, prop, name, '1 to 512 ASCII letters, digits or the characters /_+=.@-');
  }
}

/**
 * Checks a master-password rotation interval as Secrets Manager takes it in the `rate()` expression aws-cdk-lib renders:
 * a whole number of hours or days ("`Unit` can be `hour`, `hours`, `day`, or `days`"), at least 4 hours, and at most
 * 999 days ("The maximum rotation period is 999 days", although `AutomaticallyAfterDays` goes to 1000).
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html
 */
export function validateRotationSchedule(construct: string, prop: string, schedule: Duration): void {
  requireLiteral(construct, prop, schedule, 'duration', 'the rotation rule (4 hours to 999 days, in whole hours) is checked at synth time');
  const hours = schedule.toHours({ integral: false });
  if (!Number.isInteger(hours) || hours < 4 || hours > 999 * 24) {
    throw propError(construct, prop, schedule.toHumanString(),
      'from 4 hours to 999 days, in whole hours (Secrets Manager rotates in hours or days, at most every 4 hours)');
  }
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** A window as start and length in minutes; the start counts from 00:00 (daily) or Monday 00:00 (weekly). */
export interface Window { readonly start: number; readonly length: number }

function clock(hh: string, mi: string): number | undefined {
  const h = Number(hh);
  const m = Number(mi);
  return h <= 23 && m <= 59 ? h * 60 + m : undefined;
}

/**
 * Checks the daily backup window, `hh24:mi-hh24:mi` in UTC, at least 30 minutes, and returns it.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (PreferredBackupWindow)
 */
export function validateBackupWindow(construct: string, prop: string, window: string): Window | undefined {
  if (Token.isUnresolved(window)) {
    return undefined;
  }
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(window);
  const start = m ? clock(m[1], m[2]) : undefined;
  const end = m ? clock(m[3], m[4]) : undefined;
  if (start === undefined || end === undefined) {
    throw propError(construct, prop, window, 'a daily window in UTC, hh24:mi-hh24:mi, such as 03:00-03:30');
  }
  const length = (end - start + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  if (length < 30) {
    throw propError(construct, prop, window, 'a window of at least 30 minutes');
  }
  return { start, length };
}

/**
 * Checks the weekly maintenance window, `ddd:hh24:mi-ddd:hh24:mi` in UTC with days mon-sun, at least 30 minutes, and
 * returns it.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (PreferredMaintenanceWindow)
 */
export function validateMaintenanceWindow(construct: string, prop: string, window: string): Window | undefined {
  if (Token.isUnresolved(window)) {
    return undefined;
  }
  const m = /^([A-Za-z]{3}):(\d{2}):(\d{2})-([A-Za-z]{3}):(\d{2}):(\d{2})$/.exec(window);
  const startDay = m ? DAYS.indexOf(m[1].toLowerCase()) : -1;
  const endDay = m ? DAYS.indexOf(m[4].toLowerCase()) : -1;
  const startTime = m ? clock(m[2], m[3]) : undefined;
  const endTime = m ? clock(m[5], m[6]) : undefined;
  if (startDay < 0 || endDay < 0 || startTime === undefined || endTime === undefined) {
    throw propError(construct, prop, window, 'a weekly window in UTC, ddd:hh24:mi-ddd:hh24:mi with days mon to sun, such as sun:05:00-sun:05:30');
  }
  const start = startDay * MINUTES_PER_DAY + startTime;
  const end = endDay * MINUTES_PER_DAY + endTime;
  const length = (end - start + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
  if (length < 30) {
    throw propError(construct, prop, window, 'a window of at least 30 minutes');
  }
  return { start, length };
}

/**
 * Rejects a maintenance window that overlaps the daily backup window on any day ("Must not conflict with the preferred
 * backup window").
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (PreferredMaintenanceWindow)
 */
export function validateWindowsApart(construct: string, backupWindow: string, backup: Window, maintenanceWindow: string, maintenance: Window): void {
  const busy = new Array<boolean>(MINUTES_PER_WEEK).fill(false);
  for (let day = 0; day < 7; day++) {
    for (let i = 0; i < backup.length; i++) {
      busy[(day * MINUTES_PER_DAY + backup.start + i) % MINUTES_PER_WEEK] = true;
    }
  }
  for (let i = 0; i < maintenance.length; i++) {
    if (busy[(maintenance.start + i) % MINUTES_PER_WEEK]) {
      throw propError(construct, 'preferredMaintenanceWindow', maintenanceWindow,
        `a window that does not overlap preferredBackupWindow (${backupWindow}, every day)`);
    }
  }
}

/**
 * The AWS Regions aws-cdk-lib's region facts know, with the partition of each (`aws`, `aws-cn`, `aws-us-gov`, ...).
 * A Region that is not listed is either not an AWS Region or newer than the installed aws-cdk-lib.
 *
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.region_info.RegionInfo.html (RegionInfo.regions)
 */
const KNOWN_REGIONS: ReadonlyMap<string, string> = new Map(RegionInfo.regions.map((r) => [r.name, r.partition ?? 'aws']));

/** The partition of a literal Region aws-cdk-lib knows, or undefined for a token or an unknown name. */
export function partitionOfRegion(region: string | undefined): string | undefined {
  return region === undefined || Token.isUnresolved(region) ? undefined : KNOWN_REGIONS.get(region);
}

/**
 * Rejects a literal Region name that is not an AWS Region of aws-cdk-lib's region facts. `shown` is the value the
 * message names (the Region itself, or the scope it comes from). Tokens are left alone.
 */
export function validateRegionName(construct: string, prop: string, region: string, shown: string = region): void {
  if (Token.isUnresolved(region) || KNOWN_REGIONS.has(region)) {
    return;
  }
  throw propError(construct, prop, shown, `a literal AWS Region name such as us-west-2 (one of the ${KNOWN_REGIONS.size} Regions of `
    + `aws-cdk-lib's region facts, such as cn-north-1 or us-gov-west-1 in the other partitions), not ${region}`);
}

/**
 * Rejects two literal Regions of different partitions: AWS partitions are isolated from each other, so nothing replicates,
 * copies or publishes across them. `other` names the Region the value is compared with, e.g. `the primary's Region`.
 *
 * @see https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
 */
export function validateSamePartition(construct: string, prop: string, shown: string, region: string, otherRegion: string, other: string): void {
  const partition = partitionOfRegion(region);
  const otherPartition = partitionOfRegion(otherRegion);
  if (partition !== undefined && otherPartition !== undefined && partition !== otherPartition) {
    throw propError(construct, prop, shown, `a Region of the partition of ${other} (${otherRegion}, partition ${otherPartition}), not `
      + `${region} (partition ${partition}): AWS partitions are isolated, nothing is replicated or copied across them`);
  }
}

/** The literal partition, Region and account of an ARN; a part that is a token (or absent) is undefined. */
export interface ArnPlace {
  readonly partition?: string;
  readonly region?: string;
  readonly account?: string;
}

/** Reads the literal parts of an ARN; a wholly unresolved ARN has none. */
export function arnPlace(arn: string): ArnPlace {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    return {};
  }
  const literal = (part: string) => (part === '' || Token.isUnresolved(part) ? undefined : part);
  return { partition: literal(parts[1]), region: literal(parts[3]), account: literal(parts[4]) };
}

/**
 * Where a resource given as a prop (a topic, a key) lives: its `env` when literal (a resource of another stack, or one
 * imported from an ARN, which aws-cdk-lib reads the env from), else the literal parts of its ARN.
 */
export function resourcePlace(resource: IResource, arn: string): ArnPlace {
  const fromArn = arnPlace(arn);
  const literal = (value: string) => (Token.isUnresolved(value) ? undefined : value);
  return {
    partition: fromArn.partition,
    region: literal(resource.env.region) ?? fromArn.region,
    account: literal(resource.env.account) ?? fromArn.account,
  };
}

/** What {@link validatePlace} compares a value's place with, and why each must match. */
export interface ExpectedPlace {
  /** The Region the value must be in. */
  readonly region?: string;
  /** Why: the AWS rule, for the message. */
  readonly regionRule?: string;
  /** The account the value must be in, when the AWS rule requires one. */
  readonly account?: string;
  /** Why: the AWS rule, for the message. */
  readonly accountRule?: string;
}

/**
 * Checks the literal parts of a value's place (an ARN's, or a resource's) against the expected Region and account, and
 * its partition against its own Region's and the expected Region's. Parts only known at deploy time are left alone.
 */
export function validatePlace(construct: string, prop: string, shown: string, place: ArnPlace, expected: ExpectedPlace): void {
  const ownPartition = partitionOfRegion(place.region);
  if (place.partition !== undefined && ownPartition !== undefined && place.partition !== ownPartition) {
    throw propError(construct, prop, shown, `an ARN whose partition is its Region's: ${place.region} is in partition ${ownPartition}, `
      + `not ${place.partition}`);
  }
  const expectedPartition = partitionOfRegion(expected.region);
  const partition = place.partition ?? ownPartition;
  if (partition !== undefined && expectedPartition !== undefined && partition !== expectedPartition) {
    throw propError(construct, prop, shown, `a resource in partition ${expectedPartition} (Region ${expected.region}), not ${partition}: `
      + 'AWS partitions are isolated from each other');
  }
  if (expected.region !== undefined && !Token.isUnresolved(expected.region) && place.region !== undefined && place.region !== expected.region) {
    throw propError(construct, prop, shown, `a resource in ${expected.region}, not ${place.region}${expected.regionRule ? `: ${expected.regionRule}` : ''}`);
  }
  if (expected.account !== undefined && !Token.isUnresolved(expected.account) && place.account !== undefined
    && place.account !== expected.account) {
    throw propError(construct, prop, shown, `a resource in account ${expected.account}, not ${place.account}`
      + `${expected.accountRule ? `: ${expected.accountRule}` : ''}`);
  }
}

/**
 * Checks a resource prop (a topic, a key) with {@link validatePlace}; the message shows its ARN when literal, else its
 * construct path.
 */
export function validateResourcePlace(construct: string, prop: string, resource: IResource, arn: string, expected: ExpectedPlace): void {
  const shown = Token.isUnresolved(arn) ? resource.node.path : arn;
  validatePlace(construct, prop, shown, resourcePlace(resource, arn), expected);
}

/**
 * CloudWatch refuses an alarm action in another Region than the alarm's: PutMetricAlarm answers an SNS topic of another
 * Region with `ValidationError: Invalid region <topic Region> specified. Only <alarm Region> is supported.` (AlarmActions
 * and OKActions take `arn:aws:sns:region:account-id:sns-topic-name`, the alarm's Region). A topic of another account in
 * the same Region is allowed, when its policy lets CloudWatch publish.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html (AlarmActions)
 * @see https://github.com/cds-snc/notification-terraform/pull/128 (the error PutMetricAlarm returns)
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html#sns-allow-cloudwatch-alarm-to-publish-to-topic-in-another-account
 */
export const ALARM_TOPIC_RULE = 'CloudWatch alarm actions must be in the alarm\'s Region';

/**
 * KMS keys are Regional: "KMS keys are specific to the Amazon Web Services Region that they are created in, and you can't
 * use KMS keys from one Amazon Web Services Region in another" (CreateDBInstanceReadReplica, KmsKeyId).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html (KmsKeyId)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (KmsKeyId)
 */
export const REGIONAL_KEY_RULE = 'a KMS key is used only in its own Region';

/**
 * The key must be in the destination Region and in the source's account: the replicated automated backups stay in that
 * account (StartDBInstanceAutomatedBackupsReplication names a destination Region, never an account).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBInstanceAutomatedBackupsReplication.html
 */
export function validateKeyArn(construct: string, prop: string, arn: string, region: string, account: string): string {
  const match = Token.isUnresolved(arn) ? null : /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/[A-Za-z0-9-]+$/.exec(arn);
  if (!match) {
    throw propError(construct, prop, arn,
      'a literal KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>); RDS takes a key ARN in the destination Region, not an alias or a token');
  }
  // The partition of the ARN must be that of its Region, and so of the destination's.
  validatePlace(construct, prop, arn, { partition: arnPlace(arn).partition, region: match[1] }, {});
  validateSamePartition(construct, prop, arn, match[1], region, 'the destination');
  if (match[1] !== region) {
    throw propError(construct, prop, arn, `a key in the destination Region ${region}, not ${match[1]}`);
  }
  if (!Token.isUnresolved(account) && match[2] !== account) {
    throw propError(construct, prop, arn,
      `a key in the source's account ${account}, not ${match[2]}: RDS replicates automated backups to another Region of the same `
      + 'account (StartDBInstanceAutomatedBackupsReplication names a Region, not an account) and documents no key of another account for them');
  }
  return arn;
}

/** The time the runbook waits for the promotion unless `promotionTimeout` says otherwise. */
export const DEFAULT_PROMOTION_TIMEOUT = Duration.hours(1);

/** Checks the lag bound the promotion guard holds (`maxLagAtPromotion`), and returns it in seconds: from one ReplicaLag period to a day. */
export function validateMaxLagAtPromotion(construct: string, prop: string, rpo: Duration): number {
  validateLagBound(construct, prop, rpo);
  return wholeUnits(construct, prop, rpo, 'seconds', REPLICA_LAG_PERIOD_SECONDS, 86_400);
}

/** Checks how long an approval request waits, and returns it in seconds: from a minute to a day. */
export function validateApprovalTimeout(construct: string, prop: string, timeout: Duration): number {
  return wholeUnits(construct, prop, timeout, 'seconds', 60, 86_400);
}

/** Checks the promotion time the budget assumes, and returns it in seconds: at most the promotion timeout. */
export function validateExpectedPromotionTime(construct: string, prop: string, time: Duration, promotionTimeoutSeconds: number): number {
  return wholeUnits(construct, prop, time, 'seconds', 1, promotionTimeoutSeconds, 'at most promotionTimeout');
}
