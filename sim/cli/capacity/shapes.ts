import type { CapacityShape } from '../../cinder/scheduler/capacity-plan.js';
import { UserError } from '../io.js';
import { nearest } from '../suggest.js';

/** The keys of `--shape`, each with what it takes. */
export const shapeKeys = {
  size: 'GB, a number >= 0 (required)',
  type: 'a volume type name',
  az: 'an availability zone',
  count: 'how many to place, an integer >= 1 (default: until No valid backend)',
} as const;

type ShapeKey = keyof typeof shapeKeys;
const keyNames = Object.keys(shapeKeys) as ShapeKey[];

export interface ShapeFlags {
  size?: number;
  volumeType?: string;
  extraSpecs: readonly string[];
  availabilityZone?: string;
  shapes: readonly string[];
}

/** Resolve a type name against the known types, or refuse it with the valid ones. */
function typeNamed(name: string, where: string, types: ReadonlyMap<string, Record<string, string>>, typesFrom: string): CapacityShape['volumeType'] {
  const specs = types.get(name);
  if (specs !== undefined) return { name, extra_specs: { ...specs } };
  const valid = [...types.keys()];
  const near = nearest(name, valid);
  const list = valid.length ? `valid types: ${valid.join(', ')}` : `no volume type is defined (${typesFrom})`;
  throw new UserError(`${where}: unknown volume type '${name}'${near ? `; did you mean '${near}'?` : ''}; ${list}`);
}

function number(v: string, where: string, what: string, integer: boolean, min: number): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) throw new UserError(`${where}: ${what} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got '${v}'`);
  return n;
}

/** `--shape size=100,type=thick,az=nova,count=50`. */
export function parseShape(flag: string, types: ReadonlyMap<string, Record<string, string>>, typesFrom: string): CapacityShape {
  const where = `--shape '${flag}'`;
  const seen = new Map<ShapeKey, string>();
  for (const part of flag.split(',')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (!keyNames.includes(key as ShapeKey)) {
      const near = nearest(key, keyNames);
      throw new UserError(`${where}: unknown key '${key}'${near ? `; did you mean '${near}'?` : ''}; valid keys: ${keyNames.map((k) => `${k} (${shapeKeys[k]})`).join(', ')}`);
    }
    if (eq < 0) throw new UserError(`${where}: '${part}' has no value; expected key=value, e.g. size=100,type=thick,count=50`);
    if (seen.has(key as ShapeKey)) throw new UserError(`${where}: key '${key}' given twice`);
    seen.set(key as ShapeKey, part.slice(eq + 1).trim());
  }
  const size = seen.get('size');
  if (size === undefined) throw new UserError(`${where}: no size; every shape needs size=GB`);
  const type = seen.get('type');
  const az = seen.get('az');
  const count = seen.get('count');
  return {
    size: number(size, where, 'size', false, 0),
    volumeType: type === undefined ? null : typeNamed(type, where, types, typesFrom),
    availabilityZone: az === undefined || az === '' ? null : az,
    count: count === undefined ? null : number(count, where, 'count', true, 1),
  };
}

/** The shapes to place: every --shape in order, then the request given by --size (placed until full). */
export function shapesOf(flags: ShapeFlags, types: ReadonlyMap<string, Record<string, string>>, typesFrom: string): CapacityShape[] {
  const out = flags.shapes.map((s) => parseShape(s, types, typesFrom));
  if (flags.size === undefined) {
    if (flags.volumeType !== undefined || flags.extraSpecs.length > 0 || flags.availabilityZone !== undefined) throw new UserError('capacity: --volume-type, --extra-spec and --availability-zone describe the request of --size N; give --size');
    if (out.length === 0) throw new UserError('capacity: give the request with --size N (and --volume-type, --extra-spec, --availability-zone), or shapes with --shape size=N[,type=T][,az=Z][,count=C]');
    return out;
  }
  if (!Number.isFinite(flags.size) || flags.size < 0) throw new UserError(`--size: expected GB >= 0, got ${String(flags.size)}`);
  if (flags.volumeType !== undefined && flags.extraSpecs.length > 0) throw new UserError('capacity: give --volume-type NAME or --extra-spec key=value, not both (a type carries its extra specs)');
  let volumeType: CapacityShape['volumeType'] = null;
  if (flags.volumeType !== undefined) volumeType = typeNamed(flags.volumeType, '--volume-type', types, typesFrom);
  else if (flags.extraSpecs.length > 0) {
    const extra_specs: Record<string, string> = {};
    for (const spec of flags.extraSpecs) {
      const at = spec.indexOf('=');
      if (at <= 0) throw new UserError(`--extra-spec: expected key=value, got '${spec}'`);
      extra_specs[spec.slice(0, at)] = spec.slice(at + 1);
    }
    volumeType = { name: 'cli', extra_specs };
  }
  out.push({ size: flags.size, volumeType, availabilityZone: flags.availabilityZone ?? null, count: null });
  return out;
}
