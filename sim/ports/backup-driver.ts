/**
 * What cinder-backup needs from a backup target (cinder/backup/drivers/*):
 * store a full or incremental copy of a volume, restore it, delete it.
 * Like the volume driver, every call answers at once with its result and
 * the virtual time it takes; failures are results.
 */

/** The backup drivers Cinder 2023.1 ships (cinder/backup/drivers/). */
export type BackupDriverName = 'ceph' | 'gcs' | 'glusterfs' | 'nfs' | 'posix' | 's3' | 'swift';

export type BackupDriverResult<T> =
  | { ok: true; value: T; latencyMs: number }
  | { ok: false; message: string; latencyMs: number };

export interface BackupRef {
  id: string;
  volumeId: string;
  sizeGb: number;
  incremental: boolean;
  parentId: string | null;
}

export interface BackupDriver {
  readonly driverName: BackupDriverName;
  /** Cinder's class path, recorded on each backup as `service`. */
  readonly serviceClass: string;
  readonly initialized: boolean;
  backup(ref: BackupRef): BackupDriverResult<void>;
  restore(backupId: string, sizeGb: number): BackupDriverResult<void>;
  delete(backupId: string): BackupDriverResult<void>;
  /** Bytes the target holds, in GB, and its capacity. */
  usage(): { usedGb: number; capacityGb: number };
}
