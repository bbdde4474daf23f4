import type { Message } from '../../ports/bus.js';
import type { Rng } from '../../ports/rng.js';
import type { ServicePorts } from '../../ports/service.js';
import type { Table } from '../../ports/store.js';
import { commit } from '../quota.js';
import type { ServiceDefaults } from '../config/resolved.js';
import {
  tables,
  type BackupRow,
  type MessageRow,
  type ServiceRow,
  type SnapshotRow,
  type VolumeRow,
  type VolumeStatus,
  type VolumeTypeRow,
} from '../db/index.js';
import { extractBackend } from '../host.js';
import { backupTopic, SCHEDULER_TOPIC, volumeTopic } from '../rpcapi.js';
import { effectiveServiceDownTime, isServiceUp, ServiceHeart, type ServiceDirectory } from '../service/index.js';
import { FilterScheduler, type Decision, type ScheduleInput, type TraceLevel } from './filter-scheduler.js';
import { defaultShortcuts, type Shortcuts } from '../shortcuts.js';
import { ReportPuller } from './cache/report-puller.js';
import { ServiceView } from './cache/service-view.js';
import { HostManager, type Capabilities, type PoolState, type ServiceInfo } from './host-manager.js';
import type { Json } from './python.js';
import type { Operation, RequestSpec, RetryInfo, SchedulingLookups, ServiceFacts } from './types.js';

export interface SchedulerDecisionRecord {
  atMs: number;
  operation: string;
  resource: string;
  ok: boolean;
  chosen: string | null;
  reason: string | null;
  /** The scheduler library's decision with its filter and weigher trace (null when no scheduling ran, or after dropDecisions). */
  trace: Decision | null;
}

interface BackupServiceState {
  backend_state: boolean;
  availability_zone: string;
}

/**
 * cinder-scheduler (scheduler/manager.py SchedulerManager): takes
 * capability reports (eager fanouts, and the lazy periodic ones pulled at
 * each scheduling call), judges liveness one-sidedly with its own clock,
 * places creates and checks snapshots, extends and retypes on the
 * volume's own backend, and picks backup hosts.
 */
export class SchedulerService {
  /** In-memory state of the scheduler process: a restart starts it afresh. */
  hostManager: HostManager;
  filterScheduler: FilterScheduler;
  /** SchedulerManager._startup_delay: set until the first reports are in (or the wait ran out). */
  private startupDelay = false;
  private readonly heart: ServiceHeart;
  /** The lazy periodic reports, pulled before each decision from the sources that may change it. */
  private readonly puller: ReportPuller;
  /** The cinder-volume rows as of the last look, kept while nothing can have changed them. */
  private readonly view: ServiceView;
  private readonly backupStates = new Map<string, BackupServiceState>();
  /**
   * The ChanceWeigher's own stream ('weigher:ChanceWeigher' under this
   * service's stream: the ports give no named streams), so that weighing
   * by chance shifts no other draw of the scheduler.
   */
  private readonly chanceRng: Rng;
  readonly decisions: SchedulerDecisionRecord[] = [];
  /** 'light' once a caller drops the decisions (it keeps counts only): no per-pool trace rows. */
  private traceLevel: TraceLevel = 'full';
  /** A replay's watcher (see traceFully): gets every decision as it is made. */
  private listener: ((d: SchedulerDecisionRecord) => void) | null = null;
  private levelBeforeWatch: TraceLevel = 'full';
  private running = false;

  constructor(
    private readonly ports: ServicePorts,
    private readonly defaults: ServiceDefaults,
    private readonly directory: ServiceDirectory,
    private readonly shortcuts: Shortcuts = defaultShortcuts,
  ) {
    this.chanceRng = ports.rng.fork('weigher:ChanceWeigher');
    this.hostManager = this.newHostManager();
    this.filterScheduler = this.newFilterScheduler();
    this.heart = new ServiceHeart(ports, 'cinder-scheduler', defaults.host ?? ports.node, defaults.report_interval, directory);
    this.view = new ServiceView(ports.clock, directory, effectiveServiceDownTime(defaults) * 1000, (host) => this.puller.markDirty(host));
    this.puller = new ReportPuller(ports.clock, directory, shortcuts.lazyPulls, (host, caps, ts) => this.intake(host, caps, ts, true), () => this.hostManager);
  }

  get host(): string {
    return this.heart.host;
  }

  private newHostManager(): HostManager {
    return new HostManager({
      clock: this.ports.clock,
      log: this.ports.log,
      max_over_subscription_ratio: String(this.defaults.max_over_subscription_ratio),
      incremental: this.shortcuts.incrementalIntake,
      beforeConsume: (pool) => this.puller.beforeConsume(pool.backendKey),
      onConsumed: (pool) => this.puller.markDirty(pool.backendKey),
    });
  }

  private newFilterScheduler(): FilterScheduler {
    const d = this.defaults;
    return new FilterScheduler({
      hostManager: this.hostManager,
      lookups: this.lookups(),
      trace: this.traceLevel,
      fastPath: this.shortcuts.fastPath,
      log: this.ports.log,
      config: {
        scheduler_default_filters: d.scheduler_default_filters,
        scheduler_default_weighers: d.scheduler_default_weighers,
        capacity_weight_multiplier: d.capacity_weight_multiplier,
        allocated_capacity_weight_multiplier: d.allocated_capacity_weight_multiplier,
        volume_number_multiplier: d.volume_number_multiplier,
        scheduler_max_attempts: d.scheduler_max_attempts,
      },
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.hostManager = this.newHostManager();
    this.filterScheduler = this.newFilterScheduler();
    this.puller.restart();
    this.backupStates.clear();
    this.view.clear();
    this.heart.start(this.defaults.storage_availability_zone);
    this.ports.bus.serve(SCHEDULER_TOPIC, (m, a) => this.handle(m, a));
    // init_host_with_rpc: ask every volume and backup service for fresh capabilities
    // (a fanout in Cinder; here one cast per known service row).
    for (const s of this.ports.store.table<ServiceRow>(tables.services).list()) {
      if (s.binary === 'cinder-volume') this.ports.bus.cast(volumeTopic(s.host), 'publish_service_capabilities', {});
      if (s.binary === 'cinder-backup') this.ports.bus.cast(backupTopic(s.host), 'publish_service_capabilities', {});
    }
    // init_host_with_rpc: wait (polling once a second) for the first reports, at most scheduler_driver_init_wait_time.
    this.startupDelay = true;
    let polls = 0;
    const poll = (): void => {
      if (!this.running) return;
      if (this.firstReceive() || ++polls >= this.defaults.scheduler_driver_init_wait_time) {
        this.startupDelay = false;
        return;
      }
      this.ports.timers.after(1000, poll, 'scheduler init_host_with_rpc');
    };
    poll();
  }

  /** has_all_capabilities: every enabled, up cinder-volume has reported. */
  private isReady(): boolean {
    this.puller.pullAll();
    return this.serviceInfos().every((s) => s.disabled || s.frozen || !s.up || this.hostManager.hasCapabilities(s.host));
  }

  /** first_receive_capabilities: some backend has reported and none is missing. */
  private firstReceive(): boolean {
    if (!this.isReady()) return false;
    return this.serviceInfos().some((s) => !s.disabled && !s.frozen && s.up && this.hostManager.hasCapabilities(s.host));
  }

  /** _wait_for_scheduler: requests wait (re-checked once a second) while the start-up delay lasts. */
  private waitForScheduler(method: string, args: Message): boolean {
    if (!this.startupDelay || this.isReady()) return false;
    this.ports.timers.after(1000, () => this.running && this.handle(method, args), `scheduler wait ${method}`);
    return true;
  }

  /**
   * Forget the decisions recorded so far.  A caller that drops them keeps
   * counts only, so from now on decisions run with the library's light
   * trace (the same decisions) and are recorded without a trace.
   */
  dropDecisions(): void {
    this.decisions.length = 0;
    if (this.traceLevel === 'light' || this.listener !== null) return;
    this.traceLevel = 'light';
    this.filterScheduler = this.newFilterScheduler();
  }

  /**
   * For a replay that explains one request (`cinder-sim explain` on a lean
   * run): from now on decide with the full trace (the same decisions as
   * light, without the fast path) and hand each decision to `listener` as it
   * is recorded; null goes back to the trace level of before.
   */
  traceFully(listener: ((d: SchedulerDecisionRecord) => void) | null): void {
    if (listener !== null && this.listener === null) this.levelBeforeWatch = this.traceLevel;
    this.listener = listener;
    const level = listener !== null ? 'full' : this.levelBeforeWatch;
    if (level === this.traceLevel) return;
    this.traceLevel = level;
    this.filterScheduler = this.newFilterScheduler();
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.heart.stop();
    this.ports.bus.unserve(SCHEDULER_TOPIC);
  }

  private get volumes(): Table<VolumeRow> {
    return this.ports.store.table<VolumeRow>(tables.volumes);
  }

  private handle(method: string, args: Message): unknown {
    switch (method) {
      case 'update_service_capabilities':
        return this.updateCapabilities(args);
      case 'create_volume':
        return this.waitForScheduler(method, args) || this.createVolume(args);
      case 'create_snapshot':
        return this.waitForScheduler(method, args) || this.createSnapshot(args);
      case 'extend_volume':
        return this.extendVolume(args);
      case 'retype':
        return this.waitForScheduler(method, args) || this.retype(args);
      case 'create_backup':
        return this.createBackup(args);
      case 'get_pools':
        return this.getPools();
      default:
        this.ports.log.warning(`Unknown RPC method ${method}`);
        return undefined;
    }
  }

  private updateCapabilities(args: Message): void {
    const host = String(args.host);
    if (args.service_name === 'backup') {
      const caps = args.capabilities as { backend_state: boolean; availability_zone: string };
      this.backupStates.set(host, { backend_state: caps.backend_state, availability_zone: caps.availability_zone });
      return;
    }
    if (args.service_name !== 'volume') return;
    // Periodic reports produced before this one would have arrived first: apply them first.
    if (typeof args.sent_mono === 'number') this.puller.pullUntil(host, args.sent_mono);
    this.intake(host, args.capabilities as Capabilities, Number(args.timestamp));
  }

  /**
   * One report as Cinder's scheduler takes it: update_service_capabilities
   * (with the service rows of now while the host manager is just
   * initialised, so the first reporters come first in the candidate
   * order), then the notify_service_capabilities cast sent with it.
   */
  private intake(host: string, caps: Capabilities, timestampWallMs: number, pulled = false): void {
    const hm = this.hostManager;
    const servicesNow = hm.justInitialised() ? this.serviceInfos() : undefined;
    // A pulled report arrived in Cinder when it was sent: the rows of now would warn of services down since.
    const r = pulled ? hm.withoutDownWarnings(() => hm.updateServiceCapabilities(host, caps, timestampWallMs, null, servicesNow)) : hm.updateServiceCapabilities(host, caps, timestampWallMs, null, servicesNow);
    this.puller.taken(host, caps, r);
    hm.notifyServiceCapabilities(host, caps, timestampWallMs);
  }

  /** The cinder-volume rows as the scheduler sees them now: liveness by its own clock, one-sided. */
  serviceInfos(): ServiceInfo[] {
    return this.view.infos(this.ports.store.table<ServiceRow>(tables.services));
  }

  private lookups(): SchedulingLookups {
    return {
      volumeCount: (poolHost) => this.volumes.list((v) => v.host !== null && (v.host === poolHost || v.host.startsWith(`${poolHost}#`))).length,
      volumeHost: (id) => this.volumes.get(id)?.host ?? undefined,
      instanceHost: () => undefined,
      chanceRng: () => this.chanceRng,
      serviceFacts: (host) => this.serviceFacts(host),
    };
  }

  /** A cinder-volume row as this scheduler judges it now, with the numbers (full traces only). */
  private serviceFacts(host: string): ServiceFacts | undefined {
    const row = this.ports.store.table<ServiceRow>(tables.services).list((r) => r.binary === 'cinder-volume' && r.host === host)[0];
    if (row === undefined) return undefined;
    const clock = this.ports.clock;
    const nowMono = clock.monoNow();
    const now = clock.wallNow();
    const updated = this.directory.updatedAt(row) ?? null;
    const src = this.directory.heartbeatSource(row.id);
    const downS = effectiveServiceDownTime(this.defaults);
    const lastMono = src?.lastHeartbeatMono?.() ?? null;
    const heartbeating = src?.beat ? src.beat() !== null : null;
    let downSinceMs: number | null = null;
    let downSinceBasis: ServiceFacts['downSinceBasis'] = null;
    if (!isServiceUp(updated, now, downS * 1000)) {
      const stoppedAt = heartbeating === false && updated !== null && lastMono !== null ? firstDown(lastMono, nowMono, (t) => !isServiceUp(updated, clock.wallAt(t), downS * 1000)) : null;
      if (stoppedAt !== null) {
        downSinceMs = stoppedAt;
        downSinceBasis = 'heartbeat_stopped';
      } else if (this.view.downSince(host) !== null) {
        downSinceMs = this.view.downSince(host);
        downSinceBasis = 'first_seen';
      }
    }
    return {
      updatedAtWallMs: updated,
      schedulerNowWallMs: now,
      heartbeatAgeMs: updated === null ? null : now - updated,
      serviceDownTimeS: this.defaults.service_down_time,
      effectiveServiceDownTimeS: downS,
      serviceClockOffsetMs: src?.clock?.offsetAt?.(nowMono) ?? null,
      schedulerClockOffsetMs: clock.offsetAt?.(nowMono) ?? null,
      lastHeartbeatMs: lastMono,
      heartbeating,
      downSinceMs,
      downSinceBasis,
      disabledReason: row.disabled_reason,
    };
  }

  private volumeType(typeId: string): { [k: string]: Json } {
    const t = this.ports.store.table<VolumeTypeRow>(tables.volumeTypes).get(typeId);
    return { id: typeId, name: t?.name ?? typeId, extra_specs: { ...(t?.extra_specs ?? {}) } };
  }

  /** The request_spec Cinder's API and scheduler build for `v`. */
  private spec(v: VolumeRow, op: Operation, typeId: string, azs: string[] | null, size = v.size): RequestSpec {
    const az = azs && azs.length === 1 ? azs[0]! : null;
    return {
      volume_id: v.id,
      volume_properties: { size, availability_zone: az, attach_status: v.attach_status, status: v.status, host: v.host ?? undefined },
      volume_type: this.volumeType(typeId),
      availability_zones: azs,
      resource_backend: null,
      operation: op,
    };
  }

  /** Every scheduling call starts from the reports (lazy ones included) and the service rows of now. */
  private input(requestSpec: RequestSpec, filterProperties: ScheduleInput['filterProperties'] = {}): ScheduleInput {
    this.puller.pull();
    return { services: this.serviceInfos(), requestSpec, filterProperties };
  }

  private record(op: string, resource: string, d: Decision | null, reason: string | null = d?.error ?? null): void {
    const rec: SchedulerDecisionRecord = { atMs: this.ports.clock.monoNow(), operation: op, resource, ok: !!d?.selected && reason === null, chosen: d?.selected ?? null, reason, trace: this.traceLevel === 'light' ? null : d };
    this.decisions.push(rec);
    this.listener?.(rec);
  }

  private userMessage(project: string, type: MessageRow['resource_type'], uuid: string, eventId: string, text: string): void {
    const t = this.ports.store.table<MessageRow>(tables.messages);
    t.insert({ id: `msg-${t.list().length + 1}-${uuid}`, project_id: project, resource_type: type, resource_uuid: uuid, event_id: eventId, user_message: text });
  }

  private createVolume(args: Message): void {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted || v.status !== 'creating') return;
    const azs = (args.availability_zones ?? null) as string[] | null;
    const resourceBackend = (args.resource_backend ?? null) as string | null;
    const spec = this.spec(v, 'create_volume', v.volume_type_id, azs);
    spec.resource_backend = resourceBackend;
    const retry = (args.retry ?? undefined) as RetryInfo | undefined;
    const d = this.filterScheduler.scheduleCreateVolume(this.input(spec, retry ? { retry } : {}));
    if (!d.selected || !d.pool) {
      this.ports.log.named('cinder.scheduler.flows.create_volume').error(`Failed to run task cinder.scheduler.flows.create_volume.ScheduleCreateVolumeTask;volume:create: ${d.error}`);
      this.volumes.update(v.id, { status: 'error', host: null });
      this.userMessage(v.project_id, 'VOLUME', v.id, 'VOLUME_VOLUME_001_003', 'schedule allocate volume:Could not find any available weighted backend.');
      this.record('create_volume', v.id, d);
      return;
    }
    const pool = d.pool;
    // volume_update_db: host, scheduled_at, and the chosen backend's AZ overwrites the request's.
    this.volumes.update(v.id, { host: pool.host, availability_zone: d.selectedAz ?? v.availability_zone, scheduled_at: this.ports.clock.wallNow() });
    this.record('create_volume', v.id, d);
    this.ports.bus.cast(volumeTopic(pool.backendHost), 'create_volume', { volume_id: v.id, retry: d.retry ?? null, availability_zones: azs, resource_backend: resourceBackend });
  }

  /**
   * create_snapshot: backend_passes_filters on the volume's own backend with
   * the volume's size, then consume it.  The library's extend path does the
   * same with size 0 -> new_size; its message is reworded for a snapshot.
   */
  private createSnapshot(args: Message): void {
    const snaps = this.ports.store.table<SnapshotRow>(tables.snapshots);
    const s = snaps.get(String(args.snapshot_id));
    if (!s || s.deleted) return;
    const v = this.volumes.get(s.volume_id);
    if (!v || !v.host) return;
    const spec = this.spec(v, 'extend_volume', v.volume_type_id, [v.availability_zone], 0);
    spec.volume_properties.host = v.host;
    const d = this.filterScheduler.extendVolume(this.input(spec, { new_size: v.size }));
    if (!d.selected || !d.pool) {
      const reason = `Cannot place snapshot ${s.id} on ${extractBackend(v.host)}.`;
      this.ports.log.error(`Failed to create snapshot: No valid backend was found. ${reason}`);
      snaps.update(s.id, { status: 'error' });
      this.record('create_snapshot', s.id, d, reason);
      return;
    }
    this.record('create_snapshot', s.id, d);
    this.ports.bus.cast(volumeTopic(d.pool.backendHost), 'create_snapshot', { snapshot_id: s.id });
  }

  private extendVolume(args: Message): void {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted || !v.host) return;
    const newSize = Number(args.new_size);
    const spec = this.spec(v, 'extend_volume', v.volume_type_id, [v.availability_zone]);
    const d = this.filterScheduler.extendVolume(this.input(spec, { new_size: newSize }));
    if (!d.selected || !d.pool) {
      this.ports.log.error(`Failed to extend volume: ${d.error}`);
      const back: VolumeStatus = v.previous_status ?? 'available';
      this.volumes.update(v.id, { status: back, previous_status: null });
      const delta = newSize - v.size;
      const typeName = this.ports.store.table<VolumeTypeRow>(tables.volumeTypes).get(v.volume_type_id)?.name ?? v.volume_type_id;
      commit(this.ports.store, v.project_id, { gigabytes: -delta, [`gigabytes_${typeName}`]: -delta });
      this.userMessage(v.project_id, 'VOLUME', v.id, 'VOLUME_VOLUME_007_003', 'extend volume:Could not find any available weighted backend.');
      this.record('extend_volume', v.id, d);
      return;
    }
    this.record('extend_volume', v.id, d);
    this.ports.bus.cast(volumeTopic(d.pool.backendHost), 'extend_volume', { volume_id: v.id, new_size: newSize });
  }

  private retype(args: Message): void {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted || !v.host) return;
    const newTypeId = String(args.new_type_id);
    const azs = (args.availability_zones ?? [v.availability_zone]) as string[];
    const spec = this.spec(v, 'retype', newTypeId, azs);
    const policy = String(args.migration_policy ?? 'never');
    spec.migration_policy = policy;
    spec.volume_properties.host = extractBackend(v.host);
    const d = this.filterScheduler.findRetypeBackend(this.input(spec), policy);
    this.record('retype', v.id, d);
    if (!d.selected || !d.pool) {
      this.ports.log.error(`Failed to schedule_retype: ${d.error}`);
      this.volumes.update(v.id, { status: v.previous_status ?? 'available', previous_status: null });
      return;
    }
    const dest = d.pool;
    const args2 = dest.backendHost === extractBackend(v.host) ? { volume_id: v.id, new_type_id: newTypeId } : { volume_id: v.id, new_type_id: newTypeId, dest_host: dest.host };
    this.ports.bus.cast(volumeTopic(extractBackend(v.host)), 'retype', args2);
  }

  /** get_backup_host: a backup service in the volume's AZ whose last report says it works. */
  private createBackup(args: Message): void {
    const backups = this.ports.store.table<BackupRow>(tables.backups);
    const b = backups.get(String(args.backup_id));
    if (!b || b.deleted) return;
    const v = this.volumes.get(b.volume_id);
    const az = v?.availability_zone ?? b.availability_zone;
    const hosts = [...this.backupStates].filter(([, s]) => s.backend_state && s.availability_zone === az).map(([h]) => h);
    if (hosts.length === 0) {
      backups.update(b.id, { status: 'error', fail_reason: 'Service not found for creating backup.' });
      if (v && v.status === 'backing-up') this.volumes.update(v.id, { status: v.previous_status ?? 'available', previous_status: null });
      if (b.snapshot_id) this.ports.store.table<SnapshotRow>(tables.snapshots).update(b.snapshot_id, { status: 'available' });
      this.userMessage(b.project_id, 'BACKUP', b.id, 'BACKUP_BACKUP_001_003', 'create backup:Service not found for creating backup.');
      this.record('create_backup', b.id, null, 'Service not found for creating backup.');
      return;
    }
    const host = hosts[this.ports.rng.int(0, hosts.length - 1)]!;
    backups.update(b.id, { host });
    const rec: SchedulerDecisionRecord = { atMs: this.ports.clock.monoNow(), operation: 'create_backup', resource: b.id, ok: true, chosen: host, reason: null, trace: null };
    this.decisions.push(rec);
    this.listener?.(rec);
    this.ports.bus.cast(backupTopic(host), 'create_backup', { backup_id: b.id });
  }

  /** get_pools: the pool states as of now (it does not wait for the start-up reports). */
  private getPools(): unknown {
    return this.refreshNow().map((p) => ({ name: p.host, capabilities: p.capabilities }));
  }

  /** The candidates a scheduling call made now would start from (reports pulled, backend map refreshed). */
  refreshNow(): PoolState[] {
    this.puller.pullAll();
    return this.hostManager.getAllBackendStates(this.serviceInfos());
  }
}

/**
 * The first virtual ms in (from, to] where `down` holds, when it does not
 * hold at `from` and holds at `to` (a clock that only runs forward makes it
 * monotone); null otherwise.
 */
function firstDown(from: number, to: number, down: (t: number) => boolean): number | null {
  if (down(from) || !down(to)) return null;
  let lo = from;
  let hi = to;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (down(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
