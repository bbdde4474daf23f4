import { limitOf, quotaRow, quotaTable } from '../quota.js';
import { SCHEDULER_TOPIC } from '../rpcapi.js';
import { isServiceUpForList } from '../service/index.js';
import { extractBackend } from '../host.js';
import { err, isoUtc, ok, type ApiCore } from './core.js';
import { atLeast } from './requests.js';
import { mv } from './version.js';
import type { Handler } from './handler.js';
import { requireAdmin } from './volumes.js';
import { listAvailabilityZones } from './zones.js';

/** One row of `cinder service-list`, judged by the API node's clock with the two-sided abs() rule. */
export interface ServiceListRow {
  binary: string;
  host: string;
  zone: string;
  status: 'enabled' | 'disabled';
  state: 'up' | 'down';
  updated_at: string | null;
  disabled_reason: string | null;
  /** The same instant in wall ms (for reports). */
  updated_at_ms: number;
}

export function serviceList(core: ApiCore, filter: { host?: string; binary?: string } = {}): ServiceListRow[] {
  const now = core.nowWall();
  // cinder-api is a WSGIService: it never runs Service.basic_config_check, so
  // its CONF.service_down_time is the configured one, not the raised one.
  const downMs = core.opts.service_down_time * 1000;
  return core.services
    .list((s) => (!filter.host || s.host === filter.host) && (!filter.binary || s.binary === filter.binary))
    .map((s) => {
      const beat = core.directory.updatedAt(s);
      const up = isServiceUpForList(beat, now, downMs);
      // The enable/disable time is shown when it is at least as close to now as the heartbeat.
      const shown = s.modified_at !== null && Math.abs(now - beat) >= Math.abs(now - s.modified_at) ? s.modified_at : beat;
      return {
        binary: s.binary,
        host: s.host,
        zone: s.availability_zone,
        status: s.disabled ? 'disabled' : 'enabled',
        state: up ? 'up' : 'down',
        updated_at: isoUtc(shown),
        disabled_reason: s.disabled_reason,
        updated_at_ms: shown,
      };
    });
}

/**
 * ServiceController.index: the rows of serviceList, plus by microversion
 * the cluster (3.7) and each cinder-volume's backend_state (3.49), which
 * the API asks the scheduler for (a synchronous get_pools call) before
 * answering.  The os-extended-services fields are always there.
 */
export const listServices: Handler<'service-list'> = (core, ctx, req, done) => {
  const rows = serviceList(core, { host: req.host, binary: req.binary });
  const view = (backendState: Map<string, string> | null) =>
    rows.map((r) => {
      const { updated_at_ms: _ms, ...out } = r as ServiceListRow & Record<string, unknown>;
      const o: Record<string, unknown> = { ...out };
      if (backendState && r.binary === 'cinder-volume') o['backend_state'] = backendState.get(r.host) ?? null;
      if (atLeast(ctx, mv.CLUSTER_SUPPORT)) o['cluster'] = null;
      if (r.binary === 'cinder-volume') {
        o['replication_status'] = 'not-capable';
        o['active_backend_id'] = null;
        o['frozen'] = false;
      }
      return o;
    });
  if (!atLeast(ctx, mv.BACKEND_STATE_REPORT)) return done(ok(view(null)));
  core.ports.bus.call(SCHEDULER_TOPIC, 'get_pools', {}, core.opts.rpc_response_timeout * 1000, (r) => {
    if (!r.ok) return done(err({ http: 500, error: r.error, message: r.message }));
    const states = new Map<string, string>();
    for (const p of r.reply as { name: string; capabilities: Record<string, unknown> }[]) {
      const s = p.capabilities['backend_state'];
      states.set(extractBackend(p.name), typeof s === 'string' ? s : 'up');
    }
    done(ok(view(states)));
  });
};

function setDisabled(core: ApiCore, host: string, binary: string, disabled: boolean, reason: string | null) {
  const row = core.services.list((s) => s.host === host && s.binary === binary)[0];
  if (!row) return err({ http: 404, error: 'ServiceNotFound', message: `Service ${binary} could not be found on host ${host}.` });
  // Enabling or disabling stamps modified_at with the API's clock and keeps updated_at: it is not a heartbeat.
  core.services.update(row.id, { disabled, disabled_reason: disabled ? reason : null, modified_at: core.nowWall() }, { stamp: false });
  return ok({ host, binary, status: disabled ? 'disabled' : 'enabled', disabled_reason: disabled ? reason : null });
}

export const disableService: Handler<'service-disable'> = (core, ctx, req, done) => {
  const denied = requireAdmin(ctx, 'volume_extension:services:update');
  if (denied) return done(err(denied));
  done(setDisabled(core, req.host, req.binary, true, req.reason ?? null));
};

export const enableService: Handler<'service-enable'> = (core, ctx, req, done) => {
  const denied = requireAdmin(ctx, 'volume_extension:services:update');
  if (denied) return done(err(denied));
  done(setDisabled(core, req.host, req.binary, false, null));
};

export const listZones: Handler<'availability-zone-list'> = (core, _ctx, _req, done) => {
  done(ok(listAvailabilityZones(core).map((z) => ({ zoneName: z.name, zoneState: { available: z.available } }))));
};

/** get-pools: a synchronous call to the scheduler (it does not wait for start-up). */
export const getPools: Handler<'get-pools'> = (core, ctx, req, done) => {
  const denied = requireAdmin(ctx, 'scheduler_extension:scheduler_stats:get_pools');
  if (denied) return done(err(denied));
  core.ports.bus.call(SCHEDULER_TOPIC, 'get_pools', {}, core.opts.rpc_response_timeout * 1000, (r) => {
    if (!r.ok) return done(err({ http: 500, error: r.error, message: r.message }));
    const pools = r.reply as { name: string; capabilities: Record<string, unknown> }[];
    done(ok(pools.map((p) => (req.detail ? p : { name: p.name }))));
  });
};

const quotaKeys = ['volumes', 'snapshots', 'gigabytes', 'backups', 'backup_gigabytes', 'per_volume_gigabytes'] as const;

export const showQuota: Handler<'quota-show'> = (core, ctx, req, done) => {
  const row = quotaRow(core.ports.store, req.project_id ?? ctx.project_id);
  const out: Record<string, number> = {};
  for (const k of quotaKeys) out[k] = limitOf(row, k, core.quotaDefaults);
  done(ok(out));
};

export const quotaUsage: Handler<'quota-usage'> = (core, ctx, req, done) => {
  const row = quotaRow(core.ports.store, req.project_id ?? ctx.project_id);
  const out: Record<string, { in_use: number; limit: number; reserved: number }> = {};
  for (const k of quotaKeys) out[k] = { in_use: row.in_use[k] ?? 0, limit: limitOf(row, k, core.quotaDefaults), reserved: 0 };
  done(ok(out));
};

export const updateQuota: Handler<'quota-update'> = (core, ctx, req, done) => {
  const denied = requireAdmin(ctx, 'volume_extension:quotas:update');
  if (denied) return done(err(denied));
  const row = quotaRow(core.ports.store, req.project_id);
  const limits = { ...row.limits };
  for (const k of quotaKeys) {
    const v = req[k];
    if (v !== undefined) limits[k] = v;
  }
  quotaTable(core.ports.store).update(row.id, { limits });
  showQuota(core, ctx, { verb: 'quota-show', project_id: req.project_id }, done);
};

export const listMessages: Handler<'message-list'> = (core, ctx, _req, done) => {
  // MessagesController is versioned from 3.3: below it the method does not exist.
  if (!atLeast(ctx, mv.MESSAGES)) return done(err({ http: 404, error: 'HTTPNotFound', message: 'The resource could not be found.' }));
  done(ok(core.messages.list((m) => m.project_id === ctx.project_id).map((m) => ({ id: m.id, resource_uuid: m.resource_uuid, event_id: m.event_id, user_message: m.user_message }))));
};
