import asciichart from 'asciichart';
import type { RunOutcome } from '../sim/scenario/outcome.js';
import { REPORT_SCHEMA_VERSION, type Renderer, type RunReport } from './types.js';

const WIDTH = 72;
const HEIGHT = 10;

/** Capacity over time, one asciichart per pool, per scenario. */
export const chartReport: Renderer = {
  file: 'capacity.txt',
  describe: 'asciichart of each pool\'s free (or, for thin pools, provisioned) capacity over time',
  render(report: RunReport): string {
    const out = [`cinder-sim report chart v${REPORT_SCHEMA_VERSION} (seed ${report.seed})`];
    for (const o of report.outcomes) out.push('', ...scenarioCharts(o));
    return out.join('\n') + '\n';
  },
};

export function scenarioCharts(o: RunOutcome): string[] {
  const pools = [...new Set(o.capacity.map((c) => c.pool))];
  if (pools.length === 0) return [`== ${o.scenario}: no capacity samples`];
  const out = [`== ${o.scenario}: capacity over 0..${Math.round(o.end.time_ms / 1000)}s`];
  for (const pool of pools) {
    const samples = o.capacity.filter((c) => c.pool === pool);
    // Thin pools keep their free space while provisioning grows: chart what moves.
    const freeMoves = new Set(samples.map((c) => c.free_capacity_gb)).size > 1;
    const provMoves = new Set(samples.map((c) => c.provisioned_capacity_gb)).size > 1;
    const key = !freeMoves && provMoves ? 'provisioned_capacity_gb' : 'free_capacity_gb';
    const series = resample(samples.map((c) => [c.t_ms, c[key]] as const), o.end.time_ms, WIDTH);
    out.push(`-- ${pool}: ${key} (total ${samples[samples.length - 1]!.total_capacity_gb} GB)`);
    out.push(asciichart.plot(series, { height: HEIGHT, format: (x: number) => x.toFixed(0).padStart(7) }));
  }
  return out;
}

/** Step-function samples onto `width` evenly spaced columns. */
function resample(points: readonly (readonly [number, number])[], endMs: number, width: number): number[] {
  const out: number[] = [];
  let j = 0;
  let last = points[0]?.[1] ?? 0;
  for (let i = 0; i < width; i++) {
    const t = (endMs * i) / (width - 1);
    while (j < points.length && points[j]![0] <= t) last = points[j++]![1];
    out.push(last);
  }
  return out;
}
