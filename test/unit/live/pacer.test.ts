import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../sim/engine/simulation.js';
import { WallClockPacer } from '../../../sim/live/pacer.js';

describe('WallClockPacer: the engine on the wall clock', () => {
  it('runs events in order as the wall clock reaches them, up to the bound', async () => {
    const sim = new Simulation();
    const pacer = new WallClockPacer(sim);
    const seen: number[] = [];
    sim.at(20, () => seen.push(20));
    sim.at(5, () => seen.push(5));
    sim.at(10_000, () => seen.push(10_000));
    const end = await pacer.run({ untilMs: 40, settled: () => false });
    expect(end).toMatchObject({ reason: 'until', timeMs: 40, events: 2 });
    expect(seen).toEqual([5, 20]);
    expect(sim.now).toBe(40);
  });

  it('work finished outside the world enters it as an event at the wall time it finished, and may settle the run', async () => {
    const sim = new Simulation();
    const pacer = new WallClockPacer(sim);
    let at = -1;
    setTimeout(() => pacer.deliver(() => (at = sim.now)), 15);
    const end = await pacer.run({ untilMs: 60_000, settled: () => at >= 0 });
    expect(end.reason).toBe('settled');
    expect(at).toBeGreaterThanOrEqual(0);
    expect(end.timeMs).toBeGreaterThanOrEqual(at);
    expect(end.timeMs).toBeLessThan(60_000);
  });

  it('an interrupt (SIGINT, SIGTERM) ends the run at its next look', async () => {
    const sim = new Simulation();
    const pacer = new WallClockPacer(sim);
    sim.at(60_000, () => undefined);
    setTimeout(() => pacer.interrupt(), 10);
    expect((await pacer.run({ untilMs: 120_000, settled: () => false })).reason).toBe('interrupted');
  });
});
