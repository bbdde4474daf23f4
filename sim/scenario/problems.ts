import { excerpt } from './excerpt.js';

/**
 * A problem in a user's file: where (file, line, column, key path), what
 * (the message, with the bad value and the valid choices).  Loading
 * collects every problem before reporting, so one run shows them all.
 */
export interface Problem {
  file: string;
  line: number;
  col: number;
  /** Key path in the document, e.g. `topology.nodes[2].clock.ntp`. */
  path: string;
  message: string;
}

export type PathKey = string | number;

export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += out ? `.${k}` : k;
  }
  return out || '(top level)';
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.path}: ${p.message}`;
}

/** A problem that does not stop the file from running. */
export function formatWarning(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.path}: warning: ${p.message}`;
}

/** Problems in one or more files; the CLI prints them all and exits 2. */
export class ScenarioProblems extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioProblems';
  }
}

/** Show a user's value briefly and unambiguously. */
export function showValue(v: unknown): string {
  if (v === undefined) return '(missing)';
  if (typeof v === 'string') return `'${excerpt(v, undefined, 57)}'`;
  if (Array.isArray(v)) return '(a list)';
  if (v !== null && typeof v === 'object') return '(a mapping)';
  return String(v);
}
