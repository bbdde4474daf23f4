import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../../sim/cinder/api/requests.js';
import { Cloud } from '../../../sim/cinder/cloud/build.js';
import { LiveWorld } from '../../../sim/live/world.js';

const fast = { options: { lvm_type: 'default' }, storage: { vg_size_gb: 100, latency: { base_ms: 5, per_gb_ms: 0 } } };

describe('the same services on the live world (wall clock, real timers, in-process bus)', () => {
  it('create, attach and delete a volume', async () => {
    const world = new LiveWorld(5);
    const cloud = new Cloud(
      {
        nodes: [
          { name: 'ctl', services: ['cinder-api', 'cinder-scheduler'] },
          { name: 'node1', services: ['cinder-volume'], backends: { lvm: fast } },
        ],
      },
      { ports: (n, s) => world.ports(n, s), rng: (s) => world.rng.stream(s) },
    );
    try {
      cloud.start();
      const ask = (r: Parameters<Cloud['submit']>[1]) => new Promise<Outcome>((resolve) => cloud.submit({ project_id: 'p' }, r, resolve));
      const until = async (pred: () => boolean) => {
        for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
        return pred();
      };
      expect((await ask({ verb: 'create', size: 1, name: 'v' })).ok).toBe(true);
      const status = () => cloud.snapshot().volumes[0]?.status;
      expect(await until(() => status() === 'available')).toBe(true);
      const a = await ask({ verb: 'attach', volume: 'v' });
      expect(a).toMatchObject({ ok: true, result: { connection_info: { driver_volume_type: 'iscsi' } } });
      expect((await ask({ verb: 'detach', volume: 'v' })).ok).toBe(true);
      expect((await ask({ verb: 'delete', volume: 'v' })).ok).toBe(true);
      expect(await until(() => cloud.snapshot().volumes.length === 0)).toBe(true);
    } finally {
      for (const v of cloud.volumeServices.values()) v.stop();
      for (const s of cloud.schedulers) s.stop();
      world.shutdown();
    }
  });
});
