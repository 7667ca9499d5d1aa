import { MAX_SUBJECT_LENGTH, TOPIC_ARN_SUBSTITUTION } from '../failover-runbook/definition';
import { jsonata, RETRY_READS, State } from '../failover-runbook/promotion-states';
import { PROBE_DIMENSION, PROBE_NAMESPACE, WRITABLE_METRIC_NAME } from '../private/probe-metric-contract';

/** The `DefinitionSubstitutions` key of the topic the measurement is reported on. */
export const MEASUREMENT_TOPIC_SUBSTITUTION = TOPIC_ARN_SUBSTITUTION;

/** The CloudWatch namespace of the AZ drill's measured figures. */
export const AZ_DRILL_METRIC_NAMESPACE = 'CdkResilientPostgres/AzDrill';

/** The measured AZ RTO: the seconds the primary did not accept writes around a drill, in whole probe minutes. */
export const MEASURED_RTO_METRIC_NAME = 'NotWritableSeconds';

/** 1 for a drill whose measurement met the AZ RTO objective, 0 for one that missed it; only with an objective. */
export const OBJECTIVE_MET_METRIC_NAME = 'ObjectiveMet';

/** The FIS experiment states after which an experiment no longer changes. */
export const FIS_TERMINAL_STATES = ['completed', 'stopped', 'failed', 'cancelled'];

/** What the measurement's definition is built from; every value is known at synth time except the topic. */
export interface MeasurementSettings {
  /** The drilled primary's DB instance identifier: the dimension of the probe's metrics and of the figures. */
  readonly instanceIdentifier: string;
  /** The AZ RTO objective in seconds, or undefined for a measurement without a verdict. */
  readonly objectiveSeconds?: number;
  /**
   * How long after the experiment's end the primary's recovery still counts: the measured window ends that many seconds
   * after the experiment's last minute. A whole number of minutes.
   */
  readonly settleSeconds: number;
  /** Whether a topic receives the report. */
  readonly notify: boolean;
}

/**
 * Seconds the workflow waits after the window's end before it reads the probe's metric: CloudWatch makes a datapoint
 * available to GetMetricData shortly after PutMetricData, and the probe publishes once a minute.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 */
export const INGEST_MARGIN_SECONDS = 120;

/** Milliseconds of `iso` (an ISO 8601 string or epoch seconds, as SDK integrations may return a timestamp). */
const millis = (value: string) => `($type(${value}) = 'number' ? $round(${value} * 1000) : $toMillis(${value}))`;

/**
 * The measurement of an AZ failover drill's downtime, as an Amazon States Language definition in JSONata. An
 * EventBridge rule starts it with the "FIS Experiment State Change" event of an experiment of the drill's template
 * that reached a final state. A run:
 * 1. waits until the measured window is over and its datapoints can be read;
 * 2. reads the experiment's start and end (GetExperiment; an end not yet recorded is the event's time);
 * 3. reads the writable probe's `Writable` metric (one-minute Minimum) of the primary over the window, from the minute
 *    before the experiment started to `settleSeconds` after it ended;
 * 4. counts the minutes of the window without a writable answer (a minute without a datapoint counts as not writable,
 *    as the probe's alarms count it): that many minutes is the measured AZ RTO, to within one minute;
 * 5. publishes the figure (and, with an objective, whether it was met) as metrics, and a report on the topic.
 *
 * A window without any datapoint is no measurement (the probe did not run), and a window whose last minute is not
 * writable is a primary that had not recovered when the window closed: neither publishes a figure.
 *
 * @see https://docs.aws.amazon.com/fis/latest/userguide/monitoring-eventbridge.html
 * @see https://docs.aws.amazon.com/fis/latest/APIReference/API_GetExperiment.html
 * @see https://docs.aws.amazon.com/fis/latest/APIReference/API_Experiment.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 */
export function buildMeasurementDefinition(s: MeasurementSettings): Record<string, unknown> {
  const states: Record<string, State> = {};
  const drill = `${s.instanceIdentifier}-az-drill`;
  const objective = s.objectiveSeconds ?? null;

  states.Initialize = {
    Type: 'Pass',
    Assign: {
      // Every value defined: an error in a Pass state cannot be caught, and FIS marks the reason optional.
      experimentId: jsonata("$exists($states.input.detail.'experiment-id') ? $states.input.detail.'experiment-id' : null"),
      experimentStatus: jsonata("$exists($states.input.detail.'new-state'.status) ? $states.input.detail.'new-state'.status : null"),
      experimentReason: jsonata("$exists($states.input.detail.'new-state'.reason) ? $states.input.detail.'new-state'.reason : null"),
      eventTime: jsonata('$exists($states.input.time) ? $states.input.time : $states.context.Execution.StartTime'),
      experiment: null,
      windowStart: null,
      windowEnd: null,
      measurement: null,
      metricsPublished: false,
      failure: null,
    },
    Next: 'WaitForWindow',
  };
  states.WaitForWindow = { Type: 'Wait', Seconds: s.settleSeconds + INGEST_MARGIN_SECONDS, Next: 'GetExperiment' };
  states.GetExperiment = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:fis:getExperiment',
    Arguments: { Id: jsonata('$experimentId') },
    Retry: RETRY_READS,
    Assign: {
      experiment: jsonata('{\'startTime\': $states.result.Experiment.StartTime, \'endTime\': $states.result.Experiment.EndTime}'),
    },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Report', Assign: { failure: jsonata('$states.errorOutput') } }],
    Next: 'Window',
  };
  // Whole minutes: the probe's datapoints are one-minute buckets, and GetMetricData aligns its periods to the start.
  const minute = (ms: string) => `$floor((${ms}) / 60000) * 60000`;
  states.Window = {
    Type: 'Pass',
    Assign: {
      // FIS marks both times optional: a missing start is the event's time, a missing end too.
      windowStart: jsonata(`$fromMillis(${minute(`$experiment.startTime ? ${millis('$experiment.startTime')} : $toMillis($eventTime)`)} - 60000)`),
      windowEnd: jsonata(`$fromMillis(${minute(`$experiment.endTime ? ${millis('$experiment.endTime')} : $toMillis($eventTime)`)} + ${s.settleSeconds * 1000})`),
    },
    Next: 'ReadWritable',
  };
  states.ReadWritable = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:cloudwatch:getMetricData',
    Arguments: {
      StartTime: jsonata('$windowStart'),
      EndTime: jsonata('$windowEnd'),
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [{
        Id: 'writable',
        MetricStat: {
          Metric: {
            Namespace: PROBE_NAMESPACE,
            MetricName: WRITABLE_METRIC_NAME,
            Dimensions: [{ Name: PROBE_DIMENSION, Value: s.instanceIdentifier }],
          },
          Period: 60,
          Stat: 'Minimum',
        },
      }],
    },
    Retry: RETRY_READS,
    Assign: { measurement: jsonata(measurementExpression(objective)) },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Report', Assign: { failure: jsonata('$states.errorOutput') } }],
    Next: 'Measured',
  };
  states.Measured = {
    Type: 'Choice',
    Choices: [{ Condition: jsonata("$measurement.verdict in ['met', 'missed', 'measured']"), Next: 'PublishMetrics' }],
    Default: 'Report',
  };
  const dimensions = `[{'Name': '${PROBE_DIMENSION}', 'Value': '${s.instanceIdentifier}'}]`;
  states.PublishMetrics = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:cloudwatch:putMetricData',
    Arguments: {
      Namespace: AZ_DRILL_METRIC_NAMESPACE,
      MetricData: jsonata(`$append([{'MetricName': '${MEASURED_RTO_METRIC_NAME}', 'Dimensions': ${dimensions}, `
        + "'Timestamp': $windowEnd, 'Value': $measurement.notWritableSeconds, 'Unit': 'Seconds'}], "
        + `$measurement.verdict = 'measured' ? [] : [{'MetricName': '${OBJECTIVE_MET_METRIC_NAME}', 'Dimensions': ${dimensions}, `
        + "'Timestamp': $windowEnd, 'Value': $measurement.verdict = 'met' ? 1 : 0, 'Unit': 'Count'}])"),
    },
    Retry: RETRY_READS,
    Assign: { metricsPublished: true },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Report', Assign: { failure: jsonata('$states.errorOutput') } }],
    Next: 'Report',
  };
  const report = `{'drill': '${drill}', 'execution': $states.context.Execution.Name, 'instance': '${s.instanceIdentifier}', `
    + "'experiment': $experimentId, 'experimentStatus': $experimentStatus, 'experimentReason': $experimentReason, "
    + "'experimentStartTime': $experiment.startTime, 'experimentEndTime': $experiment.endTime, "
    + "'window': {'start': $windowStart, 'end': $windowEnd}, "
    + `'verdict': $measurement ? $measurement.verdict : 'not measured', 'objectiveSeconds': ${objective === null ? 'null' : objective}, `
    + "'measurement': $measurement, 'metricsPublished': $metricsPublished, 'failure': $failure, "
    + "'resolution': 'whole minutes of the writable probe (60 s)'}";
  const subjectPrefix = `${drill}: AZ RTO `;
  const subject = `$substring('${subjectPrefix}' & ($measurement.verdict in ['met', 'missed', 'measured'] `
    + "? ($string($measurement.notWritableSeconds) & ' s' & ($measurement.verdict = 'measured' ? '' : ' (' & $measurement.verdict & ' objective)')) "
    + `: ($measurement ? $measurement.verdict : 'not measured')), 0, ${MAX_SUBJECT_LENGTH})`;
  states.Report = s.notify
    ? {
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish',
      Arguments: {
        TopicArn: `\${${MEASUREMENT_TOPIC_SUBSTITUTION}}`,
        Subject: jsonata(subject),
        Message: jsonata(`$string(${report})`),
      },
      Retry: RETRY_READS,
      Assign: { report: jsonata(report) },
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Outcome', Assign: { report: jsonata(report), failure: jsonata('$states.errorOutput') } }],
      Next: 'Outcome',
    }
    : { Type: 'Pass', Assign: { report: jsonata(report) }, Next: 'Outcome' };
  // A run that could not measure fails, so that the state machine's ExecutionsFailed metric shows it.
  states.Outcome = {
    Type: 'Choice',
    Choices: [{ Condition: jsonata('$failure != null'), Next: 'MeasurementFailed' }],
    Default: 'Done',
  };
  states.MeasurementFailed = {
    Type: 'Fail',
    Error: 'AzDrill.MeasurementFailed',
    Cause: jsonata(`'The AZ drill measurement of ${s.instanceIdentifier} failed: ' & $string($failure)`),
  };
  states.Done = { Type: 'Succeed', Output: jsonata('$report') };

  return {
    Comment: `Measures the AZ failover drill of ${s.instanceIdentifier}: minutes not writable around each experiment (cdk-resilient-postgres AzFailoverDrill)`,
    QueryLanguage: 'JSONata',
    StartAt: 'Initialize',
    // The wait, the calls and their retries.
    TimeoutSeconds: s.settleSeconds + INGEST_MARGIN_SECONDS + 900,
    States: states,
  };
}

/**
 * The measurement from the GetMetricData result: datapoints, writable minutes, the window's minutes, the minutes not
 * writable, whether the last minute was writable, and the verdict against `objective` (seconds, or null).
 */
function measurementExpression(objective: number | null): string {
  return '('
    + '$r := $states.result.MetricDataResults[0]; '
    // An array constructor: `$r.Values ? ...` would read an all-zero array as false, and JSONata unwraps a one-value array.
    + '$values := [$r.Values]; '
    + `$minutes := $round(($toMillis($windowEnd) - $toMillis($windowStart)) / 60000); `
    + '$writable := $count($filter($values, function($v) { $v >= 1 })); '
    // The last datapoint is writable and lies in the window's last two minutes.
    + `$recovered := $count($values) > 0 ? ($values[-1] >= 1 and ${millis('$r.Timestamps[-1]')} >= $toMillis($windowEnd) - 120000) : false; `
    + '$down := ($minutes - $writable) * 60; '
    + '{'
    + "'datapoints': $count($values), 'windowMinutes': $minutes, 'writableMinutes': $writable, "
    + "'notWritableSeconds': $count($values) = 0 or $not($recovered) ? null : $down, "
    + "'notWritableSecondsAtLeast': $down, 'recoveredByWindowEnd': $recovered, "
    + "'verdict': $experimentStatus != 'completed' ? 'experiment ' & $experimentStatus & ': no verdict' : "
    + "($count($values) = 0 ? 'no probe data' : ($not($recovered) ? 'not recovered by window end' : "
    + (objective === null ? "'measured'" : `($down <= ${objective} ? 'met' : 'missed')`)
    + '))})';
}
