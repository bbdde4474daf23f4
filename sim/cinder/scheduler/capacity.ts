import type { PoolState } from './host-manager.js';
import { PyError, pyFloat, pyRound2, pyTruthy, type Json } from './python.js';

/**
 * A reported capacity: GB, or one of Cinder's two words.  `missing` is an
 * explicit null (a broken stats collection, which CapacityFilter fails).
 * Parsed once when a report arrives; nothing else looks at the raw value.
 */
export type Capacity = { kind: 'gb'; gb: number } | { kind: 'infinite' } | { kind: 'unknown' } | { kind: 'missing' };

export const INFINITE: Capacity = { kind: 'infinite' };
export const UNKNOWN: Capacity = { kind: 'unknown' };
export const MISSING: Capacity = { kind: 'missing' };

export function gb(n: number): Capacity {
  return { kind: 'gb', gb: n };
}

/** `absent` is what Cinder's `.get(key, 0)` gives when the key is not there. */
export function parseCapacity(v: Json | undefined): Capacity {
  if (v === undefined) return gb(0);
  if (v === null) return MISSING;
  if (v === 'infinite') return INFINITE;
  if (v === 'unknown') return UNKNOWN;
  return gb(pyFloat(v));
}

export function isInfiniteOrUnknown(c: Capacity): boolean {
  return c.kind === 'infinite' || c.kind === 'unknown';
}

/** The value Cinder would hold: a number, the word, or None. */
export function capacityJson(c: Capacity): Json {
  return c.kind === 'gb' ? c.gb : c.kind === 'missing' ? null : c.kind;
}

export interface CapacityFactors {
  reservedCapacityGb: number;
  /** round(x, 2) as Cinder rounds it. */
  totalAvailableCapacityGb: number;
  /** round(x, 2) as Cinder rounds it. */
  virtualFreeCapacityGb: number;
}

/** utils.calculate_capacity_factors, the rounded outputs the scheduler reads. */
export function capacityFactors(
  totalGb: number,
  freeGb: number,
  provisionedGb: number,
  thinSupport: boolean,
  ratio: number,
  reservedPercentage: number,
  thin: boolean,
): CapacityFactors {
  return { ...capacityFactorsInto(SCRATCH, totalGb, freeGb, provisionedGb, thinSupport, ratio, reservedPercentage, thin) };
}

const SCRATCH: CapacityFactors = { reservedCapacityGb: 0, totalAvailableCapacityGb: 0, virtualFreeCapacityGb: 0 };

/** capacityFactors without allocating: fills and returns `out` (the per-pool hot path). */
export function capacityFactorsInto(
  out: CapacityFactors,
  totalGb: number,
  freeGb: number,
  provisionedGb: number,
  thinSupport: boolean,
  ratio: number,
  reservedPercentage: number,
  thin: boolean,
): CapacityFactors {
  const reserved = reservedPercentage / 100;
  const reservedCapacityGb = Math.floor(totalGb * reserved);
  const usable = totalGb - reservedCapacityGb;
  let totalAvailable: number;
  let virtualFree: number;
  if (thin && thinSupport) {
    totalAvailable = usable * ratio;
    virtualFree = totalAvailable - provisionedGb;
  } else {
    totalAvailable = usable;
    const calculated = totalAvailable - provisionedGb;
    virtualFree = freeGb < calculated ? freeGb : calculated;
  }
  out.reservedCapacityGb = reservedCapacityGb;
  out.totalAvailableCapacityGb = pyRound2(totalAvailable);
  out.virtualFreeCapacityGb = pyRound2(virtualFree);
  return out;
}

/** Cinder's INITIAL_AUTO_MOSR: the 'auto' ratio before anything is provisioned. */
export const INITIAL_AUTO_MOSR = 20;

/**
 * utils.calculate_max_over_subscription_ratio, from one capability dict.
 * `globalRatio` is the max_over_subscription_ratio option (a string).
 */
export function maxOverSubscriptionRatio(cap: Readonly<Record<string, Json>>, globalRatio: string): number {
  if (!pyTruthy(cap['thin_provisioning_support'])) return 1.0;
  // dict.get(key, 0): an explicit null stays None.
  const total = cap['total_capacity_gb'] !== undefined ? cap['total_capacity_gb'] : 0;
  const free = cap['free_capacity_gb'] !== undefined ? cap['free_capacity_gb'] : 0;
  if (total === 'infinite' || total === 'unknown' || free === 'infinite' || free === 'unknown') return 1.0;
  const own = cap['max_over_subscription_ratio'];
  const value: Json = pyTruthy(own) ? own! : globalRatio;
  if (value === 'auto') {
    const allocated = cap['allocated_capacity_gb'] !== undefined ? cap['allocated_capacity_gb'] : 0;
    const provisioned = pyFloat(cap['provisioned_capacity_gb'] !== undefined ? cap['provisioned_capacity_gb'] : allocated);
    if (provisioned !== 0) {
      if (typeof total !== 'number' || typeof free !== 'number') {
        throw new PyError('TypeError', `max_over_subscription_ratio 'auto' computes total_capacity_gb - free_capacity_gb, and the pool reports ${JSON.stringify(total)} and ${JSON.stringify(free)}: unsupported operand type(s) for -`);
      }
      const used = total - free;
      if (used + 1 === 0) {
        throw new PyError('ZeroDivisionError', `max_over_subscription_ratio 'auto' divides provisioned capacity by (total - free + 1) = 0 (total_capacity_gb ${total}, free_capacity_gb ${free}): float division by zero`);
      }
      return 1 + provisioned / (used + 1);
    }
    return INITIAL_AUTO_MOSR;
  }
  return pyFloat(value);
}

/** thin = not (extra spec provisioning:type == 'thick'), exactly as the filter and weigher read it. */
export function wantsThin(extraSpecs: Readonly<Record<string, string>> | undefined): boolean {
  return extraSpecs?.['provisioning:type'] !== 'thick';
}

// Which of CapacityFilter's rules decides for a pool, for any request other than 0 GB (see capacityRule).
/** Free capacity 'infinite' / 'unknown', or an unsized total with no reserve: every size passes. */
export const RULE_PASSES = 0;
/** free_capacity_gb is null: nothing passes. */
export const RULE_FREE_UNREPORTED = 1;
/** An unsized total ('infinite' / 'unknown') with a reserve: nothing passes. */
export const RULE_RESERVED_ON_UNSIZED = 2;
/** A numeric free capacity with a null total: Cinder raises (TypeError). */
export const RULE_TOTAL_MISSING = 3;
/** total_capacity_gb <= 0: nothing passes. */
export const RULE_NO_TOTAL = 4;
/** A thin request on a thin pool, ratio >= 1, nothing available to over-subscribe: Cinder raises (ZeroDivisionError). */
export const RULE_THIN_NO_AVAILABLE = 5;
/** A thin request on a thin pool, ratio >= 1: the over-subscription test, then virtual free space. */
export const RULE_THIN = 6;
/** A thin request on a thin pool with a ratio below 1: nothing passes. */
export const RULE_INVALID_RATIO = 7;
/** Everything else: virtual free space (free less the reserve). */
const RULE_FREE_SPACE = 8;

/**
 * CapacityFilter's decision tree for one pool, up to the comparison with
 * the requested size: which rule decides, with `f` filled for RULE_THIN,
 * RULE_THIN_NO_AVAILABLE and RULE_FREE_SPACE.  The filter and the fast
 * path both start here, so they cannot disagree on the rules.
 */
export function capacityRule(pool: PoolState, thin: boolean, f: CapacityFactors): number {
  const free = pool.freeCapacityGb;
  const total = pool.totalCapacityGb;
  if (free.kind === 'missing') return RULE_FREE_UNREPORTED;
  if (free.kind !== 'gb') return RULE_PASSES;
  if (total.kind === 'infinite' || total.kind === 'unknown') return pool.reservedPercentage / 100 === 0 ? RULE_PASSES : RULE_RESERVED_ON_UNSIZED;
  if (total.kind === 'missing') return RULE_TOTAL_MISSING;
  if (total.gb <= 0) return RULE_NO_TOTAL;
  const thinSupport = pool.thinProvisioningSupport;
  const ratio = pool.maxOverSubscriptionRatio;
  capacityFactorsInto(f, total.gb, free.gb, pool.provisionedCapacityGb, thinSupport, thinSupport ? ratio : 1, pool.reservedPercentage, thin);
  if (thin && thinSupport && ratio >= 1) return f.totalAvailableCapacityGb === 0 ? RULE_THIN_NO_AVAILABLE : RULE_THIN;
  if (thin && thinSupport) return RULE_INVALID_RATIO;
  return RULE_FREE_SPACE;
}

/**
 * The largest request (GB) CapacityFilter lets through this pool under
 * `rule` (from capacityRule with the same `f`): +Infinity (any), -Infinity
 * (none), or NaN when the filter raises or no exact limit is known.
 */
export function capacityLimitGb(rule: number, pool: PoolState, f: CapacityFactors): number {
  switch (rule) {
    case RULE_PASSES:
      return Infinity;
    case RULE_THIN:
      return Math.min(thinRatioLimit(pool.provisionedCapacityGb, f.totalAvailableCapacityGb, pool.maxOverSubscriptionRatio), f.virtualFreeCapacityGb);
    case RULE_FREE_SPACE:
      return f.virtualFreeCapacityGb;
    case RULE_TOTAL_MISSING:
    case RULE_THIN_NO_AVAILABLE:
      return NaN;
    default:
      return -Infinity;
  }
}

/**
 * The largest double x with !((provisioned + x) / totalAvailable > ratio),
 * CapacityFilter's over-subscription test, or NaN when the inputs are not
 * plain (then the filter itself is asked).  The test is monotone in x
 * (each rounded step is, totalAvailable > 0), so x passes it iff x <= the
 * limit; the limit is found by bisection over doubles around the real root.
 */
export function thinRatioLimit(provisioned: number, totalAvailable: number, ratio: number): number {
  if (!(totalAvailable > 0) || !Number.isFinite(totalAvailable) || !Number.isFinite(provisioned) || !Number.isFinite(ratio)) return NaN;
  const passes = (x: number): boolean => !((provisioned + x) / totalAvailable > ratio);
  const x0 = ratio * totalAvailable - provisioned;
  if (!Number.isFinite(x0)) return NaN;
  let lo: number;
  let hi: number;
  let d = Math.max(Math.abs(x0), 1) * 2 ** -40;
  if (passes(x0)) {
    lo = x0;
    hi = x0 + d;
    while (passes(hi)) {
      if (!Number.isFinite(hi)) return NaN;
      lo = hi;
      d *= 2;
      hi = x0 + d;
    }
  } else {
    hi = x0;
    lo = x0 - d;
    while (!passes(lo)) {
      if (!Number.isFinite(lo)) return NaN;
      hi = lo;
      d *= 2;
      lo = x0 - d;
    }
  }
  if (!Number.isFinite(hi - lo)) return NaN;
  for (;;) {
    const mid = lo + (hi - lo) / 2;
    if (!(mid > lo && mid < hi)) break;
    if (passes(mid)) lo = mid;
    else hi = mid;
  }
  // Exact by monotonicity once lo passes and the very next double does not.
  return passes(lo) && !passes(nextUp(lo)) ? lo : NaN;
}

const bitsF64 = new Float64Array(1);
const bitsI64 = new BigInt64Array(bitsF64.buffer);

/** The least double above a finite x. */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  bitsF64[0] = x;
  bitsI64[0] = bitsI64[0]! + (x > 0 ? 1n : -1n);
  return bitsF64[0];
}
