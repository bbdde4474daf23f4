import { performance } from 'node:perf_hooks';
import { FilterScheduler, type Decision, type TraceLevel } from '../../cinder/scheduler/filter-scheduler.js';
import { HostManager, type ServiceInfo } from '../../cinder/scheduler/host-manager.js';
import type { RequestSpec } from '../../cinder/scheduler/types.js';
import { World } from '../../engine/world.js';
import { UserError } from '../io.js';
import { benchCapabilities, ZONES } from './schedule-case.js';
import { peakRssMb, type Bench, type BenchOptions } from './types.js';

/**
 * M create requests placed one after another on N backends (every third
 * reports two pools), default filters and CapacityWeigher, consumption
 * after each placement.  Trace-light mode: the same decisions, no per-pool
 * trace rows, and the scheduler's fast path for default-like creates.
 */
export const schedulerBench: Bench = {
  describe: 'FilterScheduler creates: --backends N --requests M',
  run(opts: BenchOptions) {
    const backends = need(opts.backends, '--backends', 1000);
    const requests = need(opts.requests, '--requests', 10_000);
    const run = placeMany(backends, requests, opts.seed, 'light');
    return {
      bench: 'scheduler',
      seed: opts.seed,
      backends,
      pools: run.pools,
      requests,
      decisions: run.decisions,
      placed: run.placed,
      no_valid_backend: run.decisions - run.placed,
      seconds: Math.round(run.seconds * 1000) / 1000,
      decisions_per_s: Math.round(run.decisions / run.seconds),
      us_per_decision: Math.round((run.seconds / run.decisions) * 1e7) / 10,
      peak_rss_mb: peakRssMb(),
    };
  },
};

function need(v: number | undefined, flag: string, dflt: number): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n <= 0) throw new UserError(`bench scheduler: ${flag} must be a positive integer, got ${String(v)}`);
  return n;
}

export interface PlaceManyResult {
  pools: number;
  decisions: number;
  placed: number;
  seconds: number;
  /** The pool chosen for each request (null = No valid backend). */
  selections: (string | null)[];
}

/** The bench's workload, shared with the test that holds light and full traces to the same decisions. */
export function placeMany(backendCount: number, requestCount: number, seed: string, trace: TraceLevel, onDecision?: (d: Decision) => void, opts: { fastPath?: boolean } = {}): PlaceManyResult {
  const world = new World({ seed });
  const node = world.addNode('scheduler');
  const rng = world.rng.stream('workload');
  const hm = new HostManager({ clock: node.clock });
  const services: ServiceInfo[] = [];
  let pools = 0;
  const reportAt = node.clock.wallNow() - 1000;
  for (let i = 0; i < backendCount; i++) {
    const host = `node${i}@be${i}`;
    services.push({ host, availability_zone: ZONES[i % 3]!, disabled: false, frozen: false, up: true });
    const caps = benchCapabilities(rng, i, false);
    pools += caps.pools.length;
    hm.updateServiceCapabilities(host, caps, reportAt);
  }
  const scheduler = new FilterScheduler({
    hostManager: hm,
    lookups: { volumeCount: () => 0, volumeHost: () => undefined, instanceHost: () => undefined, chanceRng: () => world.rng.stream('weigher:ChanceWeigher') },
    trace,
    fastPath: opts.fastPath ?? true,
  });
  const specs: RequestSpec[] = [];
  for (let k = 0; k < requestCount; k++) {
    const az = rng.chance(0.3) ? ZONES[rng.int(0, 2)]! : null;
    const extra = rng.chance(0.3) ? { tier: rng.chance(0.5) ? 'gold' : '<or> gold <or> silver' } : undefined;
    specs.push({
      volume_id: `vol-${k}`,
      volume_properties: { size: rng.int(1, 500), availability_zone: az, attach_status: 'detached', status: 'creating' },
      volume_type: extra ? { name: 'bench', extra_specs: extra } : null,
      operation: 'create_volume',
    });
  }
  const selections: (string | null)[] = [];
  let placed = 0;
  const t0 = performance.now();
  for (const spec of specs) {
    const d = scheduler.scheduleCreateVolume({ services, requestSpec: spec });
    if (d.selected !== null) placed++;
    selections.push(d.selected);
    onDecision?.(d);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { pools, decisions: specs.length, placed, seconds, selections };
}
