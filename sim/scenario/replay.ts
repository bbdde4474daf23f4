/**
 * Explaining a request of a lean run: its records hold no traces, so the
 * run is replayed (the same scenario and seed, lean, fast path) up to that
 * request's decision, made with the full trace, and the replay is checked
 * against what the run recorded: its digest checkpoints, and the output of
 * every step run before the stop.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultCloudFactory, type CloudFactory } from '../harness/simulated-cloud.js';
import { libraryFiles, packageRoot } from './library.js';
import { loadScenarioFile, type LoadedScenario } from './loader.js';
import type { DecisionRecord, RequestRecord, RunOutcome } from './outcome.js';
import { ScenarioProblems } from './problems.js';
import { replayToRequest } from './runner.js';
import type { WatchSpec } from './run/watch.js';

export type { WatchSpec } from './run/watch.js';

/** A replay that cannot start: the message says why and what to do. */
export class ReplayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayError';
  }
}

export interface ReplayCheck {
  stoppedAtMs: number;
  decisionsReplayed: number;
  checkpointsChecked: number;
  agrees: boolean;
  notes: string[];
}

export interface ReplayAnswer {
  requests: RequestRecord[];
  decisions: DecisionRecord[];
  check: ReplayCheck;
}

/** The scenario a run was made from: outcome.file relative to `cwd`, a built-in scenario, or `builtin:<name>`. */
export function scenarioOf(o: RunOutcome, cwd: string): LoadedScenario {
  const builtin = o.file.startsWith('builtin:') ? o.file.slice('builtin:'.length) : null;
  const candidates: { file: string; base: string }[] = [];
  if (builtin === null) candidates.push({ file: resolve(cwd, o.file), base: cwd }, { file: resolve(packageRoot(), o.file), base: packageRoot() });
  const lib = libraryFiles().find((f) => f.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/, '') === (builtin ?? o.scenario));
  if (lib && (builtin !== null || o.file.startsWith('scenarios/'))) candidates.push({ file: lib, base: packageRoot() });
  const found = candidates.find((c) => existsSync(c.file));
  if (!found) throw new ReplayError(`the run is lean (it keeps no traces) and its scenario file ${o.file} is not found from ${cwd}: run explain where the run was made, or run the scenario again with --records all`);
  try {
    return loadScenarioFile(found.file, found.base);
  } catch (e) {
    if (e instanceof ScenarioProblems) throw new ReplayError(`the run is lean and its scenario file ${o.file} no longer loads (${e.problems.length} problem(s), first: ${e.problems[0]?.message ?? ''}): it changed since the run`);
    throw e;
  }
}

/** Replay the lean run `o` up to the watched request's decision and check the replay against the run. */
export function replayForExplain(o: RunOutcome, spec: WatchSpec, cwd: string, cloud: CloudFactory = defaultCloudFactory): ReplayAnswer {
  const loaded = scenarioOf(o, cwd);
  const notes: string[] = [];
  let agrees = true;
  if (o.scenario_sha256 !== undefined && loaded.sha256 !== o.scenario_sha256) {
    agrees = false;
    notes.push(`the scenario ${o.file} changed since the run (its digest differs): the replay runs the file as it is now, so it may not be the run recorded`);
  } else if (o.scenario_sha256 === undefined) notes.push('the outcome carries no scenario digest: whether the scenario changed since cannot be told');
  const r = replayToRequest(loaded, { seed: o.seed, cloud, replay: o.replay }, spec);
  const recorded = new Map((o.summary.decisions_checkpoints ?? []).map((c) => [c.decisions, c]));
  let checked = 0;
  for (const c of r.checkpoints) {
    const want = recorded.get(c.decisions);
    if (want === undefined) continue;
    checked++;
    if (want.digest !== c.digest || want.at_ms !== c.at_ms) {
      if (agrees) notes.push(`the replay's decisions differ from the run's by decision ${c.decisions} (digest ${c.digest} at t=${c.at_ms} ms, the run recorded ${want.digest} at t=${want.at_ms} ms)`);
      agrees = false;
    }
  }
  for (const st of r.steps) {
    const want = o.steps.find((x) => x.id === st.id);
    // A step answered but not yet printed when the replay stopped has nothing to compare.
    if (want && st.output !== '' && (want.output !== st.output || want.exit_status !== st.exit_status)) {
      agrees = false;
      notes.push(`step ${st.id} printed otherwise in the replay than in the run`);
    }
  }
  if (r.decisions.length === 0 && r.requests.length > 0 && r.requests[0]!.ok) notes.push('the replay reached the end of the run without a decision about it');
  return { requests: r.requests, decisions: r.decisions, check: { stoppedAtMs: r.stoppedAtMs, decisionsReplayed: r.decisionsSeen, checkpointsChecked: checked, agrees, notes } };
}
