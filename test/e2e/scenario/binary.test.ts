import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../sim/scenario/library.js';

/**
 * The real binary (dist/, built by `npm test`'s tsc step) on the whole
 * built-in library: exit 0, the seed line first, every scenario passing.
 */
const bin = join(packageRoot(), 'dist', 'sim', 'cli', 'bin.js');

describe('cinder-sim run (the built binary)', () => {
  it('runs the whole built-in library and every expectation holds', async () => {
    expect(existsSync(bin), `${bin} is missing: build first (npm test runs tsc)`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'cinder-sim-e2e-'));
    const r = await execa('node', [bin, 'run', '--out', join(dir, 'out')], { cwd: packageRoot(), reject: false });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^seed: /);
    expect(r.stdout).toMatch(/summary: \d+ scenarios, \d+ expectations passed, 0 failed/);
    expect(r.stdout).not.toContain('\r');
    expect(readFileSync(join(dir, 'out', 'junit.xml'), 'utf8')).toContain('failures="0"');
  });

  it('a bad flag is a usage error, exit 2, no stack', async () => {
    const r = await execa('node', [bin, 'run', '--sed', '3'], { cwd: packageRoot(), reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Unknown argument: sed');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
