import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../sim/cli/main.js';
import { bufferIo } from '../../sim/cli/io.js';

describe('cinder-sim CLI shell', () => {
  it('a wrong flag is a clear error with exit code 2 and no stack trace', async () => {
    const io = bufferIo();
    const code = await main(['bench', 'engine', '--procesess', '10'], io);
    expect(code).toBe(2);
    expect(io.err).toMatch(/Unknown argument: procesess/);
    expect(io.err).not.toMatch(/\n\s+at /);
  });
  it('an unknown benchmark names the valid choices', async () => {
    const io = bufferIo();
    expect(await main(['bench', 'engin'], io)).toBe(2);
    expect(io.err).toMatch(/Choices: "engine"/);
  });
  it('a bad value names the flag and the value', async () => {
    const io = bufferIo();
    expect(await main(['bench', 'engine', '--processes', '-3'], io)).toBe(2);
    expect(io.err).toMatch(/--processes must be a positive integer, got -3/);
  });
  it('no command asks for one', async () => {
    const io = bufferIo();
    expect(await main([], io)).toBe(2);
    expect(io.err).toMatch(/Name a command/);
  });
  it('bench engine prints one JSON line with its figures', async () => {
    const io = bufferIo();
    expect(await main(['bench', 'engine', '--processes', '100', '--events', '20000', '--json'], io)).toBe(0);
    const figures = JSON.parse(io.out) as Record<string, unknown>;
    expect(figures).toMatchObject({ events: 20000, processes: 100 });
    for (const k of ['seconds', 'events_per_s', 'peak_rss_mb', 'bare_heap_events_per_s']) expect(typeof figures[k]).toBe('number');
  });
  it('the demo shows node3 going down with its clock behind, and back up when NTP steps it', async () => {
    const io = bufferIo();
    expect(await main(['demo', '--seed', '42'], io)).toBe(0);
    expect(io.out.split('\n')[0]).toBe('seed: 42');
    expect(io.out).toMatch(/t=2m01s {6}cinder-volume node3@lvm {2}down {2}\(clock offset -1m30s\)/);
    expect(io.out).toMatch(/t=10m01s {5}cinder-volume node3@lvm {2}up {4}\(clock offset 0s\)/);
  });
});

describe('cinder-sim CLI hygiene', () => {
  const run = async (...argv: string[]) => {
    const io = bufferIo('test/fixtures/scheduler/cli');
    const code = await main(argv, io);
    return { code, out: io.out, err: io.err };
  };
  it('--version prints the package version and the Cinder release it models', async () => {
    const r = await run('--version');
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/^cinder-sim \d+\.\d+\.\d+ \(OpenStack Cinder 2023\.1\)$/);
  });
  it('a misspelt command names the nearest command and the list', async () => {
    const r = await run('schedul', 'cases.json');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'schedul'; did you mean 'schedule'?");
    expect(r.err).toContain('commands: demo, bench, validate, list, schema, run, conf, schedule');
  });
  it('a misspelt flag names the nearest flag of that command', async () => {
    const r = await run('schedule', 'cases.json', '--breif');
    expect(r.code).toBe(2);
    expect(r.err).toContain('Unknown argument: breif');
    expect(r.err).toContain('--breif: did you mean --brief?');
    expect(r.err).toMatch(/schedule takes: .*--strict/);
    const before = await run('--verison');
    expect(before.code).toBe(2);
    expect(before.err).toContain('--verison: did you mean --version?');
  });
  it.each([
    ['run', ['run', 'snapshot-rules', '--seed', 'a b']],
    ['demo', ['demo', '--seed', 'x/y']],
    ['bench', ['bench', 'engine', '--seed', '1.5']],
    ['schedule', ['schedule', 'cases.json', '--seed', '']],
  ])('%s refuses a bad --seed and says what a seed may be', async (_cmd, argv) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--seed: '.*' is not a seed; valid: letters, digits, - and _ \(e\.g\. 42 or run-7\)/);
    expect(r.out).toBe('');
  });
  it("a scenario file's seed: refusal says what is valid", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cinder-sim-seed-'));
    writeFileSync(join(dir, 's.yaml'), 'seed: 1.5\n');
    const io = bufferIo(dir);
    expect(await main(['validate', 's.yaml'], io)).toBe(2);
    expect(io.err).toContain("seed: 1.5 is not valid; expected an integer, or letters, digits, - and _");
  });
  it("schedule: an unknown filter exits 2, with Cinder's exact error in the result and on stderr", async () => {
    const r = await run('schedule', 'cases.json');
    expect(r.code).toBe(2);
    const bad = (JSON.parse(r.out) as { id: string; error?: string }[]).find((x) => x.id === 'bad-filter')!;
    expect(bad.error).toBe('Scheduler Host Filter NoSuchFilter could not be found.');
    expect(r.err).toContain('cases.json: case bad-filter: Scheduler Host Filter NoSuchFilter could not be found. (SchedulerHostFilterNotFound)');
    expect(r.err).toContain("no filter named 'NoSuchFilter'; valid filters: AvailabilityZoneFilter,");
  });
  it('schedule: an unknown weigher exits 2 even when no request reached the weighers', async () => {
    const r = await run('schedule', '--pools', 'get-pools.txt', '--size', '1', '--weighers', 'CapacityWeigher,VolumeNumberWeigh', '--filters', 'AvailabilityZoneFilter', '--availability-zone', 'nowhere');
    expect(r.code).toBe(2);
    expect(r.err).toContain("no weigher named 'VolumeNumberWeigh' (Cinder raises SchedulerHostWeigherNotFound when a request reaches the weighers; none did here); did you mean 'VolumeNumberWeigher'?");
  });
  it('schedule --brief: per request only selected, selected_az, error_type and error', async () => {
    const r = await run('schedule', 'cases.json', '--brief');
    const doc = JSON.parse(r.out) as Record<string, unknown>[];
    expect(doc[0]).toEqual({
      id: 'spread',
      results: [
        { selected: 'node1@thick#thick', selected_az: 'nova', error_type: null, error: null },
        { selected: 'node2@thin#thin', selected_az: 'az2', error_type: null, error: null },
        { selected: null, selected_az: null, error_type: 'NoValidBackend', error: 'No valid backend was found. No weighed backends available' },
      ],
    });
    expect(Object.keys(doc[1]!)).toEqual(['id', 'selected', 'selected_az', 'error_type', 'error']);
    // The same decisions as the full output.
    const full = JSON.parse((await run('schedule', 'cases.json')).out) as { results?: { selected: string | null }[]; selected?: string | null }[];
    expect(doc.map((d) => (d['results'] as { selected: string | null }[] | undefined)?.map((x) => x.selected) ?? d['selected'])).toEqual(full.map((d) => d.results?.map((x) => x.selected) ?? d.selected));
  });
  it('schedule --strict exits 1 when a request was not placed, 0 when all were', async () => {
    expect((await run('schedule', '--pools', 'get-pools.txt', '--size', '10', '--strict')).code).toBe(0);
    const r = await run('schedule', '--pools', 'get-pools.txt', '--size', '100000', '--strict');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ selected: null, error_type: 'NoValidBackend' });
    expect((await run('schedule', '--pools', 'get-pools.txt', '--size', '100000')).code).toBe(0);
  });
  it('schedule: --explain prints text and goes with neither --brief nor --json', async () => {
    const r = await run('schedule', 'cases.json', '--explain', '--brief');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--explain prints text');
  });
});
