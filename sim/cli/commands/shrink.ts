import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NothingToShrink, shrinkScenario, type ShrinkSize } from '../../scenario/shrink.js';
import { defineCommand } from '../command.js';
import { UserError } from '../io.js';
import { seedFlag } from '../seed.js';
import { loadScenarioArg } from '../sweep/scenario-arg.js';

const DEFAULT_MAX_RUNS = 300;

export const shrinkCommand = defineCommand({
  command: 'shrink <scenario>',
  describe: 'Reduce a scenario that fails (an expectation or an invariant) under a seed to a small one that fails the same way, and write it',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file, or the name of a built-in scenario' })
      .option('seed', { type: 'string', demandOption: true, describe: 'the seed under which it fails' })
      .option('out', { type: 'string', describe: 'file to write (default: <name>.shrunk.yaml)' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite --out if it exists' })
      .option('max-runs', { type: 'number', default: DEFAULT_MAX_RUNS, describe: 'at most this many runs while reducing' }),
  run(args, io) {
    const seed = seedFlag(args.seed);
    const maxRuns = args['max-runs'];
    if (!Number.isInteger(maxRuns) || maxRuns < 1) throw new UserError(`--max-runs must be a positive integer, got ${String(maxRuns)}`);
    const { loaded, text } = loadScenarioArg(args.scenario, io);
    const out = args.out ?? `${loaded.scenario.name}.shrunk.yaml`;
    const path = resolve(io.cwd, out);
    if (existsSync(path) && !args.force) throw new UserError(`refusing to overwrite ${out}: it exists; name another --out or add --force`);
    let r;
    try {
      r = shrinkScenario(loaded, text, seed, maxRuns);
    } catch (e) {
      if (e instanceof NothingToShrink) throw new UserError(e.message);
      throw e;
    }
    writeFileSync(path, `# Shrunk by: cinder-sim shrink ${loaded.file} --seed ${seed}\n# Fails as the original did: ${r.failure.kind === 'expectation' ? `expectation ${r.failure.text}` : `invariant ${r.failure.message}`}\n# Signature held: ${r.failure.signature.replace(/\n/g, ' ')}\n${r.text}`);
    const f = r.failure;
    io.stdout(`failure kept: ${f.kind === 'expectation' ? `expectation ${f.text} fails (${f.detail})` : `invariant broken: ${f.message}`}\n`);
    io.stdout(`signature held: ${f.signature}\n`);
    io.stdout(`size before -> after (${r.runs} runs):\n${sizeLines(r.before, r.after)}`);
    io.stdout(r.removed.length ? `removed or reduced:\n${r.removed.map((x) => `  ${x}`).join('\n')}\n` : 'nothing could be removed: every part is needed for this failure\n');
    io.stdout(`wrote ${out}; replay: cinder-sim run ${out} --seed ${seed}\n`);
    return 0;
  },
});

function sizeLines(a: ShrinkSize, b: ShrinkSize): string {
  return (Object.keys(a) as (keyof ShrinkSize)[]).map((k) => `  ${k.padEnd(12)} ${String(a[k]).padStart(8)} -> ${String(b[k])}`).join('\n') + '\n';
}
