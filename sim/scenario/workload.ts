import type { Rng } from '../ports/rng.js';
import { durationMs } from './duration.js';
import type { WorkloadT } from './schema.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Arrival processes: given the time of the last arrival, the time of the
 * next one (or null when the workload has ended).  Every draw comes from
 * the workload's own stream, so workloads never shift each other.
 */
export interface Arrivals {
  next(afterMs: number): number | null;
}

export function arrivals(w: WorkloadT, rng: Rng, startMs: number, stopMs: number): Arrivals {
  const a = w.arrival;
  const within = (t: number): number | null => (t < stopMs ? t : null);
  switch (a.process) {
    case 'poisson': {
      const meanMs = HOUR_MS / a.per_hour;
      return { next: (after) => within(Math.max(after, startMs) + Math.max(1, Math.round(rng.exponential(meanMs)))) };
    }
    case 'constant': {
      const every = Math.max(1, durationMs(a.every));
      let n = 0;
      return { next: () => within(startMs + every * n++) };
    }
    case 'bursts': {
      const every = Math.max(1, durationMs(a.every));
      const spread = durationMs(a.spread);
      let burst = 0;
      let queue: number[] = [];
      return {
        next: () => {
          while (queue.length === 0) {
            const t0 = startMs + every * burst++;
            if (t0 >= stopMs) return null;
            queue = Array.from({ length: a.count }, () => t0 + (spread > 0 ? rng.int(0, spread) : 0)).sort((x, y) => x - y);
          }
          return within(queue.shift()!);
        },
      };
    }
    case 'diurnal': {
      // A non-homogeneous Poisson process by thinning: candidates at the peak
      // rate, each kept with probability rate(t) / peak.
      const peak = a.peak_per_hour;
      const trough = a.trough_per_hour;
      const peakAt = durationMs(a.peak_at) % DAY_MS;
      const rate = (t: number): number => trough + ((peak - trough) * (1 + Math.cos((2 * Math.PI * (t - peakAt)) / DAY_MS))) / 2;
      const meanMs = HOUR_MS / peak;
      return {
        next: (after) => {
          let t = Math.max(after, startMs);
          for (;;) {
            t += Math.max(1, Math.round(rng.exponential(meanMs)));
            if (t >= stopMs) return null;
            if (rng.next() * peak < rate(t)) return t;
          }
        },
      };
    }
  }
}

/** A volume size in GB from the workload's size distribution. */
export function drawSizeGb(w: WorkloadT, rng: Rng): number {
  const d = w.size_gb;
  switch (d.dist) {
    case 'constant':
      return d.value;
    case 'uniform':
      return rng.int(d.min, d.max);
    case 'lognormal': {
      const v = Math.max(1, Math.round(rng.lognormal(Math.log(d.median), d.sigma)));
      return d.max === undefined ? v : Math.min(v, d.max);
    }
    case 'choice':
      return d.values[rng.int(0, d.values.length - 1)]!;
  }
}

/** How long a created volume lives before the workload deletes it (ms), or null for forever. */
export function drawLifetimeMs(w: WorkloadT, rng: Rng): number | null {
  const d = w.lifetime;
  switch (d.dist) {
    case 'forever':
      return null;
    case 'constant':
      return durationMs(d.value);
    case 'exponential':
      return Math.max(1, Math.round(rng.exponential(Math.max(1, durationMs(d.mean)))));
    case 'uniform':
      return rng.int(durationMs(d.min), Math.max(durationMs(d.min), durationMs(d.max)));
  }
}

/** Which operation the next arrival is, by the mix's weights (in the schema's order). */
export function drawOp(w: WorkloadT, rng: Rng): keyof WorkloadT['mix'] {
  const items = Object.entries(w.mix)
    .filter(([, weight]) => (weight ?? 0) > 0)
    .map(([op, weight]) => ({ value: op as keyof WorkloadT['mix'], weight: weight! }));
  return rng.weighted(items);
}
