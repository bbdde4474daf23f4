import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../scenario/library.js';
import { prepareOutDir } from '../../scenario/outdir.js';
import { GridError, parseAxis } from '../../scenario/sweep/grid.js';
import { assembleSweep } from '../../scenario/sweep/model.js';
import { inShard, makePart, parseShard, partFileName, partJson, planSweep } from '../../scenario/sweep/plan.js';
import { defineCommand } from '../command.js';
import { UserError } from '../io.js';
import { seedFlag } from '../seed.js';
import { outDirFor, sweepExit, writeSweep } from '../sweep/output.js';
import { runJobs } from '../sweep/pool.js';
import { progressBar } from '../sweep/progress.js';
import { loadScenarioArg } from '../sweep/scenario-arg.js';

const DEFAULT_ROOT_SEED = '1';

export const sweepCommand = defineCommand({
  command: 'sweep <scenario>',
  describe: 'Run a scenario over a grid of cinder.conf options and workload parameters for N seeds each (lean runs, all cores), and report distributions',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file, or the name of a built-in scenario' })
      .option('seeds', { type: 'number', demandOption: true, describe: "runs per grid point; run seed k is '<root-seed>-<k>'" })
      .option('grid', { type: 'string', array: true, describe: 'NODE:SECTION.OPTION=v1,v2 or workload.NAME.PARAM=v1,v2 (repeatable; points are the cartesian product)' })
      .option('root-seed', { type: 'string', describe: `root seed (default: the scenario's seed, else ${DEFAULT_ROOT_SEED})` })
      .option('out', { type: 'string', default: 'out/sweep', describe: 'output directory: sweep.json and sweep.html (with --shard: the part)' })
      .option('workers', { type: 'number', describe: 'worker threads (default: this machine\'s cores)' })
      .option('shard', { type: 'string', describe: 'i/n: run only runs whose index mod n is i-1 and write DIR/sweep.part-i-of-n.json (cinder-sim merge joins them)' })
      .option('json', { type: 'boolean', default: false, describe: 'print sweep.json instead of the table' }),
  async run(args, io) {
    const seeds = args.seeds;
    if (!Number.isInteger(seeds) || seeds < 1) throw new UserError(`--seeds must be a positive integer, got ${String(seeds)}`);
    const workers = args.workers ?? availableParallelism();
    if (!Number.isInteger(workers) || workers < 1) throw new UserError(`--workers must be a positive integer, got ${String(args.workers)}`);
    const { loaded, text } = loadScenarioArg(args.scenario, io);
    const rootSeed = seedFlag(args['root-seed'] ?? (loaded.scenario.seed !== undefined ? String(loaded.scenario.seed) : DEFAULT_ROOT_SEED));
    let plan;
    let shard;
    try {
      const grid = (args.grid ?? []).map(parseAxis);
      plan = planSweep({ loaded, text, grid, seeds, rootSeed, cinderSimVersion: packageVersion() });
      shard = args.shard !== undefined ? parseShard(args.shard) : null;
    } catch (e) {
      if (e instanceof GridError) throw new UserError(e.message);
      throw e;
    }
    const dir = outDirFor(io, args.out);
    const jobs = shard ? plan.jobs.filter((j) => inShard(j.index, shard)) : plan.jobs;
    const bar = progressBar(io, jobs.length);
    const runs = await runJobs(jobs, workers, bar.update);
    bar.clear();
    if (shard) {
      prepareOutDir(dir);
      const name = partFileName(shard);
      writeFileSync(join(dir, name), partJson(makePart(plan.identity, shard, runs)));
      io.stdout(`shard ${shard.index}/${shard.count}: ${runs.length} of ${plan.jobs.length} runs; wrote ${args.out.replace(/\/+$/, '')}/${name}\nmerge every part with: cinder-sim merge DIR... --out DIR\n`);
      return runs.some((r) => r.aborted !== null) ? 70 : 0;
    }
    const result = assembleSweep(plan.identity, runs);
    writeSweep(io, dir, args.out, result, args.json);
    return sweepExit(result);
  },
});

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
}
