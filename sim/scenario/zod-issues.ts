import type { z } from 'zod';
import { showValue, type PathKey } from './problems.js';

/** A zod issue made readable: its path and a message with the bad value and the valid choices. */
export interface PlainIssue {
  path: PathKey[];
  message: string;
  /** An unknown key: locate the key itself, not its value. */
  atKey?: string;
}

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

/** Translate zod's issues against `root` (the raw document) into plain issues, one per problem. */
export function plainIssues(issues: readonly Issue[], root: unknown, schema: AnySchema, prefix: PathKey[] = []): PlainIssue[] {
  const out: PlainIssue[] = [];
  for (const issue of issues) out.push(...plainIssue(issue, root, schema, prefix));
  return out;
}

function plainIssue(issue: Issue, root: unknown, schema: AnySchema, prefix: PathKey[]): PlainIssue[] {
  const path = [...prefix, ...(issue.path as PathKey[])];
  const value = valueAt(root, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const valid = objectKeys(schemaAt(schema, path, root));
      return issue.keys.map((k) => ({
        path: [...path, k],
        atKey: k,
        message: `unknown key '${k}'${valid.length ? `; valid keys: ${valid.join(', ')}` : ''}`,
      }));
    }
    case 'invalid_value':
      return [{ path, message: `${showValue(value)} is not valid; valid: ${issue.values.map((v) => String(v)).join(', ')}` }];
    case 'invalid_union': {
      const disc = (issue as { discriminator?: string; options?: unknown[] }).discriminator;
      if (disc !== undefined) {
        const options = (issue as { options?: unknown[] }).options ?? [];
        const v = valueAt(root, path);
        // An optional discriminator's absence is a choice too, but not one to name.
        return [{ path, message: `${showValue(v)} is not a valid ${disc}; valid: ${options.filter((x) => x !== undefined).map(String).join(', ')}` }];
      }
      // A plain union: follow the one branch whose shape fits the value, if there is one.
      const branches = issue.errors.filter((errs) => !errs.some((e) => e.path.length === 0 && e.code === 'invalid_type'));
      if (branches.length === 1) {
        const desc = describe(schemaAt(schema, path, root));
        const inner = plainIssues(branches[0]!, root, schema, path);
        return desc && inner.length === 1 && inner[0]!.path.length === path.length ? [{ ...inner[0]!, message: `${inner[0]!.message} (expected ${desc})` }] : inner;
      }
      const desc = describe(schemaAt(schema, path, root));
      return [{ path, message: `${showValue(value)} is not valid${desc ? `; expected ${desc}` : ''}` }];
    }
    case 'invalid_type': {
      if (value === undefined) return [{ path, message: `missing required key (expected ${issue.expected})` }];
      return [{ path, message: `${showValue(value)} is not valid; expected ${issue.expected}` }];
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const rel = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      const what = issue.origin === 'array' ? 'number of items' : issue.origin === 'string' ? 'length' : 'value';
      return [{ path, message: `${showValue(value)} is not valid; ${what} must be ${rel} ${String(bound)}` }];
    }
    case 'invalid_format':
      return [{ path, message: `${showValue(value)} is not valid; ${issue.message}` }];
    default:
      return [{ path, message: value === undefined ? issue.message : `${showValue(value)}: ${issue.message}` }];
  }
}

export function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

interface Def {
  type: string;
  innerType?: AnySchema;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  valueType?: AnySchema;
  options?: AnySchema[];
  discriminator?: string;
  in?: AnySchema;
}

function def(s: AnySchema): Def {
  return s._zod.def as unknown as Def;
}

function unwrap(s: AnySchema): AnySchema {
  let cur = s;
  for (;;) {
    const d = def(cur);
    if ((d.type === 'optional' || d.type === 'default' || d.type === 'nullable' || d.type === 'prefault') && d.innerType) cur = d.innerType;
    else if (d.type === 'pipe' && d.in) cur = d.in;
    else return cur;
  }
}

/** The sub-schema at `path`, choosing union branches by the raw value found there. */
export function schemaAt(schema: AnySchema, path: readonly PathKey[], root: unknown): AnySchema | undefined {
  let cur: AnySchema | undefined = schema;
  let value: unknown = root;
  for (let i = 0; i <= path.length && cur; i++) {
    cur = pickBranch(unwrap(cur), value);
    if (i === path.length) break;
    const k = path[i]!;
    const d = def(cur);
    if (d.type === 'object' && d.shape) cur = d.shape[String(k)];
    else if (d.type === 'array') cur = d.element;
    else if (d.type === 'record') cur = d.valueType;
    else cur = undefined;
    value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[k] : undefined;
  }
  return cur ? unwrap(cur) : undefined;
}

function pickBranch(s: AnySchema, value: unknown): AnySchema {
  const d = def(s);
  if (d.type !== 'union' || !d.options) return s;
  if (d.discriminator && value && typeof value === 'object') {
    const want = (value as Record<string, unknown>)[d.discriminator];
    for (const o of d.options) {
      const shape = def(unwrap(o)).shape;
      const lit = shape?.[d.discriminator];
      if (!lit) continue;
      // An optional discriminator (`driver` of a fake backend) also matches its absence.
      if (want === undefined && def(lit).type === 'optional') return unwrap(o);
      if ((def(unwrap(lit)) as unknown as { values?: unknown[] }).values?.includes(want)) return unwrap(o);
    }
  }
  const isObj = value !== null && typeof value === 'object' && !Array.isArray(value);
  const objects = d.options.map(unwrap).filter((o) => def(o).type === 'object');
  if (isObj && objects.length === 1) return objects[0]!;
  return s;
}

function objectKeys(s: AnySchema | undefined): string[] {
  if (!s) return [];
  const d = def(s);
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}

function describe(s: AnySchema | undefined): string | undefined {
  if (!s) return undefined;
  return (s as unknown as { description?: string }).description;
}
