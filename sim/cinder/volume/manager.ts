import type { Message } from '../../ports/bus.js';
import type { Periodic, TimerHandle } from '../../ports/clock.js';
import type { ServicePorts } from '../../ports/service.js';
import type { Table } from '../../ports/store.js';
import type { LaterReply } from '../../ports/bus.js';
import type { DriverCall, DriverResult, PoolStats, VolumeDriver, VolumeStats } from '../../ports/volume-driver.js';
import { commit, negate, snapshotDeltas, volumeDeltas } from '../quota.js';
import type { ServiceDefaults } from '../config/resolved.js';
import { copyDict } from '../dict.js';
import { defaultShortcuts, type Shortcuts } from '../shortcuts.js';
import { CapabilityReporter } from './capability-reporter.js';
import {
  type BackupRow,
  tables,
  type ServiceRow,
  type SnapshotRow,
  type VolumeRow,
  type VolumeStatus,
  type VolumeTypeRow,
} from '../db/index.js';
import { extractBackend, extractPool } from '../host.js';
import { backupTopic, SCHEDULER_TOPIC, volumeTopic } from '../rpcapi.js';
import { ensureServiceRow, serviceId, type ServiceDirectory } from '../service/index.js';

/** oslo.service's graceful_shutdown_timeout default: how long a stopping service finishes its requests. */
const GRACEFUL_SHUTDOWN_TIMEOUT_S = 60;

/** Image data copies at this rate when a volume is created from an image (MB/s). */
const IMAGE_COPY_MBPS = 100;

export interface VolumeServiceConfig {
  /** host@backend */
  host: string;
  availabilityZone: string;
  defaults: ServiceDefaults;
  /** extra_capabilities of the backend's group, parsed: merged into every pool it reports. */
  extraCapabilities: Record<string, unknown>;
  /** Image sizes for create-from-image (bytes). */
  imageSizeBytes: (imageId: string) => number | undefined;
  /** The performance shortcuts (capability reporting reads lazyReports and gateSpans). */
  shortcuts?: Shortcuts;
}

type State = 'running' | 'stopped';


/**
 * cinder-volume for one backend (volume/manager.py VolumeManager plus
 * service.py Service): heartbeats and capability reports computed lazily
 * from its own clock, RPC handlers that run the driver and set the
 * statuses Cinder sets, allocated_capacity_gb accounting.
 */
export class VolumeService {
  private state: State = 'stopped';
  private heartbeat: Periodic | null = null;
  /** Capability reporting: the periodic-task gate and the reports it lets through. */
  readonly reports: CapabilityReporter;
  private readonly inflight = new Set<TimerHandle>();
  /** Allocated GB per pool, as _count_allocated_capacity / _update_allocated_capacity keep it. */
  private readonly allocatedGb = new Map<string, number>();
  readonly id: string;

  constructor(
    private readonly ports: ServicePorts,
    private readonly cfg: VolumeServiceConfig,
    readonly driver: VolumeDriver,
    private readonly directory: ServiceDirectory,
  ) {
    this.id = serviceId('cinder-volume', cfg.host);
    directory.registerHeartbeat(this.id, {
      lastHeartbeatWall: () => {
        const t = this.heartbeat?.lastTick() ?? null;
        return t === null ? null : this.ports.clock.wallAt(t);
      },
      beat: () => {
        const h = this.heartbeat;
        return h === null || h.stopped ? null : { clock: this.ports.clock, periodMs: h.intervalMs, lastTickMono: h.lastTick() };
      },
      lastHeartbeatMono: () => this.heartbeat?.lastTick() ?? null,
      clock: this.ports.clock,
    });
    this.reports = new CapabilityReporter(ports, this, cfg.defaults.backend_stats_polling_interval, cfg.shortcuts ?? defaultShortcuts, directory, SCHEDULER_TOPIC);
  }

  get host(): string {
    return this.cfg.host;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  private get volumes(): Table<VolumeRow> {
    return this.ports.store.table<VolumeRow>(tables.volumes);
  }

  private get snapshots(): Table<SnapshotRow> {
    return this.ports.store.table<SnapshotRow>(tables.snapshots);
  }

  private get services(): Table<ServiceRow> {
    return this.ports.store.table<ServiceRow>(tables.services);
  }

  // ---- lifecycle ----------------------------------------------------------

  /** Service.start + VolumeManager.init_host. */
  start(): void {
    if (this.state === 'running') return;
    this.state = 'running';
    const { defaults } = this.cfg;
    const setup = this.driver.initialized ? null : this.driver.doSetup();
    if (setup && !setup.ok) this.ports.log.error(`Failed to initialize driver. ${setup.message}`);
    ensureServiceRow(this.services, this.id, 'cinder-volume', this.cfg.host, this.cfg.availabilityZone);
    this.ports.bus.serve(volumeTopic(this.cfg.host), (method, args) => this.handle(method, args));
    // init_host returns early when the driver failed to initialise: no counting, no cleanup.
    if (this.driver.initialized) {
      this.countAllocated();
      this.cleanup();
    }
    const reportMs = defaults.report_interval * 1000;
    // report_state sends nothing while the driver is not initialised: the service shows down.
    this.heartbeat = this.driver.initialized ? this.ports.timers.periodic(reportMs, reportMs, `heartbeat ${this.cfg.host}`) : null;
    this.directory.beatsChanged();
    if (!this.driver.initialized) {
      this.ports.log.error(`Manager for service cinder-volume ${this.cfg.host} is reporting problems, not sending heartbeat. Service will appear "down".`);
    }
    // Service.start: the periodic tasks timer fires every periodic_interval after a random initial delay.
    const fuzzyMs = this.ports.rng.int(0, Math.trunc(defaults.periodic_fuzzy_delay)) * 1000;
    const periodMs = defaults.periodic_interval * 1000;
    this.reports.start(fuzzyMs, periodMs);
    if (this.driver.initialized) this.reports.publish();
  }

  /**
   * SIGTERM (`systemctl stop`): oslo's Service.stop stops consuming RPCs and
   * the timers (heartbeats, reports) at once, and requests already being
   * handled run on for up to graceful_shutdown_timeout before the process
   * exits; whatever is still running then is lost, as in a crash.
   */
  stop(): void {
    if (this.state === 'stopped') return;
    this.halt();
    if (this.inflight.size === 0) return;
    const draining = [...this.inflight];
    this.ports.timers.after(GRACEFUL_SHUTDOWN_TIMEOUT_S * 1000, () => {
      for (const h of draining) {
        if (!this.inflight.delete(h)) continue;
        h.cancel();
      }
    }, `graceful shutdown ${this.cfg.host}`);
  }

  /** kill -9, a node power loss: in-flight driver work is lost; the next start's cleanup resolves it as init_host does. */
  crash(): void {
    if (this.state === 'stopped') return;
    this.halt();
    for (const h of this.inflight) h.cancel();
    this.inflight.clear();
  }

  private halt(): void {
    this.state = 'stopped';
    this.heartbeat?.stop();
    this.directory.beatsChanged();
    this.reports.stop();
    this.ports.bus.unserve(volumeTopic(this.cfg.host));
  }

  /**
   * A restart runs do_setup again (a VG that went missing now keeps the
   * service down).  Modelled as a crash and an immediate start: init_host's
   * cleanup resolves what was in flight.
   */
  restart(): void {
    this.crash();
    this.driver.resetInitialized();
    this.start();
  }

  /** _do_cleanup at start: interrupted work on this backend is resolved as Cinder does. */
  private cleanup(): void {
    for (const v of this.volumes.list((v) => v.host !== null && extractBackend(v.host) === this.cfg.host)) {
      if (v.status === 'creating' || v.status === 'downloading') this.volumes.update(v.id, { status: 'error' });
      else if (v.status === 'deleting') this.deleteVolume({ volume_id: v.id, cascade: true });
      else if (v.status === 'extending') this.volumes.update(v.id, { status: 'error_extending' });
    }
    for (const s of this.snapshots.list((s) => this.ownsVolume(s.volume_id))) {
      if (s.status === 'creating') this.snapshots.update(s.id, { status: 'error' });
      else if (s.status === 'deleting') this.deleteSnapshot({ snapshot_id: s.id });
    }
  }

  private ownsVolume(volumeId: string): boolean {
    const v = this.volumes.get(volumeId);
    return !!v && v.host !== null && extractBackend(v.host) === this.cfg.host;
  }

  private countAllocated(): void {
    this.allocatedGb.clear();
    for (const v of this.volumes.list((v) => v.host !== null && extractBackend(v.host) === this.cfg.host)) {
      if (v.status === 'available' || v.status === 'in-use') this.addAllocated(v.host!, v.size);
    }
  }

  private addAllocated(host: string, gb: number): void {
    const pool = extractPool(host) ?? this.driver.getVolumeStats().pools[0]?.pool_name ?? 'unknown';
    this.allocatedGb.set(pool, Math.max(0, (this.allocatedGb.get(pool) ?? 0) + gb));
  }

  // ---- capability reports ---------------------------------------------------

  /** The report _report_driver_status would build now, or null when the driver cannot give stats. */
  currentStats(): VolumeStats | null {
    if (this.driver.statsUnavailable || !this.driver.initialized) return null;
    const stats = this.driver.getVolumeStats();
    const extra = this.cfg.extraCapabilities;
    return copyDict<VolumeStats>(stats, { pools: stats.pools.map((p) => copyDict<PoolStats>(extra as PoolStats, p, { allocated_capacity_gb: this.allocatedGb.get(p.pool_name) ?? 0 } as PoolStats)) } as VolumeStats);
  }


  // ---- RPC ------------------------------------------------------------------

  private handle(method: string, args: Message): unknown {
    switch (method) {
      case 'create_volume':
        return this.createVolume(args);
      case 'delete_volume':
        return this.deleteVolume(args);
      case 'extend_volume':
        return this.extendVolume(args);
      case 'create_snapshot':
        return this.createSnapshot(args);
      case 'delete_snapshot':
        return this.deleteSnapshot(args);
      case 'initialize_connection':
        return this.initializeConnection(args);
      case 'terminate_connection':
        return this.terminateConnection(args);
      case 'accept_transfer':
        return { ok: true };
      case 'retype':
        return this.retype(args);
      case 'migrate_volume_target':
        return this.migrateTarget(args);
      case 'migrate_volume_completion':
        return this.migrateCompletion(args);
      case 'publish_service_capabilities':
        return this.reports.publish();
      default:
        this.ports.log.warning(`Unknown RPC method ${method}`);
        return undefined;
    }
  }

  /**
   * Continue with a driver call's result: at once when the driver answered
   * at once (the fake), else when it completes.  A crash while it is
   * pending drops the completion, as the process that waited for it is gone.
   */
  private whenDone<T>(call: DriverCall<T>, fn: (r: DriverResult<T>) => void): void {
    if (!('pending' in call)) return fn(call);
    const wait: TimerHandle & { dropped: boolean } = { dropped: false, cancel: () => void (wait.dropped = true) };
    this.inflight.add(wait);
    call.onDone((r) => {
      if (!this.inflight.delete(wait) || wait.dropped) return;
      fn(r);
    });
  }

  /** Apply a driver call's result after its latency (plus `extraMs` when it succeeded: image data, a migration's copy). */
  private settle<T>(call: DriverCall<T>, fn: (r: DriverResult<T>) => void, label: string, extraMs = 0): void {
    this.whenDone(call, (r) => this.after(extraMs > 0 && r.ok ? { ...r, latencyMs: r.latencyMs + extraMs } : r, fn, label));
  }

  /** A call's reply made from a driver call: at once, or a LaterReply the bus sends when the driver completes. */
  private reply<T>(call: DriverCall<T>, fn: (r: DriverResult<T>) => unknown): unknown {
    if (!('pending' in call)) return fn(call);
    const later: LaterReply = { onReply: (send) => this.whenDone(call, (r) => send(fn(r))) };
    return later;
  }

  /** Apply a driver result after its latency; crashes cancel pending completions. */
  private after<T>(r: DriverResult<T>, fn: (r: DriverResult<T>) => void, label: string): void {
    // The driver changed the backend when called (an LV exists from lvcreate on): stats from now on show it.
    this.reports.statsChanged();
    const h = this.ports.timers.after(r.latencyMs, () => {
      this.inflight.delete(h);
      fn(r);
      this.reports.statsChanged();
    }, label);
    this.inflight.add(h);
  }

  private typeName(typeId: string): string {
    return this.ports.store.table<VolumeTypeRow>(tables.volumeTypes).get(typeId)?.name ?? typeId;
  }

  private createVolume(args: Message): void {
    const volumeId = String(args.volume_id);
    const v = this.volumes.get(volumeId);
    if (!v || v.deleted || !v.host) return;
    const pool = extractPool(v.host) ?? 'LVM';
    const ref = { id: v.id, sizeGb: v.size, pool };
    // _update_allocated_capacity runs before the driver; reports from now on carry it.
    this.addAllocated(v.host, v.size);
    this.reports.statsChanged();
    let r: DriverCall<void>;
    let extraMs = 0;
    if (v.snapshot_id) {
      const s = this.snapshots.get(v.snapshot_id);
      r = s
        ? this.driver.createVolumeFromSnapshot(ref, { id: s.id, volumeId: s.volume_id, volumeSizeGb: s.volume_size })
        : { ok: false, kind: 'NotFound', message: `Snapshot ${v.snapshot_id} could not be found.`, latencyMs: 0 };
    } else if (v.source_volid) {
      const src = this.volumes.get(v.source_volid);
      r = src && !src.deleted
        ? this.driver.createClonedVolume(ref, { id: src.id, sizeGb: src.size, pool })
        : { ok: false, kind: 'NotFound', message: `Volume ${v.source_volid} could not be found.`, latencyMs: 0 };
    } else {
      r = this.driver.createVolume(ref);
      if (v.image_id) extraMs = Math.ceil(((this.cfg.imageSizeBytes(v.image_id) ?? 0) / (1024 * 1024) / IMAGE_COPY_MBPS) * 1000);
    }
    this.settle(r, (res) => this.finishCreate(v.id, res, args), `create_volume ${v.id}`, extraMs);
  }

  private finishCreate(volumeId: string, r: DriverResult<void>, args: Message): void {
    const v = this.volumes.get(volumeId);
    if (!v || v.deleted) return;
    if (r.ok) {
      if (v.backup_id) {
        // Created from a backup: the backup service restores into it (status restoring-backup).
        this.volumes.update(v.id, { status: 'restoring-backup' });
        const backups = this.ports.store.table<BackupRow>(tables.backups);
        const b = backups.get(v.backup_id);
        if (b && !b.deleted) backups.update(b.id, { status: 'restoring', restore_volume_id: v.id });
        this.ports.bus.cast(backupTopic(b?.host ?? ''), 'restore_backup', { backup_id: v.backup_id, volume_id: v.id, new_volume: true });
        return;
      }
      this.volumes.update(v.id, { status: 'available', launched_at: this.ports.clock.wallNow(), bootable: v.image_id !== null });
      return;
    }
    this.ports.log.error(`Volume ${v.id}: create failed: ${r.message}`);
    const retry = (args.retry ?? null) as { num_attempts: number; backends: string[] } | null;
    const exempt = r.kind === 'NotFound';
    if (retry && !exempt) {
      // OnFailureRescheduleTask: back to the scheduler with this backend recorded; the allocation goes with it.
      // The scheduler, not this manager, refuses once scheduler_max_attempts is exceeded.
      this.addAllocated(v.host!, -v.size);
      this.volumes.update(v.id, { host: null, status: 'creating' });
      this.ports.bus.cast(SCHEDULER_TOPIC, 'create_volume', {
        volume_id: v.id,
        retry,
        reschedule_from: v.host,
        availability_zones: args.availability_zones ?? null,
        resource_backend: args.resource_backend ?? null,
      });
      return;
    }
    this.volumes.update(v.id, { status: 'error' });
  }

  private deleteVolume(args: Message): void {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted) return;
    if (v.attach_status === 'attached') {
      this.ports.log.error(`Volume ${v.id} is still attached, detach volume first.`);
      this.volumes.update(v.id, { status: 'available' });
      return;
    }
    const snaps = this.snapshots.list((s) => s.volume_id === v.id);
    if (args.cascade) {
      const bad = snaps.find((s) => s.status !== 'deleting');
      if (bad) {
        this.ports.log.error(`Invalid snapshot: Snapshot ${bad.id} was found in state ${bad.status} rather than 'deleting' during cascade delete.`);
        this.volumes.update(v.id, { status: 'error_deleting' });
        return;
      }
    }
    this.deleteSnapshotsThen(args.cascade ? snaps : [], 0, v.id, () => this.deleteVolumeData(v.id));
  }

  /** A cascade delete's snapshots, one after the other; the first failure stops the delete. */
  private deleteSnapshotsThen(snaps: readonly SnapshotRow[], i: number, volumeId: string, then: () => void): void {
    const s = snaps[i];
    if (s === undefined) return then();
    this.whenDone(this.driver.deleteSnapshot(s.id), (r) => {
      if (!r.ok) {
        this.snapshots.update(s.id, { status: 'error_deleting' });
        this.volumes.update(volumeId, { status: 'error_deleting' });
        return;
      }
      this.destroySnapshot(s);
      this.deleteSnapshotsThen(snaps, i + 1, volumeId, then);
    });
  }

  private deleteVolumeData(volumeId: string): void {
    this.settle(this.driver.deleteVolume(volumeId), (res) => {
      const cur = this.volumes.get(volumeId);
      if (!cur || cur.deleted) return;
      if (!res.ok) {
        // VolumeIsBusy (a thick LV with a snapshot) puts the volume back to available.
        this.volumes.update(volumeId, { status: res.kind === 'VolumeIsBusy' ? 'available' : 'error_deleting' });
        this.ports.log.error(`Volume ${volumeId}: delete failed: ${res.message}`);
        return;
      }
      this.volumes.softDelete(volumeId);
      commit(this.ports.store, cur.project_id, negate(volumeDeltas(this.typeName(cur.volume_type_id), cur.size)));
      if (cur.host) this.addAllocated(cur.host, -cur.size);
      this.reports.statsChanged();
      this.reports.publish();
    }, `delete_volume ${volumeId}`);
  }

  private destroySnapshot(s: SnapshotRow): void {
    this.snapshots.softDelete(s.id);
    commit(this.ports.store, s.project_id, negate(snapshotDeltas(this.typeName(s.volume_type_id), s.volume_size, this.cfg.defaults.no_snapshot_gb_quota)));
  }

  private extendVolume(args: Message): void {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted) return;
    const newSize = Number(args.new_size);
    const r = this.driver.extendVolume(v.id, newSize);
    this.settle(r, (res) => {
      const cur = this.volumes.get(v.id);
      if (!cur || cur.deleted) return;
      const back: VolumeStatus = cur.previous_status === 'in-use' ? 'in-use' : 'available';
      if (!res.ok) {
        // Cinder: LOG.exception("Extend volume failed.", resource=volume), the driver's exception in its traceback.
        this.ports.log.error(`Volume ${v.id}: Extend volume failed.: ${res.message}`);
        this.volumes.update(v.id, { status: 'error_extending' });
        commit(this.ports.store, cur.project_id, { gigabytes: -(newSize - cur.size), [`gigabytes_${this.typeName(cur.volume_type_id)}`]: -(newSize - cur.size) });
        return;
      }
      if (cur.host) this.addAllocated(cur.host, newSize - cur.size);
      this.volumes.update(v.id, { size: newSize, status: back, previous_status: null });
    }, `extend_volume ${v.id}`);
  }

  private createSnapshot(args: Message): void {
    const s = this.snapshots.get(String(args.snapshot_id));
    if (!s || s.deleted) return;
    const r = this.driver.createSnapshot({ id: s.id, volumeId: s.volume_id, volumeSizeGb: s.volume_size });
    this.settle(r, (res) => {
      const cur = this.snapshots.get(s.id);
      if (!cur || cur.deleted) return;
      if (res.ok) this.snapshots.update(s.id, { status: 'available', progress: '100%' });
      else {
        // A refusal by the backend is logged as Cinder's flow logs it; other failures stay as quiet as before.
        if (res.kind === 'NotSupportedOperation') this.ports.log.error(`Snapshot ${s.id}: create failed: ${res.message}`);
        this.snapshots.update(s.id, { status: 'error' });
      }
    }, `create_snapshot ${s.id}`);
  }

  private deleteSnapshot(args: Message): void {
    const s = this.snapshots.get(String(args.snapshot_id));
    if (!s || s.deleted) return;
    const r = this.driver.deleteSnapshot(s.id);
    this.settle(r, (res) => {
      const cur = this.snapshots.get(s.id);
      if (!cur || cur.deleted) return;
      if (res.ok) this.destroySnapshot(cur);
      else this.snapshots.update(s.id, { status: 'error_deleting' });
    }, `delete_snapshot ${s.id}`);
  }

  /** A synchronous call: the reply carries the connection info or the error. */
  private initializeConnection(args: Message): unknown {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted) return { ok: false, message: `Volume ${String(args.volume_id)} could not be found.` };
    const call = this.driver.initializeConnection(v.id, { host: String(args.host ?? 'compute') }, v.provider_auth);
    return this.reply(call, (r) => {
      if (!r.ok) return { ok: false, message: r.message };
      this.volumes.update(v.id, { provider_auth: r.value.providerAuth, provider_location: r.value.providerLocation });
      return { ok: true, connection_info: r.value.info };
    });
  }

  private terminateConnection(args: Message): unknown {
    return this.reply(this.driver.terminateConnection(String(args.volume_id)), (r) => ({ ok: r.ok }));
  }

  /**
   * VolumeManager.retype: on the same backend LVM's retype returns True, so
   * only the type changes; to another backend (migration_policy on-demand)
   * a generic migration copies the data and deletes the source.
   */
  private retype(args: Message): void {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted) return;
    const back: VolumeStatus = v.previous_status === 'in-use' ? 'in-use' : 'available';
    const dest = args.dest_host ? String(args.dest_host) : null;
    if (!dest) {
      this.volumes.update(v.id, { volume_type_id: String(args.new_type_id), status: back, previous_status: null });
      this.reports.statsChanged();
      this.reports.publish();
      return;
    }
    if (this.snapshots.list((s) => s.volume_id === v.id).length > 0) {
      this.ports.log.error(`Volume ${v.id}: Volume must not have snapshots.`);
      this.volumes.update(v.id, { status: back, previous_status: null });
      return;
    }
    this.volumes.update(v.id, { migration_status: 'migrating' });
    this.ports.bus.cast(volumeTopic(extractBackend(dest)), 'migrate_volume_target', { volume_id: v.id, dest_host: dest, new_type_id: args.new_type_id, source_host: this.cfg.host });
  }

  /** The destination side of a generic migration: a new volume, then a copy of the data. */
  private migrateTarget(args: Message): void {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted) return;
    const dest = String(args.dest_host);
    const r = this.driver.createVolume({ id: v.id, sizeGb: v.size, pool: extractPool(dest) ?? 'LVM' });
    const copyMs = Math.ceil(((v.size * 1024) / IMAGE_COPY_MBPS) * 1000);
    this.settle(r, (res) => {
      if (res.ok) this.addAllocated(dest, v.size);
      this.ports.bus.cast(volumeTopic(String(args.source_host)), 'migrate_volume_completion', { volume_id: v.id, dest_host: dest, new_type_id: args.new_type_id, ok: res.ok });
    }, `migrate ${v.id}`, copyMs);
  }

  private migrateCompletion(args: Message): void {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted) return;
    const back: VolumeStatus = v.previous_status === 'in-use' ? 'in-use' : 'available';
    if (!args.ok) {
      this.volumes.update(v.id, { status: back, previous_status: null, migration_status: 'error' });
      return;
    }
    const call = this.driver.deleteVolume(v.id);
    if (v.host) this.addAllocated(v.host, -v.size);
    this.volumes.update(v.id, { host: String(args.dest_host), volume_type_id: String(args.new_type_id), status: back, previous_status: null, migration_status: 'success' });
    this.whenDone(call, (r) => {
      if (!r.ok) this.ports.log.warning(`Volume ${v.id}: failed to delete the migration source: ${r.message}`);
    });
    this.reports.statsChanged();
    this.reports.publish();
  }

  /** allocated_capacity_gb per pool (for tests and reports). */
  allocated(): ReadonlyMap<string, number> {
    return this.allocatedGb;
  }
}
