import { describe, expect, it } from 'vitest';
import { FakeVolumeDriver } from '../../../drivers/fake/driver.js';
import type { BackendSpec } from '../../../sim/cinder/cloud/spec.js';
import type { Timers } from '../../../sim/ports/clock.js';
import type {
  ConnectionResult,
  Connector,
  DriverPending,
  DriverResult,
  DriverSnapshotRef,
  DriverVolumeRef,
  VolumeDriver,
  VolumeStats,
} from '../../../sim/ports/volume-driver.js';
import { SeededRng } from '../../../sim/engine/rng.js';
import { SimulatedCloud } from '../../../sim/harness/simulated-cloud.js';
import { alice, backend, idOf, okResult, req, volume } from './fixtures.js';

/**
 * cinder-volume over a driver whose every call answers `pending` (as a real
 * backend does) and completes `delayMs` of virtual time later: the flows
 * end as with the fake's answers at once, and a crash drops what is pending.
 */
class PendingDriver implements VolumeDriver {
  timers: Timers | null = null;
  constructor(
    readonly inner: FakeVolumeDriver,
    private readonly delayMs: number,
  ) {}

  private later<T>(r: DriverResult<T>): DriverPending<T> {
    let done: ((r: DriverResult<T>) => void) | null = null;
    let result: DriverResult<T> | null = null;
    this.timers!.after(this.delayMs + r.latencyMs, () => {
      const out = { ...r, latencyMs: 0 };
      if (done) done(out);
      else result = out;
    });
    return { pending: true, onDone: (cb) => (result ? cb(result) : (done = cb)) };
  }

  get initialized(): boolean {
    return this.inner.initialized;
  }
  get statsUnavailable(): boolean {
    return this.inner.statsUnavailable;
  }
  doSetup(): DriverResult<void> {
    return this.inner.doSetup();
  }
  resetInitialized(): void {
    this.inner.resetInitialized();
  }
  getVolumeStats(): VolumeStats {
    return this.inner.getVolumeStats();
  }
  hasVolume(id: string): boolean {
    return this.inner.hasVolume(id);
  }
  createVolume(v: DriverVolumeRef) {
    return this.later(this.inner.createVolume(v));
  }
  createVolumeFromSnapshot(v: DriverVolumeRef, s: DriverSnapshotRef) {
    return this.later(this.inner.createVolumeFromSnapshot(v, s));
  }
  createClonedVolume(v: DriverVolumeRef, src: DriverVolumeRef) {
    return this.later(this.inner.createClonedVolume(v, src));
  }
  deleteVolume(id: string) {
    return this.later(this.inner.deleteVolume(id));
  }
  extendVolume(id: string, gb: number) {
    return this.later(this.inner.extendVolume(id, gb));
  }
  createSnapshot(s: DriverSnapshotRef) {
    return this.later(this.inner.createSnapshot(s));
  }
  deleteSnapshot(id: string) {
    return this.later(this.inner.deleteSnapshot(id));
  }
  initializeConnection(id: string, c: Connector, auth: string | null): DriverPending<ConnectionResult> {
    return this.later(this.inner.initializeConnection(id, c, auth));
  }
  terminateConnection(id: string) {
    return this.later(this.inner.terminateConnection(id));
  }
}

function pendingCloud(delayMs: number, snapshots: boolean): { sc: SimulatedCloud; driver: PendingDriver } {
  let driver: PendingDriver | null = null;
  const b = backend({ lvm_type: 'default', vg_size_gb: 10, snapshot_support: snapshots, volume_backend_name: 'lvm' });
  const sc = new SimulatedCloud(
    {
      nodes: [
        { name: 'ctl', services: ['cinder-api', 'cinder-scheduler'] },
        { name: 'node1', services: ['cinder-volume'], backends: { lvm: { ...b, real: { driver: 'loop-lvm', backing_file_gb: 10, mode: snapshots ? 'full' : 'metadata' } } } },
      ],
    },
    {
      seed: 3,
      realDriver: (ref) => {
        const spec: BackendSpec = ref.backend;
        driver = new PendingDriver(new FakeVolumeDriver(spec.storage, spec.options, new SeededRng('t', 'pending'), 'node1'), delayMs);
        return driver;
      },
    },
  );
  driver!.timers = sc.world.sim;
  sc.run({ untilMs: 61_000 });
  return { sc, driver: driver! };
}

describe('cinder-volume over a driver that answers pending', () => {
  it('create, extend, snapshot, attach (the reply waits for the export), detach, delete', () => {
    const { sc } = pendingCloud(3_000, true);
    expect(sc.cloud.realDrivers.has('node1@lvm')).toBe(true);
    expect(sc.cloud.drivers.has('node1@lvm')).toBe(false);
    req(sc, alice, { verb: 'create', size: 1, name: 'v' }, 0);
    expect(volume(sc, 'v').status).toBe('creating');
    sc.run({ untilMs: sc.nowMs + 5_000 });
    expect(volume(sc, 'v')).toMatchObject({ status: 'available', host: 'node1@lvm#lvm' });
    okResult(req(sc, alice, { verb: 'extend', volume: 'v', new_size: 2 }));
    expect(volume(sc, 'v')).toMatchObject({ status: 'available', size: 2 });
    okResult(req(sc, alice, { verb: 'snapshot-create', volume: 'v', name: 's' }));
    expect(sc.cloud.snapshot().snapshots.find((s) => s.display_name === 's')?.status).toBe('available');
    const attached = req(sc, alice, { verb: 'attach', volume: 'v', host: 'compute1' });
    const ci = okResult<{ connection_info: { data: { target_iqn: string } } }>(attached);
    expect(ci.connection_info.data.target_iqn).toBe(`iqn.2010-10.org.openstack:volume-${volume(sc, 'v').id}`);
    // The API's answer came after the driver's export, not before.
    expect(attached.answeredAtMs - attached.atMs).toBeGreaterThanOrEqual(3_000);
    expect(volume(sc, 'v').status).toBe('in-use');
    okResult(req(sc, alice, { verb: 'detach', volume: 'v' }));
    okResult(req(sc, alice, { verb: 'snapshot-delete', snapshot: idOf(sc, 'snapshots', 's') }));
    const id = volume(sc, 'v').id;
    okResult(req(sc, alice, { verb: 'delete', volume: 'v' }));
    expect(sc.view.statusOf(id)).toBe('deleted');
    expect(sc.cloud.pools()).toMatchObject([{ backend: 'node1@lvm', free_capacity_gb: 10, allocated_capacity_gb: 0 }]);
  });

  it('a snapshot the backend cannot make fails with its reason logged', () => {
    const { sc } = pendingCloud(500, false);
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    okResult(req(sc, alice, { verb: 'snapshot-create', volume: 'v', name: 's' }));
    expect(sc.cloud.snapshot().snapshots.find((s) => s.display_name === 's')?.status).toBe('error');
    expect(sc.world.log.records.some((r) => r.level === 'error' && /create failed: snapshot .* is not supported/.test(r.message))).toBe(true);
  });

  it('a crash while a call is pending drops its completion; the next start sets the volume to error', () => {
    const { sc } = pendingCloud(30_000, true);
    req(sc, alice, { verb: 'create', size: 1, name: 'v' }, 1_000);
    const svc = sc.cloud.service({ binary: 'cinder-volume', host: 'node1@lvm' });
    svc.crash();
    sc.run({ untilMs: sc.nowMs + 60_000 });
    expect(volume(sc, 'v').status).toBe('creating');
    svc.start();
    expect(volume(sc, 'v').status).toBe('error');
  });

  it('a fault cannot act on a real backend', () => {
    const { sc } = pendingCloud(10, true);
    expect(() => sc.cloud.failBackend('node1@lvm')).toThrow(/node1@lvm is a real backend \(loop-lvm\): a backend_failure fault cannot act on it/);
  });
});
