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

export function fileSource(a: IniAssignment): OptionSource {
  return { kind: 'file', file: a.file, line: a.line, section: a.section };
}

export function where(a: IniAssignment): string {
  return `[${a.section}] ${a.key}`;
}
