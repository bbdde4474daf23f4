import { describe, expect, it } from 'vitest';
import { SimulatedCloud } from '../../../sim/harness/simulated-cloud.js';
import { defaultShortcuts } from '../../../sim/cinder/shortcuts.js';
import { admin, alice, cloud, okResult, req, volume } from './fixtures.js';

function twoBackendCloud(eagerReports: boolean): SimulatedCloud {
  return new SimulatedCloud(
    {
      nodes: [
        { name: 'ctl', services: ['cinder-api', 'cinder-scheduler'], DEFAULT: { quota_volumes: 1000, service_down_time: 600 } as never },
        { name: 'node1', services: ['cinder-volume'], backends: { lvm: { options: { lvm_type: 'default' }, storage: { vg_size_gb: 500, latency: { base_ms: 20_000, per_gb_ms: 0 } } } } },
        { name: 'node2', services: ['cinder-volume'], backends: { lvm: { options: { lvm_type: 'thin' }, storage: { vg_size_gb: 500, latency: { base_ms: 20_000, per_gb_ms: 0 } } } } },
      ],
    },
    { seed: 11, shortcuts: { ...defaultShortcuts, lazyReports: !eagerReports } },
  );
}

/**
 * What the scheduler holds for every pool, as a scheduling call now would
 * find it: the numbers and the stamp they carry.  (Between calls the lazy
 * model has not pulled its reports yet, and a just-started host manager
 * refreshes at each eager report: only a call makes the two comparable.)
 */
function schedulerView(sc: SimulatedCloud) {
  const scheduler = sc.cloud.schedulers[0]!;
  scheduler.refreshNow();
  return scheduler.hostManager.pools().map((p) => ({ ...p.snapshot(), updated: p.updatedWallMs }));
}

describe('capability reports: lazy periodic model = eager model', () => {
  it('gives the scheduler the same pool states through creates, deletes, extends, snapshots, capacity change, backend failure, a clock step and a restart', () => {
    const runs = [twoBackendCloud(false), twoBackendCloud(true)].map((sc) => {
      const views: unknown[] = [];
      for (let i = 0; i < 30; i++) {
        const t = 500 + i * 37_300;
        sc.submit(t, alice, { verb: 'create', size: 5 + (i % 7), name: `v${i}` });
        if (i % 3 === 2) sc.submit(t + 20_100, alice, { verb: 'delete', volume: `v${i - 1}` });
        if (i % 4 === 1) sc.submit(t + 25_300, alice, { verb: 'extend', volume: `v${i}`, new_size: 20 });
        if (i % 5 === 3) sc.submit(t + 27_700, alice, { verb: 'snapshot-create', volume: `v${i}` });
        sc.at(t + 30_700, () => views.push(schedulerView(sc)));
      }
      sc.at(400_250, () => sc.clock('node2').step(-150_000));
      sc.at(300_333, () => sc.cloud.setBackendCapacity('node1@lvm', 800));
      sc.at(500_444, () => sc.cloud.failBackend('node1@lvm'));
      sc.at(650_555, () => sc.cloud.recoverBackend('node1@lvm'));
      sc.at(700_111, () => sc.cloud.service({ binary: 'cinder-volume', host: 'node1@lvm' }).stop());
      sc.at(760_222, () => sc.cloud.service({ binary: 'cinder-volume', host: 'node1@lvm' }).start());
      sc.run({ untilMs: 1_200_000 });
      const ignored = sc.world.log.records.filter((l) => l.message === 'Ignoring old capability report from node2@lvm.').length;
      return { views, outcomes: sc.cloud.outcomes.map((o) => o.ok), ignored };
    });
    expect(runs[0]!.outcomes).toEqual(runs[1]!.outcomes);
    expect(runs[0]!.views).toEqual(runs[1]!.views);
    expect(runs[0]!.views.length).toBe(30);
    // The step makes node2's reports look old, in both models.
    expect(runs[0]!.ignored).toBeGreaterThan(0);
    expect(runs[1]!.ignored).toBe(runs[0]!.ignored);
  });

  it('reports come every periodic_interval, never faster than it, after a fuzzy start', () => {
    const sc = cloud([{ name: 'node1', DEFAULT: { periodic_interval: 60, backend_stats_polling_interval: 90 } }]);
    const pool = () => sc.cloud.schedulers[0]!.hostManager.pools()[0]!;
    sc.cloud.setBackendCapacity('node1@lvm', 300);
    req(sc, admin, { verb: 'get-pools' }, 0);
    expect(pool().snapshot().total_capacity_gb).toBe(100);
    // spacing 90 over a 60 s timer: one report every 120 s.
    sc.run({ untilMs: sc.nowMs + 121_000 });
    req(sc, admin, { verb: 'get-pools' }, 0);
    expect(pool().snapshot().total_capacity_gb).toBe(300);
  });

  it('a volume clock behind the scheduler freezes pool stats after a placement (surprise #4)', () => {
    const sc = cloud([{ name: 'node1', clock: { offset_ms: -300_000 } , DEFAULT: { service_down_time: 600 } }], { controllerDefaults: { service_down_time: 600 } });
    req(sc, alice, { verb: 'create', size: 10, name: 'a' });
    expect(volume(sc, 'a').status).toBe('available');
    okResult(req(sc, alice, { verb: 'delete', volume: 'a' }));
    // Deletes free space on the backend, but every report is stamped before the consume: ignored.
    sc.run({ untilMs: sc.nowMs + 200_000 });
    req(sc, admin, { verb: 'get-pools' }, 0);
    const pool = sc.cloud.schedulers[0]!.hostManager.pools()[0]!;
    expect(pool.snapshot().free_capacity_gb).toBe(90);
    expect(sc.cloud.snapshot().pools[0]!.free_capacity_gb).toBe(100);
    expect(sc.world.log.records.some((l) => l.message === 'Ignoring old capability report from node1@lvm.')).toBe(false);
  });
});

describe('the periodic task gate (oslo_service periodic_task.run_periodic_tasks)', () => {
  /** Log the ticks the gate lets through from now on (the pulls the scheduler sees are compressed). */
  const logGate = (sc: SimulatedCloud): number[] => {
    const log: number[] = [];
    [...sc.cloud.volumeServices.values()][0]!.reports.traceGate(log);
    return log;
  };
  const gaps = (sc: SimulatedCloud, log: number[], fromMs: number, toMs: number): Record<number, number> => {
    sc.cloud.directory.capabilitySources()[0]!.periodicReports(fromMs, toMs, () => undefined);
    const at = log.filter((t) => t > fromMs && t <= toMs);
    const out: Record<number, number> = {};
    for (let i = 1; i < at.length; i++) {
      const g = (at[i]! - at[i - 1]!) / 1000;
      out[g] = (out[g] ?? 0) + 1;
    }
    return out;
  };

  it('reports every periodic_interval, about 2 % of gaps twice that (the 5 % jitter)', () => {
    const sc = cloud([{ name: 'node1' }]);
    const log = logGate(sc);
    sc.run({ untilMs: 30 * 86_400_000 });
    const g = gaps(sc, log, 0, sc.nowMs);
    expect(Object.keys(g).sort()).toEqual(['120', '60']);
    const share = g[120]! / (g[60]! + g[120]!);
    expect(share).toBeGreaterThan(0.01);
    expect(share).toBeLessThan(0.03);
  });

  it('a wall clock stepped back pauses the reports for as long as the step', () => {
    const sc = cloud([{ name: 'node1' }]);
    const log = logGate(sc);
    const t0 = sc.nowMs;
    sc.clock('node1').step(-600_000);
    sc.run({ untilMs: t0 + 3_600_000 });
    const g = gaps(sc, log, t0 - 120_000, sc.nowMs);
    expect(Math.max(...Object.keys(g).map(Number))).toBeGreaterThanOrEqual(600);
  });
});
