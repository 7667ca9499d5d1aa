import { Annotations, CfnOutput, Duration, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { MeasuredFigures } from './measured-figures';
import { BackupReplication } from '../backup-replication/backup-replication';
import { BudgetTerm, ObjectiveBudget } from '../budget/budget';
import { IPostgresInstance } from '../common/postgres-instance';
import { Warnings } from '../common/warnings';
import { CrossRegionReadReplica } from '../cross-region-read-replica/cross-region-read-replica';
import { FailoverRunbook } from '../failover-runbook/failover-runbook';
import {
  AZ_FAILURE, BUDGET_SOURCES, budgetTerm, REGION_FAILURE, RESTORE_FROM_BACKUP, sumTerms,
} from '../private/budget';
import { propError, where } from '../private/errors';
import { forwardedPropPrefix } from '../private/forwarded-props';
import { checkMeasured, withMeasured } from '../private/measured';
import { validateLagBound, wholeUnits } from '../private/validation';

const CONSTRUCT = 'ResilienceObjectives';

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
  [AZ_FAILURE]: 'AZFailure',
  [REGION_FAILURE]: 'RegionFailure',
  [RESTORE_FROM_BACKUP]: 'RegionFailureRestoreFromBackup',
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
  /**
   * The last measured value of the assumed terms, from a drill or a real failure, each with where and when it was
   * measured. Each is shown next to its term (`BudgetTerm.measuredSeconds`, the stack outputs' descriptions, the
   * report), and a target that the budget misses with each assumed term replaced by its measured value where that is
   * larger gives the warning `cdk-resilient-postgres:measuredObjectiveMissed`. The assumed figures stay the budget
   * that synth checks.
   *
   * @default - nothing measured: the assumed figures alone
   */
  readonly measured?: MeasuredFigures;
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
   * The failover runbook, for the Region failure budgets: its `rtoBudget` (its own `rtoTerms` and its failover
   * records' `dnsTerms`) and its `rpoTerms`, as they are.
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

/**
 * Recovery objectives checked at synth. It computes the worst-case recovery time and recovery point that the parts'
 * configuration implies, term by term, each with its source:
 *
 * - AZ failure: the Multi-AZ failover time (documented as typically 60-120 s) and the clients' DNS cache; RPO 0,
 *   because the standby is written synchronously.
 * - Region failure: the runbook's `rtoBudget` as the runbook publishes it: detection (the replication-stalled alarm,
 *   plus the operator's response when the runbook is started by hand), decision (the guard re-checks of an automatic
 *   start, the approval timeout when approval is required), promotion (an estimate), and the failover records'
 *   `dnsTerms` from the promotion (with the fence: the latch alarm's period, health-check lag, TTL); RPO is the runbook's
 *   `rpoTerms`, its replica-lag guard `maxLagAtPromotion`, above which it refuses to promote unless forced.
 * - Restore from the replicated backups: the transaction-log upload interval plus the copy to the DR Region.
 *
 * Synth fails, naming the largest term, when a budget exceeds its target. A target met with less than 20 % headroom
 * gives the warning `cdk-resilient-postgres:objectiveHeadroom`, which can be acknowledged with
 * `Annotations.of(scope).acknowledgeWarning(...)`. The budgets are also stack outputs.
 *
 * `measured` gives the last measured value of the assumed terms (Multi-AZ failover, client DNS cache, operator
 * response, promotion, health-check lag, cross-Region copy), shown next to each term. A target that the budget misses
 * with each assumed term replaced by its measured value where that is larger gives the warning
 * `cdk-resilient-postgres:measuredObjectiveMissed`, naming the term, its assumed and measured values and the target.
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
    // The targets as the user wrote them: `objectives.regionFailure.rto` when a MultiRegionPostgres forwarded them.
    const prefix = forwardedPropPrefix(this);
    const minimumHeadroom = props.minimumHeadroom ?? 0.2;
    if (!Number.isFinite(minimumHeadroom) || minimumHeadroom < 0 || minimumHeadroom >= 1) {
      throw propError(construct, `${prefix}minimumHeadroom`, minimumHeadroom, 'a fraction from 0 to less than 1, such as 0.2 for 20 %');
    }
    const figures = checkMeasured(construct, prefix, props.measured);
    const measuredTerms = new Set<string>();
    const seconds = (prop: string, value: Duration | undefined, fallback: Duration, min: number, max: number) =>
      wholeUnits(construct, `${prefix}${prop}`, value ?? fallback, 'seconds', min, max);
    // AWS documents a Multi-AZ instance failover as typically 60-120 s: an estimate below 60 s reports an RTO as met
    // that the configuration cannot meet.
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html
    const azFailoverSeconds = seconds('azFailoverTime', props.azFailoverTime, Duration.seconds(120), MIN_AZ_FAILOVER_SECONDS, 3600);
    checkSameDatabase(construct, props);
    const dnsCacheSeconds = seconds('clientDnsCache', props.clientDnsCache, Duration.seconds(60), 0, 3600);
    const copySeconds = seconds('backupCopyDelay', props.backupCopyDelay, Duration.minutes(5), 0, 86_400);

    const budgets: ObjectiveBudget[] = [];
    const check = (scenario: string, measure: string, targetProp: string, target: Duration | undefined, terms: BudgetTerm[]) => {
      const prop = `${prefix}${targetProp}`;
      const targetSeconds = target === undefined ? undefined : wholeUnits(construct, prop, target, 'seconds', 0, 31_536_000);
      const budget = sumTerms(scenario, measure, withMeasured(terms, figures, measuredTerms), targetSeconds);
      budgets.push(budget);
      if (targetSeconds === undefined) {
        return;
      }
      if (budget.budgetSeconds > targetSeconds) {
        const largest = [...terms].sort((a, b) => b.seconds - a.seconds)[0];
        throw new Error(`${construct}: ${prop} is ${targetSeconds} s, but the configuration's worst case is `
          + `${budget.budgetSeconds} s (${budget.formula}). The largest term is ${largest.name}, ${largest.seconds} s, `
          + `set by ${largest.setBy}: shorten it, or raise ${prop} to at least ${budget.budgetSeconds} s.`);
      }
      if (budget.headroom !== undefined && budget.headroom < minimumHeadroom) {
        Annotations.of(this).addWarningV2(Warnings.OBJECTIVE_HEADROOM,
          `${prop} ${targetSeconds} s is met with ${percent(budget.headroom)} headroom, less than ${percent(minimumHeadroom)}: `
          + `the worst case is ${budget.budgetSeconds} s (${budget.formula}). Terms marked assumed are estimates that real failures can exceed; `
          + 'give the target more room or shorten a term.');
      }
      if (budget.measuredBudgetSeconds !== undefined && budget.measuredBudgetSeconds > targetSeconds) {
        const exceeded = budget.terms.filter((t) => t.measuredSeconds !== undefined && t.measuredSeconds > t.seconds)
          .map((t) => `${t.name}: assumed ${t.seconds} s, measured ${t.measuredSeconds} s (${t.measuredSource}, ${t.measuredAt}), set by ${t.setBy}`);
        Annotations.of(this).addWarningV2(Warnings.MEASURED_OBJECTIVE_MISSED,
          `${prop} ${targetSeconds} s is missed with the measured figures: with each assumed term replaced by its measured value `
          + `where that is larger, the worst case is ${budget.measuredBudgetSeconds} s, not ${budget.budgetSeconds} s. `
          + `${exceeded.join('; ')}. Raise the estimate to the measured value, shorten the term, or raise ${prop}.`);
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
        check(AZ_FAILURE, 'RTO', 'azFailure.rto', props.azFailure?.rto, [
          budgetTerm('Multi-AZ failover', azFailoverSeconds, 'RDS switches to the standby, documented as typically 60-120 s',
            'azFailoverTime', BUDGET_SOURCES.multiAzFailover, true),
          budgetTerm('client DNS cache', dnsCacheSeconds, 'clients resolve the endpoint again after their DNS cache expires',
            'clientDnsCache', BUDGET_SOURCES.dnsCache, true),
        ]);
        check(AZ_FAILURE, 'RPO', 'azFailure.rpo', props.azFailure?.rpo, [
          budgetTerm('synchronous standby', 0, 'every committed write is on the standby before the commit returns',
            `${props.primary.node.id} multiAz`, BUDGET_SOURCES.multiAzSynchronous, false),
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
      // The runbook's own budget, read as it is: the objectives report and check the figures the runbook publishes.
      check(REGION_FAILURE, 'RTO', 'regionFailure.rto', props.regionFailure?.rto, runbook.rtoBudget.terms);
      const regionRpo = props.regionFailure?.rpo;
      if (regionRpo !== undefined) {
        validateLagBound(construct, `${prefix}regionFailure.rpo`, regionRpo);
      }
      check(REGION_FAILURE, 'RPO', 'regionFailure.rpo', regionRpo, runbook.rpoBudget.terms);
    } else if (props.regionFailure) {
      throw propError(construct, 'runbook', undefined, 'the FailoverRunbook, to compute the budget regionFailure is checked against');
    }

    // --- Restore from the replicated backups ---------------------------------------------------------------------------
    if (props.backupReplication) {
      check(RESTORE_FROM_BACKUP, 'RPO', 'backupRestoreRpo', props.backupRestoreRpo, [
        budgetTerm('transaction-log upload', 300, 'RDS uploads transaction logs every 5 minutes (latest restorable time)',
          'RDS (fixed)', BUDGET_SOURCES.logUpload, false),
        budgetTerm('cross-Region copy', copySeconds, `the log is copied to ${props.backupReplication.destinationRegion} once it is uploaded`,
          'backupCopyDelay', BUDGET_SOURCES.backupReplication, true),
      ]);
    } else if (props.backupRestoreRpo) {
      throw propError(construct, 'backupReplication', undefined, 'the BackupReplication, to compute the budget backupRestoreRpo is checked against');
    }
    this.budgets = budgets;
    for (const [term, figure] of figures) {
      if (!measuredTerms.has(term)) {
        throw propError(construct, figure.prop, figure.value,
          `a figure of an assumed term of the budgets computed here, and none has the term '${term}'`);
      }
    }

    if (props.outputs ?? true) {
      for (const b of budgets) {
        const key = `${OUTPUT_KEYS[b.scenario]}${b.measure === 'RTO' ? 'Rto' : 'Rpo'}`;
        const target = b.targetSeconds === undefined ? 'no target' : `target ${b.targetSeconds} s`;
        const measured = b.measuredBudgetSeconds === undefined ? '' : `; with measured figures ${b.measuredBudgetSeconds} s`;
        new CfnOutput(this, `${key}BudgetSeconds`, {
          value: String(b.budgetSeconds),
          description: truncate(`${b.scenario} ${b.measure} worst case (${target}${measured}): ${b.formula}`, 1024),
        });
      }
    }
  }
}

function percent(fraction: number): string {
  return `${Math.floor(fraction * 1000) / 10} %`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
