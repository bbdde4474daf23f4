import { formatDuration } from '../sim/scenario/duration.js';
import type { Distribution, PointSummary, SweepResult } from '../sim/scenario/sweep/model.js';
import { sweepRankings } from './sweep-ranking.js';

/** A sweep's distributions as the terminal shows them: one block per grid point. */

const time = (v: number | null): string => (v === null ? 'never' : formatDuration(v));
const pct = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);

/** `p5 / p50 / p95 (min .. max)` of a distribution, each value shown by `show`. */
function spread(d: Distribution, show: (v: number | null) => string): string {
  return `${show(d.p5)} / ${show(d.p50)} / ${show(d.p95)}  (min ${show(d.min)}, max ${show(d.max)})`;
}

export function pointLabel(p: PointSummary): string {
  return p.settings.length ? p.settings.map((s) => `${s.key}=${s.value}`).join('  ') : '(the scenario as written)';
}

function pointLines(p: PointSummary, total: number): string[] {
  const out = [`point ${p.index + 1}/${total}: ${pointLabel(p)}  (${p.runs} runs${p.aborted ? `, ${p.aborted} stopped on a broken invariant` : ''}${p.expectations_failed_runs ? `, ${p.expectations_failed_runs} with a failed expectation` : ''})`];
  out.push(`  creates succeeded      p5 / p50 / p95: ${spread(p.success_rate, pct)}`);
  const rows: [string, Distribution][] = [
    ...Object.entries(p.first_no_valid_backend.by_az).map(([k, d]): [string, Distribution] => [`AZ ${k}`, d]),
    ...Object.entries(p.first_no_valid_backend.by_type).map(([k, d]): [string, Distribution] => [`type ${k}`, d]),
  ];
  if (rows.length) {
    out.push('  first "No valid backend" (p5 / p50 / p95; never: runs that did not run out):');
    const w = Math.max(...rows.map(([k]) => k.length));
    for (const [k, d] of rows) out.push(`    ${k.padEnd(w)}  ${spread(d, time)}  never ${d.never ?? 0}/${d.n}`);
  }
  const util = Object.entries(p.utilisation.by_az);
  if (util.length) {
    const over = util.some(([, d]) => (d.max ?? 0) > 1);
    out.push(`  utilisation at the end (allocated / total, p5 / p50 / p95${over ? '; above 100%: thin pools over-subscribed' : ''}):`);
    const w = Math.max(...util.map(([k]) => k.length + 3));
    for (const [k, d] of util) out.push(`    ${`AZ ${k}`.padEnd(w)}  ${spread(d, pct)}`);
  }
  return out;
}

/** Which point lasts longest in each zone and for each type (see sweep-ranking.ts). */
function rankingLines(r: SweepResult): string[] {
  const rankings = sweepRankings(r);
  if (rankings.length === 0) return [];
  const out = ['which point lasts longest: by the median time to the first "No valid backend" (later first, never best), ties by creates succeeded'];
  for (const k of rankings) {
    if (k.allEqual) {
      out.push(`  ${k.subject}: the same for every point (${time(k.points[0]!.p50)})`);
      continue;
    }
    out.push(`  ${k.subject}:`);
    const w = Math.max(...k.points.map((x) => time(x.p50).length));
    k.points.forEach((x, i) => out.push(`    ${String(i + 1).padStart(2)}. ${time(x.p50).padEnd(w)}  creates succeeded ${pct(x.success)}  point ${x.point.index + 1}: ${pointLabel(x.point)}`));
  }
  return [...out, ''];
}

/** The whole sweep: what was swept, each point, then which point lasts longest. */
export function sweepText(r: SweepResult): string {
  const head = [
    `sweep: ${r.scenario.file} (${r.scenario.name}), ${r.points.length} grid point${r.points.length === 1 ? '' : 's'} x ${r.seeds} seed${r.seeds === 1 ? '' : 's'} = ${r.runs.length} runs, root seed ${r.root_seed} (run seeds ${r.root_seed}-1 .. ${r.root_seed}-${r.seeds})`,
    '',
  ];
  return [...head, ...r.points.flatMap((p) => [...pointLines(p, r.points.length), '']), ...rankingLines(r)].join('\n');
}
