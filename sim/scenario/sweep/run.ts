import { defaultCloudFactory } from '../../harness/simulated-cloud.js';
import { loadScenarioText, type LoadedScenario } from '../loader.js';
import type { RunOutcome } from '../outcome.js';
import type { Scenario } from '../schema.js';
import { RunAborted, runScenario } from '../runner.js';
import type { RunMetrics, SweepRun } from './model.js';

/**
 * One run of a sweep, as a worker thread receives it: plain data (the
 * scenario text with the grid point applied), so any thread, process or
 * machine computes the same record from it.
 */
export interface SweepJob {
  index: number;
  point: number;
  seed: string;
  replay: string;
  /** The scenario text of this grid point. */
  text: string;
  /** The scenario file as named on the command line, and its absolute directory (for cinder.conf files). */
  file: string;
  dir: string;
}

/** Run one job lean and measure it; a broken invariant is recorded, not thrown. */
export function runSweepJob(job: SweepJob): SweepRun {
  const loaded = loadScenarioText(job.text, job.file, job.dir);
  const base = { index: job.index, point: job.point, seed: job.seed, replay: job.replay };
  try {
    const outcome = runScenario(loaded, { seed: job.seed, cloud: defaultCloudFactory, replay: job.replay, records: 'lean' });
    return { ...base, aborted: null, metrics: measureRun(outcome, loaded) };
  } catch (e) {
    if (!(e instanceof RunAborted)) throw e;
    return { ...base, aborted: { at_ms: e.atMs, message: e.message }, metrics: null };
  }
}

/**
 * Whether a lean run judges an expectation as a full run does: placements
 * count every decision (a lean run keeps the steps' only), and emptied_by /
 * no_candidates read a decision's trace (lean decisions may take the
 * trace-free fast path).  The replay (a full run) judges those.
 */
function judgedWhenLean(e: Scenario['expect'][number] | undefined): boolean {
  return e !== undefined && e.placements === undefined && e.emptied_by === undefined && e.no_candidates === undefined;
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const sortedRecord = <T>(entries: [string, T][]): Record<string, T> => Object.fromEntries(entries.sort(([a], [b]) => byName(a, b)));

/** Each backend's zone, by its service host (`host@backend`), as the run's starting cinder.conf sets it. */
function startZones(loaded: LoadedScenario): Map<string, string> {
  const out = new Map<string, string>();
  for (const conf of loaded.cinderConfs.values()) for (const b of conf.backends) out.set(b.host, b.availability_zone);
  return out;
}

/**
 * Each pool's zone when the run ended: its service row's availability_zone
 * in the last pool record (a conf_change that moves a backend to another
 * zone restarts its service, which writes the new zone into its row); the
 * starting cinder.conf's zone for a pool never recorded.
 */
function zonesAtEnd(outcome: RunOutcome, loaded: LoadedScenario): Map<string, string> {
  const start = startZones(loaded);
  const out = new Map<string, string>();
  for (const c of outcome.capacity) {
    const zone = start.get(c.pool.split('#')[0]!);
    if (zone !== undefined) out.set(c.pool, zone);
  }
  for (const p of outcome.pools) out.set(p.pool, p.availability_zone);
  return out;
}

/** What a sweep keeps of a lean run. */
export function measureRun(outcome: RunOutcome, loaded: LoadedScenario): RunMetrics {
  const s = outcome.summary;
  const zoneOf = zonesAtEnd(outcome, loaded);
  const last = new Map<string, { total: number; allocated: number }>();
  for (const c of outcome.capacity) last.set(c.pool, { total: c.total_capacity_gb, allocated: c.allocated_capacity_gb });
  const byPool: [string, number][] = [];
  const az = new Map<string, { total: number; allocated: number }>();
  for (const [pool, c] of last) {
    if (!(c.total > 0)) continue;
    byPool.push([pool, round4(c.allocated / c.total)]);
    const zone = zoneOf.get(pool);
    if (zone === undefined) continue;
    const sum = az.get(zone) ?? { total: 0, allocated: 0 };
    sum.total += c.total;
    sum.allocated += c.allocated;
    az.set(zone, sum);
  }
  const failed = outcome.first_no_valid_backend ?? { by_az: {}, by_type: {} };
  // Every zone a backend was in, at the start or the end, so a zone a conf_change emptied still has its key.
  const zones = new Set([...startZones(loaded).values(), ...zoneOf.values(), ...Object.keys(failed.by_az)]);
  const types = new Set([...loaded.scenario.workloads.flatMap((w) => w.volume_types ?? []), ...Object.keys(failed.by_type)]);
  return {
    creates: s.creates,
    creates_succeeded: s.creates_succeeded,
    success_rate: s.creates > 0 ? round4(s.creates_succeeded / s.creates) : null,
    first_no_valid_backend: {
      by_az: sortedRecord([...zones].map((z) => [z, failed.by_az[z] ?? null])),
      by_type: sortedRecord([...types].map((t) => [t, failed.by_type[t] ?? null])),
    },
    utilisation: {
      by_pool: sortedRecord(byPool),
      by_az: sortedRecord([...az].map(([z, c]) => [z, round4(c.allocated / c.total)])),
    },
    expectations_failed: outcome.expectations.filter((e) => !e.passed && judgedWhenLean(loaded.scenario.expect[e.index])).length,
    decisions: s.decisions,
    decisions_digest: s.decisions_digest ?? '',
  };
}
