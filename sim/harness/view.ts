import { serviceList } from '../cinder/api/services.js';
import type { ApiResult, CinderRequest, RequestContext } from '../cinder/api/requests.js';
import type { Cloud } from '../cinder/cloud/build.js';
import type { CloudInput } from '../cinder/cloud/spec.js';
import { renderDecision } from '../cinder/scheduler/explain.js';
import type { Decision } from '../cinder/scheduler/filter-scheduler.js';
import type { SchedulerDecisionRecord } from '../cinder/scheduler/manager.js';
import { volumeServiceHost } from '../cinder/host.js';
import { tables, type VolumeRow, type VolumeTypeRow } from '../cinder/db/index.js';
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
}

export interface CloudPool {
  pool: string;
  total_capacity_gb: number;
  free_capacity_gb: number;
  allocated_capacity_gb: number;
  provisioned_capacity_gb: number;
}

/** The filter that left no candidates: the first (in order) with nobody passing. */
export function emptiedBy(d: Decision | null): string | null {
  if (!d || !d.filters || d.candidateCount === 0) return null;
  return d.filters.find((f) => f.passed.length === 0)?.name ?? null;
}

/**
 * A simulated cloud as a scenario sees it: requests answered as values,
 * decisions, service states and pools as records, and the faults it can
 * apply, each answering null or why it was not applied.
 */
export class CloudView {
  private readonly nodeOfHost = new Map<string, string>();
  private scheduler: { node: string; downMs: number } | null = null;
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
  }

  /** Submit one API request to the cinder-api on `apiNode` (default: the first); `done` is called (in virtual time) with the answer. */
  submit(ctx: RequestContext, req: CinderRequest, done: (r: ApiResult) => void, apiNode?: string): void {
    this.cloud.submit(ctx, req, (o) => done(o.ok ? { ok: true, result: o.result } : { ok: false, http: o.http, error: o.error, message: o.message }), apiNode);
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
    for (const d of fresh) {
      const message = d.ok ? null : d.reason === null ? null : d.reason.startsWith('No valid backend') ? d.reason : `No valid backend was found. ${d.reason}`;
      list.push({ atMs: d.atMs, operation: d.operation, resource: d.resource, ok: d.ok, chosen: d.chosen, emptiedBy: emptiedBy(d.trace), noCandidates: d.trace !== null && d.trace.candidateCount === 0, message, traceText: d.trace && !d.ok ? renderDecision(d.trace) : '', trace: d.trace ? { ...d.trace, pool: undefined } : null });
    }
    return list;
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
      };
    });
  }

  /** Every pool's capacity now, as its driver would report it ('infinite' and 'unknown' as -1). */
  pools(): readonly CloudPool[] {
    const num = (v: number | string): number => (typeof v === 'number' ? v : -1);
    return this.cloud.pools().map((p) => ({
      pool: `${p.backend}#${p.pool}`,
      total_capacity_gb: num(p.total_capacity_gb),
      free_capacity_gb: num(p.free_capacity_gb),
      allocated_capacity_gb: p.allocated_capacity_gb,
      provisioned_capacity_gb: p.provisioned_capacity_gb,
    }));
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
