import { Duration, Token } from 'aws-cdk-lib';
import { propError } from './errors';
import { requireLiteral, wholeUnits } from './validation';
import { BudgetTerm } from '../budget/budget';
import { MeasuredFigure, MeasuredFigures } from '../resilience-objectives/measured-figures';

/** The assumed term each measured figure stands next to, by the name of its `MeasuredFigures` field. */
export const MEASURED_TERMS: Record<keyof MeasuredFigures, string> = {
  azFailoverTime: 'Multi-AZ failover',
  clientDnsCache: 'client DNS cache',
  operatorResponseTime: 'detection: operator starts the runbook',
  promotionTime: 'promotion',
  healthCheckLag: 'DNS: health-check lag',
  backupCopyDelay: 'cross-Region copy',
};

/** A measured figure, checked: its prop as the user wrote it, and its value in whole seconds. */
export interface CheckedFigure {
  readonly prop: string;
  readonly value: Duration;
  readonly seconds: number;
  readonly source: string;
  readonly measuredAt: string;
}

/** The longest figure a measurement may give, one day: the estimates it stands next to stay within a day too. */
const MAX_MEASURED_SECONDS = 86_400;

/**
 * Checks the measured figures (`prefix` is `objectives.` when a `MultiRegionPostgres` forwarded them) and returns them
 * by the name of the term each stands next to.
 */
export function checkMeasured(construct: string, prefix: string, measured: MeasuredFigures | undefined): Map<string, CheckedFigure> {
  const checked = new Map<string, CheckedFigure>();
  for (const [key, term] of Object.entries(MEASURED_TERMS) as [keyof MeasuredFigures, string][]) {
    const figure = measured?.[key];
    if (figure !== undefined) {
      checked.set(term, checkFigure(construct, `${prefix}measured.${key}`, figure));
    }
  }
  return checked;
}

function checkFigure(construct: string, prop: string, figure: MeasuredFigure): CheckedFigure {
  const range = `a whole number of seconds from 0 to ${MAX_MEASURED_SECONDS}`;
  requireLiteral(construct, `${prop}.value`, figure.value, 'duration', `it is compared with the target at synth time: ${range}`);
  // In seconds, not in words: a fraction of a second is what the check refuses, and words would round it away.
  const exact = figure.value.toSeconds({ integral: false });
  if (!Number.isInteger(exact)) {
    throw propError(construct, `${prop}.value`, `${exact} seconds`, range);
  }
  const seconds = wholeUnits(construct, `${prop}.value`, figure.value, 'seconds', 0, MAX_MEASURED_SECONDS);
  requireLiteral(construct, `${prop}.source`, figure.source, 'text', 'it is shown next to the term at synth time');
  if (typeof figure.source !== 'string' || figure.source.trim() === '') {
    throw propError(construct, `${prop}.source`, figure.source, 'a non-empty text naming where the figure was measured, such as \'region drill\'');
  }
  if (typeof figure.measuredAt !== 'string' || Token.isUnresolved(figure.measuredAt) || !isIsoDate(figure.measuredAt)) {
    throw propError(construct, `${prop}.measuredAt`, figure.measuredAt, 'a literal ISO date, YYYY-MM-DD, such as \'2026-11-20\'');
  }
  return { prop, value: figure.value, seconds, source: figure.source.trim(), measuredAt: figure.measuredAt };
}

/** Whether `text` is a calendar date written `YYYY-MM-DD`. */
function isIsoDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) {
    return false;
  }
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The terms, each assumed term that has a measured figure with it. */
export function withMeasured(terms: BudgetTerm[], figures: Map<string, CheckedFigure>, used: Set<string>): BudgetTerm[] {
  return terms.map((t) => {
    const figure = t.assumed ? figures.get(t.name) : undefined;
    if (figure === undefined) {
      return t;
    }
    used.add(t.name);
    return { ...t, measuredSeconds: figure.seconds, measuredSource: figure.source, measuredAt: figure.measuredAt };
  });
}
