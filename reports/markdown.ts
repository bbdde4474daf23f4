import { baselineMarkdown } from './diff.js';
import { describeCounts, summaryCounts } from '../sim/scenario/run/counts.js';
import { findingLines } from '../sim/scenario/findings.js';
import { REPORT_SCHEMA_VERSION, type Renderer, type RunReport } from './types.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Service-down periods listed before pointing to the transcript. */
const MAX_PERIODS = 10;

/** A Markdown page for a pull request or a wiki: one table per scenario. */
export const markdownReport: Renderer = {
  file: 'report.md',
  describe: 'Markdown tables, one per scenario',
  render(report: RunReport): string {
    const out: string[] = [`<!-- cinder-sim report markdown v${REPORT_SCHEMA_VERSION} -->`, `# cinder-sim run (seed ${report.seed})`, ''];
    for (const o of report.outcomes) {
      const ok = o.summary.expectations_failed === 0;
      out.push(`## ${ok ? '✅' : '❌'} ${o.scenario}`, '', cell(o.description.trim()), '');
      const s = o.summary;
      out.push(`${describeCounts(summaryCounts(s, 'requests'))}; ${describeCounts(summaryCounts(s, 'creates'), 'create')}; ${s.decisions} scheduling decision${s.decisions === 1 ? '' : 's'}.`, '');
      const findings = findingLines(o, MAX_PERIODS);
      // Indented lines of a finding become nested items.
      for (const l of findings) out.push(`${' '.repeat(l.length - l.trimStart().length)}- ${l.trimStart()}`);
      if (findings.length) out.push('');
      out.push('| result | expectation | found | where |', '|---|---|---|---|');
      for (const e of o.expectations) out.push(`| ${e.passed ? 'pass' : '**FAIL**'} | ${cell(e.text)} | ${cell(e.detail)} | ${cell(e.where)} |`);
      if (!ok) out.push('', `Replay: \`${o.replay}\``);
      out.push('', ...baselineMarkdown(o));
    }
    return out.join('\n');
  },
};
