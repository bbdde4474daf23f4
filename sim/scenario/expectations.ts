import { durationMs, formatDuration } from './duration.js';
import { expandReferences } from './cinderclient/parse.js';
import { excerpt } from './excerpt.js';
import type { ConfFindingRecord, DecisionRecord, ExpectationResult, RequestRecord, ServiceStateRecord, StepOutcome, StepRecord } from './outcome.js';
import { requestResult, retypeTarget } from './run/counts.js';
import type { ExpectationT } from './schema.js';
import type { VolumeFacts } from '../harness/view.js';

export type { VolumeFacts };

/** What expectations may read: the records so far and the live cloud. */
export interface ExpectView {
  nowMs: number;
  steps: ReadonlyMap<string, StepRecord>;
  requests: readonly RequestRecord[];
  decisions: readonly DecisionRecord[];
  serviceStates: readonly ServiceStateRecord[];
  log: readonly { t_ms: number; node: string; logger: string; level: string; message: string }[];
  confFindings: readonly ConfFindingRecord[];
  /** Non-deleted volumes with this name (any project). */
  volumesNamed(name: string): VolumeFacts[];
  /** Current status of a volume, snapshot, backup or transfer by id, if it exists. */
  statusOf(id: string): string | undefined;
  /** Whether a volume ever became usable. */
  launched(id: string): boolean;
  /** Current host of a volume by id. */
  hostOf(id: string): string | undefined;
  /** A volume's type now (name and id). */
  volumeTypeOf(id: string): { id: string; name: string } | undefined;
  /**
   * A lean run (`--records lean`): it keeps no workload decisions and its
   * decisions no trace, so placements, emptied_by and no_candidates cannot be
   * judged; those expectations fail saying so instead of counting nothing.
   */
  lean?: boolean;
}

/** Why a lean run cannot judge an expectation that reads decisions. */
export const LEAN_CANNOT_JUDGE = 'not judged: a lean run (--records lean) keeps no workload decisions and no decision traces; run with --records all (or `cinder-sim explain` a request, which replays it)';

export type Verdict = { passed: boolean; detail: string };

/** Room for a quoted message or line in a detail (excerpt keeps the matched text whole within it). */
const EVIDENCE_CHARS = 120;
/** Room for the message that answered a step (its own, or the one an expectation matched): the first thing a reader wants. */
const MESSAGE_CHARS = 240;

/** One line stating the expectation, as a reader would say it. */
export function describeExpectation(e: ExpectationT): string {
  const when = e.at !== undefined ? ` at ${fmt(e.at)}` : '';
  const span = `${e.from !== undefined ? ` from ${fmt(e.from)}` : ''}${e.until !== undefined ? ` until ${fmt(e.until)}` : ''}`;
  const bound = `${e.at_least !== undefined ? ` >= ${e.at_least}` : ''}${e.at_most !== undefined ? ` <= ${e.at_most}` : ''}`;
  if (e.step !== undefined) {
    const parts = [
      e.outcome && `outcome ${e.outcome}`,
      e.message_contains !== undefined && `message contains '${e.message_contains}'`,
      e.output_contains !== undefined && `output contains '${e.output_contains}'`,
      e.output_not_contains !== undefined && `output does not contain '${e.output_not_contains}'`,
      e.http !== undefined && `HTTP ${e.http}`,
      e.exit_status !== undefined && `exit status ${e.exit_status}`,
      e.emptied_by && `emptied by ${e.emptied_by}`,
      e.no_candidates !== undefined && (e.no_candidates ? 'no candidate at all' : 'with candidates'),
      e.status && `status ${e.status}`,
      e.host_matches && `host ~ /${e.host_matches}/`,
    ];
    return `step ${e.step}: ${parts.filter(Boolean).join(', ')}${when}`;
  }
  if (e.service !== undefined) return `service ${e.service} ${e.binary ?? 'cinder-volume'} is ${e.state} (${e.view ?? 'service-list'} view)${span}${when}`;
  if (e.ratio !== undefined) return `ratio ${e.ratio}${bound}${when}`;
  if (e.volume !== undefined) {
    if (e.exists === false) return `no volume ${e.volume}${when}`;
    const parts = [e.status && `status ${e.status}`, e.host_matches && `host ~ /${e.host_matches}/`, e.availability_zone && `zone ${e.availability_zone}`, e.size_gb && `size ${e.size_gb} GB`, e.project && `owned by ${e.project}`];
    return `volume ${e.volume}: ${parts.filter(Boolean).join(', ') || 'exists'}${when}`;
  }
  if (e.placements !== undefined) return `new volumes placed on ${e.placements}${span}${bound}`;
  if (e.conf !== undefined) return `cinder.conf finding ${e.conf}${e.node ? ` on ${e.node}` : ''}${bound || ' >= 1'}`;
  const l = e.log!;
  return `log lines${l.level ? ` at ${l.level}` : ''}${l.logger ? ` from ${l.logger}` : ''}${l.node ? ` on ${l.node}` : ''}${l.contains !== undefined ? ` containing '${l.contains}'` : ''}${span}${bound}`;
}

function fmt(d: number | string): string {
  return formatDuration(durationMs(d));
}

function within(t: number, e: ExpectationT, endMs: number): boolean {
  const from = e.from !== undefined ? durationMs(e.from) : 0;
  const until = e.until !== undefined ? durationMs(e.until) : endMs;
  return t >= from && t <= until;
}

function bounded(n: number, e: ExpectationT): boolean {
  return (e.at_least === undefined || n >= e.at_least) && (e.at_most === undefined || n <= e.at_most);
}

/** The expectation's text fields that may hold `${step.field}` references. */
const referenceKeys = ['volume', 'message_contains', 'output_contains', 'output_not_contains', 'status', 'host_matches', 'availability_zone'] as const;

/** Fill `${step.field}` references from the steps' outputs so far; an unfilled one is the verdict. */
function expandExpectation(e: ExpectationT, v: ExpectView): { ok: true; e: ExpectationT } | { ok: false; error: string } {
  const out: ExpectationT = { ...e };
  for (const k of referenceKeys) {
    const text = e[k];
    if (text === undefined) continue;
    const r = expandReferences(text, (step, field) => {
      const val = v.steps.get(step)?.fields[field];
      return val === undefined || val === null ? undefined : String(val);
    });
    if (!r.ok) return { ok: false, error: `${k}: ${r.error}` };
    out[k] = r.line;
  }
  return { ok: true, e: out };
}

export function checkExpectation(written: ExpectationT, v: ExpectView): Verdict {
  const x = expandExpectation(written, v);
  if (!x.ok) return { passed: false, detail: x.error };
  const e = x.e;
  if (e.step !== undefined) return checkStep(e, v);
  if (e.service !== undefined) return checkService(e, v);
  if (e.ratio !== undefined) return checkRatio(e, v);
  if (e.volume !== undefined) return checkVolume(e, v);
  if (e.placements !== undefined) {
    if (v.lean) return { passed: false, detail: LEAN_CANNOT_JUDGE };
    const prefix = e.placements;
    const hits = v.decisions.filter((d) => d.ok && d.operation === 'create_volume' && d.chosen !== null && (d.chosen === prefix || d.chosen.startsWith(prefix + '#') || d.chosen.startsWith(prefix + '@')) && within(d.at_ms, e, v.nowMs));
    return { passed: bounded(hits.length, e), detail: `${hits.length} placement${hits.length === 1 ? '' : 's'} on ${prefix}${hits.length ? ` (first at ${formatDuration(hits[0]!.at_ms)})` : ''}` };
  }
  if (e.conf !== undefined) {
    const hits = v.confFindings.filter((f) => f.rule === e.conf && (e.node === undefined || f.node === e.node));
    const ok = e.at_least === undefined && e.at_most === undefined ? hits.length >= 1 : bounded(hits.length, e);
    return { passed: ok, detail: `${hits.length} finding${hits.length === 1 ? '' : 's'}${hits.length ? `, first: ${hits[0]!.node} ${hits[0]!.file ?? ''}:${hits[0]!.line ?? ''} ${hits[0]!.message}` : ''}` };
  }
  const l = e.log!;
  const hits = v.log.filter((r) => (l.level === undefined || r.level === l.level) && (l.node === undefined || r.node === l.node) && (l.logger === undefined || r.logger === l.logger) && (l.contains === undefined || r.message.includes(l.contains)) && within(r.t_ms, e, v.nowMs));
  return { passed: bounded(hits.length, e), detail: `${hits.length} matching log line${hits.length === 1 ? '' : 's'}${hits.length ? `, first: ${hits[0]!.node} ${hits[0]!.level} ${hits[0]!.logger} '${excerpt(hits[0]!.message, l.contains, EVIDENCE_CHARS)}'` : ''}` };
}

/** A step's requests and the decisions they caused. */
function stepParts(st: StepRecord, v: Pick<ExpectView, 'requests' | 'decisions'>): { reqs: RequestRecord[]; decisions: DecisionRecord[] } {
  const reqs = v.requests.filter((r) => st.requests.includes(r.seq));
  return { reqs, decisions: reqs.flatMap((r) => stepDecisions(r, v)) };
}

/**
 * How a step ended, as far as known now, under the one definition of
 * run/counts.ts: `usage` when the client stopped it, else the worst of its
 * requests' results (refused, failed, in flight, succeeded); a scheduling
 * decision that found no backend is a failure even where the resource's
 * status does not show it (a retype stays `available`).
 */
export function stepOutcome(st: StepRecord, v: Pick<ExpectView, 'requests' | 'decisions' | 'statusOf' | 'launched' | 'volumeTypeOf'>): StepOutcome {
  if (st.outcome === 'usage') return 'usage';
  const { reqs, decisions } = stepParts(st, v);
  const results = reqs.map((r) => requestResult(r.verb, r.ok, r.resource_id, v, retypeTarget(r)));
  if (st.outcome === 'refused' || results.includes('refused')) return 'refused';
  if (results.includes('failed') || decisions.some((d) => !d.ok)) return 'failed';
  if (results.includes('in_flight')) return 'in_flight';
  return 'succeeded';
}

/** Whether a step's outcome is what an expectation's `outcome` names (ok and error are the broad forms). */
function outcomeMatches(want: NonNullable<ExpectationT['outcome']>, got: StepOutcome): boolean {
  if (want === 'ok') return got === 'succeeded';
  if (want === 'error') return got === 'refused' || got === 'failed' || got === 'usage';
  return want === got;
}

function checkStep(e: ExpectationT, v: ExpectView): Verdict {
  const st = v.steps.get(e.step!);
  if (!st) return { passed: false, detail: `step ${e.step} has not run by t=${formatDuration(v.nowMs)}` };
  const { reqs, decisions } = stepParts(st, v);
  const ids = reqs.map((r) => r.resource_id).filter((x): x is string => x !== null);
  // Statuses of what the step created (not of the volume an extend or retype acted on).
  const statuses = reqs.filter((r) => r.resource_id !== null && r.verb !== 'extend' && r.verb !== 'retype').map((r) => v.statusOf(r.resource_id!) ?? 'deleted');
  const outcome = stepOutcome(st, v);
  const messages = [st.message, ...decisions.map((d) => d.message), ...reqs.map((r) => r.message)].filter((m): m is string => !!m);
  const found: string[] = [`outcome ${outcome}${st.message ? ` ('${excerpt(st.message, e.message_contains, MESSAGE_CHARS)}')` : ''}`];
  if (statuses.length) found.push(`status ${statuses.join(',')}`);
  const failing: string[] = [];
  if (e.outcome !== undefined && !outcomeMatches(e.outcome, outcome)) failing.push(`expected outcome ${e.outcome}`);
  if (e.message_contains !== undefined) {
    const hit = messages.find((m) => m.includes(e.message_contains!));
    if (!hit) failing.push(`no message contains '${e.message_contains}' (messages: ${messages.map((m) => `'${excerpt(m, undefined, EVIDENCE_CHARS)}'`).join('; ') || 'none'})`);
    else if (hit !== st.message) found.push(`message '${excerpt(hit, e.message_contains, MESSAGE_CHARS)}'`);
  }
  if (e.output_contains !== undefined && !st.output.includes(e.output_contains)) failing.push(`the output does not contain '${e.output_contains}'`);
  if (e.output_not_contains !== undefined && st.output.includes(e.output_not_contains)) {
    const line = st.output.split('\n').find((l) => l.includes(e.output_not_contains!)) ?? '';
    failing.push(`the output contains '${e.output_not_contains}' (line '${excerpt(line.trim(), e.output_not_contains, EVIDENCE_CHARS)}')`);
  }
  if (e.http !== undefined) {
    const codes = reqs.map((r) => r.http).filter((c): c is number => c !== null);
    found.push(codes.length ? `HTTP ${codes.join(',')}` : reqs.length ? 'accepted (2xx)' : 'no request made');
    if (!codes.includes(e.http)) failing.push(`expected HTTP ${e.http}`);
  }
  if (e.exit_status !== undefined) {
    found.push(`exit status ${st.exit_status}`);
    if (st.exit_status !== e.exit_status) failing.push(`expected exit status ${e.exit_status}`);
  }
  if ((e.emptied_by !== undefined || e.no_candidates !== undefined) && v.lean) {
    failing.push(LEAN_CANNOT_JUDGE);
  } else if (e.emptied_by !== undefined) {
    const emptied = decisions.map((d) => d.emptied_by).filter((x): x is string => x !== null);
    found.push(`emptied by ${emptied.join(',') || 'none'}`);
    if (!emptied.includes(e.emptied_by)) failing.push(`expected emptied by ${e.emptied_by}`);
  }
  if (e.no_candidates !== undefined && !v.lean) {
    const none = decisions.filter((d) => d.no_candidates).length;
    found.push(none ? `${none} decision${none === 1 ? '' : 's'} with no candidate at all (every filter started at 0)` : `${decisions.length} decision${decisions.length === 1 ? '' : 's'}, each with candidates`);
    if ((none > 0) !== e.no_candidates) failing.push(e.no_candidates ? 'expected a decision with no candidate at all' : 'expected candidates in every decision');
  }
  if (e.status !== undefined && !statuses.includes(e.status)) failing.push(`expected status ${e.status}`);
  if (e.host_matches !== undefined) {
    const hosts = ids.map((id) => v.hostOf(id) ?? '(none)');
    found.push(`host ${hosts.join(',') || '(none)'}`);
    if (!hosts.some((h) => new RegExp(e.host_matches!).test(h))) failing.push(`expected host ~ /${e.host_matches}/`);
  }
  return { passed: failing.length === 0, detail: [...failing, ...found].join('; ') };
}

/** The scheduler operation each request verb leads to. */
export const operationOf: Readonly<Record<string, string>> = {
  create: 'create_volume',
  'backup-restore': 'create_volume',
  extend: 'extend_volume',
  retype: 'retype',
  'snapshot-create': 'create_snapshot',
  'backup-create': 'create_backup',
};

/** Decisions a request caused: its operation on its resource, from the request until the next such request. */
function stepDecisions(r: RequestRecord, v: Pick<ExpectView, 'requests' | 'decisions'>): DecisionRecord[] {
  const op = operationOf[r.verb];
  if (!op || r.resource_id === null) return [];
  const next = v.requests.find((x) => x.seq > r.seq && x.resource_id === r.resource_id && x.verb === r.verb);
  const end = next ? next.at_ms : Infinity;
  return v.decisions.filter((d) => d.resource_id === r.resource_id && d.operation === op && d.at_ms >= r.at_ms && d.at_ms < end);
}

function checkService(e: ExpectationT, v: ExpectView): Verdict {
  const binary = e.binary ?? 'cinder-volume';
  const key = e.view === 'scheduler' ? 'scheduler_state' : 'state';
  const history = v.serviceStates.filter((s) => s.host === e.service && s.binary === binary);
  if (history.length === 0) return { passed: false, detail: `no ${binary} service with host ${e.service} was seen` };
  const stateAt = (t: number): ServiceStateRecord | undefined => {
    let cur: ServiceStateRecord | undefined;
    for (const s of history) if (s.t_ms <= t) cur = s;
    return cur;
  };
  const from = e.at !== undefined ? durationMs(e.at) : e.from !== undefined ? durationMs(e.from) : e.until !== undefined ? 0 : v.nowMs;
  const until = e.at !== undefined ? from : e.until !== undefined ? durationMs(e.until) : e.from !== undefined ? v.nowMs : from;
  const first = stateAt(from);
  const wrong: ServiceStateRecord[] = [];
  if (!first || first[key] !== e.state) wrong.push(first ?? { ...history[0]!, t_ms: from, [key]: 'unknown' });
  // `until` is exclusive: a state may change at the very time the expectation ends.
  for (const s of history) if (s.t_ms > from && (s.t_ms < until || (s.t_ms === until && until === from)) && s[key] !== e.state) wrong.push(s);
  const changes = history.filter((s, i) => i === 0 || s[key] !== history[i - 1]![key]).map((s) => `${s[key]}@${formatDuration(s.t_ms)}`);
  if (wrong.length) {
    const w = wrong[0]!;
    return { passed: false, detail: `${e.service} was ${String(w[key])} at ${formatDuration(Math.max(w.t_ms, from))}; history: ${changes.join(' ')}` };
  }
  return { passed: true, detail: `${e.state} over ${formatDuration(from)}..${formatDuration(until)}; history: ${changes.join(' ')}` };
}

/** The request verbs a ratio expectation counts (null: every request). */
export const ratioVerbs: Record<NonNullable<ExpectationT['ratio']>, readonly string[] | null> = {
  creates_succeeded: ['create'],
  requests_succeeded: null,
  deletes_succeeded: ['delete'],
  snapshots_succeeded: ['snapshot-create'],
  backups_succeeded: ['backup-create'],
};

/** A request succeeded under the one definition of run/counts.ts (a create: its volume became usable). */
export function succeeded(r: RequestRecord, v: Pick<ExpectView, 'launched' | 'statusOf' | 'volumeTypeOf'>): boolean {
  return requestResult(r.verb, r.ok, r.resource_id, v, retypeTarget(r)) === 'succeeded';
}

function checkRatio(e: ExpectationT, v: ExpectView): Verdict {
  const verbs = ratioVerbs[e.ratio!];
  const reqs = v.requests.filter((r) => verbs === null || verbs.includes(r.verb));
  if (reqs.length === 0) return { passed: false, detail: `no ${verbs?.join('/') ?? ''} requests were made` };
  const okCount = reqs.filter((r) => succeeded(r, v)).length;
  const ratio = okCount / reqs.length;
  return { passed: bounded(ratio, e), detail: `${okCount}/${reqs.length} = ${ratio.toFixed(4)}` };
}

function checkVolume(e: ExpectationT, v: ExpectView): Verdict {
  const vols = v.volumesNamed(e.volume!);
  if (e.exists === false) {
    const seen = vols.map((x) => `${x.id} (${x.status})`).join(', ');
    return { passed: vols.length === 0, detail: vols.length === 0 ? `no volume named ${e.volume}` : `expected no such volume; found ${seen}` };
  }
  if (vols.length !== 1) return { passed: false, detail: vols.length === 0 ? `no volume named ${e.volume}` : `${vols.length} volumes named ${e.volume} (ambiguous)` };
  const vol = vols[0]!;
  const failing: string[] = [];
  if (e.status !== undefined && vol.status !== e.status) failing.push(`expected status ${e.status}`);
  if (e.host_matches !== undefined && !new RegExp(e.host_matches).test(vol.host ?? '')) failing.push(`expected host ~ /${e.host_matches}/`);
  if (e.availability_zone !== undefined && vol.availability_zone !== e.availability_zone) failing.push(`expected zone ${e.availability_zone}`);
  if (e.size_gb !== undefined && vol.size !== e.size_gb) failing.push(`expected size ${e.size_gb}`);
  if (e.project !== undefined && vol.project_id !== e.project) failing.push(`expected owner ${e.project}`);
  const found = `owner ${vol.project_id}, status ${vol.status}, host ${vol.host ?? '(none)'}, zone ${vol.availability_zone ?? '(none)'}, size ${vol.size} GB`;
  return { passed: failing.length === 0, detail: [...failing, found].join('; ') };
}

export function expectationResult(index: number, where: string, e: ExpectationT, v: ExpectView): ExpectationResult {
  const r = checkExpectation(e, v);
  return { index, where, text: describeExpectation(e), passed: r.passed, detail: r.detail };
}
