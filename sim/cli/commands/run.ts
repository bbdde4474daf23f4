import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { reports, type RunReport } from '../../../reports/index.js';
import { scenarioLines, summaryLines } from '../../../reports/text.js';
import { defaultCloudFactory } from '../../harness/simulated-cloud.js';
import { loadScenarioFile, type LoadedScenario } from '../../scenario/loader.js';
import { libraryDir, libraryFiles, packageRoot } from '../../scenario/library.js';
import { checkOutDir, prepareOutDir, runSeedLabel, writeRunManifest } from '../../scenario/outdir.js';
import { formatDuration } from '../../scenario/duration.js';
import type { RunOutcome } from '../../scenario/outcome.js';
import { formatProblem, formatWarning, ScenarioProblems, type Problem } from '../../scenario/problems.js';
import { RunAborted, runScenario } from '../../scenario/runner.js';
import { baselinePlan } from '../baseline.js';
import { defineCommand } from '../command.js';
import { UserError, type CliIo } from '../io.js';
import { seedFlag } from '../seed.js';
import { shellWord } from '../../scenario/sweep/plan.js';
import { withSettings } from '../sweep/scenario-arg.js';

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
      .option('baseline', { type: 'string', describe: "compare each scenario's scheduling decisions with DIR/<scenario>.decisions.txt (exit 1 when one changed)" })
      .option('update-baseline', { type: 'boolean', default: false, describe: 'write the baselines into --baseline DIR instead of comparing' })
      .option('records', { choices: ['all', 'lean'] as const, default: 'all' as const, describe: "what outcome.json keeps: 'all' (every request and decision with its trace) or 'lean' (counts, a decisions digest, the steps' own requests; for long runs; explain replays them)" })
      .option('set', { type: 'string', array: true, describe: 'NODE:SECTION.OPTION=V or workload.NAME.PARAM=V: change a cinder.conf option or workload parameter for this run (as a sweep grid point does; repeatable)' }),
  run(args, io) {
    if (args.seed !== undefined) seedFlag(args.seed);
    const files = scenarioFiles((args.scenarios as string[] | undefined) ?? [], io);
    const sets = args.set ?? [];
    const loaded: LoadedScenario[] = [];
    const problems: Problem[] = [];
    for (const f of files) {
      try {
        loaded.push(withSettings(loadScenarioFile(f, baseFor(f, io)), readFileSync(f, 'utf8'), sets));
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
    const outDir = resolve(io.cwd, args.out);
    const ok = checkOutDir(outDir);
    if (!ok.ok) throw new UserError(`refusing to write into --out ${args.out}: ${ok.reason}; name a new or empty directory`);

    const seedOf = (l: LoadedScenario): string => args.seed ?? (l.scenario.seed !== undefined ? String(l.scenario.seed) : DEFAULT_SEED);
    const seeds = [...new Set(loaded.map(seedOf))];
    // One seed for the run when --seed is given (or every scenario defaults to the same); else each scenario's own.
    const runSeed = runSeedLabel(seeds);
    const baseline = baselinePlan(args.baseline, args['update-baseline'], loaded.map((l) => ({ name: l.scenario.name, seed: seedOf(l) })), io);
    io.stdout(seeds.length === 1 ? `seed: ${runSeed}\n` : `seed: each scenario's own (${loaded.map((l) => `${l.scenario.name}=${seedOf(l)}`).join(', ')}); override with --seed N\n`);
    const outcomes: RunOutcome[] = [];
    for (const l of loaded) {
      const seed = seedOf(l);
      const replay = `cinder-sim run ${l.file} --seed ${seed}${sets.map((x) => ` --set ${shellWord(x)}`).join('')}${args.records === 'lean' ? ' --records lean' : ''}`;
      const progress = io.isTty ? progressLine(io, l.scenario.name) : undefined;
      let outcome: RunOutcome;
      try {
        outcome = runScenario(l, { seed, replay, cloud: defaultCloudFactory, records: args.records, ...(progress ? { progress: progress.update } : {}) });
      } catch (e) {
        progress?.clear();
        if (e instanceof RunAborted) {
          io.stderr(`cinder-sim: ${l.scenario.name}: the run stopped at t=${formatDuration(e.atMs)} on a broken invariant (a bug):\n  ${e.message}\nreproduce: ${e.replay}\n`);
          return 70;
        }
        throw e;
      }
      progress?.clear();
      if (baseline) outcome.baseline = baseline.record(outcome);
      outcomes.push(outcome);
      io.stdout(scenarioLines(outcome).join('\n') + '\n\n');
    }
    const report: RunReport = { seed: runSeed, outcomes };
    writeOutputs(outDir, report);
    baseline?.finish(outcomes);
    io.stdout(summaryLines(report).join('\n') + '\n');
    io.stdout(`outputs: ${args.out.replace(/\/+$/, '')}/\n`);
    return outcomes.some((o) => o.summary.expectations_failed > 0 || (o.baseline?.mode === 'compared' && o.baseline.diff.changed > 0)) ? 1 : 0;
  },
});

/** Files named on the command line, built-in names, or the whole library. */
function scenarioFiles(args: readonly string[], io: CliIo): string[] {
  if (args.length === 0) {
    const all = libraryFiles();
    if (all.length === 0) throw new UserError(`no built-in scenarios in ${libraryDir()}`);
    return all;
  }
  return args.map((a) => {
    if (existsSync(resolve(io.cwd, a))) return resolve(io.cwd, a);
    const builtin = libraryFiles().find((f) => f.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/, '') === a);
    if (builtin) return builtin;
    const names = libraryFiles().map((f) => f.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/, ''));
    throw new UserError(`no scenario file '${a}' and no built-in scenario of that name; built-in: ${names.join(', ')}`);
  });
}

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
  writeRunManifest(outDir, { seed: report.seed, scenarios: report.outcomes.map((o) => o.scenario) });
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
      io.stdout(`\r${name}: t=${formatDuration(Math.floor(now / 1000) * 1000)} of ${formatDuration(end)} (${Math.floor((100 * now) / end)}%)   `);
    },
    clear() {
      if (shown) io.stdout('\r' + ' '.repeat(70) + '\r');
    },
  };
}
