import seedrandom from 'seedrandom';
import type { Rng } from '../ports/rng.js';
import { EngineMisuse } from './errors.js';

/**
 * A named stream: seedrandom's alea generator seeded from the root seed and
 * the stream's full name, so streams never share state and adding one never
 * shifts another.
 */
export class SeededRng implements Rng {
  /**
   * Alea's state [s0, s1, s2, c], stepped here rather than through
   * seedrandom's closure: the same doubles in the same order, in unboxed
   * slots and without two calls per draw (the periodic-task gate draws half
   * a billion times in a year-long run).
   */
  private readonly alea = new Float64Array(4);
  private spareNormal: number | undefined;

  constructor(
    private readonly rootSeed: string,
    readonly name: string,
  ) {
    const seeded = seedrandom.alea(`${rootSeed}/${name}`, { state: true }).state();
    this.alea.set([seeded.s0, seeded.s1, seeded.s2, seeded.c]);
  }

  /** seedrandom's Alea.next, step for step (0 <= t < 2^21, so Math.trunc is its `t | 0`, without a round trip through an int32). */
  next(): number {
    const a = this.alea;
    const t = 2091639 * a[0]! + a[3]! * 2.3283064365386963e-10; // 2^-32
    const c = Math.trunc(t);
    a[0] = a[1]!;
    a[1] = a[2]!;
    a[3] = c;
    return (a[2] = t - c);
  }

  int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new EngineMisuse(`rng '${this.name}'.int`, `needs integers min <= max, got [${min}, ${max}]`);
    }
    return min + Math.floor(this.next() * (max - min + 1));
  }

  uniform(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  exponential(mean: number): number {
    if (!(mean > 0)) throw new EngineMisuse(`rng '${this.name}'.exponential`, `mean must be > 0, got ${mean}`);
    return -mean * Math.log(1 - this.next());
  }

  normal(mean: number, stddev: number): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + stddev * z;
    }
    // Box-Muller; the second variate is kept for the next call.
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + stddev * r * Math.cos(2 * Math.PI * v);
  }

  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  weighted<T>(items: readonly { value: T; weight: number }[]): T {
    let total = 0;
    for (const it of items) {
      if (!(it.weight >= 0)) throw new EngineMisuse(`rng '${this.name}'.weighted`, `weights must be >= 0, got ${it.weight}`);
      total += it.weight;
    }
    if (!(total > 0)) throw new EngineMisuse(`rng '${this.name}'.weighted`, 'needs at least one positive weight');
    let x = this.next() * total;
    for (const it of items) {
      x -= it.weight;
      if (x < 0) return it.value;
    }
    return items[items.length - 1]!.value;
  }

  empirical(table: readonly { value: number; p: number }[]): number {
    return this.weighted(table.map((r) => ({ value: r.value, weight: r.p })));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  fork(name: string): Rng {
    return new SeededRng(this.rootSeed, `${this.name}/${name}`);
  }
}

/** Stream names a run may open: fixed names, and prefixes followed by a subject (node:<name>). */
export const streamNames = ['workload', 'net', 'faults', 'scenario', 'bench'] as const;
export const streamPrefixes = ['node:', 'service:', 'weigher:', 'driver:', 'workload:', 'backup:'] as const;

/** The run's root of randomness: one seed, named streams, each opened once and shared. */
export class RngRoot {
  private readonly streams = new Map<string, SeededRng>();
  constructor(readonly seed: string) {}

  stream(name: string, caller = 'RngRoot.stream'): Rng {
    const known = (streamNames as readonly string[]).includes(name) || streamPrefixes.some((p) => name.startsWith(p) && name.length > p.length);
    if (!known) {
      throw new EngineMisuse(caller, `unknown random stream '${name}'; valid: ${streamNames.join(', ')}, or ${streamPrefixes.map((p) => p + '<name>').join(', ')}`);
    }
    let s = this.streams.get(name);
    if (!s) {
      s = new SeededRng(this.seed, name);
      this.streams.set(name, s);
    }
    return s;
  }
}
