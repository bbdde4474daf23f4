import type { FakeBackupDriver } from '../../../drivers/fake/backup.js';
import type { FakeVolumeDriver } from '../../../drivers/fake/driver.js';
import type { Store } from '../../ports/store.js';
import { backendOf, tables, type BackupRow, type SnapshotRow, type VolumeRow } from '../volume/model.js';

/**
 * What must hold at every instant of a run, whatever the workload and
 * faults: a violation is a bug in the simulator or the services, never an
 * expected outcome.  Returns the first violation, worded for the report.
 */
export function checkInvariants(
  store: Store,
  drivers: ReadonlyMap<string, FakeVolumeDriver>,
  backupDrivers: ReadonlyMap<string, FakeBackupDriver>,
): string | null {
  const volumes = store.table<VolumeRow>(tables.volumes).list();
  const live = new Set(volumes.map((v) => v.id));
  // No volume in two places: its data lives on at most one backend, and on its own when it is usable.
  const holders = new Map<string, string[]>();
  for (const [host, d] of drivers) {
    if (d.backendFailed || !d.initialized) continue;
    for (const id of d.volumeIds()) {
      const list = holders.get(id);
      if (list) list.push(host);
      else holders.set(id, [host]);
    }
  }
  for (const v of volumes) {
    const on = holders.get(v.id) ?? [];
    const migrating = v.migration_status === 'migrating';
    if (on.length > 1 && !migrating) return `volume ${v.id} exists on several backends: ${on.join(', ')}`;
    if (on.length === 1 && v.host && backendOf(v.host) !== on[0] && !migrating) return `volume ${v.id} is recorded on ${v.host} but its data is on ${on[0]}`;
    if ((v.status === 'available' || v.status === 'in-use') && v.host) {
      const d = drivers.get(backendOf(v.host));
      if (d && !d.backendFailed && d.initialized && on.length === 0) return `volume ${v.id} is ${v.status} on ${v.host} but the backend has no such volume`;
    }
    if (v.status === 'available' && !v.host) return `volume ${v.id} is available but has no host`;
  }
  // No allocation beyond what the backend can hold (thick pools cannot go below zero free).
  for (const [host, d] of drivers) {
    if (!d.initialized) continue;
    for (const p of d.getVolumeStats().pools) {
      if (typeof p.free_capacity_gb === 'number' && p.free_capacity_gb < 0) return `pool ${host}#${p.pool_name} has negative free capacity ${p.free_capacity_gb} GB`;
    }
  }
  // No snapshot without its volume.
  for (const s of store.table<SnapshotRow>(tables.snapshots).list()) {
    if (!live.has(s.volume_id)) return `snapshot ${s.id} outlives its volume ${s.volume_id}`;
  }
  // No lost backup: an available backup's data is on its target.
  for (const b of store.table<BackupRow>(tables.backups).list()) {
    if (b.status !== 'available' || !b.host) continue;
    const t = backupDrivers.get(b.host);
    if (t && !t.has(b.id)) return `backup ${b.id} is available but its target ${b.host} holds no data for it`;
  }
  return null;
}
