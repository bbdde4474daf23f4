import { createHmac } from 'node:crypto';
import { volumeTopic } from '../rpcapi.js';
import { extractBackend } from '../host.js';
import type { TransferRow } from '../db/index.js';
import { E, err, isAdmin, isoUtc, ok, resolveByNameOrId, resolveVolume, type ApiCore } from './core.js';
import type { Handler } from './handler.js';
import { checkPerVolume, commit, negate, reserve } from '../quota.js';
import { atLeast, type RequestContext } from './requests.js';
import { mv } from './version.js';

/** transfer/api.py: salt of volume_transfer_salt_length, key of volume_transfer_key_length, HMAC-SHA1 stored. */
const KEY_LENGTH = 16;
const SALT_LENGTH = 8;
const cryptHash = (salt: string, key: string): string => createHmac('sha1', salt).update(key).digest('hex');

function resolveTransfer(core: ApiCore, ctx: RequestContext, nameOrId: string) {
  return resolveByNameOrId(core.transfers, nameOrId, (t) => isAdmin(ctx) || t.source_project_id === ctx.project_id, (t) => t.display_name, 'volumetransfer');
}

export const createTransfer: Handler<'transfer-create'> = (core, ctx, req, done) => {
  const r = resolveVolume(core, ctx, req.volume);
  if (!r.ok) return done(err(r.error));
  const v = r.row;
  if (v.status !== 'available') return done(err(E.invalidVolume('status must be available')));
  const noSnapshots = atLeast(ctx, mv.TRANSFER_WITH_SNAPSHOTS) && req.no_snapshots === true;
  if (!noSnapshots) {
    const bad = core.snapshots.list((s) => s.volume_id === v.id && s.status !== 'available')[0];
    if (bad) return done(err(E.invalidSnapshot(`snapshot: ${bad.id} status must be available`)));
  }
  const salt = core.hex(SALT_LENGTH);
  const authKey = core.hex(KEY_LENGTH);
  const t = core.transfers.insert({
    id: core.uuid(),
    volume_id: v.id,
    display_name: req.name ?? null,
    salt,
    crypt_hash: cryptHash(salt, authKey),
    source_project_id: v.project_id,
    destination_project_id: null,
    accepted: false,
    no_snapshots: noSnapshots,
  });
  core.volumes.update(v.id, { status: 'awaiting-transfer' });
  // views/transfers.py create(): no_snapshots from 3.55, the transfer's history from 3.57.
  const view: Record<string, unknown> = { id: t.id, created_at: isoUtc(t.created_at), name: t.display_name, volume_id: v.id, auth_key: authKey };
  if (atLeast(ctx, mv.TRANSFER_WITH_SNAPSHOTS)) view['no_snapshots'] = noSnapshots;
  if (atLeast(ctx, mv.TRANSFER_WITH_HISTORY)) Object.assign(view, { destination_project_id: null, source_project_id: v.project_id, accepted: false });
  done(ok(view));
};

/** Accept: any project (even the donor) with the right key; quota moves; a synchronous call to cinder-volume. */
export const acceptTransfer: Handler<'transfer-accept'> = (core, ctx, req, done) => {
  const t = core.transfers.get(req.transfer);
  if (!t || t.deleted) return done(err(E.transferNotFound(req.transfer)));
  if (cryptHash(t.salt, req.auth_key) !== t.crypt_hash) {
    return done(err({ http: 400, error: 'InvalidAuthKey', message: `Invalid auth key: Attempt to transfer ${t.id} with invalid auth key.` }));
  }
  const v = core.volumes.get(t.volume_id);
  if (!v || v.deleted) return done(err(E.volumeNotFound(t.volume_id)));
  const typeName = core.typeName(v.volume_type_id);
  const perVol = checkPerVolume(core.ports.store, ctx.project_id, v.size, core.quotaDefaults);
  if (perVol) return done(err(perVol));
  const snaps = t.no_snapshots ? [] : core.snapshots.list((s) => s.volume_id === v.id);
  const snapGb = core.opts.no_snapshot_gb_quota ? 0 : snaps.reduce((a, s) => a + s.volume_size, 0);
  const deltas: Record<string, number> = { volumes: 1, gigabytes: v.size + snapGb, [`volumes_${typeName}`]: 1, [`gigabytes_${typeName}`]: v.size + snapGb };
  if (snaps.length) {
    deltas.snapshots = snaps.length;
    deltas[`snapshots_${typeName}`] = snaps.length;
  }
  const over = reserve(core.ports.store, ctx.project_id, deltas, core.quotaDefaults);
  if (over) return done(err(over));
  const rollback = () => commit(core.ports.store, ctx.project_id, negate(deltas));
  if (!v.host) {
    rollback();
    return done(err(E.invalidVolume('Volume is not scheduled to any host.')));
  }
  core.ports.bus.call(volumeTopic(extractBackend(v.host)), 'accept_transfer', { volume_id: v.id, new_project: ctx.project_id }, core.opts.rpc_response_timeout * 1000, (res) => {
    if (!res.ok) {
      rollback();
      return done(err({ http: 500, error: res.error, message: res.message }));
    }
    const cur = core.volumes.get(v.id);
    const bad = snaps.find((s) => core.snapshots.get(s.id)?.status !== 'available');
    if (!cur || cur.status !== 'awaiting-transfer' || bad) {
      rollback();
      const msg = bad ? `Transfer ${t.id}: Snapshot ${bad.id} is not in the expected available state.` : `Transfer ${t.id}: Volume id ${v.id} expected in awaiting-transfer state.`;
      return done(err(bad ? E.invalidSnapshot(msg) : E.invalidVolume(msg)));
    }
    commit(core.ports.store, t.source_project_id, negate(deltas));
    const user = ctx.user_id ?? ctx.project_id;
    core.volumes.update(v.id, { status: 'available', project_id: ctx.project_id, user_id: user });
    for (const s of snaps) core.snapshots.update(s.id, { project_id: ctx.project_id, user_id: user });
    core.transfers.update(t.id, { accepted: true, destination_project_id: ctx.project_id });
    core.transfers.softDelete(t.id);
    done(ok({ id: t.id, name: t.display_name, volume_id: v.id }));
  });
};

export const deleteTransfer: Handler<'transfer-delete'> = (core, ctx, req, done) => {
  const r = resolveTransfer(core, ctx, req.transfer);
  if (!r.ok) return done(err(r.error));
  const t = r.row;
  const v = core.volumes.get(t.volume_id);
  if (v && !v.deleted && v.status === 'awaiting-transfer') core.volumes.update(v.id, { status: 'available' });
  core.transfers.softDelete(t.id);
  done(ok());
};

export const listTransfers: Handler<'transfer-list'> = (core, ctx, _req, done) => {
  const view = (t: TransferRow) => ({ id: t.id, volume_id: t.volume_id, name: t.display_name });
  done(ok(core.transfers.list((t) => isAdmin(ctx) || t.source_project_id === ctx.project_id).map(view)));
};
