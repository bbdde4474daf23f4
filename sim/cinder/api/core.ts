import type { ServicePorts } from '../../ports/service.js';
import type { Row, Table } from '../../ports/store.js';
import type { ServiceDefaults } from '../config/resolved.js';
import type { ServiceDirectory } from '../service/index.js';
import {
  table,
  type AttachmentRow,
  type BackupRow,
  type MessageRow,
  type ServiceRow,
  type SnapshotRow,
  type TransferRow,
  type VolumeRow,
  type VolumeTypeRow,
} from '../db/index.js';
import type { QuotaDefaults } from '../quota.js';
import type { ApiError, ApiResult, RequestContext } from './requests.js';

/** An image as the API reads it from Glance (cinder/image/glance.py): what create-from-image checks. */
export interface GlanceImage {
  id: string;
  name?: string;
  size_bytes: number;
  min_disk: number;
  /** Image property cinder_img_volume_type. */
  cinder_img_volume_type?: string;
}

const HEX_CODES = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));
const VARIANT_CODES = [...'89ab'].map((c) => c.charCodeAt(0));
const DASH = '-'.charCodeAt(0);
const FOUR = '4'.charCodeAt(0);

/** What every API handler works with: the API node's ports and options, the shared DB and lookups. */
export class ApiCore {
  /** The AZ cache (per API worker), with the virtual time it was filled. */
  azCache: { names: Set<string>; filledMono: number } | null = null;

  constructor(
    readonly ports: ServicePorts,
    readonly opts: ServiceDefaults,
    readonly directory: ServiceDirectory,
    readonly images: ReadonlyMap<string, GlanceImage>,
  ) {}

  get volumes(): Table<VolumeRow> {
    return table(this.ports.store, 'volumes');
  }
  get snapshots(): Table<SnapshotRow> {
    return table(this.ports.store, 'snapshots');
  }
  get backups(): Table<BackupRow> {
    return table(this.ports.store, 'backups');
  }
  get transfers(): Table<TransferRow> {
    return table(this.ports.store, 'transfers');
  }
  get types(): Table<VolumeTypeRow> {
    return table(this.ports.store, 'volumeTypes');
  }
  get services(): Table<ServiceRow> {
    return table(this.ports.store, 'services');
  }
  get attachments(): Table<AttachmentRow> {
    return table(this.ports.store, 'attachments');
  }
  get messages(): Table<MessageRow> {
    return table(this.ports.store, 'messages');
  }

  get quotaDefaults(): QuotaDefaults {
    const o = this.opts;
    return {
      volumes: o.quota_volumes,
      snapshots: o.quota_snapshots,
      gigabytes: o.quota_gigabytes,
      backups: o.quota_backups,
      backup_gigabytes: o.quota_backup_gigabytes,
      per_volume_gigabytes: o.per_volume_size_limit,
    };
  }

  /**
   * A random UUID (version 4 layout) from the API's stream, so runs replay.
   * Built from its character codes in one flat string: a string grown one
   * digit at a time is a chain of V8 cons strings, several hundred bytes
   * for every row and message that keeps the id.
   */
  uuid(): string {
    // The variant digit is drawn first, as it always was.
    const variant = VARIANT_CODES[this.ports.rng.int(0, 3)]!;
    const codes: number[] = [];
    const hex = (n: number): void => {
      for (let i = 0; i < n; i++) codes.push(HEX_CODES[this.ports.rng.int(0, 15)]!);
    };
    hex(8);
    codes.push(DASH);
    hex(4);
    codes.push(DASH, FOUR);
    hex(3);
    codes.push(DASH, variant);
    hex(3);
    codes.push(DASH);
    hex(12);
    return String.fromCharCode(...codes);
  }

  hex(n: number): string {
    const codes: number[] = [];
    for (let i = 0; i < n; i++) codes.push(HEX_CODES[this.ports.rng.int(0, 15)]!);
    return String.fromCharCode(...codes);
  }

  typeName(typeId: string): string {
    return this.types.get(typeId)?.name ?? typeId;
  }

  /** Types the caller can see: public ones, private ones shared with its project, all for admins. */
  typeVisible(t: VolumeTypeRow, ctx: RequestContext): boolean {
    return !t.deleted && (t.is_public || isAdmin(ctx) || t.projects.includes(ctx.project_id));
  }

  /** VolumeType.get_by_name_or_id. */
  findType(nameOrId: string, ctx: RequestContext): VolumeTypeRow | undefined {
    const byId = this.types.get(nameOrId);
    if (byId && this.typeVisible(byId, ctx)) return byId;
    return this.types.list((t) => t.name === nameOrId && this.typeVisible(t, ctx))[0];
  }

  defaultType(): VolumeTypeRow | undefined {
    return this.types.list((t) => t.name === this.opts.default_volume_type)[0];
  }

  nowWall(): number {
    return this.ports.clock.wallNow();
  }
}

/** Whether the caller has the admin role; a context that does not say is an admin (the CLI notes use keystone_admin). */
export function isAdmin(ctx: RequestContext): boolean {
  return ctx.is_admin !== false;
}

export const ok = (result: unknown = null): ApiResult => ({ ok: true, result });
export const err = (e: ApiError): ApiResult => ({ ok: false, ...e });

export const E = {
  invalidVolume: (reason: string): ApiError => ({ http: 400, error: 'InvalidVolume', message: `Invalid volume: ${reason}` }),
  invalidSnapshot: (reason: string): ApiError => ({ http: 400, error: 'InvalidSnapshot', message: `Invalid snapshot: ${reason}` }),
  invalidBackup: (reason: string): ApiError => ({ http: 400, error: 'InvalidBackup', message: `Invalid backup: ${reason}` }),
  invalidInput: (reason: string): ApiError => ({ http: 400, error: 'InvalidInput', message: `Invalid input received: ${reason}` }),
  badRequest: (message: string): ApiError => ({ http: 400, error: 'HTTPBadRequest', message }),
  forbidden: (action: string): ApiError => ({ http: 403, error: 'PolicyNotAuthorized', message: `Policy doesn't allow ${action} to be performed.` }),
  volumeNotFound: (id: string): ApiError => ({ http: 404, error: 'VolumeNotFound', message: `Volume ${id} could not be found.` }),
  snapshotNotFound: (id: string): ApiError => ({ http: 404, error: 'SnapshotNotFound', message: `Snapshot ${id} could not be found.` }),
  backupNotFound: (id: string): ApiError => ({ http: 404, error: 'BackupNotFound', message: `Backup ${id} could not be found.` }),
  transferNotFound: (id: string): ApiError => ({ http: 404, error: 'TransferNotFound', message: `Transfer ${id} could not be found.` }),
  typeNotFoundByName: (name: string): ApiError => ({ http: 404, error: 'VolumeTypeNotFoundByName', message: `Volume type with name ${name} could not be found.` }),
  typeNotFound: (id: string): ApiError => ({ http: 404, error: 'VolumeTypeNotFound', message: `Volume type ${id} could not be found.` }),
  imageNotFound: (id: string): ApiError => ({ http: 404, error: 'ImageNotFound', message: `Image ${id} could not be found.` }),
  /** cinderclient's utils.find_resource, before any request reaches the API. */
  noMatch: (kind: string, nameOrId: string): ApiError => ({ http: 404, error: 'CommandError', message: `No ${kind} with a name or ID of '${nameOrId}' exists.` }),
  multipleMatches: (kind: string, nameOrId: string): ApiError => ({
    http: 409,
    error: 'CommandError',
    message: `Multiple ${kind} matches found for '${nameOrId}', use an ID to be more specific.`,
  }),
};

/** oslo's uuidutils.is_uuid_like, which the API schemas' 'uuid' format uses: 32 hex digits, hyphens and braces aside. */
export function isUuidLike(s: string): boolean {
  const bare = s.toLowerCase().replace(/^urn:/, '').replace(/^uuid:/, '').replace(/[{}-]/g, '');
  return /^[0-9a-f]{32}$/.test(bare);
}

/**
 * A field the API schema types as parameter_types.optional_uuid (a UUID or
 * null): anything else is the 400 of cinder/api/validation.
 */
export function optionalUuidError(field: string, value: string | undefined): ApiError | null {
  if (value === undefined || isUuidLike(value)) return null;
  return { http: 400, error: 'ValidationError', message: `Invalid input for field/attribute ${field}. Value: ${value}. '${value}' is not valid under any of the given schemas` };
}

/** A row by id only (what the API does with an id field of a request body): deleted or hidden rows are not found. */
export function getVisible<T extends Row>(table: Table<T>, id: string, visible: (row: T) => boolean): T | undefined {
  const row = table.get(id);
  return row && !row.deleted && visible(row) ? row : undefined;
}

/** cinderclient's find_resource: by id, then by unique name, among what the caller can see. */
export function resolveByNameOrId<T extends Row>(
  table: Table<T>,
  nameOrId: string,
  visible: (row: T) => boolean,
  nameOf: (row: T) => string | null,
  kind: string,
): { ok: true; row: T } | { ok: false; error: ApiError } {
  const byId = table.get(nameOrId);
  if (byId && !byId.deleted && visible(byId)) return { ok: true, row: byId };
  const named = table.list((r) => visible(r) && nameOf(r) === nameOrId);
  if (named.length === 1) return { ok: true, row: named[0]! };
  if (named.length > 1) return { ok: false, error: E.multipleMatches(kind, nameOrId) };
  return { ok: false, error: E.noMatch(kind, nameOrId) };
}

export function resolveVolume(core: ApiCore, ctx: RequestContext, nameOrId: string) {
  return resolveByNameOrId(core.volumes, nameOrId, (v) => isAdmin(ctx) || v.project_id === ctx.project_id, (v) => v.display_name, 'volume');
}

export function resolveSnapshot(core: ApiCore, ctx: RequestContext, nameOrId: string) {
  return resolveByNameOrId(core.snapshots, nameOrId, (s) => isAdmin(ctx) || s.project_id === ctx.project_id, (s) => s.display_name, 'snapshot');
}

export function resolveBackup(core: ApiCore, ctx: RequestContext, nameOrId: string) {
  return resolveByNameOrId(core.backups, nameOrId, (b) => isAdmin(ctx) || b.project_id === ctx.project_id, (b) => b.display_name, 'volumebackup');
}

/** ISO 8601 as Cinder prints datetimes (no Date: civil-from-days by hand). */
export function isoUtc(wallMs: number): string {
  const ms = Math.floor(wallMs);
  const days = Math.floor(ms / 86_400_000);
  let rem = ms - days * 86_400_000;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const hh = Math.floor(rem / 3_600_000);
  rem -= hh * 3_600_000;
  const mm = Math.floor(rem / 60_000);
  rem -= mm * 60_000;
  const ss = Math.floor(rem / 1000);
  const frac = rem - ss * 1000;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(y, 4)}-${p(m)}-${p(d)}T${p(hh)}:${p(mm)}:${p(ss)}.${p(frac * 1000, 6)}`;
}
