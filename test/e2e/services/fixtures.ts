import type { BackendInput, CloudInput } from '../../../sim/cinder/cloud/spec.js';
import { backendGroupOptions, type BackendOptions } from '../../../sim/cinder/config/index.js';
import type { FakeBackendInput } from '../../../drivers/fake/spec.js';

/** A backend written flat for brevity: its group's cinder.conf options and its fake storage's facts side by side. */
export type FlatBackend = Partial<BackendOptions> & FakeBackendInput;

/** Split a flat backend into the cloud's options (the registry's names) and storage (the rest). */
export function backend(flat: FlatBackend): BackendInput {
  const options: Record<string, unknown> = {};
  const storage: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flat)) (Object.hasOwn(backendGroupOptions, k) ? options : storage)[k] = v;
  return { options: options as Partial<BackendOptions>, storage: storage as FakeBackendInput };
}
import type { CinderRequest, Outcome, RequestContext } from '../../../sim/cinder/api/requests.js';
import { SimulatedCloud, type SimulatedCloudOptions } from '../../../sim/harness/simulated-cloud.js';

/** A controller (api, scheduler, backup) and volume nodes, one backend each unless given. */
export function cloud(
  volumeNodes: { name: string; backends?: Record<string, FlatBackend>; DEFAULT?: Record<string, unknown>; clock?: Record<string, unknown> }[],
  opts: Partial<SimulatedCloudOptions> & { controllerDefaults?: Record<string, unknown> } = {},
): SimulatedCloud {
  const spec: CloudInput = {
    nodes: [
      { name: 'ctl', services: ['cinder-api', 'cinder-scheduler', 'cinder-backup'], DEFAULT: (opts.controllerDefaults ?? {}) as never },
      ...volumeNodes.map((n) => ({
        name: n.name,
        services: ['cinder-volume' as const],
        backends: Object.fromEntries(Object.entries(n.backends ?? { lvm: { lvm_type: 'default', vg_size_gb: 100 } }).map(([g, b]) => [g, backend(b)])),
        DEFAULT: (n.DEFAULT ?? {}) as never,
        clock: (n.clock ?? {}) as never,
      })),
    ],
  };
  const sc = new SimulatedCloud(spec, { seed: 7, ...opts });
  // Let every service heartbeat and report once before requests arrive.
  sc.run({ untilMs: 61_000 });
  return sc;
}

export const admin: RequestContext = { project_id: 'admin' };
export const alice: RequestContext = { project_id: 'alice', is_admin: false };
export const bob: RequestContext = { project_id: 'bob', is_admin: false };

/** Make a request, wait for its answer, then let async work settle for `settleMs`. */
export function req(sc: SimulatedCloud, ctx: RequestContext, r: CinderRequest, settleMs = 5_000): Outcome {
  const o = sc.request(ctx, r);
  if (!o) throw new Error(`no answer to ${r.verb}`);
  sc.run({ untilMs: sc.nowMs + settleMs });
  return o;
}

export function okResult<T = Record<string, unknown>>(o: Outcome): T {
  if (!o.ok) throw new Error(`${o.request.verb} failed: ${o.message}`);
  return o.result as T;
}

export function volume(sc: SimulatedCloud, name: string) {
  const v = sc.cloud.snapshot().volumes.find((x) => x.display_name === name);
  if (!v) throw new Error(`no volume named ${name}`);
  return v;
}

/** The id of the snapshot, volume or backup with this name: what a request's id fields (a UUID in Cinder's schema) take. */
export function idOf(sc: SimulatedCloud, kind: 'snapshots' | 'volumes' | 'backups', name: string): string {
  const rows = sc.cloud.snapshot()[kind] as { id: string; display_name: string | null }[];
  const row = rows.find((r) => r.display_name === name);
  if (!row) throw new Error(`no ${kind} named ${name}`);
  return row.id;
}
