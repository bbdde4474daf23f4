import { finding, type Finding } from './findings.js';
import type { CinderConf } from './types.js';

/** A volume type as `cinder type-create` / `type-key set` make it: types are not in cinder.conf. */
export interface VolumeTypeSpec {
  name: string;
  extra_specs: Readonly<Record<string, string>>;
}

/**
 * Does a pool reporting `reported` satisfy the type's volume_backend_name
 * spec?  The operators of scheduler/filters/extra_specs_ops.py that make
 * sense for a name are evaluated; for any other operator the answer is
 * unknown (null) and no finding is raised.
 */
export function backendNameMatches(spec: string, reported: string): boolean | null {
  const words = spec.trim().split(/\s+/);
  const op = words[0] ?? '';
  if (op === '<or>') return words.filter((_, i) => i % 2 === 1).includes(reported);
  if (op === '<in>') return reported.includes(words.slice(1).join(' '));
  if (op === 's==') return reported === words.slice(1).join(' ');
  if (op === 's!=') return reported !== words.slice(1).join(' ');
  if (op.startsWith('<') || ['=', '==', '!=', '>=', '<=', 's<', 's>', 's<=', 's>='].includes(op)) return null;
  return spec === reported;
}

/** The type's volume_backend_name, plain or in the `capabilities:` scope CapabilitiesFilter also reads. */
function backendNameSpec(t: VolumeTypeSpec): { key: string; value: string } | null {
  for (const key of ['volume_backend_name', 'capabilities:volume_backend_name']) {
    const value = t.extra_specs[key];
    if (value !== undefined) return { key, value };
  }
  return null;
}

/**
 * Lint volume types against what the configuration's backends report: a
 * type whose volume_backend_name no backend reports makes every create with
 * it fail with No valid backend (CapabilitiesFilter).  Also checks that
 * default_volume_type names one of the types.  Pass every node's backends
 * (`confs`) for a multi-node cloud.
 */
export function lintVolumeTypes(confs: CinderConf | readonly CinderConf[], types: readonly VolumeTypeSpec[]): Finding[] {
  const list = Array.isArray(confs) ? (confs as readonly CinderConf[]) : [confs as CinderConf];
  const reported = [...new Set(list.flatMap((c) => c.backends.map((b) => b.reported_volume_backend_name)).filter((n): n is string => n !== null))];
  const out: Finding[] = [];
  for (const t of types) {
    const spec = backendNameSpec(t);
    if (spec === null) continue;
    const verdicts = reported.map((r) => backendNameMatches(spec.value, r));
    if (verdicts.some((v) => v !== false)) continue;
    out.push(
      finding('type-backend-name-missing', {
        file: null,
        line: null,
        key: spec.key,
        value: spec.value,
        choices: reported,
        message: `volume type ${t.name} asks for ${spec.key}=${spec.value}, which no backend reports (${reported.length === 0 ? 'no backends' : `reported: ${reported.join(', ')}`}): creates with this type fail with No valid backend`,
      }),
    );
  }
  for (const c of list) {
    const name = c.defaults.default_volume_type;
    if (types.length === 0 || types.some((t) => t.name === name)) continue;
    const src = c.defaultSources.default_volume_type;
    out.push(
      finding('default-volume-type-missing', {
        file: src.kind === 'file' ? src.file : null,
        line: src.kind === 'file' ? src.line : null,
        section: 'DEFAULT',
        key: 'default_volume_type',
        value: name,
        choices: types.map((t) => t.name),
        message: `default_volume_type ${name} is not among the volume types (${types.map((t) => t.name).join(', ')}): creates that name no type fail`,
      }),
    );
  }
  return out;
}
