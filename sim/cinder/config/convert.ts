import type { AnyOptionValue, OptSpec } from './options.js';

/**
 * oslo_config/types.py conversions: what a raw file string becomes, or why
 * oslo.config would refuse it (Cinder then fails when it reads the option).
 */
export type Converted =
  | { ok: true; value: AnyOptionValue }
  /** oslo reads an empty number as None, not as the default. */
  | { ok: true; value: null; emptyNumber: true }
  | { ok: false; message: string; choices?: readonly string[] };

const TRUE_VALUES = ['true', '1', 'on', 'yes'];
const FALSE_VALUES = ['false', '0', 'off', 'no'];
export const BOOL_CHOICES = [...TRUE_VALUES, ...FALSE_VALUES];

// Python's int() accepts surrounding blanks, a sign and digit-group underscores.
const INT_RE = /^[+-]?\d+(?:_\d+)*$/;
const FLOAT_RE = /^[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*(?:[eE][+-]?\d+)?|\d+\.|inf(?:inity)?|nan)$/i;

export function convertValue(spec: OptSpec, raw: string): Converted {
  switch (spec.kind) {
    case 'str':
      return convertString(spec.choices, spec.regex, raw);
    case 'bool': {
      const s = raw.toLowerCase();
      if (TRUE_VALUES.includes(s)) return { ok: true, value: true };
      if (FALSE_VALUES.includes(s)) return { ok: true, value: false };
      return { ok: false, message: `Unexpected boolean value '${raw}'`, choices: BOOL_CHOICES };
    }
    case 'int':
    case 'port':
    case 'float':
      return convertNumber(spec.kind, spec.min, spec.max, raw);
    case 'list':
      return { ok: true, value: splitList(raw) };
  }
}

function convertString(choices: readonly string[] | undefined, regex: string | undefined, raw: string): Converted {
  if (regex !== undefined && !new RegExp(regex).test(raw)) {
    return { ok: false, message: `Value '${raw}' doesn't match regex '${regex}'` };
  }
  if (choices !== undefined && !choices.includes(raw)) {
    return { ok: false, message: `Valid values are [${choices.join(', ')}], but found '${raw}'`, choices };
  }
  return { ok: true, value: raw };
}

function convertNumber(kind: 'int' | 'port' | 'float', min: number | undefined, max: number | undefined, raw: string): Converted {
  const s = raw.trim();
  if (s === '') return { ok: true, value: null, emptyNumber: true };
  const valid = kind === 'float' ? FLOAT_RE.test(s) : INT_RE.test(s);
  if (!valid) {
    const what = kind === 'float' ? 'a number' : 'an integer';
    return { ok: false, message: `'${raw}' is not ${what}` };
  }
  const n = Number(s.replace(/_/g, '').replace(/^([+-]?)inf(inity)?$/i, '$1Infinity'));
  if (min !== undefined && n < min) return { ok: false, message: `Should be greater than or equal to ${min}` };
  if (max !== undefined && n > max) return { ok: false, message: `Should be less than or equal to ${max}` };
  return { ok: true, value: n };
}

/** types.List with String items: trailing commas dropped, items trimmed; empty items kept (Cinder skips them). */
export function splitList(raw: string): string[] {
  const s = raw.trim().replace(/,+$/, '');
  if (s === '') return [];
  return s.split(',').map((v) => v.trim());
}
