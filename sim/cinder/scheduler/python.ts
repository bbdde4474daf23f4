/**
 * The few Python semantics Cinder's scheduler leans on, done exactly:
 * float() / int() conversion, round(x, 2), oslo's bool_from_string,
 * equality and ordering between JSON values, and repr() for error texts.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A Python exception Cinder would raise; caught at the operation boundary and reported as data. */
export class PyError extends Error {
  constructor(
    readonly pyType: string,
    message: string,
  ) {
    super(message);
    this.name = 'PyError';
  }
}

export function isDict(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function pyTypeName(v: Json | undefined): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  return Array.isArray(v) ? 'list' : 'dict';
}

const DIGITS = String.raw`\d(?:_?\d)*`;
const FLOAT_RE = new RegExp(String.raw`^[+-]?(?:(?:(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?)|inf|infinity|nan)$`, 'i');
const INT_RE = new RegExp(String.raw`^[+-]?${DIGITS}$`);

/** Python's float(x); ValueError / TypeError as Python raises them. */
export function pyFloat(v: Json | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const s = v.trim();
    if (!FLOAT_RE.test(s)) throw new PyError('ValueError', `could not convert string to float: ${pyRepr(v)}`);
    const lower = s.toLowerCase().replace(/^[+-]/, '');
    const neg = s.startsWith('-');
    if (lower === 'inf' || lower === 'infinity') return neg ? -Infinity : Infinity;
    if (lower === 'nan') return NaN;
    return Number(s.replace(/_/g, ''));
  }
  throw new PyError('TypeError', `float() argument must be a string or a real number, not '${pyTypeName(v)}'`);
}

/** Python's int(x): truncates floats, parses integer strings only. */
export function pyInt(v: Json | undefined): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) throw new PyError('ValueError', 'cannot convert float NaN to integer');
    if (!Number.isFinite(v)) throw new PyError('OverflowError', 'cannot convert float infinity to integer');
    return Math.trunc(v);
  }
  if (typeof v === 'string') {
    const s = v.trim();
    if (!INT_RE.test(s)) throw new PyError('ValueError', `invalid literal for int() with base 10: ${pyRepr(v)}`);
    return Number(s.replace(/_/g, ''));
  }
  throw new PyError('TypeError', `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(v)}'`);
}

/**
 * Python's round(x, 2): the exact binary value rounded to 2 decimals, ties
 * to even.  toFixed is exact but breaks ties away from zero; an exact tie
 * needs x to be a multiple of 1/8 that is not a multiple of 1/4 (.125,
 * .375, .625, .875), so those are settled here by hand.
 */
export function pyRound2(x: number): number {
  // From 2^49 up a double is a multiple of 1/8 (or coarser), and rounding it to two
  // decimals and back to the nearest double always lands on x again.
  if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 49) return x;
  // Fast path: x*100 is within half an ulp of the true product, so unless it
  // lies within an ulp of a .5 boundary the side of the boundary is certain,
  // and n/100 is the double nearest n/100 (what Python's strtod gives back).
  const y = x * 100;
  if (Math.abs(y) < 2 ** 50) {
    const fl = Math.floor(y);
    const frac = y - fl;
    if (Math.abs(frac - 0.5) > Math.abs(y) * 2.3e-16 + 1e-300) {
      const r = (frac < 0.5 ? fl : fl + 1) / 100;
      return r === 0 && x < 0 ? -0 : r;
    }
  }
  return pyRound2Exact(x);
}

/** The exact path: toFixed rounds the exact binary value, ties away from zero; Python ties to even. */
function pyRound2Exact(x: number): number {
  const x8 = x * 8;
  if (Number.isInteger(x8) && !Number.isInteger(x * 4)) {
    // A tie x.xx5: the decimal moves x by 0.005, less than half the spacing of doubles from 2^46 up.
    if (Math.abs(x) >= 2 ** 46) return x;
    const scaled = x * 100; // exact: k * 12.5 with 25k < 2^54
    const lo = Math.floor(scaled);
    const n = lo % 2 === 0 ? lo : lo + 1;
    return n / 100;
  }
  const r = Number(x.toFixed(2));
  return r === 0 && x < 0 ? -0 : r;
}

const TRUE_STRINGS = new Set(['1', 't', 'true', 'on', 'y', 'yes']);

/** oslo_utils.strutils.bool_from_string(subject) with strict=False. */
export function boolFromString(v: Json | undefined): boolean {
  if (typeof v === 'boolean') return v;
  const s = typeof v === 'string' ? v : pyStr(v);
  return TRUE_STRINGS.has(s.trim().toLowerCase());
}

/** Python truthiness of a JSON value. */
export function pyTruthy(v: Json | undefined): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v).length > 0;
}

/** Python ==: bool and numbers compare numerically, str only with str, containers deeply. */
export function pyEquals(a: Json | undefined, b: Json | undefined): boolean {
  const an = numericOf(a);
  const bn = numericOf(b);
  if (an !== undefined || bn !== undefined) return an !== undefined && bn !== undefined && an === bn;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => pyEquals(x, b[i]));
  }
  if (!isDict(a) || !isDict(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && pyEquals(a[k], b[k]));
}

function numericOf(v: Json | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

export type CompareOp = '<' | '<=' | '>' | '>=';

/** Python ordering: numbers/bools together, str with str, lists element-wise; else TypeError. */
export function pyCompare(a: Json | undefined, b: Json | undefined, op: CompareOp): boolean {
  const an = numericOf(a);
  const bn = numericOf(b);
  if (an !== undefined && bn !== undefined) return applyOrder(an, bn, op);
  if (typeof a === 'string' && typeof b === 'string') return applyOrder(codePointCompare(a, b), 0, op);
  throw new PyError('TypeError', `'${op}' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

function applyOrder(a: number, b: number, op: CompareOp): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/** Compare by Unicode code point, as Python compares str (JS < compares UTF-16 units). */
export function codePointCompare(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

/** Python repr() of a float or int as JSON gives it (integers print without '.0'). */
export function pyNumberRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return String(n);
}

export function pyStr(v: Json | undefined): string {
  if (typeof v === 'string') return v;
  return pyRepr(v);
}

/** Python repr() of a JSON value: dicts and lists as Python prints them. */
export function pyRepr(v: Json | undefined): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyNumberRepr(v);
  if (typeof v === 'string') return reprString(v);
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
  return '{' + Object.entries(v).map(([k, x]) => `${reprString(k)}: ${pyRepr(x)}`).join(', ') + '}';
}

function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch < ' ' || ch === '\x7f') out += '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

