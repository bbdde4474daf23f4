/**
 * A scheduling decision's trace as outcome.json stores it (DecisionRecord's
 * `trace`), with the scheduler's own wording of verdicts and left-out
 * services: the scheduler owns both; reports reach them here, through the
 * scenario room, and import no scheduler code themselves.
 */
import type { Decision } from '../cinder/scheduler/filter-scheduler.js';
import type { DecisionRecord } from './outcome.js';

export { describeVerdict, describeLeftOut, nearestHeadline } from '../cinder/scheduler/explain.js';
export type { LeftOutService, ServiceFacts } from '../cinder/scheduler/types.js';
export type { NearestPool, PoolVerdicts, VerdictMatrix, WeigherTrace } from '../cinder/scheduler/filter-scheduler.js';

/** The stored trace: the scheduler's Decision without the live pool object. */
export type DecisionTrace = Omit<Decision, 'pool'>;

/** A decision record's trace, or null (lean runs, backups, decisions made before any scheduling). */
export function traceOf(d: DecisionRecord): DecisionTrace | null {
  const t = d.trace;
  if (t === null || typeof t !== 'object' || !('operation' in t) || !('candidates' in t)) return null;
  return t as DecisionTrace;
}
