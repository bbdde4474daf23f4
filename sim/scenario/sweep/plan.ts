import { createHash } from 'node:crypto';
import { loadScenarioText, type LoadedScenario } from '../loader.js';
import { formatProblem, ScenarioProblems } from '../problems.js';
import { applySettings, GridError, gridTarget, type GridAxis, type GridSetting } from './grid.js';
import { gridPoints, runSeed, SEED_RULE, SWEEP_FORMAT_VERSION, type SweepIdentity, type SweepRun } from './model.js';
import type { SweepJob } from './run.js';

/**
 * From a scenario, a grid and seeds to the sweep's identity and its jobs;
 * which jobs a shard runs; partial results and their merge.
 */

export interface SweepInput {
  loaded: LoadedScenario;
  /** The scenario file's text, as read. */
  text: string;
  grid: GridAxis[];
  seeds: number;
  rootSeed: string;
  cinderSimVersion: string;
}

/** sha256 over the scenario's text and every cinder.conf file it reads (inline ones are in the text). */
export function scenarioSha256(text: string, loaded: LoadedScenario): string {
  const h = createHash('sha256').update(text);
  const confFiles = loaded.scenario.topology.nodes.filter((n) => n.cinder_conf !== undefined && typeof n.cinder_conf !== 'string');
  for (const n of confFiles) h.update(`\0${n.name}\0${loaded.confs.get(n.name)?.text ?? ''}`);
  return h.digest('hex');
}

/** A command-line word as a POSIX shell reads it back. */
export function shellWord(w: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/** The command that replays one run of a sweep with every record kept. */
export function replayCommand(file: string, seed: string, settings: readonly GridSetting[]): string {
  return ['cinder-sim', 'run', shellWord(file), '--seed', seed, ...settings.flatMap((s) => ['--set', shellWord(`${s.key}=${s.value}`)])].join(' ');
}

/**
 * The sweep's identity and every job, in run-index order (point-major: run
 * index = point * seeds + k - 1).  Every grid key is checked against the
 * scenario and every point's scenario is loaded once here, so a bad key or
 * value is refused before anything runs.
 */
export function planSweep(input: SweepInput): { identity: SweepIdentity; jobs: SweepJob[] } {
  const { loaded, text, grid, seeds, rootSeed } = input;
  const keys = new Set<string>();
  for (const axis of grid) {
    if (keys.has(axis.key)) throw new GridError(`the grid key ${axis.key} is given twice; give its values once, separated by commas`);
    keys.add(axis.key);
    gridTarget(axis.key, loaded);
  }
  const identity: SweepIdentity = {
    format: 'cinder-sim-sweep',
    version: SWEEP_FORMAT_VERSION,
    cinder_sim: input.cinderSimVersion,
    scenario: { name: loaded.scenario.name, file: loaded.file, sha256: scenarioSha256(text, loaded) },
    root_seed: rootSeed,
    seeds,
    seed_rule: SEED_RULE,
    grid: grid.map((a) => ({ key: a.key, values: [...a.values] })),
  };
  const jobs: SweepJob[] = [];
  gridPoints(grid).forEach((settings, point) => {
    const pointText = applySettings(text, loaded, settings);
    try {
      loadScenarioText(pointText, loaded.file, loaded.dir);
    } catch (e) {
      if (!(e instanceof ScenarioProblems)) throw e;
      const label = settings.map((s) => `${s.key}=${s.value}`).join(' ');
      throw new GridError(`grid point ${label} makes the scenario invalid:\n${e.problems.map((p) => '  ' + formatProblem(p)).join('\n')}`);
    }
    for (let k = 1; k <= seeds; k++) {
      const seed = runSeed(rootSeed, k);
      jobs.push({ index: point * seeds + k - 1, point, seed, replay: replayCommand(loaded.file, seed, settings), text: pointText, file: loaded.file, dir: loaded.dir });
    }
  });
  return { identity, jobs };
}

// ---------------------------------------------------------------- shards

/** Shard i of n (1-based), from `i/n`. */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(spec: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(spec);
  if (!m) throw new GridError(`--shard ${spec}: expected i/n, e.g. 1/4 (shard i of n, 1 <= i <= n)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new GridError(`--shard ${spec}: n must be at least 1`);
  if (index < 1 || index > count) throw new GridError(`--shard ${spec}: i must be between 1 and ${count} (shards are numbered from 1)`);
  return { index, count };
}

/** Whether shard `s` runs run `index`: round-robin, run index mod n == i - 1 (each shard gets every grid point's share). */
export function inShard(index: number, s: Shard): boolean {
  return index % s.count === s.index - 1;
}

/** A shard's results: DIR/sweep.part-<i>-of-<n>.json. */
export interface SweepPart {
  format: 'cinder-sim-sweep-part';
  version: typeof SWEEP_FORMAT_VERSION;
  shard: Shard;
  sweep: SweepIdentity;
  runs: SweepRun[];
}

export function partFileName(s: Shard): string {
  return `sweep.part-${s.index}-of-${s.count}.json`;
}

export function makePart(identity: SweepIdentity, shard: Shard, runs: readonly SweepRun[]): SweepPart {
  return { format: 'cinder-sim-sweep-part', version: SWEEP_FORMAT_VERSION, shard, sweep: identity, runs: [...runs].sort((a, b) => a.index - b.index) };
}

export function partJson(part: SweepPart): string {
  return JSON.stringify(part, null, 1) + '\n';
}

/** A part that cannot be merged: the message names the file(s) and the reason. */
export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Check one parsed part file's shape (enough to merge it safely). */
export function readPart(file: string, data: unknown): SweepPart {
  if (!isObject(data) || data['format'] !== 'cinder-sim-sweep-part') throw new MergeError(`${file}: not a sweep part (no "format": "cinder-sim-sweep-part"); parts are the sweep.part-<i>-of-<n>.json files \`sweep --shard i/n\` writes`);
  if (data['version'] !== SWEEP_FORMAT_VERSION) throw new MergeError(`${file}: written in sweep format version ${JSON.stringify(data['version'])}; this cinder-sim reads version ${SWEEP_FORMAT_VERSION}: run that shard again with this cinder-sim`);
  const shard = data['shard'];
  if (!isObject(shard) || !Number.isInteger(shard['index']) || !Number.isInteger(shard['count'])) throw new MergeError(`${file}: damaged: "shard" must be {index, count}`);
  if (!isObject(data['sweep']) || !Array.isArray(data['runs'])) throw new MergeError(`${file}: damaged: "sweep" and "runs" are required`);
  return data as unknown as SweepPart;
}

/** The first key (a dotted path) where two identities differ. */
function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (JSON.stringify(a) === JSON.stringify(b)) return null;
  if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
      const d = firstDifference(a[k], b[k], path ? `${path}.${k}` : k);
      if (d !== null) return d;
    }
  }
  return path || '(the whole sweep)';
}

/** Parts of one sweep, every shard exactly once, each holding exactly its runs: their identity and every run; else MergeError with the reason. */
export function mergeParts(parts: readonly { file: string; part: SweepPart }[]): { identity: SweepIdentity; runs: SweepRun[] } {
  if (parts.length === 0) throw new MergeError('no sweep parts to merge');
  const first = parts[0]!;
  const count = first.part.shard.count;
  const seen = new Map<number, string>();
  for (const { file, part } of parts) {
    const diff = firstDifference(first.part.sweep, part.sweep);
    if (diff !== null) {
      const show = (p: SweepPart): string => JSON.stringify(diff.split('.').reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), p.sweep));
      throw new MergeError(`${first.file} and ${file} are parts of different sweeps: they differ in ${diff} (${show(first.part)} and ${show(part)})`);
    }
    if (part.shard.count !== count) throw new MergeError(`${first.file} is a shard of ${count} and ${file} a shard of ${part.shard.count}: parts of one sweep share n`);
    const dup = seen.get(part.shard.index);
    if (dup !== undefined) throw new MergeError(`shard ${part.shard.index}/${count} is given twice: ${dup} and ${file}`);
    seen.set(part.shard.index, file);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) throw new MergeError(`missing shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${count}`).join(', ')} (have ${[...seen.keys()].sort((a, b) => a - b).map((i) => `${i}/${count}`).join(', ')})`);
  const identity = first.part.sweep;
  const total = gridPoints(identity.grid).length * identity.seeds;
  const runs: SweepRun[] = [];
  for (const { file, part } of parts) {
    const want: number[] = [];
    for (let i = part.shard.index - 1; i < total; i += part.shard.count) want.push(i);
    const got = part.runs.map((r) => r.index);
    if (got.length !== want.length || got.some((x, i) => x !== want[i])) throw new MergeError(`${file}: damaged: shard ${part.shard.index}/${count} of ${total} runs must hold runs ${want.slice(0, 5).join(', ')}${want.length > 5 ? ', ...' : ''} (${want.length}), it holds ${got.length}`);
    runs.push(...part.runs);
  }
  return { identity, runs };
}
