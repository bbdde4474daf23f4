import { capacityLimitGb, capacityRule, RULE_THIN_NO_AVAILABLE, RULE_TOTAL_MISSING, wantsThin, type CapacityFactors } from './capacity.js';
import { AvailabilityZoneFilter } from './filters/availability-zone-filter.js';
import { CapabilitiesFilter } from './filters/capabilities-filter.js';
import { filters as filterRegistry } from './filters/index.js';
import type { PoolJournal } from './cache/pool-journal.js';
import type { Capabilities, PoolState } from './host-manager.js';
import type { BackendFilter, FilterContext, FilterProperties, SchedulerConfig } from './types.js';
import { capacityRaw, CapacityWeigher } from './weighers/capacity-weigher.js';

/**
 * The default-like filter + weigh step of a trace-light create, answered
 * from per-pool results kept until the pool's `version` moves.
 *
 * It gives the very pool (and weight) the full loop gives, or says it
 * cannot (FALLBACK) and the caller runs the full loop: filters and
 * weighers are pure, so running them afterwards changes nothing.
 *
 * Per pool and request class (AZ + extra specs) one number, the largest
 * size the three filters let through: -Infinity when the AZ or the
 * capabilities fail, +Infinity when the capacity check always passes,
 * NaN when the real filters must be asked (something raises, or an
 * unusual capacity).  A decision compares the size with it, and
 * normalises CapacityWeigher's cached raw values over the survivors with
 * the weigher's own arithmetic.
 */

const FAST_FILTERS: readonly string[] = ['AvailabilityZoneFilter', 'CapacityFilter', 'CapabilitiesFilter'];

export const FALLBACK = 'fallback';
export const NO_SURVIVOR = 'none';
export type FastResult = { pool: PoolState; weight: number } | typeof FALLBACK | typeof NO_SURVIVOR;

// The AZ and capabilities verdicts of one request class, per pool.
const AZ_FAIL = 1;
const CAPS_FAIL = 2;
const CAPS_THROW = 4;
const AZ_THROW = 8;
const THROWS = CAPS_THROW | AZ_THROW;

// What CapacityFilter does with a pool, for any finite size other than 0.
const CAP_PASS = 0;
const CAP_REJECT = 1;
const CAP_THROW = 2;
/** Passes up to a size limit. */
const CAP_LIMIT = 3;

// A pool run through the real filters.
const PASSES = 0;
const REJECTED = 1;
const RAISES = 2;

/** Whether a scheduler so configured may use the fast path at all. */
export function fastPathApplies(config: SchedulerConfig, filterNames: readonly string[]): boolean {
  if (filterNames.some((n) => !FAST_FILTERS.includes(n))) return false;
  const w = config.scheduler_default_weighers;
  return w.length === 1 && w[0] === 'CapacityWeigher';
}

/** The extra specs as CapabilitiesFilter walks them (for...in order), or null if not plain strings. */
function extraSpecsKey(specs: unknown): string | null {
  if (!specs) return '';
  if (typeof specs !== 'object') return null;
  let key = '';
  const rec = specs as Record<string, unknown>;
  for (const k in rec) {
    const v = rec[k];
    if (typeof v !== 'string') return null;
    key += JSON.stringify(k) + ':' + JSON.stringify(v) + ',';
  }
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

/** One request class's limit per candidate position, caught up lazily with the log of changed positions. */
interface RequestClass {
  /** CapabilitiesFilter reads only the pool's capabilities dict: its verdict holds while the dict does. */
  capsOf: (Capabilities | undefined)[];
  capsVerdict: Uint8Array;
  /** The largest size passing all three filters (see the file comment). */
  limit: Float64Array;
  /** Positions, ascending, whose limit is not -Infinity: the only ones a decision looks at. */
  members: Int32Array;
  memberCount: number;
  /** A limit moved to or from -Infinity since members was built. */
  membersStale: boolean;
  /** Absolute position in the change log up to which the limits are current. */
  cursor: number;
}

/** CapacityFilter's and CapacityWeigher's view of every pool, for thin or for thick requests. */
interface CapacityView {
  kind: Uint8Array;
  limit: Float64Array;
  raw: Float64Array;
  /** 1 when raw is a finite weight; else the weigher raises or needs its infinity handling. */
  rawOk: Uint8Array;
}

function capacityView(n: number): CapacityView {
  return { kind: new Uint8Array(n), limit: new Float64Array(n), raw: new Float64Array(n), rawOk: new Uint8Array(n) };
}

const MAX_CLASSES = 256;

export class FastPath {
  private readonly enabled: readonly BackendFilter[];
  /** Which of the three filters are enabled: a class limit folds in only those. */
  private readonly uses: FilterUse;
  private readonly multiplier: number;
  private candidates: readonly PoolState[] | null = null;
  /** The version each position's views were computed at. */
  private seen = new Float64Array(0);
  private readonly classes = new Map<string, RequestClass>();
  private views: [CapacityView, CapacityView] = [capacityView(0), capacityView(0)];
  /** Positions whose pool changed, oldest first; logBase is the absolute position of log[0]. */
  private log: number[] = [];
  private logBase = 0;
  private records = new Int32Array(0);
  private bestWeight = 0;
  private readonly factors: CapacityFactors = { reservedCapacityGb: 0, totalAvailableCapacityGb: 0, virtualFreeCapacityGb: 0 };

  /** Where each candidate sits (for the journal's pools). */
  private position = new Map<PoolState, number>();
  private journalCursor = -1;

  constructor(
    config: SchedulerConfig,
    filterNames: readonly string[],
    /** The host manager's journal of version moves: with it, a call visits the changed pools only. */
    private readonly journal: PoolJournal | null = null,
  ) {
    this.enabled = filterNames.map((n) => filterRegistry[n as keyof typeof filterRegistry]);
    this.uses = { az: filterNames.includes('AvailabilityZoneFilter'), caps: filterNames.includes('CapabilitiesFilter'), capacity: filterNames.includes('CapacityFilter') };
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
    // A zero size skips CapacityFilter's look at the pool; rare enough for the full loop.
    if (typeof requested !== 'number' || !Number.isFinite(requested) || requested === 0) return FALLBACK;
    const key = requestClassKey(props);
    if (key === null) return FALLBACK;
    this.adopt(candidates);
    this.catchUp(candidates);
    const thin = wantsThin(props.volume_type.extra_specs);
    const cls = this.requestClass(key, thin, candidates, ctx);
    const limits = cls.limit;
    const members = cls.members;
    const memberCount = cls.memberCount;
    const view = this.views[thin ? 1 : 0];
    const raw = view.raw;
    const records = this.records;
    // The first maximal weight is at a strict running maximum of the raw values (multiplier > 0)
    // or a strict running minimum (< 0); see weighTop.
    const highs = this.multiplier > 0;
    let count = 0;
    let first = -1;
    let recordCount = 0;
    // weighEach's min/max over the survivors, tracked as it tracks them.
    let min = NaN;
    let max = NaN;
    for (let m = 0; m < memberCount; m++) {
      const i = members[m]!;
      const limit = limits[i]!;
      if (!(limit >= requested)) {
        if (limit === limit) continue;
        const outcome = this.realFilters(candidates[i]!, ctx);
        if (outcome === RAISES) return FALLBACK;
        if (outcome === REJECTED) continue;
        if (view.rawOk[i] !== 1) return FALLBACK;
      }
      const w = raw[i]!;
      if (count === 0) {
        min = w;
        max = w;
        first = i;
        records[recordCount++] = i;
      } else if (highs ? w > max : w < min) {
        records[recordCount++] = i;
      }
      if (w < min) min = w;
      else if (w > max) max = w;
      count++;
    }
    if (count === 0) return NO_SURVIVOR;
    const best = this.weighTop(raw, first, recordCount, min, max);
    if (best < 0) return FALLBACK;
    return { pool: candidates[best]!, weight: this.bestWeight };
  }

  /** The enabled filters themselves, in order, as the full loop meets them for this pool. */
  private realFilters(pool: PoolState, ctx: FilterContext): number {
    for (const filter of this.enabled) {
      try {
        if (!filter.backendPasses(pool, ctx).pass) return REJECTED;
      } catch {
        return RAISES;
      }
    }
    return PASSES;
  }

  /** A new candidate array: positions mean other pools, so every cached result goes. */
  private adopt(candidates: readonly PoolState[]): void {
    if (candidates === this.candidates) return;
    const n = candidates.length;
    this.candidates = candidates;
    this.seen = new Float64Array(n).fill(-1);
    this.classes.clear();
    this.views = [capacityView(n), capacityView(n)];
    this.records = new Int32Array(n);
    this.logBase += this.log.length;
    this.log = [];
    this.position = new Map(candidates.map((p, i) => [p, i]));
    this.journalCursor = -1;
  }

  /**
   * Every pool's version, in a loop of its own (the pools lie all over the
   * heap; a loop doing nothing else keeps many of those loads in flight);
   * a changed pool gets its capacity views now and its class limits when
   * each class is next used.
   */
  private catchUp(candidates: readonly PoolState[]): void {
    const n = candidates.length;
    // Classes that fell behind a trimmed log start over (see requestClass).
    if (this.log.length > 4 * n) {
      this.logBase += this.log.length;
      this.log = [];
    }
    const journal = this.journal;
    if (journal !== null && this.journalCursor >= 0) {
      const caughtUp = journal.since(this.journalCursor, (pool) => {
        const i = this.position.get(pool);
        if (i !== undefined) this.refresh(i, pool);
      });
      this.journalCursor = journal.end;
      if (caughtUp) return;
    }
    if (journal !== null) this.journalCursor = journal.end;
    for (let i = 0; i < n; i++) this.refresh(i, candidates[i]!);
  }

  private refresh(i: number, pool: PoolState): void {
    const v = pool.version;
    if (v === this.seen[i]) return;
    this.seen[i] = v;
    this.fillView(this.views[0], i, pool, false);
    this.fillView(this.views[1], i, pool, true);
    this.log.push(i);
  }

  /** The class's limits, current for every position. */
  private requestClass(key: string, thin: boolean, candidates: readonly PoolState[], ctx: FilterContext): RequestClass {
    const end = this.logBase + this.log.length;
    const view = this.views[thin ? 1 : 0];
    let cls = this.classes.get(key);
    if (cls === undefined || cls.cursor < this.logBase) {
      if (cls === undefined) {
        if (this.classes.size >= MAX_CLASSES) this.classes.clear();
        const n = candidates.length;
        cls = {
          capsOf: new Array<Capabilities | undefined>(n).fill(undefined),
          capsVerdict: new Uint8Array(n),
          limit: new Float64Array(n),
          members: new Int32Array(n),
          memberCount: 0,
          membersStale: true,
          cursor: end,
        };
        this.classes.set(key, cls);
      }
      for (let i = 0; i < candidates.length; i++) classLimit(this.uses, cls, view, i, candidates[i]!, ctx);
    } else {
      const log = this.log;
      for (let k = cls.cursor - this.logBase; k < log.length; k++) classLimit(this.uses, cls, view, log[k]!, candidates[log[k]!]!, ctx);
    }
    cls.cursor = end;
    if (cls.membersStale) {
      let m = 0;
      for (let i = 0; i < candidates.length; i++) if (cls.limit[i] !== -Infinity) cls.members[m++] = i;
      cls.memberCount = m;
      cls.membersStale = false;
    }
    return cls;
  }

  /**
   * get_weighed_backends' arithmetic (normalize, then 0 + multiplier * n)
   * and the stable descending sort's first: the position of the first
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
  private weighTop(raw: Float64Array, first: number, recordCount: number, min: number, max: number): number {
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
        const i = records[k]!;
        const weight = 0 + multiplier * ((raw[i]! - min) / span);
        if (weight === target) {
          this.bestWeight = weight;
          return i;
        }
      }
      // Unreachable by the argument above; the full loop is the authority if it ever is.
      return -1;
    }
    this.bestWeight = 0 + multiplier * ((raw[first]! - min) / span);
    return first;
  }

  /** CapacityFilter's answer for any finite non-zero size, and CapacityWeigher's raw value, of one pool. */
  private fillView(view: CapacityView, i: number, pool: PoolState, thin: boolean): void {
    try {
      const raw = capacityRaw(pool, thin, this.multiplier);
      view.raw[i] = raw;
      view.rawOk[i] = Number.isFinite(raw) ? 1 : 0;
    } catch {
      view.rawOk[i] = 0;
    }
    // CapacityFilter's own rules and limit (capacity.ts).
    const rule = capacityRule(pool, thin, this.factors);
    const limit = capacityLimitGb(rule, pool, this.factors);
    const kind = limit === Infinity ? CAP_PASS : limit === -Infinity ? CAP_REJECT : rule === RULE_TOTAL_MISSING || rule === RULE_THIN_NO_AVAILABLE ? CAP_THROW : CAP_LIMIT;
    view.kind[i] = kind;
    view.limit[i] = kind === CAP_PASS ? Infinity : kind === CAP_REJECT ? -Infinity : limit;
  }
}

interface FilterUse {
  az: boolean;
  caps: boolean;
  capacity: boolean;
}

/** AvailabilityZoneFilter and CapabilitiesFilter at position i, folded with the capacity view into the class limit. */
function classLimit(uses: FilterUse, cls: RequestClass, view: CapacityView, i: number, pool: PoolState, ctx: FilterContext): void {
  if (uses.caps && cls.capsOf[i] !== pool.capabilities) {
    let caps = 0;
    try {
      if (!CapabilitiesFilter.backendPasses(pool, ctx).pass) caps = CAPS_FAIL;
    } catch {
      caps = CAPS_THROW;
    }
    cls.capsVerdict[i] = caps;
    cls.capsOf[i] = pool.capabilities;
  }
  let az = 0;
  if (uses.az) {
    try {
      if (!AvailabilityZoneFilter.backendPasses(pool, ctx).pass) az = AZ_FAIL;
    } catch {
      az = AZ_THROW;
    }
  }
  const verdict = az | cls.capsVerdict[i]!;
  let limit: number;
  // Whether a raise is reached depends on the filter order: NaN sends the pool to the real filters.
  if (verdict & THROWS || (uses.capacity && view.kind[i] === CAP_THROW)) limit = NaN;
  else if (verdict !== 0) limit = -Infinity;
  else if (view.rawOk[i] !== 1) limit = NaN;
  else limit = uses.capacity ? view.limit[i]! : Infinity;
  if ((limit === -Infinity) !== (cls.limit[i] === -Infinity)) cls.membersStale = true;
  cls.limit[i] = limit;
}
