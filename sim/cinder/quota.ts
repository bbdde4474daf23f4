import type { Store, Table } from '../ports/store.js';
import { table, type QuotaResource, type QuotaRow } from './db/index.js';
import type { ApiError } from './exception.js';

/**
 * Cinder's quota engine, reduced to what a run observes: per-project limits
 * (defaults from quota_* options), usage committed at once (Cinder reserves
 * and commits within the same API request for creates), and the over-quota
 * texts of quota_utils.process_reserve_over_quota (all HTTP 413).
 */
export type QuotaDefaults = Record<QuotaResource, number>;

export function quotaTable(store: Store): Table<QuotaRow> {
  return table(store, 'quotas');
}

export function quotaRow(store: Store, project: string): QuotaRow {
  const t = quotaTable(store);
  return t.get(project) ?? t.insert({ id: project, limits: {}, in_use: {} });
}

export function limitOf(row: QuotaRow, res: string, defaults: QuotaDefaults): number {
  const own = row.limits[res as QuotaResource];
  if (own !== undefined) return own;
  // Per-type resources (volumes_<type>, gigabytes_<type>, ...) default to unlimited.
  return (defaults as Record<string, number>)[res] ?? -1;
}

const e413 = (error: string, message: string): ApiError => ({ http: 413, error, message });

export function checkPerVolume(store: Store, project: string, sizeGb: number, defaults: QuotaDefaults): ApiError | null {
  const limit = limitOf(quotaRow(store, project), 'per_volume_gigabytes', defaults);
  if (limit >= 0 && sizeGb > limit) {
    return e413('VolumeSizeExceedsLimit', `Requested volume size ${sizeGb}G is larger than maximum allowed limit ${limit}G.`);
  }
  return null;
}

function overError(res: string, requested: number, quota: number, consumed: number): ApiError {
  if (res === 'backup_gigabytes') {
    return e413('VolumeBackupSizeExceedsAvailableQuota', `Requested backup exceeds allowed Backup gigabytes quota. Requested ${requested}G, quota is ${quota}G and ${consumed}G has been consumed.`);
  }
  if (res.startsWith('gigabytes')) {
    return e413('VolumeSizeExceedsAvailableQuota', `Requested volume or snapshot exceeds allowed ${res} quota. Requested ${requested}G, quota is ${quota}G and ${consumed}G has been consumed.`);
  }
  if (res.startsWith('volumes')) return e413('VolumeLimitExceeded', `Maximum number of volumes allowed (${quota}) exceeded for quota '${res}'.`);
  if (res.startsWith('snapshots')) return e413('SnapshotLimitExceeded', `Maximum number of snapshots allowed (${quota}) exceeded`);
  if (res === 'backups') return e413('BackupLimitExceeded', `Maximum number of backups allowed (${quota}) exceeded`);
  return e413('OverQuota', `Unexpected over quota on ${res}.`);
}

/** Gigabytes-type resources are reported first, as Cinder does when several are over. */
const reportOrder = (res: string): number => (res.includes('gigabytes') ? 0 : 1);

/** Reserve and commit `deltas` for `project`, or answer Cinder's over-quota error and change nothing. */
export function reserve(store: Store, project: string, deltas: Record<string, number>, defaults: QuotaDefaults): ApiError | null {
  const row = quotaRow(store, project);
  const overs: string[] = [];
  for (const [res, delta] of Object.entries(deltas)) {
    if (delta <= 0) continue;
    const limit = limitOf(row, res, defaults);
    const inUse = row.in_use[res] ?? 0;
    if (limit >= 0 && limit < delta + inUse) overs.push(res);
  }
  if (overs.length > 0) {
    const res = [...overs].sort((a, b) => reportOrder(a) - reportOrder(b))[0]!;
    return overError(res, deltas[res]!, limitOf(row, res, defaults), row.in_use[res] ?? 0);
  }
  commit(store, project, deltas);
  return null;
}

/** Apply usage changes without checking (releases, and the donor side of a transfer). */
export function commit(store: Store, project: string, deltas: Record<string, number>): void {
  const row = quotaRow(store, project);
  const in_use = { ...row.in_use };
  for (const [res, delta] of Object.entries(deltas)) in_use[res] = Math.max(0, (in_use[res] ?? 0) + delta);
  quotaTable(store).update(project, { in_use });
}

export function negate(deltas: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(deltas)) out[k] = -v;
  return out;
}

/** The usage deltas of one volume of `typeName` and `sizeGb`. */
export function volumeDeltas(typeName: string, sizeGb: number): Record<string, number> {
  return { volumes: 1, gigabytes: sizeGb, [`volumes_${typeName}`]: 1, [`gigabytes_${typeName}`]: sizeGb };
}

export function snapshotDeltas(typeName: string, sizeGb: number, noSnapshotGbQuota: boolean): Record<string, number> {
  const d: Record<string, number> = { snapshots: 1, [`snapshots_${typeName}`]: 1 };
  if (!noSnapshotGbQuota) {
    d.gigabytes = sizeGb;
    d[`gigabytes_${typeName}`] = sizeGb;
  }
  return d;
}
