/**
 * Regression diffs as text: `cinder-sim diff`'s output, and the baseline
 * section each report gives a scenario run with --baseline (the data is
 * sim/scenario/diff.ts's; nothing is computed here).
 */

import type { BaselineRecord } from '../sim/scenario/baseline.js';
import type { ChangeKind, DecisionChange, RunDiff, ScenarioDiff } from '../sim/scenario/diff.js';

export const kindTitle: Readonly<Record<ChangeKind, string>> = {
  moved: 'moved backend',
  outcome: 'changed outcome',
  order: 'changed weight order',
};

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** `12 changed: 10 moved backend, 2 changed outcome, 0 changed weight order`. */
export function countsText(d: { changed: number; counts: Record<ChangeKind, number> }): string {
  return `${d.changed} changed: ${d.counts.moved} moved backend, ${d.counts.outcome} changed outcome, ${d.counts.order} changed weight order`;
}

/** The groups (kind, from -> to, count, causes), then each change with its cause; at most `limit` changes. */
export function diffLines(d: ScenarioDiff, pad: string, limit = Infinity): string[] {
  const out: string[] = [];
  for (const n of d.notes) out.push(`${pad}note: ${n}`);
  for (const g of d.groups) {
    const causes = Object.entries(g.causes).map(([by, n]) => `${by} ${n}`).join(', ');
    out.push(`${pad}${kindTitle[g.kind]}: ${g.from} -> ${g.to}: ${g.count} (${causes})`);
  }
  if (d.changes.length) out.push(`${pad}changed decisions:`);
  for (const c of d.changes.slice(0, limit)) out.push(...changeLines(c, `${pad}  `));
  if (d.changes.length > limit) out.push(`${pad}  ... and ${d.changes.length - limit} more`);
  return out;
}

export function changeLines(c: DecisionChange, pad: string): string[] {
  return [`${pad}${c.label}: ${c.baseline} -> ${c.candidate} [${kindTitle[c.kind]}]`, `${pad}    ${c.cause.by}: ${c.cause.detail}`];
}

/** `cinder-sim diff`'s report: the summary first, then each scenario's groups and changes. */
export function runDiffText(d: RunDiff, baseline: string, candidate: string): string {
  const out = [
    `cinder-sim diff: ${plural(d.compared, 'decision')} compared in ${plural(d.scenarios.length, 'scenario')}, ${countsText(d)}`,
    `baseline:  ${baseline}`,
    `candidate: ${candidate}`,
  ];
  for (const s of d.scenarios) {
    out.push('', `== ${s.scenario}: ${plural(s.compared, 'decision')}, ${s.changed ? countsText(s) : 'none changed'}`);
    out.push(...diffLines(s, '   '));
  }
  return out.join('\n') + '\n';
}

/** Changes a text report lists before "... and N more" (junit.xml and outcome.json hold all). */
const TEXT_LIMIT = 20;

/** The baseline section of a scenario in report.txt (and what `run` prints). */
export function baselineLines(o: { baseline?: BaselineRecord }): string[] {
  const b = o.baseline;
  if (!b) return [];
  const d = b.diff;
  if (b.mode === 'written') {
    const was = !b.replaced ? 'new' : d.changed ? `${countsText(d)} from the previous baseline` : 'unchanged';
    return [`   baseline: wrote ${b.file} (${plural(b.decisions, 'decision')}; ${was})`, ...(d.changed ? diffLines(d, '     ', TEXT_LIMIT) : [])];
  }
  if (d.changed === 0) return [`   baseline: ${plural(d.compared, 'decision')} as in ${b.file}`];
  return [`   BASELINE CHANGED: ${d.changed} of ${plural(d.compared, 'decision')} differ from ${b.file}: ${countsText(d).replace(/^\d+ changed: /, '')}`, ...diffLines(d, '     ', TEXT_LIMIT)];
}

/** How many scenarios differ from their baselines, for the run's summary; null when no baseline was compared. */
export function baselineSummary(outcomes: readonly { scenario: string; baseline?: BaselineRecord }[]): string | null {
  const compared = outcomes.filter((o) => o.baseline?.mode === 'compared');
  const written = outcomes.filter((o) => o.baseline?.mode === 'written');
  if (written.length) return `baseline: wrote ${plural(written.length, 'file')} in ${written[0]!.baseline!.file.replace(/\/[^/]*$/, '')}/`;
  if (!compared.length) return null;
  const changed = compared.filter((o) => o.baseline!.diff.changed > 0);
  return changed.length
    ? `baseline: ${plural(changed.reduce((n, o) => n + o.baseline!.diff.changed, 0), 'decision')} changed in ${changed.length} of ${plural(compared.length, 'scenario')} (${changed.map((o) => o.scenario).join(', ')})`
    : `baseline: every decision of ${plural(compared.length, 'scenario')} as in the baselines`;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The baseline section of a scenario in report.md. */
export function baselineMarkdown(o: { baseline?: BaselineRecord }): string[] {
  const b = o.baseline;
  if (!b) return [];
  if (b.mode === 'written' || b.diff.changed === 0) return [`Baseline: ${baselineLines(o)[0]!.replace(/^ *baseline: /, '')}`, ''];
  const d = b.diff;
  const out = [`### ❌ Baseline: ${d.changed} of ${plural(d.compared, 'decision')} differ from \`${b.file}\``, '', countsText(d) + '.', ''];
  for (const n of d.notes) out.push(`Note: ${cell(n)}`, '');
  out.push('| change | request | baseline | now | because |', '|---|---|---|---|---|');
  for (const c of d.changes) out.push(`| ${kindTitle[c.kind]} | ${cell(c.label)} | ${cell(c.baseline)} | ${cell(c.candidate)} | ${cell(`${c.cause.by}: ${c.cause.detail}`)} |`);
  out.push('');
  return out;
}

/** The baseline section of a scenario in report.html: what was compared or written, and a table of the changed decisions. */
export function baselineHtml(o: { baseline?: BaselineRecord }, esc: (s: string) => string): string[] {
  const b = o.baseline;
  if (!b) return [];
  const d = b.diff;
  const out = ['<h3>Baseline</h3>'];
  if (b.mode === 'written' || d.changed === 0) return [...out, `<p class="pass">${esc(baselineLines(o)[0]!.replace(/^ *baseline: /, ''))}</p>`];
  out.push(`<p class="fail">${esc(`${d.changed} of ${plural(d.compared, 'decision')} differ from ${b.file}: ${countsText(d)}.`)}</p>`);
  for (const n of d.notes) out.push(`<p>Note: ${esc(n)}</p>`);
  out.push('<table class="baseline"><thead><tr><th>change</th><th>request</th><th>baseline</th><th>now</th><th>because</th></tr></thead><tbody>');
  for (const c of d.changes) out.push(`<tr><td>${esc(kindTitle[c.kind])}</td><td>${esc(c.label)}</td><td>${esc(c.baseline)}</td><td>${esc(c.candidate)}</td><td>${esc(`${c.cause.by}: ${c.cause.detail}`)}</td></tr>`);
  out.push('</tbody></table>');
  return out;
}

/** The baseline's JUnit test cases of a scenario: one failing `baseline: <request>` per changed decision, or one passing case. */
export function baselineTestcases(o: { scenario: string; baseline?: BaselineRecord }, esc: (s: string) => string): { tests: number; failures: number; lines: string[] } {
  const b = o.baseline;
  if (!b || b.mode !== 'compared') return { tests: 0, failures: 0, lines: [] };
  const d = b.diff;
  if (d.changed === 0) {
    return { tests: 1, failures: 0, lines: [`    <testcase classname="${esc(o.scenario)}" name="${esc(`baseline: ${plural(d.compared, 'decision')} as in ${b.file}`)}"/>`] };
  }
  const lines: string[] = [];
  for (const c of d.changes) {
    const msg = `${kindTitle[c.kind]}: ${c.baseline} -> ${c.candidate}; ${c.cause.by}: ${c.cause.detail}`;
    lines.push(`    <testcase classname="${esc(o.scenario)}" name="${esc(`baseline: ${c.label}`)}">`);
    lines.push(`      <failure message="${esc(msg)}">${esc(`${b.file}: ${c.key}\n${msg}`)}</failure>`);
    lines.push('    </testcase>');
  }
  return { tests: d.changes.length, failures: d.changes.length, lines };
}
