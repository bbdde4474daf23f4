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
  {
    name: 'cluster report dropped by a hash-order KeyError',
    kind: 'cinder quirk',
    why:
      "HostManager._get_updated_pools compares a backend's new report with its previous one key by key over REQUIRED_KEYS, a " +
      "frozenset, and indexes the old pool without .get: when the old pool lacks a key that comes before the first difference " +
      'in hash order, update_service_capabilities raises KeyError before storing the report, so the scheduler keeps the ' +
      'older one.  The order changes with PYTHONHASHSEED (the oracle pins 0; seeds 1 and 3 agree with cinder-sim on ' +
      'quirk-cluster-report-keyerror).  cinder-sim never raises there.  Only two services of one cluster report to the same ' +
      'key in these cases, so the entry is limited to cases with a shared cluster_name',
    explains: (_cinder, _ours, at) => {
      const clusters = (at.case['backends'] as JsonObject[]).map((b) => b['cluster_name']).filter((c) => typeof c === 'string');
      return new Set(clusters).size < clusters.length;
    },
  },
];

