import type { JsonObject, JsonValue } from './generate.js';

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
  explains(cinder: Result, ours: Result, at: { case: JsonObject; index: number }): boolean;
}

function sameExcept(a: Result, b: Result, keys: readonly string[]): boolean {
  const strip = (r: Result): string => JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => !keys.includes(k)).sort(([x], [y]) => (x < y ? -1 : 1))));
  return strip(a) === strip(b);
}

export const knownDisagreements: KnownDisagreement[] = [
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
  {
    name: 'CapacityWeigher on free_capacity_gb null',
    kind: 'our bug',
    why:
      'weights/capacity.py only reads free_capacity_gb on the thick path (utils.calculate_capacity_factors: thin request on a ' +
      'thin pool uses total x ratio - provisioned), so a pool reporting free null is weighed on the thin path; cinder-sim raises ' +
      'TypeError for any null free (sim/cinder/scheduler/weighers/capacity-weigher.ts capacityRaw)',
    explains: (cinder, ours) =>
      ours['error_type'] === 'TypeError' &&
      Array.isArray(ours['weighed']) &&
      ours['weighed'].length === 0 &&
      Array.isArray(cinder['weighed']) &&
      cinder['weighed'].length > 0 &&
      sameExcept(cinder, ours, ['weighed', 'selected', 'selected_az', 'error', 'error_type']),
  },
  {
    name: 'pool key collision',
    kind: 'our bug',
    why:
      "get_all_backend_states keys pools by backend + '.' + pool_name in a dict: pool 'p.q' of h@b and pool 'q' of h@b.p share " +
      'the key h@b.p.q, and the later pool replaces the earlier one at its position.  cinder-sim keeps the first',
    explains: (cinder, ours) => {
      const a = cinder['candidates'];
      const b = ours['candidates'];
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
      const key = (h: JsonValue | undefined): string => String(h).replace('#', '.');
      let text = JSON.stringify(ours);
      for (let i = 0; i < a.length; i++) {
        if (a[i] === b[i]) continue;
        if (key(a[i]) !== key(b[i])) return false;
        text = text.split(JSON.stringify(b[i])).join(JSON.stringify(a[i]));
      }
      return text !== JSON.stringify(ours) && text === JSON.stringify(cinder);
    },
  },
  {
    name: 'consuming from free_capacity_gb null',
    kind: 'our bug',
    why:
      "BackendState.consume_from_volume does free_capacity_gb -= size unless free is 'infinite'/'unknown', so choosing a pool " +
      'that reported free null (no CapacityFilter, an extend by 0 GB, an unknown total) raises TypeError after weighing; ' +
      'cinder-sim consumes without complaint',
    explains: (cinder, ours) =>
      cinder['error_type'] === 'TypeError' &&
      ours['error_type'] === null &&
      ours['selected'] !== null &&
      sameExcept(cinder, ours, ['selected', 'selected_az', 'error', 'error_type']),
  },
];
