/**
 * Python's str() and repr() of a JSON value, as cinderclient's tables show
 * what the API sent: prettytable str()s every cell, so booleans read
 * True / False, null reads None, and a list or dict shows the repr of its
 * items (['iSCSI', 'iscsi'], {'k': 'v'}).
 */

/** repr() of a str: single quotes unless the text holds a ' and no ", escapes as CPython writes them. */
export function pyReprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + quote;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

/** repr() of a number: integers as digits, other floats as JavaScript's shortest form (which CPython's repr matches for ordinary values). */
function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return String(n);
}

export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return pyReprString(v);
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
  if (typeof v === 'object') return '{' + Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyReprString(k)}: ${pyRepr(x)}`).join(', ') + '}';
  return String(v);
}

/** str(): a str prints as itself, everything else as its repr. */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}
