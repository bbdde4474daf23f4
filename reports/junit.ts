import { findingLines } from '../sim/scenario/findings.js';
import { describeCounts, summaryCounts } from '../sim/scenario/run/counts.js';
import { baselineTestcases } from './diff.js';
import { REPORT_SCHEMA_VERSION, type Renderer, type RunReport } from './types.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Service-down periods listed before pointing to the transcript. */
const MAX_PERIODS = 10;

/** JUnit XML for CI pipelines: a test suite per scenario, a test case per expectation. */
export const junitReport: Renderer = {
  file: 'junit.xml',
  describe: 'JUnit XML (one testsuite per scenario, one testcase per expectation)',
  render(report: RunReport): string {
    const baseline = report.outcomes.map((o) => baselineTestcases(o, esc));
    const tests = report.outcomes.reduce((n, o, i) => n + o.expectations.length + baseline[i]!.tests, 0);
    const failures = report.outcomes.reduce((n, o, i) => n + o.summary.expectations_failed + baseline[i]!.failures, 0);
    const out = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<!-- cinder-sim report junit v${REPORT_SCHEMA_VERSION}, seed ${esc(report.seed)} -->`,
      `<testsuites name="cinder-sim" tests="${tests}" failures="${failures}">`,
    ];
    for (const [i, o] of report.outcomes.entries()) {
      const b = baseline[i]!;
      out.push(`  <testsuite name="${esc(o.scenario)}" tests="${o.expectations.length + b.tests}" failures="${o.summary.expectations_failed + b.failures}" file="${esc(o.file)}">`);
      // The counts under the names report.json's summary uses (requests_refused, requests_failed, requests_in_flight, requests_succeeded, ...).
      const counts = (['requests', 'creates'] as const).flatMap((p) => {
        const c = summaryCounts(o.summary, p);
        return [[p, c.requests], [`${p}_refused`, c.refused], [`${p}_failed`, c.failed], [`${p}_in_flight`, c.in_flight], [`${p}_succeeded`, c.succeeded]] as const;
      });
      out.push(
        `    <properties><property name="seed" value="${esc(o.seed)}"/><property name="replay" value="${esc(o.replay)}"/>${counts.map(([k, v]) => `<property name="${k}" value="${v}"/>`).join('')}</properties>`,
      );
      for (const e of o.expectations) {
        out.push(`    <testcase classname="${esc(o.scenario)}" name="${esc(`#${e.index} ${e.text}`)}">`);
        if (!e.passed) out.push(`      <failure message="${esc(e.detail)}">${esc(`${e.where}\n${e.detail}\nreplay: ${o.replay}`)}</failure>`);
        out.push('    </testcase>');
      }
      out.push(...b.lines);
      const said = [describeCounts(summaryCounts(o.summary, 'requests')), describeCounts(summaryCounts(o.summary, 'creates'), 'create'), ...findingLines(o, MAX_PERIODS)];
      out.push(`    <system-out>${esc(said.join('\n'))}</system-out>`);
      out.push('  </testsuite>');
    }
    out.push('</testsuites>');
    return out.join('\n') + '\n';
  },
};
