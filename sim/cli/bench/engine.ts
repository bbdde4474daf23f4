import { performance } from 'node:perf_hooks';
import { SeededRng } from '../../engine/rng.js';
import { Simulation } from '../../engine/simulation.js';
import { UserError } from '../io.js';
import { peakRssMb, type Bench, type BenchOptions } from './types.js';

/**
 * The hold model: P processes, each waits an exponential delay (mean 1 s)
 * and then does it again, until E events in all, through the engine's real
 * timer path (`Simulation.after`).  For comparison the same model runs on a
 * bare binary heap of numbers.
 */
export const engineBench: Bench = {
  describe: 'hold model: --processes P --events E',
  run(opts: BenchOptions) {
    const processes = need(opts.processes, '--processes', 10_000);
    const events = need(opts.events, '--events', 5_000_000);
    const engine = holdOnEngine(processes, events, opts.seed);
    const bare = holdOnBareHeap(processes, events, opts.seed);
    return {
      bench: 'engine',
      seed: opts.seed,
      processes,
      events: engine.events,
      seconds: round(engine.seconds, 3),
      events_per_s: Math.round(engine.events / engine.seconds),
      virtual_time_ms: engine.endTime,
      bare_heap_events_per_s: Math.round(events / bare.seconds),
      ratio_to_bare_heap: round(bare.seconds / engine.seconds, 3),
      peak_rss_mb: peakRssMb(),
    };
  },
};

function need(v: number | undefined, flag: string, dflt: number): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n <= 0) throw new UserError(`bench engine: ${flag} must be a positive integer, got ${String(v)}`);
  return n;
}

function round(x: number, places: number): number {
  const f = 10 ** places;
  return Math.round(x * f) / f;
}

function holdOnEngine(processes: number, events: number, seed: string) {
  const sim = new Simulation();
  const rng = new SeededRng(seed, 'bench');
  const hold = (): void => {
    sim.after(rng.exponential(1000), hold);
  };
  for (let i = 0; i < processes; i++) sim.after(rng.exponential(1000), hold);
  const t0 = performance.now();
  const end = sim.run({ maxEvents: events });
  const seconds = (performance.now() - t0) / 1000;
  return { events: end.events, seconds, endTime: end.timeMs };
}

/** The baseline: a minimal binary heap of event times, no sequence, no callbacks. */
function holdOnBareHeap(processes: number, events: number, seed: string) {
  const rng = new SeededRng(seed, 'bench');
  const heap = new Float64Array(processes + 1);
  let n = 0;
  const push = (t: number) => {
    let i = n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p]! <= t) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = t;
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap[--n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && heap[c + 1]! < heap[c]!) c++;
      if (last <= heap[c]!) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = last;
    return top;
  };
  for (let i = 0; i < processes; i++) push(Math.ceil(rng.exponential(1000)));
  const t0 = performance.now();
  for (let k = 0; k < events; k++) {
    const now = pop();
    push(now + Math.ceil(rng.exponential(1000)));
  }
  return { seconds: (performance.now() - t0) / 1000 };
}
