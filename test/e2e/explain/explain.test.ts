import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { ExplainStory } from '../../../reports/explain.js';
import { bufferIo } from '../../../sim/cli/io.js';
import { main } from '../../../sim/cli/main.js';
import { defaultCloudFactory } from '../../../sim/harness/simulated-cloud.js';
import { formatDuration } from '../../../sim/scenario/duration.js';
import { packageRoot } from '../../../sim/scenario/library.js';
import { loadScenarioFile } from '../../../sim/scenario/loader.js';
import type { RunOutcome } from '../../../sim/scenario/outcome.js';
import { runScenario } from '../../../sim/scenario/runner.js';

const root = packageRoot();
const dir = mkdtempSync(join(tmpdir(), 'cinder-sim-explain-'));

/** Run a built-in scenario at its own seed and write its outcome where `run --out DIR` would. */
function run(name: string, records: 'all' | 'lean' = 'all'): RunOutcome {
  const loaded = loadScenarioFile(join(root, 'scenarios', `${name}.yaml`), root);
  const seed = String(loaded.scenario.seed ?? 1);
  const outcome = runScenario(loaded, { seed, cloud: defaultCloudFactory, replay: '', records });
  const out = join(dir, records, name);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'outcome.json'), JSON.stringify(outcome, null, 1) + '\n');
  return outcome;
}

async function explain(...argv: string[]) {
  const io = bufferIo(root);
  const code = await main(['explain', ...argv], io);
  return { code, out: io.out, err: io.err };
}

async function story(...argv: string[]): Promise<ExplainStory> {
  const r = await explain(...argv, '--json');
  expect(r.err).toBe('');
  return JSON.parse(r.out) as ExplainStory;
}

let clockSkew: RunOutcome;
beforeAll(() => {
  clockSkew = run('clock-skew');
  run('capacity-exhaustion');
  run('multi-backend-types');
  run('backup-restore');
  run('capacity-exhaustion', 'lean');
}, 120_000);

describe('cinder-sim explain on the built-in scenarios', () => {
  test('multi-backend-types: a retype refused for want of --migration-policy names the volume\'s own pool and why, not "nearest to passing"', async () => {
    const s = await story(join(dir, 'all'), 'multi-backend-types:retype_never');
    const d = s.requests[0]!.decisions[0]!;
    expect(d.operation).toBe('retype');
    expect(d.weighed.map((w) => w.pool).sort()).toEqual(['node1@sata#sata', 'node2@sata-b#sata']);
    expect(d.headline).toBe(
      "the volume's own pool node1@ssd#ssd is rejected by CapabilitiesFilter, and migration_policy is never (the default): a retype then stays on its own backend or fails; 2 other pools passed (node2@sata-b#sata, node1@sata#sata), usable with --migration-policy on-demand",
    );
  });

  test('backup-restore: a create from a snapshot whose backend is down says the only pool left is not on the resource_backend', async () => {
    const s = await story(join(dir, 'all', 'backup-restore'), 'from_snap');
    const d = s.requests[0]!.decisions[0]!;
    expect(d.ok).toBe(false);
    expect(d.resource_backend_removed).toEqual(['node2@lvm#LVM']);
    expect(d.headline).toBe('no weighed pool is on the requested resource_backend (the backend of the source volume or snapshot); passed every filter, dropped after weighing: node2@lvm#LVM');
    const text = (await explain(join(dir, 'all', 'backup-restore'), 'from_snap')).out;
    expect(text).toContain('    why: no weighed pool is on the requested resource_backend');
    expect(text).toContain('    dropped after weighing, not on the requested resource_backend: node2@lvm#LVM\n');
  });

  test('clock-skew: a create while node3 is down names it, its heartbeat age, service_down_time and both clocks', async () => {
    // The first create after 34 h, when node3's clock (500 ppm slow since 1 m) is over a minute behind.
    const req = clockSkew.requests.find((r) => r.verb === 'create' && r.at_ms >= 34 * 3_600_000)!;
    const s = await story(join(dir, 'all', 'clock-skew'), `#${req.seq}`);
    const d = s.requests[0]!.decisions[0]!;
    expect(d.ok).toBe(true);
    expect(d.left_out.map((x) => [x.host, x.reason])).toEqual([['node3@lvm', 'down']]);
    const trace = clockSkew.decisions.find((x) => x.resource_id === req.resource_id)!.trace as { leftOut: { facts: { heartbeatAgeMs: number; serviceClockOffsetMs: number; schedulerClockOffsetMs: number; serviceDownTimeS: number } }[] };
    const f = trace.leftOut[0]!.facts;
    // The drift alone: -500 ppm for (t - 1 m) of virtual time.
    expect(f.serviceClockOffsetMs).toBeCloseTo(-(d.at_ms - 60_000) * 500e-6, 0);
    expect(f.schedulerClockOffsetMs).toBe(0);
    expect(f.serviceDownTimeS).toBe(60);
    expect(f.heartbeatAgeMs).toBeGreaterThan(60_000);
    const text = (await explain(join(dir, 'all', 'clock-skew'), `#${req.seq}`)).out;
    expect(text).toContain(`node3@lvm: down: heartbeat age ${formatDuration(f.heartbeatAgeMs)} by the scheduler's clock`);
    expect(text).toContain('> service_down_time 1m');
    expect(text).toContain(`clocks against true time: service node -${formatDuration(-f.serviceClockOffsetMs)}, scheduler node +0s`);
    expect(text).toMatch(/judged down since t=1d09h\d+m/);
    // The same down period the summaries tell, from the run's service records.
    const down = clockSkew.service_states.find((x) => x.host === 'node3@lvm' && x.scheduler_state === 'down')!;
    const up = clockSkew.service_states.find((x) => x.host === 'node3@lvm' && x.t_ms > down.t_ms && x.scheduler_state === 'up')!;
    expect(text).toContain(`; the run's service records: down (scheduler and service-list) from ${formatDuration(down.t_ms)} to ${formatDuration(up.t_ms)}\n`);
  });

  test('capacity-exhaustion: the thick pool dropped by CapacityFilter in Cinder\'s terms, the thin pool also by CapabilitiesFilter, every verdict', async () => {
    const s = await story(join(dir, 'all'), 'capacity-exhaustion:thick_full');
    expect(s.step!.cmd).toBe('cinder create --volume-type thick --name one-more-thick 10');
    const d = s.requests[0]!.decisions[0]!;
    expect(d.error).toBe('No valid backend was found. No weighed backends available');
    expect(d.pools.map((p) => [p.pool, p.rejected_by.map((v) => v.filter)])).toEqual([
      ['node1@thick#thick', ['CapacityFilter']],
      ['node1@thin#thin', ['CapacityFilter', 'CapabilitiesFilter']],
    ]);
    // 100 GB, 10 % reserved, 90 GB of 10 GB volumes: min(free 10, 100 - 10 - 90 = 0) = 0.
    expect(d.pools[0]!.rejected_by[0]!.text).toBe('needs 10 GB; 0 GB available (thick: the smaller of free 10 GB and total 100 GB minus reserved 10 GB (reserved_percentage 10) minus provisioned 90 GB = 0 GB)');
    expect(d.pools[1]!.rejected_by[1]!.text).toBe('extra spec volume_backend_name=\'thick\' does not match capability "thin"');
    expect(d.headline).toBe('nearest to passing: node1@thick#thick (1 failing filter: CapacityFilter; 10 GB short); node1@thin#thin (2 failing filters: CapacityFilter, CapabilitiesFilter; 10 GB short)');
    const text = (await explain(join(dir, 'all'), 'thick_full', '--scenario', 'capacity-exhaustion')).out;
    expect(text).toContain('      node1@thin#thin: rejected by CapacityFilter: needs 10 GB; 0 GB virtual free (thin: ');
  });

  test('multi-backend-types: a type no backend has is a CapabilitiesFilter mismatch on every pool', async () => {
    const s = await story(join(dir, 'all', 'multi-backend-types'), 'nvme1');
    const d = s.requests[0]!.decisions[0]!;
    expect(d.ok).toBe(false);
    expect(d.pools.length).toBeGreaterThan(1);
    for (const p of d.pools) expect(p.rejected_by.map((v) => [v.filter, v.reason])).toEqual([['CapabilitiesFilter', 'extra_spec_mismatch']]);
    expect(d.pools.every((p) => p.rejected_by[0]!.text.startsWith("extra spec volume_backend_name='nvme' does not match capability"))).toBe(true);
  });

  test('a placed volume: each weigher\'s raw, normalised and weighted values and the choice', async () => {
    const s = await story(join(dir, 'all', 'multi-backend-types'), 'fast1');
    const create = s.requests.find((r) => r.verb === 'create')!;
    const d = create.decisions[0]!;
    expect(d.ok).toBe(true);
    expect(d.selected).toMatch(/^node1@ssd#/);
    const w = d.weighers.find((x) => x.name === 'CapacityWeigher')!;
    expect(w.rows.map((r) => r.pool)).toEqual(d.pools.filter((p) => p.rejected_by.length === 0).map((p) => p.pool));
    for (const r of w.rows) expect(r.weighted).toBeCloseTo(r.normalised * w.multiplier, 12);
    expect(d.weighed[0]!.pool).toBe(d.selected);
    const text = (await explain(join(dir, 'all', 'multi-backend-types'), 'fast1')).out;
    expect(text).toContain(`    chosen: ${d.selected} (availability zone `);
    expect(text).toMatch(/CapacityWeigher \(multiplier 1, min \d+, max \d+\):\n {6}node1@ssd#ssd: raw \d+, normalised \d+, weighted \d+/);
    // The same volume's extend and retypes are requests about it too, each with its own decision.
    expect(s.requests.map((r) => r.verb)).toEqual(['create', 'extend', 'retype', 'retype']);
  });

  test('a lean run, replayed up to the request, gives the same explanation as the full run', async () => {
    const full = (await explain(join(dir, 'all', 'capacity-exhaustion'), 'thick_full')).out;
    const lean = await explain(join(dir, 'lean', 'capacity-exhaustion'), 'thick_full');
    expect(lean.code).toBe(0);
    const [title, replayed, ...rest] = lean.out.split('\n');
    expect(replayed).toMatch(/^ {2}replayed from the lean run up to t=4h00m00.001s: \d+ decisions, 0 digest checkpoint\(s\) checked, agrees with the run$/);
    expect([title, ...rest].join('\n')).toBe(full);
    const a = await story(join(dir, 'all', 'capacity-exhaustion'), 'thick_small');
    const b = await story(join(dir, 'lean', 'capacity-exhaustion'), 'thick_small');
    expect(b.requests[0]!.decisions).toEqual(a.requests[0]!.decisions);
  });

  test('a lean run whose scenario changed since says so and exits 1', async () => {
    const file = join(dir, 'lean', 'capacity-exhaustion', 'outcome.json');
    const o = JSON.parse(readFileSync(file, 'utf8')) as RunOutcome;
    const changed = join(dir, 'changed');
    mkdirSync(changed, { recursive: true });
    writeFileSync(join(changed, 'outcome.json'), JSON.stringify({ ...o, scenario_sha256: '0'.repeat(64) }));
    const r = await explain(changed, 'thick_full');
    expect(r.code).toBe(1);
    expect(r.out).toContain('DOES NOT agree with the run');
    expect(r.out).toContain('note: the scenario scenarios/capacity-exhaustion.yaml changed since the run');
  });
});

describe('bad input', () => {
  test('a REQUEST matching nothing: exit 2 with the nearest ids', async () => {
    const r = await explain(join(dir, 'all', 'capacity-exhaustion'), 'thick_ful');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^cinder-sim: explain: no request 'thick_ful' in capacity-exhaustion \(REQUEST is a step id, #N/);
    expect(r.err).toContain('nearest: thick_full, thin_full, ');
  });
  test('several scenarios and no choice: exit 2 naming them', async () => {
    const r = await explain(join(dir, 'all'), 'thick_full');
    expect(r.code).toBe(2);
    expect(r.err).toContain('say which: SCENARIO:thick_full or --scenario SCENARIO (one of: backup-restore, capacity-exhaustion, clock-skew, multi-backend-types)');
  });
  test('a damaged outcome is refused with the key and the reason', async () => {
    const bad = join(dir, 'damaged');
    mkdirSync(bad, { recursive: true });
    const o = JSON.parse(readFileSync(join(dir, 'all', 'capacity-exhaustion', 'outcome.json'), 'utf8')) as Record<string, unknown>;
    delete o['steps'];
    writeFileSync(join(bad, 'outcome.json'), JSON.stringify(o));
    const r = await explain(bad, 'thick_full');
    expect(r.code).toBe(2);
    expect(r.err).toContain("damaged outcome: 'steps' is missing, expected array");
    writeFileSync(join(bad, 'outcome.json'), '{"schema_version": 2, "scenario": ');
    expect((await explain(join(bad, 'outcome.json'), 'x')).err).toContain('not an outcome file: not valid JSON');
  });
});
