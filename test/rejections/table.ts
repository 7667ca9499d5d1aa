import { App, Duration, Token } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { multiRegion } from './builders';
import { DRILL_REJECTIONS } from './table-drill';
import { REGION_DRILL_REJECTIONS } from './table-region-drill';
import { WIRING_REJECTIONS } from './table-wiring';
import { CrossRegionReadReplica, CrossRegionReadReplicaProps, IsolatedVpc, MultiAzPostgres, MultiAzPostgresProps } from '../../src';
import { DR_REGION, PRIMARY_REGION, newStack } from '../util';
import { ENTRY_REJECTIONS } from './table-entries';
import { FAILBACK_REJECTIONS } from './table-failback';
import { MESSAGE_REJECTIONS } from './table-messages';
import { REGION_REJECTIONS } from './table-region';
import { SCHEDULE_REJECTIONS } from './table-schedules';
import { SWITCHOVER_REJECTIONS } from './table-switchover';

export { multiRegion };

/**
 * The configurations AWS would refuse at deploy time (or that would lose data), each rejected at synth with the
 * library's own message, `[<path>] <Construct>: invalid <prop> <value>: <allowed>`. `rejections.test.ts` runs every row with
 * aws-cdk-lib's built-in template validation on and off, and checks that the construct's "What is rejected at synth"
 * section of its documentation page (README.md or docs/) names the prop, the rule and the source.
 */
export interface RejectionRow {
  /** The construct that rejects the value. */
  readonly construct: 'MultiAzPostgres' | 'CrossRegionReadReplica' | 'MultiRegionPostgres' | 'BackupReplication' | 'DrBackupVault'
  | 'DbAlarmSet' | 'WritableProbe' | 'FailoverRunbook' | 'Route53DbFailover' | 'ResilienceObjectives' | 'IsolatedVpc' | 'AzFailoverDrill'
  | 'SwitchoverRunbook' | 'SwitchoverSqlAgent'
  | 'RegionFailoverDrill';
  /** The prop as the user writes it. */
  readonly prop: string;
  /** The bad value as the message shows it (strings quoted, a token as `(a token)`), or the start of it. */
  readonly shown: string;
  /** A fragment of what the message says is allowed. */
  readonly allowed: string;
  /** The words the documentation entry for `prop` uses for this rule. */
  readonly readme: string;
  /**
   * Where AWS (or PostgreSQL) states the rule: an https URL of its documentation. A rule that is the library's own
   * design, with no AWS page behind it, is `library: <reason>`, and the documentation entry gives the reason.
   */
  readonly source: string;
  /**
   * The path of the construct the message names, when the app holds more than one construct of its type.
   * @default - the only construct of the type in the app
   */
  readonly path?: string;
  /** Builds the construct with the bad value in `app`. */
  readonly build: (app: App) => void;
}

export const CREATE_DB_INSTANCE = 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html';
export const STORAGE_AUTOSCALING = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html';
export const GP3_STORAGE = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#gp3-storage';
export const PIOPS_STORAGE = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#USER_PIOPS';
export const POSTGRES_KEYWORDS = 'https://www.postgresql.org/docs/current/sql-keywords-appendix.html';
export const CREATE_SECRET = 'https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html';
export const ROTATION_SCHEDULES = 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html';


/** A `MultiAzPostgres` in an `IsolatedVpc`. */
export function multiAz(props: Partial<MultiAzPostgresProps>): (app: App) => void {
  return (app) => {
    const stack = newStack(app);
    const net = new IsolatedVpc(stack, 'Network');
    new MultiAzPostgres(stack, 'Db', { vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, ...props });
  };
}

/** A `CrossRegionReadReplica` in us-west-2 of a 100 GiB `MultiAzPostgres` in us-east-1. */
export function replica(props: Partial<CrossRegionReadReplicaProps>): (app: App) => void {
  return (app) => {
    const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
    const primaryNet = new IsolatedVpc(primaryStack, 'Network');
    const primary = new MultiAzPostgres(primaryStack, 'Orders', {
      vpc: primaryNet.vpc, secretsManagerEndpoint: primaryNet.secretsManagerEndpoint, instanceIdentifier: 'orders-primary', allocatedStorage: 100,
    });
    const drStack = newStack(app, 'Dr', DR_REGION);
    const drNet = new IsolatedVpc(drStack, 'Network');
    new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, instanceIdentifier: 'orders-dr', ...props });
  };
}


const M = 'MultiAzPostgres' as const;
const R = 'CrossRegionReadReplica' as const;
const P = 'MultiRegionPostgres' as const;

export const REJECTIONS: RejectionRow[] = [
  // --- Existing rules, kept here so they run with and without aws-cdk-lib's template validation -----------------------
  {
    construct: M,
    prop: 'backupRetention',
    shown: "'36 days'",
    allowed: 'a whole number of days from 1 to 35',
    readme: 'outside 1-35 whole days',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ backupRetention: Duration.days(36) }),
  },
  {
    construct: M,
    prop: 'allocatedStorage',
    shown: '10',
    allowed: 'gp3 storage takes a whole number of GiB from 20 to 65536',
    readme: 'gp2/gp3 outside 20-65536 GiB',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ allocatedStorage: 10 }),
  },
  {
    construct: M,
    prop: 'instanceIdentifier',
    shown: "'orders--db'",
    allowed: 'no two consecutive hyphens',
    readme: '`--`',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ instanceIdentifier: 'orders--db' }),
  },
  {
    construct: M,
    prop: 'monitoringInterval',
    shown: "'2 seconds'",
    allowed: 'one of 1, 5, 10, 15, 30 or 60 seconds',
    readme: 'not 1, 5, 10, 15, 30 or 60 s',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ monitoringInterval: Duration.seconds(2) }),
  },
  {
    construct: M,
    prop: 'port',
    shown: '80',
    allowed: 'a whole number from 1150 to 65535',
    readme: 'outside 1150-65535',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ port: 80 }),
  },
  {
    construct: R,
    prop: 'maxAllocatedStorage',
    shown: '70000',
    allowed: 'a whole number of GiB from 20 to 65536',
    readme: 'above 65536 GiB',
    source: CREATE_DB_INSTANCE,
    build: replica({ maxAllocatedStorage: 70_000 }),
  },

  // --- Names ------------------------------------------------------------------------------------------------------------
  {
    construct: M,
    prop: 'databaseName',
    shown: "'orders-db'",
    allowed: '1 to 63 letters, digits or underscores, starting with a letter (no hyphens)',
    readme: 'not 1-63 letters, digits or underscores starting with a letter',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ databaseName: 'orders-db' }),
  },
  {
    construct: M,
    prop: 'databaseName',
    shown: "'select'",
    allowed: 'not a PostgreSQL reserved word',
    readme: 'a PostgreSQL reserved word',
    source: POSTGRES_KEYWORDS,
    build: multiAz({ databaseName: 'select' }),
  },
  {
    construct: M,
    prop: 'masterUsername',
    shown: "'orders-admin'",
    allowed: '1 to 16 letters, digits or underscores, starting with a letter',
    readme: 'not 1-16 letters, digits or underscores starting with a letter',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ masterUsername: 'orders-admin' }),
  },
  {
    construct: M,
    prop: 'masterUsername',
    shown: "'orders_administrator'",
    allowed: '1 to 16 letters, digits or underscores',
    readme: 'not 1-16 letters, digits or underscores starting with a letter',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ masterUsername: 'orders_administrator' }),
  },
  {
    construct: M,
    prop: 'masterUsername',
    shown: "'user'",
    allowed: 'not a PostgreSQL reserved word',
    readme: 'a PostgreSQL reserved word',
    source: POSTGRES_KEYWORDS,
    build: multiAz({ masterUsername: 'user' }),
  },
  {
    construct: M,
    prop: 'secretName',
    shown: "'orders primary'",
    allowed: '1 to 512 ASCII letters, digits or the characters /_+=.@-',
    readme: 'not 1-512 characters of',
    source: CREATE_SECRET,
    build: multiAz({ secretName: 'orders primary' }),
  },
  {
    construct: P,
    prop: 'name',
    shown: "'order'",
    allowed: "the default databaseName 'order' derived from it must be not a PostgreSQL reserved word; set databaseName",
    readme: 'whose default `databaseName`',
    source: CREATE_DB_INSTANCE,
    build: multiRegion({ name: 'order' }),
  },
  {
    construct: P,
    prop: 'databaseName',
    shown: "'orders-db'",
    allowed: '1 to 63 letters, digits or underscores',
    readme: 'not a valid PostgreSQL database name',
    source: CREATE_DB_INSTANCE,
    build: multiRegion({ databaseName: 'orders-db' }),
  },

  {
    construct: M,
    prop: 'engine',
    shown: "'postgres 13",
    allowed: "PostgreSQL major version 14 or newer is required: the library's policy",
    readme: 'major version below 14',
    source: 'library: majors out of RDS standard support run only under paid RDS Extended Support',
    build: multiAz({ engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_13 }) }),
  },

  // --- Storage ----------------------------------------------------------------------------------------------------------
  {
    construct: M,
    prop: 'maxAllocatedStorage',
    shown: '105',
    allowed: 'RDS needs the ceiling at least 10 % above it, so 110 or more',
    readme: 'less than 10 % above the allocation',
    source: STORAGE_AUTOSCALING,
    build: multiAz({ allocatedStorage: 100, maxAllocatedStorage: 105 }),
  },
  {
    construct: M,
    prop: 'maxAllocatedStorage',
    shown: '65536',
    allowed: 'allocatedStorage (65000) is within 10 % of the 65536 GiB maximum',
    readme: 'any ceiling when the allocation is within 10 % of 65536 GiB',
    source: STORAGE_AUTOSCALING,
    build: multiAz({ allocatedStorage: 65_000, maxAllocatedStorage: 65_536 }),
  },
  {
    construct: M,
    prop: 'maxAllocatedStorage',
    shown: '200',
    allowed: 'storage autoscaling is not available for magnetic (standard) storage',
    readme: 'any ceiling with magnetic storage',
    source: STORAGE_AUTOSCALING,
    build: multiAz({ storageType: rds.StorageType.STANDARD, allocatedStorage: 100, maxAllocatedStorage: 200 }),
  },
  {
    construct: M,
    prop: 'iops',
    shown: '12000',
    allowed: 'gp3 storage below 400 GiB (allocatedStorage 100) has a fixed baseline of 3000 IOPS',
    readme: 'gp3 below 400 GiB',
    source: GP3_STORAGE,
    build: multiAz({ allocatedStorage: 100, iops: 12_000 }),
  },
  {
    construct: M,
    prop: 'iops',
    shown: '70000',
    allowed: 'a whole number from 12000 to 64000 for gp3 storage of 400 GiB and more',
    readme: 'gp3 outside 12000-64000',
    source: GP3_STORAGE,
    build: multiAz({ allocatedStorage: 500, iops: 70_000 }),
  },
  {
    construct: M,
    prop: 'iops',
    shown: '(unset)',
    allowed: 'given for io1 storage of 2500 GiB: without it aws-cdk-lib provisions 1000 IOPS, below the 0.5 IOPS per GiB RDS requires (at least 1250)',
    readme: 'io1 or io2 above 2000 GiB without `iops`',
    source: PIOPS_STORAGE,
    build: multiAz({ storageType: rds.StorageType.IO1, allocatedStorage: 2500 }),
  },
  {
    construct: M,
    prop: 'iops',
    shown: '10000',
    allowed: 'a whole number from 1000 to 5000: io1 takes 1000 to 256000 IOPS, from 0.5 to 50 times allocatedStorage (100)',
    readme: 'io1 outside 0.5-50 times the allocation',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ storageType: rds.StorageType.IO1, allocatedStorage: 100, iops: 10_000 }),
  },
  {
    construct: M,
    prop: 'iops',
    shown: '500',
    allowed: 'a whole number from 1000 to 5000: io1 takes 1000 to 256000 IOPS',
    readme: 'io1 or io2 outside 1000-256000 IOPS',
    source: PIOPS_STORAGE,
    build: multiAz({ storageType: rds.StorageType.IO1, allocatedStorage: 100, iops: 500 }),
  },
  {
    construct: M,
    prop: 'iops',
    shown: '300000',
    allowed: 'a whole number from 1000 to 256000: io2 takes 1000 to 256000 IOPS',
    readme: 'io1 or io2 outside 1000-256000 IOPS',
    source: PIOPS_STORAGE,
    build: multiAz({ storageType: rds.StorageType.IO2, allocatedStorage: 1000, iops: 300_000 }),
  },
  {
    construct: M,
    prop: 'iops',
    shown: '100001',
    allowed: 'a whole number from 1000 to 100000: io2 takes 1000 to 256000 IOPS, from 0.5 to 1000 times allocatedStorage (100)',
    readme: 'io2 outside 0.5-1000 times the allocation',
    source: PIOPS_STORAGE,
    build: multiAz({ storageType: rds.StorageType.IO2, allocatedStorage: 100, iops: 100_001 }),
  },
  {
    construct: M,
    prop: 'iops',
    shown: '1000',
    allowed: 'a whole number from 1500 to 256000: io2 takes 1000 to 256000 IOPS, from 0.5 to 1000 times allocatedStorage (3000)',
    readme: 'io2 outside 0.5-1000 times the allocation',
    source: PIOPS_STORAGE,
    build: multiAz({ storageType: rds.StorageType.IO2, allocatedStorage: 3000, iops: 1000 }),
  },
  {
    construct: M,
    prop: 'maxAllocatedStorage',
    shown: '4000',
    allowed: 'at most 2000 GiB with 1000 IOPS of io1 storage: RDS needs the IOPS at least 0.5 times the storage autoscaling ceiling',
    readme: 'with io1 or io2, more than twice the IOPS',
    source: PIOPS_STORAGE,
    build: multiAz({ storageType: rds.StorageType.IO1, allocatedStorage: 1000, iops: 1000, maxAllocatedStorage: 4000 }),
  },
  {
    construct: M,
    prop: 'storageThroughput',
    shown: '4000',
    allowed: 'at most 0.25 MiB/s per provisioned IOPS, so at most 3000 with iops 12000',
    readme: 'gp3 above 0.25 MiB/s per provisioned IOPS',
    source: GP3_STORAGE,
    build: multiAz({ allocatedStorage: 500, iops: 12_000, storageThroughput: 4000 }),
  },
  {
    construct: M,
    prop: 'iops',
    shown: '3000',
    allowed: 'provisioned IOPS apply to io1, io2 and gp3 storage, not gp2',
    readme: 'gp2 or magnetic storage',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ storageType: rds.StorageType.GP2, iops: 3000 }),
  },
  {
    construct: M,
    prop: 'storageThroughput',
    shown: '600',
    allowed: 'gp3 storage below 400 GiB (allocatedStorage 100) has a fixed baseline of 125 MiB/s',
    readme: 'gp3 below 400 GiB',
    source: GP3_STORAGE,
    build: multiAz({ allocatedStorage: 100, storageThroughput: 600 }),
  },
  {
    construct: M,
    prop: 'storageThroughput',
    shown: '5000',
    allowed: 'a whole number of MiB/s from 500 to 4000',
    readme: 'gp3 outside 500-4000 MiB/s',
    source: GP3_STORAGE,
    build: multiAz({ allocatedStorage: 500, storageThroughput: 5000 }),
  },
  {
    construct: M,
    prop: 'storageThroughput',
    shown: '500',
    allowed: 'storage throughput applies only to gp3 storage, not io1',
    readme: 'any storage type but gp3',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ storageType: rds.StorageType.IO1, allocatedStorage: 500, iops: 5000, storageThroughput: 500 }),
  },
  {
    construct: R,
    prop: 'maxAllocatedStorage',
    shown: '50',
    allowed: "greater than the source's allocated storage (100)",
    readme: "below, or less than 10 % above, the source's allocated storage",
    source: STORAGE_AUTOSCALING,
    build: replica({ maxAllocatedStorage: 50 }),
  },
  {
    construct: R,
    prop: 'maxAllocatedStorage',
    shown: '105',
    allowed: 'RDS needs the ceiling at least 10 % above it, so 110 or more',
    readme: "below, or less than 10 % above, the source's allocated storage",
    source: STORAGE_AUTOSCALING,
    build: replica({ maxAllocatedStorage: 105 }),
  },

  {
    construct: M,
    prop: 'allocatedStorage',
    shown: '(a token)',
    allowed: 'a literal number is required',
    readme: 'a deploy-time value',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ allocatedStorage: Token.asNumber({ Ref: 'Size' }) }),
  },
  {
    construct: M,
    prop: 'iops',
    shown: '(a token)',
    allowed: 'a literal number is required',
    readme: 'a deploy-time value',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ allocatedStorage: 500, iops: Token.asNumber({ Ref: 'Iops' }) }),
  },

  // --- Windows ----------------------------------------------------------------------------------------------------------
  {
    construct: M,
    prop: 'preferredBackupWindow',
    shown: "'3:00-4:00'",
    allowed: 'a daily window in UTC, hh24:mi-hh24:mi',
    readme: 'not `hh24:mi-hh24:mi`',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ preferredBackupWindow: '3:00-4:00' }),
  },
  {
    construct: M,
    prop: 'preferredBackupWindow',
    shown: "'03:00-03:15'",
    allowed: 'a window of at least 30 minutes',
    readme: 'shorter than 30 minutes',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ preferredBackupWindow: '03:00-03:15' }),
  },
  {
    construct: M,
    prop: 'preferredMaintenanceWindow',
    shown: "'sunday:05:00-sunday:06:00'",
    allowed: 'ddd:hh24:mi-ddd:hh24:mi with days mon to sun',
    readme: 'not `ddd:hh24:mi-ddd:hh24:mi`',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ preferredMaintenanceWindow: 'sunday:05:00-sunday:06:00' }),
  },
  {
    construct: M,
    prop: 'preferredMaintenanceWindow',
    shown: "'sun:05:00-sun:05:20'",
    allowed: 'a window of at least 30 minutes',
    readme: 'shorter than 30 minutes',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ preferredMaintenanceWindow: 'sun:05:00-sun:05:20' }),
  },
  {
    construct: M,
    prop: 'preferredMaintenanceWindow',
    shown: "'sun:05:30-sun:06:30'",
    allowed: 'a window that does not overlap preferredBackupWindow (05:00-06:00, every day)',
    readme: 'overlapping `preferredBackupWindow`',
    source: CREATE_DB_INSTANCE,
    build: multiAz({ preferredBackupWindow: '05:00-06:00', preferredMaintenanceWindow: 'sun:05:30-sun:06:30' }),
  },
  {
    construct: R,
    prop: 'preferredMaintenanceWindow',
    shown: "'sun:05:00'",
    allowed: 'ddd:hh24:mi-ddd:hh24:mi',
    readme: 'malformed `preferredMaintenanceWindow`',
    source: CREATE_DB_INSTANCE,
    build: replica({ preferredMaintenanceWindow: 'sun:05:00' }),
  },

  // --- Rotation ---------------------------------------------------------------------------------------------------------
  {
    construct: M,
    prop: 'rotationSchedule',
    shown: "'1 hour'",
    allowed: 'from 4 hours to 999 days',
    readme: 'outside 4 hours - 999 days',
    source: ROTATION_SCHEDULES,
    build: multiAz({ rotationSchedule: Duration.hours(1) }),
  },
  {
    construct: M,
    prop: 'rotationSchedule',
    shown: "'4 hours 30 minutes'",
    allowed: 'in whole hours',
    readme: 'not whole hours',
    source: ROTATION_SCHEDULES,
    build: multiAz({ rotationSchedule: Duration.minutes(270) }),
  },
  {
    construct: M,
    prop: 'rotationSchedule',
    shown: "'1000 days'",
    allowed: 'from 4 hours to 999 days',
    readme: 'outside 4 hours - 999 days',
    source: ROTATION_SCHEDULES,
    build: multiAz({ rotationSchedule: Duration.days(1000) }),
  },
  ...REGION_REJECTIONS,
  ...SWITCHOVER_REJECTIONS,
  ...WIRING_REJECTIONS,
  ...MESSAGE_REJECTIONS,
  ...SCHEDULE_REJECTIONS,
  ...DRILL_REJECTIONS,
  ...REGION_DRILL_REJECTIONS,
  ...ENTRY_REJECTIONS,
  ...FAILBACK_REJECTIONS,
];
