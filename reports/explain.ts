/**
 * `cinder-sim explain`: the story of one request told from its run's
 * outcome alone: the command and the API's answer, the services the
 * scheduler left out, the candidates, every filter's verdict on every
 * pool, the weighers' values and the choice.  Pure: outcome data in, data
 * or text out (a lean run is replayed by the caller first).
 */
import { describeLeftOut, describeVerdict, nearestHeadline, traceOf, type DecisionTrace } from '../sim/scenario/decision-trace.js';
import { formatDuration } from '../sim/scenario/duration.js';
import { serviceDownPeriods, type DownPeriod } from '../sim/scenario/findings.js';
import type { DecisionRecord, RequestRecord, RunOutcome, StepRecord } from '../sim/scenario/outcome.js';

/** What REQUEST named, and the requests it stands for. */
export interface ExplainTarget {
  /** REQUEST as given. */
  query: string;
  kind: 'step' | 'seq' | 'volume';
  step: StepRecord | null;
  requests: RequestRecord[];
}

export interface ExplainedVerdict {
  filter: string;
  reason: string;
  /** The verdict in Cinder 2023.1's terms, numbers included. */
  text: string;
}

export interface ExplainedDecision {
  at_ms: number;
  operation: string;
  resource_id: string | null;
  ok: boolean;
  chosen: string | null;
  message: string | null;
  /** False when the record has no trace (a lean run not replayed, a backup host pick). */
  traced: boolean;
  left_out: { host: string; reason: string; text: string }[];
  candidates: string[];
  filters: string[];
  /** One entry per candidate pool: every filter that rejects it and why (none: it passed them all). */
  pools: { pool: string; rejected_by: ExplainedVerdict[] }[];
  weighers: { name: string; multiplier: number; min: number; max: number; rows: { pool: string; raw: number; normalised: number; weighted: number }[] }[];
  weighed: { pool: string; weight: number }[];
  /** Weighed pools dropped after weighing for not being on the request's resource_backend (the source volume's or snapshot's backend). */
  resource_backend_removed: string[];
  selected: string | null;
  selected_az: string | null;
  error_type: string | null;
  error: string | null;
  /** For No valid backend: the pools nearest to passing and what stops each. */
  headline: string | null;
}

export interface ExplainStory {
  scenario: string;
  file: string;
  seed: string;
  request: { query: string; kind: ExplainTarget['kind'] };
  step: { id: string; where: string; at_ms: number; cmd: string; outcome: string; exit_status: number; message: string | null; output: string } | null;
  requests: { seq: number; at_ms: number; source: string; verb: string; request: Record<string, unknown>; ok: boolean; http: number | null; message: string | null; resource_id: string | null; result: string; final_status: string | null; host: string | null; decisions: ExplainedDecision[] }[];
  /** Set when the decisions came from a replay of a lean run. */
  replay?: ReplayNote;
}

/** How a lean run's replay went (filled by the caller). */
export interface ReplayNote {
  stopped_at_ms: number;
  decisions_replayed: number;
  checkpoints_checked: number;
  agrees: boolean;
  notes: string[];
}

/** Every id REQUEST may name in this outcome: step ids, #seqs, volume names and ids. */
export function requestIds(o: RunOutcome): string[] {
  const ids = new Set<string>();
  for (const s of o.steps) ids.add(s.id);
  for (const r of o.requests) {
    ids.add(`#${r.seq}`);
    if (typeof r.request['name'] === 'string') ids.add(r.request['name']);
    if (r.resource_id !== null) ids.add(r.resource_id);
  }
  return [...ids];
}

/**
 * The requests REQUEST names in `o`: a step id (its requests), `#N` (the
 * request numbered N), or a volume's name or id (the requests that made or
 * changed it).  Null when nothing matches.
 */
export function resolveRequest(o: RunOutcome, query: string): ExplainTarget | null {
  const seq = /^#(\d+)$/.exec(query);
  if (seq) {
    const n = Number(seq[1]);
    const r = o.requests.find((x) => x.seq === n);
    return r ? { query, kind: 'seq', step: o.steps.find((s) => s.requests.includes(n)) ?? null, requests: [r] } : null;
  }
  const step = o.steps.find((s) => s.id === query);
  if (step) return { query, kind: 'step', step, requests: o.requests.filter((r) => step.requests.includes(r.seq)) };
  const byName = o.requests.filter((r) => r.verb === 'create' && r.request['name'] === query);
  const ids = new Set(byName.map((r) => r.resource_id).filter((x): x is string => x !== null));
  if (byName.length === 0 && o.requests.some((r) => r.resource_id === query)) ids.add(query);
  const requests = o.requests.filter((r) => byName.includes(r) || (r.resource_id !== null && ids.has(r.resource_id)));
  return requests.length ? { query, kind: 'volume', step: null, requests } : null;
}

/** The decisions about a request's resource, from its time until the next request about the same resource. */
export function decisionsFor(o: RunOutcome, r: RequestRecord, decisions: readonly DecisionRecord[] = o.decisions): DecisionRecord[] {
  if (r.resource_id === null || !r.ok) return [];
  const next = o.requests.find((x) => x.seq > r.seq && x.resource_id === r.resource_id && x.ok)?.at_ms ?? Infinity;
  return decisions.filter((d) => d.resource_id === r.resource_id && d.at_ms >= r.at_ms && d.at_ms < next);
}

/** What the story of one decision needs from the rest of its run. */
export interface DecisionContext {
  /** The run's service-down periods (the summaries' own), told beside a service left out as down. */
  downPeriods?: readonly DownPeriod[];
  /** The pool the volume was on before this decision (a retype's own backend), when known. */
  ownPool?: string | null;
}

/** The context of decision `d` among `decisions` (the run's, or a replay's). */
export function decisionContext(decisions: readonly DecisionRecord[], d: DecisionRecord, downPeriods: readonly DownPeriod[]): DecisionContext {
  let ownPool: string | null = null;
  if (d.resource_id !== null) for (const x of decisions) if (x !== d && x.resource_id === d.resource_id && x.ok && x.at_ms <= d.at_ms && x.chosen !== null) ownPool = x.chosen;
  return { downPeriods, ownPool };
}

/** One decision record as the story tells it. */
export function explainDecision(d: DecisionRecord, ctx: DecisionContext = {}): ExplainedDecision {
  const downPeriods = ctx.downPeriods ?? [];
  const t = traceOf(d);
  const base: ExplainedDecision = {
    at_ms: d.at_ms,
    operation: d.operation,
    resource_id: d.resource_id,
    ok: d.ok,
    chosen: d.chosen,
    message: d.message,
    traced: t !== null,
    left_out: [],
    candidates: [],
    filters: [],
    pools: [],
    weighers: [],
    weighed: [],
    resource_backend_removed: [],
    selected: d.chosen,
    selected_az: null,
    error_type: null,
    error: d.message,
    headline: null,
  };
  if (t === null) return base;
  const told = { ...base, ...fromTrace(t) };
  const retype = retypeHeadline(told, ctx.ownPool ?? null);
  if (retype) told.headline = retype;
  return { ...told, left_out: told.left_out.map((s) => (s.reason === 'down' ? { ...s, text: s.text + recordedDown(s.host, d.at_ms, downPeriods) } : s)) };
}

/**
 * The period the run's service-state records show the service down by the
 * scheduler's rule, so the story's "since" meets the summaries' down periods
 * (the scheduler's own "since" is when its heartbeat stopped, or when it
 * first noticed; the records are sampled).
 */
function recordedDown(host: string, atMs: number, periods: readonly DownPeriod[]): string {
  const p = periods.find((x) => x.host === host && x.binary === 'cinder-volume' && x.views.includes('scheduler') && x.fromMs <= atMs && (x.untilMs === null || atMs < x.untilMs));
  if (!p) return '';
  return `; the run's service records: down (${p.views.length === 2 ? 'scheduler and service-list' : 'scheduler'}) from ${formatDuration(p.fromMs)}${p.untilMs === null ? ' to the end' : ` to ${formatDuration(p.untilMs)}`}`;
}

function fromTrace(t: DecisionTrace): Partial<ExplainedDecision> {
  const matrix = t.verdicts;
  const failedOf = new Map((matrix?.pools ?? []).map((p) => [p.host, p.failed]));
  // Without the matrix (an older outcome) the real loop's rejections are all there is: each pool's first.
  if (!matrix) for (const f of t.filters ?? []) for (const r of f.rejected) failedOf.set(r.host, [...(failedOf.get(r.host) ?? []), { filter: f.name, verdict: r.verdict }]);
  return {
    left_out: (t.leftOut ?? []).map((s) => ({ host: s.host, reason: s.reason, text: describeLeftOut(s, formatDuration) })),
    candidates: t.candidates,
    filters: matrix?.filters ?? (t.filters ?? []).map((f) => f.name),
    pools: t.candidates.map((pool) => ({ pool, rejected_by: (failedOf.get(pool) ?? []).map((f) => ({ filter: f.filter, reason: f.verdict.reason, text: describeVerdict(f.verdict) })) })),
    weighers: t.weighers.map((w) => ({ name: w.name, multiplier: w.multiplier, min: w.min, max: w.max, rows: w.rows.map((r) => ({ pool: r.host, raw: r.raw, normalised: r.normalised, weighted: r.weighted })) })),
    weighed: t.weighed.map((w) => ({ pool: w.host, weight: w.weight })),
    resource_backend_removed: t.resourceBackendRemoved ?? [],
    selected: t.selected,
    selected_az: t.selectedAz,
    error_type: t.errorType,
    error: t.error,
    headline: headlineOf(t),
  };
}

/**
 * A retype with migration_policy never that found pools, but not the
 * volume's own: find_retype_backend keeps the volume where it is or fails
 * ("Current backend not valid ..., migration not allowed"); the pools that
 * passed are beside the point, the own pool's verdict is the answer.
 */
function retypeHeadline(d: ExplainedDecision, ownPool: string | null): string | null {
  if (d.operation !== 'retype' || d.selected !== null || d.weighed.length === 0 || !(d.error ?? '').includes('migration not allowed')) return null;
  const own = ownPool === null ? undefined : d.pools.find((p) => p.pool === ownPool);
  const why = own ? (own.rejected_by.length ? `rejected by ${own.rejected_by.map((v) => v.filter).join(', ')}` : 'not among the weighed pools') : 'not among the weighed pools';
  const passed = `${d.weighed.length} other pool${d.weighed.length === 1 ? '' : 's'} passed (${d.weighed.map((w) => w.pool).join(', ')})`;
  return `the volume's own pool${ownPool ? ` ${ownPool}` : ''} is ${why}, and migration_policy is never (the default): a retype then stays on its own backend or fails; ${passed}, usable with --migration-policy on-demand`;
}

const RESOURCE_BACKEND_WHY = 'no weighed pool is on the requested resource_backend (the backend of the source volume or snapshot)';

function headlineOf(t: DecisionTrace): string | null {
  if (t.selected !== null || t.errorType === null) return null;
  const s = t.summary;
  if (t.candidates.length === 0) {
    const out = t.leftOut ?? [];
    return out.length ? `no candidate pool: ${out.map((x) => `${x.host} ${x.reason.replace(/_/g, ' ')}`).join(', ')}` : 'no candidate pool: no volume service at all';
  }
  if (s?.nearest?.length) return `nearest to passing: ${nearestHeadline(s.nearest)}`;
  if (s?.emptiedBy) return `${s.emptiedBy} left no pool`;
  const removed = t.resourceBackendRemoved ?? [];
  if (removed.length && t.weighed.length === removed.length) return `${RESOURCE_BACKEND_WHY}; passed every filter, dropped after weighing: ${removed.join(', ')}`;
  return null;
}

/** The story of the requests `target` names; `decisions` overrides the outcome's (a replay's). */
export function explainStory(o: RunOutcome, target: ExplainTarget, decisions?: readonly DecisionRecord[], replay?: ReplayNote): ExplainStory {
  const st = target.step;
  const periods = serviceDownPeriods(o);
  return {
    scenario: o.scenario,
    file: o.file,
    seed: o.seed,
    request: { query: target.query, kind: target.kind },
    step: st ? { id: st.id, where: st.where, at_ms: st.at_ms, cmd: st.expanded, outcome: st.outcome, exit_status: st.exit_status, message: st.message, output: st.output } : null,
    requests: target.requests.map((r) => ({
      seq: r.seq,
      at_ms: r.at_ms,
      source: r.source,
      verb: r.verb,
      request: r.request,
      ok: r.ok,
      http: r.http,
      message: r.message,
      resource_id: r.resource_id,
      result: r.result,
      final_status: r.final_status,
      host: r.host,
      decisions: decisionsFor(o, r, decisions).map((d) => explainDecision(d, decisionContext(decisions ?? o.decisions, d, periods))),
    })),
    ...(replay ? { replay } : {}),
  };
}

const t = (ms: number): string => `t=${formatDuration(ms)}`;
const num = (x: number): string => (Number.isInteger(x) ? String(x) : String(Math.round(x * 10_000) / 10_000));

/** The story as text a person reads top to bottom. */
export function renderExplain(s: ExplainStory): string {
  const out: string[] = [`${s.scenario} (seed ${s.seed}): ${s.request.query}`];
  if (s.replay) {
    const r = s.replay;
    out.push(`  replayed from the lean run up to ${t(r.stopped_at_ms)}: ${r.decisions_replayed} decisions, ${r.checkpoints_checked} digest checkpoint(s) checked, ${r.agrees ? 'agrees with the run' : 'DOES NOT agree with the run'}`);
    for (const n of r.notes) out.push(`  note: ${n}`);
  }
  if (s.step) {
    out.push(`step ${s.step.id} at ${t(s.step.at_ms)} [${s.step.where}]`);
    out.push(`  $ ${s.step.cmd}`);
    out.push(`  exit status ${s.step.exit_status}, ${s.step.outcome}${s.step.message ? `: ${s.step.message}` : ''}`);
  }
  if (s.requests.length === 0) out.push('  (this step made no request)');
  for (const r of s.requests) {
    out.push(`request #${r.seq} at ${t(r.at_ms)} (${r.source}): ${r.verb} ${JSON.stringify(stripVerb(r.request))}`);
    out.push(`  API: ${r.ok ? `accepted${r.resource_id ? `, ${r.resource_id}` : ''}` : `refused${r.http !== null ? ` (HTTP ${r.http})` : ''}: ${r.message ?? ''}`}; result ${r.result}${r.final_status ? `, final status ${r.final_status}` : ''}${r.host ? `, host ${r.host}` : ''}`);
    if (r.ok && r.decisions.length === 0) out.push('  no scheduling decision about it (none was needed, or the run ended first)');
    r.decisions.forEach((d, i) => out.push(...renderDecisionLines(d, r.decisions.length > 1 ? `decision ${i + 1} of ${r.decisions.length}` : 'decision')));
  }
  return out.join('\n') + '\n';
}

function stripVerb(req: Record<string, unknown>): Record<string, unknown> {
  const { verb: _verb, ...rest } = req;
  return rest;
}

/** One decision: left out, candidates, verdicts per pool, weighers, the choice. */
export function renderDecisionLines(d: ExplainedDecision, title = 'decision'): string[] {
  const out: string[] = [`  ${title}: ${d.operation} at ${t(d.at_ms)}: ${d.ok ? `placed on ${d.chosen}` : (d.message ?? 'failed')}`];
  if (!d.traced) {
    out.push('    (no trace recorded: a lean run keeps none; explain replays it when given the scenario)');
    return out;
  }
  if (d.headline) out.push(`    why: ${d.headline}`);
  if (d.left_out.length) {
    out.push('    left out before filtering:');
    for (const s of d.left_out) out.push(`      ${s.host}: ${s.text}`);
  }
  out.push(`    candidates (${d.candidates.length}): ${d.candidates.join(', ') || 'none'}`);
  if (d.filters.length && d.candidates.length) {
    out.push(`    filters (${d.filters.join(', ')}), every verdict on every pool:`);
    for (const p of d.pools) {
      if (p.rejected_by.length === 0) out.push(`      ${p.pool}: passes every filter`);
      else out.push(`      ${p.pool}: rejected by ${p.rejected_by.map((v) => `${v.filter}: ${v.text}`).join('; ')}`);
    }
  }
  for (const w of d.weighers) {
    out.push(`    ${w.name} (multiplier ${num(w.multiplier)}, min ${num(w.min)}, max ${num(w.max)}):`);
    for (const r of w.rows) out.push(`      ${r.pool}: raw ${num(r.raw)}, normalised ${num(r.normalised)}, weighted ${num(r.weighted)}`);
  }
  if (d.weighed.length) out.push(`    weighed: ${d.weighed.map((w) => `${w.pool}=${num(w.weight)}`).join(', ')}`);
  if (d.resource_backend_removed.length) out.push(`    dropped after weighing, not on the requested resource_backend: ${d.resource_backend_removed.join(', ')}`);
  if (d.selected !== null) out.push(`    chosen: ${d.selected}${d.selected_az ? ` (availability zone ${d.selected_az})` : ''}`);
  else if (d.error !== null) out.push(`    error: ${d.error_type ? `${d.error_type}: ` : ''}${d.error}`);
  return out;
}

const periodsCache = new WeakMap<RunOutcome, DownPeriod[]>();

/** The outcome's down periods, worked out once (report.html asks per decision). */
function periodsOf(o: RunOutcome): DownPeriod[] {
  let p = periodsCache.get(o);
  if (!p) periodsCache.set(o, (p = serviceDownPeriods(o)));
  return p;
}

/** One decision of a full outcome as text (for report.html's decision table); needs no replay. */
export function explainDecisionText(o: RunOutcome, decisionIndex: number): string {
  const d = o.decisions[decisionIndex];
  if (d === undefined) throw new RangeError(`decision ${decisionIndex} of ${o.decisions.length}`);
  return renderDecisionLines(explainDecision(d, decisionContext(o.decisions, d, periodsOf(o))), 'decision').join('\n') + '\n';
}
