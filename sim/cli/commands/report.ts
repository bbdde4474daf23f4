import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { reports, type RunReport } from '../../../reports/index.js';
import { OutcomeReadError, readRun, readRunManifest } from '../../scenario/outcome-read.js';
import { checkOutDir, OUT_MARKER, prepareOutDir, runSeedLabel } from '../../scenario/outdir.js';
import { defineCommand } from '../command.js';
import { UserError } from '../io.js';

export const reportCommand = defineCommand({
  command: 'report <run>',
  describe: "Render every report again from a run's outcome files (byte-identical to what `run` wrote)",
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: "a run's --out directory, a scenario's output directory or an outcome.json" })
      .option('out', { type: 'string', describe: "where to write the reports (default: RUN itself when it is a run's --out directory)" }),
  run(args, io) {
    const runPath = resolve(io.cwd, args.run);
    const isRunDir = existsSync(runPath) && statSync(runPath).isDirectory() && existsSync(join(runPath, OUT_MARKER)) && !existsSync(join(runPath, 'outcome.json'));
    let report: RunReport;
    try {
      const read = readRun(runPath);
      const manifest = isRunDir ? readRunManifest(runPath) : null;
      const outcomes = read.map((r) => r.outcome);
      report = { seed: manifest?.seed ?? runSeedLabel(outcomes.map((o) => o.seed)), outcomes };
    } catch (e) {
      if (e instanceof OutcomeReadError) throw new UserError(e.message);
      throw e;
    }
    if (args.out === undefined && !isRunDir) throw new UserError(`${args.run} is one scenario's outcome, not a run's --out directory: name where the reports go with --out DIR`);
    const outDir = args.out === undefined ? runPath : resolve(io.cwd, args.out);
    const ok = checkOutDir(outDir);
    if (!ok.ok) throw new UserError(`refusing to write into --out ${args.out ?? args.run}: ${ok.reason}; name a new or empty directory`);
    prepareOutDir(outDir);
    const files = Object.values(reports).map((r) => {
      writeFileSync(join(outDir, r.file), r.render(report));
      return r.file;
    });
    io.stdout(`${report.outcomes.length} scenario${report.outcomes.length === 1 ? '' : 's'} (seed ${report.seed}): ${files.join(', ')} in ${(args.out ?? args.run).replace(/\/+$/, '')}/\n`);
    return 0;
  },
});
