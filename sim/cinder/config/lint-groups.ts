import { finding, type Finding } from './findings.js';
import { DEFAULT, lastAssignments, SHARED, where, type Group } from './groups.js';
import { normalizeGroupName, type IniAssignment } from './ini.js';
import { knownNonBackendSections } from './known.js';
import { backendOptionSpec } from './options.js';
import { lintDriver } from './lint-driver.js';
import { closest } from './suggest.js';
import type { BackendConfig, OptionSource } from './types.js';

export function missingGroupFinding(name: string, src: OptionSource): Finding {
  const at = src.kind === 'file' ? { file: src.file, line: src.line } : { file: null, line: null };
  return finding('missing-backend-group', {
    ...at,
    section: DEFAULT,
    key: 'enabled_backends',
    value: name,
    message: `enabled_backends names ${name} but no file has a [${name}] section: its service starts with every option at its [backend_defaults] or built-in default (the LVM driver on volume group cinder-volumes)`,
  });
}

/** The same key twice in one section of one file: oslo keeps the last. */
export function duplicateOptions(assignments: readonly IniAssignment[]): Finding[] {
  const seen = new Map<string, IniAssignment>();
  const out: Finding[] = [];
  for (const a of assignments) {
    const id = `${normalizeGroupName(a.section)}\u0000${a.key}`;
    const before = seen.get(id);
    if (before !== undefined) {
      out.push(finding('duplicate-option', { file: a.file, line: a.line, section: a.section, key: a.key, value: a.value, message: `${where(a)} is also set at line ${before.line}; the last value ('${a.value}') wins` }));
    }
    seen.set(id, a);
  }
  return out;
}

/** A group that sets any backend option is meant as a backend, whatever its name. */
function looksLikeBackend(g: Group): boolean {
  return g.assignments.some((a) => backendOptionSpec(a.key) !== undefined);
}

export function lintGroups(groups: ReadonlyMap<string, Group>, enabled: readonly string[], findings: Finding[]): void {
  const enabledKeys = new Set(enabled.map(normalizeGroupName));
  const missing = enabled.filter((n) => !groups.has(normalizeGroupName(n)));
  for (const g of groups.values()) {
    if (g.key === DEFAULT || enabledKeys.has(g.key) || knownNonBackendSections.has(g.key)) continue;
    const header = g.headers[0];
    if (header === undefined) continue;
    const at = { file: header.file, line: header.line, section: header.name };
    if (header.name.toUpperCase() === DEFAULT) {
      findings.push(finding('misspelt-section', { ...at, suggestion: DEFAULT, message: `[${header.name}] is not [DEFAULT]: oslo.config matches DEFAULT case-sensitively, so its options are not read; did you mean [DEFAULT]?` }));
      continue;
    }
    // A group of backend options can only be a misspelt [backend_defaults].
    const known = g.key.length < 4 ? null : closest(g.key, looksLikeBackend(g) ? [SHARED] : knownNonBackendSections);
    if (known !== null) {
      findings.push(finding('misspelt-section', { ...at, suggestion: known, message: `[${header.name}] is not a section Cinder reads, and enabled_backends does not name it; did you mean [${known}]?` }));
      continue;
    }
    const backend = closest(g.key, missing);
    findings.push(
      finding('unused-backend-group', {
        ...at,
        ...(backend === null ? {} : { suggestion: backend }),
        message:
          backend === null
            ? `[${header.name}] is never enabled: enabled_backends does not name it, so no service uses it`
            : `[${header.name}] is never enabled, and enabled_backends names ${backend}, which has no section; did you mean ${backend}?`,
      }),
    );
    const driver = lastAssignments(g).get('volume_driver');
    // Reported now so that enabling the group later holds no second surprise.
    if (driver !== undefined) findings.push(...lintDriver(driver, header.name).map((f) => (f.severity === 'error' ? { ...f, severity: 'warning' as const, message: `if enabled: ${f.message}` } : f)));
  }
}

export function lintBackendNames(backends: readonly BackendConfig[], findings: Finding[]): void {
  const byName = new Map<string, BackendConfig[]>();
  for (const b of backends) {
    if (b.reported_volume_backend_name === null) continue;
    byName.set(b.reported_volume_backend_name, [...(byName.get(b.reported_volume_backend_name) ?? []), b]);
  }
  for (const [name, list] of byName) {
    if (list.length < 2) continue;
    const second = list[1]!;
    const src = second.sources.volume_backend_name;
    const at = src.kind === 'file' ? { file: src.file, line: src.line } : second.group === null ? { file: null, line: null } : { file: second.group.file, line: second.group.line };
    findings.push(
      finding('duplicate-backend-name', {
        ...at,
        value: name,
        message: `backends ${list.map((b) => b.name).join(', ')} all report volume_backend_name ${name}: legal; a type naming it lets the scheduler choose among them by weight`,
      }),
    );
  }
}
