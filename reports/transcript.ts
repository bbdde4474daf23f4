import { decisionContext, explainDecision, renderDecisionLines } from './explain.js';
import { traceOf } from '../sim/scenario/decision-trace.js';
import { formatDuration as t } from '../sim/scenario/duration.js';
import { briefNoValidBackend, describeHeartbeat, findingLines, noValidBackend, serviceDownPeriods } from '../sim/scenario/findings.js';
import type { RunOutcome } from '../sim/scenario/outcome.js';
import { describeCounts, summaryCounts } from '../sim/scenario/run/counts.js';
import { REPORT_SCHEMA_VERSION, type Renderer, type RunReport } from './types.js';

/**
 * Everything a run did, as text a person reads top to bottom: the steps
 * with what they printed, faults, service state changes, every request,
 * every scheduling decision (failed ones with their trace), capacity, and
 * the expectations.  Golden files are transcripts.
 */
export const transcriptReport: Renderer = {
  file: 'transcript.txt',
  describe: 'the whole run as readable text (what the golden files hold)',
  render(report: RunReport): string {
    return report.outcomes.map(transcript).join('\n');
  },
};

const indent = (text: string, pad: string): string[] =>
  text
    .trimEnd()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => pad + l);

export function transcript(o: RunOutcome): string {
  const out: string[] = [
    `cinder-sim transcript v${REPORT_SCHEMA_VERSION} (outcome schema v${o.schema_version})`,
    `scenario: ${o.scenario} (${o.file}), seed ${o.seed}, duration ${t(o.duration_ms)}`,
    `end: ${o.end.reason} at ${t(o.end.time_ms)} after ${o.end.events} events`,
    '',
    'summary:',
    `  ${describeCounts(summaryCounts(o.summary, 'requests'))}`,
    `  ${describeCounts(summaryCounts(o.summary, 'creates'), 'create')}`,
    ...findingLines(o).map((l) => `  ${l}`),
    '',
    `steps (${o.steps.length}):`,
  ];
  for (const s of o.steps) {
    const exit = s.exit_status ? ` (exit status ${s.exit_status})` : '';
    out.push(`  [${t(s.at_ms)}] ${s.id} as ${s.project}${s.via ? ` via ${s.via}` : ''}: $ ${s.expanded} -> ${s.outcome}${exit}${s.message ? `: ${s.message}` : ''}`);
    out.push(...indent(s.output, '      '));
  }
  out.push('', `cinder.conf findings (${o.conf_findings.length}, warnings and errors):`);
  for (const f of o.conf_findings) out.push(`  ${f.node} ${f.severity} ${f.rule} ${f.file ?? ''}:${f.line ?? ''}: ${f.message}`);
  out.push('', `faults (${o.faults.length}):`);
  for (const f of o.faults) out.push(`  [${t(f.t_ms)}] ${f.fault}: ${f.detail}`);
  out.push('', `service state changes (${o.service_states.length}):`);
  for (const s of o.service_states) {
    out.push(`  [${t(s.t_ms)}] ${s.binary} ${s.host}: service-list ${s.state}, scheduler ${s.scheduler_state}, ${s.status}; ${describeHeartbeat(s, ['scheduler', 'service-list'])}`);
  }
  const sm = o.summary;
  out.push('', `requests (${describeCounts(summaryCounts(sm, 'requests'))}):`);
  for (const r of o.requests) {
    const args = Object.entries(r.request)
      .filter(([k]) => k !== 'verb')
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const res = r.ok ? `accepted, ${r.result}${r.resource_id ? ` ${r.resource_id} -> ${r.final_status}` : ''}` : `refused ${r.http} ${r.error}: ${r.message}`;
    out.push(`  #${r.seq} [${t(r.at_ms)}${r.answered_at_ms !== r.at_ms ? `..${t(r.answered_at_ms)}` : ''}] ${r.source} ${r.project} ${r.verb} ${args} => ${res}`);
  }
  const failed = o.decisions.filter((d) => !d.ok);
  const periods = serviceDownPeriods(o);
  out.push('', `scheduling decisions (${o.decisions.length}; ${failed.length} found no backend):`);
  for (const d of o.decisions) {
    const why = d.ok ? '' : ` (${briefNoValidBackend(noValidBackend(o, d))})`;
    out.push(`  [${t(d.at_ms)}] ${d.operation} ${d.resource_id ?? '-'} -> ${d.ok ? d.chosen : `NONE${why}: ${d.message ?? ''}`}`);
    if (d.ok) continue;
    // The story explain tells (one time format, every verdict on every pool); the stored text only without a trace.
    if (traceOf(d) !== null) out.push(...renderDecisionLines(explainDecision(d, decisionContext(o.decisions, d, periods))).slice(1).map((l) => `  ${l}`));
    else out.push(...indent(d.trace_text, '      '));
  }
  out.push('', `capacity samples (${o.capacity.length}, changes only):`);
  for (const c of o.capacity) {
    out.push(`  [${t(c.t_ms)}] ${c.pool}: total ${c.total_capacity_gb}, free ${c.free_capacity_gb}, allocated ${c.allocated_capacity_gb}, provisioned ${c.provisioned_capacity_gb} GB`);
  }
  out.push('', `workloads (${o.workloads.length}):`);
  for (const w of o.workloads) out.push(`  ${w.name}: ${describeCounts(w)}`);
  out.push('', `log: ${Object.entries(o.log_counts).map(([k, v]) => `${k} ${v}`).join(', ') || 'nothing'}`);
  // As oslo.log writes a line: LEVEL logger message.
  for (const l of o.log) out.push(`  [${t(l.t_ms)}] ${l.node} ${l.service} ${l.level.toUpperCase()} ${l.logger} ${l.message}`);
  out.push('', `expectations (${o.summary.expectations_passed} passed, ${o.summary.expectations_failed} failed):`);
  for (const e of o.expectations) out.push(`  ${e.passed ? 'PASS' : 'FAIL'} ${e.text} [${e.where}]`, `       ${e.detail}`);
  return out.join('\n') + '\n';
}
