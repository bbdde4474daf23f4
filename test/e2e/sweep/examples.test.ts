import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../../sim/cli/io.js';
import { main } from '../../../sim/cli/main.js';
import { packageRoot } from '../../../sim/scenario/library.js';
import { parseShard } from '../../../sim/scenario/sweep/plan.js';

/**
 * Every cinder-sim command line in examples/ (the Kubernetes Indexed Job,
 * the CI matrix) parses with the CLI's own parser, nothing run: shell and
 * CI variables are given a sample value first (the shard index).
 */

const root = packageRoot();

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
}

/**
 * The cinder-sim commands a file runs: in YAML every line that is not a
 * comment, in Markdown the lines of fenced code blocks; a command starts a
 * line, a `run:` value or follows `&&`, and ends at a redirection, a pipe,
 * `||`, `&&` or `)`.  `$((JOB_COMPLETION_INDEX + 1))` and `${{ matrix.shard }}`
 * are given a value.
 */
function commandsIn(file: string, text: string): string[] {
  let fenced = false;
  const lines = text.split('\n').filter((l) => {
    if (!file.endsWith('.md')) return !/^\s*#/.test(l);
    if (/^\s*```/.test(l)) fenced = !fenced;
    return fenced;
  });
  return lines.flatMap((l) => {
    const m = /(?:^\s*(?:-\s+)?|run:\s*|&&\s*)cinder-sim\s+(.*)$/.exec(l);
    if (!m) return [];
    const cmd = m[1]!.replace(/\$\(\(\s*JOB_COMPLETION_INDEX\s*\+\s*1\s*\)\)/g, '2').replace(/\$\{\{\s*matrix\.shard\s*\}\}/g, '2');
    return [cmd.split(/\s(?:>|\|\||\||&&)|\)/)[0]!.trim()];
  });
}

/** Words as a POSIX shell splits them (single and double quotes; the examples use no other expansion). */
function words(cmd: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (const m of cmd.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

describe('examples/: every cinder-sim command line parses', () => {
  const found = files(join(root, 'examples')).flatMap((f) => commandsIn(f, readFileSync(f, 'utf8')).map((cmd) => ({ file: relative(root, f), cmd })));

  it('finds the command lines of the k8s Job, the CI workflows and the examples README', () => {
    expect(found.map((f) => `${f.file}: ${f.cmd.split(' ')[0]}`).sort()).toEqual([
      'examples/README.md: run',
      'examples/ci/cinder-sim-baseline.yml: diff',
      'examples/ci/cinder-sim-baseline.yml: run',
      'examples/ci/cinder-sim-baseline.yml: run',
      'examples/ci/sweep-matrix.yml: merge',
      'examples/ci/sweep-matrix.yml: sweep',
      'examples/k8s/sweep-job.yaml: sweep',
      'examples/k8s/sweep-merge-job.yaml: merge',
      'examples/large-100k.yaml: run',
    ]);
    expect(found.filter((f) => f.cmd.startsWith('sweep')).every((f) => f.cmd.includes('--shard 2/'))).toBe(true);
  });

  it.each(found.map((f) => [f.file, f.cmd] as const))('%s: cinder-sim %s', async (_file, cmd) => {
    const io = bufferIo(root);
    const argv = words(cmd);
    expect(await main(argv, io, { parseOnly: true }), io.err).toBe(0);
    const shard = argv.indexOf('--shard');
    if (shard >= 0) expect(parseShard(argv[shard + 1]!)).toEqual({ index: 2, count: expect.any(Number) });
  });

  it('the check fails on a command line the parser refuses', async () => {
    const io = bufferIo(root);
    expect(await main(words('sweep capacity-exhaustion --seeds 3 --sed 4'), io, { parseOnly: true })).toBe(2);
    expect(io.err).toContain('Unknown argument: sed');
  });
});
