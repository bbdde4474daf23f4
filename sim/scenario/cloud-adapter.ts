import { serviceList } from '../cinder/api/services.js';
import type { Cloud } from '../cinder/cloud/build.js';
import { effectiveServiceDownTime } from '../cinder/cloud/options.js';
import type { CloudInput } from '../cinder/cloud/spec.js';
import { renderDecision } from '../cinder/scheduler/explain.js';
import type { Decision } from '../cinder/scheduler/filter-scheduler.js';
import { isServiceUp } from '../cinder/scheduler/host-manager.js';
import { tables, type VolumeRow } from '../cinder/volume/model.js';
import { buildCloud } from '../engine/cloud.js';
import type { World } from '../engine/world.js';
import type { Row } from '../ports/store.js';
import type { VolumeFacts } from './expectations.js';
import type { CloudDecision, CloudFactory, CloudPool, CloudServiceState, SimCloud } from './sim-cloud.js';
import type { NodePlan } from './topology.js';

const GIB = 1024 ** 3;

/** The services' cloud input from the scenario's node plans: options resolved from cinder.conf, storage from `backends:`. */
export function cloudInput(plans: readonly NodePlan[], images: Readonly<Record<string, { size_gb: number }>>): CloudInput {
  return {
    nodes: plans.map((p) => ({
      name: p.name,
      clock: p.clock,
      services: p.services as CloudInput['nodes'][number]['services'],
      DEFAULT: p.DEFAULT,
      backends: p.services.includes('cinder-volume') ? p.backends : {},
    })),
    images: Object.entries(images).map(([name, i]) => ({ id: name, name, size_bytes: i.size_gb * GIB })),
  };
}

/** The filter that left no candidates: the first (in order) with nobody passing. */
export function emptiedBy(d: Decision | null): string | null {
  if (!d || !d.filters || d.candidateCount === 0) return null;
  return d.filters.find((f) => f.passed.length === 0)?.name ?? null;
}

/** The scenario runner's view of the services' Cloud (sim/cinder/cloud/build.ts). */
export const defaultCloudFactory: CloudFactory = (world: World, plans: readonly NodePlan[], images) => {
  const cloud = buildCloud(world, cloudInput(plans, images));
  return new CloudView(world, cloud, plans);
};

/** The default factory with a hook on the built services (tests switch reference models on). */
export function cloudFactoryWith(tweak: (cloud: Cloud) => void): CloudFactory {
  return (world, plans, images) => {
    const cloud = buildCloud(world, cloudInput(plans, images));
    tweak(cloud);
    return new CloudView(world, cloud, plans);
  };
}

class CloudView implements SimCloud {
  private readonly nodeOfHost = new Map<string, string>();
  private readonly scheduler: { node: string; downMs: number } | null;
  private decisionCache: { n: number; list: CloudDecision[] } = { n: 0, list: [] };

  constructor(
    readonly world: World,
    private readonly cloud: Cloud,
    plans: readonly NodePlan[],
  ) {
    for (const n of cloud.spec.nodes) {
      const host = n.DEFAULT.host ?? n.name;
      this.nodeOfHost.set(host, n.name);
      for (const [g, b] of Object.entries(n.backends)) this.nodeOfHost.set(`${b.options.backend_host || host}@${g}`, n.name);
    }
    const s = cloud.spec.nodes.find((n) => n.services.includes('cinder-scheduler'));
    this.scheduler = s ? { node: s.name, downMs: effectiveServiceDownTime(s.DEFAULT) * 1000 } : null;
    void plans;
  }

  start(): void {
    this.cloud.start();
  }

  submit(ctx: Parameters<SimCloud['submit']>[0], req: Parameters<SimCloud['submit']>[1], done: Parameters<SimCloud['submit']>[2]): void {
    this.cloud.submit(ctx, req, (o) => done(o.ok ? { ok: true, result: o.result } : { ok: false, http: o.http, error: o.error, message: o.message }));
  }

  decisions(): readonly CloudDecision[] {
    const all = this.cloud.schedulers.flatMap((s) => s.decisions);
    if (all.length !== this.decisionCache.n) {
      const list = this.decisionCache.list;
      for (const d of all.slice(list.length)) {
        const message = d.ok ? null : d.reason === null ? null : d.reason.startsWith('No valid backend') ? d.reason : `No valid backend was found. ${d.reason}`;
        list.push({ atMs: d.atMs, operation: d.operation, resource: d.resource, ok: d.ok, chosen: d.chosen, emptiedBy: emptiedBy(d.trace), message, traceText: d.trace && !d.ok ? renderDecision(d.trace) : '', trace: d.trace ? { ...d.trace, pool: undefined } : null });
      }
      this.decisionCache = { n: all.length, list };
    }
    return this.decisionCache.list;
  }

  dropDecisions(): void {
    for (const s of this.cloud.schedulers) s.dropDecisions();
    this.decisionCache = { n: 0, list: [] };
  }

  services(): readonly CloudServiceState[] {
    const core = this.cloud.api().core;
    const sched = this.scheduler;
    const schedNow = sched ? this.world.node(sched.node).clock.wallNow() : 0;
    const rows = core.services.list();
    return serviceList(core).map((r, i) => {
      const row = rows[i]!;
      const beat = this.cloud.directory.updatedAt(row);
      const schedUp = sched ? isServiceUp(beat, schedNow, sched.downMs) : false;
      return {
        host: r.host,
        binary: r.binary,
        node: this.nodeOfHost.get(r.host) ?? this.nodeOfHost.get(r.host.split('@')[0]!) ?? this.world.nodeNames()[0]!,
        state: r.state,
        schedulerState: schedUp ? 'up' : 'down',
        status: r.status,
      };
    });
  }

  pools(): readonly CloudPool[] {
    const out: CloudPool[] = [];
    const num = (v: number | string): number => (typeof v === 'number' ? v : -1);
    for (const [backend, drv] of this.cloud.drivers) {
      if (!drv.initialized) continue;
      const alloc = this.cloud.volumeServices.get(backend)?.allocated();
      for (const p of drv.getVolumeStats().pools) {
        out.push({
          pool: `${backend}#${p.pool_name}`,
          total_capacity_gb: num(p.total_capacity_gb),
          free_capacity_gb: num(p.free_capacity_gb),
          allocated_capacity_gb: alloc?.get(p.pool_name) ?? 0,
          provisioned_capacity_gb: p.provisioned_capacity_gb,
        });
      }
    }
    return out;
  }

  private rows<T extends Row>(table: string): Map<string, T> {
    return this.world.db.rows(table) as Map<string, T>;
  }

  volumes(): readonly VolumeFacts[] {
    const out: VolumeFacts[] = [];
    for (const v of this.rows<VolumeRow>(tables.volumes).values()) {
      if (v.deleted) continue;
      out.push({ id: v.id, name: v.display_name, status: v.status, host: v.host, availability_zone: v.availability_zone, size: v.size, project_id: v.project_id });
    }
    return out;
  }

  launched(id: string): boolean {
    const r = this.rows<VolumeRow>(tables.volumes).get(id);
    return r !== undefined && r.launched_at !== null;
  }

  statusOf(id: string): string | undefined {
    for (const t of [tables.volumes, tables.snapshots, tables.backups, tables.transfers]) {
      const r = this.rows<Row & { status?: string }>(t).get(id);
      if (r) return r.deleted ? 'deleted' : (r.status ?? 'exists');
    }
    return undefined;
  }

  hostOf(id: string): string | undefined {
    return this.rows<VolumeRow>(tables.volumes).get(id)?.host ?? undefined;
  }

  serviceAction(host: string, binary: string, action: 'crash' | 'stop' | 'restart'): string | null {
    try {
      const s = this.cloud.service({ host, binary: binary as 'cinder-volume' | 'cinder-scheduler' | 'cinder-backup' });
      if (action === 'restart') s.restart();
      else if (action === 'crash') s.crash();
      else s.stop();
      return null;
    } catch (e) {
      return `not applied: ${(e as Error).message}`;
    }
  }

  setCapacity(backend: string, pool: string | undefined, totalGb: number): string | null {
    try {
      this.cloud.setBackendCapacity(backend, totalGb, pool);
      return null;
    } catch (e) {
      return `not applied: ${(e as Error).message}`;
    }
  }

  setBackendFailed(backend: string, failed: boolean): string | null {
    try {
      if (failed) this.cloud.failBackend(backend);
      else this.cloud.recoverBackend(backend);
      return null;
    } catch (e) {
      return `not applied: ${(e as Error).message}`;
    }
  }

  invariant(): string | null {
    return this.cloud.checkInvariants();
  }
}
