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
