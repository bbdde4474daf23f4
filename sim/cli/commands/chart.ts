import { chartGroupings, type ChartBy } from '../../../reports/capacity-series.js';
import { legendLines, scenarioCharts } from '../../../reports/chart.js';
import { OutcomeReadError, readRun } from '../../scenario/outcome-read.js';
import { defineCommand } from '../command.js';
import { UserError } from '../io.js';

/** Narrower than this, a chart has no room for its time axis. */
const MIN_WIDTH = 40;
const DEFAULT_WIDTH = 80;

export const chartCommand = defineCommand({
  command: 'chart <run>',
  describe: 'Chart a run\'s capacity over virtual time in the terminal: used, provisioned and the usable limit, per pool, availability zone or volume type',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: "an outcome.json, a scenario's output directory or a run's --out directory" })
      .option('by', { type: 'string', describe: `pool, az or type (default: all three)` })
      .option('width', { type: 'string', describe: `columns (default: the terminal's width, else ${DEFAULT_WIDTH})` }),
  run(args, io) {
    const by = args.by === undefined ? undefined : chartBy(args.by);
    // Read as text so that a refusal quotes what was typed (yargs turns "abc" into NaN).
    const width = args.width === undefined ? (io.columns ?? DEFAULT_WIDTH) : /^\d+$/.test(args.width.trim()) ? Number(args.width) : NaN;
    if (!Number.isInteger(width) || width < MIN_WIDTH) throw new UserError(`--width ${String(args.width)}: give a whole number of columns, at least ${MIN_WIDTH}`);
    let runs;
    try {
      runs = readRun(args.run);
    } catch (e) {
      if (e instanceof OutcomeReadError) throw new UserError(e.message);
      throw e;
    }
    const color = io.isTty;
    const out = [...legendLines(color, width)];
    for (const r of runs) out.push('', ...scenarioCharts(r.outcome, { width, color, ...(by ? { by: [by] } : {}) }));
    io.stdout(out.join('\n') + '\n');
    return 0;
  },
});

function chartBy(v: string): ChartBy {
  if ((chartGroupings as readonly string[]).includes(v)) return v as ChartBy;
  throw new UserError(`--by ${v}: not a grouping; valid: ${chartGroupings.join(', ')}`);
}
