import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { checkScenario, rawCommandIssues } from './check.js';
import { formatPath, ScenarioProblems, type PathKey, type Problem } from './problems.js';
import { FakeBackendSpec, ScenarioSchema, type Scenario } from './schema.js';
import { loadConfs, loadNodeConf } from './topology.js';
import { plainIssues, valueAt, type PlainIssue } from './zod-issues.js';
import { backendGroupOptions, defaultGroupOptions, legacyOptionNames, type CinderConf } from '../cinder/config/index.js';

/** A scenario that passed every check, with what the runner needs to report places. */
export interface LoadedScenario {
  scenario: Scenario;
  /** The file as the user named it (relative to the working directory when inside it). */
  file: string;
  /** Absolute directory of the file, for cinder.conf paths. */
  dir: string;
  /** cinder.conf text per node name (inline or read from its file), with the file it came from. */
  confs: Map<string, { file: string; text: string }>;
  /** Each node's cinder.conf as Cinder reads it. */
  cinderConfs: Map<string, CinderConf>;
  /** sha256 of the scenario's inputs: the file's text, then each cinder.conf (see inputsSha256). */
  sha256: string;
  /** The cinder.conf of each conf_change fault, by the fault's index, as Cinder reads it on the fault's node. */
  faultConfs: Map<number, CinderConf>;
  /** `file:line` of a key path, for messages at run time. */
  where(path: readonly PathKey[]): string;
  /**
   * What the file does that runs but is likely a mistake, located as problems
   * are: a command line cinderclient's argument parser refuses (the step's
   * outcome is then the client's usage error, exit status 2, which
   * expectations can check), a cinder.conf error the run shows rather than
   * refuses (a service that fails to start).
   */
  warnings: Problem[];
}

/**
 * cinder.conf error findings that do not refuse the scenario: Cinder starts
 * anyway and the run shows what it does (the backend's service fails to
 * start, the node's other backends run).
 */
const SHOWN_BY_THE_RUN: ReadonlySet<string> = new Set(['unknown-driver']);

/** Locates key paths in a parsed YAML/JSON document. */
export class Locator {
  private readonly lc = new LineCounter();
  readonly doc: Document;

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lc, prettyErrors: false, uniqueKeys: true });
  }

  parseProblems(): Problem[] {
    return this.doc.errors.map((e) => {
      const pos = this.lc.linePos(e.pos[0]);
      return { file: this.file, line: pos.line, col: pos.col, path: '(syntax)', message: e.message.split('\n')[0]! };
    });
  }

  /** Line and column of the deepest node on `path` that exists (the key itself when `atKey`). */
  locate(path: readonly PathKey[], atKey?: string): { line: number; col: number } {
    let offset = (this.doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
    for (let n = path.length; n >= 0; n--) {
      const sub = path.slice(0, n);
      if (atKey !== undefined && n === path.length) {
        const parent = sub.length > 1 ? this.doc.getIn(sub.slice(0, -1), true) : this.doc.contents;
        if (isMap(parent)) {
          const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === atKey);
          const r = pair && isScalar(pair.key) ? pair.key.range : undefined;
          if (r) {
            offset = r[0];
            break;
          }
        }
        continue;
      }
      const node = n === 0 ? this.doc.contents : this.doc.getIn(sub, true);
      const r = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (r) {
        offset = r[0];
        break;
      }
    }
    const pos = this.lc.linePos(offset);
    return { line: pos.line, col: pos.col };
  }

  problem(path: readonly PathKey[], message: string, atKey?: string): Problem {
    const { line, col } = this.locate(path, atKey);
    return { file: this.file, line, col, path: formatPath(path), message };
  }
}

/** How a file is named in messages and outputs: relative to cwd (with ../ if need be), so outputs hold no absolute path. */
export function displayName(absFile: string, cwd: string): string {
  const rel = relative(cwd, absFile);
  return rel && !isAbsolute(rel) ? rel : absFile;
}

/** Load, validate and check a scenario file; throws ScenarioProblems listing every problem. */
export function loadScenarioFile(path: string, cwd: string): LoadedScenario {
  const abs = resolve(cwd, path);
  const file = displayName(abs, cwd);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new ScenarioProblems([{ file, line: 0, col: 0, path: '(file)', message: `cannot read scenario: ${why}` }]);
  }
  return loadScenarioText(text, file, dirname(abs), extname(abs));
}

export function loadScenarioText(text: string, file: string, dir: string, _ext = '.yaml'): LoadedScenario {
  // JSON is YAML 1.2, so one parser serves both and keeps line numbers for both.
  const loc = new Locator(file, text);
  const syntax = loc.parseProblems();
  if (syntax.length) throw new ScenarioProblems(syntax);
  const raw: unknown = loc.doc.toJS();
  const parsed = ScenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const misplaced = confKeysInBackends(raw);
    const problems = plainIssues(parsed.error.issues, raw, ScenarioSchema)
      .filter((i) => i.atKey === undefined || !misplaced.some((m) => formatPath(m.path) === formatPath(i.path)))
      .concat(misplaced)
      .map((i) => loc.problem(i.path, i.message, i.atKey));
    // Command lines are checked too, so one run shows every problem in the file.
    problems.push(...rawCommandIssues(raw).map((i) => loc.problem(i.path, i.warning ? `warning: ${i.message}` : i.message)));
    throw new ScenarioProblems(dedupe(problems));
  }
  const scenario = parsed.data;
  const confs = new Map<string, { file: string; text: string }>();
  const problems: Problem[] = [];
  scenario.topology.nodes.forEach((n, i) => {
    const src = n.cinder_conf;
    if (src === undefined) return;
    if (typeof src === 'string') {
      confs.set(n.name, { file: `${file}#${n.name}`, text: src });
      return;
    }
    const confAbs = resolve(dir, src.file);
    try {
      confs.set(n.name, { file: src.file, text: readFileSync(confAbs, 'utf8') });
    } catch {
      problems.push(loc.problem(['topology', 'nodes', i, 'cinder_conf', 'file'], `cannot read '${src.file}' (paths are relative to the scenario file)`));
    }
  });
  const faultTexts = new Map<number, { file: string; text: string }>();
  scenario.faults.forEach((f, i) => {
    if (f.fault !== 'conf_change') return;
    const src = f.cinder_conf;
    if (typeof src === 'string') {
      faultTexts.set(i, { file: `${file}#faults[${i}]`, text: src });
      return;
    }
    try {
      faultTexts.set(i, { file: src.file, text: readFileSync(resolve(dir, src.file), 'utf8') });
    } catch {
      problems.push(loc.problem(['faults', i, 'cinder_conf', 'file'], `cannot read '${src.file}' (paths are relative to the scenario file)`));
    }
  });
  const checked = checkScenario(scenario, confs);
  problems.push(...checked.filter((p) => !p.warning).map((p) => loc.problem(p.path, p.message)));
  const warnings = checked.filter((p) => p.warning).map((p) => loc.problem(p.path, p.message));
  const cinderConfs = loadConfs(scenario, confs);
  const faultConfs = new Map<number, CinderConf>();
  for (const [i, c] of faultTexts) {
    const f = scenario.faults[i]!;
    if (f.fault === 'conf_change' && scenario.topology.nodes.some((n) => n.name === f.node)) faultConfs.set(i, loadNodeConf(f.node, c));
  }
  problems.push(...confProblems(scenario, cinderConfs, faultConfs, raw, loc, warnings));
  problems.push(...faultConfProblems(scenario, cinderConfs, faultConfs, raw, loc, warnings));
  problems.push(...hostProblems(scenario, cinderConfs, loc, faultConfs));
  if (problems.length) throw new ScenarioProblems(dedupe(problems));
  return {
    scenario,
    file,
    dir,
    confs,
    cinderConfs,
    faultConfs,
    sha256: inputsSha256(text, [...confs.values(), ...faultTexts.values()]),
    warnings: dedupe(warnings),
    where: (path) => {
      const { line } = loc.locate(path);
      return `${file}:${line}`;
    },
  };
}

/**
 * One hash of what a scenario reads: its own text, then the text of each
 * cinder.conf (node order, then conf_change faults; inline ones are hashed
 * twice, harmlessly), never a path, so the same inputs anywhere carry the
 * same hash (outcome.json's scenario_sha256).
 */
function inputsSha256(text: string, confs: readonly { file: string; text: string }[]): string {
  const h = createHash('sha256').update(text);
  for (const c of confs) h.update(`\0${c.text}`);
  return h.digest('hex');
}

/**
 * cinder.conf options written under a node's `backends.<group>`: that
 * mapping holds only the fake storage's physical facts, and every option
 * comes from the node's cinder_conf, so each such key is refused (rather
 * than reported as merely unknown) with where it belongs.
 */
function confKeysInBackends(raw: unknown): PlainIssue[] {
  const out: PlainIssue[] = [];
  const nodes = valueAt(raw, ['topology', 'nodes']);
  if (!Array.isArray(nodes)) return out;
  nodes.forEach((_, i) => {
    const backends = valueAt(raw, ['topology', 'nodes', i, 'backends']);
    if (backends === null || typeof backends !== 'object') return;
    for (const [group, spec] of Object.entries(backends as Record<string, unknown>)) {
      if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) continue;
      for (const key of Object.keys(spec)) {
        const section = Object.hasOwn(backendGroupOptions, key) ? `[${group}]` : Object.hasOwn(defaultGroupOptions, key) ? '[DEFAULT]' : null;
        const renamed = Object.hasOwn(legacyOptionNames, key) ? legacyOptionNames[key] : undefined;
        if (section === null && renamed === undefined) continue;
        const where = renamed === undefined ? `set it in cinder_conf, in ${section}` : `set it in cinder_conf, in [${group}], as ${renamed} (Cinder 2023.1 ignores ${key})`;
        out.push({
          path: ['topology', 'nodes', i, 'backends', group, key],
          atKey: key,
          message: `${key} is a cinder.conf option: ${where} (backends.${group} holds only the fake storage's physical facts: ${Object.keys(FakeBackendSpec.shape).join(', ')})`,
        });
      }
    }
  });
  return out;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const p of problems) {
    const key = `${p.line}:${p.col}:${p.path}:${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}

/**
 * cinder.conf errors (lines oslo.config refuses) are problems of the
 * scenario (an unknown driver class is a warning: see SHOWN_BY_THE_RUN); so is fake driver data for a backend group the
 * node's cinder.conf does not enable.  Inline conf lines map into the
 * scenario file.
 */
function confProblems(s: Scenario, confs: Map<string, CinderConf>, faultConfs: Map<number, CinderConf>, raw: unknown, loc: Locator, warnings: Problem[]): Problem[] {
  const problems: Problem[] = [];
  s.topology.nodes.forEach((n, i) => {
    const conf = confs.get(n.name);
    const src = n.cinder_conf;
    const confPath: PathKey[] = ['topology', 'nodes', i, 'cinder_conf'];
    if (conf) {
      pushFindings(conf, src, confPath, raw, loc, problems, warnings);
    }
    const enabled = conf?.backends.map((b) => b.name) ?? [];
    // A backend a conf_change enables later may have its physical facts here too.
    const later = s.faults.flatMap((f, j) => (f.fault === 'conf_change' && f.node === n.name ? (faultConfs.get(j)?.backends.map((b) => b.name) ?? []) : []));
    for (const group of Object.keys(n.backends)) {
      if (!enabled.includes(group) && !later.includes(group)) {
        problems.push(loc.problem(['topology', 'nodes', i, 'backends', group], `no backend '${group}' is enabled in ${n.name}'s cinder.conf${later.length ? ' or by its conf_change faults' : ''}; enabled_backends: ${[...new Set([...enabled, ...later])].join(', ') || '(none)'}`, group));
      }
    }
  });
  return problems;
}

/** A conf's error findings as problems (or warnings, for what the run shows): the conf file's line, or the scenario's line for inline text. */
function pushFindings(conf: CinderConf, src: string | { file: string } | undefined, confPath: PathKey[], raw: unknown, loc: Locator, problems: Problem[], warnings: Problem[]): void {
  for (const f of conf.findings) {
    if (f.severity !== 'error') continue;
    const out = SHOWN_BY_THE_RUN.has(f.rule) ? warnings : problems;
    if (typeof src === 'string') {
      const base = loc.locate(confPath).line;
      const inline = valueAt(raw, confPath);
      const blockScalar = typeof inline === 'string' && inline.includes('\n');
      out.push({ file: loc.file, line: base + (blockScalar ? (f.line ?? 0) : 0), col: 1, path: formatPath(confPath), message: `cinder.conf: ${f.message}` });
    } else {
      out.push({ file: src?.file ?? loc.file, line: f.line ?? 0, col: 1, path: formatPath([...confPath, 'file']), message: `cinder.conf: ${f.message}` });
    }
  }
}

/**
 * A conf_change fault's cinder.conf is linted as a node's is.  It may not
 * rename the node's services (host) or a kept backend's backend_host:
 * cinder-sim does not move services or volumes to a new host name.
 */
function faultConfProblems(s: Scenario, confs: Map<string, CinderConf>, faultConfs: Map<number, CinderConf>, raw: unknown, loc: Locator, warnings: Problem[]): Problem[] {
  const problems: Problem[] = [];
  s.faults.forEach((f, i) => {
    if (f.fault !== 'conf_change') return;
    const confPath: PathKey[] = ['faults', i, 'cinder_conf'];
    if (!s.topology.nodes.some((n) => n.name === f.node)) {
      problems.push(loc.problem(['faults', i, 'node'], `unknown node '${f.node}'; valid: ${s.topology.nodes.map((n) => n.name).join(', ')}`));
      return;
    }
    const conf = faultConfs.get(i);
    if (!conf) return;
    pushFindings(conf, f.cinder_conf, confPath, raw, loc, problems, warnings);
    const before = confs.get(f.node);
    const host = (c: CinderConf | undefined): string => c?.defaults.host || f.node;
    if (host(conf) !== host(before)) {
      problems.push(loc.problem(confPath, `host changes from '${host(before)}' to '${host(conf)}': a conf_change keeps the node's host (cinder-sim does not move services and volumes to a new host name)`));
      return;
    }
    for (const b of conf.backends) {
      const old = before?.backends.find((x) => x.name === b.name);
      if (old && old.host !== b.host) problems.push(loc.problem(confPath, `backend ${b.name}'s host changes from '${old.host}' to '${b.host}' (backend_host): a conf_change keeps a backend's host`));
    }
  });
  return problems;
}

/** The service hosts a topology has: host@backend per cinder-volume, host per scheduler and backup. */
function serviceHosts(s: Scenario, confs: Map<string, CinderConf>, faultConfs: ReadonlyMap<number, CinderConf> = new Map()): { volume: string[]; other: string[] } {
  const volume: string[] = [];
  const other: string[] = [];
  for (const n of s.topology.nodes) {
    const conf = confs.get(n.name);
    const host = conf?.defaults.host || n.name;
    // Services the node runs from the start, or gets mid-run (add_service).
    const added = s.faults.flatMap((f) => (f.fault === 'add_service' && f.node === n.name ? [f.binary] : []));
    const runs = (b: string): boolean => n.services.includes(b as (typeof n.services)[number]) || added.includes(b as (typeof added)[number]);
    // Backends a conf_change enables mid-run are hosts too.
    const changed = s.faults.flatMap((f, i) => (f.fault === 'conf_change' && f.node === n.name ? (faultConfs.get(i)?.backends.map((b) => b.host) ?? []) : []));
    if (runs('cinder-volume')) volume.push(...new Set([...(conf?.backends.map((b) => b.host) ?? []), ...changed]));
    if (runs('cinder-scheduler') || runs('cinder-backup')) other.push(host);
  }
  return { volume, other };
}

/** Faults and expectations that name a service or backend must name one the topology has. */
function hostProblems(s: Scenario, confs: Map<string, CinderConf>, loc: Locator, faultConfs: Map<number, CinderConf>): Problem[] {
  const out: Problem[] = [];
  const { volume, other } = serviceHosts(s, confs, faultConfs);
  const check = (path: PathKey[], host: string, binary: string) => {
    const known = binary === 'cinder-volume' ? volume : other;
    if (!known.includes(host)) out.push(loc.problem(path, `no ${binary} service with host '${host}'; valid: ${known.join(', ') || '(none)'}`));
  };
  s.faults.forEach((f, i) => {
    if (f.fault === 'service') check(['faults', i, 'host'], f.host, f.binary);
    if (f.fault === 'backend_capacity' || f.fault === 'backend_failure') check(['faults', i, 'backend'], f.backend, 'cinder-volume');
  });
  s.expect.forEach((e, i) => {
    if (e.service !== undefined) check(['expect', i, 'service'], e.service, e.binary ?? 'cinder-volume');
    if (e.placements !== undefined) check(['expect', i, 'placements'], e.placements.split('#')[0]!, 'cinder-volume');
  });
  return out;
}
