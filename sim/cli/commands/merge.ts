import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assembleSweep } from '../../scenario/sweep/model.js';
import { MergeError, mergeParts, readPart, type SweepPart } from '../../scenario/sweep/plan.js';
import { defineCommand } from '../command.js';
import { UserError, type CliIo } from '../io.js';
import { outDirFor, sweepExit, writeSweep } from '../sweep/output.js';

const PART_FILE = /^sweep\.part-\d+-of-\d+\.json$/;

export const mergeCommand = defineCommand({
  command: 'merge <parts..>',
  describe: 'Join the parts of a sharded sweep (directories holding sweep.part-i-of-n.json, or the files) into the sweep.json and sweep.html one machine would have written',
  builder: (y) =>
    y
      .positional('parts', { type: 'string', array: true, demandOption: true, describe: 'directories (every sweep.part-*.json in them) or part files' })
      .option('out', { type: 'string', demandOption: true, describe: 'output directory for sweep.json and sweep.html' })
      .option('json', { type: 'boolean', default: false, describe: 'print sweep.json instead of the table' }),
  run(args, io) {
    const files = partFiles(args.parts, io);
    let merged;
    try {
      merged = mergeParts(files.map((f) => ({ file: f.name, part: parsePart(f.name, f.path) })));
    } catch (e) {
      if (e instanceof MergeError) throw new UserError(`merge: ${e.message}`);
      throw e;
    }
    const result = assembleSweep(merged.identity, merged.runs);
    writeSweep(io, outDirFor(io, args.out), args.out, result, args.json);
    return sweepExit(result);
  },
});

/** Every part file named, or found in a named directory, in the order given (each directory's files by name). */
function partFiles(args: readonly string[], io: CliIo): { name: string; path: string }[] {
  const out: { name: string; path: string }[] = [];
  for (const a of args) {
    const path = resolve(io.cwd, a);
    if (!existsSync(path)) throw new UserError(`merge: ${a}: no such file or directory`);
    if (!statSync(path).isDirectory()) {
      out.push({ name: a, path });
      continue;
    }
    const found = readdirSync(path).filter((f) => PART_FILE.test(f)).sort();
    if (found.length === 0) throw new UserError(`merge: ${a}: no sweep.part-<i>-of-<n>.json in this directory (sweep --shard i/n writes one)`);
    for (const f of found) out.push({ name: join(a, f), path: join(path, f) });
  }
  return out;
}

function parsePart(name: string, path: string): SweepPart {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new MergeError(`${name}: not JSON (${(e as Error).message})`);
  }
  return readPart(name, data);
}
