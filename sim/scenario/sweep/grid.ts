import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isScalar, parseDocument, parse as parseYaml } from 'yaml';
import { backendGroupOptions, defaultGroupOptions } from '../../cinder/config/index.js';
import type { LoadedScenario } from '../loader.js';
import { workloadOps, type Scenario } from '../schema.js';

/**
 * What a sweep varies: grid keys and their values, and how one grid point
 * changes the scenario file.  Two kinds of key:
 *
 *   NODE:SECTION.OPTION      a cinder.conf option in a node's section
 *                            ([DEFAULT], [backend_defaults] or an enabled
 *                            backend group); the option must be one the
 *                            config registry models
 *   workload.NAME.PARAM      a workload's parameter, by its key path in the
 *                            scenario file (arrival.per_hour, size_gb.value,
 *                            stop, mix.delete, ...)
 *
 * A grid point is applied to the scenario's text: the option's line is
 * replaced (or added) in the node's cinder.conf (a cinder.conf read from a
 * file becomes inline text), the workload's key is set; the result is
 * loaded and checked as any scenario file is.
 */

/** One key of a grid and the values it takes, as written on the command line. */
export interface GridAxis {
  key: string;
  values: string[];
}

/** One assignment of a grid point: a key and one of its values. */
export interface GridSetting {
  key: string;
  value: string;
}

/** A grid key, parsed and checked against the scenario. */
export type GridTarget =
  | { kind: 'conf'; node: string; nodeIndex: number; section: string; option: string }
  | { kind: 'workload'; workload: string; workloadIndex: number; path: string[] };

/** A grid key or value that cannot be used: the message says why and what is valid. */
export class GridError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GridError';
  }
}

/** `KEY=v1,v2` as an axis; refuses an empty or repeated value. */
export function parseAxis(spec: string): GridAxis {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new GridError(`'${spec}' is not KEY=v1,v2 (e.g. node1:thin.max_over_subscription_ratio=2.0,20.0 or workload.fill.arrival.every=6m,3m)`);
  const key = spec.slice(0, eq);
  const values = spec.slice(eq + 1).split(',');
  if (values.some((v) => v.trim() === '' || v !== v.trim())) throw new GridError(`${key}: empty value, or spaces around one, in '${spec.slice(eq + 1)}'; write values separated by commas, e.g. ${key}=1,2`);
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw new GridError(`${key}: the value '${v}' is given twice`);
    seen.add(v);
  }
  return { key, values };
}

/** `KEY=value` (one value, as `run --set` takes it). */
export function parseSetting(spec: string): GridSetting {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1) throw new GridError(`'${spec}' is not KEY=VALUE (e.g. node1:thin.max_over_subscription_ratio=2.0)`);
  return { key: spec.slice(0, eq), value: spec.slice(eq + 1) };
}

/** The sections a node's grid key may name, and the options each takes (from the config registry). */
function sectionsOf(loaded: LoadedScenario, node: string): Map<string, readonly string[]> {
  const backendOpts = Object.keys(backendGroupOptions);
  const out = new Map<string, readonly string[]>([
    ['DEFAULT', [...Object.keys(defaultGroupOptions), ...backendOpts]],
    ['backend_defaults', backendOpts],
  ]);
  for (const b of loaded.cinderConfs.get(node)?.backends ?? []) out.set(b.group?.section ?? b.name, backendOpts);
  return out;
}

/** The key paths of a workload a grid may set: its scalar keys as loaded (defaults included), plus stop, availability_zone and every mix operation. */
export function workloadParams(w: Scenario['workloads'][number]): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, path: string[]): void => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    } else if (!Array.isArray(v) && path.length > 0 && path.at(-1) !== 'dist' && path.at(-1) !== 'process') {
      out.add(path.join('.'));
    }
  };
  walk(w, []);
  out.delete('name');
  out.add('stop');
  out.add('availability_zone');
  for (const op of workloadOps) out.add(`mix.${op}`);
  return [...out].sort();
}

/** Every valid grid key of a scenario, for the refusal of an unknown one. */
export function validKeysHelp(loaded: LoadedScenario): string {
  const s = loaded.scenario;
  const lines = [];
  for (const n of s.topology.nodes) {
    const sections = [...sectionsOf(loaded, n.name).keys()];
    lines.push(`  ${n.name}:SECTION.OPTION with SECTION one of ${sections.join(', ')}`);
  }
  lines.push(`  OPTION (cinder.conf options cinder-sim models): backend groups and backend_defaults take ${Object.keys(backendGroupOptions).join(', ')}; DEFAULT also takes ${Object.keys(defaultGroupOptions).join(', ')}`);
  for (const w of s.workloads) lines.push(`  workload.${w.name}.PARAM with PARAM one of ${workloadParams(w).join(', ')}`);
  if (s.workloads.length === 0) lines.push('  (no workloads: the scenario has none to vary)');
  return lines.join('\n');
}

/** Parse a grid key against the scenario; an unknown node, section, option, workload or parameter is refused with the valid ones. */
export function gridTarget(key: string, loaded: LoadedScenario): GridTarget {
  const s = loaded.scenario;
  const refuse = (why: string): never => {
    throw new GridError(`unknown grid key '${key}': ${why}\nvalid keys:\n${validKeysHelp(loaded)}`);
  };
  if (key.startsWith('workload.')) {
    const rest = key.slice('workload.'.length);
    const dot = rest.indexOf('.');
    const name = dot < 0 ? rest : rest.slice(0, dot);
    const i = s.workloads.findIndex((w) => w.name === name);
    if (i < 0) return refuse(`no workload '${name}'; workloads: ${s.workloads.map((w) => w.name).join(', ') || '(none)'}`);
    const param = dot < 0 ? '' : rest.slice(dot + 1);
    const params = workloadParams(s.workloads[i]!);
    if (!params.includes(param)) return refuse(`workload ${name} has no parameter '${param}'; its parameters: ${params.join(', ')}`);
    return { kind: 'workload', workload: name, workloadIndex: i, path: param.split('.') };
  }
  const m = /^([^:]+):([^.]+)\.(.+)$/.exec(key);
  if (!m) return refuse('expected NODE:SECTION.OPTION or workload.NAME.PARAM');
  const [, node, section, option] = m as unknown as [string, string, string, string];
  const nodeIndex = s.topology.nodes.findIndex((n) => n.name === node);
  if (nodeIndex < 0) return refuse(`no node '${node}'; nodes: ${s.topology.nodes.map((n) => n.name).join(', ')}`);
  const sections = sectionsOf(loaded, node);
  const options = sections.get(section);
  if (!options) return refuse(`node ${node}'s cinder.conf has no section '${section}' a grid may set; sections: ${[...sections.keys()].join(', ')}`);
  if (!options.includes(option)) return refuse(`'${option}' is not an option cinder-sim models in [${section}]`);
  return { kind: 'conf', node, nodeIndex, section, option };
}

/**
 * A cinder.conf text with `option = value` in `section`: every assignment
 * of the option there is replaced (its continuation lines dropped), or one
 * is added under the section's header, or the section is added at the end.
 */
export function setIniOption(text: string, section: string, option: string, value: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let current: string | null = null;
  let headerAt = -1;
  let replaced = false;
  let skippingContinuation = false;
  for (const line of lines) {
    const header = /^\[(.*)\]\s*$/.exec(line);
    if (header) {
      current = header[1]!;
      skippingContinuation = false;
      out.push(line);
      if (current === section && headerAt < 0) headerAt = out.length - 1;
      continue;
    }
    if (skippingContinuation && /^[ \t]/.test(line) && line.trim() !== '') continue;
    skippingContinuation = false;
    const assign = /^([^\s=:#;][^=:]*?)\s*[=:]/.exec(line);
    if (current === section && assign && assign[1] === option) {
      out.push(`${option} = ${value}`);
      replaced = true;
      skippingContinuation = true;
      continue;
    }
    out.push(line);
  }
  if (replaced) return out.join('\n');
  if (headerAt >= 0) {
    out.splice(headerAt + 1, 0, `${option} = ${value}`);
    return out.join('\n');
  }
  const body = out.join('\n');
  return `${body}${body === '' || body.endsWith('\n') ? '' : '\n'}[${section}]\n${option} = ${value}\n`;
}

/** A value as the scenario file would read it (`10` a number, `5m` a string, `true` a boolean). */
function yamlValue(v: string): unknown {
  try {
    const x: unknown = parseYaml(v);
    return x === null || typeof x === 'object' ? v : x;
  } catch {
    return v;
  }
}

/**
 * The scenario text with the settings applied (the text itself when there
 * are none).  Settings are applied in the order given.
 */
export function applySettings(text: string, loaded: LoadedScenario, settings: readonly GridSetting[]): string {
  if (settings.length === 0) return text;
  const doc = parseDocument(text);
  for (const { key, value } of settings) {
    const t = gridTarget(key, loaded);
    if (t.kind === 'workload') {
      doc.setIn(['workloads', t.workloadIndex, ...t.path], yamlValue(value));
      continue;
    }
    const confPath = ['topology', 'nodes', t.nodeIndex, 'cinder_conf'];
    const src = doc.getIn(confPath, true);
    let conf = '';
    if (isScalar(src) && typeof src.value === 'string') conf = src.value;
    else if (src !== undefined) {
      const file = loaded.scenario.topology.nodes[t.nodeIndex]!.cinder_conf;
      if (file !== undefined && typeof file !== 'string') conf = readFileSync(resolve(loaded.dir, file.file), 'utf8');
    }
    doc.setIn(confPath, setIniOption(conf, t.section, t.option, value));
  }
  return doc.toString({ lineWidth: 0 });
}
