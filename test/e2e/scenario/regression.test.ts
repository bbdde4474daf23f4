import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reports } from '../../../reports/index.js';
import { bufferIo } from '../../../sim/cli/io.js';
import { main } from '../../../sim/cli/main.js';
import type { RunDiff } from '../../../sim/scenario/diff.js';
import { libraryFiles } from '../../../sim/scenario/library.js';
import type { RunOutcome } from '../../../sim/scenario/outcome.js';

/** A built-in scenario's text. */
const builtin = (name: string): string => readFileSync(libraryFiles().find((f) => f.endsWith(`/${name}.yaml`))!, 'utf8');

// clock-skew's controller runs the scheduler; its cinder.conf gains an option.
const SKEW_CONF = '        service_down_time = 60\n';
const withMultiplier = (m: string): string => {
  const text = builtin('clock-skew');
  expect(text).toContain(SKEW_CONF);
  return text.replace(SKEW_CONF, `${SKEW_CONF}        capacity_weight_multiplier = ${m}\n`);
};

/** A temp dir with clock-skew as written (a/) and with capacity_weight_multiplier = -1.0 (b/): volumes stack instead of spreading. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cinder-sim-regress-'));
  for (const [sub, text] of [['a', builtin('clock-skew')], ['b', withMultiplier('-1.0')]] as const) {
    const d = join(dir, sub);
    mkdirp(d);
    writeFileSync(join(d, 'clock-skew.yaml'), text);
  }
  return dir;
}

const mkdirp = (d: string): void => void mkdirSync(d, { recursive: true });

async function cli(dir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo(dir);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

const outcomeOf = (dir: string, run: string): RunOutcome => JSON.parse(readFileSync(join(dir, run, 'clock-skew', 'outcome.json'), 'utf8')) as RunOutcome;

/** Where each named volume was placed, read straight off the requests and decisions (not through the diff). */
function placements(o: RunOutcome): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const r of o.requests) {
    const name = r.request['name'];
    if (r.verb !== 'create' || typeof name !== 'string') continue;
    const d = o.decisions.find((x) => x.resource_id === r.resource_id && x.operation === 'create_volume');
    out.set(name, d ? d.chosen : null);
  }
  return out;
}

describe('cinder-sim diff', () => {
  it('a changed capacity_weight_multiplier moves volumes: each move is named, counted and blamed on CapacityWeigher with its numbers; exit 1', async () => {
    const dir = workspace();
    expect((await cli(dir, 'run', 'a/clock-skew.yaml', '--out', 'ra')).code).toBe(0);
    await cli(dir, 'run', 'b/clock-skew.yaml', '--out', 'rb');
    const text = await cli(dir, 'diff', 'ra', 'rb');
    expect(text.code).toBe(1);
    const json = await cli(dir, 'diff', 'ra', 'rb', '--json');
    expect(json.code).toBe(1);
    const d = JSON.parse(json.out) as RunDiff & { comparable: boolean };
    expect(d.comparable).toBe(true);
    // One key style in the JSON, as in outcome.json and report.json (the weigher and filter names in causes aside).
    expect(Object.keys(d).filter((k) => !/^[a-z_]+$/.test(k))).toEqual([]);
    expect(Object.keys(d.scenarios[0]!).filter((k) => !/^[a-z_]+$/.test(k))).toEqual([]);

    // The volumes that moved, computed independently from the two outcomes.
    const [pa, pb] = [placements(outcomeOf(dir, 'ra')), placements(outcomeOf(dir, 'rb'))];
    const moved = [...pa].filter(([name, pool]) => pb.get(name) !== pool).map(([name]) => name);
    expect(moved.length).toBeGreaterThan(10);
    const s = d.scenarios[0]!;
    expect(s.changes.map((c) => c.key).sort()).toEqual(moved.map((n) => `create_volume ${n}`).sort());
    expect(s.counts).toEqual({ moved: moved.length, outcome: 0, order: 0 });
    expect(s.compared).toBe(outcomeOf(dir, 'ra').decisions.length);
    for (const c of s.changes) {
      expect(c.baseline).toBe(pa.get(c.key.replace('create_volume ', '')));
      expect(c.candidate).toBe(pb.get(c.key.replace('create_volume ', '')));
      expect(c.cause.by).toBe('CapacityWeigher');
      expect(c.cause.detail).toMatch(/multiplier 1 in the baseline run; .* multiplier -1 in the candidate run$/);
    }
    // Groups count by from -> to and by cause, and add up.
    expect(s.groups.reduce((n, g) => n + g.count, 0)).toBe(moved.length);
    for (const g of s.groups) expect(g.causes).toEqual({ CapacityWeigher: g.count });
    expect(s.notes.join(' ')).toContain("the scenario's inputs differ");

    // Human output: the summary first, then the groups, then a line per request.
    const lines = text.out.split('\n');
    expect(lines[0]).toBe(`cinder-sim diff: ${s.compared} decisions compared in 1 scenario, ${moved.length} changed: ${moved.length} moved backend, 0 changed outcome, 0 changed weight order`);
    const firstGroup = lines.findIndex((l) => l.includes('moved backend: '));
    const firstRequest = lines.findIndex((l) => /^\s+#\d+ .*create_volume/.test(l));
    expect(firstGroup).toBeGreaterThan(0);
    expect(firstRequest).toBeGreaterThan(firstGroup);
    expect(text.out).toMatch(/CapacityWeigher: node\d@lvm#LVM 1 \(raw \d+\) vs node\d@lvm#LVM 0 \(raw \d+\), multiplier 1 in the baseline run/);
  });

  it('identical runs exit 0 with nothing changed', async () => {
    const dir = workspace();
    await cli(dir, 'run', 'a/clock-skew.yaml', '--out', 'r1');
    await cli(dir, 'run', 'a/clock-skew.yaml', '--out', 'r2');
    const r = await cli(dir, 'diff', 'r1', 'r2/clock-skew/outcome.json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^cinder-sim diff: \d+ decisions compared in 1 scenario, 0 changed/);
    expect(r.out).toContain('== clock-skew: ');
    expect(r.out).toContain('none changed');
    expect(r.out).not.toContain('note:');
  });

  it('runs that are not comparable exit 2 with the reason: another seed, other scenarios, other steps', async () => {
    const dir = workspace();
    await cli(dir, 'run', 'a/clock-skew.yaml', '--out', 'r1');
    await cli(dir, 'run', 'a/clock-skew.yaml', '--seed', '5', '--out', 'seed5');
    const seed = await cli(dir, 'diff', 'r1', 'seed5');
    expect(seed.code).toBe(2);
    expect(seed.err).toMatch(/not comparable: clock-skew: another seed: .*seed 21, .*seed 5/);

    await cli(dir, 'run', 'volume-transfer', '--out', 'other');
    const other = await cli(dir, 'diff', 'r1', 'other', '--json');
    expect(other.code).toBe(2);
    expect(other.err).toContain('the runs hold other scenarios (only in r1: clock-skew; only in other: volume-transfer)');
    expect(JSON.parse(other.out)).toMatchObject({ comparable: false });

    const stepsChanged = builtin('clock-skew').replace('cinder service-list', 'cinder service-list --binary cinder-volume');
    expect(stepsChanged).not.toBe(builtin('clock-skew'));
    writeFileSync(join(dir, 'steps.yaml'), stepsChanged);
    await cli(dir, 'run', 'steps.yaml', '--out', 'r3');
    const steps = await cli(dir, 'diff', 'r1', 'r3');
    expect(steps.code).toBe(2);
    expect(steps.err).toMatch(/clock-skew: other steps: '.*cinder service-list' in .*, '.*cinder service-list --binary cinder-volume' in /);
  });

  it('a damaged outcome or one of another schema version exits 2 naming the file', async () => {
    const dir = workspace();
    await cli(dir, 'run', 'a/clock-skew.yaml', '--out', 'r1');
    await cli(dir, 'run', 'a/clock-skew.yaml', '--out', 'r2');
    const file = join(dir, 'r2', 'clock-skew', 'outcome.json');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.slice(0, 500));
    const damaged = await cli(dir, 'diff', 'r1', 'r2');
    expect(damaged.code).toBe(2);
    expect(damaged.err).toContain(`${file}: not an outcome file: not valid JSON`);
    writeFileSync(file, good.replace('"schema_version": 2', '"schema_version": 1'));
    const old = await cli(dir, 'diff', 'r2', 'r1');
    expect(old.code).toBe(2);
    expect(old.err).toContain(`${file}: outcome schema version 1; this cinder-sim reads version 2 only`);
    expect(old.err).not.toMatch(/\n\s+at /);
  });
});

describe('cinder-sim run --baseline / --update-baseline', () => {
  it('round trip: missing -> 2; update -> 0; compare -> 0; a changed multiplier -> 1 with the diff in report.txt, report.md, report.html and junit.xml', async () => {
    const dir = workspace();
    const missing = await cli(dir, 'run', 'a/clock-skew.yaml', '--out', 'o0', '--baseline', 'bl');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no baseline in bl for clock-skew: record it first with `cinder-sim run ... --baseline bl --update-baseline`');

    expect((await cli(dir, 'run', 'a/clock-skew.yaml', '--out', 'o1', '--baseline', 'bl', '--update-baseline')).code).toBe(0);
    const text = readFileSync(join(dir, 'bl', 'clock-skew.decisions.txt'), 'utf8');
    const o1 = outcomeOf(dir, 'o1');
    expect(text.split('\n').slice(0, 4)).toEqual(['# cinder-sim baseline v1: the scheduling decisions of one scenario, a line each', '# scenario: clock-skew', '# seed: 21', '# outcome schema: 2']);
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    const lines = text.split('\n').filter((l) => /^#\d/.test(l));
    expect(lines).toHaveLength(o1.decisions.length);
    // Each line: the request, then where it went, as the outcome has it.
    const first = o1.requests.find((r) => r.verb === 'create')!;
    const chosen = o1.decisions.find((d) => d.resource_id === first.resource_id)!.chosen!;
    expect(lines[0]).toMatch(new RegExp(`^#${first.seq} \\S+ create_volume ${String(first.request['name'])} size=${String(first.request['size'])} -> ${chosen.replace(/[#@]/g, '\\$&')}; weighed `));

    const same = await cli(dir, 'run', 'a/clock-skew.yaml', '--out', 'o2', '--baseline', 'bl');
    expect(same.code).toBe(0);
    expect(same.out).toContain(`baseline: ${o1.decisions.length} decisions as in bl/clock-skew.decisions.txt`);
    expect(readFileSync(join(dir, 'o2', 'junit.xml'), 'utf8')).toContain(`name="baseline: ${o1.decisions.length} decisions as in bl/clock-skew.decisions.txt"/>`);

    const changed = await cli(dir, 'run', 'b/clock-skew.yaml', '--out', 'o3', '--baseline', 'bl');
    expect(changed.code).toBe(1);
    const o3 = outcomeOf(dir, 'o3');
    const diff = o3.baseline!.diff;
    expect(o3.baseline).toMatchObject({ mode: 'compared', file: 'bl/clock-skew.decisions.txt' });
    expect(diff.changed).toBeGreaterThan(10);
    expect(diff.changed).toBe(diff.counts.moved);
    // The baseline keeps the top weighed pools' weights: enough to name the weigher.
    for (const c of diff.changes) expect(c.cause.by).toBe('CapacityWeigher');
    expect(changed.out).toContain(`BASELINE CHANGED: ${diff.changed} of ${diff.compared} decisions differ from bl/clock-skew.decisions.txt`);
    expect(readFileSync(join(dir, 'o3', 'report.txt'), 'utf8')).toContain('BASELINE CHANGED');
    expect(readFileSync(join(dir, 'o3', 'report.md'), 'utf8')).toContain(`### ❌ Baseline: ${diff.changed} of ${diff.compared} decisions differ`);
    const html = readFileSync(join(dir, 'o3', 'report.html'), 'utf8');
    expect(html).toContain(`<p class="fail">Baseline: ${diff.changed} decisions changed in 1 of 1 scenario (clock-skew)</p>`);
    expect(html).toContain(`<h3>Baseline</h3>\n<p class="fail">${diff.changed} of ${diff.compared} decisions differ from bl/clock-skew.decisions.txt`);
    expect(html.match(/<tr><td>moved backend<\/td><td>#\d+ [^<]*<\/td><td>[^<]*<\/td><td>[^<]*<\/td><td>CapacityWeigher: /g)).toHaveLength(diff.changed);
    const junit = readFileSync(join(dir, 'o3', 'junit.xml'), 'utf8');
    const failing = [...junit.matchAll(/<testcase classname="clock-skew" name="baseline: (#\d+ [^"]*)">\n\s+<failure message="moved backend: [^"]*CapacityWeigher: /g)];
    expect(failing).toHaveLength(diff.changed);
    const suite = /<testsuite name="clock-skew" tests="(\d+)" failures="(\d+)"/.exec(junit)!;
    expect(Number(suite[1])).toBe(o3.expectations.length + diff.changed);
    expect(Number(suite[2])).toBe(o3.summary.expectations_failed + diff.changed);
  });

  it('refuses what it must not do: overwrite a file that is no baseline, compare with another seed, --update-baseline alone', async () => {
    const dir = workspace();
    mkdirp(join(dir, 'bl'));
    writeFileSync(join(dir, 'bl', 'clock-skew.decisions.txt'), 'my notes\n');
    const overwrite = await cli(dir, 'run', 'a/clock-skew.yaml', '--out', 'o1', '--baseline', 'bl', '--update-baseline');
    expect(overwrite.code).toBe(2);
    expect(overwrite.err).toContain('refusing to overwrite bl/clock-skew.decisions.txt: it is not a cinder-sim baseline');
    expect(readFileSync(join(dir, 'bl', 'clock-skew.decisions.txt'), 'utf8')).toBe('my notes\n');
    const notOne = await cli(dir, 'run', 'a/clock-skew.yaml', '--out', 'o1', '--baseline', 'bl');
    expect(notOne.code).toBe(2);
    expect(notOne.err).toContain('bl/clock-skew.decisions.txt: not a cinder-sim baseline');

    expect((await cli(dir, 'run', 'a/clock-skew.yaml', '--out', 'o1', '--baseline', 'b2', '--update-baseline')).code).toBe(0);
    const seed = await cli(dir, 'run', 'a/clock-skew.yaml', '--seed', '4', '--out', 'o2', '--baseline', 'b2');
    expect(seed.code).toBe(2);
    expect(seed.err).toContain('b2/clock-skew.decisions.txt: recorded with seed 21, this run uses seed 4: run with --seed 21, or record a new baseline with --update-baseline');

    const alone = await cli(dir, 'run', 'a/clock-skew.yaml', '--out', 'o3', '--update-baseline');
    expect(alone.code).toBe(2);
    expect(alone.err).toContain('--update-baseline needs --baseline DIR');
  });
});

describe('cinder-sim report', () => {
  const compareDirs = (dir: string, run: string, again: string): void => {
    const files = Object.values(reports).map((r) => r.file);
    expect(files.length).toBeGreaterThan(4);
    for (const f of files) expect(readFileSync(join(dir, again, f), 'utf8'), f).toBe(readFileSync(join(dir, run, f), 'utf8'));
  };

  it('re-renders every report of the built-in library byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cinder-sim-report-'));
    await cli(dir, 'run', '--out', 'run');
    const r = await cli(dir, 'report', 'run', '--out', 'again');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    compareDirs(dir, 'run', 'again');
  });

  it('keeps the order the scenarios ran in, the seed, and a baseline comparison', async () => {
    const dir = workspace();
    await cli(dir, 'run', 'a/clock-skew.yaml', '--out', 'o1', '--baseline', 'bl', '--update-baseline');
    // Scenarios named out of alphabetical order, with different seeds, compared with a baseline that differs.
    await cli(dir, 'run', 'volume-transfer', 'b/clock-skew.yaml', '--out', 'run', '--baseline', 'bl2', '--update-baseline');
    writeFileSync(join(dir, 'bl2', 'clock-skew.decisions.txt'), readFileSync(join(dir, 'bl', 'clock-skew.decisions.txt')));
    expect((await cli(dir, 'run', 'volume-transfer', 'b/clock-skew.yaml', '--out', 'run', '--baseline', 'bl2')).code).toBe(1);
    expect(readFileSync(join(dir, 'run', 'report.txt'), 'utf8').indexOf('== volume-transfer')).toBeLessThan(readFileSync(join(dir, 'run', 'report.txt'), 'utf8').indexOf('== clock-skew'));
    expect((await cli(dir, 'report', 'run', '--out', 'again')).code).toBe(0);
    compareDirs(dir, 'run', 'again');
    // In place, the run's own directory.
    expect((await cli(dir, 'report', 'run')).code).toBe(0);
    compareDirs(dir, 'again', 'run');
  });

  it('refuses a single outcome without --out, and a directory that is not its own', async () => {
    const dir = workspace();
    await cli(dir, 'run', 'a/clock-skew.yaml', '--out', 'run');
    const single = await cli(dir, 'report', 'run/clock-skew');
    expect(single.code).toBe(2);
    expect(single.err).toContain('name where the reports go with --out DIR');
    mkdirp(join(dir, 'mine'));
    writeFileSync(join(dir, 'mine', 'notes.txt'), 'x');
    const foreign = await cli(dir, 'report', 'run', '--out', 'mine');
    expect(foreign.code).toBe(2);
    expect(foreign.err).toContain('refusing to write into --out mine');
  });
});
