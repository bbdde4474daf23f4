import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capacityCharts, timePoints } from '../../../reports/capacity-series.js';
import { chartReport, scenarioCharts, timeAxis } from '../../../reports/chart.js';
import { bufferIo } from '../../../sim/cli/io.js';
import { main } from '../../../sim/cli/main.js';
import { packageRoot } from '../../../sim/scenario/library.js';
import { smallOutcome } from './fixture.js';

const update = process.env['UPDATE_GOLDENS'] === '1';
const golden = join(packageRoot(), 'test', 'golden', 'reports', 'capacity.small.txt');
const ESC = '\x1b';

describe('capacity series', () => {
  const o = smallOutcome();
  it('per pool: used (total - free), provisioned and the limit, stepping at the samples', () => {
    const [thick, thin] = capacityCharts(o, 'pool');
    expect(thick!.key).toBe('node1@thick#thick');
    expect(thick!.t).toEqual([0, 60_000, 3_600_000]);
    expect(thick!.used.values).toEqual([0, 50, 50]);
    expect(thick!.limit.values).toEqual([90, 90, 90]);
    expect(thin!.t).toEqual([0, 600_000, 2_000_000, 3_600_000]);
    expect(thin!.provisioned.values).toEqual([0, 300, 1200, 1200]);
    expect(thin!.limit.values).toEqual([1900, 1900, 1900, 1900]);
  });
  it('per zone and per type: sums over the pools in the zone, or those the type can land on', () => {
    expect(capacityCharts(o, 'az').map((c) => [c.key, c.limit.values.at(-1)])).toEqual([['az1', 90], ['az2', 1900]]);
    const silver = capacityCharts(o, 'type').find((c) => c.key === 'silver')!;
    expect(silver.used.values).toEqual([0, 300, 1200, 1200]);
    expect(silver.limit.values.at(-1)).toBe(1900);
  });
  it('explains the total and the limit with their numbers', () => {
    const notes = capacityCharts(o, 'pool').flatMap((c) => c.notes).join('\n');
    expect(notes).toContain("total 950 GB: the thin pool <vg>-pool, which Cinder's LVM driver (brick) creates from 95% of the VG's 1000 GB");
    expect(notes).toContain('usable limit (thin): (total 950 GB - reserved 0 GB) x max_over_subscription_ratio 2 = 1900 GB');
    expect(notes).toContain('usable limit (thick): total 100 GB - reserved 10 GB = 90 GB');
  });
  it('resamples onto at most maxPoints evenly spaced instants', () => {
    const changes = Array.from({ length: 10_000 }, (_, i) => i * 10);
    const t = timePoints(changes, 100_000, 2000);
    expect(t).toHaveLength(2000);
    expect([t[0], t.at(-1)]).toEqual([0, 100_000]);
  });
});

describe('capacity.txt', () => {
  const text = chartReport.render({ seed: '7', outcomes: [smallOutcome()] });
  it('matches its golden file', () => {
    if (update) {
      mkdirSync(join(golden, '..'), { recursive: true });
      writeFileSync(golden, text);
    }
    expect(existsSync(golden), `no golden ${golden}; create it with UPDATE_GOLDENS=1`).toBe(true);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });
  it('is colourless and fixed-width: chart rows fit 80 columns', () => {
    expect(text).not.toContain(ESC);
    const rows = text.split('\n').filter((l) => /^ +-?[\d.]+ [┼┤]/.test(l));
    expect(rows.length).toBeGreaterThan(20);
    for (const r of rows) expect(r.length).toBeLessThanOrEqual(80);
  });
  it('has a time axis labelled with formatDuration', () => {
    const [axis, labels, name] = timeAxis(60, 3_600_000, 4);
    expect(axis).toMatch(/^ {3}└┬─+┬/);
    // The last label ends at its tick, the axis's name below when it has no room beside them.
    expect(labels).toMatch(/^ {4}0s +15m00s +30m00s +45m00s +1h00m00s$/);
    expect(labels).toHaveLength(64);
    expect(name).toBe('   (virtual time, 0s .. 1h00m00s)');
    expect(timeAxis(60, 3_600_000, 4, 100)).toHaveLength(2);
  });
  it('colours only when asked (a terminal)', () => {
    expect(scenarioCharts(smallOutcome(), { width: 80, color: true }).join('\n')).toContain(`${ESC}[`);
  });
});

describe('cinder-sim chart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chart-cli-'));
  mkdirSync(join(dir, 'small'));
  writeFileSync(join(dir, 'small', 'outcome.json'), JSON.stringify(smallOutcome()));
  it('prints the charts of a run at the terminal width, in colour on a terminal only', async () => {
    const tty = Object.assign(bufferIo(dir), { isTty: true, columns: 120 });
    expect(await main(['chart', dir, '--by', 'az'], tty)).toBe(0);
    expect(tty.out).toContain('-- availability zone az2');
    expect(tty.out).not.toContain('-- pool ');
    expect(tty.out).toContain(`${ESC}[`);
    const widest = Math.max(...tty.out.replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), '').split('\n').filter((l) => /[┼┤]/.test(l)).map((l) => l.length));
    expect(widest).toBeGreaterThan(100);
    expect(widest).toBeLessThanOrEqual(120);
    const pipe = bufferIo(dir);
    expect(await main(['chart', join(dir, 'small', 'outcome.json'), '--width', '60'], pipe)).toBe(0);
    expect(pipe.out).not.toContain(ESC);
    expect(pipe.out).toContain('-- volume type silver');
  });
  it('keeps every line within --width, in colour too (titles, legend, keys and time axis wrap)', async () => {
    for (const width of [40, 60, 80]) {
      for (const isTty of [false, true]) {
        const io = Object.assign(bufferIo(dir), { isTty });
        expect(await main(['chart', dir, '--width', String(width)], io)).toBe(0);
        const long = io.out.replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), '').split('\n').filter((l) => [...l].length > width);
        expect(long, `--width ${width}${isTty ? ' on a terminal' : ''}`).toEqual([]);
      }
    }
  });
  it('refuses a bad grouping, width or run with the reason (exit 2)', async () => {
    const io = bufferIo(dir);
    expect(await main(['chart', dir, '--by', 'host'], io)).toBe(2);
    expect(io.err).toContain('--by host: not a grouping; valid: pool, az, type');
    expect(await main(['chart', dir, '--width', '10'], io)).toBe(2);
    expect(io.err).toContain('at least 40');
    expect(await main(['chart', dir, '--width', 'abc'], io)).toBe(2);
    expect(io.err).toContain('--width abc: give a whole number of columns, at least 40');
    expect(await main(['chart', join(dir, 'nope')], io)).toBe(2);
    expect(io.err).toContain('no such file or directory');
  });
});
