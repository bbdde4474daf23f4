import type { FakeBackupDriver } from '../../../drivers/fake/backup.js';
import type { FakeVolumeDriver } from '../../../drivers/fake/driver.js';
import type { Store } from '../../ports/store.js';
import { extractBackend } from '../host.js';
import { table } from '../db/index.js';

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
  const volumeTable = table(store, 'volumes');
  const volumes = volumeTable.list();
  // No volume in two places: its data lives on at most one backend, and on its own when it is usable.
  // (One holder per id; ids held twice, rare, are listed apart.)
  const holder = new Map<string, string>();
  let several: Map<string, string[]> | null = null;
  for (const [host, d] of drivers) {
    if (d.backendFailed || !d.initialized) continue;
    for (const id of d.volumeIds()) {
      const first = holder.get(id);
      if (first === undefined) holder.set(id, host);
      else {
        several ??= new Map();
        const list = several.get(id);
        if (list) list.push(host);
        else several.set(id, [first, host]);
      }
    }
  }
  for (const v of volumes) {
    const one = holder.get(v.id);
    const migrating = v.migration_status === 'migrating';
    if (one !== undefined) {
      const all = several?.get(v.id);
      if (all && !migrating) return `volume ${v.id} exists on several backends: ${all.join(', ')}`;
      if (!all && v.host && !migrating && !onBackend(v.host, one)) return `volume ${v.id} is recorded on ${v.host} but its data is on ${one}`;
    } else if ((v.status === 'available' || v.status === 'in-use') && v.host) {
      const d = drivers.get(extractBackend(v.host));
      if (d && !d.backendFailed && d.initialized) return `volume ${v.id} is ${v.status} on ${v.host} but the backend has no such volume`;
    }
    if (v.status === 'available' && !v.host) return `volume ${v.id} is available but has no host`;
  }
  // No allocation beyond what the backend can hold (thick pools cannot go below zero free).
  for (const [host, d] of drivers) {
    if (!d.initialized) continue;
    const neg = d.negativeFreePool();
    if (neg) return `pool ${host}#${neg.pool} has negative free capacity ${neg.freeGb} GB`;
  }
  // No snapshot without its volume.
  for (const s of table(store, 'snapshots').list()) {
    const v = volumeTable.get(s.volume_id);
    if (!v || v.deleted) return `snapshot ${s.id} outlives its volume ${s.volume_id}`;
  }
  // No lost backup: an available backup's data is on its target.
  for (const b of table(store, 'backups').list()) {
    if (b.status !== 'available' || !b.host) continue;
    const t = backupDrivers.get(b.host);
    if (t && !t.has(b.id)) return `backup ${b.id} is available but its target ${b.host} holds no data for it`;
  }
  return null;
}

/** extractBackend(host) === backend, without cutting a new string. */
function onBackend(host: string, backend: string): boolean {
  return host.startsWith(backend) && (host.length === backend.length || host.charCodeAt(backend.length) === 35 /* '#' */);
}
