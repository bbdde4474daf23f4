import type { Message } from '../../ports/bus.js';
import type { ServicePorts } from '../../ports/service.js';
import type { Table } from '../../ports/store.js';
import { commit } from '../api/quota.js';
import { effectiveServiceDownTime, type DefaultOptions } from '../cloud/options.js';
import type { CapabilitySource, ServiceDirectory } from '../volume/directory.js';
import { ServiceHeart } from '../volume/heartbeat.js';
import { backupTopic, SCHEDULER_TOPIC, volumeTopic } from '../volume/manager.js';
import {
  backendOf,
  tables,
  type BackupRow,
  type MessageRow,
  type ServiceRow,
  type SnapshotRow,
  type VolumeRow,
  type VolumeStatus,
  type VolumeTypeRow,
} from '../volume/model.js';
import { HostManager, isServiceUp, type Capabilities, type PoolState, type ServiceInfo } from './host-manager.js';
import { defaultPlacement, filterPools, type Placement, type PlacementTrace } from './service/placement.js';
import type { FilterContext, FilterProperties, Operation, SchedulingLookups } from './types.js';

export interface SchedulerDecisionRecord {
  atMs: number;
  operation: string;
  resource: string;
  ok: boolean;
  chosen: string | null;
  reason: string | null;
  trace: PlacementTrace | null;
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
  readonly hostManager: HostManager;
  private readonly heart: ServiceHeart;
  private readonly lastPull = new Map<string, number>();
  private readonly backupStates = new Map<string, BackupServiceState>();
  readonly decisions: SchedulerDecisionRecord[] = [];
  private running = false;

  constructor(
    private readonly ports: ServicePorts,
    private readonly defaults: DefaultOptions,
    private readonly directory: ServiceDirectory,
    private readonly placement: Placement = defaultPlacement,
  ) {
    this.hostManager = new HostManager({ clock: ports.clock });
    this.heart = new ServiceHeart(ports, 'cinder-scheduler', defaults.host ?? ports.node, defaults.report_interval, directory);
  }

  get host(): string {
    return this.heart.host;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.heart.start(this.defaults.storage_availability_zone);
    this.ports.bus.serve(SCHEDULER_TOPIC, (m, a) => this.handle(m, a));
    // init_host_with_rpc: ask every volume and backup service for fresh capabilities
    // (a fanout in Cinder; here one cast per known service row).
    for (const s of this.ports.store.table<ServiceRow>(tables.services).list()) {
      if (s.binary === 'cinder-volume') this.ports.bus.cast(volumeTopic(s.host), 'publish_service_capabilities', {});
      if (s.binary === 'cinder-backup') this.ports.bus.cast(backupTopic(s.host), 'publish_service_capabilities', {});
    }
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
        return this.createVolume(args);
      case 'create_snapshot':
        return this.createSnapshot(args);
      case 'extend_volume':
        return this.extendVolume(args);
      case 'retype':
        return this.retype(args);
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
    const src = this.directory.capabilitySources().find((x) => x.host === host);
    if (src && typeof args.sent_mono === 'number') this.syncSource(src, args.sent_mono);
    const r = this.hostManager.updateServiceCapabilities(host, args.capabilities as Capabilities, Number(args.timestamp));
    if (r === 'ignored_old') this.ports.log.info(`Ignoring old capability report from ${host}.`);
  }

  /** Pull the lazy periodic reports produced since the last call. */
  private syncReports(): void {
    const now = this.ports.clock.monoNow();
    for (const src of this.directory.capabilitySources()) this.syncSource(src, now);
  }

  private syncSource(src: CapabilitySource, untilMono: number): void {
    const since = this.lastPull.get(src.host) ?? -1;
    if (untilMono <= since) return;
    this.lastPull.set(src.host, untilMono);
    src.periodicReports(since, untilMono, (r) => {
      const res = this.hostManager.updateServiceCapabilities(src.host, r.stats as unknown as Capabilities, r.timestampWall);
      if (res === 'ignored_old') this.ports.log.info(`Ignoring old capability report from ${src.host}.`);
    });
  }

  /** The cinder-volume rows as the scheduler sees them now: liveness by its own clock, one-sided. */
  serviceInfos(): ServiceInfo[] {
    const downMs = effectiveServiceDownTime(this.defaults) * 1000;
    const now = this.ports.clock.wallNow();
    return this.ports.store
      .table<ServiceRow>(tables.services)
      .list((s) => s.binary === 'cinder-volume')
      .map((s) => {
        const up = isServiceUp(this.directory.updatedAt(s), now, downMs);
        if (!up && !s.disabled) this.ports.log.debug(`volume service is down. (host: ${s.host})`);
        return { host: s.host, availability_zone: s.availability_zone, disabled: s.disabled, frozen: s.frozen, up };
      });
  }

  private pools(): PoolState[] {
    this.syncReports();
    return this.hostManager.getAllBackendStates(this.serviceInfos());
  }

  private lookups(): SchedulingLookups {
    return {
      volumeCount: (poolHost) => this.volumes.list((v) => v.host !== null && (v.host === poolHost || v.host.startsWith(`${poolHost}#`))).length,
      volumeHost: (id) => this.volumes.get(id)?.host ?? undefined,
      instanceHost: () => undefined,
      chanceRng: () => this.ports.rng,
    };
  }

  private typeSpecs(typeId: string): Record<string, string> {
    return this.ports.store.table<VolumeTypeRow>(tables.volumeTypes).get(typeId)?.extra_specs ?? {};
  }

  private props(v: VolumeRow, op: Operation, typeId: string, azs: string[] | null, extra: Partial<FilterProperties> = {}): FilterContext {
    const specs = this.typeSpecs(typeId);
    const az = azs && azs.length === 1 ? azs[0]! : null;
    const props: FilterProperties = {
      request_spec: {
        volume_id: v.id,
        volume_properties: { size: v.size, availability_zone: az, attach_status: v.attach_status, status: v.status },
        volume_type: { extra_specs: specs },
        availability_zones: azs,
        resource_backend: null,
        operation: op,
      },
      volume_type: { extra_specs: specs },
      size: v.size,
      availability_zone: az,
      ...extra,
    };
    return { props, lookups: this.lookups() };
  }

  private record(op: string, resource: string, ok: boolean, chosen: string | null, reason: string | null, trace: PlacementTrace | null): void {
    this.decisions.push({ atMs: this.ports.clock.monoNow(), operation: op, resource, ok, chosen, reason, trace });
  }

  private userMessage(project: string, type: MessageRow['resource_type'], uuid: string, eventId: string, text: string): void {
    const t = this.ports.store.table<MessageRow>(tables.messages);
    t.insert({ id: `msg-${t.list().length + 1}-${uuid}`, project_id: project, resource_type: type, resource_uuid: uuid, event_id: eventId, user_message: text });
  }

  private createVolume(args: Message): void {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted || v.status !== 'creating') return;
    const maxAttempts = this.defaults.scheduler_max_attempts;
    let retry = (args.retry ?? null) as { num_attempts: number; backends: string[] } | null;
    if (maxAttempts > 1) {
      retry = retry ? { num_attempts: retry.num_attempts + 1, backends: [...retry.backends] } : { num_attempts: 1, backends: [] };
      if (args.reschedule_from) this.hostManager.revertConsumed(String(args.reschedule_from), v.size);
      if (retry.num_attempts > maxAttempts) {
        this.failCreate(v, `No valid backend was found. Exceeded max scheduling attempts ${maxAttempts} for resource ${v.id}`, null);
        return;
      }
    }
    const azs = (args.availability_zones ?? null) as string[] | null;
    const ctx = this.props(v, 'create_volume', v.volume_type_id, azs, retry ? { retry } : {});
    const resourceBackend = (args.resource_backend ?? null) as string | null;
    ctx.props.request_spec.resource_backend = resourceBackend;
    let decision;
    try {
      let pools = this.pools();
      decision = this.placement(pools, ctx);
      if (decision.ok && resourceBackend) {
        // The pinned backend must be among the weighed candidates (snapshot_same_host, clones).
        const match = (p: PoolState) => (resourceBackend.includes('#') ? p.host === resourceBackend : backendOf(p.host) === resourceBackend);
        pools = pools.filter(match);
        decision = this.placement(pools, ctx);
      }
    } catch (e) {
      this.failCreate(v, `No valid backend was found. ${e instanceof Error ? e.message : String(e)}`, null);
      return;
    }
    if (!decision.ok) {
      this.failCreate(v, `No valid backend was found. ${decision.reason}`, decision.trace);
      return;
    }
    const pool = decision.pool;
    this.hostManager.consume(pool, v.size);
    retry?.backends.push(pool.host);
    this.volumes.update(v.id, { host: pool.host, availability_zone: pool.service.availability_zone, scheduled_at: this.ports.clock.wallNow() });
    this.record('create_volume', v.id, true, pool.host, null, decision.trace);
    this.ports.bus.cast(volumeTopic(pool.backendHost), 'create_volume', {
      volume_id: v.id,
      retry: retry ?? null,
      availability_zones: azs,
      resource_backend: resourceBackend,
    });
  }

  private failCreate(v: VolumeRow, reason: string, trace: PlacementTrace | null): void {
    this.ports.log.error(`Failed to run task cinder.scheduler.flows.create_volume.ScheduleCreateVolumeTask;volume:create: ${reason}`);
    this.volumes.update(v.id, { status: 'error', host: null });
    this.userMessage(v.project_id, 'VOLUME', v.id, 'VOLUME_VOLUME_001_003', 'schedule allocate volume:Could not find any available weighted backend.');
    this.record('create_volume', v.id, false, null, reason, trace);
  }

  /** backend_passes_filters: the volume's own pool must pass with this request. */
  private passesOwnBackend(v: VolumeRow, ctx: FilterContext): { pool: PoolState | null; trace: PlacementTrace } {
    const trace: PlacementTrace = { candidates: [], filters: [], weights: [], chosen: null };
    const own = this.pools().filter((p) => p.host === v.host);
    trace.candidates = own.map((p) => p.host);
    let alive: PoolState[];
    try {
      alive = own.length ? filterPools(own, ctx, trace) : [];
    } catch {
      alive = [];
    }
    const pool = alive[0] ?? null;
    trace.chosen = pool?.host ?? null;
    return { pool, trace };
  }

  private createSnapshot(args: Message): void {
    const snaps = this.ports.store.table<SnapshotRow>(tables.snapshots);
    const s = snaps.get(String(args.snapshot_id));
    if (!s || s.deleted) return;
    const v = this.volumes.get(s.volume_id);
    if (!v || !v.host) return;
    const ctx = this.props(v, 'create_volume', v.volume_type_id, [v.availability_zone]);
    const { pool, trace } = this.passesOwnBackend(v, ctx);
    if (!pool) {
      const reason = `Cannot place snapshot ${s.id} on ${backendOf(v.host)}.`;
      this.ports.log.error(`Failed to create snapshot: No valid backend was found. ${reason}`);
      snaps.update(s.id, { status: 'error' });
      this.record('create_snapshot', s.id, false, null, reason, trace);
      return;
    }
    this.hostManager.consume(pool, v.size);
    this.record('create_snapshot', s.id, true, pool.host, null, trace);
    this.ports.bus.cast(volumeTopic(pool.backendHost), 'create_snapshot', { snapshot_id: s.id });
  }

  private extendVolume(args: Message): void {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted || !v.host) return;
    const newSize = Number(args.new_size);
    const ctx = this.props(v, 'extend_volume', v.volume_type_id, [v.availability_zone], { new_size: newSize });
    const { pool, trace } = this.passesOwnBackend(v, ctx);
    if (!pool) {
      const reason = `Cannot place volume ${v.id} on ${v.host}.`;
      this.ports.log.error(`Failed to extend volume: No valid backend was found. ${reason}`);
      const back: VolumeStatus = v.previous_status ?? 'available';
      this.volumes.update(v.id, { status: back, previous_status: null });
      const delta = newSize - v.size;
      const typeName = this.ports.store.table<VolumeTypeRow>(tables.volumeTypes).get(v.volume_type_id)?.name ?? v.volume_type_id;
      commit(this.ports.store, v.project_id, { gigabytes: -delta, [`gigabytes_${typeName}`]: -delta });
      this.userMessage(v.project_id, 'VOLUME', v.id, 'VOLUME_VOLUME_007_003', 'extend volume:Could not find any available weighted backend.');
      this.record('extend_volume', v.id, false, null, reason, trace);
      return;
    }
    this.hostManager.consume(pool, newSize - v.size);
    this.record('extend_volume', v.id, true, pool.host, null, trace);
    this.ports.bus.cast(volumeTopic(pool.backendHost), 'extend_volume', { volume_id: v.id, new_size: newSize });
  }

  private retype(args: Message): void {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted || !v.host) return;
    const newTypeId = String(args.new_type_id);
    const typeName = String(args.new_type_name ?? newTypeId);
    const azs = (args.availability_zones ?? [v.availability_zone]) as string[];
    const ctx = this.props(v, 'retype', newTypeId, azs, { vol_exists_on: backendOf(v.host) });
    ctx.props.request_spec.migration_policy = String(args.migration_policy ?? 'never');
    const trace: PlacementTrace = { candidates: [], filters: [], weights: [], chosen: null };
    let alive: PoolState[];
    try {
      const pools = this.pools();
      trace.candidates = pools.map((p) => p.host);
      alive = filterPools(pools, ctx, trace);
    } catch {
      alive = [];
    }
    const fail = (reason: string): void => {
      this.ports.log.error(`Failed to schedule_retype: ${reason}`);
      this.volumes.update(v.id, { status: v.previous_status ?? 'available', previous_status: null });
      this.record('retype', v.id, false, null, reason, trace);
    };
    if (alive.length === 0) return fail(`No valid backends for volume ${v.id} with type ${typeName}`);
    const current = alive.find((p) => p.host === v.host);
    if (current) {
      trace.chosen = current.host;
      this.record('retype', v.id, true, current.host, null, trace);
      this.ports.bus.cast(volumeTopic(current.backendHost), 'retype', { volume_id: v.id, new_type_id: newTypeId });
      return;
    }
    if (ctx.props.request_spec.migration_policy !== 'on-demand') {
      return fail(`Current backend not valid for volume ${v.id} with type ${typeName}, migration not allowed`);
    }
    const dest = alive[0]!;
    trace.chosen = dest.host;
    this.record('retype', v.id, true, dest.host, null, trace);
    this.hostManager.consume(dest, v.size);
    this.ports.bus.cast(volumeTopic(backendOf(v.host)), 'retype', { volume_id: v.id, new_type_id: newTypeId, dest_host: dest.host });
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
      this.record('create_backup', b.id, false, null, 'Service not found for creating backup.', null);
      return;
    }
    const host = hosts[this.ports.rng.int(0, hosts.length - 1)]!;
    backups.update(b.id, { host });
    this.record('create_backup', b.id, true, host, null, null);
    this.ports.bus.cast(backupTopic(host), 'create_backup', { backup_id: b.id });
  }

  private getPools(): unknown {
    return this.pools().map((p) => ({ name: p.host, capabilities: p.capabilities }));
  }
}
