import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { generateScheduleCase } from '../../sim/cli/bench/schedule-case.js';
import type { CliIo } from '../../sim/cli/io.js';
import { main } from '../../sim/cli/main.js';
import { packageRoot } from '../../sim/scenario/library.js';

const bin = join(packageRoot(), 'dist', 'sim', 'cli', 'bin.js');

function caseFile(backends: number, requests: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'cinder-sim-stream-'));
  const file = join(dir, 'case.json');
  writeFileSync(file, JSON.stringify(generateScheduleCase(backends, requests, '5')));
  return file;
}

describe('schedule output into a closed pipe and at scale', () => {
  it('`| head -1` ends quietly: first line printed, no stack trace, exit 0', async () => {
    const file = caseFile(200, 300);
    const r = await execa('bash', ['-c', `set -o pipefail; node "${bin}" schedule "${file}" | head -1`], { reject: false });
    expect(r.stdout).toBe('{');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('3,000 requests on 1,000 backends stream out whole, past the longest string JavaScript allows', async () => {
    const file = caseFile(1000, 3000);
    let bytes = 0;
    let results = 0;
    let head = '';
    let tail = '';
    const io: CliIo = {
      cwd: packageRoot(),
      isTty: false,
      stdout(t) {
        bytes += t.length;
        if (head.length < 200) head += t.slice(0, 200);
        tail = (tail + t).slice(-200);
        if (t.startsWith(',\n    {') || t.startsWith('\n    {')) results++;
      },
      stderr(t) {
        throw new Error(`unexpected stderr: ${t}`);
      },
    };
    expect(await main(['schedule', file], io)).toBe(0);
    expect(results).toBe(3000);
    expect(bytes).toBeGreaterThan(2 ** 29);
    expect(head).toMatch(/^\{\n {2}"id": "bench-1000x3000-seed-5",\n {2}"results": \[\n {4}\{\n {6}"candidates": \[/);
    expect(tail).toMatch(/\n {4}\}\n {2}\]\n\}\n$/);
  }, 300_000);
});
