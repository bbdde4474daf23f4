import { capacityFactorsInto, wantsThin, type CapacityFactors } from './capacity.js';
import { AvailabilityZoneFilter } from './filters/availability-zone-filter.js';
import { CapabilitiesFilter } from './filters/capabilities-filter.js';
import type { PoolState } from './host-manager.js';
import type { FilterContext, FilterProperties, SchedulerConfig } from './types.js';
import { capacityRaw, CapacityWeigher } from './weighers/capacity-weigher.js';

/**
 * The default-like filter + weigh step of a trace-light create, answered
 * from per-pool results kept until the pool's `version` moves.
 *
 * It gives the very pool (and weight) the full loop gives, or says it
 * cannot (FALLBACK) and the caller runs the full loop: filters and
 * weighers are pure, so running them afterwards changes nothing.  Only
 * the capacity check depends on the size; everything else a filter or
 * CapacityWeigher reads is cached per pool, and the min-max
 * normalisation is done with the weigher's own arithmetic.
 */

export type FastFilterName = 'AvailabilityZoneFilter' | 'CapacityFilter' | 'CapabilitiesFilter';
const FAST_FILTERS: readonly string[] = ['AvailabilityZoneFilter', 'CapacityFilter', 'CapabilitiesFilter'];

export const FALLBACK = 'fallback';
export const NO_SURVIVOR = 'none';
export type FastResult = { pool: PoolState; weight: number } | typeof FALLBACK | typeof NO_SURVIVOR;

// Filter steps in enabled order.
const AZ = 0;
const CAPACITY = 1;
const CAPABILITIES = 2;

// Size-independent verdicts of one request class, per pool.
const AZ_FAIL = 1;
const CAPS_FAIL = 2;
const CAPS_THROW = 4;
const AZ_THROW = 8;

// What CapacityFilter does with a pool, whatever the (non-zero) size.
const CAP_PASS = 0;
const CAP_REJECT = 1;
const CAP_THROW = 2;
/** Thin request on a thin pool with ratio >= 1: provisioned ratio, then free space. */
const CAP_THIN = 3;
/** Everything else that reaches the numbers: virtual free against the size. */
const CAP_THICK = 4;


/** Whether a scheduler so configured may use the fast path at all. */
export function fastPathApplies(config: SchedulerConfig, filterNames: readonly string[]): boolean {
  if (filterNames.some((n) => !FAST_FILTERS.includes(n))) return false;
  const w = config.scheduler_default_weighers;
  return w.length === 1 && w[0] === 'CapacityWeigher';
}

/**
 * Per-pool results by candidate position, one record of STRIDE numbers
 * per pool, so that a decision reads one record (a cache line) and the
 * pool's version per pool.  A thin record (one per thin-ness) holds what
 * CapacityFilter and CapacityWeigher make of the pool; a class record (one
 * per request class: AZ and extra specs, hence one thin-ness) copies it and
 * adds the AZ and capabilities verdicts to the code.
 */
const R_VERSION = 0;
/** Thin record: the capacity kind; class record: kind + 8 * verdict. */
const R_CODE = 1;
/** CAP_THIN: total available (rounded); CAP_THICK: virtual free (rounded). */
const R_A = 2;
/** CAP_THIN: virtual free (rounded). */
const R_B = 3;
const R_PROVISIONED = 4;
const R_RATIO = 5;
const R_RAW = 6;
const R_RAW_OK = 7;
const STRIDE = 8;
const KIND_BITS = 7;
const VERDICT_SHIFT = 8;

const specsKeys = new WeakMap<object, string | null>();

/** The extra specs as CapabilitiesFilter walks them (for...in order), or null if not plain strings. */
function extraSpecsKey(specs: unknown): string | null {
  if (!specs) return '';
  if (typeof specs !== 'object') return null;
  let key = specsKeys.get(specs);
  if (key !== undefined) return key;
  key = '';
  const rec = specs as Record<string, unknown>;
  for (const k in rec) {
    const v = rec[k];
    if (typeof v !== 'string') {
      key = null;
      break;
    }
    key += JSON.stringify(k) + ':' + JSON.stringify(v) + ',';
  }
  specsKeys.set(specs, key);
  return key;
}

/** What AvailabilityZoneFilter and CapabilitiesFilter read of a create request, as one string; null if unusual. */
function requestClassKey(props: FilterProperties): string | null {
  const spec = props.request_spec;
  let az: string;
  const zones = spec.availability_zones;
  if (zones && zones.length > 0) {
    if (!Array.isArray(zones) || zones.some((z) => typeof z !== 'string')) return null;
    az = 'Z' + JSON.stringify(zones);
  } else {
    const requested = spec.volume_properties.availability_zone;
    az = requested ? 'A' + JSON.stringify(requested) : 'N';
  }
  const specs = extraSpecsKey(props.volume_type.extra_specs);
  return specs === null ? null : az + '\u0001' + specs;
}

const MAX_CLASSES = 256;

export class FastPath {
  private readonly steps: Uint8Array;
  private readonly multiplier: number;
  private candidates: readonly PoolState[] | null = null;
  private readonly classes = new Map<string, Float64Array>();
  private thinRecords: [Float64Array, Float64Array] = [newRecords(0), newRecords(0)];
  private records = new Int32Array(0);
  private versions = new Float64Array(0);
  private bestWeight = 0;
  private readonly factors: CapacityFactors = { reservedCapacityGb: 0, totalAvailableCapacityGb: 0, virtualFreeCapacityGb: 0 };

  constructor(config: SchedulerConfig, filterNames: readonly string[]) {
    this.steps = Uint8Array.from(filterNames, (n) => (n === 'AvailabilityZoneFilter' ? AZ : n === 'CapacityFilter' ? CAPACITY : CAPABILITIES));
    this.multiplier = CapacityWeigher.multiplier(config);
  }

  /**
   * The top weighed pool of a create with no resource_backend, as the full
   * loop's light mode picks it, or NO_SURVIVOR, or FALLBACK.
   */
  top(candidates: readonly PoolState[], ctx: FilterContext): FastResult {
    const props = ctx.props;
    const spec = props.request_spec;
    if (spec.operation !== 'create_volume' || spec.resource_backend || props.vol_exists_on !== undefined || props.new_size !== undefined) return FALLBACK;
    const requested = props.size;
    if (typeof requested !== 'number') return FALLBACK;
    const key = requestClassKey(props);
    if (key === null) return FALLBACK;
    this.adopt(candidates);
    const n = candidates.length;
    let cls = this.classes.get(key);
    if (cls === undefined) {
      if (this.classes.size >= MAX_CLASSES) this.classes.clear();
      cls = newRecords(n);
      this.classes.set(key, cls);
    }
    const thinReq = wantsThin(props.volume_type.extra_specs);
    const tc = this.thinRecords[thinReq ? 1 : 0];
    const records = this.records;
    // A zero size passes CapacityFilter before it looks at the pool.
    const codeMask = requested !== 0 ? -1 : ~KIND_BITS;
    const multiplier = this.multiplier;
    // The first maximal weight is at a strict running maximum of the raw values (multiplier > 0)
    // or a strict running minimum (< 0); see weighTop.
    const highs = multiplier > 0;
    let count = 0;
    let first = -1;
    let recordCount = 0;
    // weighEach's min/max over the survivors, tracked as it tracks them.
    let min = NaN;
    let max = NaN;
    // The versions first, in a loop of their own: the pools lie all over the heap, and a
    // loop that does nothing else keeps many of those loads in flight at once.
    const versions = this.versions;
    for (let i = 0; i < n; i++) versions[i] = candidates[i]!.version;
    for (let i = 0; i < n; i++) {
      const r = i * STRIDE;
      if (cls[r + R_VERSION] !== versions[i]) this.refresh(cls, tc, r, candidates[i]!, ctx, thinReq);
      const code = cls[r + R_CODE]! & codeMask;
      let pass: boolean;
      if (code === CAP_THICK) {
        // The common cases inline: CapacityFilter's comparisons (capacity-filter.ts) on cached factors.
        pass = cls[r + R_A]! >= requested;
      } else if (code === CAP_THIN) {
        const provisionedRatio = (cls[r + R_PROVISIONED]! + requested) / cls[r + R_A]!;
        pass = !(provisionedRatio > cls[r + R_RATIO]!) && cls[r + R_B]! >= requested;
      } else if (code === CAP_PASS) {
        pass = true;
      } else if (code & (AZ_THROW * VERDICT_SHIFT)) {
        return FALLBACK;
      } else if (code & (CAPS_THROW * VERDICT_SHIFT) || (code & KIND_BITS) === CAP_THROW) {
        // Some filter would raise: whether Cinder gets there depends on the filter order.
        const verdict = (code - (code & KIND_BITS)) / VERDICT_SHIFT;
        const outcome = this.ordered(verdict, code & KIND_BITS, cls, r, requested);
        if (outcome === CAP_THROW) return FALLBACK;
        pass = outcome === CAP_PASS;
      } else {
        // A verdict that fails without raising, or a capacity kind that always rejects.
        pass = false;
      }
      if (!pass) continue;
      if (cls[r + R_RAW_OK] !== 1) return FALLBACK;
      const w = cls[r + R_RAW]!;
      if (count === 0) {
        min = w;
        max = w;
        first = r;
        records[recordCount++] = r;
      } else if (highs ? w > max : w < min) {
        records[recordCount++] = r;
      }
      if (w < min) min = w;
      else if (w > max) max = w;
      count++;
    }
    if (count === 0) return NO_SURVIVOR;
    const best = this.weighTop(cls, first, recordCount, min, max);
    if (best < 0) return FALLBACK;
    return { pool: candidates[best / STRIDE]!, weight: this.bestWeight };
  }

  /**
   * A class record brought up to the pool's version, with the thin record it
   * copies.  A current class record vouches for nothing else: each class
   * catches up on its own.
   */
  private refresh(cls: Float64Array, tc: Float64Array, r: number, pool: PoolState, ctx: FilterContext, thin: boolean): void {
    const v = pool.version;
    const verdict = classVerdict(pool, ctx);
    if (tc[r + R_VERSION] !== v) {
      this.fillThin(tc, r, pool, thin);
      tc[r + R_VERSION] = v;
    }
    cls[r + R_CODE] = tc[r + R_CODE]! + verdict * VERDICT_SHIFT;
    for (let k = R_A; k < STRIDE; k++) cls[r + k] = tc[r + k]!;
    cls[r + R_VERSION] = v;
  }

  /** The filters in enabled order: CAP_PASS, CAP_REJECT at the first failing one, or CAP_THROW. */
  private ordered(verdict: number, kind: number, rec: Float64Array, r: number, requested: number): number {
    for (const step of this.steps) {
      if (step === AZ) {
        if (verdict & AZ_FAIL) return CAP_REJECT;
      } else if (step === CAPABILITIES) {
        if (verdict & CAPS_THROW) return CAP_THROW;
        if (verdict & CAPS_FAIL) return CAP_REJECT;
      } else {
        if (kind === CAP_THROW) return CAP_THROW;
        if (!capacityPasses(kind, rec, r, requested)) return CAP_REJECT;
      }
    }
    return CAP_PASS;
  }

  /**
   * get_weighed_backends' arithmetic (normalize, then 0 + multiplier * n)
   * and the stable descending sort's first: the record of the first
   * maximal weight (its weight left in bestWeight), or -1.
   *
   * With a finite multiplier m > 0 the weight f(raw) is non-decreasing in
   * raw (every rounded step is), so no weight exceeds f(max), and the first
   * survivor k with f(raw_k) = f(max) has every earlier survivor below it in
   * weight, hence in raw: k is a strict running maximum, and along those
   * records f does not decrease.  m < 0 mirrors this with running minima.
   * With m = 0 every weight is 0; with m infinite or NaN the first weight
   * is NaN or infinite and no later one is greater: the first survivor wins,
   * as it does when min = max.
   */
  private weighTop(rec: Float64Array, first: number, recordCount: number, min: number, max: number): number {
    const multiplier = this.multiplier;
    if (min === max) {
      this.bestWeight = 0 + multiplier * 0;
      return first;
    }
    const span = max - min;
    if (multiplier !== 0 && Number.isFinite(multiplier)) {
      const records = this.records;
      const target = 0 + multiplier * (((multiplier > 0 ? max : min) - min) / span);
      for (let k = 0; k < recordCount; k++) {
        const r = records[k]!;
        const weight = 0 + multiplier * ((rec[r + R_RAW]! - min) / span);
        if (weight === target) {
          this.bestWeight = weight;
          return r;
        }
      }
      // Unreachable by the argument above; the full loop is the authority if it ever is.
      return -1;
    }
    this.bestWeight = 0 + multiplier * ((rec[first + R_RAW]! - min) / span);
    return first;
  }

  /** A new candidate array: positions mean other pools, so every cached result goes. */
  private adopt(candidates: readonly PoolState[]): void {
    if (candidates === this.candidates) return;
    this.candidates = candidates;
    this.classes.clear();
    this.thinRecords = [newRecords(candidates.length), newRecords(candidates.length)];
    this.records = new Int32Array(candidates.length);
    this.versions = new Float64Array(candidates.length);
  }

  /** CapacityFilter's size-independent part and CapacityWeigher's raw value of one pool. */
  private fillThin(tc: Float64Array, r: number, pool: PoolState, thin: boolean): void {
    try {
      const raw = capacityRaw(pool, thin, this.multiplier);
      tc[r + R_RAW] = raw;
      tc[r + R_RAW_OK] = Number.isFinite(raw) ? 1 : 0;
    } catch {
      tc[r + R_RAW_OK] = 0;
    }
    const free = pool.freeCapacityGb;
    const total = pool.totalCapacityGb;
    let kind: number;
    // capacity-filter.ts, step by step, for a size that is not 0 and no vol_exists_on.
    if (free.kind === 'missing') kind = CAP_REJECT;
    else if (free.kind !== 'gb') kind = CAP_PASS;
    else if (total.kind === 'infinite' || total.kind === 'unknown') kind = pool.reservedPercentage / 100 === 0 ? CAP_PASS : CAP_REJECT;
    else if (total.kind === 'missing') kind = CAP_THROW;
    else if (total.gb <= 0) kind = CAP_REJECT;
    else {
      const thinSupport = pool.thinProvisioningSupport;
      const ratio = pool.maxOverSubscriptionRatio;
      const f = capacityFactorsInto(this.factors, total.gb, free.gb, pool.provisionedCapacityGb, thinSupport, thinSupport ? ratio : 1, pool.reservedPercentage, thin);
      if (thin && thinSupport && ratio >= 1) {
        if (f.totalAvailableCapacityGb === 0) kind = CAP_THROW;
        else {
          kind = CAP_THIN;
          tc[r + R_A] = f.totalAvailableCapacityGb;
          tc[r + R_B] = f.virtualFreeCapacityGb;
          tc[r + R_PROVISIONED] = pool.provisionedCapacityGb;
          tc[r + R_RATIO] = ratio;
        }
      } else if (thin && thinSupport) kind = CAP_REJECT;
      else {
        kind = CAP_THICK;
        tc[r + R_A] = f.virtualFreeCapacityGb;
      }
    }
    tc[r + R_CODE] = kind;
  }
}

/** CapacityFilter's verdict once the size is known (same float operations as the filter). */
function capacityPasses(kind: number, rec: Float64Array, r: number, requested: number): boolean {
  if (kind === CAP_THICK) return rec[r + R_A]! >= requested;
  if (kind === CAP_THIN) {
    const provisionedRatio = (rec[r + R_PROVISIONED]! + requested) / rec[r + R_A]!;
    if (provisionedRatio > rec[r + R_RATIO]!) return false;
    return rec[r + R_B]! >= requested;
  }
  return kind === CAP_PASS;
}

/** AvailabilityZoneFilter and CapabilitiesFilter for one pool; a raise is remembered, not thrown. */
function classVerdict(pool: PoolState, ctx: FilterContext): number {
  let v = 0;
  try {
    if (!AvailabilityZoneFilter.backendPasses(pool, ctx).pass) v |= AZ_FAIL;
  } catch {
    // Never raises today; if it did, the full loop would say where.
    return AZ_THROW;
  }
  try {
    if (!CapabilitiesFilter.backendPasses(pool, ctx).pass) v |= CAPS_FAIL;
  } catch {
    v |= CAPS_THROW;
  }
  return v;
}

/** n records, each with its version at -1: nothing cached yet. */
function newRecords(n: number): Float64Array {
  const a = new Float64Array(n * STRIDE);
  for (let i = 0; i < a.length; i += STRIDE) a[i + R_VERSION] = -1;
  return a;
}
