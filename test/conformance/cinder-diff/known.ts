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

type FilterStep = { name: string; passed: string[] };

export const knownDisagreements: KnownDisagreement[] = [
  {
    name: 'JsonFilter sees normalised provisioning flags',
    kind: 'our bug',
    why:
      "JsonFilter's $thin_provisioning_support / $thick_provisioning_support read the PoolState attribute, which keeps the " +
      "reported value as is (a string 'False' stays 'False', so ['=', '$thin_provisioning_support', true] fails and " +
      "['=', '$thick_provisioning_support', 'yes'] passes); cinder-sim hands JsonFilter the truthiness it keeps for the " +
      'capacity rules (found-json-filter-raw-*)',
    explains: (cinder, ours, at) => {
      const a = (cinder['filters'] ?? []) as FilterStep[];
      const b = (ours['filters'] ?? []) as FilterStep[];
      const first = a.findIndex((f, i) => JSON.stringify(f) !== JSON.stringify(b[i]));
      return first >= 0 && a[first]!.name === 'JsonFilter' && /"thi(n|ck)_provisioning_support":"/.test(JSON.stringify(at.case));
    },
  },
];
