import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../sim/cli/main.js';
import { bufferIo } from '../../../sim/cli/io.js';
import { packageRoot } from '../../../sim/scenario/library.js';
import { loadScenarioFile } from '../../../sim/scenario/loader.js';
import { runScenario } from '../../../sim/scenario/runner.js';
import { defaultCloudFactory } from '../../../sim/harness/simulated-cloud.js';
import type { SweepResult } from '../../../sim/scenario/sweep/model.js';

/** A sweep of 2 grid points x 3 seeds of test/fixtures/sweep/fill.yaml, on one thread, two threads, and in two shards merged. */

const root = packageRoot();
const scenario = 'test/fixtures/sweep/fill.yaml';
const grid = ['--grid', 'node1:thin.max_over_subscription_ratio=2.0,4.0'];
const tmp = mkdtempSync(join(tmpdir(), 'cinder-sim-sweep-'));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo(root);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

const sweep = (out: string, ...more: string[]) => cli('sweep', scenario, '--seeds', '3', ...grid, '--out', join(tmp, out), ...more);
const read = (dir: string, file = 'sweep.json'): string => readFileSync(join(tmp, dir, file), 'utf8');

describe('cinder-sim sweep', () => {
  it('runs every grid point for every seed and reports distributions', async () => {
    const r = await sweep('one', '--workers', '1');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(read('one')) as SweepResult;
    expect(s.points.map((p) => p.settings.map((x) => x.value))).toEqual([['2.0'], ['4.0']]);
    expect(s.runs.map((x) => [x.index, x.point, x.seed])).toEqual([
      [0, 0, '5-1'], [1, 0, '5-2'], [2, 0, '5-3'], [3, 1, '5-1'], [4, 1, '5-2'], [5, 1, '5-3'],
    ]);
    expect(s.runs[4]!.replay).toBe(`cinder-sim run ${scenario} --seed 5-2 --set node1:thin.max_over_subscription_ratio=4.0`);
    // The thin pool holds twice as much at 4.0: it runs out later (or never) and more creates succeed.
    const thin = s.points.map((p) => p.first_no_valid_backend.by_type['thin']!);
    expect(thin[0]!.never).toBe(0);
    expect(thin[1]!.p50 === null || thin[1]!.p50 > thin[0]!.p50!).toBe(true);
    expect(s.points[1]!.success_rate.p50!).toBeGreaterThan(s.points[0]!.success_rate.p50!);
    expect(Object.keys(s.points[0]!.first_no_valid_backend.by_az)).toEqual(['az1', 'az2']);
    expect(Object.keys(s.points[0]!.utilisation.by_az)).toEqual(['az1', 'az2']);
    expect(r.out).toContain('point 2/2: node1:thin.max_over_subscription_ratio=4.0');
    expect(read('one', 'sweep.html')).toContain('<svg');
    expect(read('one')).not.toMatch(/"(seconds|wall|host(name)?|cpus?)"/);
  });

  it('writes the same sweep.json and sweep.html with 2 worker threads', async () => {
    expect(existsSync(join(root, 'dist', 'sim', 'cli', 'sweep', 'worker.js')), 'build first (npx tsc -p tsconfig.json): worker threads run dist/').toBe(true);
    expect((await sweep('two', '--workers', '2')).code).toBe(0);
    expect(read('two')).toBe(read('one'));
    expect(read('two', 'sweep.html')).toBe(read('one', 'sweep.html'));
  });

  it('shards 1/2 and 2/2, merged, give the unsharded sweep.json byte for byte', async () => {
    for (const i of [1, 2]) expect((await sweep(`shard${i}`, '--shard', `${i}/2`, '--workers', '1')).code).toBe(0);
    const part = JSON.parse(read('shard2', 'sweep.part-2-of-2.json')) as { runs: { index: number }[] };
    expect(part.runs.map((x) => x.index)).toEqual([1, 3, 5]);
    const m = await cli('merge', join(tmp, 'shard2'), join(tmp, 'shard1'), '--out', join(tmp, 'merged'));
    expect(m.err).toBe('');
    expect(m.code).toBe(0);
    expect(read('merged')).toBe(read('one'));
    expect(read('merged', 'sweep.html')).toBe(read('one', 'sweep.html'));
  });

  it('replays a run with run --set: the same success rate, in full records', async () => {
    const s = JSON.parse(read('one')) as SweepResult;
    const run = s.runs[4]!;
    const argv = run.replay.split(' ').slice(1);
    const r = await cli(...argv, '--out', join(tmp, 'replay'));
    expect(r.code).toBe(0);
    const o = JSON.parse(read('replay', 'sweep-fill/outcome.json')) as { summary: { creates: number; creates_succeeded: number } };
    expect(Math.round((o.summary.creates_succeeded / o.summary.creates) * 10_000) / 10_000).toBe(run.metrics!.success_rate);
  });

  it('refuses an unknown grid key with the valid ones, a malformed value, a bad shard', async () => {
    const bad = await cli('sweep', scenario, '--seeds', '1', '--grid', 'node1:thin.max_over_subscription=2', '--out', join(tmp, 'bad'));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("unknown grid key 'node1:thin.max_over_subscription'");
    expect(bad.err).toContain('node1:SECTION.OPTION with SECTION one of DEFAULT, backend_defaults, thick, thin');
    expect(bad.err).toContain('workload.thin.PARAM with PARAM one of arrival.per_hour,');
    const node = await cli('sweep', scenario, '--seeds', '1', '--grid', 'node9:thin.lvm_type=thin', '--out', join(tmp, 'bad'));
    expect(node.err).toContain("no node 'node9'; nodes: controller, node1");
    const wl = await cli('sweep', scenario, '--seeds', '1', '--grid', 'workload.thin.arrival.rate=1', '--out', join(tmp, 'bad'));
    expect(wl.err).toContain("workload thin has no parameter 'arrival.rate'");
    const value = await cli('sweep', scenario, '--seeds', '1', '--grid', 'workload.thin.arrival.per_hour=-3', '--out', join(tmp, 'bad'));
    expect(value.code).toBe(2);
    expect(value.err).toContain('grid point workload.thin.arrival.per_hour=-3 makes the scenario invalid');
    const empty = await cli('sweep', scenario, '--seeds', '1', '--grid', 'node1:thin.lvm_type=thin,,auto', '--out', join(tmp, 'bad'));
    expect(empty.err).toContain('empty value');
    for (const shard of ['3/2', '0/2', 'x']) {
      const r = await cli('sweep', scenario, '--seeds', '1', '--shard', shard, '--out', join(tmp, 'bad'));
      expect(r.code, shard).toBe(2);
      expect(r.err).toContain(`--shard ${shard}:`);
    }
    expect(bad.err + node.err).not.toMatch(/\n\s+at /);
  });

  it('refuses parts of different sweeps, of another format version, missing and duplicate shards', async () => {
    expect((await cli('sweep', scenario, '--seeds', '3', ...grid, '--root-seed', '9', '--shard', '1/2', '--workers', '1', '--out', join(tmp, 'other'))).code).toBe(0);
    const mixed = await cli('merge', join(tmp, 'other'), join(tmp, 'shard2'), '--out', join(tmp, 'm1'));
    expect(mixed.code).toBe(2);
    expect(mixed.err).toContain('are parts of different sweeps: they differ in root_seed ("9" and "5")');
    const missing = await cli('merge', join(tmp, 'shard1'), '--out', join(tmp, 'm2'));
    expect(missing.err).toContain('missing shard 2/2 (have 1/2)');
    const twice = await cli('merge', join(tmp, 'shard1'), join(tmp, 'shard1', 'sweep.part-1-of-2.json'), join(tmp, 'shard2'), '--out', join(tmp, 'm3'));
    expect(twice.err).toContain('shard 1/2 is given twice');
    const old = JSON.parse(read('shard2', 'sweep.part-2-of-2.json')) as Record<string, unknown>;
    writeFileSync(join(tmp, 'v0.json'), JSON.stringify({ ...old, version: 0 }));
    const version = await cli('merge', join(tmp, 'shard1'), join(tmp, 'v0.json'), '--out', join(tmp, 'm4'));
    expect(version.code).toBe(2);
    expect(version.err).toContain('written in sweep format version 0; this cinder-sim reads version 1');
  });
});

describe('lean runs record the first "No valid backend" per AZ and type', () => {
  it('as the full run\'s decisions and requests show it', () => {
    const loaded = loadScenarioFile(scenario, root);
    const lean = runScenario(loaded, { seed: '5-1', cloud: defaultCloudFactory, replay: 'x', records: 'lean' });
    const full = runScenario(loaded, { seed: '5-1', cloud: defaultCloudFactory, replay: 'x' });
    const asked = new Map(full.requests.filter((r) => r.resource_id !== null).map((r) => [r.resource_id!, r.request]));
    const want = { by_az: {} as Record<string, number>, by_type: {} as Record<string, number> };
    for (const d of full.decisions) {
      if (d.ok || d.resource_id === null || !d.message?.startsWith('No valid backend')) continue;
      const req = asked.get(d.resource_id)!;
      want.by_az[req['availability_zone'] as string] ??= d.at_ms;
      want.by_type[req['volume_type'] as string] ??= d.at_ms;
    }
    expect(Object.keys(want.by_type).length).toBeGreaterThan(0);
    expect(lean.first_no_valid_backend).toEqual(want);
    expect(full.first_no_valid_backend).toBeUndefined();
  });
});
