import { Annotations, CfnOutput, Duration, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { BackupReplication } from '../backup-replication/backup-replication';
import { IPostgresInstance } from '../common/postgres-instance';
import { Warnings } from '../common/warnings';
import { CrossRegionReadReplica } from '../cross-region-read-replica/cross-region-read-replica';
import { FailoverRunbook } from '../failover-runbook/failover-runbook';
import { propError, where } from '../private/errors';
import { REPLICA_LAG_PERIOD_SECONDS, validateLagBound, wholeUnits } from '../private/validation';

const CONSTRUCT = 'ResilienceObjectives';

/** Where each figure of the budget comes from. */
const SOURCES = {
  multiAzFailover: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html',
  multiAzSynchronous: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html',
  dnsCache: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html#Concepts.MultiAZ.Failover.Java-DNS',
  alarmEvaluation: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation',
  replicaLag: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.Monitor.html',
  approval: 'https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token',
  alarmEvents: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html',
  promotion: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html',
  healthCheck: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-types.html',
  ttl: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-configuring.html',
  logUpload: 'https://aws.amazon.com/rds/features/backup/',
  backupReplication: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html',
};

/**
 * The shortest Multi-AZ failover AWS documents ("typically 60-120 seconds").
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html
 */
const MIN_AZ_FAILOVER_SECONDS = 60;

/**
 * Refuses parts of two databases: the budgets of one database computed from another's runbook or backups are not the
 * database's budgets.
 */
function checkSameDatabase(construct: string, props: ResilienceObjectivesProps): void {
  const parts: [string, IConstruct, string, string][] = [];
  if (props.primary) {
    parts.push(['primary', props.primary, props.primary.region, props.primary.instanceIdentifier]);
  }
  const replica = props.runbook ? replicaOf(props.runbook) : undefined;
  if (props.runbook && replica) {
    parts.push(['runbook', props.runbook, replica.sourceRegion, replica.sourceInstanceIdentifier]);
  }
  if (props.backupReplication) {
    parts.push(['backupReplication', props.backupReplication, props.backupReplication.sourceRegion,
      props.backupReplication.sourceInstanceIdentifier]);
  }
  const known = parts.filter(([, , region, identifier]) => !Token.isUnresolved(region) && !Token.isUnresolved(identifier));
  const [first, ...rest] = known;
  for (const [prop, part, region, identifier] of rest) {
    if (region !== first[2] || identifier.toLowerCase() !== first[3].toLowerCase()) {
      throw propError(construct, prop, part.node.path,
        `a part of the database ${first[0]} is about (${first[3]} in ${first[2]}), not of ${identifier} in ${region}: `
        + 'objectives that mix two databases report budgets neither has');
    }
  }
}

/** The replica a runbook promotes: the `CrossRegionReadReplica` of the app whose ARN its promotion role names. */
function replicaOf(runbook: FailoverRunbook): CrossRegionReadReplica | undefined {
  const arn = runbook.promotionRole.replicaArn;
  return runbook.node.root.node.findAll().find((c): c is CrossRegionReadReplica =>
    c instanceof CrossRegionReadReplica && c.instanceArn === arn);
}

/** The output id prefix of each failure's budgets. */
const OUTPUT_KEYS: Record<string, string> = {
  'AZ failure': 'AZFailure',
  'Region failure': 'RegionFailure',
  'Region failure, restore from backup': 'RegionFailureRestoreFromBackup',
};

/** A recovery time objective and a recovery point objective for one kind of failure. */
export interface RecoveryObjective {
  /** The longest the database may be unavailable for writes. */
  readonly rto: Duration;
  /** The most recent writes, measured in time, that may be lost. `Duration.seconds(0)` asks for no loss at all. */
  readonly rpo: Duration;
}

/**
 * The recovery objectives and the estimates the budget needs where AWS publishes no exact figure.
 */
export interface ResilienceTargets {
  /**
   * The objectives for the loss of the primary's Availability Zone (or its host): RDS fails over to the Multi-AZ
   * standby.
   *
   * @default - the budget is computed and reported, not checked
   */
  readonly azFailure?: RecoveryObjective;
  /**
   * The objectives for the loss of the primary's Region: the failover runbook promotes the cross-Region replica and
   * the writer name moves to it.
   *
   * @default - the budget is computed and reported, not checked
   */
  readonly regionFailure?: RecoveryObjective;
  /**
   * The recovery point objective when the primary's Region is lost and the replica cannot be promoted either, so the
   * database is restored in the DR Region from the replicated automated backups. No RTO is estimated for a restore:
   * it depends on the size of the data.
   *
   * @default - the budget is computed and reported, not checked
   */
  readonly backupRestoreRpo?: Duration;
  /**
   * The Multi-AZ failover time assumed. AWS documents failovers as typically 60-120 seconds, longer with large
   * transactions or a lengthy recovery.
   *
   * @default Duration.seconds(120)
   */
  readonly azFailoverTime?: Duration;
  /**
   * How long clients may keep resolving the RDS endpoint to the old address after a Multi-AZ failover. AWS publishes
   * no TTL for RDS instance endpoints and recommends that clients cache DNS names for no more than 60 seconds.
   *
   * @default Duration.seconds(60)
   */
  readonly clientDnsCache?: Duration;
  /**
   * When the runbook is started by an operator (no `automaticPromotion`): the time from the replication-stalled
   * page to the start of the runbook.
   *
   * @default Duration.minutes(15)
   */
  readonly operatorResponseTime?: Duration;
  /**
   * The time RDS takes to copy a transaction log to the DR Region once it is uploaded. AWS publishes no figure: RDS
   * starts the copy as soon as the log is ready.
   *
   * @default Duration.minutes(5)
   */
  readonly backupCopyDelay?: Duration;
  /**
   * Headroom below which a met target gives the warning `cdk-resilient-postgres:objectiveHeadroom`, as a fraction of
   * the target (0.2 is 20 %).
   *
   * @default 0.2
   */
  readonly minimumHeadroom?: number;
}

/** Props of `ResilienceObjectives`: the targets, and the parts whose settings make up the budget. */
export interface ResilienceObjectivesProps extends ResilienceTargets {
  /**
   * The primary, for the Availability Zone failure budget: a `MultiAzPostgres`, or any `IPostgresInstance` whose
   * `isMultiAz` is known.
   *
   * @default - no Availability Zone budget (`azFailure` is then rejected)
   */
  readonly primary?: IPostgresInstance;
  /**
   * The failover runbook, for the Region failure budget. Its `failover` records give the DNS terms.
   *
   * @default - no Region failure budget (`regionFailure` is then rejected)
   */
  readonly runbook?: FailoverRunbook;
  /**
   * The backup replication, for the restore-from-backup budget.
   *
   * @default - no restore budget (`backupRestoreRpo` is then rejected)
   */
  readonly backupReplication?: BackupReplication;
  /**
   * Whether to add the budgets to the stack's outputs, one per objective, with the terms in the description.
   *
   * @default true
   */
  readonly outputs?: boolean;
}

/** One term of a budget. */
export interface BudgetTerm {
  /** What the term is, such as `promotion`. */
  readonly name: string;
  /** Its worst-case length in seconds. */
  readonly seconds: number;
  /** How the figure follows from the configuration. */
  readonly basis: string;
  /** The setting that changes the term. */
  readonly setBy: string;
  /** Where the behaviour is documented. */
  readonly source: string;
  /** True when the figure is an estimate rather than a bound the configuration enforces. */
  readonly assumed: boolean;
}

/** The worst-case budget of one objective. */
export interface ObjectiveBudget {
  /** The failure: `AZ failure`, `Region failure` or `Region failure, restore from backup`. */
  readonly scenario: string;
  /** `RTO` or `RPO`. */
  readonly measure: string;
  /** The target, when one was given. */
  readonly targetSeconds?: number;
  /** The sum of the terms. */
  readonly budgetSeconds: number;
  /** `(target - budget) / target`, when a target was given and is not zero. */
  readonly headroom?: number;
  /** The terms, in the order they happen. */
  readonly terms: BudgetTerm[];
}

/**
 * Recovery objectives checked at synth. It computes the worst-case recovery time and recovery point that the parts'
 * configuration implies, term by term, each with its source:
 *
 * - AZ failure: the Multi-AZ failover time (documented as typically 60-120 s) and the clients' DNS cache; RPO 0,
 *   because the standby is written synchronously.
 * - Region failure: detection (the replication-stalled alarm, plus the operator's response when the runbook is
 *   started by hand), decision (the approval timeout when approval is required), promotion (an estimate), and the
 *   writer name's move (probe interval, alarm periods × evaluation periods, health-check lag, TTL); RPO is the
 *   runbook's replica-lag guard, above which it refuses to promote unless forced.
 * - Restore from the replicated backups: the transaction-log upload interval plus the copy to the DR Region.
 *
 * Synth fails, naming the largest term, when a budget exceeds its target. A target met with less than 20 % headroom
 * gives the warning `cdk-resilient-postgres:objectiveHeadroom`, which can be acknowledged with
 * `Annotations.of(scope).acknowledgeWarning(...)`. The budgets are also stack outputs.
 *
 * @example
 * declare const primary: MultiAzPostgres;
 * declare const runbook: FailoverRunbook;
 * new ResilienceObjectives(this, 'Objectives', {
 *   primary,
 *   runbook,
 *   azFailure: { rto: Duration.minutes(5), rpo: Duration.seconds(0) },
 *   regionFailure: { rto: Duration.minutes(45), rpo: Duration.minutes(2) },
 * });
 */
export class ResilienceObjectives extends Construct {
  /** Every budget that the given parts allow to compute, checked or not. */
  public readonly budgets: ObjectiveBudget[];

  constructor(scope: Construct, id: string, props: ResilienceObjectivesProps) {
    super(scope, id);
    const construct = where(this, CONSTRUCT);
    const minimumHeadroom = props.minimumHeadroom ?? 0.2;
    if (!Number.isFinite(minimumHeadroom) || minimumHeadroom < 0 || minimumHeadroom >= 1) {
      throw propError(construct, 'minimumHeadroom', minimumHeadroom, 'a fraction from 0 to less than 1, such as 0.2 for 20 %');
    }
    const seconds = (prop: string, value: Duration | undefined, fallback: Duration, min: number, max: number) =>
      wholeUnits(construct, prop, value ?? fallback, 'seconds', min, max);
    // AWS documents a Multi-AZ instance failover as typically 60-120 s: an estimate below 60 s reports an RTO as met
    // that the configuration cannot meet.
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html
    const azFailoverSeconds = seconds('azFailoverTime', props.azFailoverTime, Duration.seconds(120), MIN_AZ_FAILOVER_SECONDS, 3600);
    checkSameDatabase(construct, props);
    const dnsCacheSeconds = seconds('clientDnsCache', props.clientDnsCache, Duration.seconds(60), 0, 3600);
    const operatorSeconds = seconds('operatorResponseTime', props.operatorResponseTime, Duration.minutes(15), 0, 86_400);
    const copySeconds = seconds('backupCopyDelay', props.backupCopyDelay, Duration.minutes(5), 0, 86_400);

    const budgets: ObjectiveBudget[] = [];
    const check = (scenario: string, measure: string, prop: string, target: Duration | undefined, terms: BudgetTerm[]) => {
      const targetSeconds = target === undefined ? undefined : wholeUnits(construct, prop, target, 'seconds', 0, 31_536_000);
      const budget = budgetOf(scenario, measure, targetSeconds, terms);
      budgets.push(budget);
      if (targetSeconds === undefined) {
        return;
      }
      if (budget.budgetSeconds > targetSeconds) {
        const largest = [...terms].sort((a, b) => b.seconds - a.seconds)[0];
        throw new Error(`${construct}: ${prop} is ${targetSeconds} s, but the configuration's worst case is `
          + `${budget.budgetSeconds} s (${formulaOf(terms)}). The largest term is ${largest.name}, ${largest.seconds} s, `
          + `set by ${largest.setBy}: shorten it, or raise ${prop} to at least ${budget.budgetSeconds} s.`);
      }
      if (budget.headroom !== undefined && budget.headroom < minimumHeadroom) {
        Annotations.of(this).addWarningV2(Warnings.OBJECTIVE_HEADROOM,
          `${prop} ${targetSeconds} s is met with ${percent(budget.headroom)} headroom, less than ${percent(minimumHeadroom)}: `
          + `the worst case is ${budget.budgetSeconds} s (${formulaOf(terms)}). Terms marked assumed are estimates that real failures can exceed; `
          + 'give the target more room or shorten a term.');
      }
    };

    // --- AZ failure ----------------------------------------------------------------------------------------------------
    if (props.primary) {
      if (props.primary.isMultiAz === undefined && props.azFailure) {
        throw propError(construct, 'primary', props.primary.node.path,
          'an instance whose multiAz is known when azFailure is given (give multiAz to PostgresInstanceBase.fromPostgresInstanceAttributes)');
      }
      if (!props.primary.isMultiAz) {
        if (props.azFailure) {
          throw propError(construct, 'primary', props.primary.node.path,
            'a Multi-AZ primary when azFailure is given: a Single-AZ instance has no standby to fail over to, so its recovery is a restore');
        }
      } else {
        check('AZ failure', 'RTO', 'azFailure.rto', props.azFailure?.rto, [
          term('Multi-AZ failover', azFailoverSeconds, 'RDS switches to the standby, documented as typically 60-120 s',
            'azFailoverTime', SOURCES.multiAzFailover, true),
          term('client DNS cache', dnsCacheSeconds, 'clients resolve the endpoint again after their DNS cache expires',
            'clientDnsCache', SOURCES.dnsCache, true),
        ]);
        check('AZ failure', 'RPO', 'azFailure.rpo', props.azFailure?.rpo, [
          term('synchronous standby', 0, 'every committed write is on the standby before the commit returns',
            `${props.primary.node.id} multiAz`, SOURCES.multiAzSynchronous, false),
        ]);
      }
    } else if (props.azFailure) {
      throw propError(construct, 'primary', undefined, 'the MultiAzPostgres primary, to compute the budget azFailure is checked against');
    }

    // --- Region failure ------------------------------------------------------------------------------------------------
    const runbook = props.runbook;
    if (runbook) {
      if (props.regionFailure && !runbook.failover) {
        throw propError(construct, 'runbook', runbook.node.path,
          'a runbook with failover records when regionFailure is given: without them clients are not moved to the promoted replica');
      }
      const stallSeconds = runbook.stallAfter.toSeconds();
      const terms: BudgetTerm[] = [
        term('detection: replication stalled', stallSeconds + 60,
          `replay stands still for stallAfter ${stallSeconds} s, then one alarm period of 60 s is evaluated`,
          'FailoverRunbook stallAfter', SOURCES.alarmEvaluation, false),
      ];
      if (!runbook.automaticPromotion) {
        terms.push(term('detection: operator starts the runbook', operatorSeconds,
          'the runbook is started by hand after the page', 'operatorResponseTime (or FailoverRunbook automaticPromotion)', SOURCES.alarmEvaluation, true));
      }
      if (runbook.rtoBudget.guardWaitSeconds > 0) {
        terms.push(term('decision: guard re-checks', runbook.rtoBudget.guardWaitSeconds,
          'a run the alarm started re-reads the replica, evidence and lag at most guardRechecks times, guardRecheckInterval apart',
          'FailoverRunbook guardRechecks, guardRecheckInterval', SOURCES.alarmEvents, false));
      }
      if (runbook.approvalRequired) {
        terms.push(term('decision: approval', runbook.rtoBudget.approvalSeconds,
          'the runbook waits for an approval at most approvalTimeout', 'FailoverRunbook approvalTimeout (or approval)', SOURCES.approval, false));
      }
      terms.push(term('promotion', runbook.rtoBudget.promotionSeconds,
        'PromoteReadReplica until the instance is available and writable; AWS publishes no figure', 'FailoverRunbook expectedPromotionTime',
        SOURCES.promotion, true));
      const dns = runbook.failover?.detectionBudget;
      if (dns) {
        if (dns.probeSeconds > 0) {
          terms.push(term('DNS: probe interval', dns.probeSeconds, 'the writable probe runs once a period',
            'WritableProbe (one run a minute)', SOURCES.alarmEvaluation, false));
        }
        if (dns.alarmSeconds > 0) {
          terms.push(term('DNS: alarm periods × evaluation periods', dns.alarmSeconds,
            'the not-writable alarm returns to OK after its evaluation periods', 'WritableProbe evaluationPeriods', SOURCES.alarmEvaluation, false));
        }
        terms.push(term(dns.probeSeconds > 0 ? 'DNS: health-check lag' : 'DNS: health-check interval × threshold', dns.healthCheckSeconds,
          dns.probeSeconds > 0 ? 'Route 53 reads the alarm state behind CloudWatch' : 'TCP request interval × failure threshold',
          dns.probeSeconds > 0 ? 'Route53DbFailover healthCheckLag' : 'Route53DbFailover tcpRequestInterval, tcpFailureThreshold',
          SOURCES.healthCheck, dns.probeSeconds > 0));
        terms.push(term('DNS: TTL', dns.ttlSeconds, 'resolvers keep the old answer at most the record TTL', 'Route53DbFailover ttl',
          SOURCES.ttl, false));
      }
      check('Region failure', 'RTO', 'regionFailure.rto', props.regionFailure?.rto, terms);
      const regionRpo = props.regionFailure?.rpo;
      if (regionRpo !== undefined) {
        validateLagBound(construct, 'regionFailure.rpo', regionRpo);
      }
      check('Region failure', 'RPO', 'regionFailure.rpo', regionRpo, [
        term('replica-lag guard', Math.max(runbook.rpo.toSeconds(), REPLICA_LAG_PERIOD_SECONDS),
          'the runbook refuses to promote when the replica had replayed nothing newer for longer than rpo (unless forced); '
          + `ReplicaLag comes once a minute, so the guard holds no less than ${REPLICA_LAG_PERIOD_SECONDS} s`,
          'FailoverRunbook rpo', SOURCES.replicaLag, false),
      ]);
    } else if (props.regionFailure) {
      throw propError(construct, 'runbook', undefined, 'the FailoverRunbook, to compute the budget regionFailure is checked against');
    }

    // --- Restore from the replicated backups ---------------------------------------------------------------------------
    if (props.backupReplication) {
      check('Region failure, restore from backup', 'RPO', 'backupRestoreRpo', props.backupRestoreRpo, [
        term('transaction-log upload', 300, 'RDS uploads transaction logs every 5 minutes (latest restorable time)',
          'RDS (fixed)', SOURCES.logUpload, false),
        term('cross-Region copy', copySeconds, `the log is copied to ${props.backupReplication.destinationRegion} once it is uploaded`,
          'backupCopyDelay', SOURCES.backupReplication, true),
      ]);
    } else if (props.backupRestoreRpo) {
      throw propError(construct, 'backupReplication', undefined, 'the BackupReplication, to compute the budget backupRestoreRpo is checked against');
    }
    this.budgets = budgets;

    if (props.outputs ?? true) {
      for (const b of budgets) {
        const key = `${OUTPUT_KEYS[b.scenario]}${b.measure === 'RTO' ? 'Rto' : 'Rpo'}`;
        const target = b.targetSeconds === undefined ? 'no target' : `target ${b.targetSeconds} s`;
        new CfnOutput(this, `${key}BudgetSeconds`, {
          value: String(b.budgetSeconds),
          description: truncate(`${b.scenario} ${b.measure} worst case (${target}): ${formulaOf(b.terms)}`, 1024),
        });
      }
    }
  }
}

function term(name: string, seconds: number, basis: string, setBy: string, source: string, assumed: boolean): BudgetTerm {
  return { name, seconds, basis, setBy, source, assumed };
}

function budgetOf(scenario: string, measure: string, targetSeconds: number | undefined, terms: BudgetTerm[]): ObjectiveBudget {
  const budgetSeconds = terms.reduce((sum, t) => sum + t.seconds, 0);
  const headroom = targetSeconds === undefined || targetSeconds === 0 ? undefined : (targetSeconds - budgetSeconds) / targetSeconds;
  return { scenario, measure, targetSeconds, budgetSeconds, headroom, terms };
}

/** The terms as `name N s + …`. */
function formulaOf(terms: BudgetTerm[]): string {
  return terms.map(t => `${t.name} ${t.seconds} s${t.assumed ? ' (assumed)' : ''}`).join(' + ');
}

function percent(fraction: number): string {
  return `${Math.floor(fraction * 1000) / 10} %`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
