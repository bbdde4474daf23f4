import { splitList } from './convert.js';
import { finding, type Finding } from './findings.js';
import { DEFAULT, lastAssignments, SHARED, where, type Group } from './groups.js';
import { normalizeGroupName, type IniAssignment } from './ini.js';
import { cinderOptionNames, knownNonBackendSections, osloDefaultOptionNames } from './known.js';
import { backendOptionSpec, defaultOptionSpec } from './options.js';
import { substitute, type Lookup } from './substitute.js';

const MAX_TEMPLATE_DEPTH = 8;

/**
 * Resolves `$name` as oslo.config does from a group: the group's own value,
 * then [DEFAULT]'s (`group.opt` names another group), then the option's
 * default.  my_ip depends on the machine: opaque unless the caller says
 * which address stands for it.
 */
export function makeLookup(groups: ReadonlyMap<string, Group>, hostname: string, myIp?: string): (groupKey: string) => Lookup {
  const last = (groupKey: string, key: string): IniAssignment | undefined => lastAssignments(groups.get(groupKey)).get(key);
  const resolve = (groupKey: string, name: string, depth: number): ReturnType<Lookup> => {
    if (depth > MAX_TEMPLATE_DEPTH) return { kind: 'opaque' };
    const dot = name.indexOf('.');
    const group = dot < 0 ? groupKey : normalizeGroupName(name.slice(0, dot));
    const opt = dot < 0 ? name : name.slice(dot + 1);
    const spec = defaultOptionSpec(opt) ?? backendOptionSpec(opt);
    const known = spec !== undefined || cinderOptionNames.has(opt) || osloDefaultOptionNames.has(opt);
    const library = group !== DEFAULT && group !== SHARED && knownNonBackendSections.has(group);
    // oslo looks names up among registered options: a file line alone does not make one.
    if (!known && !library && dot < 0) return { kind: 'missing' };
    const a = last(group, opt) ?? (dot < 0 && group !== DEFAULT ? last(DEFAULT, opt) : undefined);
    if (a !== undefined) return { kind: 'value', value: substitute(a.value, (n) => resolve(normalizeGroupName(a.section), n, depth + 1)).value };
    if (opt === 'host') return { kind: 'value', value: hostname };
    if (opt === 'my_ip' && myIp !== undefined) return { kind: 'value', value: myIp };
    if (spec !== undefined && (typeof spec.default === 'string' || typeof spec.default === 'number' || typeof spec.default === 'boolean')) {
      const d = String(spec.default);
      return { kind: 'value', value: substitute(d, (n) => resolve(groupKey, n, depth + 1)).value };
    }
    return known || dot >= 0 ? { kind: 'opaque' } : { kind: 'missing' };
  };
  return (groupKey) => (name) => resolve(groupKey, name, 0);
}

/**
 * Replaces each value with what oslo.config's template substitution makes
 * of it, and reports references to options that do not exist: Cinder fails
 * with NoSuchOptError when it reads such a value.
 */
export function substituteAll(groups: Map<string, Group>, lookupIn: (groupKey: string) => Lookup, findings: Finding[]): void {
  const enabledRaw = lastAssignments(groups.get(DEFAULT)).get('enabled_backends');
  const enabled = new Set((enabledRaw === undefined ? [] : splitList(enabledRaw.value)).map(normalizeGroupName));
  for (const g of groups.values()) {
    const library = g.key !== DEFAULT && g.key !== SHARED && knownNonBackendSections.has(g.key);
    const read = g.key === DEFAULT || g.key === SHARED || library || enabled.has(g.key);
    g.assignments = g.assignments.map((a) => {
      if (!a.value.includes('$')) return a;
      const r = substitute(a.value, lookupIn(g.key));
      const knownKey = defaultOptionSpec(a.key) !== undefined || backendOptionSpec(a.key) !== undefined || cinderOptionNames.has(a.key) || osloDefaultOptionNames.has(a.key);
      if (read && (library || knownKey)) {
        for (const name of r.missing) {
          findings.push(
            finding('template-substitution', {
              ...(library ? { severity: 'warning' as const } : {}),
              file: a.file,
              line: a.line,
              section: a.section,
              key: a.key,
              value: a.value,
              message:
                `${where(a)}: oslo.config reads $${name} as a reference to an option, and there is no option ${name}` +
                `${library ? ` (unless [${a.section}] registers one)` : ''}: reading ${a.key} fails with NoSuchOptError. Write $$ for a literal $`,
            }),
          );
        }
      }
      if (r.missing.length > 0) return { ...a, unresolved: true as const };
      return r.value === a.value ? a : { ...a, value: r.value, raw: a.value };
    });
  }
}
