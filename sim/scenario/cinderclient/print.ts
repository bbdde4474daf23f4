/**
 * What cinderclient prints: prettytable boxes.  A single object prints as
 * Property | Value rows (utils.print_dict), a list as one row per item with
 * the command's columns (utils.print_list).
 */

type Obj = Record<string, unknown>;

/** The columns cinderclient's shell prints per list command: [result key, header]. */
const listColumns: Record<string, readonly (readonly [string, string])[]> = {
  list: [['id', 'ID'], ['status', 'Status'], ['name', 'Name'], ['size', 'Size'], ['volume_type', 'Volume Type'], ['bootable', 'Bootable'], ['availability_zone', 'Availability Zone'], ['os-vol-host-attr:host', 'Host']],
  'snapshot-list': [['id', 'ID'], ['volume_id', 'Volume ID'], ['status', 'Status'], ['name', 'Name'], ['size', 'Size']],
  'backup-list': [['id', 'ID'], ['volume_id', 'Volume ID'], ['status', 'Status'], ['name', 'Name'], ['size', 'Size'], ['object_count', 'Object Count'], ['container', 'Container']],
  'transfer-list': [['id', 'ID'], ['volume_id', 'Volume ID'], ['name', 'Name']],
  'type-list': [['id', 'ID'], ['name', 'Name'], ['description', 'Description'], ['is_public', 'Is_Public']],
  'service-list': [['binary', 'Binary'], ['host', 'Host'], ['zone', 'Zone'], ['status', 'Status'], ['state', 'State'], ['updated_at', 'Updated_at'], ['disabled_reason', 'Disabled Reason']],
  'get-pools': [['name', 'Name']],
  'message-list': [['id', 'ID'], ['resource_id', 'Resource ID'], ['event_id', 'Event ID'], ['user_message', 'User Message']],
};

function cellText(v: unknown): string {
  if (v === null || v === undefined) return v === null ? 'None' : '-';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function box(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const line = (cells: readonly string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [rule, line(header), rule, ...rows.map(line), rule].join('\n');
}

function dictTable(o: Obj): string {
  const keys = Object.keys(o).sort();
  return box(['Property', 'Value'], keys.map((k) => [k, cellText(o[k])]));
}

function listTable(verb: string, items: readonly Obj[]): string {
  const wanted = listColumns[verb];
  const first = items[0] ?? {};
  const cols: readonly (readonly [string, string])[] = wanted ? wanted.filter(([k]) => items.length === 0 || items.some((i) => k in i)) : Object.keys(first).slice(0, 8).map((k) => [k, k] as const);
  if (cols.length === 0) return box(['(empty)'], []);
  return box(cols.map(([, h]) => h), items.map((i) => cols.map(([k]) => cellText(i[k]))));
}

/** cinderclient's availability-zone-list: Name | Status. */
function zoneTable(items: readonly Obj[]): string {
  return box(['Name', 'Status'], items.map((z) => [cellText(z['zoneName']), (z['zoneState'] as { available?: boolean } | undefined)?.available ? 'available' : 'not available']));
}

/** cinderclient's get-pools --detail: one Property | Value table per pool, capabilities flattened. */
function poolDetail(items: readonly Obj[]): string {
  return items.map((p) => dictTable({ name: p['name'], ...((p['capabilities'] as Obj | undefined) ?? {}) })).join('\n');
}

/** The text cinderclient would print for a successful result. */
export function printResult(verb: string, result: unknown, args: Record<string, unknown> = {}): string {
  if (result === undefined || result === null) return '';
  const objs = Array.isArray(result) ? result.filter((x): x is Obj => x !== null && typeof x === 'object') : null;
  if (objs && verb === 'availability-zone-list') return zoneTable(objs);
  if (objs && verb === 'get-pools' && args['detail'] === true) return poolDetail(objs);
  if (Array.isArray(result)) return listTable(verb, result.filter((x): x is Obj => x !== null && typeof x === 'object'));
  if (typeof result === 'object') {
    const o = result as Obj;
    // Some answers wrap their list: {volumes: [...]}, {pools: [...]}.
    const keys = Object.keys(o);
    if (keys.length === 1 && Array.isArray(o[keys[0]!])) return printResult(verb, o[keys[0]!]);
    return dictTable(o);
  }
  return String(result);
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
  return `connection_info (os-initialize_connection, as cinder-volume returned it):\n${dictTable({ driver_volume_type: ci.driver_volume_type ?? null, ...data })}`;
}

/** An error as cinderclient prints it: `ERROR: <message> (HTTP <code>)`. */
export function printError(message: string, http: number | null): string {
  return `ERROR: ${message}${http ? ` (HTTP ${http})` : ''}`;
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
