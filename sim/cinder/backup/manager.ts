import type { BackupDriver } from '../../ports/backup-driver.js';
import type { Message } from '../../ports/bus.js';
import type { TimerHandle } from '../../ports/clock.js';
import type { ServicePorts } from '../../ports/service.js';
import type { Table } from '../../ports/store.js';
import { commit } from '../quota.js';
import type { ServiceDefaults } from '../config/resolved.js';
import { ServiceHeart, type ServiceDirectory } from '../service/index.js';
import { backupTopic, SCHEDULER_TOPIC, volumeTopic } from '../rpcapi.js';
import { extractBackend } from '../host.js';
import { table, type BackupRow, type VolumeRow } from '../db/index.js';

/**
 * cinder-backup (backup/manager.py): one per host.  Reads a volume through
 * its cinder-volume (a connection, so a dead or unreachable backend fails
 * the backup), moves the data to its target at the target's throughput,
 * restores into new or existing volumes, deletes.  Publishes
 * {backend_state, driver_name, availability_zone} to the schedulers.
 */
export class BackupService {
  private readonly heart: ServiceHeart;
  private readonly inflight = new Set<TimerHandle>();
  private running = false;
  readonly host: string;

  constructor(
    private readonly ports: ServicePorts,
    private readonly defaults: ServiceDefaults,
    readonly driver: BackupDriver & { failTarget?: () => void; recoverTarget?: () => void },
    directory: ServiceDirectory,
  ) {
    this.host = defaults.host ?? ports.node;
    this.heart = new ServiceHeart(ports, 'cinder-backup', this.host, defaults.report_interval, directory);
  }

  private get backups(): Table<BackupRow> {
    return table(this.ports.store, 'backups');
  }
  private get volumes(): Table<VolumeRow> {
    return table(this.ports.store, 'volumes');
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.heart.start(this.defaults.storage_availability_zone, () => this.driver.initialized);
    this.ports.bus.serve(backupTopic(this.host), (m, a) => this.handle(m, a));
    // _cleanup_incomplete_backup_operations: interrupted work ends in error / available.
    for (const b of this.backups.list((b) => b.host === this.host)) {
      if (b.status === 'creating') this.finishBackup(b.id, false, 'Backup service restarted during the backup.');
      else if (b.status === 'restoring') this.backups.update(b.id, { status: 'available' });
      else if (b.status === 'deleting') this.deleteBackup({ backup_id: b.id });
    }
    this.publish();
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.heart.stop();
    for (const h of this.inflight) h.cancel();
    this.inflight.clear();
    this.ports.bus.unserve(backupTopic(this.host));
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** publish_service_capabilities (also sent whenever the target's health changes). */
  publish(): void {
    if (!this.running) return;
    this.ports.bus.fanout(SCHEDULER_TOPIC, 'update_service_capabilities', {
      service_name: 'backup',
      host: this.host,
      capabilities: { backend_state: this.driver.initialized, driver_name: this.driver.serviceClass, availability_zone: this.defaults.storage_availability_zone },
      timestamp: this.ports.clock.wallNow(),
    });
  }

  private handle(method: string, args: Message): unknown {
    switch (method) {
      case 'create_backup':
        return this.createBackup(args);
      case 'restore_backup':
        return this.restoreBackup(args);
      case 'delete_backup':
        return this.deleteBackup(args);
      case 'publish_service_capabilities':
        return this.publish();
      default:
        return undefined;
    }
  }

  private later(ms: number, fn: () => void, label: string): void {
    const h = this.ports.timers.after(ms, () => {
      this.inflight.delete(h);
      fn();
    }, label);
    this.inflight.add(h);
  }

  private createBackup(args: Message): void {
    const b = this.backups.get(String(args.backup_id));
    if (!b || b.deleted) return;
    this.backups.update(b.id, { host: this.host, availability_zone: this.defaults.storage_availability_zone, service: this.driver.serviceClass });
    const v = this.volumes.get(b.volume_id);
    if (!v || !v.host) return this.finishBackup(b.id, false, `Volume ${b.volume_id} could not be found.`);
    // Read the volume through its backend: a connection from cinder-volume.
    this.ports.bus.call(volumeTopic(extractBackend(v.host)), 'initialize_connection', { volume_id: v.id, host: this.host }, this.defaults.rpc_response_timeout * 1000, (res) => {
      if (!this.running) return;
      const reply = res.ok ? (res.reply as { ok: boolean; message?: string }) : { ok: false, message: res.message };
      if (!reply.ok) return this.finishBackup(b.id, false, reply.message ?? 'connection failed');
      const r = this.driver.backup({ id: b.id, volumeId: v.id, sizeGb: b.size, incremental: b.is_incremental, parentId: b.parent_id });
      this.later(r.latencyMs, () => this.finishBackup(b.id, r.ok, r.ok ? null : r.message), `backup ${b.id}`);
    });
  }

  private finishBackup(id: string, success: boolean, reason: string | null): void {
    const b = this.backups.get(id);
    if (!b || b.deleted) return;
    const v = this.volumes.get(b.volume_id);
    if (b.snapshot_id) {
      const snaps = table(this.ports.store, 'snapshots');
      if (snaps.get(b.snapshot_id) && !snaps.get(b.snapshot_id)!.deleted) snaps.update(b.snapshot_id, { status: 'available' });
    } else if (v && !v.deleted && v.status === 'backing-up') {
      this.volumes.update(v.id, success ? { status: v.previous_status ?? 'available', previous_status: null } : { status: v.previous_status ?? 'available', previous_status: 'error_backing-up' });
    }
    if (success) this.backups.update(id, { status: 'available' });
    else {
      this.ports.log.error(`Backup ${id} failed: ${reason}`);
      this.backups.update(id, { status: 'error', fail_reason: reason });
    }
  }

  private restoreBackup(args: Message): void {
    const b = this.backups.get(String(args.backup_id));
    const v = this.volumes.get(String(args.volume_id));
    if (!b || !v || v.deleted) return;
    const newVolume = args.new_volume === true;
    const failVolume = (msg: string) => {
      this.ports.log.error(msg);
      this.volumes.update(v.id, { status: newVolume ? 'error' : 'error_restoring' });
      this.backups.update(b.id, { status: 'available', restore_volume_id: null });
    };
    if (b.service && b.service !== this.driver.serviceClass) {
      return failVolume(
        `Restore backup aborted, the backup service currently configured [${this.driver.serviceClass}] is not the backup service that was used to create this backup [${b.service}].`,
      );
    }
    if (!v.host) return failVolume(`Volume ${v.id} has no host.`);
    this.ports.bus.call(volumeTopic(extractBackend(v.host)), 'initialize_connection', { volume_id: v.id, host: this.host }, this.defaults.rpc_response_timeout * 1000, (res) => {
      if (!this.running) return;
      const reply = res.ok ? (res.reply as { ok: boolean; message?: string }) : { ok: false, message: res.message };
      if (!reply.ok) return failVolume(`Restore of backup ${b.id} failed: ${reply.message}`);
      const r = this.driver.restore(b.id, b.size);
      this.later(r.latencyMs, () => {
        const cur = this.volumes.get(v.id);
        if (!cur || cur.deleted) return;
        if (!r.ok) return failVolume(`Restore of backup ${b.id} failed: ${r.message}`);
        this.volumes.update(v.id, { status: 'available', metadata: { ...cur.metadata, src_backup_id: b.id }, launched_at: cur.launched_at ?? this.ports.clock.wallNow() });
        this.backups.update(b.id, { status: 'available', restore_volume_id: null });
      }, `restore ${b.id}`);
    });
  }

  private deleteBackup(args: Message): void {
    const b = this.backups.get(String(args.backup_id));
    if (!b || b.deleted) return;
    const r = this.driver.delete(b.id);
    this.later(r.latencyMs, () => {
      const cur = this.backups.get(b.id);
      if (!cur || cur.deleted) return;
      if (!r.ok) {
        this.backups.update(b.id, { status: 'error_deleting', fail_reason: r.message });
        return;
      }
      this.backups.softDelete(b.id);
      commit(this.ports.store, b.project_id, { backups: -1, backup_gigabytes: -b.size });
    }, `delete backup ${b.id}`);
  }
}
