/**
 * Baselines: a scenario's scheduling decisions as small, stable text, one
 * line per decision, meant to live in a git repository next to the
 * scenarios.  `cinder-sim run --baseline DIR` compares a run with
 * `DIR/<scenario>.decisions.txt`; `--update-baseline` writes them.
 *
 *   # cinder-sim baseline v1: ... (the header names scenario, seed, schema)
 *   #6 5m create_volume fill-thick-1 size=10 volume_type=thick -> node1@thick#thick; weighed node1@thick#thick=0 (CapacityWeigher=0); CapabilitiesFilter rejected node1@thin#thin
 *   #40 4h1ms create_volume thick_full size=10 -> NoValidBackend (CapacityFilter); CapacityFilter rejected node1@thick#thick; CapabilitiesFilter rejected node1@thin#thin
 *
 * A line keeps the top weighed pools with each weigher's weighted value,
 * and the filter that dropped each pool, so a changed decision can be
 * explained from the file alone most of the time.
 */

import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareEntries, decisionEntries, entryLabel, num, resultText, TOP_WEIGHED, type DecisionEntry, type DecisionResult, type ScenarioDiff, type WeighedPool } from './diff.js';
import { parseDurationMs } from './duration.js';
import type { RunOutcome } from './outcome.js';

/** The baseline text format's version: a file of another version is refused, with what to do. */
export const BASELINE_FORMAT_VERSION = 1;
const MAGIC = '# cinder-sim baseline v';

/** What `--baseline` / `--update-baseline` did for one scenario (outcome.json's `baseline`). */
export interface BaselineRecord {
  /** The baseline file as the command line named its directory: `baselines/clock-skew.decisions.txt`. */
  file: string;
  /** compared: this run against the file; written: --update-baseline wrote the file. */
  mode: 'compared' | 'written';
  /** written: a file was there before (the diff is from it to this run); false: a new baseline. */
  replaced: boolean;
  /** Decisions (lines) in the file: the one compared with, or the one written. */
  decisions: number;
  /** The file's decisions (baseline) against this run's (candidate). */
  diff: ScenarioDiff;
}

/** A baseline that cannot be used: the message names the file and says what to do. */
export class BaselineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineError';
  }
}

/** The file a scenario's baseline lives in, inside the baseline directory. */
export const baselineFile = (scenario: string): string => `${scenario}.decisions.txt`;

/** What `cinder-sim diff` should be pointed at when a baseline holds too little to explain a change. */
const UNKNOWN =
  'the baseline keeps only the top weighed pools and the filter that dropped each pool: compare the full runs with `cinder-sim diff OLD_RUN NEW_RUN` (each a run\'s --out directory)';

// ---------------------------------------------------------------------------
// Writing.

/** The baseline text of one outcome: a header, then a line per decision in request order; ends with a newline. */
export function renderBaseline(o: RunOutcome): string {
  const entries = decisionEntries(o);
  const lines = [
    `${MAGIC}${BASELINE_FORMAT_VERSION}: the scheduling decisions of one scenario, a line each`,
    `# scenario: ${o.scenario}`,
    `# seed: ${o.seed}`,
    `# outcome schema: ${o.schema_version}`,
    `# decisions: ${entries.length}`,
    '# compared by `cinder-sim run SCENARIO --baseline DIR`, rewritten by adding --update-baseline',
    ...entries.map(entryLine),
  ];
  return lines.join('\n') + '\n';
}

/** One decision as a baseline line. */
export function entryLine(e: DecisionEntry): string {
  let line = `${entryLabel(e)} -> ${resultText(e.result)}`;
  if (e.top.length) line += `; weighed ${e.top.map((w) => `${w.host}=${num(w.weight)} (${Object.entries(w.parts).map(([k, v]) => `${k}=${num(v)}`).join(' ')})`).join(', ')}`;
  const byFilter = new Map<string, string[]>();
  for (const r of e.rejected) byFilter.set(r.filter, [...(byFilter.get(r.filter) ?? []), r.host]);
  for (const [filter, hosts] of byFilter) line += `; ${filter} rejected ${hosts.join(' ')}`;
  return line;
}

// ---------------------------------------------------------------------------
// Reading.

export interface ParsedBaseline {
  scenario: string;
  seed: string;
  entries: DecisionEntry[];
}

/** Parse a baseline file's text; `file` names it in errors (with the line). */
export function parseBaseline(text: string, file: string): ParsedBaseline {
  const lines = text.split('\n');
  const first = lines[0] ?? '';
  if (!first.startsWith(MAGIC)) throw new BaselineError(`${file}: not a cinder-sim baseline (its first line is not '${MAGIC}${BASELINE_FORMAT_VERSION}: ...')`);
  const version = Number(/^\d+/.exec(first.slice(MAGIC.length))?.[0]);
  if (version !== BASELINE_FORMAT_VERSION) {
    throw new BaselineError(`${file}: a baseline of format v${Number.isNaN(version) ? '?' : version}; this cinder-sim reads v${BASELINE_FORMAT_VERSION}: write it again with --update-baseline`);
  }
  const header = new Map<string, string>();
  const entries: DecisionEntry[] = [];
  const seen = new Map<string, number>();
  let lastKey = '';
  lines.forEach((line, i) => {
    if (i === 0 || line.trim() === '') return;
    const h = /^# ([\w ]+): (.*)$/.exec(line);
    if (h) header.set(h[1]!, h[2]!);
    if (line.startsWith('#') && !/^#(\d+|-)/.test(line)) return;
    const e = parseLine(line, `${file}:${i + 1}`);
    if (e.attempt > 1) e.key = `${lastKey} attempt ${e.attempt}`;
    else {
      const base = `${e.operation} ${e.subject}`;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      e.key = lastKey = n > 1 ? `${base} (${n})` : base;
    }
    entries.push(e);
  });
  const scenario = header.get('scenario');
  const seed = header.get('seed');
  if (scenario === undefined || seed === undefined) throw new BaselineError(`${file}: damaged baseline: no '# ${scenario === undefined ? 'scenario' : 'seed'}: ...' line in its header`);
  return { scenario, seed, entries };
}

/** Tokens separated by spaces, a JSON string being one token; each with where it starts. */
function tokens(line: string): { text: string; at: number }[] {
  const out: { text: string; at: number }[] = [];
  const re = /"(?:[^"\\]|\\.)*"|\S+/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push({ text: m[0], at: m.index });
  return out;
}

function parseLine(line: string, where: string): DecisionEntry {
  const bad = (why: string): BaselineError => new BaselineError(`${where}: damaged baseline line (${why}): ${line}`);
  const toks = tokens(line);
  const arrow = toks.findIndex((t) => t.text === '->');
  if (arrow < 4) throw bad("expected '#SEQ TIME OPERATION SUBJECT [ARGS] -> RESULT'");
  const head = /^#(\d+|-)(?:\.(\d+))?$/.exec(toks[0]!.text);
  if (!head) throw bad(`'${toks[0]!.text}' is not #SEQ`);
  const [resultPart, ...sections] = line.slice(toks[arrow]!.at + 3).split('; ');
  const top: WeighedPool[] = [];
  const rejected: DecisionEntry['rejected'] = [];
  for (const s of sections) {
    if (s.startsWith('weighed ')) {
      for (const m of s.slice(8).matchAll(/(\S+?)=(\S+) \(([^)]*)\)/g)) {
        const parts: Record<string, number> = {};
        for (const p of m[3]!.split(' ').filter(Boolean)) {
          const [k, v] = p.split('=');
          parts[k!] = Number(v);
        }
        top.push({ host: m[1]!, weight: Number(m[2]), parts });
      }
      continue;
    }
    const r = /^(\S+) rejected (.+)$/.exec(s);
    if (!r) throw bad(`'${s}' is neither 'weighed ...' nor 'FILTER rejected ...'`);
    for (const host of r[2]!.split(' ')) rejected.push({ host, filter: r[1]! });
  }
  const seq = head[1] === '-' ? null : Number(head[1]);
  const args = toks.slice(4, arrow).map((t) => t.text).join(' ');
  return {
    key: '',
    seq,
    attempt: head[2] ? Number(head[2]) : 1,
    // For the reader (and the labels of changes): decisions are compared by what they decided, not when.
    atMs: parseDurationMs(toks[1]!.text) ?? 0,
    operation: toks[2]!.text,
    subject: toks[3]!.text,
    args,
    result: parseResult(resultPart ?? '', bad),
    top: top.slice(0, TOP_WEIGHED),
    rejected,
    trace: null,
  };
}

function parseResult(s: string, bad: (why: string) => BaselineError): DecisionResult {
  let m = /^refused (\S+) (\S+)$/.exec(s);
  if (m) return { kind: 'refused', http: m[1] === '-' ? null : Number(m[1]), error: m[2] === '-' ? null : m[2]! };
  m = /^undecided \((.*)\)$/.exec(s);
  if (m) return { kind: 'undecided', result: m[1]! };
  m = /^(\S+) \((.*)\)$/.exec(s);
  if (m) return { kind: 'failed', error: m[1]!, reason: m[2]! };
  if (/^\S+$/.test(s)) return { kind: 'placed', pool: s };
  throw bad(`'${s}' is no result (a pool, 'ERROR (reason)', 'refused HTTP ERROR' or 'undecided (result)')`);
}

// ---------------------------------------------------------------------------
// The run's side: read before running (so a missing or foreign file stops it early), compare or write after.

/**
 * The baseline of `scenario` in `dir` (`shown` is how messages name the
 * directory): parsed and checked against the run's seed.  Throws
 * BaselineError when it is missing, damaged, another scenario's or another
 * seed's.
 */
export function readBaseline(dir: string, shown: string, scenario: string, seed: string): { file: string; parsed: ParsedBaseline } {
  const path = join(dir, baselineFile(scenario));
  const file = join(shown, baselineFile(scenario));
  if (!existsSync(path)) throw new BaselineError(`no baseline for scenario '${scenario}' (${file}): record it with --update-baseline`);
  const parsed = parseBaseline(readFileSync(path, 'utf8'), file);
  if (parsed.scenario !== scenario) throw new BaselineError(`${file}: the baseline of scenario '${parsed.scenario}', not '${scenario}'`);
  if (parsed.seed !== seed) throw new BaselineError(`${file}: recorded with seed ${parsed.seed}, this run uses seed ${seed}: run with --seed ${parsed.seed}, or record a new baseline with --update-baseline`);
  return { file, parsed };
}

/** This run's decisions against a baseline read by readBaseline. */
export function compareWithBaseline(o: RunOutcome, base: { file: string; parsed: ParsedBaseline }): BaselineRecord {
  return { file: base.file, mode: 'compared', replaced: true, decisions: base.parsed.entries.length, diff: compareEntries(o.scenario, base.parsed.entries, decisionEntries(o), UNKNOWN) };
}

/**
 * May --update-baseline write the baseline of `scenario` in `dir`?  Throws
 * BaselineError when the path holds something that is not a baseline (a
 * user's file is never overwritten); returns the file it would replace.
 */
export function checkBaselineTarget(dir: string, shown: string, scenario: string): { file: string; previous: ParsedBaseline | null } {
  const path = join(dir, baselineFile(scenario));
  const file = join(shown, baselineFile(scenario));
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new BaselineError(`--baseline ${shown}: it exists and is not a directory`);
  if (!existsSync(path)) return { file, previous: null };
  const text = readFileSync(path, 'utf8');
  if (!text.startsWith(MAGIC)) throw new BaselineError(`refusing to overwrite ${file}: it is not a cinder-sim baseline (its first line is not '${MAGIC}...'); move it away or choose another --baseline directory`);
  try {
    return { file, previous: parseBaseline(text, file) };
  } catch {
    // A baseline of another format version, or damaged: ours to rewrite.
    return { file, previous: null };
  }
}

/** The record of writing `o`'s baseline over `previous` (the write itself is writeBaseline's). */
export function writtenBaseline(o: RunOutcome, target: { file: string; previous: ParsedBaseline | null }): BaselineRecord {
  const entries = decisionEntries(o);
  // A new baseline differs from nothing.
  return { file: target.file, mode: 'written', replaced: target.previous !== null, decisions: entries.length, diff: compareEntries(o.scenario, target.previous?.entries ?? entries, entries, UNKNOWN) };
}

export function writeBaseline(dir: string, o: RunOutcome): void {
  writeFileSync(join(dir, baselineFile(o.scenario)), renderBaseline(o));
}
