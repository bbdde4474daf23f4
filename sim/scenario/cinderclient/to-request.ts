import type { CinderRequest } from '../../cinder/api/requests.js';
import { compareVersions, parseApiVersion } from '../../cinder/api/version.js';
import { unsupportedAttribute, type ParsedCommand } from './parse.js';

/**
 * What a parsed command line asks the API for: the requests cinderclient
 * would send (one per named resource for `delete a b c`), or the client's
 * own refusal before any request (cinderclient's CommandError).
 */
export type ClientPlan = { ok: true; requests: CinderRequest[] } | { ok: false; error: string };

type Args = ParsedCommand['args'];

const str = (a: Args, k: string): string | undefined => {
  const v = a[k];
  return typeof v === 'string' ? v : undefined;
};
const bool = (a: Args, k: string): boolean | undefined => {
  const v = a[k];
  return typeof v === 'boolean' ? v : undefined;
};
const list = (a: Args, k: string): string[] => {
  const v = a[k];
  return Array.isArray(v) ? v : [];
};

/** Whether a negotiated version ("3.70") is at least `min`. */
function atLeastVersion(version: string, min: string): boolean {
  return compareVersions(parseApiVersion(version)!, parseApiVersion(min)!) >= 0;
}

/** `k=v` words into a dict, as cinderclient's _extract_metadata does (a bare key maps to ''). */
export function keyValues(words: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq < 0) out[w] = '';
    else out[w.slice(0, eq)] = w.slice(eq + 1);
  }
  return out;
}

/** Drop keys whose value is undefined, so requests read as the user wrote them. */
function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function planRequests(cmd: ParsedCommand): ClientPlan {
  const a = cmd.args;
  const one = (r: CinderRequest): ClientPlan => ({ ok: true, requests: [clean(r)] });
  if (cmd.program === 'nova') {
    if (cmd.command === 'volume-attach') {
      return one({ verb: 'attach', volume: str(a, 'volume')!, host: 'compute', instance_uuid: str(a, 'server'), mountpoint: str(a, 'device') });
    }
    return one({ verb: 'detach', volume: str(a, 'volume')! });
  }
  switch (cmd.command) {
    case 'create': {
      const size = str(a, 'size');
      if (size === undefined && !str(a, 'snapshot_id') && !str(a, 'source_volid') && !str(a, 'backup_id')) {
        return { ok: false, error: 'ERROR: Size is a required parameter if snapshot or source volume or backup is not specified.' };
      }
      const metadata = list(a, 'metadata');
      return one({
        verb: 'create',
        size: size === undefined ? undefined : /^\d+$/.test(size) ? Number(size) : size,
        name: str(a, 'name'),
        description: str(a, 'description'),
        volume_type: str(a, 'volume_type'),
        availability_zone: str(a, 'availability_zone'),
        snapshot_id: str(a, 'snapshot_id'),
        source_volid: str(a, 'source_volid'),
        backup_id: str(a, 'backup_id'),
        image_id: str(a, 'image'),
        metadata: metadata.length ? keyValues(metadata) : undefined,
      });
    }
    case 'delete':
    case 'force-delete':
      return {
        ok: true,
        requests: list(a, 'volumes').map((volume) => clean<CinderRequest>({ verb: 'delete', volume, cascade: bool(a, 'cascade'), force: cmd.command === 'force-delete' ? true : undefined })),
      };
    case 'list':
      return one({ verb: 'list', all_tenants: a['all_tenants'] === undefined ? undefined : Boolean(a['all_tenants']) });
    case 'show':
      return one({ verb: 'show', volume: str(a, 'volume')! });
    case 'extend': {
      const n = str(a, 'new_size')!;
      return one({ verb: 'extend', volume: str(a, 'volume')!, new_size: /^\d+$/.test(n) ? Number(n) : n });
    }
    case 'retype':
      return one({ verb: 'retype', volume: str(a, 'volume')!, volume_type: str(a, 'new_type')!, migration_policy: str(a, 'migration_policy') as 'never' | 'on-demand' | undefined });
    case 'snapshot-create': {
      // Up to 3.65 the client always sends force (False unless --force); from
      // 3.66 it sends none, silently drops a true one and refuses a false one.
      const force = bool(a, 'force');
      if (!atLeastVersion(cmd.apiVersion, '3.66')) return one({ verb: 'snapshot-create', volume: str(a, 'volume')!, name: str(a, 'name'), description: str(a, 'description'), force: force ?? false });
      if (force === false) return { ok: false, error: `ERROR: ${unsupportedAttribute('force', undefined, '3.65')}` };
      return one({ verb: 'snapshot-create', volume: str(a, 'volume')!, name: str(a, 'name'), description: str(a, 'description') });
    }
    case 'snapshot-delete':
      return { ok: true, requests: list(a, 'snapshots').map((snapshot) => clean<CinderRequest>({ verb: 'snapshot-delete', snapshot, force: bool(a, 'force') })) };
    case 'snapshot-list':
      return one({ verb: 'snapshot-list' });
    case 'snapshot-show':
      return one({ verb: 'snapshot-show', snapshot: str(a, 'snapshot')! });
    case 'backup-create':
      return one({ verb: 'backup-create', volume: str(a, 'volume')!, name: str(a, 'name'), incremental: bool(a, 'incremental'), force: bool(a, 'force'), snapshot_id: str(a, 'snapshot_id') });
    case 'backup-restore':
      return one({ verb: 'backup-restore', backup: str(a, 'backup')!, volume: str(a, 'volume'), name: str(a, 'name') });
    case 'backup-delete':
      return { ok: true, requests: list(a, 'backups').map((backup) => clean<CinderRequest>({ verb: 'backup-delete', backup, force: bool(a, 'force') })) };
    case 'backup-list':
      return one({ verb: 'backup-list' });
    case 'backup-show':
      return one({ verb: 'backup-show', backup: str(a, 'backup')! });
    case 'transfer-create':
      return one({ verb: 'transfer-create', volume: str(a, 'volume')!, name: str(a, 'name'), no_snapshots: bool(a, 'no_snapshots') });
    case 'transfer-accept':
      return one({ verb: 'transfer-accept', transfer: str(a, 'transfer')!, auth_key: str(a, 'auth_key')! });
    case 'transfer-delete':
      return one({ verb: 'transfer-delete', transfer: str(a, 'transfer')! });
    case 'transfer-list':
      return one({ verb: 'transfer-list' });
    case 'type-create': {
      const pub = str(a, 'is_public');
      return one({ verb: 'type-create', name: str(a, 'name')!, description: str(a, 'description'), is_public: pub === undefined ? undefined : /^(true|1|yes|on)$/i.test(pub) });
    }
    case 'type-key':
      return one({ verb: 'type-key', vtype: str(a, 'vtype')!, action: str(a, 'action')!, specs: keyValues(list(a, 'metadata')) });
    case 'type-list':
      return one({ verb: 'type-list' });
    case 'type-delete':
      return { ok: true, requests: list(a, 'vol_types').map((vtype) => ({ verb: 'type-delete', vtype }) as CinderRequest) };
    case 'type-access-add':
      return one({ verb: 'type-access-add', vtype: str(a, 'vtype')!, project_id: str(a, 'project_id')! });
    case 'service-list':
      return one({ verb: 'service-list', host: str(a, 'host'), binary: str(a, 'binary') });
    case 'service-enable':
      return one({ verb: 'service-enable', host: str(a, 'host')!, binary: str(a, 'binary')! });
    case 'service-disable':
      return one({ verb: 'service-disable', host: str(a, 'host')!, binary: str(a, 'binary')!, reason: str(a, 'reason') });
    case 'availability-zone-list':
      return one({ verb: 'availability-zone-list' });
    case 'get-pools':
      return one({ verb: 'get-pools', detail: bool(a, 'detail') });
    case 'quota-show':
      return one({ verb: 'quota-show', project_id: str(a, 'tenant') });
    case 'quota-usage':
      return one({ verb: 'quota-usage', project_id: str(a, 'tenant') });
    case 'quota-update': {
      const n = (k: string): number | undefined => {
        const v = str(a, k);
        return v === undefined ? undefined : Number(v);
      };
      return one({
        verb: 'quota-update',
        project_id: str(a, 'tenant')!,
        volumes: n('volumes'),
        snapshots: n('snapshots'),
        gigabytes: n('gigabytes'),
        backups: n('backups'),
        backup_gigabytes: n('backup_gigabytes'),
        per_volume_gigabytes: n('per_volume_gigabytes'),
      });
    }
    case 'message-list':
      return one({ verb: 'message-list' });
    default:
      return { ok: false, error: `cinder-sim does not model '${cmd.program} ${cmd.command}' yet` };
  }
}
