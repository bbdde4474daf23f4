import type { Row } from '../../ports/store.js';
import type { Binary } from './binaries.js';

/**
 * The rows of the Cinder database tables the services share
 * (cinder/db/sqlalchemy/models.py), reduced to the columns the control plane
 * reads.  Times are wall-clock ms of the writing node.
 */

export interface ServiceRow extends Row {
  binary: Binary;
  host: string;
  topic: string;
  availability_zone: string;
  disabled: boolean;
  disabled_reason: string | null;
  /** Wall time of the last enable/disable, stamped by the API node. */
  modified_at: number | null;
  frozen: boolean;
}

export type VolumeStatus =
  | 'creating' | 'available' | 'deleting' | 'error' | 'error_deleting' | 'attaching' | 'in-use' | 'detaching'
  | 'maintenance' | 'restoring-backup' | 'error_restoring' | 'reserved' | 'awaiting-transfer' | 'backing-up'
  | 'error_backing-up' | 'error_extending' | 'downloading' | 'retyping' | 'extending';

export type AttachStatus = 'attached' | 'attaching' | 'detached' | 'reserved' | 'error_attaching' | 'error_detaching';

export interface VolumeRow extends Row {
  project_id: string;
  user_id: string;
  display_name: string | null;
  display_description: string | null;
  size: number;
  status: VolumeStatus;
  previous_status: VolumeStatus | null;
  attach_status: AttachStatus;
  migration_status: string | null;
  /** host@backend#pool, or null until scheduled. */
  host: string | null;
  availability_zone: string;
  volume_type_id: string;
  snapshot_id: string | null;
  source_volid: string | null;
  image_id: string | null;
  backup_id: string | null;
  multiattach: boolean;
  metadata: Record<string, string>;
  provider_auth: string | null;
  provider_location: string | null;
  launched_at: number | null;
  scheduled_at: number | null;
  bootable: boolean;
}

export type SnapshotStatus = 'creating' | 'available' | 'deleting' | 'error' | 'error_deleting' | 'backing-up' | 'restoring';

export interface SnapshotRow extends Row {
  project_id: string;
  user_id: string;
  volume_id: string;
  volume_size: number;
  volume_type_id: string;
  status: SnapshotStatus;
  progress: string;
  display_name: string | null;
  display_description: string | null;
}

export type BackupStatus = 'creating' | 'available' | 'deleting' | 'error' | 'error_deleting' | 'restoring';

export interface BackupRow extends Row {
  project_id: string;
  user_id: string;
  volume_id: string;
  snapshot_id: string | null;
  size: number;
  status: BackupStatus;
  display_name: string | null;
  is_incremental: boolean;
  parent_id: string | null;
  /** Wall time the data was taken (the snapshot's time for snapshot backups). */
  data_timestamp: number;
  /** The backup host chosen by the scheduler. */
  host: string | null;
  availability_zone: string | null;
  service: string | null;
  fail_reason: string | null;
  restore_volume_id: string | null;
}

export interface TransferRow extends Row {
  volume_id: string;
  display_name: string | null;
  salt: string;
  crypt_hash: string;
  source_project_id: string;
  destination_project_id: string | null;
  accepted: boolean;
  no_snapshots: boolean;
}

export interface VolumeTypeRow extends Row {
  name: string;
  description: string | null;
  is_public: boolean;
  extra_specs: Record<string, string>;
  /** Projects given access to a private type. */
  projects: string[];
}

export interface AttachmentRow extends Row {
  volume_id: string;
  instance_uuid: string | null;
  attached_host: string;
  mountpoint: string | null;
  attach_status: AttachStatus;
  connection_info: unknown;
}

export interface MessageRow extends Row {
  project_id: string;
  resource_type: 'VOLUME' | 'SNAPSHOT' | 'BACKUP';
  resource_uuid: string;
  event_id: string;
  user_message: string;
}

/** Per-project quota usage kept by the API (quota_usages), in_use only: reservations commit at once. */
export interface QuotaRow extends Row {
  /** id = project id. */
  limits: Partial<Record<QuotaResource, number>>;
  in_use: Record<string, number>;
}

export type QuotaResource = 'volumes' | 'snapshots' | 'gigabytes' | 'backups' | 'backup_gigabytes' | 'per_volume_gigabytes';
