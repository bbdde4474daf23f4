import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { reports, type RunReport } from '../../../reports/index.js';
import { scenarioLines, summaryLines } from '../../../reports/text.js';
import { defaultCloudFactory } from '../../harness/simulated-cloud.js';
import { formatDuration } from '../../scenario/duration.js';
import { libraryDir, libraryFiles, liveLibraryFiles, packageRoot } from '../../scenario/library.js';
import { loadScenarioFile, type LoadedScenario } from '../../scenario/loader.js';
import { checkOutDir, prepareOutDir, runSeedLabel, writeRunManifest } from '../../scenario/outdir.js';
import type { RunOutcome } from '../../scenario/outcome.js';
import { formatProblem, formatWarning, ScenarioProblems, type Problem } from '../../scenario/problems.js';
import { RunAborted, runScenario } from '../../scenario/runner.js';
import { shellWord } from '../../scenario/sweep/plan.js';
import { baselinePlan } from '../baseline.js';
import { defineCommand } from '../command.js';
import { UserError, type CliIo } from '../io.js';
import { runLive } from '../live/run-live.js';
import { liveVmName, type LiveVmOptions } from '../live/vm.js';
import { vmDefaults } from '../../../drivers/loop-lvm/vm/control.js';
import { vmNamePattern } from '../../../drivers/loop-lvm/vm/paths.js';
import { seedFlag } from '../seed.js';
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
      .option('set', { type: 'string', array: true, describe: 'NODE:SECTION.OPTION=V or workload.NAME.PARAM=V: change a cinder.conf option or workload parameter for this run (as a sweep grid point does; repeatable)' })
      .option('live', {
        type: 'boolean',
        default: false,
        describe: 'run on the wall clock with the backends marked `driver: loop-lvm` real on this host (root, lvm2, tgt); built-in live scenarios: scenarios/live/',
      })
      .option('vm', {
        type: 'boolean',
        default: false,
        describe: "with --live: the loop-lvm backends run in the test VM (full mode: snapshots, thin), booted for the run and stopped after it; root, qemu-system-x86, mmdebstrap (for the image's first build)",
      })
      .option('vm-name', { type: 'string', describe: `with --vm: the test VM's name (default: ${liveVmName}); one already running is refused` })
      .option('iscsi-port', { type: 'number', describe: `with --vm: host port on 127.0.0.1 forwarded to the guest's iSCSI port (default ${vmDefaults.hostPort})` }),
  run(args, io) {
    if (args.seed !== undefined) seedFlag(args.seed);
    const names = (args.scenarios as string[] | undefined) ?? [];
    const sets = args.set ?? [];
    if (args.live) {
      for (const [flag, given] of [['--baseline', args.baseline !== undefined], ['--set', sets.length > 0], ['--records lean', args.records === 'lean']] as const) {
        if (given) throw new UserError(`${flag} is for simulated runs; a live run (--live) takes a scenario, --seed and --out`);
      }
      return runLiveScenarios(names, args.seed, args.out, io, vmOptions(args, io));
    }
    for (const [flag, given] of [['--vm', args.vm], ['--vm-name', args['vm-name'] !== undefined], ['--iscsi-port', args['iscsi-port'] !== undefined]] as const) {
      if (given) throw new UserError(`${flag} is for live runs: cinder-sim run --live --vm SCENARIO`);
    }
    const loaded = loadAll(scenarioFiles(names, io), io, sets);
    if (typeof loaded === 'number') return loaded;
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
        if (e instanceof RunAborted) return aborted(io, l, e);
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

function aborted(io: CliIo, l: LoadedScenario, e: RunAborted): number {
  io.stderr(`cinder-sim: ${l.scenario.name}: the run stopped at t=${formatDuration(e.atMs)} on a broken invariant (a bug):\n  ${e.message}\nreproduce: ${e.replay}\n`);
  return 70;
}

/** The test VM of `--live --vm`, its flags checked; undefined without --vm. */
function vmOptions(args: { vm: boolean; 'vm-name'?: string | undefined; 'iscsi-port'?: number | undefined }, io: CliIo): LiveVmOptions | undefined {
  if (!args.vm) {
    if (args['vm-name'] !== undefined || args['iscsi-port'] !== undefined) throw new UserError('--vm-name and --iscsi-port go with --vm');
    return undefined;
  }
  const name = args['vm-name'] ?? liveVmName;
  if (!vmNamePattern.test(name) || name === 'images') throw new UserError(`--vm-name "${name}" is not a test VM name (1-32 of a-z, 0-9 and _, starting with a letter or digit; not "images")`);
  const port = args['iscsi-port'];
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new UserError(`--iscsi-port ${String(port)} is not a valid port (1-65535)`);
  return { name, ...(port !== undefined ? { hostPort: port } : {}), progress: (line) => io.stderr(`vm: ${line}\n`) };
}

/**
 * `run --live`: each named scenario on the wall clock, its `driver:
 * loop-lvm` backends real on this host, one after the other; the same
 * outputs as a simulated run, marked live.
 */
async function runLiveScenarios(names: readonly string[], seedArg: string | undefined, out: string, io: CliIo, vm: LiveVmOptions | undefined): Promise<number> {
  if (names.length === 0) {
    const builtin = liveLibraryFiles().map(scenarioName);
    throw new UserError(`--live runs the scenarios you name, with real backends on this host; built-in live scenarios: ${builtin.join(', ') || '(none)'}`);
  }
  const loaded = loadAll(scenarioFiles(names, io, true), io, []);
  if (typeof loaded === 'number') return loaded;
  const outDir = resolve(io.cwd, out);
  const ok = checkOutDir(outDir);
  if (!ok.ok) throw new UserError(`refusing to write into --out ${out}: ${ok.reason}; name a new or empty directory`);
  const seedOf = (l: LoadedScenario): string => seedArg ?? (l.scenario.seed !== undefined ? String(l.scenario.seed) : DEFAULT_SEED);
  const seeds = [...new Set(loaded.map(seedOf))];
  const runSeed = runSeedLabel(seeds);
  io.stdout(`seed: ${seeds.length === 1 ? runSeed : loaded.map((l) => `${l.scenario.name}=${seedOf(l)}`).join(', ')} (live: wall clock, real backends${vm ? ' in the test VM' : ''})\n`);
  const outcomes: RunOutcome[] = [];
  for (const l of loaded) {
    const seed = seedOf(l);
    const replay = `cinder-sim run --live${vm ? ' --vm' : ''} ${l.file} --seed ${seed}`;
    let outcome: RunOutcome;
    try {
      outcome = await runLive(l, {
        seed,
        replay,
        onStarted: () => io.stdout(`live: ${l.scenario.name}: real backends set up${vm ? ' in the test VM' : ''}; running on the wall clock\n`),
        ...(vm ? { vm } : {}),
      });
    } catch (e) {
      if (e instanceof RunAborted) return aborted(io, l, e);
      throw e;
    }
    outcomes.push(outcome);
    io.stdout(scenarioLines(outcome).join('\n') + '\n\n');
  }
  const report: RunReport = { seed: runSeed, outcomes };
  writeOutputs(outDir, report);
  io.stdout(summaryLines(report).join('\n') + '\n');
  io.stdout(`outputs: ${out.replace(/\/+$/, '')}/\n`);
  return outcomes.some((o) => o.summary.expectations_failed > 0) ? 1 : 0;
}

/** Loads every file (with the --set changes); the loaded scenarios, or exit code 2 after printing every problem. */
function loadAll(files: readonly string[], io: CliIo, sets: readonly string[]): LoadedScenario[] | number {
  const loaded: LoadedScenario[] = [];
  const problems: Problem[] = [];
  for (const f of files) {
    try {
      const l = loadScenarioFile(f, baseFor(f, io));
      loaded.push(sets.length ? withSettings(l, readFileSync(f, 'utf8'), sets) : l);
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
