import { baselineHtml, baselineSummary } from './diff.js';
import { explainDecisionText } from './explain.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describeCounts, type ResultCounts } from '../sim/scenario/run/counts.js';
import { formatDuration } from '../sim/scenario/duration.js';
import { describeHeartbeat, findingLines } from '../sim/scenario/findings.js';
import type { DecisionRecord, RunOutcome } from '../sim/scenario/outcome.js';
import { capacityCharts, chartGroupings, endMs, endSummary, type CapacityChart, type ChartBy } from './capacity-series.js';
import { PAGE_CSS, PAGE_SCRIPT } from './html-page.js';
import { REPORT_SCHEMA_VERSION, type Renderer, type RunReport } from './types.js';

/**
 * report.html: one self-contained page per run (no network): per scenario
 * its summary, expectations with their evidence, interactive capacity
 * charts (uPlot, inlined with its licence), a timeline of faults and
 * service states, and a searchable, paged table of requests whose
 * scheduling decisions open their explanation.  Deterministic: the same
 * outcomes give the same bytes.
 */
export const htmlReport: Renderer = {
  file: 'report.html',
  describe: 'one self-contained HTML page: summaries, expectations, capacity charts, timeline, requests and decisions',
  render: renderHtml,
};

const GROUP_TITLES: Record<ChartBy, string> = { pool: 'per pool', az: 'per availability zone', type: 'per volume type' };

/**
 * Up to this many decisions a scenario's page carries every decision's whole
 * explanation (reports/explain.ts, what `cinder-sim explain` prints); above
 * it placed decisions carry one line (the page points at `cinder-sim
 * explain` for the rest), so a long run's page stays a size a browser opens.
 */
export const FULL_EXPLANATIONS_UP_TO = 2_000;

/** The text a decision's explanation shows: explain's story of it, or for a placed decision of a long run what it decided. */
export function decisionExplanation(o: RunOutcome, decisionIndex: number): string {
  const d = o.decisions[decisionIndex];
  if (!d) return '';
  if (d.trace === null || d.trace === undefined) return d.trace_text !== '' ? d.trace_text : decisionOneLine(d);
  if (d.ok && o.decisions.length > FULL_EXPLANATIONS_UP_TO) return decisionOneLine(d);
  return explainDecisionText(o, decisionIndex);
}

/**
 * What a decision decided, in one line: the page composes this itself (the
 * same words, from the decision's row) rather than carry it once per decision.
 */
export function decisionOneLine(d: DecisionRecord): string {
  return d.ok ? `${d.operation} ${d.resource_id ?? ''}: placed on ${d.chosen ?? '?'}` : `${d.operation} ${d.resource_id ?? ''}: ${d.message ?? 'no valid backend'}`;
}

// ---- escaping -------------------------------------------------------------

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '\u2028': '&#x2028;', '\u2029': '&#x2029;' };

/** Text for an element's content or a quoted attribute value (line and paragraph separators as references too). */
export function esc(s: string): string {
  return s.replace(/[&<>"'\u2028\u2029]/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON to embed in a <script> element: `<`, `>` and `&` as \u escapes (no
 * `</script>` or `<!--` can close or confuse the element), and U+2028 /
 * U+2029, which old JavaScript parsers took for line ends.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Script text to inline: a literal `</script` inside it would end the element. */
function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

// ---- uPlot ----------------------------------------------------------------

let uplotCache: { js: string; css: string; licence: string } | null = null;

/** uPlot's minified script and style and its MIT licence text, from the installed package. */
function uplot(): { js: string; css: string; licence: string } {
  if (uplotCache) return uplotCache;
  const req = createRequire(import.meta.url);
  const read = (p: string): string => readFileSync(req.resolve(p), 'utf8');
  uplotCache = { js: read('uplot/dist/uPlot.iife.min.js'), css: read('uplot/dist/uPlot.min.css'), licence: read('uplot/LICENSE') };
  return uplotCache;
}

// ---- data for the page's script ---------------------------------------------

/** Strings of one scenario, each kept once and named by its index. */
class Strings {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  id(s: string | null | undefined): number {
    if (s === null || s === undefined) return -1;
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

type ChartData = { labels: [string, string, string]; t: number[]; u: (number | null)[]; p: (number | null)[]; l: (number | null)[] };
/**
 * [seq (-1: a decision no request led to), ms since the previous row, source, verb, result, http (-1: none), message,
 * resource, what was asked: name, size (GB, -1: none), volume type, zone; decision indexes].  Texts are indexes into
 * the scenario's strings (-1: none).
 */
type RequestRow = [number, number, number, number, number, number, number, number, number, number, number, number, number[]];
/** [at_ms, operation, ok (1/0), chosen pool, message, explanation (-1: the one line decisionOneLine gives), resource]. */
type DecisionRow = [number, number, number, number, number, number, number];

interface ScenarioData {
  name: string;
  charts: Record<ChartBy, ChartData[]>;
  str: string[];
  requests: RequestRow[];
  decisions: DecisionRow[];
}

function chartData(c: CapacityChart): ChartData {
  return { labels: [c.used.label, c.provisioned.label, c.limit.label], t: c.t, u: c.used.values, p: c.provisioned.values, l: c.limit.values };
}

/** The scenario's requests in order, each with the decisions made for it; decisions no request led to follow as rows of their own. */
function tableData(o: RunOutcome, str: Strings): { requests: RequestRow[]; decisions: DecisionRow[] } {
  const decisions: DecisionRow[] = o.decisions.map((d, i) => {
    const text = decisionExplanation(o, i);
    return [d.at_ms, str.id(d.operation), d.ok ? 1 : 0, str.id(d.chosen), str.id(d.message), text === decisionOneLine(d) ? -1 : str.id(text), str.id(d.resource_id)];
  });
  const byResource = new Map<string, number[]>();
  o.requests.forEach((r, i) => {
    if (r.resource_id === null) return;
    let l = byResource.get(r.resource_id);
    if (!l) byResource.set(r.resource_id, (l = []));
    l.push(i);
  });
  const linked: number[][] = o.requests.map(() => []);
  const loose: number[] = [];
  o.decisions.forEach((d, di) => {
    const list = d.resource_id === null ? undefined : byResource.get(d.resource_id);
    // The last request on that resource made at or before the decision.
    let best = -1;
    for (const i of list ?? []) if (o.requests[i]!.at_ms <= d.at_ms) best = i;
    if (best >= 0) linked[best]!.push(di);
    else loose.push(di);
  });
  const rows: RequestRow[] = [];
  let prev = 0;
  o.requests.forEach((r, i) => {
    const q = r.request;
    const text = (k: string): number => (typeof q[k] === 'string' ? str.id(q[k]) : -1);
    const name = typeof q['name'] === 'string' ? text('name') : text('display_name');
    const size = typeof q['size'] === 'number' ? q['size'] : typeof q['new_size'] === 'number' ? q['new_size'] : -1;
    rows.push([r.seq, r.at_ms - prev, str.id(r.source), str.id(r.verb), str.id(r.result), r.http ?? -1, str.id(r.message ?? r.error), str.id(r.resource_id), name, size, text('volume_type'), text('availability_zone'), linked[i]!]);
    prev = r.at_ms;
  });
  // Loose decisions join in time order after the requests (the table shows them with the scheduler as their source).
  for (const di of loose) {
    const d = o.decisions[di]!;
    rows.push([-1, d.at_ms - prev, str.id('scheduler'), str.id(d.operation), str.id('decision'), -1, str.id(d.message), str.id(d.resource_id), -1, -1, -1, -1, [di]]);
    prev = d.at_ms;
  }
  return { requests: rows, decisions };
}

function scenarioData(o: RunOutcome, charts: Record<ChartBy, CapacityChart[]>): ScenarioData {
  const str = new Strings();
  const { requests, decisions } = tableData(o, str);
  return {
    name: o.scenario,
    charts: { pool: charts.pool.map(chartData), az: charts.az.map(chartData), type: charts.type.map(chartData) },
    str: str.list,
    requests,
    decisions,
  };
}

// ---- the page -------------------------------------------------------------

export function renderHtml(report: RunReport): string {
  const u = uplot();
  const charts = report.outcomes.map((o) => Object.fromEntries(chartGroupings.map((by) => [by, capacityCharts(o, by)])) as Record<ChartBy, CapacityChart[]>);
  const data = { seed: report.seed, scenarios: report.outcomes.map((o, i) => scenarioData(o, charts[i]!)) };
  const failed = report.outcomes.reduce((n, o) => n + o.summary.expectations_failed, 0);
  const passed = report.outcomes.reduce((n, o) => n + o.summary.expectations_passed, 0);
  const title = `cinder-sim report: ${report.outcomes.length} scenario${report.outcomes.length === 1 ? '' : 's'}, seed ${report.seed}`;
  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<meta name="generator" content="cinder-sim report html v${REPORT_SCHEMA_VERSION}">`);
  out.push(`<title>${esc(title)}</title>`);
  out.push(`<style>\n/* uPlot ${esc(uplotVersion(u.js))}: MIT licence, see the script below */\n${u.css}\n${PAGE_CSS}</style>`, '</head>', '<body>');
  out.push('<header>', `<h1>${esc(title)}</h1>`);
  out.push(`<p>Expectations: <span class="pass">${passed} passed</span>, <span class="${failed ? 'fail' : 'pass'}">${failed} failed</span>. Times are virtual time since the run's start.</p>`);
  const base = baselineSummary(report.outcomes);
  if (base !== null) out.push(`<p class="${report.outcomes.some((o) => o.baseline?.mode === 'compared' && o.baseline.diff.changed > 0) ? 'fail' : 'pass'}">${esc(base.replace(/^baseline: /, 'Baseline: '))}</p>`);
  out.push('<nav>' + report.outcomes.map((o, i) => `<a href="#s-${i}">${esc(o.scenario)}</a>`).join(' ') + '</nav>', '</header>', '<main>');
  report.outcomes.forEach((o, i) => out.push(...scenarioSection(o, i, charts[i]!)));
  out.push('</main>');
  out.push('<dialog id="explain"><h3></h3><pre></pre><button type="button">close</button></dialog>');
  out.push(`<footer>Written by cinder-sim from the runs' outcome.json files. Charts drawn with uPlot (MIT licence, inlined below).</footer>`);
  out.push(`<script type="application/json" id="cinder-sim-data">${scriptJson(data)}</script>`);
  out.push(`<script>\n/*\n${u.licence.replace(/\*\//g, '* /')}\n*/\n${inlineScript(u.js)}\n</script>`);
  out.push(`<script>${inlineScript(PAGE_SCRIPT)}</script>`);
  out.push('</body>', '</html>');
  return out.join('\n') + '\n';
}

function uplotVersion(js: string): string {
  return /\(v([\d.]+)\)/.exec(js)?.[1] ?? '';
}

function scenarioSection(o: RunOutcome, i: number, charts: Record<ChartBy, CapacityChart[]>): string[] {
  const out: string[] = [`<section class="scenario" id="s-${i}">`, `<h2>${esc(o.scenario)}</h2>`];
  out.push(`<p class="desc">${esc(o.description)}</p>`);
  out.push(`<p>Seed ${esc(o.seed)}, ${esc(o.file)}, ran ${esc(formatDuration(o.end.time_ms))} of virtual time (${esc(o.end.reason)}). Replay: <code>${esc(o.replay)}</code></p>`);
  out.push(...summary(o), ...expectations(o), ...baselineHtml(o, esc), ...chartsSection(o, i, charts), ...timeline(o), ...requests(o, i));
  out.push('</section>');
  return out;
}

/** Service-down periods listed before pointing to the transcript (as report.txt and report.md do). */
const MAX_PERIODS = 10;

/**
 * The findings every other summary tells (the first "No valid backend" and
 * what stopped each pool, first capacity refusals, service-down periods), as
 * a list; a finding's indented lines become its nested items.
 */
function findingsList(lines: readonly string[]): string[] {
  if (lines.length === 0) return [];
  const depth = (l: string): number => l.length - l.trimStart().length;
  // Items at the indent of lines[from], each with the deeper lines after it nested.
  const list = (from: number, to: number): string => {
    const items: string[] = [];
    for (let i = from; i < to; ) {
      let j = i + 1;
      while (j < to && depth(lines[j]!) > depth(lines[i]!)) j++;
      items.push(`<li>${esc(lines[i]!.trim())}${j > i + 1 ? list(i + 1, j) : ''}</li>`);
      i = j;
    }
    return `<ul>${items.join('')}</ul>`;
  };
  return [list(0, lines.length).replace('<ul>', '<ul class="findings">')];
}

function countsRow(name: string, c: ResultCounts): string {
  return `<tr><th>${esc(name)}</th>${[c.requests, c.succeeded, c.refused, c.failed, c.in_flight].map((n) => `<td class="n">${n}</td>`).join('')}</tr>`;
}

function summary(o: RunOutcome): string[] {
  const s = o.summary;
  const all: ResultCounts = { requests: s.requests, succeeded: s.requests_succeeded, refused: s.requests_refused, failed: s.requests_failed, in_flight: s.requests_in_flight };
  const creates: ResultCounts = { requests: s.creates, succeeded: s.creates_succeeded, refused: s.creates_refused, failed: s.creates_failed, in_flight: s.creates_in_flight };
  const out = ['<h3>Summary</h3>', `<p>${esc(describeCounts(all))}; ${s.decisions} scheduling decision${s.decisions === 1 ? '' : 's'}.</p>`];
  out.push('<table class="summary"><thead><tr><th></th><th>requests</th><th>succeeded</th><th>refused by the API</th><th>accepted then failed</th><th>in flight</th></tr></thead><tbody>');
  out.push(countsRow('all requests', all), countsRow('creates', creates));
  for (const w of o.workloads) out.push(countsRow(`workload ${w.name}`, w));
  out.push('</tbody></table>');
  out.push(...findingsList(findingLines(o, MAX_PERIODS)));
  return out;
}

function expectations(o: RunOutcome): string[] {
  if (o.expectations.length === 0) return ['<h3>Expectations</h3>', '<p>none</p>'];
  const out = ['<h3>Expectations</h3>', '<table class="expectations"><thead><tr><th></th><th>expectation</th><th>evidence</th><th>where</th></tr></thead><tbody>'];
  for (const e of o.expectations) {
    out.push(`<tr><td class="${e.passed ? 'pass' : 'fail'}">${e.passed ? 'PASS' : 'FAIL'}</td><td>${esc(e.text)}</td><td>${esc(e.detail)}</td><td>${esc(e.where)}</td></tr>`);
  }
  out.push('</tbody></table>');
  return out;
}

function chartsSection(o: RunOutcome, i: number, charts: Record<ChartBy, CapacityChart[]>): string[] {
  const out = ['<h3>Capacity over virtual time</h3>'];
  if (o.capacity.length === 0) return [...out, '<p>No capacity samples.</p>'];
  out.push('<div class="charts">');
  out.push('<div class="tabs" role="tablist">' + chartGroupings.map((by, k) => `<button type="button" role="tab" data-by="${by}" aria-selected="${k === 0}">${GROUP_TITLES[by]}</button>`).join('') + '</div>');
  out.push(
    '<ul class="notes"><li>used: total - free as the driver reports it (per type: the sizes of its volumes); provisioned: provisioned_capacity_gb; usable limit (dashed): what CapacityFilter lets provisioned capacity reach: thick: total - reserved (reserved_percentage of total, rounded down); thin: (total - reserved) x max_over_subscription_ratio.</li></ul>',
  );
  chartGroupings.forEach((by, k) => {
    out.push(`<div class="group" data-by="${by}"${k === 0 ? '' : ' hidden'}>`);
    if (charts[by].length === 0) out.push(`<p>${by === 'type' ? 'No volume type held a volume.' : 'Nothing to chart.'}</p>`);
    charts[by].forEach((c, j) => {
      out.push(`<figure class="chart"><figcaption>${esc(c.title)}</figcaption><div class="plot" data-s="${i}" data-by="${by}" data-k="${j}"></div>`);
      out.push('<ul class="notes">' + [endSummary(c), ...c.notes].map((n) => `<li>${esc(n)}</li>`).join('') + '</ul></figure>');
    });
    out.push('</div>');
  });
  out.push('</div>');
  return out;
}

/** A signed clock offset: "+5m", "-300ms", "0s". */
function offset(ms: number): string {
  return ms > 0 ? `+${formatDuration(ms)}` : formatDuration(ms);
}

const TL_WIDTH = 1000;
const TL_LABEL = 230;
const TL_LANE = 18;

function timeline(o: RunOutcome): string[] {
  const out = ['<h3>Timeline: faults and service states</h3>'];
  if (o.service_states.length === 0 && o.faults.length === 0) return [...out, '<p>No faults and no service state changes.</p>'];
  const end = endMs(o);
  const lanes = [...new Set(o.service_states.map((s) => `${s.binary} ${s.host}`))];
  const x = (t: number): number => TL_LABEL + Math.round(((TL_WIDTH - TL_LABEL - 10) * t) / end);
  const height = 30 + lanes.length * TL_LANE + 20;
  const svg: string[] = [`<svg class="timeline-svg" viewBox="0 0 ${TL_WIDTH} ${height}" width="100%" role="img" aria-label="service states and faults over virtual time">`];
  lanes.forEach((lane, k) => {
    const y = 20 + k * TL_LANE;
    svg.push(`<text x="4" y="${y + 12}" font-size="11">${esc(lane)}</text>`);
    const recs = o.service_states.filter((s) => `${s.binary} ${s.host}` === lane);
    recs.forEach((s, j) => {
      const to = recs[j + 1]?.t_ms ?? end;
      const color = s.status === 'disabled' ? '#8c959f' : s.state === 'up' && s.scheduler_state === 'up' ? '#2da44e' : s.state === 'down' && s.scheduler_state === 'down' ? '#cf222e' : '#d4a72c';
      const tip = `${lane}: service-list ${s.state}, scheduler ${s.scheduler_state}, ${s.status}, clock offset ${offset(s.clock_offset_ms)}, from ${formatDuration(s.t_ms)} to ${formatDuration(to)}`;
      svg.push(`<rect x="${x(s.t_ms)}" y="${y}" width="${Math.max(1, x(to) - x(s.t_ms))}" height="${TL_LANE - 4}" fill="${color}"><title>${esc(tip)}</title></rect>`);
    });
  });
  const axisY = 20 + lanes.length * TL_LANE + 4;
  for (const f of o.faults) svg.push(`<line x1="${x(f.t_ms)}" x2="${x(f.t_ms)}" y1="8" y2="${axisY}" stroke="#6639ba" stroke-dasharray="3 2"><title>${esc(`${formatDuration(f.t_ms)} ${f.fault}: ${f.detail}`)}</title></line>`);
  for (let k = 0; k <= 5; k++) {
    const t = Math.round((end * k) / 5);
    svg.push(`<text x="${x(t)}" y="${axisY + 14}" font-size="10" text-anchor="${k === 0 ? 'start' : k === 5 ? 'end' : 'middle'}">${esc(formatDuration(t))}</text>`);
  }
  svg.push('</svg>');
  out.push('<div class="timeline">', ...svg, '</div>');
  out.push('<p>Lanes: green up (service-list and the scheduler agree), red down in both, amber the two disagree (clock skew: the API judges abs(now - heartbeat), the scheduler only now - heartbeat), grey disabled; dashed purple lines: faults.</p>');
  const events = [
    ...o.faults.map((f) => ({ t: f.t_ms, what: `fault ${f.fault}`, detail: f.detail })),
    ...o.service_states.map((s) => ({ t: s.t_ms, what: `${s.binary} ${s.host}`, detail: `service-list ${s.state}, scheduler ${s.scheduler_state}, ${s.status}; ${describeHeartbeat(s, ['scheduler', 'service-list'])}` })),
  ].sort((a, b) => a.t - b.t);
  out.push('<table class="events"><thead><tr><th>time</th><th>what</th><th>detail</th></tr></thead><tbody>');
  for (const e of events) out.push(`<tr><td class="n">${esc(formatDuration(e.t))}</td><td>${esc(e.what)}</td><td>${esc(e.detail)}</td></tr>`);
  out.push('</tbody></table>');
  return out;
}

function requests(o: RunOutcome, i: number): string[] {
  return [
    '<h3>Requests and decisions</h3>',
    `<div class="requests" data-s="${i}">`,
    '<div class="reqbar"><input type="search" placeholder="search: id, name, pool, verb, result, message" aria-label="search requests"><button type="button" class="prev">previous</button><button type="button" class="next">next</button><span class="count"></span></div>',
    '<table class="reqs"><thead><tr><th>#</th><th>time</th><th>source</th><th>verb</th><th>result</th><th>http</th><th>resource</th><th>asked</th><th>message</th><th>decision (click: why)</th></tr></thead><tbody></tbody></table>',
    '</div>',
  ];
}
