import { chartReport } from './chart.js';
import { htmlReport } from './html.js';
import { jsonReport } from './json.js';
import { junitReport } from './junit.js';
import { markdownReport } from './markdown.js';
import { textReport } from './text.js';
import { transcriptReport } from './transcript.js';
import type { Renderer } from './types.js';

/** Every report format, by name. */
export const reports = {
  text: textReport,
  json: jsonReport,
  markdown: markdownReport,
  junit: junitReport,
  chart: chartReport,
  transcript: transcriptReport,
  html: htmlReport,
} as const satisfies Record<string, Renderer>;

export type ReportName = keyof typeof reports;
export { REPORT_SCHEMA_VERSION, type RunReport, type Renderer } from './types.js';
