import type { GridAxis, GridSetting } from './grid.js';

/**
 * A sweep as data: its identity (what was swept: scenario, grid, seeds),
 * its runs, and per grid point the distributions over its runs.  Written as
 * DIR/sweep.json; byte-identical for the same identity and code, whatever
 * the number of workers or shards (no wall time, no machine facts).
 */

export const SWEEP_FORMAT_VERSION = 1;

/** How run seeds derive from the root seed, in words (written into sweep.json). */
export const SEED_RULE = "seed k of N (k = 1..N) is '<root_seed>-<k>'; every grid point runs the same N seeds";

/** Run seed k (1-based) of a sweep: `<root>-<k>`, a valid seed whenever the root is one. */
export function runSeed(root: string, k: number): string {
  return `${root}-${k}`;
}

/** What identifies a sweep: two partial results merge only when these are equal. */
export interface SweepIdentity {
  format: 'cinder-sim-sweep';
  version: typeof SWEEP_FORMAT_VERSION;
  /** cinder-sim's own version: results of different code do not merge. */
  cinder_sim: string;
  /** The scenario as named on the command line, its name, and sha256 over its text and every cinder.conf it reads. */
  scenario: { name: string; file: string; sha256: string };
  root_seed: string;
  seeds: number;
  seed_rule: string;
  /** Axes in the order given; points are their cartesian product, the last axis varying fastest. */
  grid: GridAxis[];
}

/** What one run measured (a lean run: counts, first failures, the pools at the end). */
export interface RunMetrics {
  creates: number;
  creates_succeeded: number;
  /** creates_succeeded / creates; null when the run made no create. */
  success_rate: number | null;
  /** Virtual ms of the first "No valid backend" per AZ and per volume type; null: never (keys: the zones of the run's backends and the workloads' types, and any that failed). */
  first_no_valid_backend: { by_az: Record<string, number | null>; by_type: Record<string, number | null> };
  /** allocated / total capacity at the end, per pool and per AZ (pools of unknown or infinite capacity left out). */
  utilisation: { by_pool: Record<string, number>; by_az: Record<string, number> };
  /** Expectations that failed, those a lean run cannot judge left out (placements, emptied_by, no_candidates: see run.ts; the replay judges them). */
  expectations_failed: number;
  decisions: number;
  decisions_digest: string;
}

/** One run of a sweep: run index = point * seeds + (k - 1). */
export interface SweepRun {
  index: number;
  point: number;
  seed: string;
  /** The command that replays this run with every record kept. */
  replay: string;
  /** A broken invariant stopped the run (a bug): when and what. */
  aborted: { at_ms: number; message: string } | null;
  metrics: RunMetrics | null;
}

/**
 * Percentiles by nearest rank over a point's runs (no interpolation: every
 * figure is one run's value).  For times to the first failure a run that
 * never failed counts as later than any (`never` of them); a percentile
 * that falls among those is null.
 */
export interface Distribution {
  n: number;
  never?: number;
  min: number | null;
  p5: number | null;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export interface PointSummary {
  index: number;
  settings: GridSetting[];
  runs: number;
  aborted: number;
  /** Runs in which at least one expectation failed. */
  expectations_failed_runs: number;
  success_rate: Distribution;
  first_no_valid_backend: { by_az: Record<string, Distribution>; by_type: Record<string, Distribution> };
  utilisation: { by_az: Record<string, Distribution>; by_pool: Record<string, Distribution> };
}

export interface SweepResult extends SweepIdentity {
  points: PointSummary[];
  runs: SweepRun[];
}

/** Every grid point's settings, in order: the cartesian product of the axes, the last varying fastest. */
export function gridPoints(grid: readonly GridAxis[]): GridSetting[][] {
  let points: GridSetting[][] = [[]];
  for (const axis of grid) points = points.flatMap((p) => axis.values.map((value) => [...p, { key: axis.key, value }]));
  return points;
}

/** Nearest-rank percentile of sorted values (Infinity for "never" becomes null). */
function rank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  const v = sorted[i]!;
  return Number.isFinite(v) ? v : null;
}

export function distribution(values: readonly number[], countNever = false): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const never = sorted.filter((v) => !Number.isFinite(v)).length;
  return {
    n: sorted.length,
    ...(countNever ? { never } : {}),
    min: rank(sorted, 0),
    p5: rank(sorted, 5),
    p50: rank(sorted, 50),
    p95: rank(sorted, 95),
    max: rank(sorted, 100),
  };
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Per key, a distribution over the runs: for times, a run without the key (or null) never failed; for ratios, it is left out. */
function perKey(records: readonly Record<string, number | null>[], kind: 'time' | 'ratio'): Record<string, Distribution> {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))].sort(byName);
  const valuesOf = (k: string): number[] => records.flatMap((r) => (r[k] === undefined || r[k] === null ? (kind === 'time' ? [Infinity] : []) : [r[k]]));
  return Object.fromEntries(keys.map((k) => [k, distribution(valuesOf(k), kind === 'time')]));
}

function summarise(index: number, settings: GridSetting[], runs: readonly SweepRun[]): PointSummary {
  const measured = runs.flatMap((r) => (r.metrics ? [r.metrics] : []));
  return {
    index,
    settings,
    runs: runs.length,
    aborted: runs.filter((r) => r.aborted !== null).length,
    expectations_failed_runs: measured.filter((m) => m.expectations_failed > 0).length,
    success_rate: distribution(measured.flatMap((m) => (m.success_rate === null ? [] : [m.success_rate]))),
    first_no_valid_backend: {
      by_az: perKey(measured.map((m) => m.first_no_valid_backend.by_az), 'time'),
      by_type: perKey(measured.map((m) => m.first_no_valid_backend.by_type), 'time'),
    },
    utilisation: {
      by_az: perKey(measured.map((m) => m.utilisation.by_az), 'ratio'),
      by_pool: perKey(measured.map((m) => m.utilisation.by_pool), 'ratio'),
    },
  };
}

/**
 * The whole sweep from its identity and every run: the one function both a
 * single machine and `merge` call, so they write the same bytes.
 */
export function assembleSweep(identity: SweepIdentity, runs: readonly SweepRun[]): SweepResult {
  const points = gridPoints(identity.grid);
  const sorted = [...runs].sort((a, b) => a.index - b.index);
  const expected = points.length * identity.seeds;
  if (sorted.length !== expected || sorted.some((r, i) => r.index !== i)) {
    throw new Error(`a sweep of ${expected} runs was assembled from ${sorted.length} runs (indices must be 0..${expected - 1}, each once)`);
  }
  const summaries = points.map((settings, p) => summarise(p, settings, sorted.slice(p * identity.seeds, (p + 1) * identity.seeds)));
  return { ...identity, points: summaries, runs: sorted };
}

/** sweep.json's text: stable key order (as built), one space of indent, a final newline. */
export function sweepJson(result: SweepResult): string {
  return JSON.stringify(result, null, 1) + '\n';
}
