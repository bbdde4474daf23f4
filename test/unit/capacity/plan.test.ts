import { describe, expect, test } from 'vitest';
import { planCapacity, type CapacityPlan, type CapacityShape } from '../../../sim/cinder/scheduler/capacity-plan.js';
import { fastCapacityApplies, placeFast } from '../../../sim/cinder/scheduler/capacity-fast.js';
import { caseSchema, openCase, type SchedulerCase } from '../../../sim/cinder/scheduler/case.js';
import { World } from '../../../sim/engine/world.js';
import { randomFleet } from './fleet.js';

/** Placements at most, per shape: the reference runs the full loop with traces for each. */
const MAX = 400;

function env() {
  const world = new World({ seed: '1' });
  const node = world.addNode('scheduler');
  return { clock: node.clock, chanceRng: world.rng.stream('weigher:ChanceWeigher') };
}

function plan(c: SchedulerCase, shapes: CapacityShape[], reference: boolean, max = MAX): { plan: CapacityPlan; order: string[] } {
  const order: string[] = [];
  const p = planCapacity(c, shapes, { max, reference, onPlacement: (k, pool) => order.push(`${k}:${pool}`) }, env());
  return { plan: p, order };
}

const fleet = (pools: { host: string; az?: string; total: number; free?: number; thin?: boolean; ratio?: number; reserved?: number }[]) =>
  caseSchema.parse({
    backends: pools.map((p) => ({
      host: p.host,
      availability_zone: p.az ?? 'nova',
      capabilities: { pools: [{ pool_name: 'p', total_capacity_gb: p.total, free_capacity_gb: p.free ?? p.total, allocated_capacity_gb: 0, provisioned_capacity_gb: p.total - (p.free ?? p.total), thin_provisioning_support: p.thin ?? false, thick_provisioning_support: !(p.thin ?? false), max_over_subscription_ratio: p.ratio ?? 1, reserved_percentage: p.reserved ?? 0 }] },
    })),
    requests: [],
  });

describe('capacity planning: placing until No valid backend', () => {
  test('thick pools: free less the reserve, spread by CapacityWeigher, and why the next one fails', () => {
    const c = fleet([{ host: 'a@x', total: 100, reserved: 10 }, { host: 'b@y', az: 'az1', total: 55 }]);
    const { plan: p } = plan(c, [{ size: 10, volumeType: null, availabilityZone: null, count: null }], false);
    const s = p.shapes[0]!;
    // a: 100 - 10 reserved = 90 -> 9 volumes; b: 55 -> 5 volumes.
    expect(s).toMatchObject({ fits: 14, gb: 140, stop: 'no_valid_backend' });
    expect(s.pools).toEqual([
      { pool: 'a@x#p', backend: 'a@x', availability_zone: 'nova', volumes: 9, gb: 90 },
      { pool: 'b@y#p', backend: 'b@y', availability_zone: 'az1', volumes: 5, gb: 50 },
    ]);
    expect(s.zones).toEqual([{ availability_zone: 'az1', volumes: 5, gb: 50 }, { availability_zone: 'nova', volumes: 9, gb: 90 }]);
    expect(s.next).toMatchObject({ error_type: 'NoValidBackend', emptied_by: 'CapacityFilter' });
    expect(s.next!.rejections.map((r) => `${r.pool}: ${r.filter}: ${r.why}`)).toEqual([
      'a@x#p: CapacityFilter: needs 10 GB; 0 GB available (thick: the smaller of free 10 GB and total 100 GB minus reserved 10 GB (reserved_percentage 10) minus provisioned 90 GB = 0 GB)',
      'b@y#p: CapacityFilter: needs 10 GB; 5 GB available (thick: the smaller of free 5 GB and total 55 GB minus reserved 0 GB (reserved_percentage 0) minus provisioned 50 GB = 5 GB)',
    ]);
  });

  test('thin at 20.0 holds twenty times the pool', () => {
    const { plan: p } = plan(fleet([{ host: 'a@lvm', total: 95, thin: true, ratio: 20 }]), [{ size: 100, volumeType: null, availabilityZone: null, count: null }], false);
    expect(p.shapes[0]).toMatchObject({ fits: 19, stop: 'no_valid_backend' });
    expect(p.pools[0]).toMatchObject({ thin: true, max_over_subscription_ratio: 20 });
  });

  test('a mix first: its count, then the next shape on what is left; a zone the fleet lacks fits none', () => {
    const c = fleet([{ host: 'a@x', total: 100 }]);
    const shapes: CapacityShape[] = [
      { size: 30, volumeType: null, availabilityZone: null, count: 2 },
      { size: 10, volumeType: null, availabilityZone: 'az9', count: null },
      { size: 10, volumeType: null, availabilityZone: null, count: null },
    ];
    const { plan: p } = plan(c, shapes, false);
    expect(p.shapes.map((s) => [s.fits, s.stop])).toEqual([[2, 'count'], [0, 'no_valid_backend'], [4, 'no_valid_backend']]);
    expect(p.shapes[1]!.next).toMatchObject({ emptied_by: 'AvailabilityZoneFilter' });
    expect(p.shapes[1]!.next!.rejections[0]!.why).toBe('availability zone nova, requested az9');
  });

  test('--max stops a shape that would go on, and says so', () => {
    const { plan: p } = plan(fleet([{ host: 'a@x', total: 1000 }]), [{ size: 1, volumeType: null, availabilityZone: null, count: null }], false, 7);
    expect(p.shapes[0]).toMatchObject({ fits: 7, stop: 'max', next: null });
    expect(p.max).toBe(7);
  });
});

describe('the shortcut against the reference (full filter and weigh loop, traces on, per placement)', () => {
  const SEED = process.env['CAPACITY_DIFF_SEED'] ?? 'capacity-diff-1';
  const worlds = Array.from({ length: 60 }, (_, i) => ({ i, ...randomFleet(SEED, i) }));

  test.each(worlds.map((w) => [w.i, w] as const))('world %i: same placements, counts and failure', (_i, w) => {
    const ref = plan(w.c, w.shapes, true);
    const fast = plan(w.c, w.shapes, false);
    expect(fast.order).toEqual(ref.order);
    expect(fast.plan).toEqual(ref.plan);
  });

  test('the worlds exercise the shortcut: it applies to most, and fills pools to the end with ties and thin ratios', () => {
    let applies = 0;
    let exhausted = 0;
    let placed = 0;
    for (const w of worlds) {
      const shape = w.shapes.at(-1)!;
      const session = openCase(w.c, env());
      if (!fastCapacityApplies(session.config, shape.size)) continue;
      applies++;
      const request = { operation: 'create_volume' as const, size: shape.size, ...(shape.volumeType ? { volume_type: { ...shape.volumeType } } : {}) };
      const run = placeFast(session.pools(), session.filterContext(request), session.config, shape.size, MAX, (pool) => session.place(pool, request));
      if (run?.exhausted) exhausted++;
      placed += run?.placed ?? 0;
    }
    expect(applies).toBeGreaterThan(worlds.length / 2);
    expect(exhausted).toBeGreaterThan(worlds.length / 4);
    expect(placed).toBeGreaterThan(2000);
  });

  test.each(worlds.slice(0, 30).map((w) => [w.i, w] as const))('world %i: placeFast alone places what the reference places', (_i, w) => {
    const shape = w.shapes.at(-1)!;
    const session = openCase(w.c, env());
    if (!fastCapacityApplies(session.config, shape.size)) return;
    const request = { operation: 'create_volume' as const, size: shape.size, ...(shape.availabilityZone ? { availability_zone: shape.availabilityZone } : {}), ...(shape.volumeType ? { volume_type: { ...shape.volumeType } } : {}) };
    const got: string[] = [];
    const run = placeFast(session.pools(), session.filterContext(request), session.config, shape.size, MAX, (pool) => {
      session.place(pool, request);
      got.push(pool.host);
    });
    const ref = plan(w.c, [shape], true).order.map((x) => x.slice(2));
    if (run === null) return;
    expect(got).toEqual(ref.slice(0, got.length));
    if (run.exhausted) expect(got.length).toBe(ref.length);
  });
});
