import { AvailabilityZoneFilter } from '../filters/availability-zone-filter.js';
import { CapabilitiesFilter } from '../filters/capabilities-filter.js';
import { CapacityFilter } from '../filters/capacity-filter.js';
import type { PoolState } from '../host-manager.js';
import type { BackendFilter, FilterContext, Verdict } from '../types.js';
import { CapacityWeigher } from '../weighers/capacity-weigher.js';
import { normalize } from '../weighers/base.js';

/**
 * The narrow interface the scheduler service needs from the scheduler
 * library: pools in, a decision with its trace out.  `defaultPlacement`
 * composes the library's default filters and CapacityWeigher until its
 * FilterScheduler is wired in here.
 */
export interface FilterStep {
  filter: string;
  survivors: string[];
  dropped: { pool: string; verdict: Verdict }[];
}

export interface PlacementTrace {
  candidates: string[];
  filters: FilterStep[];
  weights: { pool: string; weight: number }[];
  chosen: string | null;
}

export type PlacementDecision =
  | { ok: true; pool: PoolState; trace: PlacementTrace }
  | { ok: false; reason: string; trace: PlacementTrace };

export type Placement = (pools: readonly PoolState[], ctx: FilterContext) => PlacementDecision;

const defaultFilters: readonly [string, BackendFilter][] = [
  ['AvailabilityZoneFilter', AvailabilityZoneFilter],
  ['CapacityFilter', CapacityFilter],
  ['CapabilitiesFilter', CapabilitiesFilter],
];

/** Filter, then weigh; a tie keeps the first pool in host-manager order (Python's stable sort). */
export function filterPools(pools: readonly PoolState[], ctx: FilterContext, trace: PlacementTrace): PoolState[] {
  let alive = [...pools];
  for (const [name, f] of defaultFilters) {
    const survivors: PoolState[] = [];
    const dropped: FilterStep['dropped'] = [];
    for (const p of alive) {
      const v = f.backendPasses(p, ctx);
      if (v.pass) survivors.push(p);
      else dropped.push({ pool: p.host, verdict: v });
    }
    trace.filters.push({ filter: name, survivors: survivors.map((p) => p.host), dropped });
    alive = survivors;
    if (alive.length === 0) break;
  }
  return alive;
}

export const defaultPlacement: Placement = (pools, ctx) => {
  const trace: PlacementTrace = { candidates: pools.map((p) => p.host), filters: [], weights: [], chosen: null };
  const alive = filterPools(pools, ctx, trace);
  if (alive.length === 0) return { ok: false, reason: 'No weighed backends available', trace };
  const r = CapacityWeigher.weigh(alive, ctx, 1.0);
  let best = 0;
  let bestW = -Infinity;
  alive.forEach((p, i) => {
    const w = normalize(r, i);
    trace.weights.push({ pool: p.host, weight: w });
    if (w > bestW) {
      bestW = w;
      best = i;
    }
  });
  const pool = alive[best]!;
  trace.chosen = pool.host;
  return { ok: true, pool, trace };
};
