import { describe, expect, it } from 'vitest';
import { DEFAULT_EPOCH_MS, NodeClock } from '../../../sim/engine/clock.js';
import { Simulation } from '../../../sim/engine/simulation.js';

function setup(spec: ConstructorParameters<typeof NodeClock>[3] = {}) {
  const sim = new Simulation();
  const clock = new NodeClock('node3', sim.nowFn, DEFAULT_EPOCH_MS, spec);
  const advance = (ms: number) => {
    sim.schedule(ms, () => {});
    sim.run();
  };
  return { sim, clock, advance };
}

describe('node clocks', () => {
  it('an ideal clock reads epoch + virtual time', () => {
    const { clock, advance } = setup();
    advance(1234);
    expect(clock.monoNow()).toBe(1234);
    expect(clock.wallNow()).toBe(DEFAULT_EPOCH_MS + 1234);
  });

  it('a fixed offset puts one node two minutes behind another', () => {
    const { clock } = setup({ offset_ms: -120_000 });
    expect(clock.wallNow() - DEFAULT_EPOCH_MS).toBe(-120_000);
  });

  it('drift accumulates in ppm of elapsed time', () => {
    const { clock, advance } = setup({ drift_ppm: 500 });
    advance(3_600_000);
    expect(clock.offsetAt(3_600_000)).toBeCloseTo(1800, 6);
  });

  it('a step jumps the clock and the past stays answerable', () => {
    const { clock, advance } = setup();
    advance(10_000);
    clock.step(-90_000);
    advance(5_000);
    expect(clock.offsetAt(5_000)).toBe(0);
    expect(clock.offsetAt(15_000)).toBe(-90_000);
    expect(clock.wallAt(5_000)).toBe(DEFAULT_EPOCH_MS + 5_000);
  });

  it('NTP slew pulls the offset back at its rate, then holds zero despite drift', () => {
    const { clock, advance } = setup({ offset_ms: -1000, drift_ppm: 100, ntp: { mode: 'slew', rate_ppm: 500 } });
    // 1000 ms at 500 ppm takes 2,000,000 ms.
    advance(1_000_000);
    expect(clock.offsetAt(1_000_000)).toBeCloseTo(-500, 9);
    advance(1_000_000);
    expect(clock.offsetAt(2_000_000)).toBeCloseTo(0, 9);
    advance(1_000_000);
    expect(clock.offsetAt(3_000_000)).toBe(0);
  });

  it('NTP broken lets drift run; NTP fixed in step mode zeroes it', () => {
    const { clock, advance } = setup({ ntp: { mode: 'step' } });
    advance(1000);
    clock.setNtp({ mode: 'off' });
    clock.setDrift(-20_000);
    advance(5_000_000);
    expect(clock.offsetAt(5_001_000)).toBeCloseTo(-100_000, 6);
    clock.setNtp({ mode: 'step' });
    expect(clock.offsetAt(5_001_000)).toBe(0);
    expect(clock.offsetAt(3_001_000)).toBeCloseTo(-60_000, 6);
  });

  it('rejects a non-finite offset, naming the node', () => {
    expect(() => setup({ offset_ms: Number.NaN })).toThrow(/clock of node 'node3': offset_ms must be a finite number, got NaN/);
    const { clock } = setup();
    expect(() => clock.setNtp({ mode: 'slew', rate_ppm: 0 })).toThrow(/node3.*slew rate must be > 0 ppm, got 0/);
  });
});
