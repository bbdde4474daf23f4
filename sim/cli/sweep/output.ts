import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sweepHtml } from '../../../reports/sweep-html.js';
import { sweepText } from '../../../reports/sweep-text.js';
import { checkOutDir, prepareOutDir } from '../../scenario/outdir.js';
import { sweepJson, type SweepResult } from '../../scenario/sweep/model.js';
import { UserError, type CliIo } from '../io.js';

/** The output directory of a sweep or merge, refused when it is a user's own. */
export function outDirFor(io: CliIo, out: string): string {
  const dir = resolve(io.cwd, out);
  const ok = checkOutDir(dir);
  if (!ok.ok) throw new UserError(`refusing to write into --out ${out}: ${ok.reason}; name a new or empty directory`);
  return dir;
}

/** sweep.json and sweep.html into `dir`, the table (or sweep.json with --json) on stdout. */
export function writeSweep(io: CliIo, dir: string, out: string, result: SweepResult, json: boolean): void {
  prepareOutDir(dir);
  const text = sweepJson(result);
  writeFileSync(join(dir, 'sweep.json'), text);
  writeFileSync(join(dir, 'sweep.html'), sweepHtml(result));
  if (json) {
    io.stdout(text);
    return;
  }
  io.stdout(sweepText(result));
  const stopped = result.runs.filter((r) => r.aborted !== null);
  for (const r of stopped) io.stdout(`run ${r.index} stopped at t=${r.aborted!.at_ms} ms on a broken invariant: ${r.aborted!.message}\nreproduce: ${r.replay}\n`);
  io.stdout(`outputs: ${out.replace(/\/+$/, '')}/sweep.json, sweep.html\n`);
}

/** A sweep's exit code: 70 when a run stopped on a broken invariant (a bug), else 0. */
export function sweepExit(result: SweepResult): number {
  return result.runs.some((r) => r.aborted !== null) ? 70 : 0;
}
