import type { BackupRow, SnapshotRow, VolumeRow } from '../db/index.js';
import { isoUtc, type ApiCore } from './core.js';

/** The JSON Cinder's API returns for a volume (api/v3/views/volumes.py), reduced. */
export function volumeView(core: ApiCore, v: VolumeRow): Record<string, unknown> {
  const attachments = core.attachments.list((a) => a.volume_id === v.id && a.attach_status === 'attached');
  return {
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
}

export function snapshotView(s: SnapshotRow): Record<string, unknown> {
  return {
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
}

export function backupView(b: BackupRow): Record<string, unknown> {
  return {
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
}
