/**
 * Reading a run back: outcome.json files, a scenario's output directory or
 * a whole run directory, refused with the reason when damaged or written
 * under another schema version.  explain, diff and report read runs here.
 */

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { OUTCOME_SCHEMA_VERSION, type RunOutcome } from './outcome.js';
import { RUN_MANIFEST, type RunManifest } from './outdir.js';

/** A run that cannot be read: the message names the file and what is wrong. */
export class OutcomeReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutcomeReadError';
  }
}

/** One outcome and the file it came from. */
export interface ReadOutcome {
  file: string;
  outcome: RunOutcome;
}

/** The keys every outcome has, with what their value must be. */
const REQUIRED: readonly (readonly [keyof RunOutcome, 'string' | 'number' | 'array' | 'object'])[] = [
  ['scenario', 'string'],
  ['description', 'string'],
  ['file', 'string'],
  ['seed', 'string'],
  ['duration_ms', 'number'],
  ['end', 'object'],
  ['steps', 'array'],
  ['requests', 'array'],
  ['decisions', 'array'],
  ['service_states', 'array'],
  ['capacity', 'array'],
  ['pools', 'array'],
  ['type_usage', 'array'],
  ['type_pools', 'array'],
  ['faults', 'array'],
  ['conf_findings', 'array'],
  ['workloads', 'array'],
  ['log', 'array'],
  ['log_counts', 'object'],
  ['expectations', 'array'],
  ['summary', 'object'],
  ['replay', 'string'],
];

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Parse and check one outcome.json text. */
export function parseOutcome(text: string, file: string): RunOutcome {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new OutcomeReadError(`${file}: not an outcome file: not valid JSON (${(e as Error).message})`);
  }
  if (kindOf(data) !== 'object') throw new OutcomeReadError(`${file}: not an outcome file: the top level is ${kindOf(data)}, not an object`);
  const o = data as Record<string, unknown>;
  if (!('schema_version' in o)) throw new OutcomeReadError(`${file}: not an outcome file: no schema_version (cinder-sim writes outcome.json with schema_version ${OUTCOME_SCHEMA_VERSION})`);
  if (o['schema_version'] !== OUTCOME_SCHEMA_VERSION) {
    throw new OutcomeReadError(
      `${file}: outcome schema version ${JSON.stringify(o['schema_version'])}; this cinder-sim reads version ${OUTCOME_SCHEMA_VERSION} only: run the scenario again with this version (${typeof o['replay'] === 'string' ? o['replay'] : 'cinder-sim run ...'})`,
    );
  }
  for (const [key, kind] of REQUIRED) {
    if (kindOf(o[key]) !== kind) throw new OutcomeReadError(`${file}: damaged outcome: '${key}' is ${o[key] === undefined ? 'missing' : kindOf(o[key])}, expected ${kind}`);
  }
  return o as unknown as RunOutcome;
}

export function readOutcomeFile(file: string): RunOutcome {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new OutcomeReadError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseOutcome(text, file);
}

/**
 * The outcomes of RUN: an outcome.json, a scenario's output directory (with
 * outcome.json in it) or a run's --out directory (one subdirectory per
 * scenario), in scenario-name order.
 */
export function readRun(path: string): ReadOutcome[] {
  if (!existsSync(path)) throw new OutcomeReadError(`${path}: no such file or directory (give an outcome.json, a scenario's output directory or a run's --out directory)`);
  if (!statSync(path).isDirectory()) return [{ file: path, outcome: readOutcomeFile(path) }];
  const own = join(path, 'outcome.json');
  if (existsSync(own)) return [{ file: own, outcome: readOutcomeFile(own) }];
  // In the order the run ran them when its manifest says so, else by name.
  const order = readRunManifest(path)?.scenarios ?? [];
  const rank = (d: string): number => (order.includes(d) ? order.indexOf(d) : order.length);
  const found = readdirSync(path)
    .sort()
    .sort((a, b) => rank(a) - rank(b))
    .map((d) => join(path, d, 'outcome.json'))
    .filter((f) => existsSync(f));
  if (found.length === 0) throw new OutcomeReadError(`${path}: no outcome.json in it or in its subdirectories (is it a cinder-sim run's --out directory?)`);
  return found.map((file) => ({ file, outcome: readOutcomeFile(file) }));
}

/** A run directory's manifest (outdir.ts), or null when it has none (a scenario directory, an older run). */
export function readRunManifest(dir: string): RunManifest | null {
  const file = join(dir, RUN_MANIFEST);
  if (!existsSync(file)) return null;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new OutcomeReadError(`${file}: damaged run manifest: not valid JSON (${(e as Error).message})`);
  }
  const m = data as Partial<RunManifest> | null;
  if (typeof m?.seed !== 'string' || !Array.isArray(m.scenarios) || !m.scenarios.every((x) => typeof x === 'string')) {
    throw new OutcomeReadError(`${file}: damaged run manifest: expected { "seed": string, "scenarios": [string, ...] }`);
  }
  return { seed: m.seed, scenarios: m.scenarios };
}

/** A short name for messages: the scenario directory and file. */
export const shortName = (file: string): string => join(basename(join(file, '..')), basename(file));
