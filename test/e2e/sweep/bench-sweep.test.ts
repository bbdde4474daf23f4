import { describe, expect, it } from 'vitest';
import { main } from '../../../sim/cli/main.js';
import { bufferIo } from '../../../sim/cli/io.js';
import { packageRoot } from '../../../sim/scenario/library.js';

/**
 * `bench sweep` runs the built `cinder-sim sweep` as whole processes on one
 * thread and on K, alternating; the figures must say what was compared and
 * the two sweep.json files must be the same bytes.  (Its speed is printed,
 * never asserted.)
 */
describe('cinder-sim bench sweep', () => {
  it('times sweep --workers 1 against --workers 3 on the same tiny sweep and finds the same sweep.json', async () => {
    const io = bufferIo(packageRoot());
    const code = await main(['bench', 'sweep', '--workers', '3', '--seeds', '4', '--rounds', '1', '--backends', '3', '--requests', '200', '--years', '0.01', '--json'], io);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    const f = JSON.parse(io.out) as Record<string, unknown>;
    expect(f).toMatchObject({ bench: 'sweep', workers: 3, runs: 4, rounds: 1, same_sweep_json: true, run_size: '3 backends, 200 requests, 0.01 year(s)' });
    const one = f['seconds_1_worker'] as number;
    const three = f['seconds_3_workers'] as number;
    expect(one).toBeGreaterThan(0);
    expect(three).toBeGreaterThan(0);
    expect(f['speedup']).toBeCloseTo(one / three, 1);
  }, 120_000);

  it('refuses one worker: there is nothing to compare', async () => {
    const io = bufferIo(packageRoot());
    expect(await main(['bench', 'sweep', '--workers', '1'], io)).toBe(2);
    expect(io.err).toMatch(/--workers must be at least 2 \(it is compared with 1\), got 1/);
  });
});
