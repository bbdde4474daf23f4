/**
 * loop-lvm behind cinder-volume's VolumeDriver port: every operation answers
 * `pending` and completes when its commands have exited, delivered as an
 * event of the world (`deliver`).  Calls run one at a time, in the order
 * cinder-volume made them (tgtd's target ids and the metadata-mode loop
 * mappings are read, then written).  After each change the report is read
 * again from `vgs`/`lvs`, so `getVolumeStats` answers what LVM says now, as
 * Cinder's `_update_volume_stats` would have read it.
 */
import { performance } from 'node:perf_hooks';
import type {
  ConnectionResult,
  Connector,
  DriverErrorKind,
  DriverPending,
  DriverResult,
  DriverSnapshotRef,
  DriverVolumeRef,
  VolumeDriver,
  VolumeStats,
} from '../../sim/ports/index.js';
import type { ExportResult, LoopLvmDriver } from './driver.js';
import { LoopLvmError, type LoopLvmErrorKind } from './errors.js';

/** One driver call as it ran on the host: Cinder's operation name, wall time, and how it ended. */
export interface DriverCallRecord {
  operation: string;
  wallMs: number;
  ok: boolean;
  /** The Cinder exception class it ended with. */
  kind: DriverErrorKind | null;
}

/** Runs `fn` as an event of the world, now (the live world's pacer is woken for it). */
export type Deliver = (fn: () => void) => void;

const kinds: Record<LoopLvmErrorKind, DriverErrorKind> = {
  NotSupported: 'NotSupportedOperation',
  VolumeIsBusy: 'VolumeIsBusy',
  NotFound: 'NotFound',
  ISCSITargetCreateFailed: 'ISCSITargetCreateFailed',
  CommandFailed: 'VolumeBackendAPIException',
  Preflight: 'VolumeBackendAPIException',
  NotOurs: 'VolumeBackendAPIException',
};

/** A failure as the result Cinder's manager sees: the exception class and its message. */
export function driverFailure(e: unknown): { kind: DriverErrorKind; message: string } {
  if (e instanceof LoopLvmError) {
    const kind = kinds[e.kind];
    const message = kind === 'VolumeBackendAPIException' ? `Bad or unexpected response from the storage volume backend API: ${e.message}` : e.message;
    return { kind, message };
  }
  return { kind: 'VolumeDriverException', message: `Volume driver reported an error: ${e instanceof Error ? e.message : String(e)}` };
}

export class LoopLvmVolumeDriver implements VolumeDriver {
  private ready = true;
  private stats: VolumeStats;
  private volumes: Set<string>;
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  private readonly exported = new Map<string, ExportResult>();
  /** Every call made, in the order they completed. */
  readonly calls: DriverCallRecord[] = [];

  private constructor(
    readonly lvm: LoopLvmDriver,
    private readonly deliver: Deliver,
    state: { stats: VolumeStats; volumeIds: string[] },
  ) {
    this.stats = state.stats;
    this.volumes = new Set(state.volumeIds);
  }

  /** Puts a set-up backend behind the port, with its first report read. */
  static async open(lvm: LoopLvmDriver, deliver: Deliver): Promise<LoopLvmVolumeDriver> {
    return new LoopLvmVolumeDriver(lvm, deliver, await lvm.readState());
  }

  get initialized(): boolean {
    return this.ready;
  }

  /** The host work of do_setup was done by LoopLvmDriver.setUp before the service was built. */
  doSetup(): DriverResult<void> {
    this.ready = true;
    return { ok: true, value: undefined, latencyMs: 0 };
  }

  resetInitialized(): void {
    this.ready = false;
  }

  get statsUnavailable(): boolean {
    return !this.ready;
  }

  getVolumeStats(): VolumeStats {
    return this.stats;
  }

  hasVolume(volumeId: string): boolean {
    return this.volumes.has(volumeId);
  }

  /** A call is queued or running. */
  get busy(): boolean {
    return this.queued > 0;
  }

  /** Every queued call has completed. */
  idle(): Promise<void> {
    return this.tail;
  }

  /**
   * Queue `work` after the calls before it; its result is delivered to the
   * world once it and the report read after it (when it `changes` the VG)
   * are done.
   */
  private run<T>(operation: string, changes: boolean, work: () => Promise<T>): DriverPending<T> {
    let done: ((r: DriverResult<T>) => void) | null = null;
    let result: DriverResult<T> | null = null;
    const finish = (r: DriverResult<T>): void => {
      if (done) done(r);
      else result = r;
    };
    this.queued++;
    const step = async (): Promise<void> => {
      const started = performance.now();
      let r: DriverResult<T>;
      try {
        r = { ok: true, value: await work(), latencyMs: 0 };
      } catch (e) {
        r = { ok: false, latencyMs: 0, ...driverFailure(e) };
      }
      this.calls.push({ operation, wallMs: performance.now() - started, ok: r.ok, kind: r.ok ? null : r.kind });
      if (changes) await this.refresh();
      this.queued--;
      this.deliver(() => finish(r));
    };
    // Every failure of the work is a result above; the queue must go on whatever happens.
    this.tail = this.tail.then(step).catch(() => undefined);
    return {
      pending: true,
      onDone: (cb) => {
        if (result) cb(result);
        else done = cb;
      },
    };
  }

  /** Read the report again; a failed read keeps the last one (Cinder keeps its last stats too). */
  private async refresh(): Promise<void> {
    const started = performance.now();
    try {
      const s = await this.lvm.readState();
      this.stats = s.stats;
      this.volumes = new Set(s.volumeIds);
      this.calls.push({ operation: 'get_volume_stats', wallMs: performance.now() - started, ok: true, kind: null });
    } catch (e) {
      this.calls.push({ operation: 'get_volume_stats', wallMs: performance.now() - started, ok: false, kind: driverFailure(e).kind });
    }
  }

  createVolume(volume: DriverVolumeRef): DriverPending<void> {
    return this.run('create_volume', true, () => this.lvm.createVolume(volume));
  }

  createVolumeFromSnapshot(volume: DriverVolumeRef, snapshot: DriverSnapshotRef): DriverPending<void> {
    return this.run('create_volume_from_snapshot', true, () => this.lvm.createVolumeFromSnapshot(volume, snapshot));
  }

  createClonedVolume(volume: DriverVolumeRef, source: DriverVolumeRef): DriverPending<void> {
    return this.run('create_cloned_volume', true, () => this.lvm.createClonedVolume(volume, source));
  }

  deleteVolume(volumeId: string): DriverPending<void> {
    return this.run('delete_volume', true, async () => {
      await this.lvm.deleteVolume(volumeId);
      this.exported.delete(volumeId);
    });
  }

  extendVolume(volumeId: string, newSizeGb: number): DriverPending<void> {
    return this.run('extend_volume', true, () => this.lvm.extendVolume(volumeId, newSizeGb));
  }

  createSnapshot(snapshot: DriverSnapshotRef): DriverPending<void> {
    return this.run('create_snapshot', true, () => this.lvm.createSnapshot(snapshot));
  }

  deleteSnapshot(snapshotId: string): DriverPending<void> {
    return this.run('delete_snapshot', true, () => this.lvm.deleteSnapshot(snapshotId));
  }

  /** `create_export` (once per volume: a second attach reuses the target) and `initialize_connection`. */
  initializeConnection(volumeId: string, _connector: Connector, providerAuth: string | null): DriverPending<ConnectionResult> {
    return this.run('initialize_connection', false, async () => {
      let e = this.exported.get(volumeId);
      if (e === undefined) {
        e = await this.lvm.createExport(volumeId, providerAuth);
        this.exported.set(volumeId, e);
      }
      return {
        providerAuth: e.providerAuth,
        providerLocation: e.providerLocation,
        info: {
          driver_volume_type: 'iscsi',
          data: {
            target_discovered: false,
            target_portal: e.portal,
            target_iqn: e.iqn,
            target_lun: e.lun,
            volume_id: volumeId,
            auth_method: 'CHAP',
            auth_username: e.user,
            auth_password: e.password,
            discard: false,
          },
        },
      };
    });
  }

  /** `terminate_connection` and `remove_export`: the target goes with the last connection. */
  terminateConnection(volumeId: string): DriverPending<void> {
    return this.run('terminate_connection', false, async () => {
      if (!this.exported.has(volumeId)) return;
      await this.lvm.removeExport(volumeId);
      this.exported.delete(volumeId);
    });
  }
}
