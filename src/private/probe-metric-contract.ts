// The probe's metric contract, in one place: the writable probe Lambda publishes these metrics, the failover runbook
// publishes the same ones at promotion, and the alarms, health checks, IAM conditions and the fence read them. This
// module imports nothing, so the Lambda bundle can include it.
//
//   Writable  1 when the instance accepts writes (a primary), else 0
//   Reachable 1 when the instance answered at all (primary or read-only replica), else 0
//   Promoted  the fence's latch: 1 when the DR instance is observed writable (its probe, the runbook at promotion),
//             0 only when an operator lifts the fence; never published otherwise
//
// Every datapoint carries the one dimension DBInstanceIdentifier, is a Count and has standard (60 s) resolution.

/** The CloudWatch namespace of the probe's metrics. */
export const PROBE_NAMESPACE = 'CdkResilientPostgres';

/** 1 for each minute the instance accepted writes, 0 otherwise. */
export const WRITABLE_METRIC_NAME = 'Writable';

/** 1 for each minute the instance answered at all, 0 otherwise. */
export const REACHABLE_METRIC_NAME = 'Reachable';

/** The fence's latch metric (see `PROMOTED_METRIC_NAME` in metrics.ts for how the alarm on it reads it). */
export const LATCH_METRIC_NAME = 'Promoted';

/** The one dimension of every probe metric. */
export const PROBE_DIMENSION = 'DBInstanceIdentifier';

/** Standard resolution: one datapoint a minute, which Route 53 health checks on alarms require. */
export const PROBE_STORAGE_RESOLUTION = 60;
