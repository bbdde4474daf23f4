/**
 * What a run's summary tells beyond its counts, read from the outcome alone
 * (so a run read back from outcome.json tells the same): the first "No
 * valid backend" with, per pool, the filter that stopped it and why (or, with
 * no pool to filter, the volume services the scheduler judged down or
 * disabled then); per pool, when it first refused a create for capacity and
 * what it held then; every period a service was down, with the heartbeat
 * age, service_down_time and clocks behind the verdict.  Data first, then
 * one sentence per fact for the reports.
 */

import { describeVerdict } from '../cinder/scheduler/explain.js';
import type { Decision, Rejection } from '../cinder/scheduler/filter-scheduler.js';
import { formatDuration } from './duration.js';
import { operationOf } from './expectations.js';
import type { CapacitySample, DecisionRecord, RequestRecord, RunOutcome, ServiceStateRecord } from './outcome.js';

/** A pool that did not get the request: the first filter that rejected it and why, in words. */
export interface PoolStop {
  pool: string;
  /** The first filter that rejected the pool, or null when it passed every filter (and was lost after weighing). */
  filter: string | null;
  /** Passed every filter, then removed for not being on the request's resource_backend. */
  resourceBackend?: true;
  why: string;
}

/** A volume service the scheduler left out before filtering. */
export interface ServiceLeftOut {
  host: string;
  /** down (by the scheduler's heartbeat rule), disabled, or both. */
  reasons: ('down' | 'disabled')[];
  /** The record that put it in this state (its time, heartbeat age and clocks). */
  since: ServiceStateRecord;
}

export interface NoValidBackend {
  decision: DecisionRecord;
  /** The request that led to the decision, when the run kept it. */
  request: RequestRecord | null;
  /** Per candidate pool, in the scheduler's candidate order; empty with no candidates or without a trace. */
  stops: PoolStop[];
  /** The cinder-volume services the scheduler judged down or disabled then (left out before filtering). */
  leftOut: ServiceLeftOut[];
}

/** A pool's first refusal of a create for capacity, and what the pool held then. */
export interface CapacityRefusal {
  pool: string;
  decision: DecisionRecord;
  request: RequestRecord | null;
  why: string;
  /** The pool's last capacity sample at or before the decision. */
  held: CapacitySample | null;
  /** reserved_percentage as CapacityFilter applied it (from its verdicts on this pool), when a verdict carries it. */
  reservedPercentage: number | null;
}

/** A period a service was down in one judge's view. */
export interface DownPeriod {
  host: string;
  binary: string;
  /** Whose verdict: the scheduler's one-sided is_up, service-list's two-sided abs() rule, or both alike. */
  views: ('scheduler' | 'service-list')[];
  fromMs: number;
  /** null: still down when the run ended. */
  untilMs: number | null;
  durationMs: number;
  /** The record that turned it down: heartbeat ages, service_down_time, clock offsets. */
  verdict: ServiceStateRecord;
}

type TraceView = Partial<Pick<Decision, 'candidates' | 'candidateCount' | 'filters' | 'verdicts' | 'summary' | 'resourceBackendRemoved'>>;

/** The scheduler's trace kept in a decision record (a Decision as JSON), or null. */
function traceOf(d: DecisionRecord): TraceView | null {
  return d.trace !== null && typeof d.trace === 'object' ? (d.trace as TraceView) : null;
}

/** The request a decision was about: the latest one before it on its resource whose verb leads to its operation. */
export function requestOf(o: Pick<RunOutcome, 'requests'>, d: DecisionRecord): RequestRecord | null {
  if (d.resource_id === null) return null;
  const on = (requestsOn(o.requests).get(d.resource_id) ?? []).filter((r) => r.at_ms <= d.at_ms);
  return on.filter((r) => operationOf[r.verb] === d.operation).pop() ?? on.pop() ?? null;
}

function group<T>(m: Map<string, T[]>, key: string): T[] {
  let list = m.get(key);
  if (!list) m.set(key, (list = []));
  return list;
}

const byResource = new WeakMap<readonly RequestRecord[], Map<string, RequestRecord[]>>();

/** An outcome's requests by the resource they started or acted on (built once per list: a transcript asks per decision). */
function requestsOn(requests: readonly RequestRecord[]): Map<string, RequestRecord[]> {
  let m = byResource.get(requests);
  if (!m) {
    m = new Map();
    for (const r of requests) if (r.resource_id !== null) group(m, r.resource_id).push(r);
    byResource.set(requests, m);
  }
  return m;
}

/** The state of every service at time `t`, from the change log (the last record at or before `t`). */
export function serviceStatesAt(states: readonly ServiceStateRecord[], t: number): ServiceStateRecord[] {
  const now = new Map<string, ServiceStateRecord>();
  for (const s of states) if (s.t_ms <= t) now.set(`${s.binary} ${s.host}`, s);
  return [...now.values()];
}

/** The record since which a service has been in the state `now` shows (the first of the unbroken run of like records). */
function sinceOf(states: readonly ServiceStateRecord[], now: ServiceStateRecord): ServiceStateRecord {
  const mine = states.filter((s) => s.host === now.host && s.binary === now.binary && s.t_ms <= now.t_ms);
  let since = now;
  for (let i = mine.length - 1; i >= 0; i--) {
    const s = mine[i]!;
    if (s.scheduler_state !== now.scheduler_state || s.status !== now.status) break;
    since = s;
  }
  return since;
}

export function firstNoValidBackend(o: Pick<RunOutcome, 'decisions' | 'requests' | 'service_states'>): NoValidBackend | null {
  const d = o.decisions.find((x) => !x.ok);
  return d ? noValidBackend(o, d) : null;
}

/** Why a decision found no backend: per candidate pool what stopped it, and the volume services left out before filtering. */
export function noValidBackend(o: Pick<RunOutcome, 'requests' | 'service_states'>, d: DecisionRecord): NoValidBackend {
  const trace = traceOf(d);
  const stops: PoolStop[] = [];
  if (trace && !d.no_candidates) {
    const first = new Map((trace.summary?.firstRejections ?? []).map((r) => [r.host, r]));
    const removed = new Set(trace.resourceBackendRemoved ?? []);
    for (const pool of trace.candidates ?? []) {
      const r = first.get(pool);
      if (r) stops.push({ pool, filter: r.filter, why: describeVerdict(r.verdict) });
      else if (removed.has(pool)) stops.push({ pool, filter: null, resourceBackend: true, why: 'passed every filter, then dropped: not on the requested resource_backend (the backend of the source volume or snapshot)' });
      else stops.push({ pool, filter: null, why: 'passed every filter' });
    }
  }
  const leftOut = serviceStatesAt(o.service_states, d.at_ms)
    .filter((s) => s.binary === 'cinder-volume' && (s.scheduler_state === 'down' || s.status === 'disabled'))
    .map((s) => ({ host: s.host, reasons: [...(s.scheduler_state === 'down' ? ['down' as const] : []), ...(s.status === 'disabled' ? ['disabled' as const] : [])], since: sinceOf(o.service_states, s) }));
  return { decision: d, request: requestOf(o, d), stops, leftOut };
}

/**
 * The pools CapacityFilter refused in a decision for capacity alone: with
 * every filter's verdict on every pool (full traces) those whose only
 * failing filter is CapacityFilter, so a pool is not said to refuse for
 * capacity a create of a type it could never take; without that matrix,
 * CapacityFilter's rejections in the filter loop.
 */
function capacityRejection(trace: TraceView): Rejection[] {
  if (trace.verdicts) {
    return trace.verdicts.pools.flatMap((p) => (p.failed.length > 0 && p.failed.every((f) => f.filter === 'CapacityFilter') ? [{ host: p.host, verdict: p.failed[0]!.verdict }] : []));
  }
  const f = trace.filters?.find((x) => x.name === 'CapacityFilter');
  return f ? f.rejected : [];
}

export function firstCapacityRefusals(o: Pick<RunOutcome, 'decisions' | 'requests' | 'capacity'>): CapacityRefusal[] {
  const out = new Map<string, CapacityRefusal>();
  const reserved = new Map<string, number>();
  const samples = new Map<string, CapacitySample[]>();
  for (const c of o.capacity) group(samples, c.pool).push(c);
  for (const d of o.decisions) {
    if (d.operation !== 'create_volume') continue;
    const trace = traceOf(d);
    if (!trace) continue;
    for (const r of capacityRejection(trace)) {
      const pct = (r.verdict as Record<string, unknown>)['reservedPercentage'];
      if (typeof pct === 'number' && !reserved.has(r.host)) reserved.set(r.host, pct);
      if (out.has(r.host)) continue;
      let held: CapacitySample | null = null;
      for (const c of samples.get(r.host) ?? []) {
        if (c.t_ms > d.at_ms) break;
        held = c;
      }
      out.set(r.host, { pool: r.host, decision: d, request: requestOf(o, d), why: describeVerdict(r.verdict), held, reservedPercentage: null });
    }
  }
  return [...out.values()].map((c) => ({ ...c, reservedPercentage: reserved.get(c.pool) ?? null }));
}

/** Every period a service was down, by the scheduler's and by service-list's verdict (one period when both agree). */
export function serviceDownPeriods(o: Pick<RunOutcome, 'service_states' | 'end'>): DownPeriod[] {
  const periods: DownPeriod[] = [];
  const byService = new Map<string, ServiceStateRecord[]>();
  for (const s of o.service_states) {
    group(byService, `${s.binary} ${s.host}`).push(s);
  }
  for (const history of byService.values()) {
    const sched = downRuns(history, 'scheduler_state');
    const list = downRuns(history, 'state');
    for (const p of sched) {
      const same = list.findIndex((q) => q.from.t_ms === p.from.t_ms && q.untilMs === p.untilMs);
      if (same >= 0) list.splice(same, 1);
      periods.push(period(p, same >= 0 ? ['scheduler', 'service-list'] : ['scheduler'], o.end.time_ms));
    }
    for (const p of list) periods.push(period(p, ['service-list'], o.end.time_ms));
  }
  return periods.sort((a, b) => a.fromMs - b.fromMs || a.host.localeCompare(b.host) || a.binary.localeCompare(b.binary));
}

function downRuns(history: readonly ServiceStateRecord[], key: 'state' | 'scheduler_state'): { from: ServiceStateRecord; untilMs: number | null }[] {
  const out: { from: ServiceStateRecord; untilMs: number | null }[] = [];
  let from: ServiceStateRecord | null = null;
  for (const s of history) {
    if (s[key] === 'down' && from === null) from = s;
    else if (s[key] === 'up' && from !== null) {
      out.push({ from, untilMs: s.t_ms });
      from = null;
    }
  }
  if (from !== null) out.push({ from, untilMs: null });
  return out;
}

function period(p: { from: ServiceStateRecord; untilMs: number | null }, views: DownPeriod['views'], endMs: number): DownPeriod {
  const s = p.from;
  return { host: s.host, binary: s.binary, views, fromMs: s.t_ms, untilMs: p.untilMs, durationMs: (p.untilMs ?? endMs) - s.t_ms, verdict: s };
}

// ---- one sentence per fact ----

const args = (r: RequestRecord): string =>
  Object.entries(r.request)
    .filter(([k]) => k !== 'verb')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');

/** "request #24 (workload:fill-thick: create size=10 ...)", or the resource id when the request was not kept. */
export function describeRequest(r: RequestRecord | null, d: DecisionRecord): string {
  return r ? `request #${r.seq} (${r.source}: ${r.verb} ${args(r)})` : `${d.operation} ${d.resource_id ?? '(no resource)'}`;
}

/**
 * A judge's verdict on a service's heartbeat, with the clocks behind it:
 * "heartbeat age 1m00.030s > service_down_time 1m00s by controller's clock
 * (cinder-scheduler, offset 0s); node3's clock offset -1m00.030s".
 */
export function describeHeartbeat(s: ServiceStateRecord, views: readonly ('scheduler' | 'service-list')[]): string {
  const verdicts = views.map((v) => judgeVerdict(s, v));
  // Two judges on one clock with one margin say the same thing once.
  const same = verdicts.length === 2 && s.api_node === s.scheduler_node && s.api_service_down_time_ms === s.scheduler_service_down_time_ms && s.api_heartbeat_age_ms === s.scheduler_heartbeat_age_ms;
  const judged = same ? `${heartbeatAge(s.api_heartbeat_age_ms, s.api_service_down_time_ms, false)} by ${s.api_node}'s clock (cinder-scheduler and cinder-api, offset ${formatDuration(s.api_clock_offset_ms)})` : verdicts.join('; ');
  return `${judged}; ${s.node}'s clock offset ${formatDuration(s.clock_offset_ms)}`;
}

function judgeVerdict(s: ServiceStateRecord, view: 'scheduler' | 'service-list'): string {
  if (view === 'scheduler') {
    if (s.scheduler_heartbeat_age_ms === null || s.scheduler_node === null) return 'no cinder-scheduler to judge';
    return `${heartbeatAge(s.scheduler_heartbeat_age_ms, s.scheduler_service_down_time_ms ?? 0, false)} by ${s.scheduler_node}'s clock (cinder-scheduler, offset ${formatDuration(s.scheduler_clock_offset_ms ?? 0)})`;
  }
  return `${heartbeatAge(s.api_heartbeat_age_ms, s.api_service_down_time_ms, true)} by ${s.api_node}'s clock (cinder-api, offset ${formatDuration(s.api_clock_offset_ms)})`;
}

function heartbeatAge(ageMs: number, downMs: number, twoSided: boolean): string {
  const sdt = `service_down_time ${formatDuration(downMs)}`;
  if (ageMs > downMs) return `heartbeat age ${formatDuration(ageMs)} > ${sdt}`;
  if (twoSided && -ageMs > downMs) return `heartbeat ${formatDuration(-ageMs)} in the future > ${sdt} (abs() rule)`;
  return `heartbeat age ${formatDuration(ageMs)}, ${sdt}`;
}

/** The first "No valid backend": a headline, then a line per pool (or per service left out). */
export function describeNoValidBackend(n: NoValidBackend): string[] {
  const d = n.decision;
  const head = `first "No valid backend" at ${formatDuration(d.at_ms)}: ${describeRequest(n.request, d)}`;
  const leftOut = n.leftOut.length ? [`  left out before filtering (${n.leftOut.length}):`, ...n.leftOut.map(describeLeftOut)] : [];
  if (d.no_candidates) {
    if (n.leftOut.length === 0) return [`${head}: no pool to filter, and no cinder-volume service was down or disabled then (none had reported capabilities to the scheduler yet, or all were removed or frozen)`];
    return [`${head}: no pool to filter; the scheduler left out every cinder-volume service that was down or disabled:`, ...n.leftOut.map(describeLeftOut)];
  }
  // A light trace (lean runs) keeps no per-pool verdicts: say what is known and what is not.
  if (n.stops.length === 0) return [`${head}: ${d.message ?? 'no backend'}${d.emptied_by ? ` (no pool passed ${d.emptied_by}; the trace kept no per-pool verdicts)` : ''}`, ...leftOut];
  return [`${head}; per pool, the filter that stopped it:`, ...n.stops.map((s) => `  ${s.pool}: ${s.filter ? `${s.filter}: ` : ''}${s.why}`), ...leftOut];
}

/** The same in a few words, for a line per decision: "node1@thick#thick stopped by CapacityFilter, node1@thin#thin stopped by CapabilitiesFilter". */
export function briefNoValidBackend(n: NoValidBackend): string {
  const out = n.leftOut.length ? `; down or disabled: ${n.leftOut.map((s) => s.host).join(', ')}` : '';
  if (n.decision.no_candidates) return `no candidate pool${out}`;
  if (n.stops.length === 0) return n.decision.emptied_by ? `${n.decision.emptied_by} left no pool${out}` : `no trace${out}`;
  const stop = (s: PoolStop): string => `${s.pool} ${s.filter ? `stopped by ${s.filter}` : s.resourceBackend ? 'not on the resource_backend' : 'passed every filter'}`;
  return `${n.stops.map(stop).join(', ')}${out}`;
}

function describeLeftOut(s: ServiceLeftOut): string {
  const since = `since ${formatDuration(s.since.t_ms)}`;
  const down = s.reasons.includes('down') ? `: ${describeHeartbeat(s.since, ['scheduler'])}` : '';
  return `    ${s.host} cinder-volume ${s.reasons.join(' and ')} ${since}${down}`;
}

export function describeCapacityRefusal(c: CapacityRefusal): string {
  const h = c.held;
  const held = h
    ? `the pool held (unchanged since ${formatDuration(h.t_ms)}) total ${gb(h.total_capacity_gb)}, free ${gb(h.free_capacity_gb)}, allocated ${gb(h.allocated_capacity_gb)}, provisioned ${gb(h.provisioned_capacity_gb)} GB`
    : 'no capacity sample of the pool yet';
  const pct = c.reservedPercentage !== null ? `, reserved_percentage ${c.reservedPercentage}` : '';
  return `${c.pool} first refused a create for capacity at ${formatDuration(c.decision.at_ms)}, ${describeRequest(c.request, c.decision)}: ${c.why}; ${held}${pct}`;
}

/** A driver's 'infinite' / 'unknown' capacity is kept as -1 in the samples. */
const gb = (n: number): string => (n < 0 ? 'infinite/unknown' : String(n));

export function describeDownPeriod(p: DownPeriod): string {
  const span = `${formatDuration(p.fromMs)}..${p.untilMs === null ? 'the end' : formatDuration(p.untilMs)} (${formatDuration(p.durationMs)}${p.untilMs === null ? ', still down' : ''})`;
  const view = p.views.length === 2 ? 'scheduler and service-list' : p.views[0]!;
  return `${p.host} ${p.binary} down (${view}) ${span}: ${describeHeartbeat(p.verdict, p.views)}`;
}

/** Every finding of a run as sentences, for a summary: the first No valid backend, capacity refusals, down periods. */
export function findingLines(o: RunOutcome, maxPeriods = Infinity): string[] {
  const out: string[] = [];
  const nvb = firstNoValidBackend(o);
  // A lean run keeps the steps' decisions only: its first kept one need not be the run's first.
  const lean = leanFirstNoValidBackend(o, nvb?.decision.at_ms ?? Infinity);
  if (lean) out.push(lean);
  if (nvb) {
    const [head, ...rest] = describeNoValidBackend(nvb);
    out.push(lean ? head!.replace(/^first "No valid backend"/, 'first "No valid backend" of the decisions a lean run keeps (the steps\')') : head!, ...rest);
  }
  for (const c of firstCapacityRefusals(o)) out.push(describeCapacityRefusal(c));
  const periods = serviceDownPeriods(o);
  for (const p of periods.slice(0, maxPeriods)) out.push(`service ${describeDownPeriod(p)}`);
  if (periods.length > maxPeriods) out.push(`... and ${periods.length - maxPeriods} more service-down periods (transcript.txt lists every one)`);
  return out;
}

/**
 * A lean run's first "No valid backend" per availability zone and volume
 * type (it keeps no workload decision, so no request to name), or null when
 * the run is not lean or the first it kept (at `keptMs`) is the first.
 */
export function leanFirstNoValidBackend(o: Pick<RunOutcome, 'records' | 'first_no_valid_backend'>, keptMs = Infinity): string | null {
  const f = o.first_no_valid_backend;
  if (o.records !== 'lean' || !f) return null;
  const times = Object.values(f.by_az);
  if (times.length === 0 || Math.min(...times) >= keptMs) return null;
  const list = (m: Record<string, number>): string =>
    Object.entries(m)
      .sort(([a, x], [b, y]) => x - y || a.localeCompare(b))
      .map(([k, t]) => `${k} ${formatDuration(t)}`)
      .join(', ');
  const types = Object.keys(f.by_type).length ? `; by volume type: ${list(f.by_type)}` : '';
  return `first "No valid backend" at ${formatDuration(Math.min(...times))} (a lean run counts it, by zone: ${list(f.by_az)}${types}; it keeps no workload decision: \`cinder-sim explain\` replays one)`;
}

/** The same findings as data for report.json (snake_case, times in ms, the wording of each verdict included). */
export function findingsData(o: RunOutcome): {
  first_no_valid_backend: {
    at_ms: number;
    operation: string;
    resource_id: string | null;
    request_seq: number | null;
    message: string | null;
    no_candidates: boolean;
    pools: { pool: string; filter: string | null; why: string }[];
    left_out: { host: string; reasons: ('down' | 'disabled')[]; since_ms: number; verdict: ServiceStateRecord }[];
  } | null;
  capacity_refusals: { pool: string; at_ms: number; resource_id: string | null; request_seq: number | null; why: string; held: CapacitySample | null; reserved_percentage: number | null }[];
  service_down_periods: { host: string; binary: string; views: DownPeriod['views']; from_ms: number; until_ms: number | null; duration_ms: number; verdict: ServiceStateRecord }[];
} {
  const n = firstNoValidBackend(o);
  return {
    first_no_valid_backend: n && {
      at_ms: n.decision.at_ms,
      operation: n.decision.operation,
      resource_id: n.decision.resource_id,
      request_seq: n.request?.seq ?? null,
      message: n.decision.message,
      no_candidates: n.decision.no_candidates,
      pools: n.stops.map((s) => ({ pool: s.pool, filter: s.filter, why: s.why })),
      left_out: n.leftOut.map((s) => ({ host: s.host, reasons: s.reasons, since_ms: s.since.t_ms, verdict: s.since })),
    },
    capacity_refusals: firstCapacityRefusals(o).map((c) => ({ pool: c.pool, at_ms: c.decision.at_ms, resource_id: c.decision.resource_id, request_seq: c.request?.seq ?? null, why: c.why, held: c.held, reserved_percentage: c.reservedPercentage })),
    service_down_periods: serviceDownPeriods(o).map((p) => ({ host: p.host, binary: p.binary, views: p.views, from_ms: p.fromMs, until_ms: p.untilMs, duration_ms: p.durationMs, verdict: p.verdict })),
  };
}
