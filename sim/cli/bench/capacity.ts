import { performance } from 'node:perf_hooks';
import { planCapacity, type CapacityPlan } from '../../cinder/scheduler/capacity-plan.js';
import { caseSchema } from '../../cinder/scheduler/case.js';
import { SeededRng } from '../../engine/rng.js';
import { World } from '../../engine/world.js';
import { UserError } from '../io.js';
import { benchCapabilities, ZONES } from './schedule-case.js';
import { peakRssMb, type Bench, type BenchOptions } from './types.js';

/** The size of the bench's volumes: the bench fleet of 1,000 backends holds about 64,000 of them. */
export const BENCH_VOLUME_GB = 1000;

/**
 * `capacity` on the bench fleet (the scheduler bench's backends, three
 * zones, thick and thin): identical 1000 GB creates placed until No valid
 * backend or --volumes, as `cinder-sim capacity` places them.  The time
 * covers building the scheduler state and every placement.
 */
export const capacityBench: Bench = {
  describe: 'capacity: identical creates until full: --backends N --volumes M (the cap)',
  run(opts: BenchOptions) {
    const backends = need(opts.backends, '--backends', 1000);
    const volumes = need(opts.volumes, '--volumes', 100_000);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const plan = benchPlan(backends, volumes, opts.seed);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const shape = plan.shapes[0]!;
    return {
      bench: 'capacity',
      seed: opts.seed,
      backends,
      pools: plan.pools.length,
      size_gb: BENCH_VOLUME_GB,
      max: volumes,
      fits: shape.fits,
      stop: shape.stop,
      seconds: Math.round(seconds * 1000) / 1000,
      placements_per_s: Math.round(shape.fits / seconds),
      // CPU time of the same span: the figure that holds on a machine shared with other work.
      cpu_seconds: Math.round((cpu.user + cpu.system) / 1000) / 1000,
      peak_rss_mb: peakRssMb(),
    };
  },
};

function need(v: number | undefined, flag: string, dflt: number): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n <= 0) throw new UserError(`bench capacity: ${flag} must be a positive integer, got ${String(v)}`);
  return n;
}

/** The bench fleet as a scheduling case: N backends of benchCapabilities, zones in turn. */
export function benchFleet(backendCount: number, seed: string): ReturnType<typeof caseSchema.parse> {
  const rng = new SeededRng(seed, 'bench-capacity');
  const backends = Array.from({ length: backendCount }, (_, i) => ({ host: `node${i}@be${i}`, availability_zone: ZONES[i % 3]!, capabilities: benchCapabilities(rng, i, true) }));
  return caseSchema.parse({ backends, requests: [] });
}

export function benchPlan(backendCount: number, max: number, seed: string, reference = false): CapacityPlan {
  const world = new World({ seed });
  const node = world.addNode('scheduler');
  const c = benchFleet(backendCount, seed);
  return planCapacity(c, [{ size: BENCH_VOLUME_GB, volumeType: null, availabilityZone: null, count: null }], { max, reference }, { clock: node.clock, chanceRng: world.rng.stream('weigher:ChanceWeigher') });
}
