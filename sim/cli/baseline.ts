import { existsSync, mkdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { BaselineError, baselineFile, checkBaselineTarget, compareWithBaseline, readBaseline, writeBaseline, writtenBaseline, type BaselineRecord } from '../scenario/baseline.js';
import type { RunOutcome } from '../scenario/outcome.js';
import { UserError, type CliIo } from './io.js';

/** What `run --baseline DIR [--update-baseline]` does around the scenarios it runs. */
export interface BaselinePlan {
  /** The record of one scenario's outcome (compared with its baseline, or to be written). */
  record(o: RunOutcome): BaselineRecord;
  /** After the run: --update-baseline writes the files; a compare writes nothing. */
  finish(outcomes: readonly RunOutcome[]): void;
}

/**
 * Checks every scenario's baseline before anything runs: with
 * --update-baseline, that no file in the way is a user's; without it, that
 * each baseline exists, is one, and was recorded with the run's seed.
 * Throws UserError (exit 2) naming the file and what to do.
 */
export function baselinePlan(dirArg: string | undefined, update: boolean, scenarios: readonly { name: string; seed: string }[], io: CliIo): BaselinePlan | null {
  if (dirArg === undefined) {
    if (update) throw new UserError('--update-baseline needs --baseline DIR: the directory the baselines are written to');
    return null;
  }
  const dir = resolve(io.cwd, dirArg);
  // Files are named as the user would (relative to the working directory), never by an absolute path of ours.
  const rel = relative(io.cwd, dir);
  const shown = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? dirArg.replace(/\/+$/, '') : rel;
  try {
    if (update) {
      const targets = new Map(scenarios.map((s) => [s.name, checkBaselineTarget(dir, shown, s.name)]));
      return {
        record: (o) => writtenBaseline(o, targets.get(o.scenario)!),
        finish(outcomes) {
          mkdirSync(dir, { recursive: true });
          for (const o of outcomes) writeBaseline(dir, o);
        },
      };
    }
    const missing = scenarios.filter((s) => !existsSync(join(dir, baselineFile(s.name))));
    if (missing.length) {
      throw new UserError(
        `no baseline in ${shown} for ${missing.map((s) => s.name).join(', ')}: record ${missing.length === 1 ? 'it' : 'them'} first with \`cinder-sim run ... --baseline ${shown} --update-baseline\` (and commit the .decisions.txt files)`,
      );
    }
    const bases = new Map(scenarios.map((s) => [s.name, readBaseline(dir, shown, s.name, s.seed)]));
    return { record: (o) => compareWithBaseline(o, bases.get(o.scenario)!), finish() {} };
  } catch (e) {
    if (e instanceof BaselineError) throw new UserError(e.message);
    throw e;
  }
}
