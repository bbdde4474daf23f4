import { z } from 'zod';
import type { ApiError } from '../exception.js';
import { compareVersions, MIN_API_VERSION, parseApiVersion } from './version.js';

/**
 * The requests a user can make, one per cinder CLI verb, with the names
 * and arguments as python-cinderclient takes them (a volume, snapshot,
 * backup, type or transfer is named by id or by name, as on the command
 * line; the api resolves it as cinderclient does).  The registry is this
 * one map: the verb names, the union type and the "unknown verb" list all
 * derive from it.
 */
const nameOrId = z.string().min(1);
const meta = z.record(z.string(), z.string());

export const requestSchemas = {
  create: z.object({
    verb: z.literal('create'),
    size: z.union([z.number(), z.string()]).optional(),
    name: z.string().optional(),
    description: z.string().optional(),
    volume_type: z.string().optional(),
    availability_zone: z.string().optional(),
    snapshot_id: nameOrId.optional(),
    source_volid: nameOrId.optional(),
    backup_id: nameOrId.optional(),
    image_id: nameOrId.optional(),
    metadata: meta.optional(),
    /** The removed `multiattach` parameter: passing it at all is refused (use a multiattach type). */
    multiattach: z.boolean().optional(),
  }),
  delete: z.object({ verb: z.literal('delete'), volume: nameOrId, cascade: z.boolean().optional(), force: z.boolean().optional() }),
  show: z.object({ verb: z.literal('show'), volume: nameOrId }),
  list: z.object({ verb: z.literal('list'), all_tenants: z.boolean().optional() }),
  extend: z.object({ verb: z.literal('extend'), volume: nameOrId, new_size: z.union([z.number(), z.string()]) }),
  retype: z.object({
    verb: z.literal('retype'),
    volume: nameOrId,
    volume_type: z.string(),
    migration_policy: z.enum(['never', 'on-demand']).optional(),
  }),
  attach: z.object({
    verb: z.literal('attach'),
    volume: nameOrId,
    /** The connector's host (the compute node). */
    host: z.string().default('compute'),
    instance_uuid: z.string().optional(),
    mountpoint: z.string().optional(),
  }),
  detach: z.object({ verb: z.literal('detach'), volume: nameOrId, attachment_id: z.string().optional() }),
  'snapshot-create': z.object({
    verb: z.literal('snapshot-create'),
    volume: nameOrId,
    name: z.string().optional(),
    description: z.string().optional(),
    force: z.boolean().optional(),
  }),
  'snapshot-delete': z.object({ verb: z.literal('snapshot-delete'), snapshot: nameOrId, force: z.boolean().optional() }),
  'snapshot-list': z.object({ verb: z.literal('snapshot-list') }),
  'snapshot-show': z.object({ verb: z.literal('snapshot-show'), snapshot: nameOrId }),
  'type-create': z.object({
    verb: z.literal('type-create'),
    name: z.string(),
    description: z.string().optional(),
    is_public: z.boolean().optional(),
  }),
  'type-key': z.object({
    verb: z.literal('type-key'),
    vtype: nameOrId,
    action: z.string(),
    /** For set: key=value pairs; for unset: the keys (values ignored). */
    specs: meta,
  }),
  'type-delete': z.object({ verb: z.literal('type-delete'), vtype: nameOrId }),
  'type-list': z.object({ verb: z.literal('type-list') }),
  'type-access-add': z.object({ verb: z.literal('type-access-add'), vtype: nameOrId, project_id: z.string() }),
  'transfer-create': z.object({
    verb: z.literal('transfer-create'),
    volume: nameOrId,
    name: z.string().optional(),
    no_snapshots: z.boolean().optional(),
  }),
  'transfer-accept': z.object({ verb: z.literal('transfer-accept'), transfer: z.string(), auth_key: z.string() }),
  'transfer-delete': z.object({ verb: z.literal('transfer-delete'), transfer: nameOrId }),
  'transfer-list': z.object({ verb: z.literal('transfer-list') }),
  'backup-create': z.object({
    verb: z.literal('backup-create'),
    volume: nameOrId,
    name: z.string().optional(),
    incremental: z.boolean().optional(),
    force: z.boolean().optional(),
    snapshot_id: nameOrId.optional(),
  }),
  'backup-restore': z.object({ verb: z.literal('backup-restore'), backup: nameOrId, volume: nameOrId.optional(), name: z.string().optional() }),
  'backup-delete': z.object({ verb: z.literal('backup-delete'), backup: nameOrId, force: z.boolean().optional() }),
  'backup-list': z.object({ verb: z.literal('backup-list') }),
  'backup-show': z.object({ verb: z.literal('backup-show'), backup: nameOrId }),
  'service-list': z.object({ verb: z.literal('service-list'), host: z.string().optional(), binary: z.string().optional() }),
  'service-disable': z.object({ verb: z.literal('service-disable'), host: z.string(), binary: z.string(), reason: z.string().optional() }),
  'service-enable': z.object({ verb: z.literal('service-enable'), host: z.string(), binary: z.string() }),
  'availability-zone-list': z.object({ verb: z.literal('availability-zone-list') }),
  'get-pools': z.object({ verb: z.literal('get-pools'), detail: z.boolean().optional() }),
  'quota-show': z.object({ verb: z.literal('quota-show'), project_id: z.string().optional() }),
  'quota-usage': z.object({ verb: z.literal('quota-usage'), project_id: z.string().optional() }),
  'quota-update': z.object({
    verb: z.literal('quota-update'),
    project_id: z.string(),
    volumes: z.number().int().optional(),
    snapshots: z.number().int().optional(),
    gigabytes: z.number().int().optional(),
    backups: z.number().int().optional(),
    backup_gigabytes: z.number().int().optional(),
    per_volume_gigabytes: z.number().int().optional(),
  }),
  'message-list': z.object({ verb: z.literal('message-list') }),
} as const;

export type Verb = keyof typeof requestSchemas;
export const verbs = Object.keys(requestSchemas) as Verb[];
export type RequestOf<V extends Verb> = z.input<(typeof requestSchemas)[V]>;
export type ParsedRequestOf<V extends Verb> = z.output<(typeof requestSchemas)[V]>;
export type CinderRequest = { [V in Verb]: RequestOf<V> }[Verb];
export type ParsedRequest = { [V in Verb]: ParsedRequestOf<V> }[Verb];

/** Who makes a request (a keystone token's project, user and role). */
export interface RequestContext {
  project_id: string;
  user_id?: string;
  is_admin?: boolean;
  /**
   * The microversion the request names (the OpenStack-API-Version header):
   * what cinderclient negotiated, 3.70 unless told otherwise.  A request
   * that names none is served as 3.0, as Cinder serves it.
   */
  api_version?: string;
}

/** Whether the request's microversion is at least `min` ("3.42"): Cinder's req_version.matches(min). */
export function atLeast(ctx: RequestContext, min: string): boolean {
  const have = parseApiVersion(ctx.api_version ?? MIN_API_VERSION);
  const want = parseApiVersion(min);
  return have !== null && want !== null && compareVersions(have, want) >= 0;
}

export type { ApiError };

export type ApiResult = { ok: true; result: unknown } | ({ ok: false } & ApiError);

/** One request's outcome, as recorded by the cloud. */
export type Outcome = {
  seq: number;
  /** Virtual time the request was made, and the time it was answered. */
  atMs: number;
  answeredAtMs: number;
  context: RequestContext;
  request: CinderRequest;
} & ApiResult;

/** Parse an incoming request; a bad shape becomes a 400 outcome, never an exception. */
export function parseRequest(req: unknown): { ok: true; value: ParsedRequest } | ({ ok: false } & ApiError) {
  const verb = (req as { verb?: unknown } | null)?.verb;
  if (typeof verb !== 'string' || !(verb in requestSchemas)) {
    return { ok: false, http: 400, error: 'InvalidInput', message: `Invalid input received: unknown verb '${String(verb)}'; valid: ${verbs.join(', ')}` };
  }
  const r = requestSchemas[verb as Verb].safeParse(req);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return { ok: false, http: 400, error: 'ValidationError', message: `Invalid input for field/attribute ${issue.path.join('.')}. ${issue.message}` };
  }
  return { ok: true, value: r.data as ParsedRequest };
}
