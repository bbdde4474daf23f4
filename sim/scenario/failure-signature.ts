import { operationOf, ratioVerbs } from './expectations.js';
import type { DecisionTrace } from './decision-trace.js';
import type { DecisionRecord, ExpectationResult, RequestRecord, RunOutcome } from './outcome.js';
import type { ExpectationT } from './schema.js';

/**
 * What makes two failing runs "the same failure" for `cinder-sim shrink`:
 * not only the same expectation failing (its oracle), but failing for the
 * same reason, so a reduction cannot keep a different cause of the same
 * failed expectation.  The reason is said in words with the volatile parts
 * (UUIDs, timestamps, virtual times, numbers) masked, so "3 of 10 creates
 * failed at 2h00m05s on volume 1b2c..." and "1 of 4 failed at 40m00s on
 * volume 9f8e..." are the same reason when the rest is.
 */

/** UUIDs, ISO timestamps, virtual times as formatDuration prints them, then any number. */
export function normaliseVolatile(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g, '<time>')
    .replace(/-?\b\d+(d\d{2}h\d{2}m\d{2}|h\d{2}m\d{2}|m\d{2})?(\.\d{3})?s\b/g, '<t>')
    .replace(/\d+(\.\d+)?/g, '#');
}

/**
 * Why a request did not succeed, in words: refused by the API (its HTTP
 * status, error class and message), no valid backend (the filter that left
 * no pool, or no candidate at all), or failed after it was placed (the
 * resource's final status); null when it succeeded.
 */
export function requestCause(r: RequestRecord, decisions: readonly DecisionRecord[]): string | null {
  switch (r.result) {
    case 'succeeded':
      return null;
    case 'refused':
      return `refused: HTTP ${r.http ?? '?'} ${r.error ?? ''}: ${normaliseVolatile(r.message ?? '')}`;
    case 'in_flight':
      return `still ${r.final_status ?? 'in flight'} at the end of the run`;
    case 'failed': {
      const op = operationOf[r.verb];
      const mine = decisions.filter((d) => d.resource_id !== null && d.resource_id === r.resource_id && (op === undefined || d.operation === op));
      const last = mine[mine.length - 1];
      if (last !== undefined && !last.ok) return last.no_candidates ? 'no valid backend: no candidate at all' : `no valid backend: ${rejectedBy(last)}${last.emptied_by ?? 'no filter'} left no pool`;
      return `failed after it was placed${last?.chosen ? ` on ${last.chosen.split('#')[0]!}` : ''}: ${r.final_status ?? 'error'}`;
    }
  }
}

/**
 * The filters that rejected a pool, in the chain's order ('CapacityFilter,
 * CapabilitiesFilter rejected pools; '): each pool is dropped by the first
 * filter it fails, so this tells "the thick pool was full" (CapacityFilter on
 * it, CapabilitiesFilter on the others) from "there was no thick pool"
 * (CapabilitiesFilter alone), while a reduction may still drop pools that
 * the same filters rejected.  Empty when the decision kept no filter trace.
 */
function rejectedBy(d: DecisionRecord): string {
  const names = ((d.trace as DecisionTrace | null)?.filters ?? []).filter((f) => f.rejected.length > 0).map((f) => f.name);
  return names.length === 0 ? '' : `${names.join(', ')} rejected pools; `;
}

/** The first request among `requests` (in the order they were made) that did not succeed, and why. */
function firstCause(requests: readonly RequestRecord[], decisions: readonly DecisionRecord[]): string | null {
  for (const r of requests) {
    const cause = requestCause(r, decisions);
    if (cause !== null) return `the first ${r.verb} that did not succeed: ${cause}`;
  }
  return null;
}

/**
 * Why an expectation failed, as its signature reads it: its evidence
 * normalised, and what made the requests it judges fail (a step's own
 * requests; for a ratio, the first of the counted requests that did not
 * succeed).  A service's state history is left out: a reduction changes how
 * often a service flapped, not which state was wrong.
 */
export function expectationReason(e: ExpectationT | undefined, result: ExpectationResult, outcome: Pick<RunOutcome, 'steps' | 'requests' | 'decisions'>): string {
  const detail = e?.service !== undefined ? result.detail.split('; history:')[0]! : result.detail;
  const parts = [normaliseVolatile(detail)];
  if (e?.ratio !== undefined) {
    const verbs = ratioVerbs[e.ratio];
    const counted = outcome.requests.filter((r) => verbs === null || verbs.includes(r.verb));
    const cause = firstCause(counted, outcome.decisions);
    // The ratio's figures change with every reduction: the cause is the reason.
    if (cause !== null) return cause;
  }
  if (e?.step !== undefined) {
    const st = outcome.steps.find((s) => s.id === e.step);
    const seqs = new Set(st?.requests ?? []);
    const cause = firstCause(outcome.requests.filter((r) => seqs.has(r.seq)), outcome.decisions);
    if (cause !== null) parts.push(cause);
  }
  return parts.join('; ');
}

/** A broken invariant's message with what differs from run to run masked: which invariant, and of what. */
export function invariantSignature(message: string): string {
  return normaliseVolatile(message);
}
