import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { defaultCloudFactory } from '../harness/simulated-cloud.js';
import { durationMs, formatDuration, parseDurationMs } from './duration.js';
import { loadScenarioText, type LoadedScenario } from './loader.js';
import { expectationReason, invariantSignature } from './failure-signature.js';
import { RunAborted, runScenario } from './runner.js';
import { setIniOption } from './sweep/grid.js';

/**
 * The smallest failing scenario, by delta debugging: remove chunks of
 * faults, steps, workloads, backends and other expectations, lower the
 * workloads' rates, shorten their windows and the run, and keep each
 * reduction under which the same failure still holds: its signature
 * (failure-signature.ts).  The same expectation (the same one as written,
 * wherever the removal of others moved it) failing for the same reason: its
 * evidence with UUIDs, times and numbers masked, and the cause of the
 * requests it judges (a ratio: the first counted request that did not
 * succeed, refused, no valid backend with the filter that left no pool, or
 * failed once placed); so "86/129 = 0.6667" is the same failure as "3/10 =
 * 0.3" when both begin with CapacityFilter leaving no pool, and not when
 * the reduction left only a failed backend's errors.  Or the same invariant
 * broken (its message, masked alike).  Every candidate is a scenario file
 * that loads; one that does not is simply not kept.
 */

/** A run's failure: a failing expectation or a broken invariant, with the signature shrink holds. */
export type Failure = { kind: 'expectation'; index: number; text: string; detail: string; signature: string } | { kind: 'invariant'; message: string; signature: string };

/** The scenario as a plain object, as its YAML reads (mutated on copies only). */
type Raw = Record<string, unknown>;
type RawList = Record<string, unknown>[];

export interface ShrinkSize {
  duration: string;
  steps: number;
  workloads: number;
  faults: number;
  backends: number;
  expectations: number;
  /** Requests the run made (steps' and workloads'). */
  requests: number;
}

export interface ShrinkResult {
  failure: Failure;
  text: string;
  before: ShrinkSize;
  after: ShrinkSize;
  removed: string[];
  runs: number;
}

/** The run does not fail: there is nothing to shrink. */
export class NothingToShrink extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NothingToShrink';
  }
}

/** Every way a scenario fails under a seed, failing expectations in their order (and the requests made). */
export function failuresOf(loaded: LoadedScenario, seed: string): { failures: Failure[]; requests: number } {
  try {
    const o = runScenario(loaded, { seed, cloud: defaultCloudFactory, replay: `cinder-sim run ${loaded.file} --seed ${seed}` });
    const failures = o.expectations
      .filter((x) => !x.passed)
      .map((e): Failure => ({ kind: 'expectation', index: e.index, text: e.text, detail: e.detail, signature: `expectation ${e.text} fails: ${expectationReason(loaded.scenario.expect[e.index], e, o)}` }));
    return { failures, requests: o.summary.requests };
  } catch (e) {
    if (e instanceof RunAborted) return { failures: [{ kind: 'invariant', message: e.message, signature: `invariant broken: ${invariantSignature(e.message)}` }], requests: 0 };
    throw e;
  }
}

/** How a scenario fails under a seed (the first failing expectation, or the broken invariant), or null. */
export function failureOf(loaded: LoadedScenario, seed: string): { failure: Failure | null; requests: number } {
  const r = failuresOf(loaded, seed);
  return { failure: r.failures[0] ?? null, requests: r.requests };
}

/**
 * Whether a candidate fails as the target did: the same invariant, or the
 * target expectation (now at `index` in the candidate) failing with the same
 * signature, whatever else fails too.
 */
export function sameFailure(target: Failure, index: number, failures: readonly Failure[]): boolean {
  return failures.some((f) => f.kind === target.kind && f.signature === target.signature && (f.kind !== 'expectation' || f.index === index));
}

const clone = (r: Raw): Raw => structuredClone(r);
const list = (r: Raw, key: string): RawList => (Array.isArray(r[key]) ? (r[key] as RawList) : []);

/**
 * Minimise `items` (delta debugging, complements only): remove chunks of
 * ever smaller size while `holds` answers true for what is left.
 */
export function ddmin<T>(items: readonly T[], holds: (kept: readonly T[]) => boolean): T[] {
  let cur = [...items];
  let n = 2;
  while (cur.length > 0) {
    if (cur.length === 1) {
      if (holds([])) cur = [];
      break;
    }
    const size = Math.ceil(cur.length / n);
    let reduced = false;
    for (let start = 0; start < cur.length; start += size) {
      const rest = [...cur.slice(0, start), ...cur.slice(start + size)];
      if (holds(rest)) {
        cur = rest;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (reduced) continue;
    if (n >= cur.length) break;
    n = Math.min(n * 2, cur.length);
  }
  return cur;
}

interface Ctx {
  file: string;
  dir: string;
  seed: string;
  target: Failure;
  /** The target expectation as written (JSON), to find it in a candidate whose other expectations were removed. */
  targetJson: string | null;
  maxRuns: number;
  runs: number;
  lastRequests: number;
}

/** Does the candidate load and fail the same way?  Counts the run. */
function test(ctx: Ctx, raw: Raw): boolean {
  if (ctx.runs >= ctx.maxRuns) return false;
  let loaded: LoadedScenario;
  try {
    loaded = loadScenarioText(stringify(raw, { lineWidth: 0 }), ctx.file, ctx.dir);
  } catch {
    return false;
  }
  ctx.runs++;
  const r = failuresOf(loaded, ctx.seed);
  if (!sameFailure(ctx.target, targetIndex(ctx, raw), r.failures)) return false;
  ctx.lastRequests = r.requests;
  return true;
}

/** Where the target expectation is in a candidate's `expect` (-1: removed; 0 for an invariant). */
function targetIndex(ctx: Pick<Ctx, 'targetJson'>, raw: Raw): number {
  return ctx.targetJson === null ? 0 : list(raw, 'expect').findIndex((x) => JSON.stringify(x) === ctx.targetJson);
}

/** A node's backends: [node index, group] for every enabled backend of every node. */
function backendsOf(loaded: LoadedScenario): [string, string][] {
  const out: [string, string][] = [];
  for (const n of loaded.scenario.topology.nodes) for (const b of loaded.cinderConfs.get(n.name)?.backends ?? []) out.push([n.name, b.name]);
  return out;
}

/** The raw scenario with only `keep` of the backends: enabled_backends rewritten in each node's cinder.conf (inlined), its `backends:` entries dropped. */
function withBackends(raw: Raw, all: readonly [string, string][], keep: readonly [string, string][], dir: string): Raw {
  const r = clone(raw);
  const topo = r['topology'] as Raw;
  for (const node of topo['nodes'] as RawList) {
    const name = node['name'] as string;
    const mine = all.filter(([n]) => n === name).map(([, b]) => b);
    if (mine.length === 0) continue;
    const kept = keep.filter(([n]) => n === name).map(([, b]) => b);
    if (kept.length === mine.length) continue;
    const src = node['cinder_conf'];
    const text = typeof src === 'string' ? src : src && typeof src === 'object' ? readFileSync(resolve(dir, (src as { file: string }).file), 'utf8') : '';
    node['cinder_conf'] = setIniOption(text, 'DEFAULT', 'enabled_backends', kept.join(','));
    const phys = node['backends'];
    if (phys && typeof phys === 'object') for (const b of mine) if (!kept.includes(b)) delete (phys as Raw)[b];
  }
  return r;
}

/** Lower a workload's arrival rate by half (at least one arrival stays possible). */
function slower(w: Raw): boolean {
  const a = w['arrival'] as Raw | undefined;
  if (!a) return false;
  switch (a['process']) {
    case 'poisson':
      a['per_hour'] = (a['per_hour'] as number) / 2;
      return true;
    case 'constant':
    case 'bursts': {
      const every = parseDurationMs(a['every'] as number | string);
      if (every === null) return false;
      if (a['process'] === 'bursts' && (a['count'] as number) > 1) a['count'] = Math.ceil((a['count'] as number) / 2);
      else a['every'] = every * 2;
      return true;
    }
    case 'diurnal':
      a['peak_per_hour'] = (a['peak_per_hour'] as number) / 2;
      a['trough_per_hour'] = (a['trough_per_hour'] as number) / 2;
      return true;
    default:
      return false;
  }
}

function sizeOf(raw: Raw, backends: number, requests: number): ShrinkSize {
  const d = parseDurationMs(raw['duration'] as number | string);
  return {
    duration: d === null ? String(raw['duration']) : formatDuration(d),
    steps: list(raw, 'setup').length + list(raw, 'steps').length,
    workloads: list(raw, 'workloads').length,
    faults: list(raw, 'faults').length,
    backends,
    expectations: list(raw, 'expect').length,
    requests,
  };
}

function describeItem(key: string, x: Record<string, unknown>): string {
  if (key === 'faults') return `${String(x['fault'])} at ${String(x['at'])}`;
  if (key === 'workloads') return String(x['name']);
  if (key === 'expect') return JSON.stringify(x);
  return typeof x === 'string' ? x : String(x['id'] ?? x['cmd']);
}

/** Shrink a failing scenario; throws NothingToShrink when it does not fail under the seed. */
export function shrinkScenario(loaded: LoadedScenario, text: string, seed: string, maxRuns: number): ShrinkResult {
  const first = failureOf(loaded, seed);
  if (first.failure === null) throw new NothingToShrink(`the run does not fail: every expectation of ${loaded.file} holds under seed ${seed} and no invariant broke; nothing to shrink`);
  let raw = parseYaml(text) as Raw;
  const target = first.failure;
  const targetJson = target.kind === 'expectation' ? JSON.stringify(list(raw, 'expect')[target.index]) : null;
  const ctx: Ctx = { file: loaded.file, dir: loaded.dir, seed, target, targetJson, maxRuns, runs: 1, lastRequests: first.requests };
  raw['seed'] = /^-?\d+$/.test(seed) && Number.isSafeInteger(Number(seed)) ? Number(seed) : seed;
  const allBackends = backendsOf(loaded);
  const before = sizeOf(raw, allBackends.length, first.requests);
  const removed: string[] = [];

  // Whole items first: faults, steps, workloads, backends, the other expectations; again while a pass removed something
  // (an expectation removed may free the step it named).
  let backends = allBackends;
  for (let pass = 0, changed = true; changed && pass < 4; pass++) {
    changed = false;
    for (const key of ['faults', 'steps', 'setup', 'workloads', 'expect'] as const) {
      const items = list(raw, key);
      if (items.length === 0 || (key === 'expect' && (items.length === 1 || ctx.target.kind !== 'expectation'))) continue;
      const kept = ddmin(items, (k) => test(ctx, { ...clone(raw), [key]: structuredClone(k) }));
      if (kept.length === items.length) continue;
      changed = true;
      for (const x of items) if (!kept.includes(x)) removed.push(`${key}: ${describeItem(key, x)}`);
      raw = { ...raw, [key]: kept };
    }
    if (backends.length > 1) {
      const kept = ddmin(backends, (k) => k.length > 0 && test(ctx, withBackends(raw, allBackends, k, loaded.dir)));
      if (kept.length > 0 && kept.length < backends.length) {
        changed = true;
        for (const b of backends) if (!kept.includes(b)) removed.push(`backend: ${b[0]}@${b[1]}`);
        backends = kept;
        raw = withBackends(raw, allBackends, backends, loaded.dir);
      }
    }
  }
  // Then sizes: each workload's rate and window, the run's duration.
  for (const [i, w] of list(raw, 'workloads').entries()) {
    const name = String(w['name']);
    const rateBefore = JSON.stringify(w['arrival']);
    for (let tries = 0; tries < 8; tries++) {
      const cand = clone(raw);
      if (!slower(list(cand, 'workloads')[i]!) || !test(ctx, cand)) break;
      raw = cand;
    }
    const rateAfter = JSON.stringify(list(raw, 'workloads')[i]!['arrival']);
    if (rateAfter !== rateBefore) removed.push(`workload ${name}: arrival ${rateBefore} -> ${rateAfter}`);
  }
  const total = durationMs(raw['duration'] as number | string);
  for (let tries = 0; tries < 12; tries++) {
    const d = durationMs(raw['duration'] as number | string);
    const half = Math.floor(d / 2);
    if (half < 1000) break;
    const cand = { ...clone(raw), duration: half };
    if (!test(ctx, cand)) break;
    raw = cand;
  }
  const end = durationMs(raw['duration'] as number | string);
  if (end !== total) {
    removed.push(`duration: ${formatDuration(total)} -> ${formatDuration(end)}`);
    raw['duration'] = formatDuration(end);
  }
  // The final file, run once more: its failure and size are what is reported.
  const final = stringify(raw, { lineWidth: 0 });
  const check = failuresOf(loadScenarioText(final, loaded.file, loaded.dir), seed);
  ctx.runs++;
  if (!sameFailure(ctx.target, targetIndex(ctx, raw), check.failures)) throw new Error('shrink: the reduced scenario no longer fails the same way (a bug in shrink)');
  return { failure: ctx.target, text: final, before, after: sizeOf(raw, backends.length, check.requests), removed, runs: ctx.runs };
}
