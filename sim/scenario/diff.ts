/**
 * Regression: the scheduling decisions of two runs of the same scenario,
 * paired by the request that caused them (never by resource id alone: a
 * change may shift ids), and what changed: a request that moved to another
 * pool, whose outcome changed (placed, No valid backend, refused), or whose
 * top weighed pools changed order, each with the filter or weigher whose
 * values made the difference.  Pure: `cinder-sim diff` reads two runs,
 * `run --baseline` compares with a baseline file (baseline.ts), and
 * reports/diff.ts renders the result.
 */

import { describeVerdict } from '../cinder/scheduler/explain.js';
import type { Decision, Rejection } from '../cinder/scheduler/filter-scheduler.js';
import { formatDuration } from './duration.js';
import { operationOf } from './expectations.js';
import type { DecisionRecord, RequestRecord, RunOutcome } from './outcome.js';

/** How many top weighed pools make a decision's weight order: what is compared, and what a baseline keeps. */
export const TOP_WEIGHED = 3;

/** What a request came to at the scheduler (or before it). */
export type DecisionResult =
  | { kind: 'placed'; pool: string }
  /** The scheduler found no pool: the error type and the filter that emptied the list, or why else. */
  | { kind: 'failed'; error: string; reason: string }
  /** The API refused the request: no decision was asked for. */
  | { kind: 'refused'; http: number | null; error: string | null }
  /** Accepted, and no decision was recorded (the run ended first, or the request needed none). */
  | { kind: 'undecided'; result: string };

export interface WeighedPool {
  host: string;
  weight: number;
  /** Each weigher's weighted value (normalised times multiplier) for this pool. */
  parts: Record<string, number>;
}

/** One scheduling decision, or a scheduling request that got none, in the form both a run and a baseline file give. */
export interface DecisionEntry {
  /** What pairs it with the other run's: operation, subject, the nth such request, the attempt. */
  key: string;
  /** The request's sequence number (`#12`); null for a decision no recorded request explains. */
  seq: number | null;
  /** 1, or the reschedule's number when one request was scheduled again. */
  attempt: number;
  atMs: number;
  operation: string;
  /** The volume's (or snapshot's, backup's) name, else the step or workload that asked. */
  subject: string;
  /** The request's other fields, ids replaced by names where the run knows them. */
  args: string;
  result: DecisionResult;
  /** The top TOP_WEIGHED weighed pools, best first. */
  top: WeighedPool[];
  /** Pools the filters dropped: each with the first filter that rejected it. */
  rejected: { host: string; filter: string }[];
  /** The scheduler's whole trace, when the run kept it (a baseline file does not). */
  trace: Decision | null;
}

export const changeKinds = ['moved', 'outcome', 'order'] as const;
/** moved: placed on another pool; outcome: placed vs failed vs refused (or another reason); order: same result, the top weighed pools in another order. */
export type ChangeKind = (typeof changeKinds)[number];

/** What made a decision differ. */
export interface Cause {
  /** The filter or weigher whose values made the difference; `API` (a refusal), `candidates` (a pool was not offered), or `unknown`. */
  by: string;
  /** The numbers, in one line (shown after `by: `). */
  detail: string;
}

export interface DecisionChange {
  kind: ChangeKind;
  key: string;
  /** `#12 5m1ms create_volume vol-a size=10`, as the baseline run had it (else the candidate). */
  label: string;
  baseline: string;
  candidate: string;
  cause: Cause;
}

/** Changes of one kind between the same two results, with how many each cause explains. */
export interface ChangeGroup {
  kind: ChangeKind;
  from: string;
  to: string;
  count: number;
  causes: Record<string, number>;
}

export interface ScenarioDiff {
  scenario: string;
  /** Decisions (and scheduling requests without one) in either run. */
  compared: number;
  changed: number;
  counts: Record<ChangeKind, number>;
  groups: ChangeGroup[];
  changes: DecisionChange[];
  /** What the reader should know besides the changes (another scenario file, lean runs). */
  notes: string[];
  /** Lean runs: the digests of all decisions differ, though the decisions kept (the steps') may not. */
  digests_differ: boolean;
}

export interface RunDiff {
  compared: number;
  changed: number;
  /** Some scenario's lean digests differ (its changes cannot be listed). */
  digests_differ: boolean;
  counts: Record<ChangeKind, number>;
  scenarios: ScenarioDiff[];
}

export type DiffVerdict = { comparable: true; diff: RunDiff } | { comparable: false; reason: string };

/** Two runs: each scenario's outcome, and the file it was read from (for messages). */
export interface DiffSide {
  label: string;
  outcomes: readonly { file: string; outcome: RunOutcome }[];
}

/** Compare two runs scenario by scenario, or say why they cannot be compared. */
export function diffRuns(base: DiffSide, cand: DiffSide): DiffVerdict {
  const names = (s: DiffSide): string[] => s.outcomes.map((o) => o.outcome.scenario);
  const onlyBase = names(base).filter((n) => !names(cand).includes(n));
  const onlyCand = names(cand).filter((n) => !names(base).includes(n));
  if (onlyBase.length || onlyCand.length) {
    const parts = [onlyBase.length ? `only in ${base.label}: ${onlyBase.join(', ')}` : '', onlyCand.length ? `only in ${cand.label}: ${onlyCand.join(', ')}` : ''].filter(Boolean);
    return { comparable: false, reason: `the runs hold other scenarios (${parts.join('; ')}); compare runs of the same scenarios, or name one scenario's outcome.json on each side` };
  }
  const scenarios: ScenarioDiff[] = [];
  for (const b of base.outcomes) {
    const c = cand.outcomes.find((x) => x.outcome.scenario === b.outcome.scenario)!;
    const why = incomparable(b, c);
    if (why !== null) return { comparable: false, reason: `${b.outcome.scenario}: ${why}` };
    scenarios.push(diffOutcomes(b.outcome, c.outcome));
  }
  return { comparable: true, diff: totals(scenarios) };
}

/** Sum scenario diffs into a run's. */
export function totals(scenarios: ScenarioDiff[]): RunDiff {
  const counts = emptyCounts();
  for (const s of scenarios) for (const k of changeKinds) counts[k] += s.counts[k];
  return { compared: scenarios.reduce((n, s) => n + s.compared, 0), changed: scenarios.reduce((n, s) => n + s.changed, 0), digests_differ: scenarios.some((s) => s.digests_differ), counts, scenarios };
}

/**
 * Why two outcomes of one scenario cannot be compared, or null.  Another
 * seed draws other arrivals; other steps, workloads or duration ask other
 * questions.  Another cinder.conf (or another cinder-sim) is what a
 * regression diff is for, so a changed scenario file alone is a note.
 */
function incomparable(b: { file: string; outcome: RunOutcome }, c: { file: string; outcome: RunOutcome }): string | null {
  const [x, y] = [b.outcome, c.outcome];
  if (x.seed !== y.seed) return `another seed: ${b.file} ran with seed ${x.seed}, ${c.file} with seed ${y.seed} (run both with the same --seed)`;
  if (x.duration_ms !== y.duration_ms) return `another duration: ${formatDuration(x.duration_ms)} in ${b.file}, ${formatDuration(y.duration_ms)} in ${c.file}`;
  const step = (s: RunOutcome['steps'][number]): string => `${s.id} at ${formatDuration(s.at_ms)} as ${s.project}: ${s.cmd}`;
  const n = Math.max(x.steps.length, y.steps.length);
  for (let i = 0; i < n; i++) {
    const [p, q] = [x.steps[i], y.steps[i]];
    if (p && q && step(p) === step(q)) continue;
    return `other steps: ${p ? `'${step(p)}'` : 'no step'} in ${b.file}, ${q ? `'${step(q)}'` : 'no step'} in ${c.file}`;
  }
  const wl = (o: RunOutcome): string => o.workloads.map((w) => w.name).join(', ') || 'none';
  if (wl(x) !== wl(y)) return `other workloads: ${wl(x)} in ${b.file}, ${wl(y)} in ${c.file}`;
  if (isLean(x) !== isLean(y)) return `${isLean(x) ? b.file : c.file} is a lean run (counts and a digest, no decisions) and the other is not: record both the same way`;
  return null;
}

const isLean = (o: RunOutcome): boolean => o.summary.decisions_digest !== undefined;

/** The decisions of two outcomes of one (comparable) scenario. */
export function diffOutcomes(base: RunOutcome, cand: RunOutcome): ScenarioDiff {
  const d = compareEntries(base.scenario, decisionEntries(base), decisionEntries(cand), 'the weighers\' values do not explain it (pools of equal weight keep the order they were listed in)');
  if (base.scenario_sha256 !== undefined && cand.scenario_sha256 !== undefined && base.scenario_sha256 !== cand.scenario_sha256) {
    d.notes.push(`the scenario's inputs differ (scenario_sha256 ${base.scenario_sha256.slice(0, 12)}... and ${cand.scenario_sha256.slice(0, 12)}...): the same steps and workloads, another file or cinder.conf`);
  }
  if (isLean(base)) {
    const [x, y] = [base.summary.decisions_digest, cand.summary.decisions_digest];
    if (x === y) d.notes.push(`lean runs: only the steps' decisions are kept; the digests of all ${base.summary.decisions} decisions are equal`);
    else {
      d.notes.push(`lean runs: only the steps' decisions are kept, and the digests of all decisions differ (${base.summary.decisions} and ${cand.summary.decisions} decisions): run both without lean records to see which changed`);
      d.digests_differ = true;
    }
  }
  return d;
}

// ---------------------------------------------------------------------------
// Entries: a run's decisions, each with the request that caused it.

/** A run's decisions in request order, each paired with the request that caused it; scheduling requests that got none are entries too. */
export function decisionEntries(o: RunOutcome): DecisionEntry[] {
  const names = new Map<string, string>();
  for (const r of o.requests) {
    const n = r.request['name'];
    if (r.resource_id !== null && typeof n === 'string' && n !== '') names.set(r.resource_id, n);
  }
  const byResource = new Map<string, RequestRecord[]>();
  for (const r of o.requests) {
    if (r.resource_id === null || operationOf[r.verb] === undefined) continue;
    const list = byResource.get(r.resource_id) ?? [];
    list.push(r);
    byResource.set(r.resource_id, list);
  }
  // Each decision belongs to the latest request on its resource for its operation made before it.
  const attempts = new Map<RequestRecord, DecisionRecord[]>();
  const orphans: DecisionRecord[] = [];
  for (const d of o.decisions) {
    let cause: RequestRecord | undefined;
    for (const r of (d.resource_id !== null ? byResource.get(d.resource_id) : undefined) ?? []) if (operationOf[r.verb] === d.operation && r.at_ms <= d.at_ms) cause = r;
    if (cause) attempts.set(cause, [...(attempts.get(cause) ?? []), d]);
    else orphans.push(d);
  }
  const out: DecisionEntry[] = [];
  const seen = new Map<string, number>();
  const keyOf = (op: string, subject: string): string => {
    const base = `${op} ${subject}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n > 1 ? `${base} (${n})` : base;
  };
  for (const r of o.requests) {
    const op = operationOf[r.verb];
    if (op === undefined) continue;
    const { subject, args } = describeRequest(r, names);
    const key = keyOf(op, subject);
    const ds = attempts.get(r) ?? [];
    const result: DecisionResult = r.ok ? { kind: 'undecided', result: r.result } : { kind: 'refused', http: r.http, error: r.error };
    if (ds.length === 0) out.push({ key, seq: r.seq, attempt: 1, atMs: r.at_ms, operation: op, subject, args, result, top: [], rejected: [], trace: null });
    ds.forEach((d, i) => out.push(fromDecision(d, { key: i ? `${key} attempt ${i + 1}` : key, seq: r.seq, attempt: i + 1, subject, args })));
  }
  for (const d of orphans) {
    const subject = (d.resource_id !== null ? names.get(d.resource_id) : undefined) ?? d.resource_id ?? '-';
    out.push(fromDecision(d, { key: keyOf(d.operation, subject), seq: null, attempt: 1, subject, args: '' }));
  }
  return out;
}

const bare = /^[\w.:@#/\-[\]*]+$/;
/** A value as one token: bare when it can be, else a JSON string. */
export const token = (s: string): string => (bare.test(s) ? s : JSON.stringify(s));

function describeRequest(r: RequestRecord, names: ReadonlyMap<string, string>): { subject: string; args: string } {
  const name = r.request['name'];
  const volume = r.request['volume'];
  const subjectKey = typeof name === 'string' && name !== '' ? 'name' : typeof volume === 'string' ? 'volume' : null;
  const subject = subjectKey === 'name' ? (name as string) : subjectKey === 'volume' ? (names.get(volume as string) ?? (volume as string)) : r.source;
  const args = Object.entries(r.request)
    .filter(([k]) => k !== 'verb' && k !== subjectKey)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? token(names.get(v) ?? v) : JSON.stringify(v)}`)
    .join(' ');
  return { subject: token(subject), args };
}

/** The trace a full run keeps, when it has the parts read here. */
function asTrace(t: unknown): Decision | null {
  if (typeof t !== 'object' || t === null) return null;
  const d = t as Partial<Decision>;
  return Array.isArray(d.weighed) && Array.isArray(d.weighers) && Array.isArray(d.candidates) ? (t as Decision) : null;
}

function fromDecision(d: DecisionRecord, at: { key: string; seq: number | null; attempt: number; subject: string; args: string }): DecisionEntry {
  const trace = asTrace(d.trace);
  const result: DecisionResult =
    d.ok && d.chosen !== null
      ? { kind: 'placed', pool: d.chosen }
      : {
          kind: 'failed',
          error: trace?.errorType ?? 'NoValidBackend',
          reason: d.emptied_by ?? (d.no_candidates ? 'no candidates' : trace?.crashedIn ? `in ${trace.crashedIn}` : 'no filter emptied the list'),
        };
  const top = (trace?.weighed ?? []).slice(0, TOP_WEIGHED).map((w) => ({ host: w.host, weight: w.weight, parts: weigherParts(trace!, w.host) }));
  const rejected: DecisionEntry['rejected'] = [];
  for (const f of trace?.filters ?? []) for (const r of f.rejected) if (!rejected.some((x) => x.host === r.host)) rejected.push({ host: r.host, filter: f.name });
  return { ...at, atMs: d.at_ms, operation: d.operation, result, top, rejected, trace };
}

function weigherParts(trace: Decision, host: string): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const w of trace.weighers) {
    const row = w.rows.find((r) => r.host === host);
    if (row) parts[w.name] = row.weighted;
  }
  return parts;
}

/** `#12 5m1ms create_volume vol-a size=10`: the request, as lines and reports show it. */
export function entryLabel(e: DecisionEntry): string {
  return `#${e.seq ?? '-'}${e.attempt > 1 ? `.${e.attempt}` : ''} ${formatDuration(e.atMs)} ${e.operation} ${e.subject}${e.args ? ` ${e.args}` : ''}`;
}

/** A result in a few words: the pool, `NoValidBackend (CapacityFilter)`, `refused 413 ...`, `undecided (in_flight)`. */
export function resultText(r: DecisionResult): string {
  switch (r.kind) {
    case 'placed':
      return r.pool;
    case 'failed':
      return `${r.error} (${r.reason})`;
    case 'refused':
      return `refused ${r.http ?? '-'} ${r.error ?? '-'}`;
    case 'undecided':
      return `undecided (${r.result})`;
  }
}

/** A number as the lines print it: at most four decimals. */
export const num = (x: number): string => String(Math.round(x * 10_000) / 10_000);

// ---------------------------------------------------------------------------
// Comparison and causes.

const emptyCounts = (): Record<ChangeKind, number> => ({ moved: 0, outcome: 0, order: 0 });

/**
 * Pair two entry lists by key and say what changed.  `unknown` is what a
 * cause that the entries cannot explain says (a baseline file keeps less
 * than a run).
 */
export function compareEntries(scenario: string, base: readonly DecisionEntry[], cand: readonly DecisionEntry[], unknown: string): ScenarioDiff {
  const candBy = new Map(cand.map((e) => [e.key, e]));
  const baseKeys = new Set(base.map((e) => e.key));
  const changes: DecisionChange[] = [];
  for (const b of base) {
    const c = change(b, candBy.get(b.key), unknown);
    if (c) changes.push(c);
  }
  for (const c of cand) {
    if (baseKeys.has(c.key)) continue;
    const ch = change(undefined, c, unknown);
    if (ch) changes.push(ch);
  }
  const counts = emptyCounts();
  for (const c of changes) counts[c.kind]++;
  return { scenario, compared: baseKeys.size + cand.filter((c) => !baseKeys.has(c.key)).length, changed: changes.length, counts, groups: groupChanges(changes), changes, notes: [], digests_differ: false };
}

const orderText = (e: DecisionEntry): string => e.top.map((w) => w.host).join(' > ') || '(none weighed)';

function change(b: DecisionEntry | undefined, c: DecisionEntry | undefined, unknown: string): DecisionChange | null {
  if (!b || !c) {
    const e = (b ?? c)!;
    return {
      kind: 'outcome',
      key: e.key,
      label: entryLabel(e),
      baseline: b ? resultText(b.result) : 'absent',
      candidate: c ? resultText(c.result) : 'absent',
      cause: { by: 'unknown', detail: `no such request in the ${b ? 'candidate' : 'baseline'} run (the runs asked other requests from here on)` },
    };
  }
  const [rb, rc] = [resultText(b.result), resultText(c.result)];
  const label = entryLabel(b);
  if (!sameResult(b.result, c.result)) {
    const kind: ChangeKind = b.result.kind === 'placed' && c.result.kind === 'placed' ? 'moved' : 'outcome';
    return { kind, key: b.key, label, baseline: rb, candidate: rc, cause: resultCause(b, c, unknown) };
  }
  const [ob, oc] = [orderText(b), orderText(c)];
  if (ob === oc) return null;
  const i = b.top.findIndex((w, j) => w.host !== c.top[j]?.host);
  const [hi, lo] = [b.top[i]?.host, c.top[i]?.host];
  const cause = hi !== undefined && lo !== undefined ? (filterCause(b, c, hi, lo) ?? weigherCause(b, c, hi, lo) ?? { by: 'unknown', detail: unknown }) : { by: 'unknown', detail: unknown };
  return { kind: 'order', key: b.key, label, baseline: ob, candidate: oc, cause };
}

/**
 * The same result: the same pool, error type, refusal or end.  Which filter
 * emptied the list of a request that found no pool either way is not a
 * changed decision (a pool the request could never use may fill up first).
 */
function sameResult(x: DecisionResult, y: DecisionResult): boolean {
  switch (x.kind) {
    case 'placed':
      return y.kind === 'placed' && x.pool === y.pool;
    case 'failed':
      return y.kind === 'failed' && x.error === y.error;
    case 'refused':
      return y.kind === 'refused' && x.http === y.http && x.error === y.error;
    case 'undecided':
      return y.kind === 'undecided' && x.result === y.result;
  }
}

function resultCause(b: DecisionEntry, c: DecisionEntry, unknown: string): Cause {
  const [x, y] = [b.result, c.result];
  if (x.kind === 'refused' || y.kind === 'refused') {
    const [r, side] = y.kind === 'refused' ? [y, 'candidate'] : [x, 'baseline'];
    return { by: 'API', detail: `the API refused it in the ${side} run (${resultText(r)}): no decision was asked for` };
  }
  if (x.kind === 'placed' && y.kind === 'placed') {
    return filterCause(b, c, x.pool, y.pool) ?? weigherCause(b, c, x.pool, y.pool) ?? { by: 'unknown', detail: unknown };
  }
  if (x.kind === 'placed') return lostCause(c, x.pool, 'candidate') ?? { by: y.kind === 'failed' ? y.reason : 'unknown', detail: unknown };
  if (y.kind === 'placed') return lostCause(b, y.pool, 'baseline') ?? { by: x.kind === 'failed' ? x.reason : 'unknown', detail: unknown };
  if (x.kind === 'failed' && y.kind === 'failed') return { by: y.error, detail: `${x.error} (${x.reason}) in the baseline run, ${y.error} (${y.reason}) in the candidate run` };
  return { by: 'unknown', detail: unknown };
}

/** Why `pool`, placed in one run, was not chosen in `e`'s run: a filter rejected it, or it was no candidate. */
function lostCause(e: DecisionEntry, pool: string, side: 'baseline' | 'candidate'): Cause | null {
  const r = rejection(e, pool);
  if (r) return { by: r.filter, detail: `rejected ${pool} in the ${side} run${r.why ? `: ${r.why}` : ''}` };
  if (e.trace && e.trace.candidateCount === 0) return { by: 'candidates', detail: `no pool was a candidate in the ${side} run (every service down, disabled, frozen or never reported)` };
  if (e.trace && e.trace.candidates.length > 0 && !e.trace.candidates.includes(pool)) return { by: 'candidates', detail: `${pool} was no candidate in the ${side} run (its service down, disabled, frozen or not reported)` };
  return null;
}

/** A filter's rejection of `host` in `e`, with the verdict's numbers when the trace is there. */
function rejection(e: DecisionEntry, host: string): { filter: string; why: string | null } | null {
  if (e.trace?.filters) {
    for (const f of e.trace.filters) {
      const r: Rejection | undefined = f.rejected.find((x) => x.host === host);
      if (r) return { filter: f.name, why: describeVerdict(r.verdict) };
    }
    return null;
  }
  const r = e.rejected.find((x) => x.host === host);
  return r ? { filter: r.filter, why: null } : null;
}

/** `hi` ranked above `lo` in the baseline and not in the candidate: the filter that dropped `hi` now, or `lo` before. */
function filterCause(b: DecisionEntry, c: DecisionEntry, hi: string, lo: string): Cause | null {
  const now = rejection(c, hi);
  if (now && !rejection(b, hi)) return { by: now.filter, detail: `rejected ${hi} in the candidate run${now.why ? `: ${now.why}` : ''} (it passed in the baseline run)` };
  const before = rejection(b, lo);
  if (before && !rejection(c, lo)) return { by: before.filter, detail: `rejected ${lo} in the baseline run${before.why ? `: ${before.why}` : ''}; it passes in the candidate run` };
  return lostCause(c, hi, 'candidate');
}

/** Each weigher's weighted value for `host`, from the trace or (a baseline) the top pools. */
function partsOf(e: DecisionEntry, host: string): Record<string, number> | null {
  if (e.trace) return e.trace.weighed.some((w) => w.host === host) ? weigherParts(e.trace, host) : null;
  return e.top.find((w) => w.host === host)?.parts ?? null;
}

/** The weigher whose weighted values moved most from `hi` toward `lo` between the runs, with the numbers. */
function weigherCause(b: DecisionEntry, c: DecisionEntry, hi: string, lo: string): Cause | null {
  const [bh, bl, ch, cl] = [partsOf(b, hi), partsOf(b, lo), partsOf(c, hi), partsOf(c, lo)];
  if (!bh || !bl || !ch || !cl) return null;
  let best: { name: string; shift: number } | null = null;
  for (const name of new Set([...Object.keys(bh), ...Object.keys(ch)])) {
    const shift = (bh[name] ?? 0) - (bl[name] ?? 0) - ((ch[name] ?? 0) - (cl[name] ?? 0));
    if (shift > 1e-9 && (!best || shift > best.shift)) best = { name, shift };
  }
  if (!best) return null;
  const w = best.name;
  const side = (e: DecisionEntry, h: Record<string, number>, l: Record<string, number>): string => {
    const t = e.trace?.weighers.find((x) => x.name === w);
    const raw = (host: string): string => {
      const row = t?.rows.find((r) => r.host === host);
      return row ? ` (raw ${num(row.raw)})` : '';
    };
    return `${hi} ${num(h[w] ?? 0)}${raw(hi)} vs ${lo} ${num(l[w] ?? 0)}${raw(lo)}${t ? `, multiplier ${num(t.multiplier)}` : ''}`;
  };
  return { by: w, detail: `${side(b, bh, bl)} in the baseline run; ${side(c, ch, cl)} in the candidate run` };
}

function groupChanges(changes: readonly DecisionChange[]): ChangeGroup[] {
  const groups = new Map<string, ChangeGroup>();
  for (const c of changes) {
    const k = `${c.kind}\0${c.baseline}\0${c.candidate}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { kind: c.kind, from: c.baseline, to: c.candidate, count: 0, causes: {} }));
    g.count++;
    g.causes[c.cause.by] = (g.causes[c.cause.by] ?? 0) + 1;
  }
  const rank = (k: ChangeKind): number => changeKinds.indexOf(k);
  return [...groups.values()].sort((a, b) => rank(a.kind) - rank(b.kind) || b.count - a.count || (a.from + a.to < b.from + b.to ? -1 : a.from + a.to > b.from + b.to ? 1 : 0));
}
