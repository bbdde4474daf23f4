import type { BackupRow, SnapshotRow, VolumeRow } from '../db/index.js';
import { isAdmin, isoUtc, type ApiCore } from './core.js';
import { atLeast, type RequestContext } from './requests.js';
import { mv } from './version.js';

/**
 * The JSON Cinder's API returns for a volume (api/v3/views/volumes.py),
 * reduced, with the fields of the request's microversion.
 */
export function volumeView(core: ApiCore, v: VolumeRow, ctx: RequestContext): Record<string, unknown> {
  const attachments = core.attachments.list((a) => a.volume_id === v.id && a.attach_status === 'attached');
  const out: Record<string, unknown> = {
    id: v.id,
    name: v.display_name,
    description: v.display_description,
    size: v.size,
    status: v.status,
    attach_status: v.attach_status,
    availability_zone: v.availability_zone,
    volume_type: core.typeName(v.volume_type_id),
    'os-vol-host-attr:host': v.host,
    'os-vol-tenant-attr:tenant_id': v.project_id,
    snapshot_id: v.snapshot_id,
    source_volid: v.source_volid,
    backup_id: v.backup_id,
    multiattach: v.multiattach,
    bootable: String(v.bootable),
    metadata: v.metadata,
    migration_status: v.migration_status,
    attachments: attachments.map((a) => ({ id: a.id, attachment_id: a.id, server_id: a.instance_uuid, host_name: a.attached_host, device: a.mountpoint })),
    created_at: isoUtc(v.created_at),
    updated_at: isoUtc(v.updated_at),
  };
  const admin = isAdmin(ctx);
  if (atLeast(ctx, mv.GROUP_VOLUME)) out['group_id'] = null;
  if (admin && atLeast(ctx, mv.VOLUME_DETAIL_PROVIDER_ID)) out['provider_id'] = null;
  if (atLeast(ctx, mv.VOLUME_SHARED_TARGETS_AND_SERVICE_FIELDS)) {
    // The DB default is True until cinder-volume records its driver's
    // shared_targets (the LVM-like fake reports False); before 3.69 a null shows as True.
    out['shared_targets'] = v.host === null;
    out['service_uuid'] = null;
  }
  if (admin && atLeast(ctx, mv.VOLUME_CLUSTER_NAME)) out['cluster_name'] = null;
  if (atLeast(ctx, mv.VOLUME_TYPE_ID_IN_VOLUME_DETAIL)) out['volume_type_id'] = v.volume_type_id;
  if (atLeast(ctx, mv.USE_QUOTA)) out['consumes_quota'] = true;
  return out;
}

/** api/v3/views/snapshots.py, with the fields of the request's microversion. */
export function snapshotView(s: SnapshotRow, ctx: RequestContext): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: s.id,
    name: s.display_name,
    description: s.display_description,
    volume_id: s.volume_id,
    size: s.volume_size,
    status: s.status,
    progress: s.progress,
    'os-extended-snapshot-attributes:project_id': s.project_id,
    created_at: isoUtc(s.created_at),
  };
  if (atLeast(ctx, mv.GROUP_SNAPSHOTS)) out['group_snapshot_id'] = null;
  if (atLeast(ctx, mv.SNAPSHOT_LIST_USER_ID)) out['user_id'] = s.user_id;
  if (atLeast(ctx, mv.USE_QUOTA)) out['consumes_quota'] = true;
  return out;
}

/** api/v3/views/backups.py, with the fields of the request's microversion. */
export function backupView(b: BackupRow, ctx: RequestContext): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: b.id,
    name: b.display_name,
    volume_id: b.volume_id,
    snapshot_id: b.snapshot_id,
    size: b.size,
    status: b.status,
    is_incremental: b.is_incremental,
    availability_zone: b.availability_zone,
    fail_reason: b.fail_reason,
    container: null,
    created_at: isoUtc(b.created_at),
  };
  if (atLeast(ctx, mv.BACKUP_METADATA)) out['metadata'] = {};
  return out;
}

/** BackupsController.show / detail: the project (3.18) and user (3.56) attributes, for admins. */
export function backupShowView(b: BackupRow, ctx: RequestContext): Record<string, unknown> {
  const out = backupView(b, ctx);
  if (isAdmin(ctx) && atLeast(ctx, mv.BACKUP_PROJECT)) out['os-backup-project-attr:project_id'] = b.project_id;
  if (isAdmin(ctx) && atLeast(ctx, mv.BACKUP_PROJECT_USER_ID)) out['user_id'] = b.user_id;
  return out;
}
