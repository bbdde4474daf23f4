/**
 * What cinder-volume needs from a storage backend, modelled on Cinder's
 * VolumeDriver interface (cinder/volume/driver.py) as the LVM driver
 * implements it.  Failures are results, never exceptions.
 *
 * Every operation answers a `DriverCall`: either its result at once, with
 * the time it takes (`latencyMs`: the fake backend, which the manager
 * applies after that much virtual time), or `pending`, completed later
 * through `onDone` (a real backend, when its commands exit; `latencyMs` is
 * then the wall time it took, already passed).  Callbacks, not promises:
 * the simulated world stays a total order of events, and an answer at once
 * costs nothing more than it did.
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
  | 'NotInitialized'
  /** A request the backend cannot serve (a snapshot where LVM cannot make one): refused, never faked. */
  | 'NotSupportedOperation';

export type DriverResult<T> =
  | { ok: true; value: T; latencyMs: number }
  | { ok: false; kind: DriverErrorKind; message: string; latencyMs: number };

/**
 * A driver call not finished when it returns.  `onDone` is given one
 * callback, called exactly once, on the world's own time: a real backend
 * delivers its completion as an event of the world (never in the middle of
 * another).
 */
export interface DriverPending<T> {
  readonly pending: true;
  onDone(done: (r: DriverResult<T>) => void): void;
}

/** A driver call's answer: the result now, or pending. */
export type DriverCall<T> = DriverResult<T> | DriverPending<T>;

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
  /**
   * `do_setup` + `check_for_setup_error` (e.g. "Volume Group <vg> does not
   * exist"), answered at once: a real backend is set up (host work, a
   * preflight) before its service is built, and answers here what it found.
   */
  doSetup(): DriverResult<void>;
  /** A restarted service builds its driver anew: `initialized` is false until `doSetup` runs again. */
  resetInitialized(): void;
  createVolume(volume: DriverVolumeRef): DriverCall<void>;
  createVolumeFromSnapshot(volume: DriverVolumeRef, snapshot: DriverSnapshotRef): DriverCall<void>;
  createClonedVolume(volume: DriverVolumeRef, source: DriverVolumeRef): DriverCall<void>;
  deleteVolume(volumeId: string): DriverCall<void>;
  extendVolume(volumeId: string, newSizeGb: number): DriverCall<void>;
  createSnapshot(snapshot: DriverSnapshotRef): DriverCall<void>;
  deleteSnapshot(snapshotId: string): DriverCall<void>;
  /** Export and connect; `providerAuth` is reused when the volume already has one. */
  initializeConnection(volumeId: string, connector: Connector, providerAuth: string | null): DriverCall<ConnectionResult>;
  terminateConnection(volumeId: string): DriverCall<void>;
  /** True when `get_volume_stats` would raise (the storage cannot be read): nothing is published. */
  readonly statsUnavailable: boolean;
  /**
   * The capability report for the current state (`get_volume_stats`): the
   * fake computes it; a real backend answers the report it read (vgs/lvs)
   * after its last change.
   */
  getVolumeStats(): VolumeStats;
  /** Whether the volume's data is still readable (false once the backend failed). */
  hasVolume(volumeId: string): boolean;
}
