import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../../sim/cli/io.js';
import { main } from '../../../sim/cli/main.js';
import { packageRoot } from '../../../sim/scenario/library.js';
import { loadScenarioFile, loadScenarioText } from '../../../sim/scenario/loader.js';
import { parse as parseYaml, stringify } from 'yaml';
import { ddmin, failureOf, failuresOf, sameFailure } from '../../../sim/scenario/shrink.js';

/** shrink on test/fixtures/sweep/failing.yaml: a thick pool fills, so "creates_succeeded >= 0.9" fails. */

const root = packageRoot();
const tmp = mkdtempSync(join(tmpdir(), 'cinder-sim-shrink-'));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo(root);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('cinder-sim shrink', () => {
  it('writes a smaller scenario that still fails the same way', async () => {
    const out = join(tmp, 'small.yaml');
    const r = await cli('shrink', 'test/fixtures/sweep/failing.yaml', '--seed', '3', '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('failure kept: expectation ratio creates_succeeded >= 0.9 fails');
    expect(r.out).toMatch(/removed or reduced:\n(.|\n)*faults: clock_step at 3h/);
    const before = failureOf(loadScenarioFile('test/fixtures/sweep/failing.yaml', root), '3');
    const small = loadScenarioFile(out, root);
    const after = failureOf(small, '3');
    expect(after.failure).toMatchObject({ kind: 'expectation', text: 'ratio creates_succeeded >= 0.9' });
    expect(before.failure).toMatchObject({ kind: 'expectation', text: 'ratio creates_succeeded >= 0.9' });
    expect(after.requests).toBeLessThan(before.requests);
    expect(small.scenario.faults).toEqual([]);
    expect(small.scenario.workloads.length).toBeLessThan(2);
    expect(small.scenario.expect.length).toBe(1);
    // The file carries the seed: `cinder-sim run FILE` alone replays the failure.
    expect(small.scenario.seed).toBe(3);
    const replay = await cli('run', out, '--out', join(tmp, 'replay'));
    expect(replay.code).toBe(1);
    expect(readFileSync(join(tmp, 'replay', 'report.txt'), 'utf8')).toContain('FAIL  ratio creates_succeeded >= 0.9');
    // Never over a file that exists, unless --force.
    const again = await cli('shrink', 'test/fixtures/sweep/failing.yaml', '--seed', '3', '--out', out);
    expect(again.code).toBe(2);
    expect(again.err).toContain('refusing to overwrite');
  });

  it('holds the cause, not only the oracle: a reduction that fails the same expectation for another reason is not kept', async () => {
    // two-causes.yaml: creates fail when the thick pool is full (CapacityFilter drops it, CapabilitiesFilter the thin
    // pool, which the type does not match) and, from 2h, on the thin backend whose storage failed (no candidate at all).
    const file = 'test/fixtures/sweep/two-causes.yaml';
    const text = readFileSync(join(root, file), 'utf8');
    const original = failuresOf(loadScenarioFile(file, root), '1').failures;
    const held = 'expectation ratio creates_succeeded >= 0.9 fails: the first create that did not succeed: no valid backend: CapacityFilter, CapabilitiesFilter rejected pools; CapabilitiesFilter left no pool';
    expect(original.map((f) => f.signature)).toEqual([held]);
    // The naive oracle match: without the thick workload the same expectation still fails, its evidence the same shape ...
    const raw = parseYaml(text) as { workloads: unknown[] };
    const withoutThick = failuresOf(loadScenarioText(stringify({ ...raw, workloads: [raw.workloads[1]] }), file, join(root, 'test/fixtures/sweep')), '1').failures;
    expect(withoutThick).toMatchObject([{ kind: 'expectation', index: 0, text: 'ratio creates_succeeded >= 0.9' }]);
    const shape = (d: string) => d.replace(/\d+(\.\d+)?/g, '#');
    expect(shape((withoutThick[0] as { detail: string }).detail)).toBe(shape((original[0] as { detail: string }).detail));
    // ... but for another cause, so the strict signature refuses it.
    expect(withoutThick[0]!.signature).toBe('expectation ratio creates_succeeded >= 0.9 fails: the first create that did not succeed: no valid backend: no candidate at all');
    expect(sameFailure(original[0]!, 0, withoutThick)).toBe(false);
    expect(sameFailure(original[0]!, 0, original)).toBe(true);

    const out = join(tmp, 'two-causes.small.yaml');
    const r = await cli('shrink', file, '--seed', '1', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`signature held: ${held}\n`);
    expect(readFileSync(out, 'utf8')).toContain(`# Signature held: ${held}\n`);
    const small = loadScenarioFile(out, root);
    // The thick workload and the thick pool (the original cause) stay; the thin workload and the storage failure go.
    expect(small.scenario.workloads.map((w) => w.name)).toEqual(['thick']);
    expect(small.scenario.faults).toEqual([]);
    expect(small.cinderConfs.get('node1')!.backends.map((b) => b.name)).toEqual(['thick', 'thin']);
    expect(failuresOf(small, '1').failures.map((f) => f.signature)).toEqual([held]);
  });

  it('refuses a run that does not fail, exit 2 with the reason', async () => {
    const r = await cli('shrink', 'test/fixtures/sweep/fill.yaml', '--seed', '5', '--out', join(tmp, 'none.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('the run does not fail: every expectation of test/fixtures/sweep/fill.yaml holds under seed 5');
  });

  it('ddmin finds a minimal subset for a monotone test', () => {
    const tests: number[][] = [];
    const kept = ddmin([1, 2, 3, 4, 5, 6, 7, 8], (k) => {
      tests.push([...k]);
      return k.includes(3) && k.includes(6);
    });
    expect(kept).toEqual([3, 6]);
    expect(ddmin([1, 2, 3], () => true)).toEqual([]);
    expect(ddmin([1, 2, 3], () => false)).toEqual([1, 2, 3]);
  });
});
