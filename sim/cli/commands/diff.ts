import { resolve } from 'node:path';
import { runDiffText } from '../../../reports/diff.js';
import { diffRuns, type DiffSide } from '../../scenario/diff.js';
import { OutcomeReadError, readRun } from '../../scenario/outcome-read.js';
import { defineCommand } from '../command.js';
import { UserError, type CliIo } from '../io.js';

/** Version of `diff --json`'s shape. */
const DIFF_JSON_VERSION = 1;

export const diffCommand = defineCommand({
  command: 'diff <baseline> <candidate>',
  describe: 'Compare the scheduling decisions of two runs of the same scenarios and seeds: what moved, what changed outcome or weight order, and which filter or weigher made the difference (exit 0 same, 1 changed, 2 not comparable)',
  builder: (y) =>
    y
      .positional('baseline', { type: 'string', demandOption: true, describe: "the earlier run: an outcome.json, a scenario's output directory or a run's --out directory" })
      .positional('candidate', { type: 'string', demandOption: true, describe: 'the run to compare with it, of the same kind' })
      .option('json', { type: 'boolean', default: false, describe: 'print the diff as JSON' }),
  run(args, io) {
    const base = side(args.baseline, io);
    const cand = side(args.candidate, io);
    const verdict = diffRuns(base, cand);
    if (!verdict.comparable) {
      if (args.json) io.stdout(JSON.stringify({ diff_json_version: DIFF_JSON_VERSION, comparable: false, reason: verdict.reason }, null, 2) + '\n');
      throw new UserError(`the runs are not comparable: ${verdict.reason}`);
    }
    const d = verdict.diff;
    if (args.json) io.stdout(JSON.stringify({ diff_json_version: DIFF_JSON_VERSION, comparable: true, baseline: base.label, candidate: cand.label, ...d }, null, 2) + '\n');
    else io.stdout(runDiffText(d, base.label, cand.label));
    return d.changed > 0 || d.digests_differ ? 1 : 0;
  },
});

function side(path: string, io: CliIo): DiffSide {
  try {
    return { label: path, outcomes: readRun(resolve(io.cwd, path)) };
  } catch (e) {
    if (e instanceof OutcomeReadError) throw new UserError(e.message);
    throw e;
  }
}
