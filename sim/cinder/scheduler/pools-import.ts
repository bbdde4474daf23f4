import type { Json } from './python.js';

/**
 * Pool listings of a real deployment, turned into case-format backends:
 * `cinder get-pools --detail` (prettytable Property/Value tables, values
 * printed with Python's str()) and `openstack volume backend pool list
 * --long -f json`.
 */

export interface ImportedBackend {
  host: string;
  availability_zone: string;
  capabilities: { pools: Record<string, Json>[] };
}

export interface ImportResult {
  backends: ImportedBackend[];
  warnings: string[];
}

export class PoolListingError extends Error {}

/** Parse a Python literal as str()/repr() prints it (dicts, lists, tuples, strings, numbers, True/False/None). */
export function parsePythonLiteral(text: string): Json {
  let i = 0;
  const s = text;
  const ws = (): void => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new PoolListingError(`cannot read Python value ${JSON.stringify(text)}: ${what} at character ${i + 1}`);
  };
  const value = (): Json => {
    ws();
    const c = s[i];
    if (c === '{') {
      i++;
      const out: Record<string, Json> = {};
      ws();
      if (s[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        const k = value();
        ws();
        if (s[i] !== ':') fail("expected ':'");
        i++;
        out[typeof k === 'string' ? k : JSON.stringify(k)] = value();
        ws();
        if (s[i] === ',') {
          i++;
          ws();
          if (s[i] === '}') {
            i++;
            return out;
          }
          continue;
        }
        if (s[i] === '}') {
          i++;
          return out;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[' || c === '(') {
      const close = c === '[' ? ']' : ')';
      i++;
      const out: Json[] = [];
      ws();
      if (s[i] === close) {
        i++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        if (s[i] === ',') {
          i++;
          ws();
          if (s[i] === close) {
            i++;
            return out;
          }
          continue;
        }
        if (s[i] === close) {
          i++;
          return out;
        }
        fail(`expected ',' or '${close}'`);
      }
    }
    if (c === "'" || c === '"') {
      i++;
      let out = '';
      while (i < s.length && s[i] !== c) {
        if (s[i] === '\\') {
          i++;
          const e = s[i];
          out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : (e ?? '');
          i++;
        } else out += s[i++];
      }
      if (s[i] !== c) fail('unterminated string');
      i++;
      return out;
    }
    const m = /^(True|False|None|[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf|nan))/.exec(s.slice(i));
    if (!m) return fail('unexpected text');
    i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return Number(m[0]);
  };
  const v = value();
  ws();
  if (i !== s.length) fail('unexpected trailing text');
  return v;
}

/** A cell printed by str(): number, True/False/None, a dict/list repr, or a plain string. */
export function parseCell(text: string): Json {
  const t = text.trim();
  if (/^[-+]?\d+$/.test(t)) return Number(t);
  if (/^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (t === 'True') return true;
  if (t === 'False') return false;
  if (t === 'None') return null;
  if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
    try {
      return parsePythonLiteral(t);
    } catch {
      return t;
    }
  }
  return t;
}

function splitName(name: string, where: string): { backend: string; pool: string } {
  const parts = name.split('#');
  if (parts.length > 2) throw new PoolListingError(`${where}: pool name ${JSON.stringify(name)} has more than one '#'`);
  return { backend: parts[0]!, pool: parts[1] ?? '' };
}

function group(pools: { name: string; caps: Record<string, Json> }[], azOf: (backend: string) => string): ImportedBackend[] {
  const byBackend = new Map<string, ImportedBackend>();
  for (const p of pools) {
    const { backend, pool } = splitName(p.name, 'pool listing');
    let b = byBackend.get(backend);
    if (!b) {
      b = { host: backend, availability_zone: azOf(backend), capabilities: { pools: [] } };
      byBackend.set(backend, b);
    }
    b.capabilities.pools.push({ ...p.caps, pool_name: pool });
  }
  return [...byBackend.values()];
}

/** `cinder get-pools --detail`: one Property/Value table per pool. */
export function parseGetPools(text: string, azOf: (backend: string) => string): ImportResult {
  const pools: { name: string; caps: Record<string, Json> }[] = [];
  let current: Record<string, string> | null = null;
  let lastKey: string | null = null;
  let header = false;
  const lines = text.split(/\r?\n/);
  const finish = (lineNo: number): void => {
    if (!current) return;
    const name = current['name'];
    if (name === undefined) throw new PoolListingError(`line ${lineNo}: a table ends without a 'name' row (is this \`cinder get-pools --detail\` output?)`);
    const caps: Record<string, Json> = {};
    for (const [k, v] of Object.entries(current)) if (k !== 'name' && k !== 'timestamp') caps[k] = parseCell(v);
    pools.push({ name, caps });
    current = null;
  };
  lines.forEach((line, idx) => {
    const t = line.trim();
    if (t === '') return;
    if (/^\+[-+]+\+$/.test(t)) return;
    const m = /^\|(.*)\|(.*)\|$/.exec(t);
    if (!m) throw new PoolListingError(`line ${idx + 1}: expected a table row '| Property | Value |', got ${JSON.stringify(t.slice(0, 60))}`);
    const key = m[1]!.trim();
    const value = m[2]!.trim();
    if (key === 'Property' && value === 'Value') {
      finish(idx + 1);
      current = {};
      header = true;
      lastKey = null;
      return;
    }
    if (!current || !header) throw new PoolListingError(`line ${idx + 1}: table row before a '| Property | Value |' header`);
    if (key === '' && lastKey !== null) {
      current[lastKey] += '\n' + value;
      return;
    }
    current[key] = value;
    lastKey = key;
  });
  finish(lines.length);
  if (pools.length === 0) throw new PoolListingError('no pool tables found (expected `cinder get-pools --detail` output)');
  return { backends: group(pools, azOf), warnings: [] };
}

const OSC_COLUMNS: Record<string, string> = {
  Protocol: 'storage_protocol',
  Thick: 'thick_provisioning_support',
  Thin: 'thin_provisioning_support',
  Volumes: 'total_volumes',
  Capacity: 'total_capacity_gb',
  Allocated: 'allocated_capacity_gb',
  'Max Over Ratio': 'max_over_subscription_ratio',
};

/** `openstack volume backend pool list --long -f json`: a list of {Name, Protocol, Thick, Thin, Volumes, Capacity, Allocated, Max Over Ratio}. */
export function parseOpenstackPoolList(data: unknown, azOf: (backend: string) => string): ImportResult {
  if (!Array.isArray(data)) throw new PoolListingError('expected a JSON list of pools (openstack volume backend pool list --long -f json)');
  const warnings: string[] = [];
  const pools = data.map((row: unknown, i) => {
    if (typeof row !== 'object' || row === null || typeof (row as Record<string, unknown>)['Name'] !== 'string') {
      throw new PoolListingError(`$[${i}]: expected an object with a string "Name"`);
    }
    const r = row as Record<string, Json>;
    const caps: Record<string, Json> = {};
    for (const [k, v] of Object.entries(r)) {
      if (k === 'Name') continue;
      caps[OSC_COLUMNS[k] ?? k] = typeof v === 'string' ? parseCell(v) : v;
    }
    if (!('free_capacity_gb' in caps)) {
      const total = caps['total_capacity_gb'];
      const allocated = caps['allocated_capacity_gb'];
      if (typeof total === 'number' && typeof allocated === 'number') caps['free_capacity_gb'] = Math.max(0, total - allocated);
      else caps['free_capacity_gb'] = total ?? 0;
    }
    return { name: r['Name'] as string, caps };
  });
  warnings.push('openstack volume backend pool list does not show free_capacity_gb; assumed free = Capacity - Allocated (use `cinder get-pools --detail` for exact figures)');
  return { backends: group(pools, azOf), warnings };
}
