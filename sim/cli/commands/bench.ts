import { resolve } from 'node:path';
import { benches, type BenchName } from '../bench/index.js';
import type { BenchFigures } from '../bench/types.js';
import { defineCommand } from '../command.js';
import { UserError } from '../io.js';
import { seedFlag } from '../seed.js';

export const benchCommand = defineCommand({
  command: 'bench <what>',
  describe: 'Measure speed and memory; prints figures (JSON with --json)',
  builder: (y) =>
    y
      .positional('what', { choices: Object.keys(benches) as BenchName[], demandOption: true, describe: 'which benchmark' })
      .option('seed', { type: 'string', default: '1', describe: 'root seed' })
      .option('processes', { type: 'number', describe: 'engine: concurrent processes' })
      .option('events', { type: 'number', describe: 'engine: events in total' })
      .option('backends', { type: 'number', describe: 'scheduler/scenario/sweep: backends' })
      .option('requests', { type: 'number', describe: 'scheduler/scenario/sweep: requests' })
      .option('volumes', { type: 'number', describe: 'capacity: at most this many placements' })
      .option('years', { type: 'number', describe: 'scenario/sweep: simulated years' })
      .option('cinder', { type: 'string', describe: "schedule: requests the real Cinder decides for comparison (default 100; 0 skips it); scenario: the real Cinder decides the run's first N creates on its fleet (not run without --cinder; --cinder alone: 100)" })
      .option('shards', { type: 'number', describe: 'merge: shard parts (default 100; --requests: runs, default 10000)' })
      .option('workers', { type: 'number', describe: 'sweep: worker threads compared with one (default: the cores, at least 2)' })
      .option('seeds', { type: 'number', describe: 'sweep: runs in the sweep (default 4 x workers)' })
      .option('rounds', { type: 'number', describe: 'sweep: measurements of each side, alternating (default 2)' })
      .option('write-case', { type: 'string', describe: 'schedule: keep the generated case in this file' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON line' }),
  run(args, io) {
    const figures = benches[args.what].run({
      seed: seedFlag(args.seed),
      processes: args.processes,
      events: args.events,
      backends: args.backends,
      requests: args.requests,
      volumes: args.volumes,
      years: args.years,
      cinder: cinderSample(args.cinder),
      shards: args.shards,
      workers: args.workers,
      seeds: args.seeds,
      rounds: args.rounds,
      ...(args['write-case'] !== undefined ? { writeCase: resolve(io.cwd, args['write-case']) } : {}),
    });
    io.stdout(args.json ? JSON.stringify(figures) + '\n' : table(figures));
    return 0;
  },
});

/** --cinder N; given without a value, 100. */
function cinderSample(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v === '') return 100;
  if (!/^\d+$/.test(v)) throw new UserError(`bench: --cinder must be a whole number of requests (0: do not run Cinder), got '${v}'`);
  return Number(v);
}

function table(f: BenchFigures): string {
  const w = Math.max(...Object.keys(f).map((k) => k.length));
  return Object.entries(f).map(([k, v]) => `${k.padEnd(w)}  ${String(v)}`).join('\n') + '\n';
}
