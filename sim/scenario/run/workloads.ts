import type { CinderRequest } from '../../cinder/api/requests.js';
import type { Rng } from '../../ports/rng.js';
import { durationMs } from '../duration.js';
import type { WorkloadSummary } from '../outcome.js';
import type { WorkloadT } from '../schema.js';
import { arrivals, drawLifetimeMs, drawOp, drawSizeGb } from '../workload.js';
import type { RunContext } from './context.js';

interface LiveVolume {
  id: string;
  project: string;
}

/** A workload's live volumes: an array for uniform picks, an index for O(1) removal. */
class LiveSet {
  readonly list: LiveVolume[] = [];
  private readonly at = new Map<string, number>();

  add(v: LiveVolume): void {
    this.at.set(v.id, this.list.length);
    this.list.push(v);
  }

  remove(id: string): void {
    const i = this.at.get(id);
    if (i === undefined) return;
    const last = this.list.pop()!;
    this.at.delete(id);
    if (last.id !== id) {
      this.list[i] = last;
      this.at.set(last.id, i);
    }
  }
}

/** Start one workload: its arrivals from its own random stream, each a create or an operation on a live volume. */
export function startWorkload(ctx: RunContext, w: WorkloadT): void {
  const { world, cloud, recorder, submit } = ctx;
  const sim = world.sim;
  const rng: Rng = world.rng.stream(`workload:${w.name}`);
  const start = durationMs(w.start);
  const stop = Math.min(ctx.durationMs, w.stop !== undefined ? durationMs(w.stop) : ctx.durationMs);
  const arr = arrivals(w, rng, start, stop);
  // The recorder fills in the counts when the run ends (a create's result is known only then).
  const summary: WorkloadSummary = { name: w.name, requests: 0, succeeded: 0, refused: 0, failed: 0, in_flight: 0 };
  recorder.workloads.push(summary);
  const live = new LiveSet();
  let n = 0;
  const ignore = (): void => {};
  const source = `workload:${w.name}`;
  const pickLive = (): LiveVolume | undefined => {
    for (let tries = 0; tries < 3 && live.list.length; tries++) {
      const v = live.list[rng.int(0, live.list.length - 1)]!;
      const st = cloud.statusOf(v.id);
      if (st === undefined || st === 'error' || st === 'deleting' || st === 'deleted') live.remove(v.id);
      else return v;
    }
    return undefined;
  };
  const sizeOf = (id: string): number => cloud.volumes().find((v) => v.id === id)?.size ?? 1;
  let arrived = 0;
  const arrive = (): void => {
    recorder.arrived(++arrived);
    const op = drawOp(w, rng);
    if (op === 'create' || live.list.length === 0) {
      const project = w.projects[rng.int(0, w.projects.length - 1)]!;
      const size = drawSizeGb(w, rng);
      const type = w.volume_types ? w.volume_types[rng.int(0, w.volume_types.length - 1)] : undefined;
      const lifetime = drawLifetimeMs(w, rng);
      const req: CinderRequest = { verb: 'create', size, name: `${w.name}-${++n}`, ...(type ? { volume_type: type } : {}), ...(w.availability_zone ? { availability_zone: w.availability_zone } : {}) };
      submit(source, project, req, (_r, rec) => {
        const id = rec.resource_id;
        if (!id) return;
        live.add({ id, project });
        if (lifetime !== null && sim.now + lifetime <= ctx.durationMs) {
          sim.after(lifetime, () => {
            live.remove(id);
            submit(source, project, { verb: 'delete', volume: id }, ignore);
          }, 'workload delete');
        }
      });
    } else {
      const v = pickLive();
      if (v) {
        const req: CinderRequest =
          op === 'delete' ? { verb: 'delete', volume: v.id }
          : op === 'snapshot' ? { verb: 'snapshot-create', volume: v.id, force: true }
          : op === 'extend' ? { verb: 'extend', volume: v.id, new_size: sizeOf(v.id) + 1 }
          : op === 'backup' ? { verb: 'backup-create', volume: v.id, force: true }
          : { verb: 'attach', volume: v.id, host: 'compute', instance_uuid: `${w.name}-server` };
        if (op === 'delete') live.remove(v.id);
        submit(source, v.project, req, ignore);
      }
    }
    const t = arr.next(sim.now);
    if (t !== null) sim.at(t, arrive, 'workload');
  };
  const first = arr.next(start - 1);
  if (first !== null) sim.at(first, arrive, 'workload');
}
