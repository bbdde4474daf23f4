import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file that marks a directory as cinder-sim's output, so a rerun may overwrite it. */
export const OUT_MARKER = '.cinder-sim-out';

export type OutDirCheck = { ok: true } | { ok: false; reason: string };

/**
 * May a run write into `dir`?  Yes when it does not exist, is empty, or
 * carries the marker of an earlier run; never a user's own directory.
 */
export function checkOutDir(dir: string): OutDirCheck {
  if (!existsSync(dir)) return { ok: true };
  if (!statSync(dir).isDirectory()) return { ok: false, reason: 'it exists and is not a directory' };
  const entries = readdirSync(dir);
  if (entries.length === 0 || entries.includes(OUT_MARKER)) return { ok: true };
  return { ok: false, reason: `it exists, is not empty and was not made by cinder-sim (no ${OUT_MARKER} file in it)` };
}

export function prepareOutDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, OUT_MARKER), 'This directory holds cinder-sim run outputs; cinder-sim may overwrite it.\n');
}

/**
 * The run's manifest in its --out directory: the seed its reports name and
 * its scenarios in the order they ran, so `cinder-sim report` renders the
 * reports again exactly as `run` did.
 */
export const RUN_MANIFEST = 'run.json';

export interface RunManifest {
  /** The reports' seed: the run's one seed, or `per-scenario` (runSeedLabel). */
  seed: string;
  /** Scenario names, in the order the run ran them (and its reports list them). */
  scenarios: string[];
}

/** The seed a run's reports name: its one seed, or `per-scenario` when its scenarios ran with different seeds. */
export function runSeedLabel(seeds: readonly string[]): string {
  const distinct = [...new Set(seeds)];
  return distinct.length === 1 ? distinct[0]! : 'per-scenario';
}

export function writeRunManifest(dir: string, m: RunManifest): void {
  writeFileSync(join(dir, RUN_MANIFEST), JSON.stringify({ run_manifest_version: 1, seed: m.seed, scenarios: m.scenarios }, null, 1) + '\n');
}
