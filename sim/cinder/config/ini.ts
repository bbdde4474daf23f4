/**
 * The INI dialect of oslo.config (oslo_config/iniparser.py BaseParser plus
 * cfg.py ConfigParser), re-implemented as a pure function over one file's
 * text.  The rules it reproduces, each of which real cinder.conf files trip on:
 *
 * - Lines are right-stripped; an empty (or all-blank) line ends a multi-line value.
 * - A line starting with a space or tab continues the previous value (joined
 *   with "\n"), even when it looks like a comment or an assignment.  With no
 *   value to continue it is "Unexpected continuation line".
 * - `#` and `;` start a comment only at the start of a line; `key = v # x`
 *   keeps "v # x" as the value.
 * - A section header is `[name]` with nothing after the `]`; the name is not
 *   trimmed.  Group names are matched lower-cased, except `DEFAULT`.
 * - `key = value` and `key: value` both assign; whichever of `=` and `:`
 *   comes first splits.  Key and value are trimmed; one pair of matching
 *   quotes around the value is removed.  Option names are case-sensitive.
 * - A key repeated in a section keeps every value; a plain option reads the
 *   last one.
 *
 * oslo.config stops at the first error in a file; this parser reports each
 * broken line and goes on, so a user sees every problem at once.
 */

export interface IniFile {
  /** The path as the user typed it (never made absolute: outputs carry no absolute paths). */
  path: string;
  text: string;
}

export interface IniAssignment {
  file: string;
  /** Line of the key (1-based); continuation lines follow it. */
  line: number;
  /** The section name exactly as written. */
  section: string;
  key: string;
  value: string;
  /** The value as written, when oslo's `$` template substitution changed it. */
  raw?: string;
  /** Set when a `$reference` names no option: oslo fails to read the value at all. */
  unresolved?: true;
}

export interface IniSectionHeader {
  file: string;
  line: number;
  name: string;
}

export interface IniParseError {
  file: string;
  line: number;
  /** oslo.config's own wording (iniparser.py / cfg.py). */
  message: string;
  text: string;
}

export interface ParsedIni {
  file: string;
  sections: IniSectionHeader[];
  assignments: IniAssignment[];
  errors: IniParseError[];
}

interface Pending {
  line: number;
  key: string;
  parts: string[];
}

/** oslo's `_split_key_value`: the earlier of '=' and ':' splits; matching quotes are dropped. */
export function splitKeyValue(line: string): { key: string; value: string } | null {
  const colon = line.indexOf(':');
  const equal = line.indexOf('=');
  if (colon < 0 && equal < 0) return null;
  const at = colon < 0 || (equal >= 0 && equal < colon) ? equal : colon;
  const key = line.slice(0, at).trim();
  let value = line.slice(at + 1).trim();
  if (value.length > 0 && value[0] === value[value.length - 1] && (value.startsWith('"') || value.startsWith("'"))) {
    value = value.slice(1, -1);
  }
  return { key, value };
}

export function parseIni(file: IniFile): ParsedIni {
  const out: ParsedIni = { file: file.path, sections: [], assignments: [], errors: [] };
  let section: string | null = null;
  let pending: Pending | null = null;
  const error = (line: number, message: string, text: string): void => {
    out.errors.push({ file: file.path, line, message, text });
  };
  const flush = (): void => {
    if (pending === null) return;
    if (section === null) {
      error(pending.line, 'Section must be started before assignment', pending.key);
    } else {
      out.assignments.push({ file: file.path, line: pending.line, section, key: pending.key, value: pending.parts.join('\n') });
    }
    pending = null;
  };
  const lines = file.text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.replace(/\s+$/, '');
    if (line === '') {
      flush();
      return;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (pending === null) error(lineNo, 'Unexpected continuation line', line);
      else pending.parts.push(line.replace(/^\s+/, ''));
      return;
    }
    flush();
    if (line.startsWith('[')) {
      if (!line.endsWith(']')) error(lineNo, 'Invalid section (must end with ])', line);
      else if (line.length <= 2) error(lineNo, 'Empty section name', line);
      else {
        section = line.slice(1, -1);
        out.sections.push({ file: file.path, line: lineNo, name: section });
      }
      return;
    }
    if (line.startsWith('#') || line.startsWith(';')) return;
    const kv = splitKeyValue(line);
    if (kv === null) {
      error(lineNo, "No ':' or '=' found in assignment", line);
      return;
    }
    if (kv.key === '') {
      error(lineNo, 'Key cannot be empty', line);
      return;
    }
    pending = { line: lineNo, key: kv.key, parts: [kv.value] };
  });
  flush();
  return out;
}

/** oslo's `_normalize_group_name`: group names match case-insensitively, except DEFAULT. */
export function normalizeGroupName(name: string): string {
  return name === 'DEFAULT' ? name : name.toLowerCase();
}
