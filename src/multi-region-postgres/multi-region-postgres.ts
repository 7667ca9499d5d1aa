import { Annotations, ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DeployParameters, DeployValue } from './deploy-parameters';
import { FailbackOptions, FailbackPhase, phaseAtLeast, resolveFailback } from './failback';
import { AzFailoverDrill } from '../az-failover-drill/az-failover-drill';
import { AwsBackupCopyOptions, BackupReplication } from '../backup-replication/backup-replication';
import { ConnectGrantOptions } from '../common/connect-grant';
import { Warnings } from '../common/warnings';
import { CrossRegionReadReplica } from '../cross-region-read-replica/cross-region-read-replica';
import { DbAlarmSet, DbAlarmSetProps } from '../db-alarm-set/db-alarm-set';
import { FailoverRunbook } from '../failover-runbook/failover-runbook';
import { IsolatedVpc } from '../isolated-vpc/isolated-vpc';
import { MultiAzPostgres } from '../multi-az-postgres/multi-az-postgres';
import { validateSubscribers } from '../private/alarm-topic';
import { grantConnectOn } from '../private/connect-grant';
import { propError, where } from '../private/errors';
import { forwardAspects } from '../private/forward-aspects';
import { forwardPropsAs } from '../private/forwarded-props';
import { defaultSubnets } from '../private/instance-setup';
import {
  ALARM_TOPIC_RULE, arnPlace, databaseNameProblem, DEFAULT_PROMOTION_TIMEOUT, validateApprovalTimeout,
  validateDatabaseName, validateExpectedPromotionTime, validateInstanceType, validateKeyArn, validateMaxLagAtPromotion,
  validatePeersRegion, validatePlace, validatePostgresEngine, validatePrivateSubnets, validateRegionName,
  validateResourcePlace, validateSamePartition, validateStorage, validateVersionedEngine,
} from '../private/validation';
import { checkZoneName, claimDbInstanceIdentifier, claimName } from '../private/wiring';
import { PromotionRole } from '../promotion-role/promotion-role';
import { RegionFailoverDrill } from '../region-failover-drill/region-failover-drill';
import { ResilienceObjectives, ResilienceTargets } from '../resilience-objectives/resilience-objectives';
import { Route53DbFailover } from '../route53-db-failover/route53-db-failover';
import { FailoverTarget } from '../route53-db-failover/types';
import { SwitchoverSqlAgent } from '../switchover-runbook/sql-agent';
import { SwitchoverRunbook } from '../switchover-runbook/switchover-runbook';
import { WritableProbe } from '../writable-probe/writable-probe';

const CONSTRUCT = 'MultiRegionPostgres';

/** The primary's CRITICAL alarms that stop the pattern's AZ drill: storage, replication slot lag, WAL disk, XID age. */
const AZ_DRILL_STOP_METRICS = ['FreeStorageSpace', 'OldestReplicationSlotLag', 'TransactionLogsDiskUsage', 'MaximumUsedTransactionIDs'];

/**
 * The ID of a VPC of `ec2.Vpc.fromLookup` before the CDK CLI has looked it up (aws-cdk-lib's `DUMMY_VPC_PROPS` in
 * aws-ec2/lib/vpc.ts); the CLI records the missing lookup and synthesizes again with the real ID.
 *
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_ec2.Vpc.html#static-fromwbrlookupscope-id-options
 */
const VPC_LOOKUP_PLACEHOLDER = 'vpc-12345';

/** A VPC the pattern places a database, its probe and (in the DR Region) the private zone in. */
export interface RegionNetwork {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /**
   * The subnets of the database and the probe: private or isolated, in at least two Availability Zones.
   *
   * @default - the VPC's isolated subnets, or its private subnets when it has no isolated ones
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * A Secrets Manager interface endpoint, needed when the subnets have no route to the internet (no NAT gateway):
   * the master-password rotation and the probe read the secret through it. The pattern opens port 443 to it.
   *
   * @default - none: the subnets reach Secrets Manager through a NAT gateway
   */
  readonly secretsManagerEndpoint?: ec2.IInterfaceVpcEndpoint;
  /**
   * A CloudWatch (`monitoring`) interface endpoint, needed when the subnets have no route to the internet: the probe
   * publishes its metrics through it.
   *
   * @default - none: the subnets reach CloudWatch through a NAT gateway
   */
  readonly monitoringEndpoint?: ec2.IInterfaceVpcEndpoint;
}

/** Props of `MultiRegionPostgres`. */
export interface MultiRegionPostgresProps {
  /**
   * Where the DR Region's parts go: a stack in the DR Region, or a construct inside one. The construct's own scope
   * is the primary Region's.
   */
  readonly drScope: Construct;
  /**
   * The database's short name. The primary is `<name>-primary`, the replica `<name>-dr`, and the master secret
   * `<name>-primary/master` (replicated to the DR Region under the same name). Lower-case letters, digits and
   * hyphens, starting with a letter, at most 50 characters.
   */
  readonly name: string;
  /** The private hosted zone of the failover names, such as `orders.internal`: `writer.<zone>` and `reader.<zone>`. */
  readonly zoneName: string;
  /**
   * The primary's endpoint address (the primary stack's output `PrimaryEndpointAddress` after its first deploy). The
   * DR stack's writer record points at it, and another Region's stack can only name it by a literal. It must be
   * `<name>-primary.<id>.<primary Region>.rds.amazonaws.com`. In lookup mode, `DeployParameters.lookup` reads it at
   * synth (`DeployValue.PRIMARY_ENDPOINT_ADDRESS`, written with `deployParameters`).
   */
  readonly primaryEndpointAddress: string;
  /**
   * The primary VPC's ID (output `PrimaryVpcId`), to associate the private zone with it. Needed when the primary VPC's
   * ID is not a literal, which is the case for a VPC the pattern or the same app creates. In lookup mode,
   * `DeployParameters.lookup` reads it at synth (`DeployValue.PRIMARY_VPC_ID`, written with `deployParameters`).
   *
   * @default - the ID of `primaryNetwork.vpc`, when it is a literal
   */
  readonly primaryVpcId?: string;
  /**
   * The ARN of a KMS key in the DR Region for the replicated automated backups, such as the key of a `DrBackupVault`
   * deployed before the primary (its output). A key made in another Region's stack can only be named by a literal. In
   * lookup mode, `DeployParameters.lookup` reads it at synth (`DeployValue.DR_BACKUP_KEY_ARN`).
   */
  readonly drBackupKeyArn: string;
  /**
   * The ARN of a customer-managed KMS key in the DR Region that encrypts the master secret's replica there, such as the
   * key of a `DrSecretKey` deployed before the primary (its output). The primary stack names it in the secret's replica
   * configuration (`ReplicaRegions[].KmsKeyId`), and the DR probe decrypts the replica with it. A literal key ARN in
   * the DR Region and this account, not an alias: a key made in another Region's stack can only be named by a literal.
   * Its key policy must let Secrets Manager in the DR Region encrypt with it (`DrSecretKey` does); a separate key from
   * `drBackupKeyArn`, so each key's policy admits one service. In lookup mode, `DeployParameters.lookup` reads it at
   * synth (`DeployValue.DR_SECRET_KEY_ARN`).
   *
   * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ReplicateSecretToRegions.html
   */
  readonly drSecretKeyArn: string;
  /**
   * Copies of the primary's AWS Backup recovery points into a DR vault, such as `DrBackupVault.copyDestination`.
   *
   * @default - automated backups are replicated to the DR Region; no AWS Backup plan
   */
  readonly awsBackup?: AwsBackupCopyOptions;
  /**
   * The primary's VPC.
   *
   * @default - a new `IsolatedVpc` (10.0.0.0/16, two AZs, isolated subnets, Secrets Manager and CloudWatch endpoints):
   * cheap, for trying the pattern out
   */
  readonly primaryNetwork?: RegionNetwork;
  /**
   * The replica's VPC in the DR Region.
   *
   * @default - a new `IsolatedVpc` (10.1.0.0/16)
   */
  readonly drNetwork?: RegionNetwork;
  /**
   * Whether the pattern writes the primary's endpoint address and VPC ID (the values of the outputs
   * `PrimaryEndpointAddress` and `PrimaryVpcId`) into SSM parameters in the primary Region as well, so that the DR
   * stack can read them with `DeployParameters.lookup` at synth instead of copying them into the code
   * (`DeployValue.PRIMARY_ENDPOINT_ADDRESS` and `DeployValue.PRIMARY_VPC_ID`, named by `DeployParameters.parameterName`).
   *
   * @default false
   */
  readonly deployParameters?: boolean;
  /**
   * Clients admitted to the primary on its port: security groups of a stack in the primary's Region, or CIDR ranges
   * (`MultiAzPostgres` `allowedPeers`). More can be admitted later through `primary.connections`.
   *
   * @default - none: no ingress but the writable probe's until granted through `primary.connections`
   */
  readonly primaryAllowedPeers?: ec2.IPeer[];
  /**
   * Clients admitted to the DR replica on its port: security groups of a stack in the DR Region, or CIDR ranges
   * (`CrossRegionReadReplica` `allowedPeers`). The replica has its own security group: the primary's clients are not
   * admitted to it, so give the DR Region's clients here (or through `replica.connections`) to let them read from it
   * and write to it after a promotion.
   *
   * @default - none: no ingress but the writable probe's until granted through `replica.connections`
   */
  readonly drAllowedPeers?: ec2.IPeer[];
  /**
   * The engine of the primary (the replica follows it).
   *
   * @default - MultiAzPostgres's default engine
   */
  readonly engine?: rds.IInstanceEngine;
  /**
   * The instance type of both databases.
   *
   * @default - MultiAzPostgres's default instance type
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * The primary's allocated storage in GiB (the replica's is the same).
   *
   * @default 100
   */
  readonly allocatedStorage?: number;
  /**
   * How long the primary keeps its automated backups (point-in-time recovery): 1-35 days (`MultiAzPostgres`
   * `backupRetention`). The replicated backups in the DR Region and the instance the runbook promotes keep the same.
   *
   * @default Duration.days(35)
   */
  readonly backupRetention?: Duration;
  /**
   * The name of the database created on the primary.
   *
   * @default - the name with hyphens as underscores
   */
  readonly databaseName?: string;
  /**
   * The recovery objectives, checked at synth against the budget the configuration implies, and the measured figures
   * of the budget's assumed terms (`objectives.measured`).
   *
   * @default - the budgets are computed and reported, not checked
   */
  readonly objectives?: ResilienceTargets;
  /**
   * Whether the replication-stalled alarm starts the failover runbook.
   *
   * @default true
   */
  readonly automaticPromotion?: boolean;
  /**
   * Whether the runbook waits for an approval before it promotes.
   *
   * @default true
   */
  readonly approval?: boolean;
  /**
   * How long the runbook waits for an approval.
   *
   * @default Duration.hours(1)
   */
  readonly approvalTimeout?: Duration;
  /**
   * The replica-lag guard: the runbook refuses to promote when the replica had replayed nothing newer for longer than
   * this (unless forced); the runbook's `maxLagAtPromotion`, and the Region failure RPO budget. The DR replica's
   * replica-lag alarm (`DbAlarmSet` `replicaLagThreshold`) fires above the same lag, so the page comes when a
   * promotion would be refused.
   *
   * @default Duration.seconds(60)
   */
  readonly maxLagAtPromotion?: Duration;
  /**
   * Without `automaticPromotion`: the time from the replication-stalled page to an operator starting the runbook, in
   * the Region failure RTO budget (the runbook's `operatorResponseTime`).
   *
   * @default Duration.minutes(15)
   */
  readonly operatorResponseTime?: Duration;
  /**
   * The assumed promotion time in the Region RTO budget.
   *
   * @default Duration.minutes(10)
   */
  readonly expectedPromotionTime?: Duration;
  /**
   * Whether the pattern adds a `RegionFailoverDrill` next to the replica (`<name>-dr-region-drill`), which rehearses
   * the promotion on a temporary copy of the replica and deletes it; it reports on the DR topic. It runs only when
   * started: no schedule.
   *
   * @default false
   */
  readonly regionDrill?: boolean;
  /**
   * Whether the pattern adds an `AzFailoverDrill` of the primary: an AWS FIS experiment template that reboots it with
   * a forced Multi-AZ failover, when someone starts it. The primary's CRITICAL alarms (free storage, replication slot
   * lag, WAL disk usage, transaction ID age) stop it.
   *
   * @default false
   */
  readonly azDrill?: boolean;
  /**
   * A topic in the primary's Region for the primary's alarms, RDS events and probe alarms (`DbAlarmSet` `topic`), in
   * place of the one the pattern creates: CloudWatch alarm actions must be in the alarm's Region. A topic of this app
   * (`sns.Topic`) gets the statements the pattern's own topic has (CloudWatch alarms and the primary's RDS events may
   * publish, and use its key); an imported one warns (`cdk-resilient-postgres:topicPermissionsNotAdded`) with the
   * statements its policies must hold. It keeps its own subscribers: `subscriberEmails` and `subscriberUrls` go to the
   * pattern's topics only.
   *
   * @default - a new topic, encrypted with a new customer-managed key
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html (AlarmActions)
   */
  readonly primaryTopic?: sns.ITopic;
  /**
   * A topic in the DR Region for the replica's alarms, RDS events and probe alarms, and for the failover runbook's
   * announcements and approval requests, in place of the one the pattern creates; as `primaryTopic`. When it is
   * encrypted, the runbook's role is granted its key (`masterKey`).
   *
   * @default - a new topic, encrypted with a new customer-managed key
   */
  readonly drTopic?: sns.ITopic;
  /**
   * Email addresses subscribed to the topics the pattern creates, in both Regions (`DbAlarmSet` `subscriberEmails`):
   * they receive the alarms, the RDS events, the runbook's steps and its approval requests. Each address confirms the
   * subscription SNS sends it before it is paged.
   *
   * @default - none: the pattern warns (`cdk-resilient-postgres:topicWithoutSubscriber`) for each of its topics that
   * has no subscription in the app
   */
  readonly subscriberEmails?: string[];
  /**
   * HTTPS endpoints (`https://` only) subscribed to the topics the pattern creates, in both Regions, such as a paging
   * service's integration URL (`DbAlarmSet` `subscriberUrls`).
   *
   * @default - none
   */
  readonly subscriberUrls?: string[];

  /**
   * What happens to the two DB instances when they leave the stack or the stack is deleted (`MultiAzPostgres` and
   * `CrossRegionReadReplica` `removalPolicy`). Deletion protection stays on either way. `RemovalPolicy.DESTROY` deletes
   * them without a final snapshot and warns (`cdk-resilient-postgres:databaseDestroyedWithStack`). This applies to the
   * instances only: the keys of both stacks, the master secret and the log groups follow `keyRemovalPolicy`, and the
   * automated backups replicated to the DR Region (`drBackupKeyArn`) and the secret's replica key (`drSecretKeyArn`) are
   * not in these stacks at all.
   *
   * @default - the parts' defaults: the primary leaves a final snapshot (`RemovalPolicy.SNAPSHOT`), the replica is retained
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * What happens to the KMS keys the primary and the replica create, the master secret and the databases' log groups
   * when they leave the stack or the stacks are deleted (`MultiAzPostgres` and `CrossRegionReadReplica`
   * `keyRemovalPolicy`). They are retained unless you ask for `RemovalPolicy.DESTROY` here, which is accepted only with
   * `removalPolicy: RemovalPolicy.DESTROY`, warns (`cdk-resilient-postgres:keyDestroyedWithStack`) and schedules each
   * key's deletion with a waiting period of 30 days.
   *
   * @default RemovalPolicy.RETAIN
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html
   */
  readonly keyRemovalPolicy?: RemovalPolicy;

  /**
   * Where the pattern is in the cycle primary Region → DR Region → primary Region after a Region failover, and the
   * settings of the re-protect replicas (docs/failing-back.md). Each phase keeps every database, key and secret of the
   * previous one under the same logical IDs; re-protect replicas get new construct ids and new identifiers.
   *
   * @default - `FailbackPhase.INITIAL`: the primary takes writes, the DR replica replicates it
   */
  readonly failback?: FailbackOptions;
}

/**
 * The whole architecture in one construct: a Multi-AZ PostgreSQL primary in one Region and a cross-Region read
 * replica in another, with automated backups replicated to the DR Region, alarms and a writable probe on both,
 * failover names in a private zone that never send writes to a read-only replica and fence the old primary, a
 * guarded failover runbook in the DR Region, and recovery objectives checked at synth.
 *
 * It composes `MultiAzPostgres`, `BackupReplication`, `DbAlarmSet` and `WritableProbe` (primary Region, under this
 * construct), and `CrossRegionReadReplica`, `DbAlarmSet`, `WritableProbe`, `Route53DbFailover`, `FailoverRunbook`
 * (with its `PromotionRole`) and `ResilienceObjectives` (DR Region, under a construct of the same id in `drScope`).
 * Every part is a public property, and the pattern creates no resource the parts would not create.
 *
 * Tags and aspects applied to the pattern (`Tags.of(orders).add(...)`, `Aspects.of(orders).add(...)`) reach the
 * resources of both stacks: the construct in `drScope` forwards them, and runs them at `AspectPriority.MUTATING`.
 * Those applied to a stack stay in that stack.
 *
 * Another Region's stack can only name a resource by a literal, so four values come from earlier deploys:
 * `drBackupKeyArn` and `drSecretKeyArn` (keys in the DR Region, deployed first, such as a `DrBackupVault`'s and a
 * `DrSecretKey`'s), then `primaryEndpointAddress` and `primaryVpcId` (outputs of the primary stack, deployed second).
 * The DR stack is deployed last; the pattern makes it depend on the primary. Instead of copying them, the stacks can
 * pass them through SSM parameters read at synth (`deployParameters` and `DeployParameters`, the lookup mode).
 *
 * Networking: the probes, the rotation function and the runbook call AWS APIs. With the default isolated VPCs they do
 * so through the VPC's Secrets Manager and CloudWatch endpoints; with your VPCs, give those endpoints
 * (`RegionNetwork`) or subnets with a NAT gateway. The runbook (Step Functions) runs outside the VPC.
 *
 * @example
 * declare const primaryStack: Stack; // us-east-1
 * declare const drStack: Stack;      // us-west-2
 * new MultiRegionPostgres(primaryStack, 'Orders', {
 *   drScope: drStack,
 *   name: 'orders',
 *   zoneName: 'orders.internal',
 *   drBackupKeyArn: 'arn:aws:kms:us-west-2:111111111111:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10',
 *   drSecretKeyArn: 'arn:aws:kms:us-west-2:111111111111:key/8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64',
 *   primaryEndpointAddress: 'orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com',
 *   primaryVpcId: 'vpc-0a1b2c3d4e5f60718',
 *   objectives: {
 *     azFailure: { rto: Duration.minutes(5), rpo: Duration.seconds(0) },
 *     regionFailure: { rto: Duration.minutes(45), rpo: Duration.minutes(2) },
 *   },
 * });
 */
export class MultiRegionPostgres extends Construct {
  /** The construct in `drScope` that holds the DR Region's parts. */
  public readonly drContainer: Construct;
  /** The primary's VPC, when the pattern created it. */
  public readonly primaryIsolatedVpc?: IsolatedVpc;
  /** The DR Region's VPC, when the pattern created it. */
  public readonly drIsolatedVpc?: IsolatedVpc;
  /** The Multi-AZ primary. */
  public readonly primary: MultiAzPostgres;
  /**
   * The master secret's replica in the DR Region, imported with its key (`encryptionKey`). To let a principal read it,
   * use `grantDrSecretRead`: `grantRead` on an imported secret grants nothing on an imported key.
   */
  public readonly drSecret: secretsmanager.ISecret;
  /** The key of the master secret's replica in the DR Region (`drSecretKeyArn`), imported in the DR scope. */
  public readonly drSecretKey: kms.IKey;
  /** The primary's automated backups replicated to the DR Region (and AWS Backup copies, when asked for). */
  public readonly backups: BackupReplication;
  /** The primary's alarms, topic, RDS events and dashboard. */
  public readonly primaryAlarms: DbAlarmSet;
  /** The primary's writable probe. */
  public readonly primaryProbe: WritableProbe;
  /** The cross-Region read replica. */
  public readonly replica: CrossRegionReadReplica;
  /** The replica's alarms, topic, RDS events and dashboard; the runbook announces on this topic. */
  public readonly replicaAlarms: DbAlarmSet;
  /** The replica's writable probe; its writable alarm fences the old primary. */
  public readonly replicaProbe: WritableProbe;
  /** The failover names and their health checks. */
  public readonly failover: Route53DbFailover;
  /**
   * The failover runbook, when the phase has one: on the DR replica in `FailbackPhase.INITIAL`, on the second re-protect
   * replica in `REPROTECTED_AGAIN`; none in the phases in between, in which it would point at the instance that takes
   * writes.
   */
  public readonly failoverRunbook?: FailoverRunbook;
  /** The phase of the failback cycle the templates declare. */
  public readonly phase: FailbackPhase;
  /** The re-protect replica of the promoted DR instance, in the primary's Region, from `FailbackPhase.REPROTECTED` on. */
  public readonly reprotectReplica?: CrossRegionReadReplica;
  /** The re-protect replica's alarms (on the primary's topic), from `FailbackPhase.REPROTECTED` on. */
  public readonly reprotectAlarms?: DbAlarmSet;
  /** The re-protect replica's writable probe, from `FailbackPhase.REPROTECTED` on. */
  public readonly reprotectProbe?: WritableProbe;
  /**
   * The planned switchover from the promoted DR instance to the re-protect replica, in `FailbackPhase.REPROTECTED`
   * (stack output `SwitchoverRunbookArn`).
   */
  public readonly switchover?: SwitchoverRunbook;
  /** The second re-protect replica, of the re-protect instance, in the DR Region, in `FailbackPhase.REPROTECTED_AGAIN`. */
  public readonly reprotectAgainReplica?: CrossRegionReadReplica;
  /** The second re-protect replica's alarms (on the DR topic), in `FailbackPhase.REPROTECTED_AGAIN`. */
  public readonly reprotectAgainAlarms?: DbAlarmSet;
  /** The second re-protect replica's writable probe, in `FailbackPhase.REPROTECTED_AGAIN`. */
  public readonly reprotectAgainProbe?: WritableProbe;
  /** The recovery objectives and the budgets. */
  public readonly objectives: ResilienceObjectives;
  /** The Region drill, with `regionDrill`. */
  public readonly regionDrill?: RegionFailoverDrill;
  /** The AZ drill of the primary, with `azDrill`. */
  public readonly azDrill?: AzFailoverDrill;

  /**
   * The failover runbook. Outside the phases that have one (`failoverRunbook` is undefined), reading it is refused.
   */
  public get runbook(): FailoverRunbook {
    if (!this.failoverRunbook) {
      throw propError(where(this, CONSTRUCT), 'failback.phase', this.phase,
        'INITIAL or REPROTECTED_AGAIN to read runbook: in the phases in between there is no replica in the DR Region to promote (read failoverRunbook)');
    }
    return this.failoverRunbook;
  }

  /** The runbook's least-privilege role. Outside the phases that have a runbook, reading it is refused. */
  public get promotionRole(): PromotionRole {
    return this.runbook.promotionRole;
  }

  constructor(scope: Construct, id: string, props: MultiRegionPostgresProps) {
    super(scope, id);
    const construct = where(this, CONSTRUCT);
    const primaryStack = Stack.of(this);
    const drStack = Stack.of(props.drScope);
    const primaryRegion = primaryStack.region;
    const drRegion = drStack.region;
    if (Token.isUnresolved(primaryRegion)) {
      throw propError(construct, 'scope', this.node.path, 'a scope in a stack with a concrete Region (env.region)');
    }
    if (Token.isUnresolved(drRegion) || drRegion === primaryRegion) {
      throw propError(construct, 'drScope', props.drScope.node.path,
        `a scope in a stack with a concrete Region other than the primary's (${primaryRegion})`);
    }
    validateRegionName(construct, 'scope', primaryRegion, this.node.path);
    validateRegionName(construct, 'drScope', drRegion, props.drScope.node.path);
    validateSamePartition(construct, 'drScope', props.drScope.node.path, drRegion, primaryRegion, "the primary's stack");
    if (!/^[a-z][a-z0-9-]{0,49}$/.test(props.name) || props.name.endsWith('-') || props.name.includes('--')) {
      throw propError(construct, 'name', props.name,
        'lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen, at most 50 characters');
    }
    // The database name defaults to the name with hyphens as underscores, and must then be a valid DBName.
    const databaseName = props.databaseName ?? props.name.replace(/-/g, '_');
    if (props.databaseName === undefined) {
      const problem = databaseNameProblem(databaseName);
      if (problem) {
        throw propError(construct, 'name', props.name, `the default databaseName '${databaseName}' derived from it must be `
          + `${problem}; set databaseName, or choose another name`);
      }
    } else {
      validateDatabaseName(construct, 'databaseName', props.databaseName);
    }
    // Two patterns of one name would share identifiers, secret names, the DR container and the stack outputs.
    claimName(this, `MultiRegionPostgres:${props.name}`, construct, 'name', props.name, 'a name no other MultiRegionPostgres of the app uses');
    checkZoneName(construct, 'zoneName', props.zoneName);
    const primaryIdentifier = `${props.name}-primary`;
    claimDbInstanceIdentifier(this, construct, 'name', props.name, primaryIdentifier);
    claimDbInstanceIdentifier(props.drScope, construct, 'name', props.name, `${props.name}-dr`);
    const failback = resolveFailback(construct, props.name, primaryRegion, props.failback);
    this.phase = failback.phase;
    const endpointPattern = new RegExp(`^${primaryIdentifier}\\.[a-z0-9]+\\.${primaryRegion}\\.rds\\.amazonaws\\.com$`);
    if (Token.isUnresolved(props.primaryEndpointAddress) || !endpointPattern.test(props.primaryEndpointAddress)) {
      throw propError(construct, 'primaryEndpointAddress', props.primaryEndpointAddress,
        `the literal endpoint address of the primary, ${primaryIdentifier}.<id>.${primaryRegion}.rds.amazonaws.com (output PrimaryEndpointAddress)`);
    }

    // --- Primary Region ------------------------------------------------------------------------------------------------
    let primaryNetwork = props.primaryNetwork;
    if (!primaryNetwork) {
      this.primaryIsolatedVpc = new IsolatedVpc(this, 'Network');
      primaryNetwork = this.primaryIsolatedVpc;
    }
    const networkVpcId = primaryNetwork.vpc.vpcId;
    // Until the CDK CLI has looked it up, a VPC of ec2.Vpc.fromLookup has the placeholder ID vpc-12345 (no real VPC ID
    // has 5 hex digits); the CLI then synthesizes again with the real one. Checked against the real ID only.
    const vpcLookupPending = networkVpcId === VPC_LOOKUP_PLACEHOLDER;
    if (props.primaryVpcId !== undefined && !vpcLookupPending && !Token.isUnresolved(networkVpcId) && !Token.isUnresolved(props.primaryVpcId)
      && props.primaryVpcId !== networkVpcId) {
      // The zone would be associated with another VPC than the primary's: clients next to the primary could not
      // resolve the writer name.
      throw propError(construct, 'primaryVpcId', props.primaryVpcId,
        `the ID of the VPC in primaryNetwork, ${networkVpcId}, or unset: the DR stack associates the private zone with this VPC`);
    }
    const primaryVpcId = props.primaryVpcId ?? networkVpcId;
    if (Token.isUnresolved(primaryVpcId) || (!/^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/.test(primaryVpcId) && !(vpcLookupPending && props.primaryVpcId === undefined))) {
      throw propError(construct, 'primaryVpcId', props.primaryVpcId,
        'the literal ID of the primary VPC, vpc-<8 or 17 hex digits> (output PrimaryVpcId): the DR stack associates the private zone with it');
    }
    const account = primaryStack.account;
    const drSecretKeyArn = validateDrSecretKeyArn(construct, props.drSecretKeyArn, drRegion, account);
    // Props forwarded to a part are checked here, with the part's rule, so that a mistake is reported under the prop as
    // written on the pattern.
    validateKeyArn(construct, 'drBackupKeyArn', props.drBackupKeyArn, drRegion, account);
    if (props.engine) {
      validatePostgresEngine(construct, 'engine', props.engine);
      validateVersionedEngine(construct, 'engine', props.engine);
    }
    if (props.instanceType) {
      validateInstanceType(construct, 'instanceType', props.instanceType);
    }
    if (props.allocatedStorage !== undefined) {
      validateStorage(construct, rds.StorageType.GP3, props.allocatedStorage);
    }
    for (const [prop, network] of [['primaryNetwork', props.primaryNetwork], ['drNetwork', props.drNetwork]] as const) {
      if (network) {
        validatePrivateSubnets(construct, network.vpcSubnets ? `${prop}.vpcSubnets` : `${prop}.vpc`, network.vpc,
          network.vpcSubnets ?? defaultSubnets(network.vpc), 2);
      }
    }
    validatePeersRegion(construct, 'primaryAllowedPeers', props.primaryAllowedPeers ?? [], primaryRegion);
    validatePeersRegion(construct, 'drAllowedPeers', props.drAllowedPeers ?? [], drRegion);
    if (props.maxLagAtPromotion) {
      validateMaxLagAtPromotion(construct, 'maxLagAtPromotion', props.maxLagAtPromotion);
    }
    if (props.approvalTimeout) {
      validateApprovalTimeout(construct, 'approvalTimeout', props.approvalTimeout);
    }
    validatePaging(construct, props, primaryRegion, drRegion);
    if (props.expectedPromotionTime) {
      validateExpectedPromotionTime(construct, 'expectedPromotionTime', props.expectedPromotionTime, DEFAULT_PROMOTION_TIMEOUT.toSeconds());
    }
    const secretName = `${primaryIdentifier}/master`;
    this.primary = new MultiAzPostgres(this, 'Primary', {
      vpc: primaryNetwork.vpc,
      vpcSubnets: primaryNetwork.vpcSubnets,
      secretsManagerEndpoint: primaryNetwork.secretsManagerEndpoint,
      instanceIdentifier: primaryIdentifier,
      engine: props.engine,
      instanceType: props.instanceType,
      allocatedStorage: props.allocatedStorage,
      databaseName,
      backupRetention: props.backupRetention,
      secretName,
      secretReplicaRegions: [{ region: drRegion, encryptionKey: kms.Key.fromKeyArn(this, 'DrSecretKey', drSecretKeyArn) }],
      allowedPeers: props.primaryAllowedPeers,
      removalPolicy: props.removalPolicy,
      keyRemovalPolicy: props.keyRemovalPolicy,
    });
    this.backups = new BackupReplication(this, 'Backups', {
      sourceInstance: this.primary,
      destinationRegion: drRegion,
      destinationKeyArn: props.drBackupKeyArn,
      awsBackup: props.awsBackup,
    });
    this.primaryAlarms = new DbAlarmSet(this, 'PrimaryAlarms', { instance: this.primary, ...pagingOf(props, props.primaryTopic) });
    this.primaryProbe = new WritableProbe(this, 'PrimaryProbe', {
      instance: this.primary,
      credentials: this.primary.secret,
      vpc: primaryNetwork.vpc,
      vpcSubnets: primaryNetwork.vpcSubnets,
      awsApiEndpoints: endpointsOf(primaryNetwork),
      topic: this.primaryAlarms.topic,
    });
    new CfnOutput(this, 'PrimaryVpcId', {
      value: primaryNetwork.vpc.vpcId,
      description: `MultiRegionPostgres primaryVpcId of ${props.name}`,
    });
    new CfnOutput(this, 'PrimaryEndpointAddress', {
      value: this.primary.endpoint.hostname,
      description: `MultiRegionPostgres primaryEndpointAddress of ${props.name}`,
    });
    if (props.deployParameters) {
      DeployParameters.publish(this, props.name, DeployValue.PRIMARY_VPC_ID, primaryNetwork.vpc.vpcId);
      DeployParameters.publish(this, props.name, DeployValue.PRIMARY_ENDPOINT_ADDRESS, this.primary.endpoint.hostname);
    }

    // --- DR Region -----------------------------------------------------------------------------------------------------
    const dr = new Construct(props.drScope, id);
    this.drContainer = dr;
    // Tags and aspects applied to the pattern reach its DR-Region parts, which live in the other stack.
    forwardAspects(this, dr);
    let drNetwork = props.drNetwork;
    if (!drNetwork) {
      this.drIsolatedVpc = new IsolatedVpc(dr, 'Network', { ipAddresses: ec2.IpAddresses.cidr('10.1.0.0/16') });
      drNetwork = this.drIsolatedVpc;
    }
    const drPromoted = phaseAtLeast(failback.phase, FailbackPhase.FAILED_OVER);
    this.replica = new CrossRegionReadReplica(dr, 'Replica', {
      sourceInstance: this.primary,
      vpc: drNetwork.vpc,
      vpcSubnets: drNetwork.vpcSubnets,
      instanceIdentifier: `${props.name}-dr`,
      allowedPeers: props.drAllowedPeers,
      removalPolicy: props.removalPolicy,
      keyRemovalPolicy: props.keyRemovalPolicy,
      ...(drPromoted ? { promotion: failback.drPromotion, promotedInstance: props.failback?.drPromotedInstance } : {}),
    });
    this.replicaAlarms = new DbAlarmSet(dr, 'ReplicaAlarms', {
      instance: this.replica,
      replicaLagThreshold: props.maxLagAtPromotion,
      ...pagingOf(props, props.drTopic),
    });
    // The replica keeps the primary's name (and ARN but for the Region). The probe grants itself kms:Decrypt through
    // Secrets Manager on the secret's encryptionKey.
    // https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html
    this.drSecretKey = kms.Key.fromKeyArn(dr, 'SecretKey', drSecretKeyArn);
    this.drSecret = secretsmanager.Secret.fromSecretAttributes(dr, 'ReplicatedSecret', {
      secretPartialArn: drStack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: secretName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      encryptionKey: this.drSecretKey,
    });
    this.replicaProbe = new WritableProbe(dr, 'ReplicaProbe', {
      instance: this.replica,
      credentials: this.drSecret,
      vpc: drNetwork.vpc,
      vpcSubnets: drNetwork.vpcSubnets,
      awsApiEndpoints: endpointsOf(drNetwork),
      topic: this.replicaAlarms.topic,
    });

    // --- Failback: re-protect replicas under new construct ids ---------------------------------------------------------
    // A replica's source cannot be changed (SourceDBInstanceIdentifier is not updatable), so each re-protect replica is
    // a new instance under a new logical ID; the earlier instances stay, retained, under theirs.
    if (phaseAtLeast(failback.phase, FailbackPhase.REPROTECTED)) {
      const identifier = props.failback!.reprotectIdentifier!;
      claimDbInstanceIdentifier(this, construct, 'failback.reprotectIdentifier', identifier, identifier);
      this.reprotectReplica = new CrossRegionReadReplica(this, 'ReprotectReplica', {
        sourceInstance: this.replica,
        vpc: primaryNetwork.vpc,
        vpcSubnets: primaryNetwork.vpcSubnets,
        instanceIdentifier: identifier,
        allowedPeers: props.primaryAllowedPeers,
        removalPolicy: props.removalPolicy,
        keyRemovalPolicy: props.keyRemovalPolicy,
        promotion: failback.reprotectPromotion,
        promotedInstance: props.failback?.reprotectPromotedInstance,
      });
      this.reprotectAlarms = new DbAlarmSet(this, 'ReprotectAlarms', {
        instance: this.reprotectReplica,
        replicaLagThreshold: props.maxLagAtPromotion,
        topic: this.primaryAlarms.topic,
      });
      // The replica has the data, and so the master password, of the DR instance, which is the primary's.
      this.reprotectProbe = new WritableProbe(this, 'ReprotectProbe', {
        instance: this.reprotectReplica,
        credentials: this.primary.secret,
        vpc: primaryNetwork.vpc,
        vpcSubnets: primaryNetwork.vpcSubnets,
        awsApiEndpoints: endpointsOf(primaryNetwork),
        topic: this.primaryAlarms.topic,
      });
      new CfnOutput(this, 'ReprotectEndpointAddress', {
        value: this.reprotectReplica.endpoint.hostname,
        description: `MultiRegionPostgres failback.reprotectEndpointAddress of ${props.name}`,
      });
    }
    // The planned switchover back: fence the DR instance, wait until the re-protect replica has replayed the fence LSN,
    // promote it (docs/failing-back.md, step 3). Only while both exist as writer and replica.
    if (failback.phase === FailbackPhase.REPROTECTED) {
      const writerAgent = new SwitchoverSqlAgent(dr, 'SwitchoverAgent', {
        instance: this.replica,
        credentials: this.drSecret,
        credentialsKey: this.drSecretKey,
        vpc: drNetwork.vpc,
        vpcSubnets: drNetwork.vpcSubnets,
        awsApiEndpoints: endpointsOf(drNetwork),
      });
      const targetAgent = new SwitchoverSqlAgent(this, 'SwitchoverAgent', {
        instance: this.reprotectReplica!,
        credentials: this.primary.secret,
        vpc: primaryNetwork.vpc,
        vpcSubnets: primaryNetwork.vpcSubnets,
        awsApiEndpoints: endpointsOf(primaryNetwork),
      });
      this.switchover = new SwitchoverRunbook(this, 'Switchover', {
        replica: this.reprotectReplica!,
        writerAgent,
        targetAgent,
        topic: this.primaryAlarms.topic,
        topicKey: this.primaryAlarms.topicKey ?? props.primaryTopic?.masterKey,
      });
      new CfnOutput(this, 'SwitchoverRunbookArn', {
        value: this.switchover.stateMachine.stateMachineArn,
        description: `MultiRegionPostgres switchover of ${props.name} back to ${this.reprotectReplica!.instanceIdentifier}`,
      });
    }
    if (failback.phase === FailbackPhase.REPROTECTED_AGAIN) {
      const identifier = props.failback!.reprotectAgainIdentifier!;
      claimDbInstanceIdentifier(props.drScope, construct, 'failback.reprotectAgainIdentifier', identifier, identifier);
      this.reprotectAgainReplica = new CrossRegionReadReplica(dr, 'ReprotectAgainReplica', {
        sourceInstance: this.reprotectReplica!,
        vpc: drNetwork.vpc,
        vpcSubnets: drNetwork.vpcSubnets,
        instanceIdentifier: identifier,
        allowedPeers: props.drAllowedPeers,
        removalPolicy: props.removalPolicy,
        keyRemovalPolicy: props.keyRemovalPolicy,
      });
      this.reprotectAgainAlarms = new DbAlarmSet(dr, 'ReprotectAgainAlarms', {
        instance: this.reprotectAgainReplica,
        replicaLagThreshold: props.maxLagAtPromotion,
        topic: this.replicaAlarms.topic,
      });
      this.reprotectAgainProbe = new WritableProbe(dr, 'ReprotectAgainProbe', {
        instance: this.reprotectAgainReplica,
        credentials: this.drSecret,
        vpc: drNetwork.vpc,
        vpcSubnets: drNetwork.vpcSubnets,
        awsApiEndpoints: endpointsOf(drNetwork),
        topic: this.replicaAlarms.topic,
      });
    }

    // The failover names follow the writer: (primary, DR instance) until the re-protect replica's endpoint is known,
    // then (DR instance, re-protect replica), then (re-protect instance, second re-protect replica).
    let primaryTarget: FailoverTarget = {
      endpointAddress: props.primaryEndpointAddress,
      notWritableAlarm: this.primaryProbe.notWritableAlarm,
      unreachableAlarm: this.primaryProbe.unreachableAlarm,
    };
    let secondaryTarget: FailoverTarget = {
      endpointAddress: this.replica.endpoint.hostname,
      notWritableAlarm: this.replicaProbe.notWritableAlarm,
      unreachableAlarm: this.replicaProbe.unreachableAlarm,
      writableAlarm: this.replicaProbe.writableAlarm,
    };
    const reprotectEndpoint = props.failback?.reprotectEndpointAddress;
    if (this.reprotectAgainReplica && this.reprotectAgainProbe && this.reprotectProbe && reprotectEndpoint) {
      primaryTarget = {
        endpointAddress: reprotectEndpoint,
        notWritableAlarm: this.reprotectProbe.notWritableAlarm,
        unreachableAlarm: this.reprotectProbe.unreachableAlarm,
      };
      secondaryTarget = {
        endpointAddress: this.reprotectAgainReplica.endpoint.hostname,
        notWritableAlarm: this.reprotectAgainProbe.notWritableAlarm,
        unreachableAlarm: this.reprotectAgainProbe.unreachableAlarm,
        writableAlarm: this.reprotectAgainProbe.writableAlarm,
      };
    } else if (this.reprotectProbe && reprotectEndpoint) {
      // No fence on this pair: the fence's latch alarm must be in the secondary's Region, and the zone's stack is in
      // the DR Region. The switchover fences the DR instance itself before it promotes the re-protect replica.
      primaryTarget = {
        endpointAddress: this.replica.endpoint.hostname,
        notWritableAlarm: this.replicaProbe.notWritableAlarm,
        unreachableAlarm: this.replicaProbe.unreachableAlarm,
      };
      secondaryTarget = {
        endpointAddress: reprotectEndpoint,
        notWritableAlarm: this.reprotectProbe.notWritableAlarm,
        unreachableAlarm: this.reprotectProbe.unreachableAlarm,
      };
    }
    this.failover = new Route53DbFailover(dr, 'Failover', {
      zoneName: props.zoneName,
      vpcs: [drNetwork.vpc, ec2.Vpc.fromVpcAttributes(dr, 'PrimaryVpc', {
        vpcId: primaryVpcId, region: primaryRegion, availabilityZones: primaryNetwork.vpc.availabilityZones,
      })],
      primary: primaryTarget,
      secondary: secondaryTarget,
      readerRecordName: 'reader',
    });
    if (secondaryTarget.writableAlarm === undefined) {
      Annotations.of(this.failover).acknowledgeWarning(Warnings.PRIMARY_NOT_FENCED,
        "Failback: the fence's latch alarm must be in the secondary's Region, and the zone's stack is in the DR Region; the "
        + 'SwitchoverRunbook fences the DR instance before it promotes the re-protect replica (docs/failing-back.md).');
    }
    // The runbook promotes the DR Region's replica; in the phases in between, the DR Region's instance takes writes (or
    // is the fenced former writer) and there is no replica in the DR Region to promote.
    const runbookReplica = failback.phase === FailbackPhase.INITIAL ? this.replica : this.reprotectAgainReplica;
    if (runbookReplica) {
      this.failoverRunbook = new FailoverRunbook(dr, failback.phase === FailbackPhase.INITIAL ? 'Runbook' : 'ReprotectAgainRunbook', {
        replica: runbookReplica,
        topic: this.replicaAlarms.topic,
        topicKey: this.replicaAlarms.topicKey ?? props.drTopic?.masterKey,
        failover: this.failover,
        automaticPromotion: props.automaticPromotion ?? true,
        approval: props.approval ?? true,
        approvalTimeout: props.approvalTimeout,
        maxLagAtPromotion: props.maxLagAtPromotion,
        operatorResponseTime: props.operatorResponseTime,
        expectedPromotionTime: props.expectedPromotionTime,
        // The promoted replica replaces the primary: it keeps the primary's retention.
        backupRetention: this.primary.backupRetention,
      });
    }
    if (this.reprotectAgainProbe) {
      Annotations.of(this.reprotectAgainProbe).acknowledgeWarning(Warnings.SECRET_REPLICATION_UNKNOWN,
        "The second re-protect replica has the primary's data, and so its master password, through two replications; "
        + "its credentials are the primary's master secret's replica in the DR Region, which the pattern configures.");
    }
    const writer = failback.phase === FailbackPhase.INITIAL ? this.primary
      : phaseAtLeast(failback.phase, FailbackPhase.SWITCHED_BACK) ? this.reprotectReplica! : this.replica;
    forwardPropsAs(dr, 'Objectives', 'objectives.');
    this.objectives = new ResilienceObjectives(dr, 'Objectives', {
      ...props.objectives,
      primary: writer,
      runbook: this.failoverRunbook,
      backupReplication: failback.phase === FailbackPhase.INITIAL ? this.backups : undefined,
    });
    if ((props.azDrill === true || props.regionDrill === true) && failback.phase !== FailbackPhase.INITIAL) {
      throw propError(construct, props.regionDrill === true ? 'regionDrill' : 'azDrill', true,
        `unset or false in failback phase ${failback.phase}: the drills rehearse the initial layout (a Multi-AZ primary and its `
        + 'DR replica); turn them on again once the cycle is back to that layout');
    }
    if (props.azDrill === true) {
      // The primary's CRITICAL alarms stop the experiment: a failover does not set them off, so one firing means something
      // unexpected (docs/az-failover-drill.md, "Which alarms stop it").
      this.azDrill = new AzFailoverDrill(this, 'AzDrill', {
        instance: this.primary,
        stopConditionAlarms: AZ_DRILL_STOP_METRICS.map((metric) => this.primaryAlarms.alarms[metric]).filter((a) => a !== undefined),
        rtoObjective: props.objectives?.azFailure?.rto,
        topic: this.primaryAlarms.topic,
        topicKey: this.primaryAlarms.topicKey ?? props.primaryTopic?.masterKey,
      });
    }
    if (props.regionDrill === true) {
      this.regionDrill = new RegionFailoverDrill(dr, 'RegionDrill', {
        replica: this.replica,
        vpc: drNetwork.vpc,
        topic: this.replicaAlarms.topic,
        topicKey: this.replicaAlarms.topicKey ?? props.drTopic?.masterKey,
      });
    }
    // The replica is created from the primary: the DR stack deploys after the primary stack.
    drStack.addStackDependency(primaryStack, `${props.name}-dr replicates ${primaryIdentifier}`);
  }

  /**
   * Acknowledges a warning (`Annotations.addWarningV2` id, such as `cdk-resilient-postgres:objectiveHeadroom`) on every
   * part of the pattern, in both stacks: the parts under this construct in the primary's stack and those under
   * `drContainer` in the DR stack. `Annotations.of(pattern).acknowledgeWarning` reaches the primary's stack only,
   * because the DR parts are not under this construct. It removes the warnings already raised and keeps the parts from
   * raising it later.
   *
   * @param id the warning's id
   * @param reason why the warning does not apply, for reviewers
   */
  public acknowledgeWarning(id: string, reason: string): void {
    Annotations.of(this).acknowledgeWarning(id, reason);
    Annotations.of(this.drContainer).acknowledgeWarning(id, reason);
  }

  /**
   * Grants a principal `rds-db:connect` as `dbUser` on both databases, the primary and the DR replica, each by its own
   * resource ID (`arn:<partition>:rds-db:<region>:<account>:dbuser:<DbiResourceId>/<dbUser>`), so that IAM database
   * authentication keeps working after a Region failover makes the promoted replica the writer: the promoted instance
   * keeps the replica's resource ID, not the primary's.
   *
   * The grantee's stack reads the resource ID of the database in its own Region from the template. The other Region's
   * ID cannot be referenced across Regions: give it in `options.resourceIds` (by DB instance identifier, `<name>-dr` or
   * `<name>-primary`) once that database is deployed, or, until then, set `options.anyInstanceWhereUnknown`, which grants
   * on every DB instance of that Region and account for this user. Without either the call is refused.
   *
   * The role must exist in PostgreSQL with `rds_iam` granted (`CREATE USER <dbUser>; GRANT rds_iam TO <dbUser>;` on the
   * primary; the replica has it by replication).
   *
   * @param grantee the principal
   * @param dbUser the PostgreSQL role the principal logs in as: a lower-case name as PostgreSQL stores an unquoted
   * identifier, not a reserved word, `pg_...` or `rdsadmin`
   * @param options the resource ID of the database in the other Region
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html
   */
  public grantConnect(grantee: iam.IGrantable, dbUser: string, options: ConnectGrantOptions = {}): iam.Grant {
    return grantConnectOn(where(this, CONSTRUCT), grantee, dbUser, [this.primary, this.replica], options);
  }

  /**
   * Lets a principal in the DR Region's account read the master secret's replica: `secretsmanager:GetSecretValue` and
   * `secretsmanager:DescribeSecret` on it, and `kms:Decrypt` on `drSecretKeyArn` only through Secrets Manager in the DR
   * Region (`kms:ViaService`). `drSecret.grantRead` alone adds no key permission, because the key is imported.
   *
   * @param grantee the principal
   * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-authz
   */
  public grantDrSecretRead(grantee: iam.IGrantable): iam.Grant {
    const read = this.drSecret.grantRead(grantee);
    const decrypt = iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:Decrypt'],
      resourceArns: [this.drSecretKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this.drContainer).region}.amazonaws.com` } },
    });
    return read.combine(decrypt);
  }
}

/** What the pattern gives one Region's `DbAlarmSet`: the user's topic, or the subscribers of the one it creates. */
function pagingOf(props: MultiRegionPostgresProps, topic: sns.ITopic | undefined): Pick<DbAlarmSetProps, 'topic' | 'subscriberEmails' | 'subscriberUrls'> {
  return topic ? { topic } : { subscriberEmails: props.subscriberEmails, subscriberUrls: props.subscriberUrls };
}

/**
 * The paging props, checked with the parts' rules under the pattern's names: each topic in its stack's Region
 * (CloudWatch alarm actions must be in the alarm's Region), subscribers well formed, and subscribers only when the
 * pattern creates a topic to subscribe.
 */
function validatePaging(construct: string, props: MultiRegionPostgresProps, primaryRegion: string, drRegion: string): void {
  if (props.primaryTopic) {
    validateResourcePlace(construct, 'primaryTopic', props.primaryTopic, props.primaryTopic.topicArn, { region: primaryRegion, regionRule: ALARM_TOPIC_RULE });
  }
  if (props.drTopic) {
    validateResourcePlace(construct, 'drTopic', props.drTopic, props.drTopic.topicArn, { region: drRegion, regionRule: ALARM_TOPIC_RULE });
  }
  const emails = props.subscriberEmails ?? [];
  const urls = props.subscriberUrls ?? [];
  validateSubscribers(construct, { emails: 'subscriberEmails', urls: 'subscriberUrls' }, emails, urls);
  if (props.primaryTopic && props.drTopic && (emails.length > 0 || urls.length > 0)) {
    throw propError(construct, emails.length > 0 ? 'subscriberEmails' : 'subscriberUrls', (emails.length > 0 ? emails : urls).join(', '),
      'unset when both primaryTopic and drTopic are given: subscribers are added to the topics the pattern creates, and your topics keep their own');
  }
}

function endpointsOf(network: RegionNetwork): ec2.IConnectable[] {
  return [network.secretsManagerEndpoint, network.monitoringEndpoint].filter((e): e is ec2.IInterfaceVpcEndpoint => e !== undefined);
}

/**
 * The replica secret's key: a literal key ARN (Secrets Manager takes a key ID, ARN or alias, but an alias can be
 * re-pointed and a token from another Region's stack cannot be resolved), in the DR Region, in the primary's account
 * when that is a literal (Secrets Manager replicates a secret to other Regions of the same account). KMS keys are
 * Regional: "KMS keys are specific to the AWS Region that they are created in" (CreateDBInstanceReadReplica, KmsKeyId).
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ReplicaRegionType.html (KmsKeyId)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html (KmsKeyId)
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html
 */
function validateDrSecretKeyArn(construct: string, arn: string, drRegion: string, account: string): string {
  const match = Token.isUnresolved(arn) ? null : /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/[A-Za-z0-9-]+$/.exec(arn);
  if (!match) {
    throw propError(construct, 'drSecretKeyArn', arn,
      'a literal KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>), such as the DrSecretKey output; not an alias or a token');
  }
  validatePlace(construct, 'drSecretKeyArn', arn, { partition: arnPlace(arn).partition, region: match[1] }, {});
  validateSamePartition(construct, 'drSecretKeyArn', arn, match[1], drRegion, 'the DR Region');
  if (match[1] !== drRegion) {
    throw propError(construct, 'drSecretKeyArn', arn, `a key in the DR Region ${drRegion}, not ${match[1]}: the replica secret is encrypted in its own Region`);
  }
  if (!Token.isUnresolved(account) && match[2] !== account) {
    throw propError(construct, 'drSecretKeyArn', arn,
      `a key in the primary's account ${account}, not ${match[2]}: Secrets Manager replicates a secret to other Regions of the same account`);
  }
  return arn;
}
