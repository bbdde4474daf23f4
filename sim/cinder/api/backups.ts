import { backupTopic, SCHEDULER_TOPIC } from '../rpcapi.js';
import type { BackupRow } from '../db/index.js';
import { E, err, getVisible, isAdmin, ok, optionalUuidError, resolveBackup, resolveVolume, type ApiCore } from './core.js';
import type { Handler } from './handler.js';
import { commit, reserve } from '../quota.js';
import type { ApiResult } from './requests.js';
import { backupShowView, backupView } from './views.js';
import { createVolume } from './volumes.js';

/** backup/api.py API.create. */
export const createBackup: Handler<'backup-create'> = (core, ctx, req, done) => {
  const schemaErr = optionalUuidError('snapshot_id', req.snapshot_id);
  if (schemaErr) return done(err(schemaErr));
  const r = resolveVolume(core, ctx, req.volume);
  if (!r.ok) return done(err(r.error));
  const v = r.row;
  let snapshotId: string | null = null;
  let dataTimestamp = core.nowWall();
  if (req.snapshot_id) {
    const s = getVisible(core.snapshots, req.snapshot_id, (x) => isAdmin(ctx) || x.project_id === ctx.project_id);
    if (!s) return done(err(E.snapshotNotFound(req.snapshot_id)));
    if (s.volume_id !== v.id) return done(err(E.invalidVolume(`Volume ${v.id} does not match with snapshot.volume_id ${s.volume_id}.`)));
    if (s.status !== 'available') {
      return done(err(E.invalidSnapshot(`Snapshot to be backed up must be available, but the current status is "${s.status}".`)));
    }
    snapshotId = s.id;
    dataTimestamp = s.created_at;
  } else {
    if (v.status !== 'available' && v.status !== 'in-use') {
      return done(err(E.invalidVolume(`Volume to be backed up must be available or in-use, but the current status is "${v.status}".`)));
    }
    if (v.status === 'in-use' && !req.force) return done(err(E.invalidVolume('Backing up an in-use volume must use the force flag.')));
  }
  let parentId: string | null = null;
  if (req.incremental) {
    const candidates = core.backups
      .list((b) => b.volume_id === v.id && (snapshotId === null || b.data_timestamp < dataTimestamp))
      .sort((a, b) => b.data_timestamp - a.data_timestamp);
    const parent = candidates[0];
    if (!parent) return done(err(E.invalidBackup('No backups available to do an incremental backup.')));
    if (parent.status !== 'available') return done(err(E.invalidBackup('The parent backup must be available for incremental backup.')));
    parentId = parent.id;
  }
  const over = reserve(core.ports.store, ctx.project_id, { backups: 1, backup_gigabytes: v.size }, core.quotaDefaults);
  if (over) return done(err(over));
  if (snapshotId) core.snapshots.update(snapshotId, { status: 'backing-up' });
  else core.volumes.update(v.id, { status: 'backing-up', previous_status: v.status });
  const b = core.backups.insert({
    id: core.uuid(),
    project_id: ctx.project_id,
    user_id: ctx.user_id ?? ctx.project_id,
    volume_id: v.id,
    snapshot_id: snapshotId,
    size: v.size,
    status: 'creating',
    display_name: req.name ?? null,
    is_incremental: parentId !== null,
    parent_id: parentId,
    data_timestamp: dataTimestamp,
    host: null,
    availability_zone: v.availability_zone,
    service: null,
    fail_reason: null,
    restore_volume_id: null,
  });
  core.ports.bus.cast(SCHEDULER_TOPIC, 'create_backup', { backup_id: b.id });
  done(ok(backupView(b, ctx)));
};

/**
 * backup/api.py API.restore: into an existing, large enough volume, or into
 * a new one the API creates itself (default type and AZ) and then polls once
 * a second until it leaves `creating` before answering.
 */
export const restoreBackup: Handler<'backup-restore'> = (core, ctx, req, done) => {
  const r = resolveBackup(core, ctx, req.backup);
  if (!r.ok) return done(err(r.error));
  const b = r.row;
  if (b.status !== 'available') return done(err(E.invalidBackup('Backup status must be available')));
  if (req.volume) {
    const vr = resolveVolume(core, ctx, req.volume);
    if (!vr.ok) return done(err(vr.error));
    return restoreInto(core, b, vr.row.id, false, done);
  }
  const create = { verb: 'create' as const, size: b.size, name: req.name ?? `restore_backup_${b.id}`, description: 'auto-created_from_restore_from_backup' };
  createVolume(core, ctx, create, (res) => {
    if (!res.ok) return done(res);
    const volumeId = (res.result as { id: string }).id;
    const poll = (): void => {
      const v = core.volumes.get(volumeId);
      if (v && !v.deleted && v.status === 'creating') {
        core.ports.timers.after(1000, poll, `restore ${b.id}: wait for volume ${volumeId}`);
        return;
      }
      if (!v || v.deleted || v.status === 'error') {
        return done(err(E.invalidVolume(`Error while creating volume ${volumeId} for restoring backup ${b.id}.`)));
      }
      restoreInto(core, b, volumeId, true, done);
    };
    poll();
  });
};

function restoreInto(core: ApiCore, backup: BackupRow, volumeId: string, isNew: boolean, done: (r: ApiResult) => void): void {
  const b = core.backups.get(backup.id)!;
  const v = core.volumes.get(volumeId)!;
  if (b.status !== 'available') return done(err(E.invalidBackup('Backup status must be available')));
  if (v.status !== 'available') return done(err(E.invalidVolume('Volume to be restored to must be available')));
  if (v.size < b.size) return done(err(E.invalidVolume(`volume size ${v.size} is too small to restore backup of size ${b.size}.`)));
  core.backups.update(b.id, { status: 'restoring', restore_volume_id: v.id });
  core.volumes.update(v.id, { status: 'restoring-backup' });
  core.ports.bus.cast(backupTopic(b.host ?? ''), 'restore_backup', { backup_id: b.id, volume_id: v.id, new_volume: isNew });
  done(ok({ backup_id: b.id, volume_id: v.id, volume_name: v.display_name }));
}

export const deleteBackup: Handler<'backup-delete'> = (core, ctx, req, done) => {
  const r = resolveBackup(core, ctx, req.backup);
  if (!r.ok) return done(err(r.error));
  const b = r.row;
  if (!req.force && b.status !== 'available' && b.status !== 'error') return done(err(E.invalidBackup('Backup status must be available or error')));
  if (core.backups.list((c) => c.parent_id === b.id).length > 0) return done(err(E.invalidBackup('Incremental backups exist for this backup.')));
  if (!b.host) {
    // Never reached a backup service (failed before): nothing to remove on a target.
    core.backups.softDelete(b.id);
    commit(core.ports.store, b.project_id, { backups: -1, backup_gigabytes: -b.size });
    return done(ok());
  }
  core.backups.update(b.id, { status: 'deleting' });
  core.ports.bus.cast(backupTopic(b.host), 'delete_backup', { backup_id: b.id });
  done(ok());
};

export const listBackups: Handler<'backup-list'> = (core, ctx, _req, done) => {
  done(ok(core.backups.list((b: BackupRow) => isAdmin(ctx) || b.project_id === ctx.project_id).map((b) => backupShowView(b, ctx))));
};

export const showBackup: Handler<'backup-show'> = (core, ctx, req, done) => {
  const r = resolveBackup(core, ctx, req.backup);
  if (!r.ok) return done(err(r.error));
  done(ok(backupShowView(r.row, ctx)));
};
