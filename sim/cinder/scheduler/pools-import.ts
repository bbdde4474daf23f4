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

/** How a listing's cell was written: as cinderclient prints it (Python's str()), or JSON-style (false, null, ["a","b"]). */
export interface Cell {
  value: Json;
  jsonStyle: boolean;
}

const JSON_WORDS: Record<string, Json> = { true: true, false: false, null: null };

/** Whether a container's text holds a JSON-only token (true/false/null) or a "..." string Python's repr would have single-quoted. */
function looksJson(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === "'" || c === '"') {
      let j = i + 1;
      let body = '';
      while (j < t.length && t[j] !== c) {
        if (t[j] === '\\') j++;
        body += t[j] ?? '';
        j++;
      }
      if (c === '"' && !body.includes("'")) return true;
      i = j;
      continue;
    }
    const word = /^(true|false|null)\b/.exec(t.slice(i));
    if (word && !/[\w.]/.test(t[i - 1] ?? '')) return true;
  }
  return false;
}

/**
 * A cell of `cinder get-pools --detail`: cinderclient prints str() of each
 * value, so True/False/None, numbers, ['iSCSI', 'iscsi'] and {'k': 'v'} are
 * Python literals and anything else is a plain string.  A JSON-style value
 * (false, null, ["iSCSI","iscsi"]) cannot have come from cinderclient; read
 * literally, 'false' is a non-empty string and Cinder would take it as true,
 * so it is read as JSON meant it and flagged for a warning.
 */
export function readCell(text: string): Cell {
  const t = text.trim();
  if (/^[-+]?\d+$/.test(t)) return { value: Number(t), jsonStyle: false };
  if (/^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/.test(t)) return { value: Number(t), jsonStyle: false };
  if (t === 'True') return { value: true, jsonStyle: false };
  if (t === 'False') return { value: false, jsonStyle: false };
  if (t === 'None') return { value: null, jsonStyle: false };
  if (t in JSON_WORDS) return { value: JSON_WORDS[t]!, jsonStyle: true };
  if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
    if (looksJson(t)) {
      try {
        return { value: JSON.parse(t) as Json, jsonStyle: true };
      } catch {
        // Not JSON either: try it as Python below.
      }
    }
    try {
      return { value: parsePythonLiteral(t), jsonStyle: false };
    } catch {
      return { value: t, jsonStyle: false };
    }
  }
  return { value: t, jsonStyle: false };
}

/** A cell's value (see readCell). */
export function parseCell(text: string): Json {
  return readCell(text).value;
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

const BORDER = /^\+(-+\+)+$/;
const ROW = /^\|(.*)\|(.*)\|$/;

/**
 * `cinder get-pools --detail`: one Property/Value table per pool.  Lines
 * outside the tables (a shell prompt, cinderclient's WARNING lines, a blank
 * line) are skipped and counted; inside a table every line must be a row or
 * its closing border.
 */
export function parseGetPools(text: string, azOf: (backend: string) => string): ImportResult {
  const pools: { name: string; caps: Record<string, Json> }[] = [];
  const jsonCells: string[] = [];
  const skipped: number[] = [];
  // outside -> (border) top -> (header row) header -> (border) body -> (border) outside
  let state: 'outside' | 'top' | 'header' | 'body' = 'outside';
  let current: { rows: Record<string, string>; lines: Record<string, number>; start: number } | null = null;
  let lastKey: string | null = null;
  const lines = text.split(/\r?\n/);
  const finish = (lineNo: number): void => {
    if (!current) return;
    const { rows, lines: at } = current;
    const name = rows['name'];
    if (name === undefined) throw new PoolListingError(`line ${lineNo}: the table from line ${current.start} ends without a 'name' row (is this \`cinder get-pools --detail\` output?)`);
    const caps: Record<string, Json> = {};
    for (const [k, v] of Object.entries(rows)) {
      if (k === 'name' || k === 'timestamp') continue;
      const cell = readCell(v);
      if (cell.jsonStyle) jsonCells.push(`line ${at[k]!} ${k} ${JSON.stringify(v.trim())}`);
      caps[k] = cell.value;
    }
    pools.push({ name, caps });
    current = null;
  };
  lines.forEach((line, idx) => {
    const lineNo = idx + 1;
    const t = line.trim();
    const border = BORDER.test(t);
    const row = ROW.exec(t);
    switch (state) {
      case 'outside':
        if (border) state = 'top';
        else if (t !== '') skipped.push(lineNo);
        return;
      case 'top':
        if (row && row[1]!.trim() === 'Property' && row[2]!.trim() === 'Value') {
          current = { rows: {}, lines: {}, start: lineNo - 1 };
          lastKey = null;
          state = 'header';
          return;
        }
        throw new PoolListingError(`line ${lineNo}: expected the header '| Property | Value |' after the border on line ${lineNo - 1}, got ${JSON.stringify(t.slice(0, 60))} (is this \`cinder get-pools --detail\` output?)`);
      case 'header':
        if (border) {
          state = 'body';
          return;
        }
        throw new PoolListingError(`line ${lineNo}: expected a border '+---+' under the header, got ${JSON.stringify(t.slice(0, 60))}`);
      case 'body': {
        if (border) {
          finish(lineNo);
          state = 'outside';
          return;
        }
        if (!row) throw new PoolListingError(`line ${lineNo}: expected a table row '| key | value |' or the table's closing border, got ${JSON.stringify(t.slice(0, 60))} (a listing cut short?)`);
        const key = row[1]!.trim();
        const value = row[2]!.trim();
        const c = current!;
        // prettytable continues a multi-line value on rows with an empty key.
        if (key === '' && lastKey !== null) {
          c.rows[lastKey] += '\n' + value;
          return;
        }
        c.rows[key] = value;
        c.lines[key] = lineNo;
        lastKey = key;
        return;
      }
    }
  });
  if (state !== 'outside') throw new PoolListingError(`line ${lines.length}: the listing ends inside a table (a listing cut short?)`);
  if (pools.length === 0) throw new PoolListingError('no pool tables found (expected `cinder get-pools --detail` output)');
  const warnings: string[] = [];
  if (skipped.length > 0) {
    warnings.push(`skipped ${skipped.length} line${skipped.length === 1 ? '' : 's'} outside the tables (${lineRanges(skipped)}: a shell prompt, cinderclient's WARNING lines, ...)`);
  }
  if (jsonCells.length > 0) {
    const shown = jsonCells.slice(0, 5).join(', ') + (jsonCells.length > 5 ? `, ... ${jsonCells.length - 5} more` : '');
    warnings.push(
      `${jsonCells.length} value${jsonCells.length === 1 ? ' is' : 's are'} JSON-style, not Python's str() as cinderclient prints them (True/False/None, ['iSCSI', 'iscsi']); read as JSON means them: ${shown}`,
    );
  }
  return { backends: group(pools, azOf), warnings };
}

/** [1, 2, 3, 7] as "lines 1-3, 7". */
function lineRanges(nums: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
    parts.push(i === j ? `${nums[i]}` : `${nums[i]}-${nums[j]}`);
    i = j + 1;
  }
  return `line${nums.length === 1 ? '' : 's'} ${parts.join(', ')}`;
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
