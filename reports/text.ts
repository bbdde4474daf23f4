import type { LiveBackendRecord, RunOutcome } from '../sim/scenario/outcome.js';
import { baselineLines, baselineSummary } from './diff.js';
import { describeCounts, summaryCounts } from '../sim/scenario/run/counts.js';
import { findingLines } from '../sim/scenario/findings.js';
import { formatDuration } from '../sim/scenario/duration.js';
import { REPORT_SCHEMA_VERSION, type Renderer, type RunReport } from './types.js';

/** Service-down periods a terminal summary lists before pointing to the transcript. */
const MAX_PERIODS = 10;

/** The run summary a terminal shows: per scenario its expectations, then totals and replay lines. */
export const textReport: Renderer = {
  file: 'report.txt',
  describe: 'run summary (what `cinder-sim run` prints)',
  render(report: RunReport): string {
    const lines: string[] = [];
    for (const o of report.outcomes) lines.push(...scenarioLines(o), '');
    lines.push(...summaryLines(report));
    return lines.join('\n') + '\n';
  },
};

export function scenarioLines(o: RunOutcome): string[] {
  const s = o.summary;
  const lines = [
    `== ${o.scenario} (${o.file}) — ${o.description.split('\n')[0]!.trim()}`,
    `   ${describeCounts(summaryCounts(s, 'requests'))}`,
    `   ${describeCounts(summaryCounts(s, 'creates'), 'create')}; ${s.decisions} scheduling decision${s.decisions === 1 ? '' : 's'}, ${o.end.events} events, ended at ${formatDuration(o.end.time_ms)}`,
  ];
  const warnings = o.conf_findings.filter((f) => f.severity !== 'info');
  if (warnings.length) lines.push(`   cinder.conf: ${warnings.map((f) => `${f.node} ${f.rule} (${f.file ?? ''}:${f.line ?? ''})`).join('; ')}`);
  lines.push(...liveLines(o));
  for (const l of findingLines(o, MAX_PERIODS)) lines.push(`   ${l}`);
  for (const e of o.expectations) {
    lines.push(`   ${e.passed ? 'PASS' : 'FAIL'}  ${e.text}`);
    lines.push(`         ${e.detail}  [${e.where}]`);
  }
  if (o.expectations.length === 0) lines.push('   (no expectations)');
  lines.push(...baselineLines(o));
  return lines;
}

/** A live run: its real backends, and per driver operation the wall latency of their calls. */
export function liveLines(o: RunOutcome): string[] {
  if (!o.live) return [];
  const vm = o.live.vm;
  const where = vm ? `live run, wall clock; real backends in the test VM "${vm.name}" (${vm.accel}, booted in ${(vm.boot_ms / 1000).toFixed(1)} s, image ${vm.image}${vm.image_built ? ' built for this run' : ''}, iSCSI through ${vm.host_portal})` : 'live run on this host, wall clock; real backends';
  const backend = (b: LiveBackendRecord): string =>
    `${b.backend} (${b.driver}, ${b.mode} mode${b.lvm_type === 'thin' ? ', thin' : ''}, VG ${b.vg}, ${b.backing_file_gb} GB, snapshots ${b.snapshot_support ? 'yes' : 'no'})`;
  const lines = [`   ${where}: ${o.live.backends.map(backend).join('; ')}`];
  const calls = o.driver_calls ?? [];
  if (calls.length === 0) return lines;
  const w = Math.max(...calls.map((c) => c.operation.length));
  lines.push(`   driver calls (wall ms):  ${'operation'.padEnd(w)}  count  failed     p50     p95     max`);
  for (const c of calls) {
    const ms = (x: number): string => x.toFixed(1).padStart(7);
    lines.push(`                            ${c.operation.padEnd(w)}  ${String(c.count).padStart(5)}  ${String(c.failed).padStart(6)} ${ms(c.p50_ms)} ${ms(c.p95_ms)} ${ms(c.max_ms)}`);
  }
  return lines;
}

export function summaryLines(report: RunReport): string[] {
  const passed = report.outcomes.reduce((n, o) => n + o.summary.expectations_passed, 0);
  const failed = report.outcomes.reduce((n, o) => n + o.summary.expectations_failed, 0);
  const bad = report.outcomes.filter((o) => o.summary.expectations_failed > 0);
  const lines = [
    `summary: ${report.outcomes.length} scenario${report.outcomes.length === 1 ? '' : 's'}, ${passed} expectation${passed === 1 ? '' : 's'} passed, ${failed} failed (seed ${report.seed}, report format v${REPORT_SCHEMA_VERSION})`,
  ];
  for (const o of bad) lines.push(`replay: ${o.replay}`);
  const baseline = baselineSummary(report.outcomes);
  if (baseline !== null) lines.push(baseline);
  return lines;
}
