import { describe, expect, it } from 'vitest';
import { distribution, type PointSummary, type SweepResult } from '../../../sim/scenario/sweep/model.js';
import { sweepRankings } from '../../../reports/sweep-ranking.js';
import { sweepText } from '../../../reports/sweep-text.js';
import { sweepHtml } from '../../../reports/sweep-html.js';

/** Points of a made-up sweep: the first "No valid backend" of each run (Infinity: never) and the share of creates that succeeded. */
function point(index: number, ratio: string, thin: number[], success: number[]): PointSummary {
  return {
    index,
    settings: [{ key: 'node1:thin.max_over_subscription_ratio', value: ratio }],
    runs: thin.length,
    aborted: 0,
    expectations_failed_runs: 0,
    success_rate: distribution(success),
    first_no_valid_backend: { by_az: { nova: distribution([60_000, 60_000, 60_000], true) }, by_type: { thin: distribution(thin, true) } },
    utilisation: { by_az: {}, by_pool: {} },
  };
}

function sweep(points: PointSummary[]): SweepResult {
  return {
    format: 'cinder-sim-sweep', version: 1, cinder_sim: 'test', scenario: { name: 's', file: 's.yaml', sha256: '0'.repeat(64) },
    root_seed: '1', seeds: 3, seed_rule: 'k', grid: [{ key: 'node1:thin.max_over_subscription_ratio', values: points.map((p) => p.settings[0]!.value) }],
    points, runs: [],
  };
}

describe('which grid point lasts longest', () => {
  const s = sweep([
    point(0, '2.0', [3_600_000, 3_000_000, 4_000_000], [0.5, 0.5, 0.5]),
    point(1, '20.0', [Infinity, Infinity, 7_200_000], [0.8, 0.8, 0.8]),
    point(2, '5.0', [7_200_000, 7_000_000, 9_000_000], [0.7, 0.7, 0.7]),
    point(3, '10.0', [Infinity, Infinity, Infinity], [0.9, 0.9, 0.9]),
  ]);

  it('orders by the median first "No valid backend", never first, ties by creates succeeded', () => {
    const [az, thin] = sweepRankings(s);
    expect(az).toMatchObject({ subject: 'AZ nova', allEqual: true });
    expect(thin!.subject).toBe('type thin');
    expect(thin!.allEqual).toBe(false);
    // Points 1 and 3 never ran out in their median run; 3 had more creates succeed.
    expect(thin!.points.map((r) => r.point.index)).toEqual([3, 1, 2, 0]);
    expect(thin!.points.map((r) => r.p50)).toEqual([null, null, 7_200_000, 3_600_000]);
  });

  it('is printed after the points and in sweep.html', () => {
    const text = sweepText(s);
    expect(text).toContain('  AZ nova: the same for every point (1m00s)');
    expect(text).toMatch(/ {5}1\. never {5}creates succeeded 90\.0% {2}point 4: node1:thin\.max_over_subscription_ratio=10\.0\n {5}2\. never {5}creates succeeded 80\.0% {2}point 2:/);
    expect(text.indexOf('which point lasts longest')).toBeGreaterThan(text.indexOf('point 4/4'));
    const html = sweepHtml(s);
    expect(html).toContain('<h2>Which point lasts longest</h2>');
    expect(html).toMatch(/<tr><td>1<\/td><td>never<\/td><td>90\.0%<\/td><td[^>]*>4: node1:thin\.max_over_subscription_ratio=10\.0<\/td><\/tr>/);
  });

  it('says why utilisation can pass 100% only when it does', () => {
    const full = point(0, '20.0', [1, 2, 3], [1, 1, 1]);
    full.utilisation.by_az = { nova: distribution([0.9, 1.5, 2.0]) };
    expect(sweepText(sweep([full]))).toContain('utilisation at the end (allocated / total, p5 / p50 / p95; above 100%: thin pools over-subscribed):');
    full.utilisation.by_az = { nova: distribution([0.5, 0.9, 1.0]) };
    expect(sweepText(sweep([full]))).toContain('utilisation at the end (allocated / total, p5 / p50 / p95):');
  });

  it('says nothing for a sweep of one point', () => {
    expect(sweepRankings(sweep([point(0, '2.0', [1, 2, 3], [1, 1, 1])]))).toEqual([]);
    expect(sweepText(sweep([point(0, '2.0', [1, 2, 3], [1, 1, 1])]))).not.toContain('lasts longest');
  });
});
