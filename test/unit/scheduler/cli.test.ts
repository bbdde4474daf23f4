import { describe, expect, test } from 'vitest';
import { caseJsonSchema } from '../../../sim/cinder/scheduler/case.js';
import { bufferIo } from '../../../sim/cli/io.js';
import { main } from '../../../sim/cli/main.js';

const dir = 'test/fixtures/scheduler/cli';

async function run(...argv: string[]) {
  const io = bufferIo(dir);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('cinder-sim schedule (golden outputs)', () => {
  test('an array of cases gives an array of results, one JSON document', async () => {
    const r = await run('schedule', 'cases.json');
    // The case bad-filter names a filter Cinder does not have: exit 2, the output still whole.
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.out) as { id: string }[];
    expect(doc.map((x) => x.id)).toEqual(['spread', 'crash', 'bad-filter']);
    await expect(r.out).toMatchFileSnapshot('../../fixtures/scheduler/cli/cases.golden.json');
  });
  test('--explain reads as text, with the reason for every dropped pool', async () => {
    const r = await run('schedule', 'cases.json', '--explain');
    expect(r.code).toBe(2);
    expect(r.out).toContain('why: CapacityFilter left no pool');
    await expect(r.out).toMatchFileSnapshot('../../fixtures/scheduler/cli/cases.golden.txt');
  });
  test('a `cinder get-pools --detail` listing plus a request on the command line', async () => {
    const r = await run('schedule', '--pools', 'get-pools.txt', '--size', '10', '--extra-spec', 'tier=gold', '--explain');
    expect(r.code).toBe(0);
    await expect(r.out).toMatchFileSnapshot('../../fixtures/scheduler/cli/get-pools.golden.txt');
    const json = JSON.parse((await run('schedule', '--pools', 'get-pools.txt', '--size', '10', '--backend-az', 'ctl2@array=az9', '--availability-zone', 'az9')).out) as { selected: string; selected_az: string };
    expect(json).toMatchObject({ selected: 'ctl2@array#slow', selected_az: 'az9' });
  });
  test('--trace adds the explanation as data: verdicts with numbers, weigher rows, the summary', async () => {
    const r = await run('schedule', 'cases.json', '--trace');
    const [spread] = JSON.parse(r.out) as { results: { trace: { summary?: { emptied_by: string; first_rejections: { host: string; verdict: { reason: string; requestedGb: number } }[] }; weighers: { rows: unknown[] }[] } }[] }[];
    const third = spread!.results[2]!.trace;
    expect(third.summary!.emptied_by).toBe('CapacityFilter');
    expect(third.summary!.first_rejections[0]).toMatchObject({ host: 'node1@thick#thick', verdict: { reason: 'insufficient_capacity', requestedGb: 5000, availableGb: 400 } });
    expect(spread!.results[0]!.trace.weighers[0]!.rows).toEqual([
      { host: 'node1@thick#thick', raw: 500, normalised: 1, weighted: 1 },
      { host: 'node2@thin#thin', raw: 150, normalised: 0, weighted: 0 },
    ]);
  });
  test('an `openstack volume backend pool list --long -f json` listing, with a warning about free capacity', async () => {
    const r = await run('schedule', '--pools', 'openstack-pools.json', '--size', '10');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ selected: 'ctl2@array#fast' });
    expect(r.err).toContain('does not show free_capacity_gb');
  });
});

describe('cinder-sim schedule: user mistakes exit 2 with where and what', () => {
  test.each([
    ['invalid JSON names line and column', ['schedule', 'bad-json.json'], ['bad-json.json: not valid JSON', 'line 2, column 60']],
    [
      'format violations name each JSON path',
      ['schedule', 'bad-format.json'],
      ['$.backends[0].capabilities.total_capacity_gb: expected a number of GB, "infinite" or "unknown" (got "lots")', '$.backends[0].capabilities.pools[0].pool_name', '$.request.operation', '"create_volume"|"extend_volume"|"retype"', '$.request.size', 'Unrecognized key: "extra"'],
    ],
    ['a missing file', ['schedule', 'nope.json'], ['nope.json: cannot read: no such file']],
    ['--pools without --size', ['schedule', '--pools', 'get-pools.txt'], ['--size N']],
    ['--backend-az for a backend not in the listing', ['schedule', '--pools', 'get-pools.txt', '--size', '1', '--backend-az', 'x@y=az1'], ['no backend x@y', 'ctl1@lvmdriver-1, ctl2@array']],
    ['a malformed --extra-spec', ['schedule', '--pools', 'get-pools.txt', '--size', '1', '--extra-spec', 'novalue'], ['expected key=value']],
    ['no case and no --pools', ['schedule'], ['name a case file']],
  ])('%s', async (_what, argv, parts) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    for (const p of parts) expect(r.err).toContain(p);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('case JSON Schema', () => {
  test('describes both shapes and the capacity words', () => {
    const text = JSON.stringify(caseJsonSchema());
    expect(text).toContain('"anyOf"');
    expect(text).toContain('"pool_name"');
    expect(text).toContain('"infinite"');
    expect(text).toContain('"extend_volume"');
  });
});

describe('cinder-sim bench scheduler', () => {
  test('prints decisions, seconds, decisions_per_s and peak_rss_mb as one JSON line', async () => {
    const r = await run('bench', 'scheduler', '--backends', '30', '--requests', '200', '--seed', '3', '--json');
    expect(r.code).toBe(0);
    const f = JSON.parse(r.out) as Record<string, number>;
    expect(f).toMatchObject({ backends: 30, pools: 40, decisions: 200 });
    expect(f['placed']! + f['no_valid_backend']!).toBe(200);
    for (const k of ['seconds', 'decisions_per_s', 'peak_rss_mb']) expect(typeof f[k]).toBe('number');
  });
  test('rejects a non-positive --backends', async () => {
    const r = await run('bench', 'scheduler', '--backends', '0');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--backends must be a positive integer');
  });
});
