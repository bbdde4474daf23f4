import { filters as filterRegistry, filterNames, isFilterName, type FilterName } from './filters/index.js';
import { FALLBACK, FastPath, fastPathApplies } from './fast-path.js';
import type { Log } from '../../ports/log.js';
import { extractBackend, extractPool } from '../host.js';
import type { HostManager, PoolState, ServiceInfo } from './host-manager.js';
import { PyError, pyRepr, type Json } from './python.js';
import { schedulerDefaults } from '../config/resolved.js';
import { RAISES, type BackendFilter, type BackendWeigher, type FilterContext, type FilterProperties, type LeftOutService, type Operation, type RequestSpec, type RetryInfo, type SchedulerConfig, type SchedulingLookups, type Verdict } from './types.js';
import { normalize } from './weighers/base.js';
import { isWeigherName, weighers as weigherRegistry, weigherNames, type WeigherName } from './weighers/index.js';

export type Rejection = { host: string; verdict: Extract<Verdict, { pass: false }> };
export interface FilterTrace {
  name: string;
  passed: string[];
  rejected: Rejection[];
}
export interface WeigherRow {
  host: string;
  raw: number;
  normalised: number;
  weighted: number;
}
export interface WeigherTrace {
  name: string;
  multiplier: number;
  min: number;
  max: number;
  rows: WeigherRow[];
}
export interface NoValidSummary {
  /** The filter that left no pool, or null (no candidates at all / emptied after weighing). */
  emptiedBy: string | null;
  /** Per candidate: the first filter that rejected it, and why. */
  firstRejections: { host: string; filter: string; verdict: Extract<Verdict, { pass: false }> }[];
  /** The pools nearest to passing (fewest failing filters; then those only short of capacity; then the smallest shortfall), at most NEAREST_MAX; full traces only. */
  nearest?: NearestPool[];
}

/** A pool that failed, and how far it was from passing. */
export interface NearestPool {
  host: string;
  /** Every filter that rejects it (from the verdict matrix), in filter order. */
  failing: string[];
  /** GB more than CapacityFilter lets through, when CapacityFilter is one of them and can say. */
  shortfallGb: number | null;
}

/** Every filter's verdict on one candidate pool: the failures, in filter order (a pool not listed under a filter passed it). */
export interface PoolVerdicts {
  host: string;
  failed: { filter: string; verdict: Extract<Verdict, { pass: false }> }[];
}

/**
 * Every configured filter on every candidate pool, evaluated apart from
 * the real loop (which stops at a pool's first rejection): a filter that
 * would raise in Cinder on a pool is a failed verdict with reason 'raises'.
 */
export interface VerdictMatrix {
  filters: string[];
  pools: PoolVerdicts[];
}

const NEAREST_MAX = 3;

/** One scheduling decision, with its explanation as data. */
export interface Decision {
  operation: Operation;
  /** Volume services that gave no candidate pool, and why (full trace only). */
  leftOut?: LeftOutService[];
  /** Pool names entering the filters (empty in trace-light mode; see candidateCount). */
  candidates: string[];
  candidateCount: number;
  /** null when the run failed before filtering. */
  filters: FilterTrace[] | null;
  /** Every filter's verdict on every candidate (full trace only, when the filters ran). */
  verdicts?: VerdictMatrix;
  weighers: WeigherTrace[];
  weighed: { host: string; weight: number }[];
  selected: string | null;
  selectedAz: string | null;
  error: string | null;
  errorType: string | null;
  /** More words for a person (valid names, the cause of a crash). */
  errorDetail?: string;
  /** The filter or weigher Cinder would have crashed in (error_type is then a Python exception). */
  crashedIn?: string;
  /** What consumption changed on the chosen pool, if any. */
  consumedGb?: number;
  resourceBackendRemoved?: string[];
  summary?: NoValidSummary;
  /** filter_properties.retry after the call (create): pass it back on a reschedule. */
  retry?: RetryInfo;
  /** The chosen pool state (not serialised). */
  pool?: PoolState;
}

export type TraceLevel = 'full' | 'light';

export interface ScheduleInput {
  /** The services table at this moment, DB order. */
  services: readonly ServiceInfo[];
  requestSpec: RequestSpec;
  /** Incoming filter_properties: retry (reschedule), scheduler_hints, new_size (extend). */
  filterProperties?: { retry?: RetryInfo; scheduler_hints?: Record<string, Json>; new_size?: number; qos_specs?: Json };
}

export interface FilterSchedulerOptions {
  hostManager: HostManager;
  config?: Partial<SchedulerConfig>;
  lookups: SchedulingLookups;
  /** 'light' skips per-pool trace rows; decisions are identical. */
  trace?: TraceLevel;
  /** Trace-light default-like creates take the cached fast path (same decisions); off unless asked for. */
  fastPath?: boolean;
  /** The scheduler service's log: the lines base_filter and filter_scheduler write.  None: nothing is logged. */
  log?: Log;
}

class Abort extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

function noValidBackend(reason: string): Abort {
  return new Abort('NoValidBackend', `No valid backend was found. ${reason}`);
}

/** Cinder's FilterScheduler (filter_scheduler.py), one decision per call, over a HostManager. */
export class FilterScheduler {
  readonly config: SchedulerConfig;
  private readonly hostManager: HostManager;
  private readonly lookups: SchedulingLookups;
  private readonly light: boolean;
  private readonly enabledFilters: { name: FilterName; filter: BackendFilter }[] | Abort;
  private readonly fast: FastPath | null = null;
  /** cinder.scheduler.base_filter and cinder.scheduler.filter_scheduler. */
  private readonly baseFilterLog: Log | null;
  private readonly log: Log | null;

  constructor(opts: FilterSchedulerOptions) {
    this.baseFilterLog = opts.log?.named('cinder.scheduler.base_filter') ?? null;
    this.log = opts.log?.named('cinder.scheduler.filter_scheduler') ?? null;
    this.config = { ...schedulerDefaults, ...opts.config };
    this.hostManager = opts.hostManager;
    this.lookups = opts.lookups;
    this.light = opts.trace === 'light';
    this.enabledFilters = chooseFilters(this.config.scheduler_default_filters);
    // FilterScheduler._max_attempts at start-up; a scheduler so configured never schedules.
    if (this.config.scheduler_max_attempts < 1) this.enabledFilters = new Abort('InvalidParameterValue', "Invalid value for 'scheduler_max_attempts', must be >=1");
    if (this.light && opts.fastPath === true && !(this.enabledFilters instanceof Abort)) {
      const names = this.enabledFilters.map((f) => f.name);
      if (fastPathApplies(this.config, names)) this.fast = new FastPath(this.config, names, this.hostManager.journal);
    }
  }

  /** schedule_create_volume: the top weighed pool, consumed, with the volume's AZ. */
  scheduleCreateVolume(input: ScheduleInput): Decision {
    return this.run(input, (d, weighed, props) => {
      const spec = input.requestSpec;
      let list = weighed;
      if (list.length > 0 && spec.resource_backend) {
        const rb = spec.resource_backend;
        const withPool = extractPool(rb) !== null;
        const keep = list.filter((w) => (withPool ? w.pool.backendId : extractBackend(w.pool.backendId)) === rb);
        d.resourceBackendRemoved = list.filter((w) => !keep.includes(w)).map((w) => w.pool.host);
        list = keep;
      }
      if (list.length === 0) {
        // _schedule: '%s' of the request spec's volume_type, a dict printed as Python prints it.
        this.log?.warning(() => `No weighed backend found for volume with properties: ${pyRepr((spec.volume_type ?? null) as Json)}`);
        throw noValidBackend('No weighed backends available');
      }
      this.choose(d, list[0]!.pool, spec.volume_properties.size);
      if (props.retry) props.retry.backends.push(list[0]!.pool.backendId);
    });
  }

  /** SchedulerManager.extend_volume: backend_passes_filters on the volume's host, then consume new_size - size. */
  extendVolume(input: ScheduleInput): Decision {
    const spec = input.requestSpec;
    const host = spec.volume_properties.cluster_name || spec.volume_properties.host || '';
    return this.run(input, (d, weighed) => {
      const ignorePool = extractPool(host) === null;
      const hit = weighed.find((w) => (ignorePool ? extractBackend(w.pool.backendId) : w.pool.backendId) === host);
      if (!hit) throw new Abort('NoValidBackend', `Cannot place volume ${spec.volume_id || '??id missing??'} on ${host}.`);
      const newSize = input.filterProperties?.new_size ?? spec.volume_properties.size;
      this.choose(d, hit.pool, newSize - spec.volume_properties.size);
    });
  }

  /** find_retype_backend: stay where the volume is if it still fits the new type, else migrate if allowed. */
  findRetypeBackend(input: ScheduleInput, migrationPolicy: string = 'never'): Decision {
    const spec = input.requestSpec;
    const backend = spec.volume_properties.cluster_name || spec.volume_properties.host || '';
    const typeRepr = pyRepr((spec.volume_type ?? null) as Json);
    const id = spec.volume_id === null ? 'None' : spec.volume_id;
    return this.run(
      input,
      (d, weighed) => {
        if (weighed.length === 0) throw noValidBackend(`No valid backends for volume ${id} with type ${typeRepr}`);
        const same = weighed.find((w) => w.pool.backendId === backend);
        if (same) return this.select(d, same.pool);
        if (extractPool(backend) === null) {
          const sameBackend = weighed.find((w) => extractBackend(w.pool.backendId) === backend);
          if (sameBackend) return this.select(d, sameBackend.pool);
        }
        if (migrationPolicy === 'never') throw noValidBackend(`Current backend not valid for volume ${id} with type ${typeRepr}, migration not allowed`);
        this.choose(d, weighed[0]!.pool, spec.volume_properties.size);
      },
      backend,
    );
  }

  private select(d: Decision, pool: PoolState): void {
    d.selected = pool.host;
    d.selectedAz = pool.service.availability_zone;
    d.pool = pool;
  }

  private choose(d: Decision, pool: PoolState, sizeGb: number): void {
    try {
      this.hostManager.consume(pool, sizeGb);
    } catch (e) {
      if (e instanceof PyError) d.crashedIn = 'consume_from_volume';
      throw e;
    }
    this.select(d, pool);
    d.consumedGb = sizeGb;
  }

  /** _get_weighted_candidates, then the operation's own step; every Cinder exception becomes data. */
  private run(input: ScheduleInput, finish: (d: Decision, weighed: { pool: PoolState; weight: number }[], props: FilterProperties) => void, volExistsOn?: string): Decision {
    const spec = input.requestSpec;
    const d: Decision = { operation: spec.operation, candidates: [], candidateCount: 0, filters: null, weighers: [], weighed: [], selected: null, selectedAz: null, error: null, errorType: null };
    try {
      if (this.enabledFilters instanceof Abort) throw this.enabledFilters;
      const props = this.filterProperties(input, volExistsOn);
      this.populateRetry(props, spec);
      if (props.retry && props.retry.backends.length > 0) {
        try {
          this.hostManager.revertConsumed(props.retry.backends[props.retry.backends.length - 1]!, spec.volume_properties.size);
        } catch (e) {
          if (e instanceof PyError) d.crashedIn = 'revert_volume_consumed_capacity';
          throw e;
        }
      }
      const ctx: FilterContext = { props, lookups: this.lookups };
      let candidates: PoolState[];
      try {
        candidates = this.hostManager.getAllBackendStates(input.services);
      } catch (e) {
        if (e instanceof PyError) d.crashedIn = 'get_all_backend_states';
        throw e;
      }
      d.candidates = this.light ? [] : candidates.map((p) => p.host);
      d.candidateCount = candidates.length;
      if (!this.light) d.leftOut = this.leftOut(input.services);
      d.filters = [];
      let weighed: { pool: PoolState; weight: number }[] = [];
      // Default-like light creates are answered from per-pool caches (fast-path.ts); when it
      // declines, the full loop runs: filters and weighers are pure, so nothing was disturbed.
      const fast = this.fast === null ? FALLBACK : this.fast.top(candidates, ctx);
      if (fast !== FALLBACK) {
        for (const { name } of this.enabledFilters) d.filters.push({ name, passed: [], rejected: [] });
        if (typeof fast === 'object') {
          d.weighed = [{ host: fast.pool.host, weight: fast.weight }];
          weighed = [fast];
        } else if (this.baseFilterLog !== null) {
          // No survivor: the counts of the line come from the full loop (pure: it changes nothing).
          const counts = this.baseFilterLog.keepsText ? [] : null;
          if (counts !== null) this.filter(candidates, ctx, { ...d, filters: [] }, this.enabledFilters, counts);
          this.logFiltration(spec, counts);
        }
      } else {
        const counts = this.baseFilterLog?.keepsText === true ? [] : null;
        let passed: PoolState[];
        try {
          passed = this.filter(candidates, ctx, d, this.enabledFilters, counts);
        } finally {
          // Side-effect free: filters are pure; the real loop's order and results stand as they are.
          if (!this.light) d.verdicts = verdictMatrix(candidates, ctx, this.enabledFilters);
        }
        if (passed.length > 0) weighed = this.weigh(passed, ctx, d, spec.operation === 'create_volume' && !spec.resource_backend);
        else this.logFiltration(spec, counts);
      }
      if (d.retry === undefined && props.retry) d.retry = props.retry;
      finish(d, weighed, props);
    } catch (e) {
      if (e instanceof Abort) {
        d.error = e.message;
        d.errorType = e.errorType;
        if (e.detail) d.errorDetail = e.detail;
      } else if (e instanceof PyError) {
        d.error = e.message;
        d.errorType = e.pyType;
      } else {
        throw e;
      }
    }
    if (d.selected === null && d.filters !== null && !this.light) d.summary = summarise(d);
    return d;
  }

  /** The services left out before filtering, with what the scheduler's service knows of each. */
  private leftOut(services: readonly ServiceInfo[]): LeftOutService[] {
    const facts = this.lookups.serviceFacts;
    const out = this.hostManager.leftOutServices(services);
    if (facts === undefined) return out;
    return out.map((s) => {
      const f = facts(s.host);
      return f === undefined ? s : { ...s, facts: f };
    });
  }

  private filterProperties(input: ScheduleInput, volExistsOn: string | undefined): FilterProperties {
    const spec = input.requestSpec;
    const incoming = input.filterProperties ?? {};
    const props: FilterProperties = {
      request_spec: spec,
      volume_type: spec.volume_type ?? {},
      size: spec.volume_properties.size,
      availability_zone: spec.volume_properties.availability_zone,
      qos_specs: incoming.qos_specs ?? null,
    };
    if (incoming.retry) props.retry = { num_attempts: incoming.retry.num_attempts, backends: [...incoming.retry.backends] };
    if (incoming.scheduler_hints) props.scheduler_hints = incoming.scheduler_hints;
    if (incoming.new_size !== undefined) props.new_size = incoming.new_size;
    if (volExistsOn !== undefined) props.vol_exists_on = volExistsOn;
    return props;
  }

  /** _populate_retry: count this attempt; past scheduler_max_attempts the request fails. */
  private populateRetry(props: FilterProperties, spec: RequestSpec): void {
    const max = this.config.scheduler_max_attempts;
    const retry = props.retry;
    delete props.retry;
    if (max === 1) return;
    const next: RetryInfo = retry ? { num_attempts: retry.num_attempts + 1, backends: retry.backends } : { num_attempts: 1, backends: [] };
    props.retry = next;
    if (next.num_attempts > max) throw noValidBackend(`Exceeded max scheduling attempts ${max} for resource ${spec.volume_id === null ? 'None' : spec.volume_id}`);
  }

  /**
   * base_filter's _log_filtration, at INFO (the DEBUG line with every
   * filter's remaining hosts is not written at Cinder's default log level).
   * `counts`: each filter's start and end, or null when the line is counted only.
   */
  private logFiltration(spec: RequestSpec, counts: number[] | null): void {
    const log = this.baseFilterLog;
    if (log === null) return;
    if (counts === null) return log.info('');
    const names = this.enabledFilters instanceof Abort ? [] : this.enabledFilters.map((f) => f.name);
    const results = names.map((name, i) => `${name}: (start: ${counts[2 * i]!}, end: ${counts[2 * i + 1]!})`).join(', ');
    log.info(`Filtering removed all hosts for the request with volume ID '${spec.volume_id ?? 'None'}'. Filter results: ${results}`);
  }

  /** get_filtered_objects: every enabled filter in turn; `counts` (if given) gets each one's start and end. */
  private filter(candidates: readonly PoolState[], ctx: FilterContext, d: Decision, enabled: { name: FilterName; filter: BackendFilter }[], counts: number[] | null = null): PoolState[] {
    let list = candidates as PoolState[];
    for (const { name, filter } of enabled) {
      const survivors: PoolState[] = [];
      const rejected: Rejection[] = [];
      try {
        for (const pool of list) {
          const v = filter.backendPasses(pool, ctx);
          if (v.pass) survivors.push(pool);
          else if (!this.light) rejected.push({ host: pool.host, verdict: v });
        }
      } catch (e) {
        if (e instanceof PyError) d.crashedIn = name;
        throw e;
      }
      d.filters!.push({ name, passed: this.light ? [] : survivors.map((p) => p.host), rejected });
      counts?.push(list.length, survivors.length);
      list = survivors;
    }
    return list;
  }

  /** get_weighed_backends: min-max normalised, multiplied, summed; stable sort, best first. */
  private weigh(pools: PoolState[], ctx: FilterContext, d: Decision, onlyTopNeeded: boolean): { pool: PoolState; weight: number }[] {
    const chosen = chooseWeighers(this.config.scheduler_default_weighers);
    const weights = new Float64Array(pools.length);
    for (const { name, weigher } of chosen) {
      const multiplier = weigher.multiplier(this.config);
      let r;
      try {
        r = weigher.weigh(pools, ctx, multiplier);
      } catch (e) {
        if (e instanceof PyError) d.crashedIn = name;
        throw e;
      }
      const rows: WeigherRow[] = [];
      for (let i = 0; i < pools.length; i++) {
        const n = normalize(r, i);
        weights[i] = weights[i]! + multiplier * n;
        if (!this.light) rows.push({ host: pools[i]!.host, raw: r.raw[i]!, normalised: n, weighted: multiplier * n });
      }
      if (!this.light) d.weighers.push({ name, multiplier, min: r.min, max: r.max, rows });
    }
    if (this.light && onlyTopNeeded) {
      // The first pool of maximal weight is what the stable descending sort puts first.
      let best = 0;
      for (let i = 1; i < pools.length; i++) if (weights[i]! > weights[best]!) best = i;
      d.weighed = [{ host: pools[best]!.host, weight: weights[best]! }];
      return [{ pool: pools[best]!, weight: weights[best]! }];
    }
    const order = pools.map((pool, i) => ({ pool, weight: weights[i]! }));
    order.sort((a, b) => (a.weight > b.weight ? -1 : a.weight < b.weight ? 1 : 0));
    d.weighed = order.map((w) => ({ host: w.pool.host, weight: w.weight }));
    return order;
  }
}

function chooseFilters(names: readonly string[]): { name: FilterName; filter: BackendFilter }[] | Abort {
  const bad = names.filter((n) => !isFilterName(n));
  if (bad.length > 0) {
    return new Abort('SchedulerHostFilterNotFound', `Scheduler Host Filter ${bad.join(', ')} could not be found.`, `valid filters: ${filterNames.join(', ')}`);
  }
  return names.map((n) => ({ name: n as FilterName, filter: filterRegistry[n as FilterName] }));
}

function chooseWeighers(names: readonly string[]): { name: WeigherName; weigher: BackendWeigher }[] {
  const bad = names.filter((n) => !isWeigherName(n));
  if (bad.length > 0) {
    throw new Abort('SchedulerHostWeigherNotFound', `Scheduler Host Weigher ${bad.join(', ')} could not be found.`, `valid weighers: ${weigherNames.join(', ')}`);
  }
  return names.map((n) => ({ name: n as WeigherName, weigher: weigherRegistry[n as WeigherName] }));
}

function summarise(d: Decision): NoValidSummary {
  const filters = d.filters ?? [];
  const emptied = filters.find((f) => f.passed.length === 0);
  const firstRejections: NoValidSummary['firstRejections'] = [];
  for (const f of filters) for (const r of f.rejected) firstRejections.push({ host: r.host, filter: f.name, verdict: r.verdict });
  const order = new Map(d.candidates.map((h, i) => [h, i]));
  firstRejections.sort((a, b) => (order.get(a.host) ?? 0) - (order.get(b.host) ?? 0));
  const summary: NoValidSummary = { emptiedBy: d.candidates.length === 0 ? null : (emptied?.name ?? null), firstRejections };
  if (d.verdicts) summary.nearest = nearestPools(d.verdicts);
  return summary;
}

/** evaluate each filter on each pool, as an extra pass apart from the real loop; a raise is recorded, never thrown. */
function verdictMatrix(candidates: readonly PoolState[], ctx: FilterContext, enabled: readonly { name: FilterName; filter: BackendFilter }[]): VerdictMatrix {
  const pools = candidates.map((pool): PoolVerdicts => {
    const failed: PoolVerdicts['failed'] = [];
    for (const { name, filter } of enabled) {
      let v: Verdict;
      try {
        v = filter.backendPasses(pool, ctx);
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        v = { pass: false, reason: RAISES, errorType: e instanceof PyError ? e.pyType : err.name, error: err.message };
      }
      if (!v.pass) failed.push({ filter: name, verdict: v });
    }
    return { host: pool.host, failed };
  });
  return { filters: enabled.map((f) => f.name), pools };
}

/** GB a failed CapacityFilter verdict is short of passing, when it can say. */
export function capacityShortfallGb(v: Extract<Verdict, { pass: false }>): number | null {
  const n = (k: string): number | null => (typeof v[k] === 'number' ? (v[k] as number) : null);
  const requested = n('requestedGb');
  if (requested === null) return null;
  if (v.reason === 'insufficient_capacity') {
    const available = n('availableGb');
    return available === null ? null : requested - available;
  }
  if (v.reason === 'over_subscription_exceeded') {
    const provisioned = n('provisionedGb');
    const total = n('totalAvailableGb');
    const ratio = n('maxOverSubscriptionRatio');
    if (provisioned === null || total === null || ratio === null) return null;
    // Past the ratio test the request must also fit virtual free space (total available - provisioned): the tighter counts.
    return requested - Math.min(ratio * total - provisioned, total - provisioned);
  }
  return null;
}

/** The pools nearest to passing: fewest failing filters, then the smallest capacity shortfall, then candidate order. */
function nearestPools(m: VerdictMatrix): NearestPool[] {
  const ranked = m.pools
    .filter((p) => p.failed.length > 0)
    .map((p, i): NearestPool & { i: number } => {
      const cap = p.failed.find((f) => f.filter === 'CapacityFilter');
      return { host: p.host, failing: p.failed.map((f) => f.filter), shortfallGb: cap ? capacityShortfallGb(cap.verdict) : null, i };
    });
  // Fewest failing filters first; on a tie, a pool that only lacks capacity (freeing space would let it pass)
  // before one that fails a rule this request can never meet there (type, zone, ...); then the smaller shortfall.
  const hard = (x: NearestPool): number => (x.failing.every((f) => f === 'CapacityFilter') ? 0 : 1);
  const short = (x: NearestPool): number => (x.failing.includes('CapacityFilter') ? (x.shortfallGb ?? Infinity) : 0);
  ranked.sort((a, b) => a.failing.length - b.failing.length || hard(a) - hard(b) || short(a) - short(b) || a.i - b.i);
  return ranked.slice(0, NEAREST_MAX).map(({ host, failing, shortfallGb }) => ({ host, failing, shortfallGb }));
}
