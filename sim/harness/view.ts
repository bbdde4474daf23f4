import { serviceList } from '../cinder/api/services.js';
import type { ApiResult, CinderRequest, RequestContext } from '../cinder/api/requests.js';
import type { Cloud } from '../cinder/cloud/build.js';
import type { CloudInput } from '../cinder/cloud/spec.js';
import { renderDecision } from '../cinder/scheduler/explain.js';
import type { Decision } from '../cinder/scheduler/filter-scheduler.js';
import type { SchedulerDecisionRecord } from '../cinder/scheduler/manager.js';
import { volumeServiceHost } from '../cinder/host.js';
import { tables, type ServiceRow, type VolumeRow, type VolumeTypeRow } from '../cinder/db/index.js';
import { capacityFactors, maxOverSubscriptionRatio } from '../cinder/scheduler/capacity.js';
import { matchExtraSpec } from '../cinder/scheduler/filters/extra-specs-ops.js';
import { isDict, PyError, type Json } from '../cinder/scheduler/python.js';
import { effectiveServiceDownTime, isServiceUp } from '../cinder/service/index.js';
import type { World } from '../engine/world.js';
import type { Row } from '../ports/store.js';

/** What a volume looks like to an expectation. */
export interface VolumeFacts {
  id: string;
  name: string | null;
  status: string;
  host: string | null;
  availability_zone: string | null;
  size: number;
  project_id: string;
}

export interface CloudDecision {
  atMs: number;
  operation: string;
  resource: string | null;
  ok: boolean;
  chosen: string | null;
  emptiedBy: string | null;
  /** No candidate entered filtering (every filter started at 0). */
  noCandidates: boolean;
  message: string | null;
  traceText: string;
  trace: unknown;
}

export interface CloudServiceState {
  host: string;
  binary: string;
  node: string;
  state: 'up' | 'down';
  schedulerState: 'up' | 'down';
  status: 'enabled' | 'disabled';
  /** services.updated_at as the database holds it now (the service node's wall clock), ms. */
  updatedAtWallMs: number;
}

/** Who judges a service's liveness, by which clock and margin (see liveness.ts). */
export interface LivenessJudges {
  /** The first cinder-scheduler's node: its wall clock now and its effective service_down_time. */
  scheduler: { node: string; wallNowMs: number; serviceDownTimeMs: number } | null;
  /** The first cinder-api's node (service-list's default): its wall clock now and its configured service_down_time. */
  api: { node: string; wallNowMs: number; serviceDownTimeMs: number };
}

export interface CloudPool {
  pool: string;
  total_capacity_gb: number;
  free_capacity_gb: number;
  allocated_capacity_gb: number;
  provisioned_capacity_gb: number;
  /** The ratio the scheduler computes for the pool now (null when Cinder's computation raises). */
  max_over_subscription_ratio: number | null;
  /** floor(total x reserved_percentage / 100), GB; null for an unsized total. */
  reserved_capacity_gb: number | null;
  /** What CapacityFilter lets provisioned capacity reach for a thin request (see poolLimit); null for an unsized total. */
  usable_limit_gb: number | null;
  /** The pool's facts as the scheduler sees them. */
  info: CloudPoolInfo;
}

/** A pool's facts as the scheduler sees them: its report's keys and its service row's zone (outcome.json's PoolInfo). */
export interface CloudPoolInfo {
  /** host@backend: the cinder-volume service. */
  backend: string;
  /** The node the service runs on. */
  node: string;
  /** The service row's availability_zone (what AvailabilityZoneFilter compares). */
  availability_zone: string;
  volume_backend_name: string;
  thin_provisioning_support: boolean;
  thick_provisioning_support: boolean;
  reserved_percentage: number;
  /** max_over_subscription_ratio as configured and reported ('20.0', 'auto', ...); the sample has the value in effect. */
  max_over_subscription_ratio: string;
  /**
   * The storage under the reported total: 'lvm-thick' (the VG: total is its
   * size), 'lvm-thin' (brick's LVM carves the thin pool `<vg>-pool` from 95 %
   * of the VG less foreign LVs, so a 1000 GB VG reports 950 GB), 'pooled' (a
   * pooled backend: the pool's configured size).
   */
  storage: 'lvm-thick' | 'lvm-thin' | 'pooled';
  /** The VG's size (LVM) or the pool's configured size (pooled), GB. */
  storage_size_gb: number;
  /** LVs in the VG that Cinder does not own, GB. */
  foreign_lvs_gb: number;
  /** How full thin volumes are with data, percent of their size (a thin pool's free space is its size less that). */
  thin_data_percent: number;
}

/** What a volume type's volumes hold now. */
export interface CloudTypeUsage {
  volume_type: string;
  provisioned_gb: number;
  count: number;
}

/**
 * CapacityFilter's reach for a pool, for a thin request (no
 * provisioning:type=thick), from the same numbers and helpers the filter
 * uses: calculate_capacity_factors' total_available_capacity, which
 * provisioned capacity plus the request may not exceed (virtual free space
 * >= size).  Thin with a ratio below 1: the filter refuses every thin
 * request, so 0.
 */
export function poolLimit(total: number, free: number, provisioned: number, thinSupport: boolean, ratio: number | null, reservedPercentage: number): { reserved: number | null; limit: number | null } {
  if (!(total > 0)) return { reserved: null, limit: null };
  const reserved = Math.floor((total * reservedPercentage) / 100);
  if (ratio === null) return { reserved, limit: null };
  if (thinSupport && ratio < 1) return { reserved, limit: 0 };
  const f = capacityFactors(total, Math.max(free, 0), provisioned, thinSupport, thinSupport ? ratio : 1, reservedPercentage, true);
  return { reserved: f.reservedCapacityGb, limit: f.totalAvailableCapacityGb };
}

/** The filter that left no candidates: the first (in order) with nobody passing. */
export function emptiedBy(d: Decision | null): string | null {
  if (!d || !d.filters || d.candidateCount === 0) return null;
  return d.filters.find((f) => f.passed.length === 0)?.name ?? null;
}

function cloudDecision(d: SchedulerDecisionRecord): CloudDecision {
  const message = d.ok ? null : d.reason === null ? null : d.reason.startsWith('No valid backend') ? d.reason : `No valid backend was found. ${d.reason}`;
  return { atMs: d.atMs, operation: d.operation, resource: d.resource, ok: d.ok, chosen: d.chosen, emptiedBy: emptiedBy(d.trace), noCandidates: d.trace !== null && d.trace.candidateCount === 0, message, traceText: d.trace && !d.ok ? renderDecision(d.trace) : '', trace: d.trace ? { ...d.trace, pool: undefined } : null };
}

/**
 * A simulated cloud as a scenario sees it: requests answered as values,
 * decisions, service states and pools as records, and the faults it can
 * apply, each answering null or why it was not applied.
 */
export class CloudView {
  private readonly nodeOfHost = new Map<string, string>();
  private scheduler: { node: string; downMs: number } | null = null;
  /** [DEFAULT] max_over_subscription_ratio of the scheduler's node: for pools that report none. */
  private globalRatio = '20.0';
  private decisionCache: { cursors: number[]; list: CloudDecision[] } = { cursors: [], list: [] };

  constructor(
    private readonly world: World,
    private readonly cloud: Cloud,
  ) {
    this.readTopology();
  }

  /** Which node each service host runs on, and the scheduler's liveness margin: read again after a cinder.conf change. */
  private readTopology(): void {
    this.nodeOfHost.clear();
    for (const n of this.cloud.spec.nodes) {
      const host = n.DEFAULT.host || n.name;
      this.nodeOfHost.set(host, n.name);
      for (const [g, b] of Object.entries(n.backends)) this.nodeOfHost.set(volumeServiceHost(host, g, b.options.backend_host), n.name);
    }
    const s = this.cloud.spec.nodes.find((n) => n.services.includes('cinder-scheduler'));
    this.scheduler = s ? { node: s.name, downMs: effectiveServiceDownTime(s.DEFAULT) * 1000 } : null;
    this.globalRatio = s?.DEFAULT.max_over_subscription_ratio ?? '20.0';
  }

  /** Submit one API request to the cinder-api on `apiNode` (default: the first); `done` is called (in virtual time) with the answer. */
  submit(ctx: RequestContext, req: CinderRequest, done: (r: ApiResult) => void, apiNode?: string): void {
    this.cloud.submit(ctx, req, (o) => done(o.ok ? { ok: true, result: o.result } : { ok: false, http: o.http, error: o.error, message: o.message }), apiNode);
  }

  /** Whether the cloud keeps every answer in its own `outcomes` list too (a scenario run keeps what it records, through `submit`'s callback). */
  keepOutcomes(keep: boolean): void {
    this.cloud.keepOutcomes(keep);
  }

  /** Scheduling decisions so far, oldest first (the list grows). */
  decisions(): readonly CloudDecision[] {
    // Each scheduler's log grows at its end; the new entries of all of them join the list in time order.
    const { cursors, list } = this.decisionCache;
    const fresh: SchedulerDecisionRecord[] = [];
    this.cloud.schedulers.forEach((s, i) => {
      const from = cursors[i] ?? 0;
      for (let k = from; k < s.decisions.length; k++) fresh.push(s.decisions[k]!);
      cursors[i] = s.decisions.length;
    });
    if (this.cloud.schedulers.length > 1) fresh.sort((a, b) => a.atMs - b.atMs);
    for (const d of fresh) list.push(cloudDecision(d));
    return list;
  }

  /**
   * A replay's watch (explain on a lean run): every scheduler decides with
   * the full trace from now on and `listener` hears each decision as it is
   * made; null ends it.  The decisions are the same either way.
   */
  traceDecisions(listener: ((d: CloudDecision) => void) | null): void {
    for (const s of this.cloud.schedulers) s.traceFully(listener === null ? null : (d) => listener(cloudDecision(d)));
  }

  /** Forget the decisions recorded so far (lean runs keep counts only). */
  dropDecisions(): void {
    this.cloud.dropDecisions();
    this.decisionCache = { cursors: [], list: [] };
  }

  /** Every service's state now, as service-list and as the scheduler judge it. */
  services(): readonly CloudServiceState[] {
    const core = this.cloud.api().core;
    const sched = this.scheduler;
    const schedNow = sched ? this.world.node(sched.node).clock.wallNow() : 0;
    const rows = core.services.list();
    return serviceList(core).map((r, i) => {
      const row = rows[i]!;
      const beat = this.cloud.directory.updatedAt(row);
      const schedUp = sched ? isServiceUp(beat, schedNow, sched.downMs) : false;
      return {
        host: r.host,
        binary: r.binary,
        node: this.nodeOfHost.get(r.host) ?? this.nodeOfHost.get(r.host.split('@')[0]!) ?? this.world.nodeNames()[0]!,
        state: r.state,
        schedulerState: schedUp ? 'up' : 'down',
        status: r.status,
        updatedAtWallMs: beat,
      };
    });
  }

  /** The judges of services() now: whose clock, which margin. */
  judges(): LivenessJudges {
    const sched = this.scheduler;
    const api = this.cloud.apis[0]!;
    return {
      scheduler: sched ? { node: sched.node, wallNowMs: this.world.node(sched.node).clock.wallNow(), serviceDownTimeMs: sched.downMs } : null,
      api: { node: api.node, wallNowMs: api.api.core.nowWall(), serviceDownTimeMs: api.api.core.opts.service_down_time * 1000 },
    };
  }

  /** Every pool's capacity now, as its driver would report it ('infinite' and 'unknown' as -1), with its facts and CapacityFilter's limit. */
  pools(): readonly CloudPool[] {
    const num = (v: number | string): number => (typeof v === 'number' ? v : -1);
    const zones = new Map<string, string>();
    for (const r of this.rows<ServiceRow>(tables.services).values()) if (!r.deleted && r.binary === 'cinder-volume') zones.set(r.host, r.availability_zone);
    return this.cloud.pools().map((p) => {
      const rep = p.reported;
      const cap: Record<string, Json> = {
        thin_provisioning_support: rep.thin_provisioning_support,
        total_capacity_gb: rep.total_capacity_gb,
        free_capacity_gb: rep.free_capacity_gb,
        allocated_capacity_gb: p.allocated_capacity_gb,
        provisioned_capacity_gb: rep.provisioned_capacity_gb,
        max_over_subscription_ratio: rep.max_over_subscription_ratio,
      };
      let ratio: number | null;
      try {
        ratio = maxOverSubscriptionRatio(cap, this.globalRatio);
      } catch (e) {
        if (!(e instanceof PyError)) throw e;
        ratio = null;
      }
      const total = num(p.total_capacity_gb);
      const free = num(p.free_capacity_gb);
      const { reserved, limit } = poolLimit(total, free, p.provisioned_capacity_gb, rep.thin_provisioning_support, ratio, rep.reserved_percentage);
      return {
        pool: `${p.backend}#${p.pool}`,
        total_capacity_gb: total,
        free_capacity_gb: free,
        allocated_capacity_gb: p.allocated_capacity_gb,
        provisioned_capacity_gb: p.provisioned_capacity_gb,
        max_over_subscription_ratio: ratio,
        reserved_capacity_gb: reserved,
        usable_limit_gb: limit,
        info: {
          backend: p.backend,
          node: this.nodeOfHost.get(p.backend) ?? this.world.nodeNames()[0]!,
          availability_zone: zones.get(p.backend) ?? '',
          volume_backend_name: p.volume_backend_name,
          thin_provisioning_support: rep.thin_provisioning_support,
          thick_provisioning_support: rep.thick_provisioning_support,
          reserved_percentage: rep.reserved_percentage,
          max_over_subscription_ratio: String(rep.max_over_subscription_ratio),
          storage: p.storage.kind,
          storage_size_gb: p.storage.size_gb,
          foreign_lvs_gb: p.storage.foreign_lvs_gb,
          thin_data_percent: p.storage.thin_data_percent,
        },
      };
    });
  }

  /**
   * Per volume type, what its volumes hold now: those placed on a pool and
   * not deleted (a volume in plain 'error' holds nothing: its create failed).
   */
  typeUsage(): readonly CloudTypeUsage[] {
    const byType = new Map<string, CloudTypeUsage>();
    const types = this.rows<VolumeTypeRow>(tables.volumeTypes);
    for (const t of types.values()) if (!t.deleted) byType.set(t.id, { volume_type: t.name, provisioned_gb: 0, count: 0 });
    for (const v of this.rows<VolumeRow>(tables.volumes).values()) {
      if (v.deleted || v.host === null || v.status === 'error') continue;
      let u = byType.get(v.volume_type_id);
      if (!u) byType.set(v.volume_type_id, (u = { volume_type: types.get(v.volume_type_id)?.name ?? v.volume_type_id, provisioned_gb: 0, count: 0 }));
      u.provisioned_gb += v.size;
      u.count++;
    }
    return [...byType.values()];
  }

  /**
   * Per volume type, the pools whose capabilities (as the scheduler holds
   * them: the pool's report, the backend's volume_backend_name, vendor_name,
   * driver_version and storage_protocol, extra_capabilities) satisfy its
   * extra specs as CapabilitiesFilter reads them.  A pool whose driver cannot
   * report now is judged on `lastCaps`, its last report (kept by the caller).
   */
  typePools(lastCaps: Map<string, Record<string, Json>>): { volume_type: string; pools: string[] }[] {
    for (const [host, vs] of this.cloud.volumeServices) {
      const stats = vs.currentStats();
      if (!stats) continue;
      const backendKeys: Record<string, Json> = {};
      for (const k of ['volume_backend_name', 'vendor_name', 'driver_version', 'storage_protocol'] as const) backendKeys[k] = stats[k];
      for (const p of stats.pools) lastCaps.set(`${host}#${p.pool_name}`, { ...backendKeys, ...(p as Record<string, Json>) });
    }
    const pools = [...lastCaps.keys()].sort();
    const out: { volume_type: string; pools: string[] }[] = [];
    for (const t of this.rows<VolumeTypeRow>(tables.volumeTypes).values()) {
      if (t.deleted) continue;
      out.push({ volume_type: t.name, pools: pools.filter((p) => satisfiesExtraSpecs(lastCaps.get(p)!, t.extra_specs)) });
    }
    return out;
  }

  private rows<T extends Row>(table: string): Map<string, T> {
    return this.world.db.rows(table) as Map<string, T>;
  }

  volumes(): readonly VolumeFacts[] {
    const out: VolumeFacts[] = [];
    for (const v of this.rows<VolumeRow>(tables.volumes).values()) {
      if (v.deleted) continue;
      out.push({ id: v.id, name: v.display_name, status: v.status, host: v.host, availability_zone: v.availability_zone, size: v.size, project_id: v.project_id });
    }
    return out;
  }

  /** Whether a volume ever became usable (launched_at is set on a successful create). */
  launched(id: string): boolean {
    const r = this.rows<VolumeRow>(tables.volumes).get(id);
    return r !== undefined && r.launched_at !== null;
  }

  statusOf(id: string): string | undefined {
    for (const t of [tables.volumes, tables.snapshots, tables.backups, tables.transfers]) {
      const r = this.rows<Row & { status?: string }>(t).get(id);
      if (r) return r.deleted ? 'deleted' : (r.status ?? 'exists');
    }
    return undefined;
  }

  /** A volume's type now, by id and name. */
  volumeTypeOf(id: string): { id: string; name: string } | undefined {
    const v = this.rows<VolumeRow>(tables.volumes).get(id);
    if (!v) return undefined;
    const t = this.rows<VolumeTypeRow>(tables.volumeTypes).get(v.volume_type_id);
    return { id: v.volume_type_id, name: t?.name ?? v.volume_type_id };
  }

  hostOf(id: string): string | undefined {
    return this.rows<VolumeRow>(tables.volumes).get(id)?.host ?? undefined;
  }

  /** A volume's availability zone (the one asked for, else the API's default), by id. */
  availabilityZoneOf(id: string): string | undefined {
    return this.rows<VolumeRow>(tables.volumes).get(id)?.availability_zone;
  }

  /** Crash, stop or restart a service. */
  serviceAction(host: string, binary: string, action: 'crash' | 'stop' | 'restart'): string | null {
    return notApplied(() => {
      const s = this.cloud.service({ host, binary: binary as 'cinder-volume' | 'cinder-scheduler' | 'cinder-backup' });
      if (action === 'restart') s.restart();
      else if (action === 'crash') s.crash();
      else s.stop();
    });
  }

  /** `cinder-manage service remove BINARY HOST`: what it prints and its exit status. */
  removeService(binary: string, host: string): { exitStatus: number; output: string } {
    if (binary !== 'cinder-volume' && binary !== 'cinder-scheduler' && binary !== 'cinder-backup') {
      return { exitStatus: 2, output: `Host not found. Failed to remove ${binary} on ${host}.\nService ${binary} could not be found on host ${host}.` };
    }
    return this.cloud.removeService(binary, host);
  }

  /** Start a node's service deployed mid-run; the hosts started, or why not. */
  startLater(node: string, binary: 'cinder-volume' | 'cinder-scheduler' | 'cinder-backup'): string[] | string {
    try {
      return this.cloud.startLater(node, binary);
    } catch (e) {
      return `not applied: ${(e as Error).message}`;
    }
  }

  /**
   * Replace a node's cinder.conf (its [DEFAULT] options and enabled backends
   * with their fake storage) and restart its services; what happened per
   * service, or why not.
   */
  changeConf(node: string, conf: Pick<CloudInput['nodes'][number], 'DEFAULT' | 'backends'>): string[] | string {
    try {
      const notes = this.cloud.reconfigure(node, conf);
      this.readTopology();
      return notes;
    } catch (e) {
      return `not applied: ${(e as Error).message}`;
    }
  }

  /** Change a pool's physical size. */
  setCapacity(backend: string, pool: string | undefined, totalGb: number): string | null {
    return notApplied(() => this.cloud.setBackendCapacity(backend, totalGb, pool));
  }

  /** Fail or recover a backend's storage. */
  setBackendFailed(backend: string, failed: boolean): string | null {
    return notApplied(() => (failed ? this.cloud.failBackend(backend) : this.cloud.recoverBackend(backend)));
  }

  /** The first broken invariant (a volume in two places, a pool over-provisioned...), or null. */
  invariant(): string | null {
    return this.cloud.checkInvariants();
  }
}

function notApplied(act: () => void): string | null {
  try {
    act();
    return null;
  } catch (e) {
    return `not applied: ${(e as Error).message}`;
  }
}

/**
 * CapabilitiesFilter's test of one pool for a volume type: each extra spec
 * with no scope or the `capabilities:` scope names a (nested) capability that
 * must exist and match.  A comparison Cinder would raise on counts as no match.
 */
function satisfiesExtraSpecs(caps: Record<string, Json>, extraSpecs: Readonly<Record<string, string>>): boolean {
  for (const key of Object.keys(extraSpecs)) {
    const path = key.split(':');
    if (path.length > 1 && path[0] !== 'capabilities') continue;
    if (path[0] === 'capabilities') path.shift();
    let cap: Json | undefined = caps;
    for (const part of path) cap = isDict(cap) && Object.prototype.hasOwnProperty.call(cap, part) ? cap[part] : undefined;
    if (cap === undefined) return false;
    try {
      const ok = Array.isArray(cap) ? cap.some((v) => matchExtraSpec(v, extraSpecs[key]!)) : matchExtraSpec(cap, extraSpecs[key]!);
      if (!ok) return false;
    } catch (e) {
      if (e instanceof PyError) return false;
      throw e;
    }
  }
  return true;
}
