import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../sim/engine/rng.js';
import { Workload, type WorkloadT } from '../../../sim/scenario/schema.js';
import { arrivals, drawLifetimeMs, drawOp, drawSizeGb } from '../../../sim/scenario/workload.js';

const HOUR = 3_600_000;
const wl = (arrival: unknown, extra: Record<string, unknown> = {}): WorkloadT => Workload.parse({ name: 'w', arrival, ...extra });

function times(w: WorkloadT, stopMs: number, seed = 's'): number[] {
  const a = arrivals(w, new SeededRng(seed, 'workload:w'), 0, stopMs);
  const out: number[] = [];
  for (let t = a.next(-1); t !== null; t = a.next(t)) out.push(t);
  return out;
}

describe('workload arrival processes', () => {
  it('constant: evenly spaced from the start, none at or after stop', () => {
    expect(times(wl({ process: 'constant', every: '10m' }), HOUR)).toEqual([0, 1, 2, 3, 4, 5].map((i) => i * 600_000));
  });
  it('poisson: about rate x time arrivals, increasing', () => {
    const t = times(wl({ process: 'poisson', per_hour: 600 }), 10 * HOUR);
    expect(t.length).toBeGreaterThan(5_700);
    expect(t.length).toBeLessThan(6_300);
    expect(t.every((x, i) => i === 0 || x > t[i - 1]!)).toBe(true);
  });
  it('bursts: count arrivals within spread of each burst start', () => {
    const t = times(wl({ process: 'bursts', every: '1h', count: 5, spread: '1m' }), 3 * HOUR);
    expect(t.length).toBe(15);
    expect(t.filter((x) => x >= HOUR && x <= HOUR + 60_000).length).toBe(5);
  });
  it('diurnal: more arrivals near the peak hour than near the trough', () => {
    const t = times(wl({ process: 'diurnal', peak_per_hour: 100, trough_per_hour: 5, peak_at: '14h' }), 24 * HOUR);
    const inHour = (h: number) => t.filter((x) => x >= h * HOUR && x < (h + 1) * HOUR).length;
    expect(inHour(14)).toBeGreaterThan(60);
    expect(inHour(2)).toBeLessThan(20);
  });
  it('the same seed gives the same arrivals; another seed differs', () => {
    const w = wl({ process: 'poisson', per_hour: 60 });
    expect(times(w, HOUR, 'a')).toEqual(times(w, HOUR, 'a'));
    expect(times(w, HOUR, 'a')).not.toEqual(times(w, HOUR, 'b'));
  });
});

describe('workload draws', () => {
  const rng = () => new SeededRng('s', 'workload:w');
  it('sizes stay within their distribution', () => {
    const r = rng();
    const w = wl({ process: 'constant', every: '1m' }, { size_gb: { dist: 'uniform', min: 3, max: 7 } });
    const sizes = Array.from({ length: 500 }, () => drawSizeGb(w, r));
    expect(Math.min(...sizes)).toBe(3);
    expect(Math.max(...sizes)).toBe(7);
  });
  it('lifetime forever is null; constant is exact', () => {
    expect(drawLifetimeMs(wl({ process: 'constant', every: '1m' }), rng())).toBeNull();
    expect(drawLifetimeMs(wl({ process: 'constant', every: '1m' }, { lifetime: { dist: 'constant', value: '2h' } }), rng())).toBe(2 * HOUR);
  });
  it('the op mix follows its weights', () => {
    const r = rng();
    const w = wl({ process: 'constant', every: '1m' }, { mix: { create: 3, delete: 1 } });
    const ops = Array.from({ length: 4000 }, () => drawOp(w, r));
    const creates = ops.filter((o) => o === 'create').length;
    expect(creates / ops.length).toBeGreaterThan(0.7);
    expect(creates / ops.length).toBeLessThan(0.8);
  });
});
