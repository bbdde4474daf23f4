import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_HTML_POINTS } from '../../../reports/capacity-series.js';
import { decisionExplanation, esc, htmlReport, scriptJson } from '../../../reports/html.js';
import { DUR_SCRIPT } from '../../../reports/html-page.js';
import { formatDuration } from '../../../sim/scenario/duration.js';
import { packageRoot } from '../../../sim/scenario/library.js';
import type { RunOutcome } from '../../../sim/scenario/outcome.js';
import { HOSTILE, smallOutcome } from './fixture.js';

const update = process.env['UPDATE_GOLDENS'] === '1';
const golden = join(packageRoot(), 'test', 'golden', 'reports', 'report.small.html');
const uplotJs = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');

const render = (outcomes: RunOutcome[]): string => htmlReport.render({ seed: '7', outcomes });
/** The page without uPlot's own script and style (checked apart), for the golden file. */
const withoutLibrary = (html: string): string =>
  html.replace(uplotJs, '/* uPlot.iife.min.js */').replace(readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8'), '/* uPlot.min.css */');

/** The embedded data, as the page's script reads it. */
function embedded(html: string): { scenarios: { name: string; str: string[]; requests: unknown[][]; decisions: unknown[][]; charts: Record<string, { t: number[] }[]> }[] } {
  const m = /<script type="application\/json" id="cinder-sim-data">([^<]*)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!);
}

describe('report.html', () => {
  const html = render([smallOutcome()]);
  it('matches its golden file (uPlot itself aside)', () => {
    const text = withoutLibrary(html);
    if (update) writeFileSync(golden, text);
    expect(existsSync(golden), `no golden ${golden}; create it with UPDATE_GOLDENS=1`).toBe(true);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });
  it('tells in its summary the findings report.txt tells: the first No valid backend, the services left out, the down periods', () => {
    const summary = /<h3>Summary<\/h3>([\s\S]*?)<h3>Expectations/.exec(html)![1]!;
    expect(summary).toContain('<ul class="findings"><li>first &quot;No valid backend&quot; at 20m00.005s: request #2');
    expect(summary).toContain('<ul><li>left out before filtering (1):<ul><li>node2@thin cinder-volume down since 15m00s: heartbeat age 0s, service_down_time 1m00s');
    expect(summary).toContain('<li>service node2@thin cinder-volume down (scheduler) 15m00s..40m00s (25m00s): heartbeat age 0s');
  });
  it("writes times in the page (table, dialog, chart axis) as formatDuration does everywhere else", () => {
    const dur = new Function(`${DUR_SCRIPT}; return dur;`)() as (ms: number) => string;
    for (const ms of [0, 1, 250, 59_001, 60_000, 90_000, 300_001, 2_700_001, 3_723_500, 123_000_000, 172_800_000, -60_030, 1_000.4]) expect(dur(ms), String(ms)).toBe(formatDuration(ms));
    expect(html).toContain(DUR_SCRIPT);
  });
  it("the timeline's events tell each service state with the heartbeat age, service_down_time and clocks behind it", () => {
    const events = /<table class="events">([\s\S]*?)<\/table>/.exec(html)![1]!;
    expect(events).toMatch(/<td>cinder-volume node2@thin<\/td><td>service-list [a-z]+, scheduler down, enabled; heartbeat age 0s, service_down_time 1m00s by controller&#39;s clock \(cinder-scheduler[^)]*offset 0s\);.* node2&#39;s clock offset -2m00s<\/td>/);
  });
  it('is the same bytes for the same outcomes', () => {
    expect(render([smallOutcome()])).toBe(html);
  });
  it('is self-contained: uPlot inlined with its MIT licence, nothing fetched', () => {
    expect(html).toContain(uplotJs);
    expect(html).toContain('Permission is hereby granted, free of charge');
    expect(html).toContain('Copyright (c) 2022 Leon Sorokin');
    expect(withoutLibrary(html)).not.toMatch(/<(link|img|iframe)\b|<[a-z]+\b[^>]*\s(src|href)="(?!#)|url\(|https?:\/\/(?!github\.com\/leeoniya)/i);
  });
  it('escapes scenario text: no markup or script from the scenario reaches the page', () => {
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('\u2028');
    expect(html).not.toContain('\u2029');
    // Every </script> closes one of the page's own three script elements.
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    expect(html).toContain(esc(`two pools fill up ${HOSTILE}`));
    // The data reads back exactly, hostile text included.
    const data = embedded(html);
    expect(data.scenarios[0]!.str).toContain(HOSTILE);
    expect(scriptJson({ s: '</script>\u2028' })).toBe('{"s":"\\u003c/script\\u003e\\u2028"}');
  });
  it('links each decision to its request; the explanation is the trace, or what was decided', () => {
    const o = smallOutcome();
    const data = embedded(html).scenarios[0]!;
    const decs = data.requests.map((r) => r[12]);
    expect(decs).toEqual([[0], [1], []]);
    expect(decisionExplanation(o, 1)).toBe(o.decisions[1]!.trace_text);
    expect(decisionExplanation(o, 0)).toBe('create_volume vol-a: placed on node1@thick#thick');
    // That one line is not carried: the page composes it from the decision's row.
    expect(data.decisions[0]![5]).toBe(-1);
    expect(data.str[data.decisions[1]![5] as number]).toBe(o.decisions[1]!.trace_text);
  });
  it('keeps a large run compact: chart series resampled, requests as arrays', () => {
    const o = smallOutcome();
    const n = 20_000;
    o.capacity = Array.from({ length: n }, (_, i) => ({ ...o.capacity[0]!, t_ms: i * 100, provisioned_capacity_gb: i % 90 }));
    o.decisions = [];
    o.requests = Array.from({ length: n }, (_, i) => ({ ...o.requests[0]!, seq: i + 1, at_ms: i * 100, resource_id: `vol-${i}` }));
    o.duration_ms = o.end.time_ms = n * 100;
    const big = render([o]);
    const data = embedded(big).scenarios[0]!;
    expect(data.charts['pool']![0]!.t.length).toBeLessThanOrEqual(MAX_HTML_POINTS);
    expect(data.requests).toHaveLength(n);
    // The table's rows are drawn by the page, a page at a time: none in the markup.
    expect(big.match(/<tr>/g)!.length).toBeLessThan(50);
  });
});
