import { capacityLimitGb, capacityRule, wantsThin, type CapacityFactors } from './capacity.js';
import { fastPathApplies } from './fast-path.js';
import { filters as filterRegistry, isFilterName } from './filters/index.js';
import type { PoolState } from './host-manager.js';
import type { BackendFilter, FilterContext, SchedulerConfig } from './types.js';
import { capacityRaw } from './weighers/capacity-weigher.js';

/**
 * The capacity planner's shortcut: one create request repeated, placed on
 * a scheduler state that only the placements change, with the filters and
 * CapacityWeigher of a default-like configuration (fastPathApplies).
 *
 * Between placements only the consumed pool changes: AZ and capabilities
 * verdicts hold (they read the pool's zone and capability dict), and the
 * consumed pool gets its CapacityFilter limit (capacity.ts, the rule the
 * filter itself uses) and CapacityWeigher raw value again.  The survivors
 * sit in three heaps (raw value high first, low first, position first;
 * stale entries dropped as they surface).  The full loop's choice is the
 * first position of maximal weight 0 + m * ((raw - min) / (max - min)),
 * with min and max over the survivors: that weight is non-decreasing in
 * raw for m > 0 (non-increasing for m < 0), so the pools of maximal weight
 * are a prefix of the heap's order; they are popped while their weight
 * equals the top's, and the least position wins.  min = max: the first
 * survivor.
 *
 * Anything unusual (a filter that raises, a limit the capacity rule cannot
 * state, an infinite weight, a multiplier of 0 or not finite, size 0)
 * declines: the caller continues with the scheduler itself.
 */

export interface FastRun {
  placed: number;
  /** No pool survives: the next request fails (the caller asks the scheduler why). */
  exhausted: boolean;
}

/** Whether the shortcut may answer this configuration and size at all. */
export function fastCapacityApplies(config: SchedulerConfig, size: number): boolean {
  const m = config.capacity_weight_multiplier;
  return fastPathApplies(config, config.scheduler_default_filters) && Number.isFinite(size) && size > 0 && Number.isFinite(m) && m !== 0;
}

/**
 * A binary heap of pool positions, each entry with the key it was pushed
 * with (a pool's raw value moves while its old entries wait), ordered by
 * key (`order` 1: high first, -1: low first, 0: ignored), then position.
 * Entries whose stamp is no longer the pool's are dropped as they surface.
 */
class Heap {
  private readonly pos: number[] = [];
  private readonly key: number[] = [];
  private readonly stampOf: number[] = [];

  constructor(private readonly order: 1 | -1 | 0) {}

  private before(a: number, b: number): boolean {
    const ka = this.key[a]!;
    const kb = this.key[b]!;
    if (ka !== kb && this.order !== 0) return this.order > 0 ? ka > kb : ka < kb;
    return this.pos[a]! < this.pos[b]!;
  }

  private swap(a: number, b: number): void {
    const p = this.pos;
    const k = this.key;
    const s = this.stampOf;
    const pa = p[a]!;
    p[a] = p[b]!;
    p[b] = pa;
    const ka = k[a]!;
    k[a] = k[b]!;
    k[b] = ka;
    const sa = s[a]!;
    s[a] = s[b]!;
    s[b] = sa;
  }

  push(i: number, key: number, stamp: number): void {
    let k = this.pos.length;
    this.pos.push(i);
    this.key.push(key);
    this.stampOf.push(stamp);
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (!this.before(k, p)) break;
      this.swap(k, p);
      k = p;
    }
  }

  /** The top entry's position, dropping entries whose stamp is not current; -1 when empty. */
  top(current: Int32Array): number {
    while (this.pos.length > 0) {
      const i = this.pos[0]!;
      if (this.stampOf[0] === current[i]) return i;
      this.pop();
    }
    return -1;
  }

  pop(): void {
    const n = this.pos.length - 1;
    this.swap(0, n);
    this.pos.pop();
    this.key.pop();
    this.stampOf.pop();
    let k = 0;
    for (;;) {
      const l = 2 * k + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.before(r, l) ? r : l;
      if (!this.before(c, k)) break;
      this.swap(c, k);
      k = c;
    }
  }
}

/**
 * Place up to `max` identical creates (size `size`, filter context `ctx`)
 * on `pools` (the scheduler's candidates, in Cinder's order); `place` is
 * called with each chosen pool and must consume it as the scheduler does.
 * Returns null when the shortcut declines before the first placement.
 */
export function placeFast(pools: readonly PoolState[], ctx: FilterContext, config: SchedulerConfig, size: number, max: number, place: (pool: PoolState) => void): FastRun | null {
  const n = pools.length;
  const m = config.capacity_weight_multiplier;
  const thin = wantsThin(ctx.props.volume_type.extra_specs);
  const names = config.scheduler_default_filters.filter(isFilterName);
  const staticFilters: BackendFilter[] = names.filter((f) => f !== 'CapacityFilter').map((f) => filterRegistry[f]);
  const capacityOn = names.includes('CapacityFilter');
  const raw = new Float64Array(n);
  const limit = new Float64Array(n);
  const stamp = new Int32Array(n).fill(-1);
  const factors: CapacityFactors = { reservedCapacityGb: 0, totalAvailableCapacityGb: 0, virtualFreeCapacityGb: 0 };
  /** The pool's limit and raw value now; false when the shortcut cannot state them. */
  const measure = (i: number): boolean => {
    const pool = pools[i]!;
    let r: number;
    try {
      r = capacityRaw(pool, thin, m);
    } catch {
      return false;
    }
    const lim = capacityOn ? capacityLimitGb(capacityRule(pool, thin, factors), pool, factors) : Infinity;
    if (!Number.isFinite(r) || Number.isNaN(lim)) return false;
    raw[i] = r;
    limit[i] = lim;
    return true;
  };
  const byHigh = new Heap(1);
  const byLow = new Heap(-1);
  const byPosition = new Heap(0);
  let version = 0;
  const enter = (i: number): void => {
    if (!(limit[i]! >= size)) return;
    stamp[i] = ++version;
    byHigh.push(i, raw[i]!, version);
    byLow.push(i, raw[i]!, version);
    byPosition.push(i, 0, version);
  };
  for (let i = 0; i < n; i++) {
    const pool = pools[i]!;
    let passes = true;
    try {
      for (const f of staticFilters) if (!f.backendPasses(pool, ctx).pass) passes = false;
    } catch {
      return null;
    }
    if (!passes) continue;
    if (!measure(i)) return null;
    enter(i);
  }
  const prefix = m > 0 ? byHigh : byLow;
  const held: number[] = [];
  let placed = 0;
  while (placed < max) {
    const hi = byHigh.top(stamp);
    if (hi < 0) return { placed, exhausted: true };
    const lo = byLow.top(stamp);
    const maxRaw = raw[hi]!;
    const minRaw = raw[lo]!;
    let best: number;
    if (minRaw === maxRaw) best = byPosition.top(stamp);
    else {
      const span = maxRaw - minRaw;
      const weight = (x: number): number => 0 + m * ((x - minRaw) / span);
      const target = weight(m > 0 ? maxRaw : minRaw);
      best = Infinity;
      held.length = 0;
      for (let i = prefix.top(stamp); i >= 0 && weight(raw[i]!) === target; i = prefix.top(stamp)) {
        if (i < best) best = i;
        held.push(i);
        prefix.pop();
      }
      for (const i of held) prefix.push(i, raw[i]!, stamp[i]!);
    }
    const pool = pools[best]!;
    stamp[best] = -1;
    place(pool);
    placed++;
    if (!measure(best)) return { placed, exhausted: false };
    enter(best);
  }
  return { placed, exhausted: false };
}
