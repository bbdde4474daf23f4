import { caseSchema, type SchedulerCase } from '../../../sim/cinder/scheduler/case.js';
import type { CapacityShape } from '../../../sim/cinder/scheduler/capacity-plan.js';
import type { Json } from '../../../sim/cinder/scheduler/python.js';
import { SeededRng } from '../../../sim/engine/rng.js';

/**
 * Random small fleets and shapes for the capacity planner's tests: thick
 * and thin pools (ratios 1 - 20 and 'auto', reserves), equal sizes so that
 * weights tie, three zones, a `tier` capability, now and then an unusual
 * capacity ('infinite', 'unknown') or a non-default multiplier.
 */
export function randomFleet(seed: string, i: number): { c: SchedulerCase; shapes: CapacityShape[] } {
  const rng = new SeededRng(`${seed}-${i}`, 'capacity-fleet');
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)]!;
  const zones = ['nova', 'az1', 'az2'];
  const tie = pick([100, 250, 1000]);
  const backends = Array.from({ length: rng.int(1, 10) }, (_, b) => {
    const thin = rng.chance(0.5);
    const pools = Array.from({ length: rng.chance(0.3) ? 2 : 1 }, (_, p) => {
      const total: Json = rng.chance(0.04) ? pick(['infinite', 'unknown']) : rng.chance(0.4) ? tie : rng.int(50, 2000) + pick([0, 0.25, 0.5, 0.37]);
      const allocated = typeof total === 'number' && rng.chance(0.6) ? rng.int(0, Math.floor(total / 2)) : 0;
      return {
        pool_name: `p${p}`,
        total_capacity_gb: total,
        free_capacity_gb: typeof total === 'number' ? total - allocated : total,
        allocated_capacity_gb: allocated,
        provisioned_capacity_gb: allocated,
        thin_provisioning_support: thin,
        thick_provisioning_support: !thin,
        max_over_subscription_ratio: thin ? pick<Json>([1, 1.5, 2, 20, 'auto', '3.0']) : 1,
        reserved_percentage: pick([0, 0, 5, 10]),
        tier: pick(['gold', 'silver']),
      };
    });
    return { host: `node${b}@be${b}`, availability_zone: pick(zones), capabilities: { volume_backend_name: `be${b}`, pools } };
  });
  const config = rng.chance(0.25) ? { capacity_weight_multiplier: pick([-1, 2, -0.5, 0]) } : rng.chance(0.1) ? { weighers: ['AllocatedCapacityWeigher'] } : undefined;
  const c = caseSchema.parse({ backends, requests: [], ...(config ? { config } : {}) });
  const shape = (count: number | null): CapacityShape => ({
    size: pick([10, 25, 50, 100, 250, 0.5]),
    volumeType: rng.chance(0.3) ? { name: 't', extra_specs: rng.chance(0.5) ? { tier: pick(['gold', 'silver']) } : { 'provisioning:type': 'thick' } } : null,
    availabilityZone: rng.chance(0.3) ? pick(zones) : null,
    count,
  });
  const shapes = [...(rng.chance(0.5) ? [shape(rng.int(1, 30))] : []), shape(null)];
  return { c, shapes };
}
