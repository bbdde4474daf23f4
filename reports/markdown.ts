import { describeCounts } from '../sim/scenario/run/counts.js';
import { baselineMarkdown } from './diff.js';
import { REPORT_SCHEMA_VERSION, type Renderer, type RunReport } from './types.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

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
      out.push(
        `${describeCounts({ requests: s.requests, succeeded: s.requests_succeeded, refused: s.requests_refused, failed: s.requests_failed, in_flight: s.requests_in_flight })}; ` +
          `${describeCounts({ requests: s.creates, succeeded: s.creates_succeeded, refused: s.creates_refused, failed: s.creates_failed, in_flight: s.creates_in_flight }, 'create')}; ${s.decisions} scheduling decisions.`,
        '',
      );
      out.push('| result | expectation | found | where |', '|---|---|---|---|');
      for (const e of o.expectations) out.push(`| ${e.passed ? 'pass' : '**FAIL**'} | ${cell(e.text)} | ${cell(e.detail)} | ${cell(e.where)} |`);
      if (!ok) out.push('', `Replay: \`${o.replay}\``);
      out.push('', ...baselineMarkdown(o));
    }
    return out.join('\n');
  },
};
