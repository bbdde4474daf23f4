import { describe, expect, it } from 'vitest';
import { RngRoot, SeededRng } from '../../../sim/engine/rng.js';

const draw = (r: { next(): number }, n: number) => Array.from({ length: n }, () => r.next());

describe('named random streams', () => {
  it('the same seed and name replay the same numbers', () => {
    expect(draw(new RngRoot('7').stream('workload'), 20)).toEqual(draw(new RngRoot('7').stream('workload'), 20));
  });

  it('another seed gives other numbers', () => {
    expect(draw(new RngRoot('7').stream('workload'), 5)).not.toEqual(draw(new RngRoot('8').stream('workload'), 5));
  });

  it('opening another stream never shifts an existing one', () => {
    const a = new RngRoot('7');
    const w1 = a.stream('workload');
    const first = draw(w1, 3);
    draw(a.stream('net'), 100);
    draw(a.stream('node:node1'), 100);
    const rest = draw(w1, 3);
    const b = new RngRoot('7').stream('workload');
    expect([...first, ...rest]).toEqual(draw(b, 6));
  });

  it('an unknown stream name is refused with the valid names', () => {
    expect(() => new RngRoot('1').stream('wrokload', 'scenario loader')).toThrow(/scenario loader: unknown random stream 'wrokload'; valid: workload, net, faults/);
    expect(() => new RngRoot('1').stream('node:')).toThrow(/unknown random stream 'node:'/);
  });
});

describe('distributions', () => {
  const n = 20_000;
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = (xs: number[]) => {
    const m = mean(xs);
    return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
  };
  const r = () => new SeededRng('dist', 'workload');

  it('uniform int covers its inclusive range', () => {
    const g = r();
    const xs = Array.from({ length: n }, () => g.int(1, 6));
    expect(new Set(xs)).toEqual(new Set([1, 2, 3, 4, 5, 6]));
    expect(mean(xs)).toBeCloseTo(3.5, 1);
  });
  it('exponential has the requested mean', () => {
    const g = r();
    expect(mean(Array.from({ length: n }, () => g.exponential(1000)))).toBeGreaterThan(970);
    expect(mean(Array.from({ length: n }, () => g.exponential(1000)))).toBeLessThan(1030);
  });
  it('normal has the requested mean and deviation', () => {
    const g = r();
    const xs = Array.from({ length: n }, () => g.normal(50, 10));
    expect(mean(xs)).toBeCloseTo(50, 0);
    expect(sd(xs)).toBeCloseTo(10, 0);
  });
  it('lognormal has median e^mu', () => {
    const g = r();
    const xs = Array.from({ length: n }, () => g.lognormal(Math.log(100), 0.5)).sort((a, b) => a - b);
    expect(xs[n / 2]!).toBeGreaterThan(95);
    expect(xs[n / 2]!).toBeLessThan(105);
  });
  it('weighted choice follows the weights, and zero weight is never chosen', () => {
    const g = r();
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < n; i++) counts[g.weighted([{ value: 'a' as const, weight: 1 }, { value: 'b' as const, weight: 3 }, { value: 'c' as const, weight: 0 }])]++;
    expect(counts.c).toBe(0);
    expect(counts.b / n).toBeCloseTo(0.75, 1);
  });
  it('empirical tables return only their values', () => {
    const g = r();
    const xs = Array.from({ length: 1000 }, () => g.empirical([{ value: 10, p: 0.5 }, { value: 100, p: 0.5 }]));
    expect(new Set(xs)).toEqual(new Set([10, 100]));
  });
  it('bad parameters name the stream', () => {
    expect(() => r().exponential(0)).toThrow(/rng 'workload'.exponential: mean must be > 0, got 0/);
    expect(() => r().int(5, 1)).toThrow(/rng 'workload'.int/);
    expect(() => r().weighted([{ value: 1, weight: 0 }])).toThrow(/at least one positive weight/);
  });
});
