/**
 * One term of a recovery budget: a share of the recovery time (or of the data lost) that one part's settings imply.
 * Each part lists its own terms (`FailoverRunbook.rtoTerms` and `rpoTerms`, `Route53DbFailover.dnsTerms`), and every
 * figure that reports a budget (`FailoverRunbook.rtoBudget`, `ResilienceObjectives.budgets`, the stack outputs) is
 * the sum of the same terms.
 */
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
  /**
   * The last measured value of an assumed term, in seconds, as given to `ResilienceObjectives` `measured`.
   *
   * @default - not measured
   */
  readonly measuredSeconds?: number;
  /**
   * Where the measured value comes from, such as `region drill`.
   *
   * @default - not measured
   */
  readonly measuredSource?: string;
  /**
   * The day the value was measured, as an ISO date (`2026-11-20`).
   *
   * @default - not measured
   */
  readonly measuredAt?: string;
}

/** The worst-case budget of one objective: the sum of its terms. */
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
  /** The terms as a sum, such as `promotion 600 s (assumed) + DNS: TTL 30 s`, for reports. */
  readonly formula: string;
  /**
   * The worst case with measured figures: the sum of the terms, each assumed term replaced by its measured value where
   * that is larger. A measured value below the estimate leaves the estimate in place: one measurement does not bound a
   * worst case.
   *
   * @default - no term of the budget has a measured value
   */
  readonly measuredBudgetSeconds?: number;
}
