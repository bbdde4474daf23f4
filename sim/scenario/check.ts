import { parseCommandLine, referencesIn } from './cinderclient/parse.js';
import { durationMs, formatDuration } from './duration.js';
import type { PathKey } from './problems.js';
import type { Scenario, StepT } from './schema.js';

export interface CheckIssue {
  path: PathKey[];
  message: string;
  /** Runs, but is likely a mistake (a command line the client's parser refuses: that step's outcome is the refusal). */
  warning?: boolean;
}

/** The built-in project every scenario has: the cloud admin. */
export const ADMIN_PROJECT = 'admin';

/** A step in its normal form: where it sits in the file and what it runs. */
export interface NormalStep {
  section: 'setup' | 'steps';
  index: number;
  atMs: number | undefined;
  cmd: string;
  as: string;
  id: string | undefined;
  /** The step's api_version, else the scenario's; undefined: the client's default. */
  apiVersion: string | undefined;
  /** The node whose cinder-api takes the step's requests (undefined: the first). */
  via: string | undefined;
}

function normalStep(section: 'setup' | 'steps', index: number, s: StepT, apiVersion?: string): NormalStep {
  if (typeof s === 'string') return { section, index, atMs: undefined, cmd: s, as: ADMIN_PROJECT, id: undefined, apiVersion, via: undefined };
  return { section, index, atMs: s.at === undefined ? undefined : durationMs(s.at), cmd: s.cmd, as: s.as ?? ADMIN_PROJECT, id: s.id, apiVersion: s.api_version ?? apiVersion, via: s.via };
}

export function allSteps(s: Scenario): NormalStep[] {
  return [...s.setup.map((x, i) => normalStep('setup', i, x, s.api_version)), ...s.steps.map((x, i) => normalStep('steps', i, x, s.api_version))];
}

/**
 * Checks across the document that a schema cannot express: names that must
 * refer to something declared, unique ids, times inside the run, and every
 * command line parsed as cinderclient would.
 */
export function checkScenario(s: Scenario, _confs: Map<string, { file: string; text: string }>): CheckIssue[] {
  const out: CheckIssue[] = [];
  const durMs = durationMs(s.duration);
  const nodes = new Set<string>();
  s.topology.nodes.forEach((n, i) => {
    if (nodes.has(n.name)) out.push({ path: ['topology', 'nodes', i, 'name'], message: `duplicate node name '${n.name}'` });
    nodes.add(n.name);
  });
  const nodeList = [...nodes].join(', ');
  const projects = new Set([ADMIN_PROJECT, ...Object.keys(s.topology.projects)]);
  const projectList = [...projects].join(', ');
  const checkNode = (path: PathKey[], n: string) => {
    if (!nodes.has(n)) out.push({ path, message: `unknown node '${n}'; valid: ${nodeList}` });
  };
  const checkHost = (path: PathKey[], host: string) => {
    const node = host.split('@')[0]!;
    if (!nodes.has(node)) out.push({ path, message: `'${host}' names no node of the topology; valid nodes: ${nodeList}` });
  };
  const checkTime = (path: PathKey[], ms: number) => {
    if (ms > durMs) out.push({ path, message: `time ${formatDuration(ms)} is after the end of the run (duration ${formatDuration(durMs)})` });
  };

  const apiNodes = s.topology.nodes.filter((n) => n.services.includes('cinder-api')).map((n) => n.name);
  const ids = new Map<string, number>();
  const steps = allSteps(s);
  steps.forEach((st, order) => {
    const base: PathKey[] = [st.section, st.index];
    const field = (k: string): PathKey[] => (typeof (st.section === 'setup' ? s.setup : s.steps)[st.index] === 'string' ? base : [...base, k]);
    if (st.section === 'setup' && st.atMs !== undefined) out.push({ path: field('at'), message: "setup steps run in order before the timed steps and take no 'at'; move it to steps" });
    if (st.section === 'steps' && st.atMs === undefined) out.push({ path: base, message: "a timed step needs 'at' (e.g. at: 70s)" });
    if (st.atMs !== undefined) checkTime(field('at'), st.atMs);
    if (st.via !== undefined && !apiNodes.includes(st.via)) out.push({ path: field('via'), message: `'${st.via}' runs no cinder-api; nodes with cinder-api: ${apiNodes.join(', ') || '(none)'}` });
    if (!projects.has(st.as)) out.push({ path: field('as'), message: `unknown project '${st.as}'; valid: ${projectList}` });
    if (st.id !== undefined) {
      if (ids.has(st.id)) out.push({ path: field('id'), message: `duplicate step id '${st.id}'` });
      ids.set(st.id, order);
    }
    for (const ref of referencesIn(st.cmd)) {
      const at = ids.get(ref.step);
      if (at === undefined || at >= order) out.push({ path: field('cmd'), message: `\${${ref.step}.${ref.field}} refers to no earlier step with id '${ref.step}'` });
    }
    const parsed = parseCommandLine(st.cmd.replace(/\$\{[^}]*\}/g, 'REF'), st.apiVersion);
    if (!parsed.ok) out.push({ path: field('cmd'), message: parsed.argparse ? `${parsed.error} (the step runs; its outcome is this usage error, exit status 2)` : parsed.error, warning: parsed.argparse !== undefined });
  });
  // Timed steps must be in time order so the file reads as it runs.
  let last = -1;
  steps.filter((x) => x.section === 'steps').forEach((st) => {
    if (st.atMs !== undefined && st.atMs < last) out.push({ path: ['steps', st.index, 'at'], message: `steps must be in time order; this one (${formatDuration(st.atMs)}) comes before the previous one (${formatDuration(last)})` });
    last = Math.max(last, st.atMs ?? last);
  });

  const wnames = new Set<string>();
  s.workloads.forEach((w, i) => {
    if (wnames.has(w.name)) out.push({ path: ['workloads', i, 'name'], message: `duplicate workload name '${w.name}'` });
    wnames.add(w.name);
    w.projects.forEach((p, j) => {
      if (!projects.has(p)) out.push({ path: ['workloads', i, 'projects', j], message: `unknown project '${p}'; valid: ${projectList}` });
    });
    if (w.size_gb.dist === 'uniform' && w.size_gb.min > w.size_gb.max) out.push({ path: ['workloads', i, 'size_gb'], message: `min ${w.size_gb.min} is above max ${w.size_gb.max}` });
    if (Object.values(w.mix).every((x) => !x)) out.push({ path: ['workloads', i, 'mix'], message: 'the mix needs at least one operation with a positive weight' });
  });

  s.faults.forEach((f, i) => {
    const p: PathKey[] = ['faults', i];
    checkTime([...p, 'at'], durationMs(f.at));
    switch (f.fault) {
      case 'add_service': {
        checkNode([...p, 'node'], f.node);
        const n = s.topology.nodes.find((x) => x.name === f.node);
        if (n?.services.includes(f.binary)) out.push({ path: [...p, 'binary'], message: `${f.node} already runs ${f.binary} from the start; add_service deploys one its services do not list` });
        break;
      }
      case 'clock_offset':
      case 'clock_step':
      case 'clock_drift':
      case 'ntp':
        checkNode([...p, 'node'], f.node);
        break;
      case 'service':
        checkHost([...p, 'host'], f.host);
        break;
      case 'partition':
        f.a.forEach((n, j) => checkNode([...p, 'a', j], n));
        f.b.forEach((n, j) => checkNode([...p, 'b', j], n));
        break;
      case 'latency':
        checkNode([...p, 'from'], f.from);
        checkNode([...p, 'to'], f.to);
        break;
      case 'backend_capacity':
      case 'backend_failure':
        checkHost([...p, 'backend'], f.backend);
        if (!f.backend.includes('@')) out.push({ path: [...p, 'backend'], message: `'${f.backend}' is not a backend; expected host@backend, e.g. node1@lvm` });
        break;
    }
  });

  s.expect.forEach((e, i) => {
    const p: PathKey[] = ['expect', i];
    for (const k of ['volume', 'message_contains', 'output_contains', 'output_not_contains', 'status', 'host_matches', 'availability_zone'] as const) {
      const text = e[k];
      if (text === undefined) continue;
      for (const ref of referencesIn(text)) {
        if (!ids.has(ref.step)) out.push({ path: [...p, k], message: `\${${ref.step}.${ref.field}} refers to no step with id '${ref.step}'; ids: ${[...ids.keys()].join(', ') || '(none)'}` });
      }
    }
    if (e.step !== undefined && !ids.has(e.step)) out.push({ path: [...p, 'step'], message: `no step has id '${e.step}'; ids: ${[...ids.keys()].join(', ') || '(none; give a step an id)'}` });
    if (e.service !== undefined) checkHost([...p, 'service'], e.service);
    if (e.placements !== undefined) checkHost([...p, 'placements'], e.placements);
    if (e.log?.node !== undefined) checkNode([...p, 'log', 'node'], e.log.node);
    for (const k of ['at', 'from', 'until'] as const) {
      const v = e[k];
      if (v !== undefined) checkTime([...p, k], durationMs(v));
    }
    if (e.host_matches !== undefined && referencesIn(e.host_matches).length === 0) {
      try {
        new RegExp(e.host_matches);
      } catch (err) {
        out.push({ path: [...p, 'host_matches'], message: `not a regular expression: ${(err as Error).message}` });
      }
    }
  });
  return out;
}

/** Parse errors of every command line in a document that failed the schema (best effort). */
export function rawCommandIssues(raw: unknown): CheckIssue[] {
  const out: CheckIssue[] = [];
  if (raw === null || typeof raw !== 'object') return out;
  for (const section of ['setup', 'steps'] as const) {
    const list = (raw as Record<string, unknown>)[section];
    if (!Array.isArray(list)) continue;
    list.forEach((item: unknown, i) => {
      const isObj = item !== null && typeof item === 'object';
      const cmd = typeof item === 'string' ? item : isObj ? (item as Record<string, unknown>)['cmd'] : undefined;
      if (typeof cmd !== 'string') return;
      const parsed = parseCommandLine(cmd.replace(/\$\{[^}]*\}/g, 'REF'));
      if (!parsed.ok) out.push({ path: isObj ? [section, i, 'cmd'] : [section, i], message: parsed.error, warning: parsed.argparse !== undefined });
    });
  }
  return out;
}
