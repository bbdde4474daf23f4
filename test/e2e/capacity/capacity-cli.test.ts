import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { bufferIo } from '../../../sim/cli/io.js';
import { main } from '../../../sim/cli/main.js';

const LISTING = 'test/fixtures/scheduler/cli/get-pools.txt';
const SCENARIO = 'scenarios/capacity-exhaustion.yaml';

async function run(...argv: string[]) {
  const io = bufferIo(process.cwd());
  const code = await main(['capacity', ...argv], io);
  return { code, out: io.out, err: io.err };
}

interface Doc {
  schema_version: number;
  source: string;
  max: number;
  backends: { backend: string; provisioning: string; why: string; ratio_source: string }[];
  pools: { pool: string; thin: boolean; max_over_subscription_ratio: number }[];
  findings: { rule: string; file: string; line: number }[];
  shapes: { size: number; volume_type: string | null; count: number | null; fits: number; gb: number; stop: string; capped: boolean; pools: { pool: string; volumes: number }[]; zones: { availability_zone: string; volumes: number }[]; next_failure: { error_type: string; emptied_by: string | null; rejections: { pool: string; filter: string; why: string }[] } | null }[];
}

async function json(...argv: string[]): Promise<Doc> {
  const r = await run(...argv, '--json');
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as Doc;
}

function tempConf(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'capacity-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('cinder-sim capacity: the cloud from a pool listing', () => {
  test('how many fit, where, and why the next one fails (text)', async () => {
    const r = await run('--pools', LISTING, '--size', '100');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Shape 1: 100 GB, no type, until No valid backend\n  17 fit (1700 GB)\n');
    expect(r.out).toMatch(/ctl1@lvmdriver-1#lvmdriver-1\s+nova\s+5\s+500/);
    expect(r.out).toContain('the next one fails: NoValidBackend: No valid backend was found. No weighed backends available');
    expect(r.out).toContain('ctl1@lvmdriver-1#lvmdriver-1: CapacityFilter: needs 100 GB; 66 GB virtual free (thin: (total 28.5 GB minus reserved 0 GB (reserved_percentage 0)) x max_over_subscription_ratio 20 = 570 GB, minus provisioned 504 GB; provisioned ratio (504 + 100) / 570 = 1.06, within 20)');
    expect(r.out).toMatch(/ctl1@lvmdriver-1#lvmdriver-1: thin: thin_provisioning_support True in the listing\n\s+max_over_subscription_ratio 20.0 \(reported by the pool\)/);
  });

  test('the JSON document: a mix of shapes, then the request, every field documented in README', async () => {
    const doc = await json('--pools', LISTING, '--shape', 'size=10,count=5', '--shape', 'size=50,count=3,az=nova', '--size', '100');
    expect(doc.schema_version).toBe(1);
    expect(doc.max).toBe(1_000_000);
    expect(doc.shapes.map((s) => [s.size, s.count, s.fits, s.stop, s.capped])).toEqual([
      [10, 5, 5, 'count', false],
      [50, 3, 3, 'count', false],
      [100, null, 15, 'no_valid_backend', false],
    ]);
    expect(doc.shapes[0]!.next_failure).toBeNull();
    expect(doc.shapes[2]!.gb).toBe(1500);
    expect(doc.shapes[2]!.zones).toEqual([{ availability_zone: 'nova', volumes: 15, gb: 1500 }]);
    expect(doc.shapes[2]!.next_failure).toMatchObject({ error_type: 'NoValidBackend', emptied_by: 'CapacityFilter' });
    expect(doc.pools.map((p) => [p.pool, p.thin])).toEqual([['ctl1@lvmdriver-1#lvmdriver-1', true], ['ctl2@array#fast', false], ['ctl2@array#slow', false]]);
  });

  test('--max caps a shape and says so', async () => {
    const doc = await json('--pools', LISTING, '--size', '1', '--max', '25');
    expect(doc.shapes[0]).toMatchObject({ fits: 25, stop: 'max', capped: true, next_failure: null });
    const r = await run('--pools', LISTING, '--size', '1', '--max', '25');
    expect(r.out).toContain('25 placed and more would fit: stopped at --max 25');
  });

  test('a volume type defined with --type; extra specs by flag', async () => {
    const doc = await json('--pools', LISTING, '--type', 'gold:tier=gold', '--volume-type', 'gold', '--size', '100');
    expect(doc.shapes[0]!.volume_type).toBe('gold');
    expect(doc.shapes[0]!.pools.map((p) => p.pool)).toEqual(['ctl2@array#fast']);
    const byFlag = await json('--pools', LISTING, '--extra-spec', 'tier=gold', '--size', '100');
    expect(byFlag.shapes[0]!.fits).toBe(doc.shapes[0]!.fits);
  });
});

describe('cinder-sim capacity: the cloud of a scenario at a virtual time', () => {
  test('at 1h the thick pool is nearly full; the thin one is over-subscribed 2.0x', async () => {
    const doc = await json('--scenario', SCENARIO, '--at', '1h', '--volume-type', 'thin', '--size', '10', '--shape', 'size=10,type=thick,count=5');
    expect(doc.source).toBe(`--scenario ${SCENARIO} --at 1h00m00s (seed 31)`);
    // Thick: 100 GB less 10 % reserved holds 9 of 10 GB, and by 1h the workload made 9.
    expect(doc.shapes[0]).toMatchObject({ volume_type: 'thick', count: 5, fits: 0, stop: 'no_valid_backend' });
    expect(doc.shapes[0]!.next_failure!.rejections).toContainEqual(expect.objectContaining({ pool: 'node1@thick#thick', filter: 'CapacityFilter' }));
    // Thin: 95 GB x 2.0 = 190 GB, 100 GB provisioned by 1h: 9 more.
    expect(doc.shapes[1]).toMatchObject({ volume_type: 'thin', fits: 9, stop: 'no_valid_backend' });
    expect(doc.backends.map((b) => [b.backend, b.provisioning])).toEqual([['node1@thick', 'thick'], ['node1@thin', 'thin']]);
  });

  test('at 4m the setup made the types and the workload (from 5m) nothing yet: the whole thin pool', async () => {
    const doc = await json('--scenario', SCENARIO, '--at', '4m', '--volume-type', 'thin', '--size', '10');
    expect(doc.shapes[0]!.fits).toBe(19);
  });

  test('at 0s the setup has not run: no volume type exists yet', async () => {
    const r = await run('--scenario', SCENARIO, '--at', '0s', '--volume-type', 'thin', '--size', '10');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown volume type 'thin'; valid types: __DEFAULT__");
  });
});

describe('cinder-sim capacity: the cloud from cinder.conf files', () => {
  test('two nodes; lvm_type auto becomes thin at 20.0, flagged at its line; VG sizes by flag', async () => {
    const a = tempConf('node1.conf', '[DEFAULT]\nenabled_backends = ssd,hdd\n[ssd]\nvolume_group = ssd\nvolume_backend_name = ssd\n[hdd]\nvolume_group = hdd\nvolume_backend_name = hdd\nlvm_type = default\nreserved_percentage = 10\n');
    const b = tempConf('node2.conf', '[DEFAULT]\nenabled_backends = hdd\nstorage_availability_zone = az2\n[hdd]\nvolume_group = hdd\nvolume_backend_name = hdd\nlvm_type = default\n');
    const doc = await json('--conf', a, b, '--vg-size', 'ssd=100', '--vg-size', 'node1@hdd=200', '--type', 'hdd:volume_backend_name=hdd', '--volume-type', 'hdd', '--size', '50', '--shape', 'size=100,count=25');
    expect(doc.backends.map((x) => [x.backend, x.provisioning])).toEqual([['node1@ssd', 'thin'], ['node1@hdd', 'thick'], ['node2@hdd', 'thick']]);
    expect(doc.backends[0]!.why).toContain('lvm_type auto (option default auto): LVM supports thin provisioning and volume group ssd holds no LV yet');
    expect(doc.backends[2]!.why).toContain("VG 1000 GB (the fake driver's default; --vg-size hdd=GB)");
    expect(doc.findings).toEqual([expect.objectContaining({ rule: 'auto-thin-oversubscribed', file: a, line: 3 })]);
    // The ssd thin pool: 95 GB x 20 = 1900 GB takes 19 of the 100 GB mix; the rest go to the hdds.
    expect(doc.shapes[0]!.fits).toBe(25);
    // hdd: node1 200 GB less 10 % = 180, node2 1000 GB, less what the mix put there.
    const mixOnHdd = doc.shapes[0]!.pools.filter((p) => p.pool.includes('@hdd')).reduce((n, p) => n + p.volumes * 100, 0);
    expect(doc.shapes[1]!.gb).toBe(Math.floor((180 + 1000 - mixOnHdd) / 50) * 50);
    expect(doc.shapes[1]!.zones.map((z) => z.availability_zone).sort()).toEqual(['az2', 'nova']);
  });
});

describe('cinder-sim capacity: a node in layers, as repeated --config-file / --config-dir', () => {
  const layered = () => {
    const base = tempConf('base.conf', '[DEFAULT]\nenabled_backends = lvm\nstorage_availability_zone = az1\n[backend_defaults]\nreserved_percentage = 5\n[lvm]\nvolume_group = vg1\nvolume_backend_name = LVM\nlvm_type = thin\n');
    const dir = join(base, '..', 'node1.d');
    mkdirSync(dir);
    writeFileSync(join(dir, '20-zone.conf'), '[DEFAULT]\nstorage_availability_zone = az2\n[lvm]\nlvm_type = default\n');
    writeFileSync(join(dir, '10-ratio.conf'), '[lvm]\nmax_over_subscription_ratio = 2.0\n');
    const extra = join(base, '..', 'reserve.conf');
    writeFileSync(extra, '[lvm]\nreserved_percentage = 10\n');
    return { base, dir, extra };
  };

  test('NODE=FILE,DIR: later files win option by option; the text names the file and line that won', async () => {
    const { base, dir } = layered();
    const r = await run('--conf', `node1=${base},${dir}`, '--size', '100');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`Capacity of --conf node1=${base},${dir}:`);
    // lvm_type default from 20-zone.conf: thick; 1000 GB less 5 % reserved = 950: 9 of 100 GB.
    expect(r.out).toMatch(/node1@lvm#LVM\s+az2\s+thick\s+-\s+5%\s+1000/);
    expect(r.out).toContain('  9 fit (900 GB)\n');
    expect(r.out).toContain(`  node1: ${base} + ${dir}/10-ratio.conf + ${dir}/20-zone.conf\n`);
    expect(r.out).toMatch(new RegExp(`\\[DEFAULT\\] storage_availability_zone\\s+=\\s+az2\\s+${dir}/20-zone\\.conf:2 \\(over ${base}:3\\)\\n`));
    expect(r.out).toMatch(new RegExp(`\\[lvm\\] reserved_percentage\\s+=\\s+5\\s+${base}:5 \\[backend_defaults\\]\\n`));
    expect(r.out).toMatch(new RegExp(`\\[lvm\\] max_over_subscription_ratio\\s+=\\s+2\\.0\\s+${dir}/10-ratio\\.conf:2\\n`));
    expect(r.out).toContain(`lvm_type default (set in [lvm] at ${dir}/20-zone.conf:4 (over ${base}:9))`);
  });

  test('--conf-layer adds a layer on top of a node (the old FILE form names the node after the file); JSON has every option with its winning line', async () => {
    const { base, dir, extra } = layered();
    const doc = (await json('--conf', base, '--conf-layer', `base=${dir}`, '--conf-layer', `base=${extra}`, '--size', '100')) as Doc & {
      configuration: { node: string; files: string[]; options: { section: string; option: string; value: string; file: string; line: number; overrides: { file: string; line: number }[] }[] }[];
    };
    expect(doc.source).toBe(`--conf ${base} --conf-layer base=${dir} --conf-layer base=${extra}`);
    expect(doc.configuration.map((n) => [n.node, n.files])).toEqual([['base', [base, `${dir}/10-ratio.conf`, `${dir}/20-zone.conf`, extra]]]);
    expect(doc.configuration[0]!.options.find((o) => o.option === 'reserved_percentage')).toEqual({ section: 'lvm', option: 'reserved_percentage', value: '10', file: extra, line: 2, from_section: 'lvm', overrides: [] });
    expect(doc.backends[0]!.ratio_source).toBe(`set in [lvm] at ${dir}/10-ratio.conf:2`);
    // 1000 GB less 10 % = 900: 9 of 100 GB, in az2.
    expect(doc.shapes[0]!.fits).toBe(9);
    expect(doc.shapes[0]!.zones).toEqual([{ availability_zone: 'az2', volumes: 9, gb: 900 }]);
  });

  test('a malformed line in any layer, a layer for an unknown node, a missing layer: exit 2 naming them', async () => {
    const { base } = layered();
    const bad = join(base, '..', 'bad.conf');
    writeFileSync(bad, '[lvm]\nvolume_group = vg\nbroken line\n');
    const cases: [string[], string][] = [
      [['--conf', `node1=${base},${bad}`], `${bad}:3: oslo.config refuses this file: No ':' or '=' found in assignment: 'broken line'`],
      [['--conf', `node1=${base}`, '--conf-layer', `node2=${bad}`], `--conf-layer 'node2=${bad}': no node node2 among the --conf nodes; nodes: node1`],
      [['--conf', `node1=${base},nope.conf`], 'nope.conf: cannot read: no such file'],
      [['--conf', `node1=${base}`, `node1=${base}`], `--conf 'node1=${base}': node node1 is already given`],
      [['--conf', `node1=${base},`], `--conf 'node1=${base},': an empty path in the list`],
      [['--pools', LISTING, '--conf-layer', `node1=${base}`], 'capacity: --conf-layer goes with --conf'],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv, '--size', '1');
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toContain(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});

describe('cinder-sim capacity: bad input, exit 2 with the reason', () => {
  test.each([
    ['an unknown shape key, with the valid ones', ['--pools', LISTING, '--shape', 'sise=10'], "--shape 'sise=10': unknown key 'sise'; did you mean 'size'?; valid keys: size (GB, a number >= 0 (required)), type (a volume type name), az (an availability zone), count"],
    ['a bad count', ['--pools', LISTING, '--shape', 'size=10,count=0'], "--shape 'size=10,count=0': count must be an integer >= 1, got '0'"],
    ['an unknown volume type, with the valid ones', ['--scenario', SCENARIO, '--volume-type', 'thik', '--size', '10'], "--volume-type: unknown volume type 'thik'; did you mean 'thick'?; valid types: __DEFAULT__, thick, thin"],
    ['a type no --type defined', ['--pools', LISTING, '--volume-type', 'gold', '--size', '10'], "--volume-type: unknown volume type 'gold'; no volume type is defined (define one with --type NAME:key=value)"],
    ['--at beyond the duration', ['--scenario', SCENARIO, '--at', '9h', '--size', '10'], "--at 9h: beyond the scenario's duration 5h00m00s (scenarios/capacity-exhaustion.yaml); give a time from 0s to 5h00m00s"],
    ['--at not a duration', ['--scenario', SCENARIO, '--at', 'soon', '--size', '10'], "--at 'soon': expected a duration"],
    ['an unreadable listing', ['--pools', 'nope.txt', '--size', '10'], 'nope.txt: cannot read: no such file'],
    ['a listing that is not one', ['--pools', 'README.md', '--size', '10'], 'README.md: not a pool listing (cinder get-pools --detail, or openstack volume backend pool list --long -f json): no pool tables found'],
    ['two clouds', ['--pools', LISTING, '--conf', 'x.conf', '--size', '10'], 'give the cloud with exactly one of --pools LISTING, --scenario FILE [--at T], --conf FILE... (got --pools and --conf)'],
    ['no request', ['--pools', LISTING], 'capacity: give the request with --size N'],
    ['a --vg-size for no backend', ['--conf', 'test/fixtures/conf/devstack/cinder.conf', '--vg-size', 'lvm=10', '--size', '1'], '--vg-size: no LVM backend lvm in test/fixtures/conf/devstack/cinder.conf; backends: lvmdriver-1, cinder@lvmdriver-1'],
    ['--max 0', ['--pools', LISTING, '--size', '1', '--max', '0'], '--max: expected an integer >= 1, got 0'],
  ])('%s', async (_name, argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
