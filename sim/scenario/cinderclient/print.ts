import { createHash } from 'node:crypto';
import type { ApiResult, CinderRequest } from '../../cinder/api/requests.js';
import { compareVersions, MAX_API_VERSION, parseApiVersion } from '../../cinder/api/version.js';
import type { ParsedCommand } from './parse.js';
import { pyStr } from './python-str.js';

/**
 * What cinderclient prints: prettytable boxes.  A single object prints as
 * Property | Value rows sorted by Property (utils.print_dict), a list as one
 * row per item with the command's columns, sorted by the first column
 * (utils.print_list).  Cells are Python's str() of the value, as prettytable
 * makes them: True / False / None, ['iSCSI', 'iscsi'], {'k': 'v'}.
 */

type Obj = Record<string, unknown>;

/** The columns cinderclient's shell prints per list command: [result key, header]. */
const listColumns: Record<string, readonly (readonly [string, string])[]> = {
  list: [['id', 'ID'], ['status', 'Status'], ['name', 'Name'], ['size', 'Size'], ['volume_type', 'Volume Type'], ['bootable', 'Bootable'], ['availability_zone', 'Availability Zone'], ['os-vol-host-attr:host', 'Host']],
  'snapshot-list': [['id', 'ID'], ['volume_id', 'Volume ID'], ['status', 'Status'], ['name', 'Name'], ['size', 'Size']],
  'backup-list': [['id', 'ID'], ['volume_id', 'Volume ID'], ['status', 'Status'], ['name', 'Name'], ['size', 'Size'], ['object_count', 'Object Count'], ['container', 'Container']],
  'transfer-list': [['id', 'ID'], ['volume_id', 'Volume ID'], ['name', 'Name']],
  // shell_utils.print_volume_type_list: type-list, type-create, type-update, type-default.
  'type-list': [['id', 'ID'], ['name', 'Name'], ['description', 'Description'], ['is_public', 'Is_Public']],
  'type-create': [['id', 'ID'], ['name', 'Name'], ['description', 'Description'], ['is_public', 'Is_Public']],
  'message-list': [['id', 'ID'], ['resource_id', 'Resource ID'], ['event_id', 'Event ID'], ['user_message', 'User Message']],
};

/** Commands whose shell function prints nothing on success (do_type_key, do_extend, do_retype, ...). */
const SILENT = new Set(['type-key', 'extend', 'retype', 'snapshot-delete', 'force-delete', 'transfer-delete', 'type-access-add']);

/**
 * Commands that act on each named resource in turn (`delete a b c`): what
 * each success prints, what each failure prints, and the CommandError when
 * every one failed.
 */
const perResource: Record<string, { noun: string; arg: string; accepted: boolean; none: string }> = {
  delete: { noun: 'volume', arg: 'volume', accepted: true, none: 'Unable to delete any of the specified volumes.' },
  'force-delete': { noun: 'volume', arg: 'volume', accepted: false, none: 'Unable to force delete any of the specified volumes.' },
  'snapshot-delete': { noun: 'snapshot', arg: 'snapshot', accepted: false, none: 'Unable to delete any of the specified snapshots.' },
  'backup-delete': { noun: 'backup', arg: 'backup', accepted: true, none: 'Unable to delete any of the specified backups.' },
  'type-delete': { noun: 'volume type', arg: 'vtype', accepted: true, none: 'Unable to delete any of the specified types.' },
};

/** print_list turns None into '-' and then lets prettytable str() the rest. */
function listCell(v: unknown): string {
  return v === null || v === undefined ? '-' : pyStr(v);
}

/** Python's ordering of two cell values as prettytable's sortby compares them (numbers as numbers, str by code point). */
function compareValues(a: unknown, b: unknown): number {
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : null);
  const na = num(a);
  const nb = num(b);
  if (na !== null && nb !== null) return na - nb;
  const sa = typeof a === 'string' ? a : pyStr(a);
  const sb = typeof b === 'string' ? b : pyStr(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** prettytable's get_string(sortby=...): rows ordered by that column, then by the whole row. */
function sortRows(rows: readonly (readonly unknown[])[], by: number): (readonly unknown[])[] {
  return [...rows].sort((x, y) => {
    const first = compareValues(x[by], y[by]);
    if (first !== 0) return first;
    for (let i = 0; i < x.length; i++) {
      const c = compareValues(x[i], y[i]);
      if (c !== 0) return c;
    }
    return 0;
  });
}

/** A prettytable box, left-aligned; a cell with newlines spans several lines. */
function box(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const split = rows.map((r) => r.map((c) => c.split('\n')));
  const widths = header.map((h, i) => Math.max(h.length, ...split.map((r) => Math.max(...r[i]!.map((l) => l.length)))));
  const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const line = (cells: readonly string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  const body = split.flatMap((r) => {
    const height = Math.max(...r.map((c) => c.length));
    return Array.from({ length: height }, (_, k) => line(r.map((c) => c[k] ?? '')));
  });
  return [rule, line(header), rule, ...body, rule].join('\n');
}

/** utils._pretty_format_dict: a dict value of a formatter key as `k : v` lines. */
function prettyDict(d: Obj): string {
  return Object.keys(d)
    .sort()
    .map((k) => `${k} : ${pyStr(d[k])}`)
    .join('\n');
}

/** utils.print_dict: Property | Value, sorted by Property; dicts under `formatters` keys as `k : v` lines. */
function printDict(o: Obj, formatters: readonly string[] = []): string {
  const rows = Object.keys(o).map((k) => {
    const v = o[k];
    const dict = v !== null && typeof v === 'object' && !Array.isArray(v);
    return [k, formatters.includes(k) && dict ? prettyDict(v as Obj) : pyStr(v)] as const;
  });
  return box(['Property', 'Value'], sortRows(rows, 0) as (readonly string[])[]);
}

/** utils.print_list over the command's columns, sorted by the first (sortby_index=0). */
function printList(verb: string, items: readonly Obj[]): string {
  const wanted = listColumns[verb];
  const first = items[0] ?? {};
  const cols: readonly (readonly [string, string])[] = wanted ? wanted.filter(([k]) => items.length === 0 || items.some((i) => k in i)) : Object.keys(first).slice(0, 8).map((k) => [k, k] as const);
  if (cols.length === 0) return box(['(empty)'], []);
  const raw = items.map((i) => cols.map(([k]) => (i[k] === null || i[k] === undefined ? '-' : i[k])));
  return box(cols.map(([, h]) => h), sortRows(raw, 0).map((r) => r.map(listCell)));
}

/**
 * do_service_list: its columns depend on the microversion (Cluster from 3.7,
 * Backend State from 3.49) and --withreplication; a row without the field
 * prints '' (getattr's default), a null '-'.
 */
function serviceTable(items: readonly Obj[], args: Record<string, unknown>, apiVersion: string): string {
  const v = parseApiVersion(apiVersion)!;
  const at = (min: string) => compareVersions(v, parseApiVersion(min)!) >= 0;
  const cols = ['Binary', 'Host', 'Zone', 'Status', 'State', 'Updated_at'];
  if (at('3.7')) cols.push('Cluster');
  if (args['withreplication'] === true && at('3.7')) cols.push('Replication Status', 'Active Backend ID', 'Frozen');
  if (items[0] && 'disabled_reason' in items[0]) cols.push('Disabled Reason');
  if (at('3.49')) cols.push('Backend State');
  const raw = items.map((i) => cols.map((c) => {
    const k = c.toLowerCase().replace(/ /g, '_');
    return k in i ? (i[k] ?? '-') : '';
  }));
  return box(cols, sortRows(raw, 0).map((r) => r.map(listCell)));
}

/** cinderclient's availability-zone-list: Name | Status. */
function zoneTable(items: readonly Obj[]): string {
  const rows = items.map((z) => [z['zoneName'] ?? '-', (z['zoneState'] as { available?: boolean } | undefined)?.available ? 'available' : 'not available']);
  return box(['Name', 'Status'], sortRows(rows, 0).map((r) => r.map(listCell)));
}

/** do_get_pools: one print_dict per pool, `name` plus (with --detail) its capabilities. */
function poolTables(items: readonly Obj[], detail: boolean): string {
  return items.map((p) => printDict({ name: p['name'], ...(detail ? ((p['capabilities'] as Obj | undefined) ?? {}) : {}) })).join('\n');
}

/** do_show: attachments become attachment_ids and attached_servers, metadata's readonly is lifted, dicts print as lines. */
function showVolume(v: Obj): string {
  const info: Obj = { ...v };
  delete info['links'];
  const meta = info['metadata'];
  if (meta !== null && typeof meta === 'object' && 'readonly' in meta) info['readonly'] = (meta as Obj)['readonly'];
  const attachments = Array.isArray(info['attachments']) ? (info['attachments'] as Obj[]) : [];
  delete info['attachments'];
  info['attachment_ids'] = attachments.map((a) => a['attachment_id']);
  info['attached_servers'] = attachments.map((a) => a['server_id']);
  return printDict(info, ['metadata', 'volume_image_metadata', 'attachment_ids', 'attached_servers']);
}

/** do_create: the new volume's dict, metadata's readonly lifted, links dropped. */
function createdVolume(v: Obj): string {
  const info: Obj = { ...v };
  delete info['links'];
  const meta = info['metadata'];
  if (meta !== null && typeof meta === 'object' && 'readonly' in meta) info['readonly'] = (meta as Obj)['readonly'];
  return printDict(info);
}

/** The text cinderclient would print for a successful result. */
export function printResult(verb: string, result: unknown, args: Record<string, unknown> = {}, apiVersion = MAX_API_VERSION): string {
  if (SILENT.has(verb)) return '';
  if (result === undefined || result === null) return '';
  const objs = Array.isArray(result) ? result.filter((x): x is Obj => x !== null && typeof x === 'object') : null;
  if (objs && verb === 'service-list') return serviceTable(objs, args, apiVersion);
  if (objs && verb === 'availability-zone-list') return zoneTable(objs);
  if (objs && verb === 'get-pools') return poolTables(objs, args['detail'] === true);
  if (objs) return printList(verb, objs);
  if (typeof result === 'object') {
    const o = result as Obj;
    // Some answers wrap their list: {volumes: [...]}, {pools: [...]}.
    const keys = Object.keys(o);
    if (keys.length === 1 && Array.isArray(o[keys[0]!])) return printResult(verb, o[keys[0]!], args, apiVersion);
    if (verb === 'type-create') return printList(verb, [o]);
    if (verb === 'show') return showVolume(o);
    if (verb === 'create') return createdVolume(o);
    return printDict(o);
  }
  return String(result);
}

/**
 * The request id Cinder's API returns (x-openstack-request-id), made from the
 * run's seed and the request's sequence number in the run, so a transcript
 * replays byte for byte and two runs do not share ids.
 */
export function requestId(seq: number, seed = ''): string {
  const h = createHash('sha256').update(`request:${seed}:${seq}`).digest('hex');
  return `req-${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16]!, 16) % 4]!}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** str() of cinderclient's ClientException: `<message> (HTTP <code>) (Request-ID: req-...)`. */
function clientException(message: string, http: number | null, reqId?: string): string {
  return `${message}${http ? ` (HTTP ${http})` : ''}${reqId ? ` (Request-ID: ${reqId})` : ''}`;
}

/**
 * What cinderclient prints for one command line, answer by answer: a
 * printer per command, fed each request's answer in order, then asked for
 * what the shell prints once every request is done.
 */
export interface ClientPrinter {
  /** The lines one answer prints ('' for none). */
  answer(req: CinderRequest, r: ApiResult, seq: number): string;
  /** The lines printed after the last answer: the CommandError of a command whose every resource failed. */
  end(): string;
}

/** `seed`: the run's root seed, for the Request-IDs of refused requests. */
export function clientPrinter(cmd: ParsedCommand, seed = ''): ClientPrinter {
  const each = perResource[cmd.command];
  let answers = 0;
  let failures = 0;
  const named = (req: CinderRequest): string => {
    const v = each ? (req as unknown as Obj)[each.arg] : undefined;
    return typeof v === 'string' ? v : '';
  };
  // A name cinderclient could not resolve (utils.find_resource) is its own
  // CommandError: no HTTP status, no request id.
  const failure = (r: Extract<ApiResult, { ok: false }>, seq: number): string =>
    r.error === 'CommandError' ? clientException(r.message, null) : clientException(r.message, r.http, requestId(seq, seed));
  return {
    answer(req, r, seq) {
      answers++;
      if (!r.ok) failures++;
      if (each) {
        if (r.ok) return each.accepted ? `Request to delete ${each.noun} ${named(req)} has been accepted.` : '';
        return `Delete for ${each.noun} ${named(req)} failed: ${failure(r, seq)}`;
      }
      if (r.ok) return printResult(req.verb, r.result, cmd.args, cmd.apiVersion);
      return `ERROR: ${failure(r, seq)}`;
    },
    end() {
      return each && answers > 0 && failures === answers ? `ERROR: ${each.none}` : '';
    },
  };
}

/**
 * The connection info cinder-volume returned for an attach (os-initialize_connection):
 * what Nova's os-brick receives.  novaclient does not print it; cinder-sim shows
 * it because it is where the target portal (target_ip_address:target_port), the
 * IQN and the CHAP credentials of an LVM/iSCSI backend become visible.
 */
export function connectionInfoTable(info: unknown): string {
  if (info === null || typeof info !== 'object') return '';
  const ci = info as { driver_volume_type?: unknown; data?: unknown };
  const data = ci.data !== null && typeof ci.data === 'object' ? (ci.data as Obj) : {};
  return `connection_info (os-initialize_connection, as cinder-volume returned it):\n${printDict({ driver_volume_type: ci.driver_volume_type ?? null, ...data })}`;
}

/** An error as cinderclient's main prints it: `ERROR: <message> (HTTP <code>) (Request-ID: req-...)`. */
export function printError(message: string, http: number | null, reqId?: string): string {
  return `ERROR: ${clientException(message, http, reqId)}`;
}

/** Top-level scalar fields of a result, for `${step.field}` references. */
export function resultFields(result: unknown): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return out;
  for (const [k, v] of Object.entries(result as Obj)) {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}
