import { readdirSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import type { IniFile } from '../cinder/config/index.js';
import { readText, UserError, type CliIo } from './io.js';

/**
 * cinder.conf in layers, as oslo.config reads them for one service:
 * `--config-file` after `--config-file`, each `--config-dir` as its `*.conf`
 * files sorted by name (cfg.py: `sorted(glob.glob(dir/*.conf))`, so no
 * hidden file), every one parsed in turn; an option's value comes from the
 * last file that sets it (sim/cinder/config merges the layers).  Here a
 * directory among the paths stands for `--config-dir`.
 */

/** One node of `capacity --conf`: its name (the hostname stand-in) and its layers in --config-file order. */
export interface NodeLayers {
  node: string;
  /** The paths as given (a directory is expanded when read). */
  layers: string[];
}

/** `NODE=` in front of a --conf / --conf-layer value: a name as a hostname is written. */
const NODE_PREFIX = /^([A-Za-z0-9][A-Za-z0-9._-]*)=(.*)$/;

const CONF_SYNTAX = 'FILE (one node, named after the file) or NODE=FILE[,FILE|DIR...] (one node in layers, later files win; a DIR is --config-dir: its *.conf by name)';

function pathsOf(list: string, flag: string, value: string): string[] {
  const paths = list.split(',').map((p) => p.trim());
  if (paths.some((p) => p === '')) throw new UserError(`${flag} '${value}': an empty path in the list; expected ${CONF_SYNTAX}`);
  return paths;
}

/**
 * The nodes of `--conf` (one per value) with the layers `--conf-layer NODE=PATH[,PATH...]`
 * appends to them, in the order given.  A plain FILE keeps the old meaning:
 * one node, named after the file without its extension.
 */
export function parseConfFlags(conf: readonly string[], layers: readonly string[]): NodeLayers[] {
  const nodes: NodeLayers[] = [];
  for (const value of conf) {
    const m = NODE_PREFIX.exec(value);
    const node = m === null ? basename(value, extname(value)) || 'localhost' : m[1]!;
    const paths = m === null ? [value] : pathsOf(m[2]!, '--conf', value);
    const twice = nodes.find((n) => n.node === node);
    if (twice !== undefined) throw new UserError(`--conf '${value}': node ${node} is already given (${twice.layers.join(',')}); give each node once, its files as NODE=FILE,FILE... (or add layers with --conf-layer ${node}=FILE)`);
    nodes.push({ node, layers: paths });
  }
  for (const value of layers) {
    const m = NODE_PREFIX.exec(value);
    if (m === null) throw new UserError(`--conf-layer '${value}': expected NODE=FILE[,FILE|DIR...], NODE one of the --conf nodes (${nodes.map((n) => n.node).join(', ') || 'none'})`);
    const target = nodes.find((n) => n.node === m[1]);
    if (target === undefined) throw new UserError(`--conf-layer '${value}': no node ${m[1]!} among the --conf nodes; nodes: ${nodes.map((n) => n.node).join(', ') || '(none)'}`);
    target.layers.push(...pathsOf(m[2]!, '--conf-layer', value));
  }
  return nodes;
}

/** The files a path stands for: itself, or a directory's `*.conf` (not hidden), sorted by name as oslo's --config-dir reads them. */
export function expandLayer(path: string, io: Pick<CliIo, 'cwd'>): string[] {
  let dir = false;
  try {
    dir = statSync(resolve(io.cwd, path)).isDirectory();
  } catch {
    // Not there: readText says so.
  }
  if (!dir) return [path];
  const names = readdirSync(resolve(io.cwd, path), { withFileTypes: true })
    .filter((e) => e.name.endsWith('.conf') && !e.name.startsWith('.') && !e.isDirectory())
    .map((e) => e.name)
    .sort();
  const base = path.replace(/\/+$/, '');
  return names.map((n) => `${base}/${n}`);
}

/** Every layer's text, directories expanded; every unreadable path at once, as one UserError. */
export function readLayers(paths: readonly string[], io: Pick<CliIo, 'cwd'>): IniFile[] {
  const problems: string[] = [];
  const files: IniFile[] = [];
  for (const path of paths.flatMap((p) => expandLayer(p, io))) {
    try {
      files.push({ path, text: readText(path, io) });
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      problems.push(e.message);
    }
  }
  if (problems.length > 0) throw new UserError(problems.join('\n'));
  return files;
}
