/**
 * cinder-api.  Entry point for callers (the scenario runner, tests):
 *
 *   const api = new CinderApi(ports, options, directory, images);
 *   api.handle(context, request, (result) => ...);   // result: ApiResult (data, never thrown)
 *
 * Most verbs answer at once; attach, transfer-accept and get-pools answer
 * after a synchronous RPC call (or its timeout).  Requests are the typed
 * objects of ./requests.ts, one per cinder CLI verb, naming resources as
 * the CLI does (id or name; resolved like python-cinderclient).
 * Every service of a topology is built by sim/cinder/cloud (`new Cloud`);
 * in the simulator, sim/harness/simulated-cloud.ts (buildCloud,
 * SimulatedCloud) wires it to an engine World.
 */
import type { ServicePorts } from '../../ports/service.js';
import type { ServiceDefaults } from '../config/resolved.js';
import type { ServiceDirectory } from '../service/index.js';
import { createBackup, deleteBackup, listBackups, restoreBackup, showBackup } from './backups.js';
import { ApiCore, type GlanceImage } from './core.js';
import type { Handler } from './handler.js';
import { checkApiVersion } from './version.js';
import { parseRequest, type ApiResult, type RequestContext, type Verb } from './requests.js';
import { disableService, enableService, getPools, listMessages, listServices, listZones, quotaUsage, showQuota, updateQuota } from './services.js';
import { createSnapshot, deleteSnapshot, listSnapshots, showSnapshot } from './snapshots.js';
import { acceptTransfer, createTransfer, deleteTransfer, listTransfers } from './transfers.js';
import { createType, deleteType, listTypes, typeAccessAdd, typeKey } from './types.js';
import { attachVolume, createVolume, deleteVolume, detachVolume, extendVolume, listVolumes, retypeVolume, showVolume } from './volumes.js';

export const handlers: { [V in Verb]: Handler<V> } = {
  create: createVolume,
  delete: deleteVolume,
  show: showVolume,
  list: listVolumes,
  extend: extendVolume,
  retype: retypeVolume,
  attach: attachVolume,
  detach: detachVolume,
  'snapshot-create': createSnapshot,
  'snapshot-delete': deleteSnapshot,
  'snapshot-list': listSnapshots,
  'snapshot-show': showSnapshot,
  'type-create': createType,
  'type-key': typeKey,
  'type-delete': deleteType,
  'type-list': listTypes,
  'type-access-add': typeAccessAdd,
  'transfer-create': createTransfer,
  'transfer-accept': acceptTransfer,
  'transfer-delete': deleteTransfer,
  'transfer-list': listTransfers,
  'backup-create': createBackup,
  'backup-restore': restoreBackup,
  'backup-delete': deleteBackup,
  'backup-list': listBackups,
  'backup-show': showBackup,
  'service-list': listServices,
  'service-disable': disableService,
  'service-enable': enableService,
  'availability-zone-list': listZones,
  'get-pools': getPools,
  'quota-show': showQuota,
  'quota-usage': quotaUsage,
  'quota-update': updateQuota,
  'message-list': listMessages,
};

export class CinderApi {
  readonly core: ApiCore;

  constructor(ports: ServicePorts, opts: ServiceDefaults, directory: ServiceDirectory, images: ReadonlyMap<string, GlanceImage>) {
    this.core = new ApiCore(ports, opts, directory, images);
  }

  /** Validate and run one request; the answer (success or Cinder's error) comes through `done`. */
  handle(ctx: RequestContext, request: unknown, done: (r: ApiResult) => void): void {
    // The version header is read before the body (wsgi.Resource.__call__).
    const versionError = checkApiVersion(ctx.api_version);
    if (versionError) return done({ ok: false, ...versionError });
    const parsed = parseRequest(request);
    if (!parsed.ok) {
      const { ok: _ok, ...e } = parsed;
      return done({ ok: false, ...e });
    }
    const req = parsed.value;
    (handlers[req.verb] as Handler<typeof req.verb>)(this.core, ctx, req as never, done);
  }

  /** Create the initial `__DEFAULT__` type, as the first DB migration does. */
  bootstrap(): void {
    const t = this.core.types;
    if (t.list((x) => x.name === '__DEFAULT__').length === 0) {
      t.insert({ id: this.core.uuid(), name: '__DEFAULT__', description: 'Default Volume Type', is_public: true, extra_specs: {}, projects: [] });
    }
  }
}

export * from './requests.js';
export { MAX_API_VERSION, MIN_API_VERSION, mv, parseApiVersion, compareVersions } from './version.js';
export { resolveVolume, resolveSnapshot, resolveBackup, isoUtc, type GlanceImage } from './core.js';
export { serviceList, type ServiceListRow } from './services.js';
