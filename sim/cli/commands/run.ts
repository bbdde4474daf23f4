import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { reports, type RunReport } from '../../../reports/index.js';
import { scenarioLines, summaryLines } from '../../../reports/text.js';
import { defaultCloudFactory } from '../../harness/simulated-cloud.js';
import { loadScenarioFile, type LoadedScenario } from '../../scenario/loader.js';
import { libraryDir, libraryFiles, liveLibraryFiles, packageRoot } from '../../scenario/library.js';
import { checkOutDir, prepareOutDir } from '../../scenario/outdir.js';
import type { RunOutcome } from '../../scenario/outcome.js';
import { formatProblem, formatWarning, ScenarioProblems, type Problem } from '../../scenario/problems.js';
import { RunAborted, runScenario } from '../../scenario/runner.js';
import { defineCommand } from '../command.js';
import { UserError, type CliIo } from '../io.js';
import { seedFlag } from '../seed.js';
import { runLive } from '../live/run-live.js';

const DEFAULT_SEED = '1';
const PROGRESS_EVERY_MS = 250;

export const runCommand = defineCommand({
  command: 'run [scenarios..]',
  describe: 'Run scenarios (default: the whole built-in library), check their expectations, write outcome.json and reports',
  builder: (y) =>
    y
      .positional('scenarios', { type: 'string', array: true, describe: 'scenario files, or names of built-in scenarios (cinder-sim list)' })
      .option('seed', { type: 'string', describe: `root seed (default: the scenario's seed, else ${DEFAULT_SEED})` })
      .option('out', { type: 'string', default: 'out', describe: 'output directory (created; only ever overwritten if cinder-sim made it)' })
      .option('live', {
        type: 'boolean',
        default: false,
        describe: 'run on the wall clock with the backends marked `driver: loop-lvm` real on this host (root, lvm2, tgt); built-in live scenarios: scenarios/live/',
      }),
  run(args, io) {
    if (args.seed !== undefined) seedFlag(args.seed);
    const names = (args.scenarios as string[] | undefined) ?? [];
    if (args.live) return runLiveScenarios(names, args.seed, args.out, io);
    const files = scenarioFiles(names, io);
    const loaded = loadAll(files, io);
    if (typeof loaded === 'number') return loaded;
    const outDir = resolve(io.cwd, args.out);
    const ok = checkOutDir(outDir);
    if (!ok.ok) throw new UserError(`refusing to write into --out ${args.out}: ${ok.reason}; name a new or empty directory`);

    const seedOf = (l: LoadedScenario): string => args.seed ?? (l.scenario.seed !== undefined ? String(l.scenario.seed) : DEFAULT_SEED);
    const seeds = [...new Set(loaded.map(seedOf))];
    // One seed for the run when --seed is given (or every scenario defaults to the same); else each scenario's own.
    const runSeed = seeds.length === 1 ? seeds[0]! : 'per-scenario';
    io.stdout(seeds.length === 1 ? `seed: ${runSeed}\n` : `seed: each scenario's own (${loaded.map((l) => `${l.scenario.name}=${seedOf(l)}`).join(', ')}); override with --seed N\n`);
    const outcomes: RunOutcome[] = [];
    for (const l of loaded) {
      const seed = seedOf(l);
      const replay = `cinder-sim run ${l.file} --seed ${seed}`;
      const progress = io.isTty ? progressLine(io, l.scenario.name) : undefined;
      let outcome: RunOutcome;
      try {
        outcome = runScenario(l, { seed, replay, cloud: defaultCloudFactory, ...(progress ? { progress: progress.update } : {}) });
      } catch (e) {
        progress?.clear();
        if (e instanceof RunAborted) return aborted(io, l, e);
        throw e;
      }
      progress?.clear();
      outcomes.push(outcome);
      io.stdout(scenarioLines(outcome).join('\n') + '\n\n');
    }
    return finish(outDir, args.out, { seed: runSeed, outcomes }, io);
  },
});

function aborted(io: CliIo, l: LoadedScenario, e: RunAborted): number {
  io.stderr(`cinder-sim: ${l.scenario.name}: the run stopped at t=${e.atMs} ms on a broken invariant (a bug):\n  ${e.message}\nreproduce: ${e.replay}\n`);
  return 70;
}

/** Writes outcome.json per scenario and the reports; prints the summary; the exit code. */
function finish(outDir: string, out: string, report: RunReport, io: CliIo): number {
  writeOutputs(outDir, report);
  io.stdout(summaryLines(report).join('\n') + '\n');
  io.stdout(`outputs: ${out.replace(/\/+$/, '')}/\n`);
  return report.outcomes.some((o) => o.summary.expectations_failed > 0) ? 1 : 0;
}

/**
 * `run --live`: each named scenario on the wall clock, its `driver:
 * loop-lvm` backends real on this host, one after the other; the same
 * outputs as a simulated run, marked live.
 */
async function runLiveScenarios(names: readonly string[], seedArg: string | undefined, out: string, io: CliIo): Promise<number> {
  if (names.length === 0) {
    const builtin = liveLibraryFiles().map(scenarioName);
    throw new UserError(`--live runs the scenarios you name, with real backends on this host; built-in live scenarios: ${builtin.join(', ') || '(none)'}`);
  }
  const loaded = loadAll(scenarioFiles(names, io, true), io);
  if (typeof loaded === 'number') return loaded;
  const outDir = resolve(io.cwd, out);
  const ok = checkOutDir(outDir);
  if (!ok.ok) throw new UserError(`refusing to write into --out ${out}: ${ok.reason}; name a new or empty directory`);
  const seedOf = (l: LoadedScenario): string => seedArg ?? (l.scenario.seed !== undefined ? String(l.scenario.seed) : DEFAULT_SEED);
  const seeds = [...new Set(loaded.map(seedOf))];
  const runSeed = seeds.length === 1 ? seeds[0]! : 'per-scenario';
  io.stdout(`seed: ${seeds.length === 1 ? runSeed : loaded.map((l) => `${l.scenario.name}=${seedOf(l)}`).join(', ')} (live: wall clock, real backends)\n`);
  const outcomes: RunOutcome[] = [];
  for (const l of loaded) {
    const seed = seedOf(l);
    const replay = `cinder-sim run --live ${l.file} --seed ${seed}`;
    let outcome: RunOutcome;
    try {
      outcome = await runLive(l, { seed, replay, onStarted: () => io.stdout(`live: ${l.scenario.name}: real backends set up; running on the wall clock\n`) });
    } catch (e) {
      if (e instanceof RunAborted) return aborted(io, l, e);
      throw e;
    }
    outcomes.push(outcome);
    io.stdout(scenarioLines(outcome).join('\n') + '\n\n');
  }
  return finish(outDir, out, { seed: runSeed, outcomes }, io);
}

/** Loads every file; the loaded scenarios, or exit code 2 after printing every problem. */
function loadAll(files: readonly string[], io: CliIo): LoadedScenario[] | number {
    const loaded: LoadedScenario[] = [];
    const problems: Problem[] = [];
    for (const f of files) {
      try {
        loaded.push(loadScenarioFile(f, baseFor(f, io)));
      } catch (e) {
        if (!(e instanceof ScenarioProblems)) throw e;
        problems.push(...e.problems);
      }
    }
    if (problems.length) {
      for (const p of problems) io.stderr(formatProblem(p) + '\n');
      io.stderr(`${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was run\n`);
      return 2;
    }
    for (const l of loaded) for (const w of l.warnings) io.stderr(formatWarning(w) + '\n');
    const names = new Set<string>();
    for (const l of loaded) {
      if (names.has(l.scenario.name)) throw new UserError(`two scenarios are named '${l.scenario.name}'; their outputs would collide in --out`);
      names.add(l.scenario.name);
    }
    return loaded;
}

/** Files named on the command line, built-in names, or the whole library. */
function scenarioFiles(args: readonly string[], io: CliIo, live = false): string[] {
  if (args.length === 0) {
    const all = libraryFiles();
    if (all.length === 0) throw new UserError(`no built-in scenarios in ${libraryDir()}`);
    return all;
  }
  // A live run finds the built-in live scenarios (scenarios/live/) too.
  const builtins = live ? [...liveLibraryFiles(), ...libraryFiles()] : libraryFiles();
  return args.map((a) => {
    if (existsSync(resolve(io.cwd, a))) return resolve(io.cwd, a);
    const builtin = builtins.find((f) => scenarioName(f) === a);
    if (builtin) return builtin;
    throw new UserError(`no scenario file '${a}' and no built-in scenario of that name; built-in: ${builtins.map(scenarioName).join(', ')}`);
  });
}

const scenarioName = (file: string): string => file.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/, '');

/** Built-in scenarios are named relative to the package root (outputs carry no absolute paths). */
function baseFor(file: string, io: CliIo): string {
  return file.startsWith(libraryDir() + '/') ? packageRoot() : io.cwd;
}

function writeOutputs(outDir: string, report: RunReport): void {
  prepareOutDir(outDir);
  for (const o of report.outcomes) {
    const dir = join(outDir, o.scenario);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'outcome.json'), JSON.stringify(o, null, 1) + '\n');
  }
  for (const r of Object.values(reports)) writeFileSync(join(outDir, r.file), r.render(report));
}

/** A `\r`-rewritten progress line, at most every PROGRESS_EVERY_MS of wall time (terminals only). */
function progressLine(io: CliIo, name: string): { update: (now: number, end: number) => void; clear: () => void } {
  let last = performance.now();
  let shown = false;
  return {
    update(now, end) {
      const t = performance.now();
      if (t - last < PROGRESS_EVERY_MS) return;
      last = t;
      shown = true;
      io.stdout(`\r${name}: t=${Math.round(now / 1000)}s of ${Math.round(end / 1000)}s (${Math.floor((100 * now) / end)}%)   `);
    },
    clear() {
      if (shown) io.stdout('\r' + ' '.repeat(70) + '\r');
    },
  };
}
