/**
 * oslo.config's string templates (cfg.py ConfigOpts._substitute): every
 * value read from a file or a default goes through Python's
 * string.Template.safe_substitute before conversion.  `$name` and `${name}`
 * name an option (name matches [_a-z][._a-z0-9]* ignoring case; `group.opt`
 * reaches another group); `$$` and `\$` are a literal `$`; a `$` followed by
 * anything else stays as it is.  An option that does not exist raises
 * NoSuchOptError when Cinder reads the value: the classic `$` in a password.
 */

/** What a reference resolves to: a value, "exists but its value depends on the machine", or no such option. */
export type Lookup = (name: string) => { kind: 'value'; value: string } | { kind: 'opaque' } | { kind: 'missing' };

export interface Substituted {
  value: string;
  /** Referenced options that do not exist. */
  missing: string[];
}

const TEMPLATE = /\$(?:(\$)|([_a-z][._a-z0-9]*)|\{([_a-z][._a-z0-9]*)\})/gi;

export function substitute(raw: string, lookup: Lookup): Substituted {
  const missing: string[] = [];
  const value = raw.replace(/\\\$/g, '$$$$').replace(TEMPLATE, (whole: string, dollar?: string, bare?: string, braced?: string) => {
    if (dollar !== undefined) return '$';
    const name = (bare ?? braced)!;
    const r = lookup(name);
    if (r.kind === 'value') return r.value;
    if (r.kind === 'missing') missing.push(name);
    return whole;
  });
  return { value, missing };
}

/** The names a value refers to, for a lint that only needs to know whether they exist. */
export function references(raw: string): string[] {
  const out: string[] = [];
  substitute(raw, (name) => {
    out.push(name);
    return { kind: 'opaque' };
  });
  return out;
}
