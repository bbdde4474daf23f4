/**
 * What cinder-volume needs from a storage backend, modelled on Cinder's
 * VolumeDriver interface (cinder/volume/driver.py) as the LVM driver
 * implements it.  Every operation answers synchronously with its result
 * AND the time it took (`latencyMs`); the manager applies the result after
 * that much virtual time.  Failures are results, never exceptions.
 */

/** A capacity as Cinder drivers report it: a number of GB, or the two strings. */
export type CapacityGb = number | 'infinite' | 'unknown';

/** One pool of a capability report (`get_volume_stats()['pools'][i]`). */
export interface PoolStats {
  pool_name: string;
  total_capacity_gb: CapacityGb;
  free_capacity_gb: CapacityGb;
  provisioned_capacity_gb: number;
  reserved_percentage: number;
  max_over_subscription_ratio: string | number;
  thin_provisioning_support: boolean;
  thick_provisioning_support: boolean;
  QoS_support: boolean;
  multiattach: boolean;
  backend_state: 'up' | 'down';
  total_volumes: number;
  location_info: string;
  filter_function: string | null;
  goodness_function: string | null;
  /** Added by the manager, not the driver (volume/manager.py _append_volume_stats). */
  allocated_capacity_gb?: number;
  [extra: string]: unknown;
}

/** The backend-level report (`get_volume_stats()`). */
export interface VolumeStats {
  volume_backend_name: string;
  vendor_name: string;
  driver_version: string;
  storage_protocol: string;
  shared_targets: boolean;
  sparse_copy_volume: boolean;
  pools: PoolStats[];
  [extra: string]: unknown;
}

/** Cinder exception class names a driver call can end with. */
export type DriverErrorKind =
  | 'VolumeBackendAPIException'
  | 'VolumeIsBusy'
  | 'VolumeDriverException'
  | 'ISCSITargetCreateFailed'
  | 'NotFound'
  | 'NotInitialized';

export type DriverResult<T> =
  | { ok: true; value: T; latencyMs: number }
  | { ok: false; kind: DriverErrorKind; message: string; latencyMs: number };

export interface DriverVolumeRef {
  id: string;
  sizeGb: number;
  /** Pool the scheduler chose (the `#pool` part of the host). */
  pool: string;
}

export interface DriverSnapshotRef {
  id: string;
  volumeId: string;
  volumeSizeGb: number;
}

/** What os-brick sends as the connector for an attach. */
export interface Connector {
  host: string;
  initiator?: string;
  ip?: string;
  multipath?: boolean;
}

/** `initialize_connection` for iSCSI (volume/targets/iscsi.py). */
export interface IscsiConnectionInfo {
  driver_volume_type: 'iscsi';
  data: {
    target_discovered: boolean;
    target_portal: string;
    target_iqn: string;
    target_lun: number;
    volume_id: string;
    auth_method: 'CHAP';
    auth_username: string;
    auth_password: string;
    discard: boolean;
  };
}

export interface ConnectionResult {
  info: IscsiConnectionInfo;
  /** `provider_auth` to store ("CHAP <user> <password>"). */
  providerAuth: string;
  /** `provider_location` ("<ip>:<port>,<tid> <iqn> <lun>"). */
  providerLocation: string;
}

export interface VolumeDriver {
  /** False until `doSetup` succeeds; cinder-volume does not heartbeat while false. */
  readonly initialized: boolean;
  /** `do_setup` + `check_for_setup_error` (e.g. "Volume Group <vg> does not exist"). */
  doSetup(): DriverResult<void>;
  /** A restarted service builds its driver anew: `initialized` is false until `doSetup` runs again. */
  resetInitialized(): void;
  createVolume(volume: DriverVolumeRef): DriverResult<void>;
  createVolumeFromSnapshot(volume: DriverVolumeRef, snapshot: DriverSnapshotRef): DriverResult<void>;
  createClonedVolume(volume: DriverVolumeRef, source: DriverVolumeRef): DriverResult<void>;
  deleteVolume(volumeId: string): DriverResult<void>;
  extendVolume(volumeId: string, newSizeGb: number): DriverResult<void>;
  createSnapshot(snapshot: DriverSnapshotRef): DriverResult<void>;
  deleteSnapshot(snapshotId: string): DriverResult<void>;
  /** Export and connect; `providerAuth` is reused when the volume already has one. */
  initializeConnection(volumeId: string, connector: Connector, providerAuth: string | null): DriverResult<ConnectionResult>;
  terminateConnection(volumeId: string): DriverResult<void>;
  /** True when `get_volume_stats` would raise (the storage cannot be read): nothing is published. */
  readonly statsUnavailable: boolean;
  /** The capability report for the current state (`get_volume_stats(refresh=True)`). */
  getVolumeStats(): VolumeStats;
  /** Whether the volume's data is still readable (false once the backend failed). */
  hasVolume(volumeId: string): boolean;
}
