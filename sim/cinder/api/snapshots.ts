import { SCHEDULER_TOPIC, volumeTopic } from '../rpcapi.js';
import { extractBackend } from '../host.js';
import { E, err, isAdmin, ok, resolveSnapshot, resolveVolume } from './core.js';
import type { Handler } from './handler.js';
import { atLeast } from './requests.js';
import { mv } from './version.js';
import { reserve, snapshotDeltas } from '../quota.js';
import { snapshotView } from './views.js';

/** volume/api.py _create_snapshot and _create_snapshot_in_db_validate, checks in Cinder's order. */
export const createSnapshot: Handler<'snapshot-create'> = (core, ctx, req, done) => {
  const r = resolveVolume(core, ctx, req.volume);
  if (!r.ok) return done(err(r.error));
  const v = r.row;
  // The controller, before volume/api.py: from 3.66 in-use volumes can be snapshotted and force is ignored (but must not be false).
  const v366 = atLeast(ctx, mv.SNAPSHOT_IN_USE);
  if (v366 && req.force === false) {
    return done(
      err(E.badRequest("Since microversion 3.66 the 'force' flag is invalid for this request.  For backward compatability, however, when the 'force' flag is passed with a value evaluating to True, it is silently ignored.")),
    );
  }
  if (!v.host) return done(err(E.invalidVolume('The snapshot cannot be created because volume has not been scheduled to any host.')));
  if (v.status === 'maintenance') return done(err(E.invalidVolume('The snapshot cannot be created when the volume is in maintenance mode.')));
  if (v.migration_status === 'migrating' || v.migration_status === 'starting') {
    return done(err(E.invalidVolume('Snapshot cannot be created while volume is migrating.')));
  }
  if (v.status === 'error') return done(err(E.invalidVolume('The snapshot cannot be created when the volume is in error status.')));
  const allowed = v366 || req.force === true ? ['available', 'in-use'] : ['available'];
  if (!allowed.includes(v.status)) {
    return done(err(E.invalidVolume(`Volume ${v.id} status must be ${allowed.join(', ')}, but current status is: ${v.status}.`)));
  }
  const typeName = core.typeName(v.volume_type_id);
  const over = reserve(core.ports.store, ctx.project_id, snapshotDeltas(typeName, v.size, core.opts.no_snapshot_gb_quota), core.quotaDefaults);
  if (over) return done(err(over));
  const s = core.snapshots.insert({
    id: core.uuid(),
    project_id: ctx.project_id,
    user_id: ctx.user_id ?? ctx.project_id,
    volume_id: v.id,
    volume_size: v.size,
    volume_type_id: v.volume_type_id,
    status: 'creating',
    progress: '0%',
    display_name: req.name ?? null,
    display_description: req.description ?? null,
  });
  core.ports.bus.cast(SCHEDULER_TOPIC, 'create_snapshot', { snapshot_id: s.id });
  done(ok(snapshotView(s, ctx)));
};

export const deleteSnapshot: Handler<'snapshot-delete'> = (core, ctx, req, done) => {
  const r = resolveSnapshot(core, ctx, req.snapshot);
  if (!r.ok) return done(err(r.error));
  const s = r.row;
  if (!req.force && s.status !== 'available' && s.status !== 'error') {
    return done(err(E.invalidSnapshot('Snapshot status must be available or error and must not be part of a group.')));
  }
  const v = core.volumes.get(s.volume_id);
  core.snapshots.update(s.id, { status: 'deleting' });
  if (v?.host) core.ports.bus.cast(volumeTopic(extractBackend(v.host)), 'delete_snapshot', { snapshot_id: s.id });
  done(ok());
};

export const listSnapshots: Handler<'snapshot-list'> = (core, ctx, _req, done) => {
  done(ok(core.snapshots.list((s) => isAdmin(ctx) || s.project_id === ctx.project_id).map((s) => snapshotView(s, ctx))));
};

export const showSnapshot: Handler<'snapshot-show'> = (core, ctx, req, done) => {
  const r = resolveSnapshot(core, ctx, req.snapshot);
  if (!r.ok) return done(err(r.error));
  done(ok(snapshotView(r.row, ctx)));
};
