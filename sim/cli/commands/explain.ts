import { resolve } from 'node:path';
import { decisionsFor, explainStory, renderExplain, requestIds, resolveRequest, type ExplainStory, type ExplainTarget, type ReplayNote } from '../../../reports/explain.js';
import { OutcomeReadError, readRun, type ReadOutcome } from '../../scenario/outcome-read.js';
import type { RunOutcome } from '../../scenario/outcome.js';
import { replayForExplain, ReplayError, type WatchSpec } from '../../scenario/replay.js';
import { defineCommand } from '../command.js';
import { UserError } from '../io.js';
import { editDistance } from '../suggest.js';

const REQUEST_FORMS = 'a step id, #N (the request numbered N), or a volume name or id';

export const explainCommand = defineCommand({
  command: 'explain <run> <request>',
  describe: 'Why a request went where it went (or nowhere): the command, the answer, the services left out, every filter on every pool, the weighers, the choice',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: "an outcome.json, a scenario's output directory, or a run's --out directory" })
      .positional('request', { type: 'string', demandOption: true, describe: `${REQUEST_FORMS}; in a run directory of several scenarios, SCENARIO:REQUEST (or --scenario)` })
      .option('scenario', { type: 'string', describe: 'which scenario of a run directory' })
      .option('json', { type: 'boolean', default: false, describe: 'the same story as structured JSON' }),
  run(args, io) {
    let runs: ReadOutcome[];
    const path = resolve(io.cwd, args.run);
    try {
      runs = readRun(path);
    } catch (e) {
      if (e instanceof OutcomeReadError) throw new UserError(`explain: ${e.message.split(path).join(args.run)}`);
      throw e;
    }
    const { outcome, query } = pick(runs, args.request, args.scenario);
    const story = explain(outcome, query, io.cwd);
    io.stdout(args.json ? JSON.stringify(story, null, 1) + '\n' : renderExplain(story));
    return story.replay && !story.replay.agrees ? 1 : 0;
  },
});

/** The outcome REQUEST is about: the only one, the --scenario one, or SCENARIO:REQUEST. */
function pick(runs: readonly ReadOutcome[], request: string, scenario: string | undefined): { outcome: RunOutcome; query: string } {
  let name = scenario;
  let query = request;
  const colon = request.indexOf(':');
  if (name === undefined && colon > 0 && runs.some((r) => r.outcome.scenario === request.slice(0, colon))) {
    name = request.slice(0, colon);
    query = request.slice(colon + 1);
  }
  const names = runs.map((r) => r.outcome.scenario);
  if (name === undefined) {
    if (runs.length === 1) return { outcome: runs[0]!.outcome, query };
    throw new UserError(`explain: the run holds ${runs.length} scenarios; say which: SCENARIO:${request} or --scenario SCENARIO (one of: ${names.join(', ')})`);
  }
  const found = runs.find((r) => r.outcome.scenario === name);
  if (!found) throw new UserError(`explain: no scenario '${name}' in the run; it holds: ${names.join(', ')}`);
  return { outcome: found.outcome, query };
}

const isLean = (o: RunOutcome): boolean => o.records === 'lean' || o.summary.decisions_digest !== undefined;

/** The story; a lean run's decisions come from a replay up to the request. */
function explain(o: RunOutcome, query: string, cwd: string): ExplainStory {
  const target = resolveRequest(o, query);
  if (!isLean(o)) {
    if (target === null) throw noMatch(o, query);
    return explainStory(o, target);
  }
  const spec = watchSpec(o, query, target);
  if (spec === null) throw noMatch(o, query);
  let answer;
  try {
    answer = replayForExplain(o, spec, cwd);
  } catch (e) {
    if (e instanceof ReplayError) throw new UserError(`explain: ${o.scenario}: ${e.message}`);
    throw e;
  }
  const note: ReplayNote = { stopped_at_ms: answer.check.stoppedAtMs, decisions_replayed: answer.check.decisionsReplayed, checkpoints_checked: answer.check.checkpointsChecked, agrees: answer.check.agrees, notes: answer.check.notes };
  if (target === null && answer.requests.length === 0) throw noMatch(o, query, `the replay of the lean run met no such request either (requests in the run: ${o.summary.requests})`);
  // The run kept the steps' own requests; a workload's the replay found, unfinished where it stopped.
  const known = new Set(o.requests.map((r) => r.seq));
  const extra = answer.requests.filter((r) => !known.has(r.seq));
  const all: RunOutcome = { ...o, requests: [...o.requests, ...extra].sort((a, b) => a.seq - b.seq) };
  const resolved: ExplainTarget = target ?? { query, kind: /^#\d+$/.test(query) ? 'seq' : 'volume', step: null, requests: extra };
  // The replay watched the first request; the run's own decisions (none traced) stand for the others.
  const decisions = [...answer.decisions, ...o.decisions.filter((d) => !answer.decisions.some((x) => x.resource_id === d.resource_id && x.at_ms === d.at_ms))];
  const story = explainStory(all, resolved, decisions, note);
  for (const r of story.requests) if (!known.has(r.seq)) r.result = 'not recorded (lean run; the replay stopped at its decision)';
  if (resolved.requests.length > 1) note.notes.push(`only request #${resolved.requests[0]!.seq} was replayed with its trace; explain the others by #N`);
  if (resolved.requests.length > 0 && decisionsFor(all, resolved.requests[0]!, decisions).length === 0 && answer.decisions.length > 0) note.notes.push('the decision the replay found is outside the request\'s time window');
  return story;
}

/** What the replay watches for: the first request the run kept, else #N, a volume id or a volume name. */
function watchSpec(o: RunOutcome, query: string, target: ExplainTarget | null): WatchSpec | null {
  if (target !== null) return target.requests.length > 0 ? { seq: target.requests[0]!.seq } : null;
  const seq = /^#(\d+)$/.exec(query);
  if (seq) return Number(seq[1]) >= 1 && Number(seq[1]) <= o.summary.requests ? { seq: Number(seq[1]) } : null;
  if (o.steps.some((s) => s.id === query)) return null;
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(query) ? { resourceId: query } : { volumeName: query };
}

function noMatch(o: RunOutcome, query: string, more?: string): UserError {
  const ids = requestIds(o);
  const near = ids
    .map((id) => ({ id, d: editDistance(query.toLowerCase(), id.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, 5)
    .map((x) => x.id);
  return new UserError(`explain: no request '${query}' in ${o.scenario} (REQUEST is ${REQUEST_FORMS})${more ? `; ${more}` : ''}${near.length ? `; nearest: ${near.join(', ')}` : ''}`);
}
