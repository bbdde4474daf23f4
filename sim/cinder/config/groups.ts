import type { IniAssignment, IniSectionHeader } from './ini.js';
import { normalizeGroupName } from './ini.js';
import type { OptionSource } from './types.js';

export const DEFAULT = 'DEFAULT';
export const SHARED = 'backend_defaults';

/** All sections of all files with one oslo group name, in file order. */
export interface Group {
  key: string;
  headers: IniSectionHeader[];
  assignments: IniAssignment[];
}

export function groupOf(groups: Map<string, Group>, section: string): Group {
  const key = normalizeGroupName(section);
  let g = groups.get(key);
  if (g === undefined) {
    g = { key, headers: [], assignments: [] };
    groups.set(key, g);
  }
  return g;
}

/** The assignment oslo reads: the last one, in the last file that sets the key. */
export function lastAssignments(group: Group | undefined): Map<string, IniAssignment> {
  const out = new Map<string, IniAssignment>();
  for (const a of group?.assignments ?? []) out.set(a.key, a);
  return out;
}

/**
 * Where a value read from a file came from.  With `group`, also the
 * assignments of the same option (any of `names`, default: its own key) in
 * earlier files of the group that this one overrides: oslo.config parses each
 * --config-file (and each --config-dir's *.conf, sorted by name) in turn and
 * reads an option from the last file that sets it.
 */
export function fileSource(a: IniAssignment, group?: Group, names: readonly string[] = [a.key]): OptionSource {
  const all = group?.assignments ?? [];
  const overrides = all.slice(0, Math.max(0, all.indexOf(a))).filter((x) => x.file !== a.file && names.includes(x.key));
  const at = { kind: 'file' as const, file: a.file, line: a.line, section: a.section };
  return overrides.length === 0 ? at : { ...at, overrides: overrides.map((x) => ({ file: x.file, line: x.line })) };
}

export function where(a: IniAssignment): string {
  return `[${a.section}] ${a.key}`;
}
