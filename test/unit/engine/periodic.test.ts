import { describe, expect, it } from 'vitest';
import { EagerPeriodic, LazyPeriodic } from '../../../sim/engine/periodic.js';
import { SeededRng } from '../../../sim/engine/rng.js';
import { Simulation } from '../../../sim/engine/simulation.js';
import { DEFAULT_EPOCH_MS, NodeClock } from '../../../sim/engine/clock.js';

/**
 * The lazy periodic model must answer exactly as the eager one (an event
 * per tick), including the heartbeat timestamp stamped by a skewed clock.
 */
describe('lazy periodic processes match the eager model', () => {
  it.each([1, 2, 3, 4, 5])('seed %i: random intervals, stops and queries', (seed) => {
    const rng = new SeededRng(String(seed), 'faults');
    const sim = new Simulation();
    const clock = new NodeClock('node1', sim.nowFn, DEFAULT_EPOCH_MS, { drift_ppm: rng.uniform(-5000, 5000) });
    const pairs = Array.from({ length: 20 }, () => {
      const interval = rng.int(1, 20) * 1000;
      const first = rng.int(0, 60_000);
      return { lazy: new LazyPeriodic(sim, interval, first), eager: new EagerPeriodic(sim, interval, first), stopAt: rng.chance(0.5) ? rng.int(0, 500_000) : Infinity };
    });
    for (const p of pairs) {
      if (p.stopAt !== Infinity) sim.scheduleAt(p.stopAt, () => {
        p.lazy.stop();
        p.eager.stop();
      });
    }
    sim.scheduleAt(100_000, () => clock.step(-90_000));
    const mismatches: string[] = [];
    for (let q = 0; q < 200; q++) {
      sim.scheduleAt(rng.int(0, 600_000), () => {
        for (const [i, p] of pairs.entries()) {
          const lt = p.lazy.lastTick();
          const et = p.eager.lastTick();
          const lw = lt === null ? null : clock.wallAt(lt);
          const ew = et === null ? null : clock.wallAt(et);
          if (lt !== et || p.lazy.ticks() !== p.eager.ticks() || lw !== ew) mismatches.push(`t=${sim.now} #${i}: lazy ${lt}/${p.lazy.ticks()} eager ${et}/${p.eager.ticks()}`);
        }
      });
    }
    sim.run({ untilMs: 600_000 });
    expect(mismatches).toEqual([]);
    // And the lazy model answered for past times as the eager history does.
    for (const p of pairs) for (const t of [0, 12_345, 250_000, 599_999]) expect(p.lazy.lastTick(t)).toBe(p.eager.lastTick(t));
  });

  it('an idle lazy heartbeat costs no events', () => {
    const sim = new Simulation();
    const beat = sim.periodic(10_000, 10_000, 'heartbeat');
    sim.scheduleAt(365 * 24 * 3600 * 1000, () => {});
    const end = sim.run();
    expect(end.events).toBe(1);
    expect(beat.ticks()).toBe(3_153_600);
  });

  it('refuses a zero interval and a first tick in the past', () => {
    const sim = new Simulation();
    expect(() => sim.periodic(0, 10, 'heartbeat of node1@lvm')).toThrow(/heartbeat of node1@lvm: interval must be a positive integer of ms, got 0/);
    expect(() => sim.periodic(10, Number.NaN, 'report')).toThrow(/report: first delay/);
  });
});
