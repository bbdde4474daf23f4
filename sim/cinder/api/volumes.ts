import { SCHEDULER_TOPIC, volumeTopic } from '../rpcapi.js';
import { extractBackend } from '../host.js';
import type { VolumeRow, VolumeTypeRow } from '../db/index.js';
import { E, err, getVisible, isAdmin, ok, optionalUuidError, resolveVolume, type ApiCore } from './core.js';
import type { Handler } from './handler.js';
import { checkPerVolume, commit, negate, reserve, volumeDeltas } from '../quota.js';
import { atLeast, type ApiError, type RequestContext } from './requests.js';
import { mv } from './version.js';
import { volumeView } from './views.js';
import { refreshAzCache, validAvailabilityZones } from './zones.js';
import type { Rng } from '../../ports/rng.js';

/** Taskflow's atom uuids, on their own stream so that logging them shifts no other draw of the API. */
const taskflowRngs = new WeakMap<ApiCore, Rng>();

/**
 * The create flow's engine runs under a DynamicLogListener (volume/api.py):
 * a task that raises is logged at WARNING by cinder.volume.api.  The line's
 * traceback and atom details (taskflow's failure formatter) are not modelled.
 */
function extractTaskFailed(core: ApiCore): void {
  let rng = taskflowRngs.get(core);
  if (rng === undefined) taskflowRngs.set(core, (rng = core.ports.rng.fork('taskflow')));
  const r = rng;
  const h = (n: number) => {
    let x = '';
    for (let i = 0; i < n; i++) x += '0123456789abcdef'[r.int(0, 15)];
    return x;
  };
  core.ports.log.warning(() => {
    const uuid = `${h(8)}-${h(4)}-4${h(3)}-${'89ab'[r.int(0, 3)]}${h(3)}-${h(12)}`;
    return `Task 'cinder.volume.flows.api.create_volume.ExtractVolumeRequestTask;volume:create' (${uuid}) transitioned into state 'FAILURE' from state 'RUNNING'`;
  });
}

const GiB = 1024 * 1024 * 1024;

/** `size` as the JSON schema (api/schemas/volumes.py) accepts it: an integer or digit string >= 1. */
function parseSize(size: number | string): { ok: true; value: number } | { ok: false; error: ApiError } {
  const bad = (why: string): { ok: false; error: ApiError } => ({
    ok: false,
    error: { http: 400, error: 'ValidationError', message: `Invalid input for field/attribute size. Value: ${size}. ${why}` },
  });
  if (typeof size === 'string') {
    if (!/^[0-9]+$/.test(size)) return bad(`'${size}' does not match '^[0-9]+$'`);
    size = Number(size);
  } else if (!Number.isInteger(size)) return bad(`${size} is not of type 'integer', 'string', 'null'`);
  if (size < 1) return bad(`${size} is less than the minimum of 1`);
  return { ok: true, value: size };
}

/** provision_filter_on_size: the type's provisioning:min_vol_size / max_vol_size. */
export function checkTypeSize(t: VolumeTypeRow, size: number): ApiError | null {
  const min = t.extra_specs['provisioning:min_vol_size'];
  const max = t.extra_specs['provisioning:max_vol_size'];
  if (min !== undefined && size < Number(min)) {
    return E.invalidInput(`Specified volume size of '${size}' is less than the minimum required size of '${min}' for volume type '${t.name}'.`);
  }
  if (max !== undefined && size > Number(max)) {
    return E.invalidInput(`Specified volume size of '${size}' is greater than the maximum allowable size of '${max}' for volume type '${t.name}'.`);
  }
  return null;
}

/** _retype_is_possible: exactly one *disabled* volume service, or both types name the same backend. */
function retypeIsPossible(core: ApiCore, src: VolumeTypeRow | undefined, dst: VolumeTypeRow): boolean {
  const disabled = core.services.list((s) => s.binary === 'cinder-volume' && s.disabled);
  if (disabled.length === 1) return true;
  return (src?.extra_specs.volume_backend_name ?? null) === (dst.extra_specs.volume_backend_name ?? null);
}

const isMultiattachType = (t: VolumeTypeRow): boolean => /^<is>\s*true$/i.test(t.extra_specs.multiattach ?? '');

export const createVolume: Handler<'create'> = (core, ctx, req, done) => {
  // Below 3.47 the body's backup_id is not part of the schema and is ignored.
  const backupId = atLeast(ctx, mv.VOLUME_CREATE_FROM_BACKUP) ? req.backup_id : undefined;
  // The JSON schema first: the id fields are UUIDs, sent as the user typed them.
  const schemaErr = optionalUuidError('snapshot_id', req.snapshot_id) ?? optionalUuidError('source_volid', req.source_volid) ?? optionalUuidError('backup_id', backupId);
  if (schemaErr) return done(err(schemaErr));
  if (req.multiattach !== undefined) {
    return done(err(E.badRequest('multiattach parameter has been removed. The default behavior is to use multiattach enabled volume types. Contact your administrator to create a multiattach enabled volume type and use it to create multiattach volumes.')));
  }
  const sources = [req.snapshot_id, req.image_id, req.source_volid, backupId].filter((x) => x !== undefined);
  if (sources.length > 1) return done(err(E.invalidInput('May specify only one of backup, imageRef, snapshot, source volume')));

  let type: VolumeTypeRow | undefined;
  if (req.volume_type !== undefined) {
    type = core.findType(req.volume_type, ctx);
    if (!type) return done(err(E.typeNotFoundByName(req.volume_type)));
  }
  const visible = (r: { project_id: string }) => isAdmin(ctx) || r.project_id === ctx.project_id;
  const snapshot = req.snapshot_id ? getVisible(core.snapshots, req.snapshot_id, visible) ?? null : null;
  if (req.snapshot_id && !snapshot) return done(err(E.snapshotNotFound(req.snapshot_id)));
  const source = req.source_volid ? getVisible(core.volumes, req.source_volid, visible) ?? null : null;
  if (req.source_volid && !source) return done(err(E.volumeNotFound(req.source_volid)));
  const bk = backupId ? getVisible(core.backups, backupId, visible) ?? null : null;
  if (backupId && !bk) return done(err(E.backupNotFound(backupId)));
  const image = req.image_id ? (core.images.get(req.image_id) ?? [...core.images.values()].find((i) => i.name === req.image_id)) : undefined;
  if (req.image_id && !image) return done(err(E.imageNotFound(req.image_id)));

  // Size: explicit, else the source volume's, the snapshot's volume_size, the backup's.
  let size: number;
  if (req.size !== undefined) {
    const s = parseSize(req.size);
    if (!s.ok) return done(err(s.error));
    size = s.value;
  } else if (source) size = source.size;
  else if (snapshot) size = snapshot.volume_size;
  else if (bk) size = bk.size;
  else return done(err({ http: 500, error: 'TypeError', message: "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'" }));

  // Type resolution order: explicit, source volume's, snapshot's, image's, default.
  const explicit = type !== undefined;
  if (!type && source) type = core.types.get(source.volume_type_id);
  if (!type && snapshot) type = core.types.get(snapshot.volume_type_id);
  if (!type && image?.cinder_img_volume_type) type = core.findType(image.cinder_img_volume_type, ctx);
  if (!type) type = core.defaultType();
  if (!type) {
    return done(err({ http: 500, error: 'VolumeTypeDefaultMisconfiguredError', message: `The request cannot be fulfilled as the default volume type ${core.opts.default_volume_type} cannot be found.` }));
  }
  const sizeErr = checkTypeSize(type, size);
  if (sizeErr) return done(err(sizeErr));
  if (explicit && source && source.volume_type_id !== type.id && !retypeIsPossible(core, core.types.get(source.volume_type_id), type)) {
    return done(err(E.invalidInput(`Invalid volume_type provided: ${type.id} (requested type is not compatible; either match source volume, or omit type argument).`)));
  }
  if (explicit && snapshot && snapshot.volume_type_id !== type.id && !retypeIsPossible(core, core.types.get(snapshot.volume_type_id), type)) {
    return done(err(E.invalidInput(`Invalid volume_type provided: ${type.id} (requested type is not compatible; recommend omitting the type argument).`)));
  }

  // ExtractVolumeRequestTask: source statuses and size rules.
  if (snapshot && snapshot.status !== 'available') return done(err(E.invalidSnapshot("Originating snapshot status must be one of 'available' values")));
  if (source && source.status !== 'available' && source.status !== 'in-use') {
    return done(err(E.invalidVolume("Originating source volume status must be one of 'available, in-use' values")));
  }
  if (bk && bk.status !== 'available') return done(err(E.invalidBackup("Originating backup status must be one of 'available' values")));
  if (source && size < source.size) {
    return done(err(E.invalidInput(`Volume size '${size}'GB cannot be smaller than original volume size  ${source.size}GB. They must be >= original volume size.`)));
  }
  if (snapshot && size < snapshot.volume_size) {
    return done(err(E.invalidInput(`Volume size '${size}'GB cannot be smaller than the snapshot size ${snapshot.volume_size}GB. They must be >= original snapshot size.`)));
  }
  if (bk && size < bk.size) return done(err(E.invalidInput(`Volume size ${size}GB cannot be smaller than the backup size ${bk.size}GB. It must be >= backup size.`)));
  if (image) {
    const imageGb = Math.ceil(image.size_bytes / GiB);
    if (imageGb > size) return done(err(E.invalidInput(`Size of specified image ${imageGb}GB is larger than volume size ${size}GB.`)));
    if (size < image.min_disk) return done(err(E.invalidInput(`Volume size ${size}GB cannot be smaller than the image minDisk size ${image.min_disk}GB.`)));
  }

  // Availability zone (cinder/volume/flows/api/create_volume.py, ExtractVolumeRequestTask._extract_availability_zones).
  const az = resolveAz(core, req.availability_zone, type, snapshot ? core.volumes.get(snapshot.volume_id) ?? null : null, source);
  if (!az.ok) return done(err(az.error));

  // Quota, committed here before scheduling.
  const perVol = checkPerVolume(core.ports.store, ctx.project_id, size, core.quotaDefaults);
  if (perVol) return done(err(perVol));
  const over = reserve(core.ports.store, ctx.project_id, volumeDeltas(type.name, size), core.quotaDefaults);
  if (over) return done(err(over));

  const row = core.volumes.insert({
    id: core.uuid(),
    project_id: ctx.project_id,
    user_id: ctx.user_id ?? ctx.project_id,
    display_name: req.name ?? null,
    display_description: req.description ?? null,
    size,
    status: 'creating',
    previous_status: null,
    attach_status: 'detached',
    migration_status: null,
    host: null,
    availability_zone: az.zones[0] ?? core.opts.storage_availability_zone,
    volume_type_id: type.id,
    snapshot_id: snapshot?.id ?? null,
    source_volid: source?.id ?? null,
    image_id: image?.id ?? null,
    backup_id: bk?.id ?? null,
    multiattach: isMultiattachType(type),
    metadata: { ...(req.metadata ?? {}) },
    provider_auth: null,
    provider_location: null,
    launched_at: null,
    scheduled_at: null,
    bootable: false,
  });
  // VolumeCastTask: clones always pinned; snapshot-sourced only with snapshot_same_host.
  let resourceBackend: string | null = null;
  if (source) resourceBackend = source.host;
  else if (snapshot && core.opts.snapshot_same_host) resourceBackend = core.volumes.get(snapshot.volume_id)?.host ?? null;
  core.ports.bus.cast(SCHEDULER_TOPIC, 'create_volume', { volume_id: row.id, availability_zones: az.zones, resource_backend: resourceBackend });
  done(ok(volumeView(core, row, ctx)));
};

function resolveAz(
  core: ApiCore,
  requested: string | undefined,
  type: VolumeTypeRow,
  snapVolume: VolumeRow | null,
  source: VolumeRow | null,
): { ok: true; zones: string[] } | { ok: false; error: ApiError } {
  const valid = validAvailabilityZones(core);
  const typeAzsRaw = type.extra_specs['RESKEY:availability_zones'];
  const typeAzs = typeAzsRaw ? typeAzsRaw.split(',').map((s) => s.trim()).filter(Boolean) : null;
  let safe = valid;
  if (typeAzs) {
    safe = new Set(typeAzs.filter((z) => valid.has(z)));
    if (safe.size === 0) {
      extractTaskFailed(core);
      return { ok: false, error: { http: 400, error: 'InvalidTypeAvailabilityZones', message: `Volume type is only supported in these availability zones: ${typeAzs.join(',')}` } };
    }
  }
  let az = requested ?? snapVolume?.availability_zone ?? source?.availability_zone ?? null;
  const fallback = core.opts.default_availability_zone ?? core.opts.storage_availability_zone;
  if (az === null && !typeAzs) az = fallback;
  if (az !== null && !safe.has(az)) {
    if (core.opts.allow_availability_zone_fallback) {
      core.ports.log.named('cinder.volume.flows.api.create_volume').warning(`Availability zone '${az}' not found, falling back to '${fallback}'.`);
      refreshAzCache(core);
      az = fallback;
    } else {
      refreshAzCache(core);
      extractTaskFailed(core);
      return { ok: false, error: { http: 400, error: 'InvalidAvailabilityZone', message: `Availability zone '${az}' is invalid.` } };
    }
  }
  if (core.opts.cloned_volume_same_az) {
    if (snapVolume && az !== null && az !== snapVolume.availability_zone) {
      return { ok: false, error: E.invalidInput('Volume must be in the same availability zone as the snapshot') };
    }
    if (source && az !== null && az !== source.availability_zone) {
      return { ok: false, error: E.invalidInput('Volume must be in the same availability zone as the source volume') };
    }
  }
  return { ok: true, zones: az !== null ? [az] : [...safe] };
}

const DELETE_STATUSES = ['available', 'error', 'error_restoring', 'error_extending', 'error_managing'];

export const deleteVolume: Handler<'delete'> = (core, ctx, req, done) => {
  const r = resolveVolume(core, ctx, req.volume);
  if (!r.ok) return done(err(r.error));
  const v = r.row;
  const typeName = core.typeName(v.volume_type_id);
  if (!v.host) {
    // Never scheduled: destroyed in the API, quota returned, nothing over RPC.
    core.volumes.softDelete(v.id);
    commit(core.ports.store, v.project_id, negate(volumeDeltas(typeName, v.size)));
    return done(ok());
  }
  const snaps = core.snapshots.list((s) => s.volume_id === v.id);
  const statusOk = req.force || DELETE_STATUSES.includes(v.status);
  const migrationOk = v.migration_status === null || ['deleting', 'error', 'success'].includes(v.migration_status);
  const snapsOk = snaps.length === 0 || (req.cascade === true && (req.force || snaps.every((s) => s.status === 'available' || s.status === 'error')));
  const otherProjectSnap = req.cascade && !isAdmin(ctx) && snaps.some((s) => s.project_id !== v.project_id);
  if (!statusOk || v.attach_status === 'attached' || !migrationOk || !snapsOk || otherProjectSnap) {
    const clause = req.force ? '' : 'status must be available or error or error_restoring or error_extending or error_managing and';
    return done(
      err(E.invalidVolume(`Volume ${clause} must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.`)),
    );
  }
  for (const s of snaps) core.snapshots.update(s.id, { status: 'deleting' });
  core.volumes.update(v.id, { status: 'deleting', previous_status: v.status });
  core.ports.bus.cast(volumeTopic(extractBackend(v.host)), 'delete_volume', { volume_id: v.id, cascade: req.cascade === true });
  done(ok());
};

export const showVolume: Handler<'show'> = (core, ctx, req, done) => {
  const r = resolveVolume(core, ctx, req.volume);
  if (!r.ok) return done(err(r.error));
  done(ok(volumeView(core, r.row, ctx)));
};

export const listVolumes: Handler<'list'> = (core, ctx, req, done) => {
  const all = req.all_tenants === true && isAdmin(ctx);
  done(ok(core.volumes.list((v) => all || v.project_id === ctx.project_id).map((v) => volumeView(core, v, ctx))));
};

export const extendVolume: Handler<'extend'> = (core, ctx, req, done) => {
  const r = resolveVolume(core, ctx, req.volume);
  if (!r.ok) return done(err(r.error));
  const v = r.row;
  const newSize = Number(req.new_size);
  if (!Number.isInteger(newSize) || newSize <= v.size) {
    return done(err(E.invalidInput(`New size for extend must be greater than current size. (current: ${v.size}, extended: ${req.new_size}).`)));
  }
  // Microversion >= 3.42 extends in-use volumes through extend_attached_volume.
  const expected = v.status === 'in-use' && atLeast(ctx, mv.VOLUME_EXTEND_INUSE) ? 'in-use' : 'available';
  if (v.status !== expected) {
    return done(err(E.invalidVolume(`Volume ${v.id} status must be '{'status': '${expected}'}' to extend, currently ${v.status}.`)));
  }
  const type = core.types.get(v.volume_type_id);
  if (type) {
    const e = checkTypeSize(type, newSize);
    if (e) return done(err(e));
  }
  const perVol = checkPerVolume(core.ports.store, v.project_id, newSize, core.quotaDefaults);
  if (perVol) return done(err(perVol));
  const delta = newSize - v.size;
  const typeName = core.typeName(v.volume_type_id);
  const over = reserve(core.ports.store, v.project_id, { gigabytes: delta, [`gigabytes_${typeName}`]: delta }, core.quotaDefaults);
  if (over) return done(err(over));
  core.volumes.update(v.id, { status: 'extending', previous_status: v.status });
  core.ports.bus.cast(SCHEDULER_TOPIC, 'extend_volume', { volume_id: v.id, new_size: newSize });
  done(ok());
};

export const retypeVolume: Handler<'retype'> = (core, ctx, req, done) => {
  const r = resolveVolume(core, ctx, req.volume);
  if (!r.ok) return done(err(r.error));
  const v = r.row;
  const t = core.findType(req.volume_type, ctx);
  if (!t) return done(err(E.invalidInput(`Invalid volume_type passed: ${req.volume_type}.`)));
  const cur = core.types.get(v.volume_type_id);
  if (cur && isMultiattachType(cur) !== isMultiattachType(t) && v.status !== 'available') {
    return done(err(E.invalidInput(`Invalid volume_type passed, retypes affecting multiattach are only allowed on available volumes, the specified volume however currently has a status of: ${v.status}.`)));
  }
  const frontEndQosChanges = false;
  if (!['available', 'in-use'].includes(v.status) || v.migration_status === 'migrating' || v.migration_status === 'starting' || t.id === v.volume_type_id || frontEndQosChanges) {
    return done(
      err(E.invalidVolume('Retype needs volume to be in available or in-use state, not be part of an active migration or a consistency group, requested type has to be different that the one from the volume, and for in-use volumes front-end qos specs cannot change.')),
    );
  }
  core.volumes.update(v.id, { status: 'retyping', previous_status: v.status });
  const typeAzs = t.extra_specs['RESKEY:availability_zones'];
  core.ports.bus.cast(SCHEDULER_TOPIC, 'retype', {
    volume_id: v.id,
    new_type_id: t.id,
    new_type_name: t.name,
    migration_policy: req.migration_policy ?? 'never',
    availability_zones: typeAzs ? typeAzs.split(',').map((s) => s.trim()) : [v.availability_zone],
  });
  done(ok());
};

/** Old-style os-attach: reserve, initialize_connection (a synchronous call to cinder-volume), attach. */
export const attachVolume: Handler<'attach'> = (core, ctx, req, done) => {
  const r = resolveVolume(core, ctx, req.volume);
  if (!r.ok) return done(err(r.error));
  const v = r.row;
  if (v.status === 'maintenance') return done(err(E.invalidVolume('The volume cannot be attached in maintenance mode.')));
  const allowed = v.multiattach ? ['available', 'in-use'] : ['available'];
  if (!allowed.includes(v.status) || !v.host) {
    return done(err(E.invalidVolume(`Volume status must be ${allowed.join(' or ')} to reserve, but the status is ${v.status}.`)));
  }
  const prev = v.status;
  core.volumes.update(v.id, { status: 'attaching', previous_status: prev });
  const timeoutMs = core.opts.rpc_response_timeout * 1000;
  core.ports.bus.call(volumeTopic(extractBackend(v.host)), 'initialize_connection', { volume_id: v.id, host: req.host }, timeoutMs, (res) => {
    const unreserve = () => core.volumes.update(v.id, { status: prev, previous_status: null });
    if (!res.ok) {
      unreserve();
      return done(err({ http: 500, error: res.error, message: res.message }));
    }
    const reply = res.reply as { ok: boolean; message?: string; connection_info?: unknown };
    if (!reply.ok) {
      unreserve();
      return done(err({ http: 500, error: 'VolumeBackendAPIException', message: `Bad or unexpected response from the storage volume backend API: Unable to fetch connection information from backend: ${reply.message}` }));
    }
    const a = core.attachments.insert({
      id: core.uuid(),
      volume_id: v.id,
      instance_uuid: req.instance_uuid ?? null,
      attached_host: req.host,
      mountpoint: req.mountpoint ?? null,
      attach_status: 'attached',
      connection_info: reply.connection_info,
    });
    core.volumes.update(v.id, { status: 'in-use', attach_status: 'attached', previous_status: null });
    done(ok({ attachment_id: a.id, connection_info: reply.connection_info }));
  });
};

export const detachVolume: Handler<'detach'> = (core, ctx, req, done) => {
  const r = resolveVolume(core, ctx, req.volume);
  if (!r.ok) return done(err(r.error));
  const v = r.row;
  if (v.status === 'maintenance') return done(err(E.invalidVolume('The volume cannot be detached in maintenance mode.')));
  if (v.status !== 'in-use' || v.attach_status !== 'attached') {
    return done(err(E.invalidVolume("Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.")));
  }
  const atts = core.attachments.list((a) => a.volume_id === v.id && a.attach_status === 'attached');
  const target = req.attachment_id ? atts.find((a) => a.id === req.attachment_id) : atts[0];
  if (target) core.attachments.update(target.id, { attach_status: 'detached' });
  if (v.host) core.ports.bus.cast(volumeTopic(extractBackend(v.host)), 'terminate_connection', { volume_id: v.id });
  const left = atts.length - (target ? 1 : 0);
  core.volumes.update(v.id, left > 0 ? { status: 'in-use' } : { status: 'available', attach_status: 'detached' });
  done(ok());
};

export function requireAdmin(ctx: RequestContext, action: string): ApiError | null {
  return isAdmin(ctx) ? null : E.forbidden(action);
}
