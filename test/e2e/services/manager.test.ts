import { describe, expect, it } from 'vitest';
import { SimulatedCloud } from '../../../sim/harness/simulated-cloud.js';
import { alice, backend, cloud, okResult, req, volume } from './fixtures.js';

const thick = (extra: Record<string, unknown> = {}) => ({ lvm_type: 'default' as const, vg_size_gb: 100, ...extra });

describe('cinder-volume manager: statuses on driver success and failure', () => {
  it('a failing backend is retried scheduler_max_attempts times; without IgnoreAttemptedHostsFilter it is picked again', () => {
    const sc = cloud([{ name: 'node1', backends: { lvm: thick({ failure: { probability: 1 } }) } }, { name: 'node2', backends: { lvm: thick({ vg_size_gb: 99 }) } }]);
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    const v = volume(sc, 'v');
    expect(v).toMatchObject({ status: 'error', host: null });
    const d = sc.cloud.snapshot().decisions.filter((x) => x.resource === v.id);
    expect(d.map((x) => x.chosen)).toEqual(['node1@lvm#LVM', 'node1@lvm#LVM', 'node1@lvm#LVM', null]);
    expect(d.at(-1)!.reason).toBe(`No valid backend was found. Exceeded max scheduling attempts 3 for resource ${v.id}`);
    // Each reschedule gave the allocation back.
    expect(sc.cloud.volumeServices.get('node1@lvm')!.allocated().get('LVM')).toBe(0);
  });

  it('with IgnoreAttemptedHostsFilter the reschedule lands on the other backend', () => {
    const filters = ['AvailabilityZoneFilter', 'CapacityFilter', 'CapabilitiesFilter', 'IgnoreAttemptedHostsFilter'];
    const sc = cloud([{ name: 'node1', backends: { lvm: thick({ failure: { probability: 1 } }) } }, { name: 'node2', backends: { lvm: thick({ vg_size_gb: 99 }) } }], {
      controllerDefaults: { scheduler_default_filters: filters },
    });
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    expect(volume(sc, 'v')).toMatchObject({ status: 'available', host: 'node2@lvm#LVM' });
  });

  it('scheduler_max_attempts=1: no reschedule, the volume stays on its backend in error and keeps its allocation', () => {
    const sc = cloud([{ name: 'node1', backends: { lvm: thick({ failure: { probability: 1 } }) } }], { controllerDefaults: { scheduler_max_attempts: 1 } });
    req(sc, alice, { verb: 'create', size: 4, name: 'v' });
    expect(volume(sc, 'v')).toMatchObject({ status: 'error', host: 'node1@lvm#LVM' });
    expect(sc.cloud.volumeServices.get('node1@lvm')!.allocated().get('LVM')).toBe(4);
    sc.cloud.drivers.get('node1@lvm')!.spec.failure.probability = 0;
    okResult(req(sc, alice, { verb: 'delete', volume: 'v' }));
    expect(sc.cloud.volumeServices.get('node1@lvm')!.allocated().get('LVM')).toBe(0);
  });

  // A create in flight when the service goes away: a crash loses it; a graceful stop (SIGTERM) lets it finish
  // within graceful_shutdown_timeout (60 s) and abandons it after.  What was lost is set to error by the next start.
  it.each([
    ['crash', 30_000, 'creating', 'error'],
    ['stop', 30_000, 'available', 'available'],
    ['stop', 90_000, 'creating', 'error'],
  ] as const)('%s with a create taking %i ms: %s while down, %s after the next start', (action, latencyMs, whileDown, afterStart) => {
    const sc = cloud([{ name: 'node1', backends: { lvm: thick({ latency: { base_ms: latencyMs, per_gb_ms: 0 } }) } }]);
    req(sc, alice, { verb: 'create', size: 1, name: 'v' }, 1_000);
    const svc = sc.cloud.service({ binary: 'cinder-volume', host: 'node1@lvm' });
    svc[action]();
    sc.run({ untilMs: sc.nowMs + 120_000 });
    expect(volume(sc, 'v').status).toBe(whileDown);
    const rows = okResult<{ host: string; state: string }[]>(req(sc, alice, { verb: 'service-list', binary: 'cinder-volume' }, 0));
    expect(rows).toMatchObject([{ host: 'node1@lvm', state: 'down' }]);
    svc.start();
    expect(volume(sc, 'v').status).toBe(afterStart);
  });

  it('a restart recounts allocated_capacity_gb from available and in-use volumes only', () => {
    const sc = cloud([{ name: 'node1', backends: { lvm: thick() } }], { controllerDefaults: { scheduler_max_attempts: 1 } });
    req(sc, alice, { verb: 'create', size: 3, name: 'a' });
    sc.cloud.drivers.get('node1@lvm')!.spec.failure.probability = 1;
    req(sc, alice, { verb: 'create', size: 5, name: 'b' });
    expect(volume(sc, 'b').status).toBe('error');
    expect(sc.cloud.volumeServices.get('node1@lvm')!.allocated().get('LVM')).toBe(8);
    sc.cloud.service({ binary: 'cinder-volume', host: 'node1@lvm' }).restart();
    expect(sc.cloud.volumeServices.get('node1@lvm')!.allocated().get('LVM')).toBe(3);
  });

  it('a restart with the VG gone keeps the service down (driver not initialised)', () => {
    const sc = cloud([{ name: 'node1', backends: { lvm: thick() } }]);
    sc.cloud.failBackend('node1@lvm');
    sc.cloud.service({ binary: 'cinder-volume', host: 'node1@lvm' }).restart();
    sc.run({ untilMs: sc.nowMs + 120_000 });
    const rows = okResult<{ host: string; state: string }[]>(req(sc, alice, { verb: 'service-list', binary: 'cinder-volume' }));
    expect(rows).toMatchObject([{ host: 'node1@lvm', state: 'down' }]);
    expect(sc.world.log.records.some((l) => l.message.includes('not sending heartbeat'))).toBe(true);
  });

  it('a volume from an image takes the image copy time and checks size against image size and min_disk', () => {
    const sc = new SimulatedCloud(
      {
        nodes: [
          { name: 'ctl', services: ['cinder-api', 'cinder-scheduler'] },
          { name: 'node1', services: ['cinder-volume'], backends: { lvm: backend(thick()) } },
        ],
        images: [{ id: 'cirros', size_bytes: 2.5 * 1024 ** 3, min_disk: 4 }],
      },
      { seed: 3 },
    );
    sc.run({ untilMs: 61_000 });
    expect(req(sc, alice, { verb: 'create', size: 2, image_id: 'cirros' }, 0)).toMatchObject({ ok: false, message: 'Invalid input received: Size of specified image 3GB is larger than volume size 2GB.' });
    expect(req(sc, alice, { verb: 'create', size: 3, image_id: 'cirros' }, 0)).toMatchObject({ ok: false, message: 'Invalid input received: Volume size 3GB cannot be smaller than the image minDisk size 4GB.' });
    req(sc, alice, { verb: 'create', size: 4, image_id: 'cirros', name: 'boot' }, 20_000);
    expect(volume(sc, 'boot')).toMatchObject({ status: 'creating' });
    sc.run({ untilMs: sc.nowMs + 10_000 });
    expect(volume(sc, 'boot')).toMatchObject({ status: 'available', bootable: true });
  });

  it('a multiattach type lets a second host attach; a plain one refuses', () => {
    const sc = cloud([{ name: 'node1', backends: { lvm: thick() } }]);
    okResult(req(sc, { project_id: 'admin' }, { verb: 'type-create', name: 'shared' }));
    okResult(req(sc, { project_id: 'admin' }, { verb: 'type-key', vtype: 'shared', action: 'set', specs: { multiattach: '<is> True' } }));
    req(sc, alice, { verb: 'create', size: 1, name: 'm', volume_type: 'shared' });
    req(sc, alice, { verb: 'create', size: 1, name: 'p' });
    okResult(req(sc, alice, { verb: 'attach', volume: 'm', host: 'c1' }));
    okResult(req(sc, alice, { verb: 'attach', volume: 'm', host: 'c2' }));
    okResult(req(sc, alice, { verb: 'attach', volume: 'p', host: 'c1' }));
    expect(req(sc, alice, { verb: 'attach', volume: 'p', host: 'c2' })).toMatchObject({ ok: false, message: 'Invalid volume: Volume status must be available to reserve, but the status is in-use.' });
    okResult(req(sc, alice, { verb: 'detach', volume: 'm' }));
    expect(volume(sc, 'm')).toMatchObject({ status: 'in-use', multiattach: true });
  });
});

describe('invariants and determinism', () => {
  it('a broken invariant stops the run with the seed', () => {
    const sc = cloud([{ name: 'node1', backends: { lvm: thick() } }], { checkEveryMs: 10_000 });
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    // Corrupt the state behind the services' back: the volume's data vanishes from its backend.
    sc.cloud.drivers.get('node1@lvm')!.deleteVolume(volume(sc, 'v').id);
    const end = sc.run({ untilMs: sc.nowMs + 60_000 });
    expect(end.violation).toMatchObject({ seed: '7', message: `volume ${volume(sc, 'v').id} is available on node1@lvm#LVM but the backend has no such volume` });
    expect(end.reason).toBe('stopped');
  });

  it('the same seed gives the same outcomes, byte for byte', () => {
    const run = () => {
      const sc = cloud([{ name: 'node1' }, { name: 'node2' }], { seed: 'abc' });
      for (let i = 0; i < 5; i++) sc.submit(sc.nowMs + i * 1000, alice, { verb: 'create', size: i + 1, name: `v${i}` });
      sc.submit(sc.nowMs + 6000, alice, { verb: 'snapshot-create', volume: 'v1' });
      sc.submit(sc.nowMs + 7000, alice, { verb: 'transfer-create', volume: 'v2' });
      sc.run({ untilMs: sc.nowMs + 200_000 });
      return JSON.stringify({ o: sc.cloud.outcomes, s: sc.cloud.snapshot() });
    };
    expect(run()).toBe(run());
  });

  it('heartbeats and periodic reports cost no events over a simulated day', () => {
    const sc = cloud(Array.from({ length: 20 }, (_, i) => ({ name: `n${i}` })));
    const before = sc.world.sim.eventsProcessed;
    sc.run({ untilMs: 86_400_000 });
    expect(sc.world.sim.eventsProcessed - before).toBeLessThan(10);
    const rows = okResult<{ state: string }[]>(req(sc, alice, { verb: 'service-list', binary: 'cinder-volume' }));
    expect(rows.every((r) => r.state === 'up')).toBe(true);
  });
});

describe('cinder-scheduler start-up (cinder/scheduler/manager.py init_host_with_rpc, _wait_for_scheduler)', () => {
  it('a restarted scheduler forgets its state, asks for reports, and holds creates until every up backend has reported', () => {
    const sc = cloud([{ name: 'node1' }, { name: 'node2' }]);
    const sched = { binary: 'cinder-scheduler' as const, host: 'ctl' };
    sc.cloud.service(sched).restart();
    expect(sc.cloud.schedulers[0]!.hostManager.pools()).toEqual([]);
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    expect(volume(sc, 'v').status).toBe('available');
  });

  it('a backend that never reports delays creates by scheduler_driver_init_wait_time, then the create goes ahead', () => {
    const sc = cloud([{ name: 'node1' }, { name: 'node2' }], { controllerDefaults: { scheduler_driver_init_wait_time: 5 } });
    // node2's stats can no longer be read: it heartbeats but publishes nothing.
    sc.cloud.failBackend('node2@lvm');
    sc.cloud.service({ binary: 'cinder-scheduler', host: 'ctl' }).restart();
    const o = req(sc, alice, { verb: 'create', size: 1, name: 'v' }, 0);
    expect(o.ok).toBe(true);
    sc.run({ untilMs: sc.nowMs + 3_000 });
    expect(volume(sc, 'v')).toMatchObject({ status: 'creating', host: null });
    sc.run({ untilMs: sc.nowMs + 5_000 });
    expect(volume(sc, 'v')).toMatchObject({ status: 'available', host: 'node1@lvm#LVM' });
  });
});
