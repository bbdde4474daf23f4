import type { RunOutcome } from '../sim/scenario/outcome.js';

/** Version of every report format below; bump it when a format changes shape. */
export const REPORT_SCHEMA_VERSION = 2;

/** What a run hands the renderers: the seed and each scenario's outcome. */
export interface RunReport {
  seed: string;
  outcomes: readonly RunOutcome[];
}

export interface Renderer {
  /** File name the run writes this report to, in the output directory. */
  file: string;
  describe: string;
  render(report: RunReport): string;
}
