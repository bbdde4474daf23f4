import { findingsData } from '../sim/scenario/findings.js';
import { REPORT_SCHEMA_VERSION, type Renderer, type RunReport } from './types.js';

/** The whole run as one JSON document: the summary of each scenario and its expectations. */
export const jsonReport: Renderer = {
  file: 'report.json',
  describe: 'machine-readable summary with every expectation result',
  render(report: RunReport): string {
    return (
      JSON.stringify(
        {
          report_schema_version: REPORT_SCHEMA_VERSION,
          seed: report.seed,
          scenarios: report.outcomes.map((o) => ({
            scenario: o.scenario,
            file: o.file,
            outcome_schema_version: o.schema_version,
            passed: o.summary.expectations_failed === 0,
            // Counts under run/counts.ts's one definition: requests = refused + failed + in_flight + succeeded (creates alike).
            summary: o.summary,
            findings: findingsData(o),
            expectations: o.expectations,
            replay: o.replay,
            ...(o.baseline ? { baseline: o.baseline } : {}),
          })),
        },
        null,
        2,
      ) + '\n'
    );
  },
};
