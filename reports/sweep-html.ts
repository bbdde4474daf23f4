import { formatDuration } from '../sim/scenario/duration.js';
import type { Distribution, PointSummary, SweepResult } from '../sim/scenario/sweep/model.js';
import { sweepRankings } from './sweep-ranking.js';
import { pointLabel } from './sweep-text.js';

/**
 * sweep.html: one self-contained page (inline CSS and SVG, no script, no
 * network) with the sweep's identity, a range chart per measure (p5 to p95
 * as a bar, p50 as a tick, one row per grid point) and every point's table.
 * Deterministic: the same sweep.json gives the same bytes.
 */

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const time = (v: number | null): string => (v === null ? 'never' : formatDuration(v));
const pct = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);

const ROW_H = 22;
/** Runs listed in the page (sweep.json lists every one). */
const RUNS_SHOWN = 1000;
const LABEL_W = 360;
const BAR_W = 420;

/** One measure across the points: a row per point, the bar from p5 to p95 on a shared axis (a run that never ran out sits at the right edge). */
function rangeChart(title: string, rows: { label: string; d: Distribution | undefined }[], show: (v: number | null) => string, fixedMax?: number): string {
  const finite = rows.flatMap((r) => (r.d ? [r.d.min, r.d.max].filter((v): v is number => v !== null) : []));
  const max = fixedMax ?? Math.max(1, ...finite);
  const x = (v: number | null): number => LABEL_W + (v === null ? BAR_W : Math.min(BAR_W, (BAR_W * v) / max));
  const h = ROW_H * rows.length + 24;
  const parts = rows.map((r, i) => {
    const y = 8 + i * ROW_H;
    const label = `<text x="0" y="${y + 13}">${esc(r.label)}</text>`;
    if (!r.d || r.d.n === 0) return `${label}<text x="${LABEL_W}" y="${y + 13}" class="dim">no runs</text>`;
    const d = r.d;
    return `${label}<rect x="${x(d.p5).toFixed(1)}" y="${y + 4}" width="${Math.max(1, x(d.p95) - x(d.p5)).toFixed(1)}" height="10" class="bar"/>` +
      `<line x1="${x(d.p50).toFixed(1)}" x2="${x(d.p50).toFixed(1)}" y1="${y + 1}" y2="${y + 17}" class="tick"/>` +
      `<text x="${LABEL_W + BAR_W + 8}" y="${y + 13}">${esc(`${show(d.p5)} / ${show(d.p50)} / ${show(d.p95)}`)}</text>`;
  });
  const axis = `<text x="${LABEL_W}" y="${h - 4}" class="dim">${esc(show(0))}</text><text x="${LABEL_W + BAR_W}" y="${h - 4}" text-anchor="end" class="dim">${esc(show(max))}</text>`;
  return `<h3>${esc(title)}</h3><svg width="${LABEL_W + BAR_W + 260}" height="${h}" role="img" aria-label="${esc(title)}">${parts.join('')}${axis}</svg>`;
}

function distRow(name: string, d: Distribution, show: (v: number | null) => string, never: boolean): string {
  const cells = [d.p5, d.p50, d.p95, d.min, d.max].map((v) => `<td>${esc(show(v))}</td>`).join('');
  return `<tr><th>${esc(name)}</th>${cells}<td>${never ? `${d.never ?? 0}/${d.n}` : String(d.n)}</td></tr>`;
}

function pointTable(p: PointSummary): string {
  const rows = [
    distRow('creates succeeded', p.success_rate, pct, false),
    ...Object.entries(p.first_no_valid_backend.by_az).map(([k, d]) => distRow(`first No valid backend, AZ ${k}`, d, time, true)),
    ...Object.entries(p.first_no_valid_backend.by_type).map(([k, d]) => distRow(`first No valid backend, type ${k}`, d, time, true)),
    ...Object.entries(p.utilisation.by_az).map(([k, d]) => distRow(`utilisation at end, AZ ${k}`, d, pct, false)),
    ...Object.entries(p.utilisation.by_pool).map(([k, d]) => distRow(`utilisation at end, pool ${k}`, d, pct, false)),
  ];
  const notes = [p.aborted ? `${p.aborted} run(s) stopped on a broken invariant` : '', p.expectations_failed_runs ? `${p.expectations_failed_runs} run(s) with a failed expectation` : ''].filter(Boolean).join('; ');
  return `<h3>Point ${p.index + 1}: ${esc(pointLabel(p))}</h3>${notes ? `<p>${esc(notes)}</p>` : ''}` +
    `<table><tr><th></th><th>p5</th><th>p50</th><th>p95</th><th>min</th><th>max</th><th>runs (never)</th></tr>${rows.join('')}</table>`;
}

/** Which point lasts longest in each zone and for each type, as tables. */
function rankingTables(r: SweepResult): string {
  const rankings = sweepRankings(r);
  if (rankings.length === 0) return '';
  const tables = rankings.map((k) => {
    if (k.allEqual) return `<p>${esc(k.subject)}: the same for every point (${esc(time(k.points[0]!.p50))}).</p>`;
    const rows = k.points.map((x, i) => `<tr><td>${i + 1}</td><td>${esc(time(x.p50))}</td><td>${esc(pct(x.success))}</td><td style="text-align:left">${x.point.index + 1}: ${esc(pointLabel(x.point))}</td></tr>`);
    return `<h3>${esc(k.subject)}</h3><table><tr><th>rank</th><th>first No valid backend, p50</th><th>creates succeeded, p50</th><th>point</th></tr>${rows.join('')}</table>`;
  });
  return `<h2>Which point lasts longest</h2>\n<p>By the median time to the first "No valid backend" (later first; a median run that never ran out is best), ties by the median share of creates that succeeded.</p>\n${tables.join('\n')}`;
}

export function sweepHtml(r: SweepResult): string {
  const label = (p: PointSummary): string => `${p.index + 1}: ${pointLabel(p)}`;
  const keysOf = (pick: (p: PointSummary) => Record<string, Distribution>): string[] => [...new Set(r.points.flatMap((p) => Object.keys(pick(p))))].sort();
  const charts = [
    rangeChart('Creates succeeded', r.points.map((p) => ({ label: label(p), d: p.success_rate })), pct, 1),
    ...keysOf((p) => p.first_no_valid_backend.by_az).map((k) => rangeChart(`First "No valid backend", AZ ${k}`, r.points.map((p) => ({ label: label(p), d: p.first_no_valid_backend.by_az[k] })), time)),
    ...keysOf((p) => p.first_no_valid_backend.by_type).map((k) => rangeChart(`First "No valid backend", type ${k}`, r.points.map((p) => ({ label: label(p), d: p.first_no_valid_backend.by_type[k] })), time)),
    ...keysOf((p) => p.utilisation.by_az).map((k) => rangeChart(`Utilisation at the end, AZ ${k}`, r.points.map((p) => ({ label: label(p), d: p.utilisation.by_az[k] })), pct, 1)),
  ];
  const runs = r.runs.slice(0, RUNS_SHOWN).map((x) => `<tr><td>${x.index}</td><td>${x.point + 1}</td><td>${esc(x.seed)}</td><td>${x.aborted ? 'stopped: ' + esc(x.aborted.message) : x.metrics ? pct(x.metrics.success_rate) : ''}</td><td><code>${esc(x.replay)}</code></td></tr>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cinder-sim sweep: ${esc(r.scenario.name)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th:first-child{text-align:left}
svg text{font:12px system-ui,sans-serif;fill:#222}.dim{fill:#888}.bar{fill:#7aa6d8}.tick{stroke:#123;stroke-width:2}
code{font-size:12px}details{margin-top:16px}
</style></head><body>
<h1>Sweep of ${esc(r.scenario.name)}</h1>
<p>${esc(r.scenario.file)} (sha256 ${esc(r.scenario.sha256.slice(0, 16))}...), ${r.points.length} grid point(s) x ${r.seeds} seed(s) = ${r.runs.length} runs; root seed ${esc(r.root_seed)}: ${esc(r.seed_rule)}. cinder-sim ${esc(r.cinder_sim)}.</p>
<p>Bars span p5 to p95 over a point's runs, the tick is p50 (nearest rank); for first "No valid backend", a run that never ran out counts as later than any, at the right edge.</p>
<h2>Across the grid</h2>
${charts.join('\n')}
${rankingTables(r)}
<h2>Points</h2>
${r.points.map(pointTable).join('\n')}
<details><summary>${r.runs.length > RUNS_SHOWN ? `The first ${RUNS_SHOWN} of ${r.runs.length} runs (sweep.json lists every one)` : 'Every run'}, with the command that replays it</summary>
<table><tr><th>run</th><th>point</th><th>seed</th><th>creates succeeded</th><th>replay</th></tr>${runs.join('')}</table>
</details>
</body></html>
`;
}
