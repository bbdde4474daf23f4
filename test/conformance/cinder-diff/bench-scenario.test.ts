import { describe, expect, test } from 'vitest';
import { bufferIo } from '../../../sim/cli/io.js';
import { main } from '../../../sim/cli/main.js';
import { findOracle } from './oracle.js';

/**
 * `cinder-sim bench scenario --cinder N`: the real Cinder 2023.1 scheduler
 * timed on the run's own fleet and first N creates.  A small cloud (20
 * backends, a few days, a few hundred creates) keeps it fast; what is
 * asserted is that the case is the run's (our scheduler on it chooses the
 * run's pools, and Cinder's), and that the printed figures follow from one
 * another, never a time.
 *
 * CINDER_DIFF_REQUIRED=1 turns a missing python3-cinder into a failure.
 */

const REQUIRED = process.env['CINDER_DIFF_REQUIRED'] === '1';
const oracle = findOracle();

async function bench(...flags: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo(process.cwd());
  const code = await main(['bench', 'scenario', '--backends', '20', '--requests', '300', '--years', '0.01', ...flags], io);
  return { code, out: io.out, err: io.err };
}

if (!oracle.ok && !REQUIRED) console.warn(`bench scenario --cinder skipped: ${oracle.reason}`);

if (!oracle.ok && REQUIRED) {
  test('python3-cinder is installed (CINDER_DIFF_REQUIRED=1)', () => {
    expect.fail(oracle.reason);
  });
}

describe.skipIf(!oracle.ok)("bench scenario --cinder N: the real Cinder on the run's fleet", () => {
  test("prints Cinder's time per decision on the same case, and how much faster the whole run is", async () => {
    const r = await bench('--cinder', '5', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const f = JSON.parse(r.out) as Record<string, number | string | boolean>;
    expect(f).toMatchObject({ bench: 'scenario', backends: 20, cinder_sample: 5, sample_same_selections: true, sample_same_as_run: true, sample_compared_with_run: 5 });
    // Just before the run's first create decision, which comes within minutes.
    expect(f['cinder_case_at']).toMatch(/^\d+m\d+(\.\d+)?s$/);
    const ms = f['cinder_ms_per_decision'] as number;
    const seconds = f['seconds'] as number;
    const decisions = f['scheduling_decisions'] as number;
    const cinderSeconds = f['cinder_seconds_for_all_decisions'] as number;
    expect(decisions).toBeGreaterThan(100);
    expect(cinderSeconds).toBeCloseTo((ms * decisions) / 1000, 2);
    expect(Math.abs((f['times_faster'] as number) - cinderSeconds / seconds)).toBeLessThanOrEqual(0.05 + 1e-9);
    // The same on CPU time: Cinder's Python process against our whole process.
    const cpuMs = f['cinder_cpu_ms_per_decision'] as number;
    const cinderCpuSeconds = f['cinder_cpu_seconds_for_all_decisions'] as number;
    expect(cinderCpuSeconds).toBeCloseTo((cpuMs * decisions) / 1000, 2);
    expect(Math.abs((f['times_faster_cpu'] as number) - cinderCpuSeconds / (f['cpu_seconds'] as number))).toBeLessThanOrEqual(0.05 + 1e-9);
    // With the capability reports: every backend once a report period, spread over the run's decisions.
    expect(f['report_period_s']).toBe(60);
    const perDecision = f['reports_per_decision'] as number;
    expect(perDecision).toBeCloseTo((20 * (f['virtual_seconds'] as number)) / decisions / 60, 2);
    expect(perDecision).toBeGreaterThan(0);
    // The reports carry the capacity the run's creates consumed: Cinder chooses the pools it chose without them.
    expect(f['sample_with_reports_same_selections']).toBe(true);
    const withMs = f['cinder_with_reports_ms_per_decision'] as number;
    const withCpuMs = f['cinder_with_reports_cpu_ms_per_decision'] as number;
    expect(Math.abs((f['times_faster_with_reports'] as number) - (withMs * decisions) / 1000 / seconds)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.abs((f['times_faster_with_reports_cpu'] as number) - (withCpuMs * decisions) / 1000 / (f['cpu_seconds'] as number))).toBeLessThanOrEqual(0.05 + 1e-9);
  });
  test('--cinder alone asks for 100 decisions', async () => {
    const r = await bench('--cinder', '--json');
    expect(r.code).toBe(0);
    const f = JSON.parse(r.out) as Record<string, unknown>;
    expect(f).toMatchObject({ cinder_sample: 100, sample_same_selections: true, sample_same_as_run: true, sample_with_reports_same_selections: true });
  });
});

describe('bench scenario without --cinder', () => {
  test('does not run Cinder: no Cinder figure', async () => {
    const r = await bench('--json');
    expect(r.code).toBe(0);
    const f = JSON.parse(r.out) as Record<string, unknown>;
    expect(f['scheduling_decisions']).toBeGreaterThan(100);
    expect(Object.keys(f).filter((k) => k.includes('cinder') || k.startsWith('sample_') || k === 'times_faster')).toEqual([]);
  });
  test('--cinder that is not a whole number is refused', async () => {
    const r = await bench('--cinder', 'many');
    expect(r.code).toBe(2);
    expect(r.err).toContain("--cinder must be a whole number of requests (0: do not run Cinder), got 'many'");
  });
  test('--cinder 1 is refused: one decision gives no time per decision', async () => {
    const r = await bench('--cinder', '1');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--cinder must be 0 (do not run Cinder, the default) or an integer >= 2, got 1');
  });
});
