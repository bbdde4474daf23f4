import type { Clock } from '../../ports/clock.js';
import type { Log } from '../../ports/log.js';
import { appendHost } from '../host.js';
import { capacityJson, maxOverSubscriptionRatio, parseCapacity, type Capacity } from './capacity.js';
import { copyDict } from '../dict.js';
import { Intake } from './cache/intake.js';
import { noPoolUpdated } from './cache/pool-change.js';
import type { PoolJournal } from './cache/pool-journal.js';
import type { LeftOutService } from './types.js';
import { isDict, pyEquals, PyError, pyFloat, pyTruthy, type Json } from './python.js';

/** What the scheduler knows of one cinder-volume service at a scheduling call (a row of `services`). */
export interface ServiceInfo {
  host: string;
  availability_zone: string;
  disabled: boolean;
  frozen: boolean;
  /** Service.is_up judged by the scheduler's own clock (see sim/cinder/service's isServiceUp). */
  up: boolean;
  cluster_name?: string | null;
}

export type Capabilities = Readonly<Record<string, Json>>;

const PROTOCOL_VARIANTS: readonly (readonly string[])[] = [
  ['iSCSI', 'iscsi'],
  ['FC', 'fibre_channel', 'fc'],
  ['NFS', 'nfs'],
  ['NVMe-oF', 'NVMeOF', 'nvmeof'],
];

/** BackendState.get_storage_protocol_variants: a known protocol becomes its full variant list. */
export function storageProtocolVariants(protocol: Json | undefined): Json {
  if (typeof protocol === 'string') {
    for (const variants of PROTOCOL_VARIANTS) if (variants.includes(protocol)) return [...variants];
  }
  return protocol ?? null;
}

/** One pool as the scheduler sees it: Cinder's PoolState. */
export class PoolState {
  /** host@backend#pool */
  readonly host: string;
  /** The backend map key of the owning backend: cluster name, else service host. */
  readonly backendKey: string;
  readonly clusterName: string | null;
  capabilities: Capabilities = {};
  service: ServiceInfo;
  volumeBackendName: Json = null;
  vendorName: Json = null;
  driverVersion: Json = null;
  storageProtocol: Json = null;
  qosSupport: Json = false;
  totalCapacityGb: Capacity = { kind: 'gb', gb: 0 };
  freeCapacityGb: Capacity = { kind: 'missing' };
  allocatedCapacityGb = 0;
  provisionedCapacityGb = 0;
  reservedPercentage = 0;
  thinProvisioningSupport = false;
  thickProvisioningSupport = false;
  maxOverSubscriptionRatio = 1.0;
  multiattach: Json = false;
  filterFunction: Json = null;
  goodnessFunction: Json = 0;
  /** Wall ms of the report applied, or of the last consumption (utcnow()). */
  updatedWallMs: number | null = null;
  // The intake's marks (cache/intake.ts), kept here so that a consumption writes one object.
  /** Numbers changed by consumption since the last report was applied. */
  consumedSinceReport = false;
  /** Timestamp of the report last offered to this pool (applied or found stale). */
  lastReportWallMs: number | null = null;
  /**
   * Moved whenever a value a filter or weigher reads may have changed (a
   * report applied, a consumption, another service row): lets a caller
   * keep per-pool results until then.  Stamps alone do not move it.
   */
  version = 0;

  constructor(
    readonly backendHost: string,
    clusterName: string | null,
    readonly poolName: string,
    service: ServiceInfo,
  ) {
    this.host = appendHost(backendHost, poolName);
    this.clusterName = clusterName ? appendHost(clusterName, poolName) : null;
    this.backendKey = clusterName || backendHost;
    this.service = service;
  }

  /** cluster#pool when clustered, else host@backend#pool. */
  get backendId(): string {
    return this.clusterName || this.host;
  }

  /** PoolState.update_from_volume_capability: the dict always, the numbers only if not stale. */
  update(cap: Capabilities, timestampWallMs: number, service: ServiceInfo, globalRatio: string): void {
    this.capabilities = cap;
    this.service = service;
    if (this.updatedWallMs !== null && this.updatedWallMs > timestampWallMs) return;
    this.volumeBackendName = cap['volume_backend_name'] ?? null;
    this.vendorName = cap['vendor_name'] ?? null;
    this.driverVersion = cap['driver_version'] ?? null;
    this.storageProtocol = storageProtocolVariants(cap['storage_protocol']);
    this.updatedWallMs = timestampWallMs;
    this.totalCapacityGb = parseCapacity(cap['total_capacity_gb']);
    this.freeCapacityGb = parseCapacity(cap['free_capacity_gb']);
    this.allocatedCapacityGb = numberOr(cap['allocated_capacity_gb'], 0);
    this.qosSupport = cap['QoS_support'] ?? false;
    this.reservedPercentage = numberOr(cap['reserved_percentage'], 0);
    this.provisionedCapacityGb = numberOr(cap['provisioned_capacity_gb'], this.allocatedCapacityGb);
    this.thinProvisioningSupport = pyTruthy(cap['thin_provisioning_support']);
    this.thickProvisioningSupport = pyTruthy(cap['thick_provisioning_support']);
    try {
      this.maxOverSubscriptionRatio = maxOverSubscriptionRatio(cap, globalRatio);
    } catch (e) {
      if (e instanceof PyError) throw new PyError(e.pyType, `pool ${this.host}: ${e.message}`);
      throw e;
    }
    this.multiattach = cap['multiattach'] ?? false;
    this.filterFunction = cap['filter_function'] ?? null;
    this.goodnessFunction = cap['goodness_function'] ?? 0;
  }

  /** BackendState.consume_from_volume. */
  consume(sizeGb: number, nowWallMs: number | null): void {
    this.allocatedCapacityGb += sizeGb;
    this.provisionedCapacityGb += sizeGb;
    if (this.freeCapacityGb.kind === 'missing') {
      // Cinder has already added to allocated/provisioned when `None -= size` raises.
      throw new PyError('TypeError', `pool ${this.host} reports free_capacity_gb null and Cinder subtracts ${sizeGb} GB from it when consuming: unsupported operand type(s) for -=: 'NoneType' and 'int'`);
    }
    if (this.freeCapacityGb.kind === 'gb') this.freeCapacityGb = { kind: 'gb', gb: this.freeCapacityGb.gb - sizeGb };
    if (nowWallMs !== null) this.updatedWallMs = nowWallMs;
  }

  /** The pool's numbers in Cinder's words, for traces and `get-pools`-like output. */
  snapshot(): Record<string, Json> {
    return {
      name: this.host,
      total_capacity_gb: capacityJson(this.totalCapacityGb),
      free_capacity_gb: capacityJson(this.freeCapacityGb),
      allocated_capacity_gb: this.allocatedCapacityGb,
      provisioned_capacity_gb: this.provisionedCapacityGb,
      reserved_percentage: this.reservedPercentage,
      thin_provisioning_support: this.thinProvisioningSupport,
      max_over_subscription_ratio: this.maxOverSubscriptionRatio,
      availability_zone: this.service.availability_zone,
    };
  }
}

function numberOr(v: Json | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  return pyFloat(v);
}

/** A capability report as stored by update_service_capabilities. */
export interface StoredReport {
  capabilities: Capabilities;
  timestampWallMs: number;
}

/** One backend as the scheduler sees it: Cinder's BackendState. */
export class BackendState {
  readonly pools = new Map<string, PoolState>();
  volumeBackendName: Json = null;
  storageProtocol: Json = null;
  vendorName: Json = null;
  driverVersion: Json = null;
  updatedWallMs: number | null = null;
  // The intake's marks (cache/intake.ts): the report last applied, with the service row it was applied with.
  applied: StoredReport | null = null;
  appliedService: ServiceInfo | null = null;
  /** The scheduling call that last found this backend active. */
  seenEpoch = 0;
  /** The pools' values in map order, dropped at every change of the map. */
  private poolArray: PoolState[] | null = null;

  constructor(
    readonly host: string,
    readonly clusterName: string | null,
    private readonly intake: Intake,
  ) {}

  poolList(): readonly PoolState[] {
    return (this.poolArray ??= [...this.pools.values()]);
  }

  poolNames(): string {
    let names = '';
    for (const name of this.pools.keys()) names += name + '\0';
    return names;
  }

  /** BackendState.update_from_volume_capability. */
  update(report: StoredReport, service: ServiceInfo, globalRatio: string): void {
    if (this.updatedWallMs !== null && this.updatedWallMs > report.timestampWallMs) return;
    const cap = report.capabilities;
    this.volumeBackendName = cap['volume_backend_name'] ?? null;
    this.vendorName = cap['vendor_name'] ?? null;
    this.driverVersion = cap['driver_version'] ?? null;
    this.storageProtocol = storageProtocolVariants(cap['storage_protocol']);
    this.updatedWallMs = report.timestampWallMs;
    this.updatePools(report, service, globalRatio);
  }

  private updatePools(report: StoredReport, service: ServiceInfo, globalRatio: string): void {
    const cap = report.capabilities;
    const pools = cap['pools'];
    const active = new Set<string>();
    if (Array.isArray(pools) && pools.length > 0) {
      for (const entry of pools) {
        const poolCap = this.poolCapabilities(entry, cap);
        const name = String(poolCap['pool_name']);
        let pool = this.pools.get(name);
        if (!pool) {
          pool = new PoolState(this.host, this.clusterName, name, service);
          this.pools.set(name, pool);
          this.poolArray = null;
        }
        this.intake.offered(pool, report.timestampWallMs);
        pool.update(poolCap, report.timestampWallMs, service, globalRatio);
        active.add(name);
      }
    } else if (pools === undefined || pools === null) {
      const name = this.volumeBackendName === null ? '_pool0' : String(this.volumeBackendName);
      let pool = this.pools.get(name);
      if (!pool) {
        pool = new PoolState(this.host, this.clusterName, name, service);
        this.pools.set(name, pool);
        this.poolArray = null;
      }
      this.intake.offered(pool, report.timestampWallMs);
      pool.update(this.legacyCapabilities(cap), report.timestampWallMs, service, globalRatio);
      active.add(name);
    }
    for (const name of [...this.pools.keys()]) {
      if (active.has(name)) continue;
      this.pools.delete(name);
      this.poolArray = null;
    }
  }

  /** _append_backend_info: the pool entry plus the few backend keys Cinder copies in. */
  private poolCapabilities(entry: Json, backendCap: Capabilities): Record<string, Json> {
    const own = (typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? entry : {}) as Record<string, Json>;
    const poolCap: Record<string, Json> = copyDict(own);
    if (!pyTruthy(poolCap['volume_backend_name'])) poolCap['volume_backend_name'] = this.volumeBackendName;
    const protocol = poolCap['storage_protocol'];
    poolCap['storage_protocol'] = pyTruthy(protocol) ? storageProtocolVariants(protocol) : this.storageProtocol;
    if (!pyTruthy(poolCap['vendor_name'])) poolCap['vendor_name'] = this.vendorName;
    if (!pyTruthy(poolCap['driver_version'])) poolCap['driver_version'] = this.driverVersion;
    if (!('filter_function' in poolCap) && 'filter_function' in backendCap) poolCap['filter_function'] = backendCap['filter_function']!;
    if (!('goodness_function' in poolCap) && 'goodness_function' in backendCap) poolCap['goodness_function'] = backendCap['goodness_function']!;
    return poolCap;
  }

  /** A legacy (pool-less) report is its own pool's capability dict, protocol expanded. */
  private legacyCapabilities(cap: Capabilities): Record<string, Json> {
    const poolCap: Record<string, Json> = copyDict(cap as Record<string, Json>);
    if ('storage_protocol' in cap) poolCap['storage_protocol'] = this.storageProtocol;
    if (!pyTruthy(poolCap['volume_backend_name'])) poolCap['volume_backend_name'] = this.volumeBackendName;
    if (!pyTruthy(poolCap['vendor_name'])) poolCap['vendor_name'] = this.vendorName;
    if (!pyTruthy(poolCap['driver_version'])) poolCap['driver_version'] = this.driverVersion;
    return poolCap;
  }
}

export const REQUIRED_POOL_KEYS = [
  'pool_name',
  'total_capacity_gb',
  'free_capacity_gb',
  'allocated_capacity_gb',
  'provisioned_capacity_gb',
  'thin_provisioning_support',
  'thick_provisioning_support',
  'max_over_subscription_ratio',
  'reserved_percentage',
] as const;

/** _get_updated_pools(c, c) is empty or not, per capabilities object (reports repeat one object for long runs). */
const samePoolsUnchanged = new WeakMap<object, boolean>();

/** Whether _get_updated_pools(oldCap, newCap) finds nothing. */
function noUpdatedPools(oldCap: Capabilities, newCap: Capabilities): boolean {
  if (oldCap !== newCap) return noPoolUpdated(oldCap, newCap, REQUIRED_POOL_KEYS, () => updatedPools(oldCap, newCap));
  let v = samePoolsUnchanged.get(newCap);
  if (v === undefined) {
    v = updatedPools(newCap, newCap).length === 0;
    samePoolsUnchanged.set(newCap, v);
  }
  return v;
}

/** HostManager._get_updated_pools: pools new or changed in a required key (only well-formed pool lists count). */
export function updatedPools(oldCap: Capabilities, newCap: Capabilities): Json[] {
  const fresh = newCap['pools'];
  if (!pyTruthy(fresh) || !Array.isArray(fresh)) return [];
  if (!fresh.every((p) => isDict(p) && REQUIRED_POOL_KEYS.every((k) => k in p))) return [];
  const before = oldCap['pools'];
  if (!pyTruthy(before) || !Array.isArray(before)) return fresh;
  const oldByName = new Map<Json, Record<string, Json>>();
  for (const p of before) if (isDict(p)) oldByName.set(p['pool_name']!, p);
  const newByName = new Map<Json, Record<string, Json>>();
  for (const p of fresh) newByName.set((p as Record<string, Json>)['pool_name']!, p as Record<string, Json>);
  const out: Json[] = [];
  for (const [name, p] of newByName) {
    const o = oldByName.get(name);
    if (!o || REQUIRED_POOL_KEYS.some((k) => !pyEquals(p[k], o[k]))) out.push(p);
  }
  return out;
}

export interface HostManagerOptions {
  /** The scheduler's clock: consumption stamps `updated = utcnow()` with its wall clock. */
  clock: Clock;
  /** cinder.conf max_over_subscription_ratio (StrOpt), default "20.0". */
  max_over_subscription_ratio?: string;
  /** The scheduler service's log (cinder.scheduler.host_manager's lines).  None: nothing is logged. */
  log?: Log;
  /**
   * false: re-apply every stored report at every call, as Cinder does (the
   * reference the incremental intake is tested against).  Default true.
   */
  incremental?: boolean;
  /**
   * Called before a pool is consumed, so that a caller that pulls reports
   * lazily can bring that backend's reports in first (see
   * SchedulerService), as an eager pull would have before the decision.
   */
  beforeConsume?: (pool: PoolState) => void;
  /** Called after a pool's numbers were changed by consumption or its revert. */
  onConsumed?: (pool: PoolState) => void;
}

export type ReportOutcome = 'accepted' | 'ignored_old';

/**
 * Cinder's HostManager: capability reports in, pool states out.  Reports
 * are stored as they arrive; backend and pool states are (re)built from
 * them at each scheduling call against the service list of that moment,
 * exactly as `_update_backend_state_map` does.
 */
export class HostManager {
  private readonly serviceStates = new Map<string, StoredReport>();
  /** service_states_last_update; a null entry is Cinder's `{"timestamp": 0}` placeholder. */
  private readonly serviceStatesLastUpdate = new Map<string, StoredReport | null>();
  private readonly backendStateMap = new Map<string, BackendState>();
  private readonly clock: Clock;
  private readonly globalRatio: string;
  /** Which reports, rows and consumptions changed since the last call (cache/intake.ts). */
  private readonly intake: Intake;
  /** Every pool version move, for readers that keep per-pool results (see PoolJournal). */
  readonly journal: PoolJournal;
  /** The pools of the last call, in Cinder's order. */
  private candidatesCache: PoolState[] | null = null;
  private epoch = 0;
  private noCapabilities = 0;
  /** Active services without a report, as of the last call. */
  private readonly missingKeys = new Set<string>();
  private readonly beforeConsume: ((pool: PoolState) => void) | undefined;
  private readonly onConsumed: ((pool: PoolState) => void) | undefined;
  private readonly log: Log | null;
  /** The hosts of the services list last given that are down (not disabled, not frozen). */
  private downOf: { services: readonly ServiceInfo[]; hosts: string[] } | null = null;
  private downWarnings = true;
  constructor(opts: HostManagerOptions) {
    this.clock = opts.clock;
    this.log = opts.log?.named('cinder.scheduler.host_manager') ?? null;
    this.globalRatio = opts.max_over_subscription_ratio ?? '20.0';
    this.intake = new Intake(opts.incremental ?? true);
    this.journal = this.intake.journal;
    this.beforeConsume = opts.beforeConsume;
    this.onConsumed = opts.onConsumed;
  }

  /**
   * HostManager.update_service_capabilities for a volume service; older
   * reports are ignored.  While the manager is "just initialised" (no
   * service_states_last_update yet) Cinder refreshes its backend map at
   * once on each report, so the first reporters come first in the candidate
   * order; pass the services table of that moment as `servicesNow` to get
   * that order (omit it and the map is built at the next scheduling call).
   */
  updateServiceCapabilities(backendHost: string, capabilities: Capabilities, timestampWallMs: number, clusterName: string | null = null, servicesNow?: readonly ServiceInfo[]): ReportOutcome {
    const key = clusterName || backendHost;
    const justInit = this.serviceStatesLastUpdate.size === 0;
    const old = this.serviceStates.get(key);
    if (old && timestampWallMs < old.timestampWallMs) {
      this.log?.info(() => `Ignoring old capability report from ${key}.`);
      return 'ignored_old';
    }
    const next: StoredReport = { capabilities, timestampWallMs };
    const lastUpdate = this.serviceStatesLastUpdate.get(key);
    const oldOrEmpty: StoredReport | null = old ?? null;
    if (noUpdatedPools(oldOrEmpty?.capabilities ?? {}, capabilities) && (oldOrEmpty === null || lastUpdate === undefined || lastUpdate === null || lastUpdate.timestampWallMs < oldOrEmpty.timestampWallMs)) {
      this.serviceStatesLastUpdate.set(key, oldOrEmpty);
    }
    this.serviceStates.set(key, next);
    this.intake.stored(key);
    if (justInit && servicesNow) {
      try {
        this.getAllBackendStates(servicesNow);
      } catch (e) {
        // Cinder's RPC handler fails here after storing the report; the next scheduling call meets the same error.
        if (!(e instanceof PyError)) throw e;
      }
    }
    return 'accepted';
  }

  /** HostManager.notify_service_capabilities: records the last report whose pools changed (Ceilometer bookkeeping). */
  notifyServiceCapabilities(backend: string, capabilities: Capabilities, timestampWallMs: number): void {
    const current = this.serviceStates.get(backend);
    // updated = _get_updated_pools(...); `if updated:` (only whether any pool was, see noUpdatedPools).
    let updated = false;
    if (!current) updated = !noUpdatedPools({}, capabilities);
    else if (timestampWallMs > current.timestampWallMs) {
      updated = !noUpdatedPools(current.capabilities, capabilities);
      if (!updated) updated = !noUpdatedPools(this.serviceStatesLastUpdate.get(backend)?.capabilities ?? {}, current.capabilities);
    }
    if (updated) this.serviceStatesLastUpdate.set(backend, { capabilities, timestampWallMs });
  }

  /** service_states_last_update is empty: each report rebuilds the backend map at once (pass servicesNow). */
  justInitialised(): boolean {
    return this.serviceStatesLastUpdate.size === 0;
  }

  /** Whether this backend (host or cluster) has reported at least once. */
  hasCapabilities(backendKey: string): boolean {
    return this.serviceStates.has(backendKey);
  }

  /** has_all_capabilities: every up service seen at the last refresh had reported (scheduler start-up wait). */
  hasAllCapabilities(): boolean {
    return this.noCapabilities === 0;
  }

  /**
   * get_all_backend_states: every pool of every active backend, backends in
   * first-insertion order, pools in report order.  `services` is the
   * services table in DB order; disabled, frozen and down ones are skipped.
   * The array and its rows are taken as immutable: pass a new array (and new
   * row objects) when something changed.
   */
  getAllBackendStates(services: readonly ServiceInfo[]): PoolState[] {
    if (this.log !== null && this.downWarnings) this.logDownServices(this.log, services);
    // Cinder re-applies every stored report here; the intake names the services whose re-apply could change something.
    const positions = this.intake.changedSince(services, this.backendStateMap);
    if (positions === null) return this.refreshAll(services);
    if (positions.length > 0) this.refreshSome(services, positions);
    this.intake.settled(services, false);
    return this.candidatesCache!;
  }

  /**
   * The services the last getAllBackendStates(services) turned into no
   * candidate pool, and why: _update_backend_state_map's skips in its
   * order (the query's disabled and frozen, then not is_up, a cluster's
   * later services, no capabilities), plus a backend whose report lists no
   * pools.  A pure read, for full traces.
   */
  leftOutServices(services: readonly ServiceInfo[]): LeftOutService[] {
    const out: LeftOutService[] = [];
    const active = new Set<string>();
    for (const s of services) {
      const cluster = s.cluster_name ? { cluster: s.cluster_name } : {};
      if (s.disabled || s.frozen || !s.up) {
        out.push({ host: s.host, reason: s.disabled ? 'disabled' : s.frozen ? 'frozen' : 'down', ...cluster });
        continue;
      }
      const key = s.cluster_name || s.host;
      if (active.has(key)) {
        out.push({ host: s.host, reason: 'cluster_member', ...cluster });
        continue;
      }
      const report = (s.cluster_name ? this.serviceStates.get(s.cluster_name) : undefined) ?? this.serviceStates.get(s.host);
      if (!report) {
        out.push({ host: s.host, reason: 'no_report', ...cluster });
        continue;
      }
      active.add(key);
      if ((this.backendStateMap.get(key)?.pools.size ?? 0) === 0) out.push({ host: s.host, reason: 'no_pools', ...cluster });
    }
    return out;
  }

  /** Runs `fn` with no "volume service is down" lines (a report taken later than Cinder would have). */
  withoutDownWarnings<T>(fn: () => T): T {
    const was = this.downWarnings;
    this.downWarnings = false;
    try {
      return fn();
    } finally {
      this.downWarnings = was;
    }
  }

  /** _update_backend_state_map warns of every down service it skips, at every call (disabled and frozen ones are not listed). */
  private logDownServices(log: Log, services: readonly ServiceInfo[]): void {
    let down = this.downOf;
    if (down === null || down.services !== services) {
      down = { services, hosts: services.filter((s) => !s.up && !s.disabled && !s.frozen).map((s) => s.host) };
      this.downOf = down;
    }
    for (const host of down.hosts) log.warning(() => `volume service is down. (host: ${host})`);
  }

  /** _update_backend_state_map's work for the services at `positions` only (same order, same effects). */
  private refreshSome(services: readonly ServiceInfo[], positions: readonly number[]): void {
    let changed = false;
    for (const i of positions) {
      const service = services[i]!;
      const key = service.host;
      if (service.disabled || service.frozen || !service.up) {
        this.missingKeys.delete(key);
        if (this.backendStateMap.delete(key)) changed = true;
        continue;
      }
      const report = this.serviceStates.get(key);
      if (!report) {
        this.missingKeys.add(key);
        if (this.backendStateMap.delete(key)) changed = true;
        continue;
      }
      this.missingKeys.delete(key);
      let state = this.backendStateMap.get(key);
      if (!state) {
        state = new BackendState(service.host, null, this.intake);
        this.backendStateMap.set(key, state);
        changed = true;
      }
      if (this.applyReport(state, key, report, service)) changed = true;
    }
    this.noCapabilities = this.missingKeys.size;
    if (changed) this.rebuildCandidates();
  }

  /** backend_state.update_from_volume_capability(capabilities, service); true when the pool set changed. */
  private applyReport(state: BackendState, key: string, report: StoredReport, service: ServiceInfo): boolean {
    if (!this.intake.mustUpdate(state, key, report, service)) return false;
    const before = state.poolNames();
    state.update(report, service, this.globalRatio);
    this.intake.applied(state, report, service);
    return state.poolNames() !== before;
  }

  /** _update_backend_state_map, every service. */
  private refreshAll(services: readonly ServiceInfo[]): PoolState[] {
    this.intake.fullPassStarting();
    const epoch = ++this.epoch;
    let active = 0;
    let changed = false;
    this.missingKeys.clear();
    for (const service of services) {
      if (service.disabled || service.frozen || !service.up) continue;
      const key = service.cluster_name || service.host;
      let state = this.backendStateMap.get(key);
      if (state !== undefined && state.seenEpoch === epoch) continue;
      const report = (service.cluster_name ? this.serviceStates.get(service.cluster_name) : undefined) ?? this.serviceStates.get(service.host);
      if (!report) {
        this.missingKeys.add(key);
        continue;
      }
      if (!state) {
        state = new BackendState(service.host, service.cluster_name ?? null, this.intake);
        this.backendStateMap.set(key, state);
        changed = true;
      }
      if (this.applyReport(state, key, report, service)) changed = true;
      state.seenEpoch = epoch;
      active++;
    }
    this.noCapabilities = this.missingKeys.size;
    if (active !== this.backendStateMap.size) {
      for (const [key, state] of [...this.backendStateMap]) if (state.seenEpoch !== epoch) this.backendStateMap.delete(key);
      changed = true;
    }
    if (changed || this.candidatesCache === null) this.rebuildCandidates();
    this.intake.settled(services, true);
    return this.candidatesCache!;
  }

  private rebuildCandidates(): void {
    // Cinder collects pools in a dict keyed backend + '.' + pool: on a key collision
    // (pool 'p.q' of h@b and pool 'q' of h@b.p) the later pool takes the earlier's place.
    const all: PoolState[] = [];
    const at = new Map<string, number>();
    for (const [key, state] of this.backendStateMap) {
      for (const pool of state.pools.values()) {
        const poolKey = `${key}.${pool.poolName}`;
        const i = at.get(poolKey);
        if (i !== undefined) {
          all[i] = pool;
          continue;
        }
        at.set(poolKey, all.length);
        all.push(pool);
      }
    }
    this.candidatesCache = all;
  }

  /**
   * Apply a backend's newest stored report to its state now, as the next
   * refresh would (for a caller that just brought reports in lazily).
   */
  refreshBackend(key: string): void {
    const state = this.backendStateMap.get(key);
    const report = this.serviceStates.get(key);
    const service = state?.appliedService;
    if (!state || !report || !service || state.clusterName) return;
    this.intake.caughtUp(key, this.applyReport(state, key, report, service));
  }

  /** Whether a pool of this backend carries a consumption no report has replaced yet. */
  backendConsumed(key: string): boolean {
    const state = this.backendStateMap.get(key);
    return state !== undefined && this.intake.backendConsumed(state);
  }

  /** consume_from_volume on the chosen pool, stamped with the scheduler's wall clock. */
  consume(pool: PoolState, sizeGb: number): void {
    this.beforeConsume?.(pool);
    try {
      this.intake.consumed(pool);
      pool.consume(sizeGb, this.clock.wallNow());
    } finally {
      this.onConsumed?.(pool);
    }
  }

  /** revert_volume_consumed_capacity: a rescheduled request gives back what its last attempt took. */
  revertConsumed(poolId: string, sizeGb: number): void {
    for (const [key, state] of this.backendStateMap) {
      for (const pool of state.pools.values()) {
        if (poolId !== `${key}#${pool.poolName}`) continue;
        try {
          this.intake.consumed(pool);
          pool.consume(-sizeGb, null);
        } finally {
          this.onConsumed?.(pool);
        }
      }
    }
  }

  /** The pool states as of the last scheduling call (for get-pools and traces). */
  pools(): PoolState[] {
    return [...this.backendStateMap.values()].flatMap((s) => [...s.pools.values()]);
  }
}
