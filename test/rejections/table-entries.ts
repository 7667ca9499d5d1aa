import { App, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { multiRegion } from './builders';
import type { RejectionRow } from './table';
import {
  BackupReplication, BackupReplicationProps, CrossRegionReadReplica, CrossRegionReadReplicaProps, DbAlarmSet, DrBackupVault, DrBackupVaultProps,
  FailoverHealthCheckType, FailoverRunbook, FailoverRunbookProps, IsolatedVpc, MeasuredFigures, MultiAzPostgres, MultiAzPostgresProps,
  PostgresInstanceBase,
  ResilienceObjectives, Route53DbFailover, WritableProbe, WritableProbeProps,
} from '../../src';
import { ACCOUNT, DR_REGION, PRIMARY_ENDPOINT, PRIMARY_REGION, failoverApp, newStack } from '../util';

/**
 * The rejections the documentation lists that the other tables do not: guarded defaults, sources a replica or a backup
 * replication cannot use, and the ranges of the failover parts. Spread into `REJECTIONS` by `table.ts`.
 */
const CREATE_DB_INSTANCE = 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html';
const INSTANCE_CLASS_SUPPORT = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html';
const DELETING_KEYS = 'https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html';
const CROSS_REGION_REPLICAS = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html';
const MANAGED_PASSWORD_LIMITS = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations';
const CFN_DB_INSTANCE = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html';
const REPLICATE_BACKUPS = 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBInstanceAutomatedBackupsReplication.html';
const REPLICATING_BACKUPS = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html';
const VAULT_LOCK = 'https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html';
const COPY_A_BACKUP = 'https://docs.aws.amazon.com/aws-backup/latest/devguide/recov-point-create-a-copy.html';
const RESTORE_TESTING = 'https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing.html';
const ALARM_IDENTIFIER = 'https://docs.aws.amazon.com/Route53/latest/APIReference/API_AlarmIdentifier.html';
const HEALTH_CHECK_VALUES = 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html';
const SNS_SUBSCRIBE = 'https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html';
const CLEAR_TEXT_RULE = 'library: alarms and approval requests (whose task token approves a promotion) are not sent in clear text';
const GIVEN_TOPIC_RULE = 'library: subscribers go to the topics the library creates; a topic you give keeps its own';
const RDS_METRICS = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/monitoring-cloudwatch.html';

const MEASURED_RULE = 'library: a measured figure is whole seconds, says where and on which day it was measured, and stands next to an assumed term of a budget';

const DR_KEY = `arn:aws:kms:${DR_REGION}:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`;
const VAULT_ARN = `arn:aws:backup:${DR_REGION}:${ACCOUNT}:backup-vault:orders-dr`;
const PG17 = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 });
const M7G_LARGE = ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE);

/** `ResilienceObjectives` over the failover app's primary and a runbook (`runbookProps`), with `measured`. */
function measured(figures: MeasuredFigures, runbookProps: Partial<FailoverRunbookProps> = {}): (app: App) => void {
  return (app) => {
    const parts = failoverApp({}, app);
    const drRunbook = new FailoverRunbook(parts.drStack, 'Runbook', {
      replica: parts.replica, topic: parts.drAlarms.topic, topicKey: parts.drAlarms.topicKey, failover: parts.failover, ...runbookProps,
    });
    new ResilienceObjectives(parts.drStack, 'Objectives', { primary: parts.primary, runbook: drRunbook, measured: figures });
  };
}

const drill = (value: Duration, measuredAt = '2026-11-20', source = 'region drill') => ({ value, source, measuredAt });

/** A `MultiAzPostgres` named `orders-primary` in us-east-1 (or `region`), in an `IsolatedVpc`. */
function primaryIn(app: App, props: Partial<MultiAzPostgresProps> = {}, id = 'Primary', region = PRIMARY_REGION) {
  const stack = newStack(app, id, region);
  const net = new IsolatedVpc(stack, 'Network');
  const primary = new MultiAzPostgres(stack, 'Orders', {
    vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, instanceIdentifier: 'orders-primary', ...props,
  });
  return { stack, net, primary };
}

function multiAz(props: Partial<MultiAzPostgresProps>): (app: App) => void {
  return (app) => {
    primaryIn(app, props);
  };
}

/** A `CrossRegionReadReplica` in us-west-2 of the primary in us-east-1. */
function replica(props: Partial<CrossRegionReadReplicaProps>): (app: App) => void {
  return (app) => {
    const { primary } = primaryIn(app);
    const drStack = newStack(app, 'Dr', DR_REGION);
    const drNet = new IsolatedVpc(drStack, 'Network');
    new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, instanceIdentifier: 'orders-dr', ...props });
  };
}

/** A `CrossRegionReadReplica` in us-west-2 of a source described by attributes. */
function replicaOfAttributes(attributes: Partial<NonNullable<CrossRegionReadReplicaProps['sourceAttributes']>>): (app: App) => void {
  return (app) => {
    const drStack = newStack(app, 'Dr', DR_REGION);
    const drNet = new IsolatedVpc(drStack, 'Network');
    new CrossRegionReadReplica(drStack, 'Replica', {
      sourceAttributes: { instanceArn: `arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:db:legacy-orders`, engine: PG17, instanceType: M7G_LARGE, ...attributes },
      vpc: drNet.vpc,
      instanceIdentifier: 'orders-dr',
    });
  };
}

/** A `BackupReplication` of the primary in us-east-1 to us-west-2. */
function backups(props: Partial<BackupReplicationProps>, build: (app: App) => MultiAzPostgres = (app) => primaryIn(app).primary): (app: App) => void {
  return (app) => {
    const primary = build(app);
    new BackupReplication(Stack.of(primary), 'Backups', { sourceInstance: primary, destinationRegion: DR_REGION, destinationKeyArn: DR_KEY, ...props });
  };
}

function vault(props: DrBackupVaultProps): (app: App) => void {
  return (app) => {
    new DrBackupVault(newStack(app, 'Dr', DR_REGION), 'Vault', { backupVaultName: 'orders-dr', ...props });
  };
}

/** `failoverApp` with a `FailoverRunbook` given `props`. */
function runbook(props: Partial<FailoverRunbookProps>): (app: App) => void {
  return (app) => {
    const parts = failoverApp({}, app);
    new FailoverRunbook(parts.drStack, 'Runbook', { replica: parts.replica, topic: parts.drAlarms.topic, ...props });
  };
}

/** A `WritableProbe` of a `MultiAzPostgres` given `props`. */
function probe(props: Partial<WritableProbeProps>): (app: App) => void {
  return (app) => {
    const { stack, net, primary } = primaryIn(app);
    new WritableProbe(stack, 'Probe', { instance: primary, credentials: primary.secret, vpc: net.vpc, topic: new sns.Topic(stack, 'Topic'), ...props });
  };
}

/** A `DbAlarmSet` of a `MultiAzPostgres` given `props`. */
function alarms(props: Omit<ConstructorParameters<typeof DbAlarmSet>[2], 'instance'>): (app: App) => void {
  return (app) => {
    const { stack, primary } = primaryIn(app);
    new DbAlarmSet(stack, 'Alarms', { instance: primary, ...props });
  };
}

/** A second `Route53DbFailover`, `Dr/Other`, next to `failoverApp`'s, with the parts `props` give. */
function otherFailover(
  props: (parts: ReturnType<typeof failoverApp>) => Partial<ConstructorParameters<typeof Route53DbFailover>[2]>,
): (app: App) => void {
  return (app) => {
    const parts = failoverApp({}, app);
    new Route53DbFailover(parts.drStack, 'Other', {
      zoneName: 'billing.internal',
      vpcs: [parts.drNet.vpc, parts.primaryVpc],
      primary: { endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: parts.primaryProbe.notWritableAlarm },
      secondary: { endpointAddress: parts.replica.endpoint.hostname, notWritableAlarm: parts.drProbe.notWritableAlarm },
      ...props(parts),
    });
  };
}

const M = 'MultiAzPostgres' as const;
const R = 'CrossRegionReadReplica' as const;
const B = 'BackupReplication' as const;
const F = 'Route53DbFailover' as const;
const K = 'FailoverRunbook' as const;

export const ENTRY_REJECTIONS: RejectionRow[] = [
  // --- MultiAzPostgres: guarded defaults ----------------------------------------------------------------------------------
  {
    construct: M,
    prop: 'multiAz',
    shown: 'false',
    allowed: 'a single-AZ instance does not survive an Availability Zone failure; set acknowledgeSingleAz: true',
    readme: '`false` without `acknowledgeSingleAz: true`',
    source: 'library: a single-AZ instance does not survive an Availability Zone failure',
    build: multiAz({ multiAz: false }),
  },
  {
    construct: M,
    prop: 'publiclyAccessible',
    shown: 'true',
    allowed: 'only false is supported',
    readme: 'public subnets; `true`',
    source: 'library: the database is never reachable from the internet',
    build: multiAz({ publiclyAccessible: true }),
  },
  {
    construct: M,
    prop: 'instanceType',
    shown: "'db.t2.medium'",
    allowed: 'the t2 instance family is retired',
    readme: 'retired classes: db.t1, t2, m1, m2, m3, m4, r3, r4',
    source: INSTANCE_CLASS_SUPPORT,
    build: multiAz({ instanceType: ec2.InstanceType.of(ec2.InstanceClass.T2, ec2.InstanceSize.MEDIUM) }),
  },
  {
    construct: M,
    prop: 'enforceTls',
    shown: 'false',
    allowed: 'clients could then send credentials and data in clear text; set acknowledgeTlsNotEnforced: true',
    readme: '`false` without `acknowledgeTlsNotEnforced: true`',
    source: 'library: clients could then send credentials and data in clear text',
    build: multiAz({ enforceTls: false }),
  },
  {
    construct: M,
    prop: 'parameters',
    shown: "'rds.force_ssl'",
    allowed: 'the TLS parameters are set through enforceTls and minimumTlsVersion',
    readme: '`rds.force_ssl` or `ssl_min_protocol_version`',
    source: 'library: the TLS props set them',
    build: multiAz({ parameters: { 'rds.force_ssl': '0' } }),
  },
  {
    construct: M,
    prop: 'keyRemovalPolicy',
    shown: "'destroy'",
    allowed: 'RETAIN while removalPolicy is SNAPSHOT: the final snapshot would stay encrypted with a deleted key',
    readme: '`DESTROY` while `removalPolicy` is not `DESTROY`',
    source: DELETING_KEYS,
    build: multiAz({ keyRemovalPolicy: RemovalPolicy.DESTROY }),
  },

  // --- CrossRegionReadReplica: sources it cannot replicate -----------------------------------------------------------------
  {
    construct: R,
    prop: 'sourceAttributes.instanceArn',
    shown: `'arn:aws:rds:${DR_REGION}:${ACCOUNT}:db:legacy-orders'`,
    allowed: "the replica's own Region; a cross-Region replica must be in another Region",
    readme: "a source in the replica's own Region",
    source: 'library: not a cross-Region replica',
    build: replicaOfAttributes({ instanceArn: `arn:aws:rds:${DR_REGION}:${ACCOUNT}:db:legacy-orders` }),
  },
  {
    construct: R,
    prop: 'sourceAttributes.instanceArn',
    shown: `'arn:aws:rds:${PRIMARY_REGION}:222222222222:db:legacy-orders'`,
    allowed: "RDS creates a DB instance read replica in the source's account only",
    readme: 'a source in another account',
    source: CROSS_REGION_REPLICAS,
    build: replicaOfAttributes({ instanceArn: `arn:aws:rds:${PRIMARY_REGION}:222222222222:db:legacy-orders` }),
  },
  {
    construct: R,
    prop: 'sourceAttributes.instanceArn',
    shown: `'arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:db:legacy-orders'`,
    allowed: 'RDS can only create an encrypted cross-Region replica of an encrypted source',
    readme: 'an unencrypted source',
    source: CROSS_REGION_REPLICAS,
    build: replicaOfAttributes({ storageEncrypted: false }),
  },
  {
    construct: R,
    prop: 'sourceAttributes.instanceArn',
    shown: `'arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:db:legacy-orders'`,
    allowed: 'RDS cannot create a cross-Region read replica',
    readme: 'a source with an RDS-managed master password',
    source: MANAGED_PASSWORD_LIMITS,
    build: replicaOfAttributes({ masterUserPasswordManagedByRds: true }),
  },
  {
    construct: R,
    prop: 'engine',
    shown: "'mariadb",
    allowed: "the replica runs the source's engine",
    readme: "an `engine` prop that differs from the source's",
    source: "library: a replica runs its source's engine",
    build: replica({ engine: rds.DatabaseInstanceEngine.mariaDb({ version: rds.MariaDbEngineVersion.VER_10_11 }) }),
  },
  {
    construct: R,
    prop: 'scope',
    shown: "'stack Agnostic",
    allowed: 'the replica stack needs an explicit env with account and region',
    readme: 'an environment-agnostic replica or source stack',
    source: 'library: the Regions and the literal ARN are needed at synth',
    build: (app) => {
      const { primary } = primaryIn(app);
      const agnostic = new Stack(app, 'Agnostic');
      const vpc = new ec2.Vpc(agnostic, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      new CrossRegionReadReplica(agnostic, 'Replica', { sourceInstance: primary, vpc });
    },
  },
  {
    construct: R,
    prop: 'sourceInstance',
    shown: "'Other/Chained/Instance'",
    allowed: 'a primary DB instance; this instance is itself a read replica',
    readme: 'a replica as source',
    source: 'library: chained or cluster replicas are out of scope',
    path: 'Dr/Replica',
    build: (app) => {
      const { primary } = primaryIn(app);
      const other = newStack(app, 'Other', 'eu-west-1');
      const otherNet = new IsolatedVpc(other, 'Network');
      const chained = new CrossRegionReadReplica(other, 'Chained', { sourceInstance: primary, vpc: otherNet.vpc, instanceIdentifier: 'chained' });
      const drStack = newStack(app, 'Dr', DR_REGION);
      const drNet = new IsolatedVpc(drStack, 'Network');
      new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: chained, vpc: drNet.vpc, instanceIdentifier: 'orders-dr' });
    },
  },
  {
    construct: R,
    prop: 'keyRemovalPolicy',
    shown: "'destroy'",
    allowed: 'while removalPolicy is',
    readme: '`keyRemovalPolicy: DESTROY` while `removalPolicy` is not `DESTROY`',
    source: DELETING_KEYS,
    build: replica({ keyRemovalPolicy: RemovalPolicy.DESTROY }),
  },

  // --- BackupReplication and DrBackupVault --------------------------------------------------------------------------------
  {
    construct: B,
    prop: 'destinationRegion',
    shown: `'${PRIMARY_REGION}'`,
    allowed: "a Region other than the source's (us-east-1); backups are replicated to another Region",
    readme: "equal to the source's",
    source: 'library: backups are replicated to another Region',
    build: backups({ destinationRegion: PRIMARY_REGION, destinationKeyArn: `arn:aws:kms:${PRIMARY_REGION}:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10` }),
  },
  {
    construct: B,
    prop: 'retention',
    shown: "'36 days'",
    allowed: 'a whole number of days from 1 to 35 (the RDS limit for replicated automated backups)',
    readme: 'a retention outside 1-35 whole days',
    source: CFN_DB_INSTANCE,
    build: backups({ retention: Duration.days(36) }),
  },
  {
    construct: B,
    prop: 'destinationKeyArn',
    shown: `'arn:aws:kms:${DR_REGION}:${ACCOUNT}:alias/orders'`,
    allowed: 'not an alias or a token',
    readme: 'a key ARN in another Region, an alias, a token',
    source: REPLICATE_BACKUPS,
    build: backups({ destinationKeyArn: `arn:aws:kms:${DR_REGION}:${ACCOUNT}:alias/orders` }),
  },
  {
    construct: B,
    prop: 'sourceInstance',
    shown: "'Primary/Orders/Instance'",
    allowed: 'a standalone DB instance; automated backup replication is not supported for Multi-AZ DB clusters',
    readme: 'an instance of a DB cluster',
    source: REPLICATING_BACKUPS,
    build: backups({}, (app) => {
      const { primary } = primaryIn(app);
      (primary.instance.node.defaultChild as rds.CfnDBInstance).dbClusterIdentifier = 'orders-cluster';
      return primary;
    }),
  },
  {
    construct: B,
    prop: 'sourceInstance',
    shown: "'Dr/Replica/Instance'",
    allowed: 'a primary DB instance; this instance is a read replica',
    readme: 'a read replica',
    source: "library: replicate the source's backups instead",
    build: (app) => {
      const { primary } = primaryIn(app);
      const drStack = newStack(app, 'Dr', DR_REGION);
      const drNet = new IsolatedVpc(drStack, 'Network');
      const replicaConstruct = new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, instanceIdentifier: 'orders-dr' });
      new BackupReplication(drStack, 'Backups', {
        sourceInstance: replicaConstruct,
        destinationRegion: PRIMARY_REGION,
        destinationKeyArn: `arn:aws:kms:${PRIMARY_REGION}:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`,
      });
    },
  },
  {
    construct: B,
    prop: 'awsBackup.copyRetention',
    shown: "'35 days'",
    allowed: "at most the destination vault lock's maximum retention (30 days)",
    readme: "a copy retention longer than the destination vault lock's maximum",
    source: VAULT_LOCK,
    build: backups({ awsBackup: { destination: { vaultArn: VAULT_ARN, lockMaxRetention: Duration.days(30) } } }),
  },
  {
    construct: B,
    prop: 'awsBackup.destination.vaultArn',
    shown: `'arn:aws:backup:${PRIMARY_REGION}:${ACCOUNT}:backup-vault:local'`,
    allowed: "a vault in a Region other than the source's (us-east-1); the copy is the cross-Region layer",
    readme: 'a copy vault in the source Region',
    source: 'library: the copy is the cross-Region layer',
    build: backups({ awsBackup: { destination: { vaultArn: `arn:aws:backup:${PRIMARY_REGION}:${ACCOUNT}:backup-vault:local` } } }),
  },
  {
    construct: B,
    prop: 'awsBackup.destination.vaultArn',
    shown: `'arn:aws:backup:${DR_REGION}:222222222222:backup-vault:orders-dr'`,
    allowed: "a vault in the source's account 111111111111, not 222222222222",
    readme: 'a copy vault in another account',
    source: COPY_A_BACKUP,
    build: backups({ awsBackup: { destination: { vaultArn: `arn:aws:backup:${DR_REGION}:222222222222:backup-vault:orders-dr` } } }),
  },
  {
    construct: B,
    prop: 'destinationKeyArn',
    shown: `'arn:aws:kms:${DR_REGION}:222222222222:key/`,
    allowed: 'RDS replicates automated backups to another Region of the same account',
    readme: 'a replication key in another account',
    source: REPLICATE_BACKUPS,
    build: backups({ destinationKeyArn: `arn:aws:kms:${DR_REGION}:222222222222:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10` }),
  },
  {
    construct: 'DrBackupVault',
    prop: 'keyRemovalPolicy',
    shown: "'destroy'",
    allowed: 'the retained vault and its recovery points would stay encrypted with a deleted key',
    readme: "`keyRemovalPolicy: DESTROY` while the vault's `removalPolicy` is not `DESTROY`",
    source: DELETING_KEYS,
    build: vault({ keyRemovalPolicy: RemovalPolicy.DESTROY }),
  },
  {
    construct: 'DrBackupVault',
    prop: 'restoreTesting.selectionWindow',
    shown: "'400 days'",
    allowed: 'a whole number of days from 1 to 365',
    readme: 'lock, restore-testing windows out of range',
    source: RESTORE_TESTING,
    build: vault({ restoreTesting: { selectionWindow: Duration.days(400) } }),
  },

  // --- Route53DbFailover, WritableProbe and DbAlarmSet --------------------------------------------------------------------
  {
    construct: F,
    prop: 'ttl',
    shown: "'1 minute 1 second'",
    allowed: 'a whole number of seconds from 1 to 60',
    readme: '`ttl` over 60 s or fractional',
    source: 'library: Route 53 only recommends a TTL of 60 s or less with health checks; the library holds failover to it',
    build: (app) => failoverApp({ ttl: Duration.seconds(61) }, app),
  },
  {
    construct: F,
    prop: 'healthCheckType',
    shown: "'TCP'",
    allowed: 'Route 53 health checkers run on the internet and cannot reach a private endpoint',
    readme: 'on a target without `publiclyAccessible: true`',
    source: 'library: Route 53 health checkers cannot reach private IP addresses',
    build: (app) => failoverApp({ healthCheckType: FailoverHealthCheckType.TCP }, app),
  },
  {
    construct: F,
    prop: 'vpcs',
    shown: "'VPCs in us-west-2'",
    allowed: 'VPCs in both Regions, us-east-1 and us-west-2',
    readme: "`vpcs` not covering both targets' Regions",
    source: 'library: clients in the other Region could not resolve the names',
    path: 'Dr/Other',
    build: otherFailover((p) => ({ vpcs: [p.drNet.vpc] })),
  },
  {
    construct: F,
    prop: 'primary.notWritableAlarm',
    shown: "'orders-primary-p99'",
    allowed: 'an alarm with one of the statistics Average, Minimum, Maximum, Sum, SampleCount',
    readme: 'an alarm with a percentile (extended) statistic',
    source: ALARM_IDENTIFIER,
    path: 'Dr/Other',
    build: otherFailover((p) => ({
      primary: {
        endpointAddress: PRIMARY_ENDPOINT,
        notWritableAlarm: new cloudwatch.Alarm(p.primaryStack, 'P99', {
          alarmName: 'orders-primary-p99',
          threshold: 1,
          evaluationPeriods: 1,
          metric: new cloudwatch.Metric({ namespace: 'CdkResilientPostgres', metricName: 'Writable', statistic: 'p99', period: Duration.minutes(1) }),
        }),
      },
    })),
  },
  {
    construct: F,
    prop: 'primary.notWritableAlarm',
    shown: "'orders-primary-math'",
    allowed: 'an alarm on a single metric: Route 53 health checks do not support metric math alarms',
    readme: 'an alarm on metric math',
    source: 'library: Route 53 documents health checks only on single-metric alarms',
    path: 'Dr/Other',
    build: otherFailover((p) => ({
      primary: {
        endpointAddress: PRIMARY_ENDPOINT,
        notWritableAlarm: new cloudwatch.Alarm(p.primaryStack, 'Math', {
          alarmName: 'orders-primary-math',
          threshold: 1,
          evaluationPeriods: 1,
          metric: new cloudwatch.MathExpression({
            expression: 'm1 * 2',
            usingMetrics: { m1: new cloudwatch.Metric({ namespace: 'CdkResilientPostgres', metricName: 'Writable', statistic: 'Minimum' }) },
            period: Duration.minutes(1),
          }),
        }),
      },
    })),
  },
  {
    construct: F,
    prop: 'secondary.writableAlarm',
    shown: "'orders-primary-writable'",
    allowed: "an alarm in the secondary's Region (us-west-2), on the secondary's writable signal",
    readme: "`secondary.writableAlarm` outside the secondary's Region",
    source: "library: the fence must follow the secondary's own writable signal",
    path: 'Dr/Other',
    build: otherFailover((p) => ({
      secondary: {
        endpointAddress: p.replica.endpoint.hostname, notWritableAlarm: p.drProbe.notWritableAlarm, writableAlarm: p.primaryProbe.writableAlarm,
      },
    })),
  },
  {
    construct: F,
    prop: 'tcpRequestInterval',
    shown: "'20 seconds'",
    allowed: '10 or 30 seconds, the intervals Route 53 offers',
    readme: 'TCP interval not 10/30 s',
    source: HEALTH_CHECK_VALUES,
    build: (app) => failoverApp({ tcpRequestInterval: Duration.seconds(20) }, app),
  },
  {
    construct: 'WritableProbe',
    prop: 'timeout',
    shown: "'30 seconds'",
    allowed: 'from 1 to 20 seconds',
    readme: '`timeout` outside 1-20 s',
    source: 'library: the verdict must come well within the one-minute period',
    build: probe({ timeout: Duration.seconds(30) }),
  },
  {
    construct: 'WritableProbe',
    prop: 'reservedConcurrency',
    shown: '0',
    allowed: 'a whole number of at least 1, or unset',
    readme: '`reservedConcurrency` of 0',
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html',
    build: probe({ reservedConcurrency: 0 }),
  },
  {
    construct: 'DbAlarmSet',
    prop: 'readLatency.period',
    shown: "'10 seconds'",
    allowed: 'a whole number of minutes from 1 to 1440: RDS publishes instance metrics every 60 seconds',
    readme: 'a period that is not whole minutes',
    source: RDS_METRICS,
    build: alarms({ readLatency: { period: Duration.seconds(10) } }),
  },
  {
    construct: 'DbAlarmSet',
    prop: 'instanceClass',
    shown: '(unset)',
    allowed: 'the freeableMemory alarm is relative to a figure not known at synth time',
    readme: 'a relative alarm whose base is unknown',
    source: 'library: the threshold cannot be computed',
    build: (app) => {
      const stack = newStack(app);
      const instance = PostgresInstanceBase.fromPostgresInstanceAttributes(stack, 'Imported', {
        instanceArn: `arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:db:legacy-db`, endpointAddress: 'x.rds.amazonaws.com', engine: PG17,
      });
      new DbAlarmSet(stack, 'Alarms', { instance, allocatedStorage: Size.gibibytes(100) });
    },
  },

  {
    construct: 'DbAlarmSet',
    prop: 'subscriberUrls[0]',
    shown: "'http://pager.example.com/hook'",
    allowed: 'an https:// URL with a host',
    readme: 'an entry of `subscriberUrls` that is not an `https://` URL',
    source: CLEAR_TEXT_RULE,
    build: alarms({ subscriberUrls: ['http://pager.example.com/hook'] }),
  },
  {
    construct: 'DbAlarmSet',
    prop: 'subscriberEmails',
    shown: "'oncall@example.com'",
    allowed: 'unset when topic is given',
    readme: 'subscribers together with a `topic`',
    source: GIVEN_TOPIC_RULE,
    build: (app) => alarms({ topic: new sns.Topic(new Stack(app, 'Topics', { env: { region: PRIMARY_REGION } }), 'Topic'), subscriberEmails: ['oncall@example.com'] })(app),
  },
  {
    construct: 'MultiRegionPostgres',
    prop: 'subscriberUrls[0]',
    shown: "'http://pager.example.com/hook'",
    allowed: 'an https:// URL with a host',
    readme: 'an entry of `subscriberUrls` that is not an `https://` URL',
    source: CLEAR_TEXT_RULE,
    build: multiRegion({ subscriberUrls: ['http://pager.example.com/hook'] }),
  },
  {
    construct: 'MultiRegionPostgres',
    prop: 'subscriberEmails[1]',
    shown: "'oncall'",
    allowed: 'an email address, name@domain',
    readme: 'an entry of `subscriberEmails` that is not an email address',
    source: SNS_SUBSCRIBE,
    build: multiRegion({ subscriberEmails: ['dba@example.com', 'oncall'] }),
  },
  {
    construct: 'MultiRegionPostgres',
    prop: 'subscriberEmails',
    shown: "'oncall@example.com'",
    allowed: 'unset when both primaryTopic and drTopic are given',
    readme: 'subscribers with both `primaryTopic` and `drTopic`',
    source: GIVEN_TOPIC_RULE,
    build: (app) => {
      const primaryTopics = new Stack(app, 'PrimaryTopics', { env: { region: PRIMARY_REGION } });
      const drTopics = new Stack(app, 'DrTopics', { env: { region: DR_REGION } });
      multiRegion({
        primaryTopic: new sns.Topic(primaryTopics, 'Topic'), drTopic: new sns.Topic(drTopics, 'Topic'), subscriberEmails: ['oncall@example.com'],
      })(app);
    },
  },

  // --- FailoverRunbook --------------------------------------------------------------------------------------------------
  {
    construct: K,
    prop: 'replica',
    shown: "'Dr/OrdersReplica'",
    allowed: "a replica in this stack's Region (us-east-1): the runbook runs where the replica is",
    readme: "a runbook outside the replica's Region",
    source: 'library: the runbook runs where the replica is',
    build: (app) => {
      const parts = failoverApp({}, app);
      new FailoverRunbook(parts.primaryStack, 'Runbook', { replica: parts.replica, topic: parts.primaryAlarms.topic });
    },
  },
  {
    construct: K,
    prop: 'approvalTimeout',
    shown: "'30 seconds'",
    allowed: 'a whole number of seconds from 60 to 86400',
    readme: '`approvalTimeout` outside 60 s-24 h',
    source: 'library: the loops must be bounded and the budget consistent',
    build: runbook({ approvalTimeout: Duration.seconds(30) }),
  },
  {
    construct: K,
    prop: 'backupRetention',
    shown: "'36 days'",
    allowed: 'a whole number of days from 1 to 35 (the RDS limit)',
    readme: '`backupRetention` outside 1-35 days',
    source: CREATE_DB_INSTANCE,
    build: runbook({ backupRetention: Duration.days(36) }),
  },
  {
    construct: K,
    prop: 'minimumEvidence',
    shown: '3',
    allowed: 'a whole number from 1 to 2, the number of signals',
    readme: '`minimumEvidence` outside 1 to the number of signals',
    source: 'library: the runbook reads alarms in its own Region, by name',
    build: runbook({ minimumEvidence: 3 }),
  },

  // --- ResilienceObjectives and IsolatedVpc -------------------------------------------------------------------------------
  {
    construct: 'ResilienceObjectives',
    prop: 'minimumHeadroom',
    shown: '1',
    allowed: 'a fraction from 0 to less than 1',
    readme: 'a `minimumHeadroom` outside [0, 1)',
    source: 'library: a budget needs whole seconds and the parts it is computed from',
    build: (app) => {
      const parts = failoverApp({}, app);
      new ResilienceObjectives(parts.drStack, 'Objectives', { primary: parts.primary, minimumHeadroom: 1 });
    },
  },
  {
    construct: 'ResilienceObjectives',
    prop: 'measured.promotionTime.value',
    shown: "'412.5 seconds'",
    allowed: 'a whole number of seconds from 0 to 86400',
    readme: 'a measured value that is not whole seconds from 0 to a day',
    source: MEASURED_RULE,
    build: measured({ promotionTime: drill(Duration.millis(412_500)) }),
  },
  {
    construct: 'ResilienceObjectives',
    prop: 'measured.promotionTime.source',
    shown: "' '",
    allowed: 'a non-empty text naming where the figure was measured',
    readme: 'an empty `source`',
    source: MEASURED_RULE,
    build: measured({ promotionTime: drill(Duration.seconds(412), '2026-11-20', ' ') }),
  },
  {
    construct: 'ResilienceObjectives',
    prop: 'measured.promotionTime.measuredAt',
    shown: "'20-11-2026'",
    allowed: 'a literal ISO date, YYYY-MM-DD',
    readme: 'a `measuredAt` that is not a calendar date written YYYY-MM-DD',
    source: MEASURED_RULE,
    build: measured({ promotionTime: drill(Duration.seconds(412), '20-11-2026') }),
  },
  {
    construct: 'ResilienceObjectives',
    prop: 'measured.operatorResponseTime',
    shown: "'5 minutes'",
    allowed: "none has the term 'detection: operator starts the runbook'",
    readme: 'a figure of a term no budget has',
    source: MEASURED_RULE,
    build: measured({ operatorResponseTime: drill(Duration.minutes(5)) }, { automaticPromotion: true }),
  },
  {
    construct: 'IsolatedVpc',
    prop: 'maxAzs',
    shown: '7',
    allowed: 'a whole number from 2 to 6',
    readme: 'outside 2-6',
    source: 'library: at least the two Availability Zones a DB subnet group needs, at most six',
    build: (app) => {
      new IsolatedVpc(newStack(app), 'Network', { maxAzs: 7 });
    },
  },
];
