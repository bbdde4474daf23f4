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

type Weighed = { host: string; weight: number | string }[];

export const knownDisagreements: KnownDisagreement[] = [
  {
    name: 'round(x, 2) of huge capacities',
    kind: 'our bug',
    why:
      'sim/cinder/scheduler/python.ts pyRound2Exact settles ties (odd multiples of 1/8) with x * 100, which is exact only below ' +
      '2^49; for 2^49 <= |x| < 2^52 (capacities around 10^15 GB) it returns e.g. 1000000000006717.5 where Python keeps ' +
      '1000000000006717.375, so weights differ in the last bits',
    explains: (cinder, ours) => {
      const a = cinder['weighed'] as Weighed;
      const b = ours['weighed'] as Weighed;
      if (!sameExcept(cinder, ours, ['weighed']) || a.length !== b.length) return false;
      return a.every((w, i) => {
        const v = b[i]!;
        if (w.host !== v.host || typeof w.weight !== 'number' || typeof v.weight !== 'number') return w.host === v.host && w.weight === v.weight;
        return Math.abs(w.weight - v.weight) <= 1e-9 * Math.max(1, Math.abs(w.weight));
      });
    },
  },
];
