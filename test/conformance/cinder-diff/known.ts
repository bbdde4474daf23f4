import type { JsonValue } from './generate.js';

/**
 * Disagreements with the real Cinder that are understood and reported but
 * not yet fixed in sim/cinder/scheduler.  Each entry explains one request's
 * result pair; a case passes when its results are equal or an entry explains
 * every differing pair.  cinder-diff.test.ts also checks that each entry
 * still explains something, so a fix makes its entry fail: then delete it.
 */

type Result = Record<string, JsonValue>;

export interface KnownDisagreement {
  name: string;
  /** 'our bug': cinder-sim is wrong; 'cinder quirk': Cinder crashes or misbehaves and we chose to differ. */
  kind: 'our bug' | 'cinder quirk';
  why: string;
  explains(cinder: Result, ours: Result): boolean;
}

function sameExcept(a: Result, b: Result, keys: readonly string[]): boolean {
  const strip = (r: Result): string => JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => !keys.includes(k)).sort(([x], [y]) => (x < y ? -1 : 1))));
  return strip(a) === strip(b);
}

export const knownDisagreements: KnownDisagreement[] = [
  {
    name: 'volume id None',
    kind: 'our bug',
    why:
      "retype errors format the volume id with Python's %s: a request without volume_id reads 'for volume None with type ...'; " +
      "cinder-sim writes 'volume null' (filter_scheduler.py find_retype_backend)",
    explains: (cinder, ours) =>
      sameExcept(cinder, ours, ['error']) &&
      typeof ours['error'] === 'string' &&
      ours['error'].replace(/volume null\b/, 'volume None') === cinder['error'],
  },
  {
    name: 'crash while building pool state',
    kind: 'our bug',
    why:
      "Cinder raises before any candidate is listed: utils.calculate_max_over_subscription_ratio with ratio 'auto', " +
      'thin support and provisioned != 0 divides by (total - free + 1), so free = total + 1 (or missing total with free 1) is a ' +
      'ZeroDivisionError and free_capacity_gb null a TypeError; and a retry whose last backend is a pool with free null makes ' +
      'revert_volume_consumed_capacity raise TypeError (None - size).  The pool is in the map, so every later request crashes too.  ' +
      'cinder-sim computes a ratio / skips the revert and schedules (scheduler-semantics.md section 10 does not list these crashes)',
    explains: (cinder, ours) =>
      (cinder['error_type'] === 'ZeroDivisionError' || cinder['error_type'] === 'TypeError') &&
      Array.isArray(cinder['candidates']) &&
      cinder['candidates'].length === 0 &&
      cinder['filters'] === null &&
      Array.isArray(ours['candidates']) &&
      ours['candidates'].length > 0,
  },
];
