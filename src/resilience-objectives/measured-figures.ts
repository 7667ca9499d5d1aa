import { Duration } from 'aws-cdk-lib';

/**
 * One figure measured in a drill or a real failure: how long an assumed term of a budget took.
 *
 * A synth cannot read CloudWatch, so a figure a drill publishes as a metric (namespace `CdkResilientPostgres`, such as
 * `DrillPromotionSeconds`, unit `Seconds`) is copied here by hand.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html
 */
export interface MeasuredFigure {
  /** How long the term took, in whole seconds. */
  readonly value: Duration;
  /** Where the figure comes from, such as `region drill` or a post-incident review. */
  readonly source: string;
  /** The day it was measured, as an ISO date: `2026-11-20`. */
  readonly measuredAt: string;
}

/**
 * The last measured value of each assumed term of the budgets. Each is shown next to the term's assumed figure, and a
 * target that the budget misses with the measured values substituted (each where it is larger than the assumed one)
 * gives the warning `cdk-resilient-postgres:measuredObjectiveMissed`. The assumed figures stay the budget: a measured
 * value below its estimate does not lower it.
 */
export interface MeasuredFigures {
  /**
   * The Multi-AZ failover, from a reboot with `ForceFailover` (or a real failover) to the instance being available:
   * the term `Multi-AZ failover`, assumed as `azFailoverTime`.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RebootDBInstance.html
   * @default - not measured
   */
  readonly azFailoverTime?: MeasuredFigure;
  /**
   * How long clients kept connecting to the old address after a Multi-AZ failover: the term `client DNS cache`,
   * assumed as `clientDnsCache`.
   *
   * @default - not measured
   */
  readonly clientDnsCache?: MeasuredFigure;
  /**
   * The time from the replication-stalled page to an operator starting the runbook: the term
   * `detection: operator starts the runbook`, assumed as the runbook's `operatorResponseTime`. Only for a runbook
   * that is started by hand.
   *
   * @default - not measured
   */
  readonly operatorResponseTime?: MeasuredFigure;
  /**
   * The promotion of the cross-Region replica, from `PromoteReadReplica` to the instance being available and
   * writable: the term `promotion`, assumed as the runbook's `expectedPromotionTime`.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html
   * @default - not measured
   */
  readonly promotionTime?: MeasuredFigure;
  /**
   * How long Route 53 took to see the not-writable alarm's change of state: the term `DNS: health-check lag`, assumed
   * as the failover records' `healthCheckLag`. Only with alarm health checks.
   *
   * @default - not measured
   */
  readonly healthCheckLag?: MeasuredFigure;
  /**
   * The copy of an uploaded transaction log to the DR Region: the term `cross-Region copy`, assumed as
   * `backupCopyDelay`.
   *
   * @default - not measured
   */
  readonly backupCopyDelay?: MeasuredFigure;
}
