import { convertValue } from './convert.js';
import { finding, type Finding } from './findings.js';
import { lastAssignments, where, type Group } from './groups.js';
import type { IniAssignment } from './ini.js';
import { cinderOptionNames, osloDefaultOptionNames } from './known.js';
import { backendGroupOptions, backendOptionSpec, defaultGroupOptions, defaultOptionSpec, legacyOptionNames, type AnyOptionValue, type OptSpec } from './options.js';
import { closest } from './suggest.js';

/** Converts one assignment; a rejected value is reported and the default kept, so the rest of the view still derives. */
export function convertAssignment(spec: OptSpec, a: IniAssignment, findings: Finding[]): { ok: true; value: AnyOptionValue } | { ok: false } {
  if (a.unresolved) return { ok: false };
  const c = convertValue(spec, a.value);
  if (!c.ok) {
    const choices = c.choices && !c.message.startsWith('Valid values') ? `; valid values: ${c.choices.join(', ')}` : '';
    findings.push(
      finding('invalid-value', {
        file: a.file,
        line: a.line,
        section: a.section,
        key: a.key,
        value: a.value,
        ...(c.choices ? { choices: c.choices } : {}),
        message: `${where(a)} = '${a.value}' is not valid: ${c.message}${choices}`,
      }),
    );
    return { ok: false };
  }
  if ('emptyNumber' in c) {
    findings.push(
      finding('empty-number', {
        file: a.file,
        line: a.line,
        section: a.section,
        key: a.key,
        value: a.value,
        message: `${where(a)} is empty: oslo.config reads it as None, not as its default ${String(spec.default)}; the simulator uses the default`,
      }),
    );
    return { ok: false };
  }
  return { ok: true, value: c.value };
}

/** Scheduler filter and weigher names: an unknown one stops cinder-scheduler at start. */
export function lintListItems(a: IniAssignment, items: readonly string[], choices: readonly string[]): Finding[] {
  const what = a.key === 'scheduler_default_filters' ? 'Scheduler Host Filter' : 'Scheduler Host Weigher';
  return items
    .filter((item) => !choices.includes(item))
    .map((item) => {
      const suggestion = closest(item, choices);
      return finding('unknown-scheduler-class', {
        file: a.file,
        line: a.line,
        section: a.section,
        key: a.key,
        value: item,
        choices,
        ...(suggestion === null ? {} : { suggestion }),
        message: `${where(a)}: ${what} ${item} could not be found (cinder-scheduler fails to start); valid names: ${choices.join(', ')}${suggestion === null ? '' : `; did you mean ${suggestion}?`}`,
      });
    });
}

/**
 * An option neither registry models: a legacy name, a name Cinder or oslo
 * registers (accepted silently), or an unknown one (with a suggestion).
 */
export function lintUnlistedOption(a: IniAssignment, scope: 'default' | 'backend', inTreeDriver: boolean, findings: Finding[]): void {
  const legacy = legacyOptionNames[a.key];
  if (legacy !== undefined) {
    findings.push(
      finding('legacy-option', {
        file: a.file,
        line: a.line,
        section: a.section,
        key: a.key,
        value: a.value,
        suggestion: legacy,
        message: `${where(a)} is a pre-Queens name that Cinder 2023.1 no longer registers; it is silently ignored and ${legacy} keeps its value. Rename it to ${legacy}`,
      }),
    );
    return;
  }
  if (cinderOptionNames.has(a.key) || (scope === 'default' && osloDefaultOptionNames.has(a.key))) return;
  const candidates = scope === 'default' ? [...Object.keys(defaultGroupOptions), ...Object.keys(backendGroupOptions), ...cinderOptionNames, ...osloDefaultOptionNames] : [...Object.keys(backendGroupOptions), ...cinderOptionNames];
  const suggestion = closest(a.key, candidates);
  const caseOnly = suggestion !== null && suggestion.toLowerCase() === a.key.toLowerCase();
  const hint = suggestion === null ? '' : `; did you mean ${suggestion}?${caseOnly ? ' (option names are case-sensitive)' : ''}`;
  const outOfTree = scope === 'backend' && !inTreeDriver;
  findings.push(
    finding('unknown-option', {
      ...(outOfTree ? { severity: 'info' as const } : {}),
      file: a.file,
      line: a.line,
      section: a.section,
      key: a.key,
      value: a.value,
      ...(suggestion === null ? {} : { suggestion }),
      message: outOfTree
        ? `${where(a)} is not a Cinder 2023.1 option; the out-of-tree driver may register it${hint}`
        : `${where(a)} is not a Cinder 2023.1 option; oslo.config ignores it${hint}`,
    }),
  );
}

export function lintSharedGroup(shared: Group | undefined, findings: Finding[]): void {
  for (const a of lastAssignments(shared).values()) {
    const spec = backendOptionSpec(a.key);
    if (spec !== undefined) {
      convertAssignment(spec, a, findings);
      if (spec.sharedDefault === false) {
        findings.push(finding('wrong-section', { file: a.file, line: a.line, section: a.section, key: a.key, value: a.value, message: `${where(a)} is ignored: cinder-volume reads ${a.key} only from each backend's own group` }));
      }
      continue;
    }
    if (!lintDefaultOnlyOutside(a, findings)) lintUnlistedOption(a, 'backend', true, findings);
  }
}

/** A [DEFAULT]-only option in another group: Cinder never reads it there. */
export function lintDefaultOnlyOutside(a: IniAssignment, findings: Finding[]): boolean {
  const spec = defaultOptionSpec(a.key);
  if (spec === undefined) return false;
  const advice = spec.inBackend === undefined ? 'set it in [DEFAULT]' : spec.inBackend;
  findings.push(finding('wrong-section', { file: a.file, line: a.line, section: a.section, key: a.key, value: a.value, message: `${where(a)} is ignored: Cinder reads ${a.key} only from [DEFAULT]; ${advice}` }));
  return true;
}
