import { describe, expect, test } from 'vitest';
import type { RequestSpec } from '../../../sim/cinder/scheduler/types.js';
import { SeededRng } from '../../../sim/engine/rng.js';
import { schedulerRig } from '../../fixtures/scheduler/fleet.js';

/**
 * Property: placing volume after volume on a pool (CapacityFilter, then
 * consumption) never takes it past what Cinder's rules allow: thick
 * placements stay within free space and usable (unreserved) capacity,
 * thin ones within usable x max_over_subscription_ratio.  The only slack
 * is Cinder's own rounding to 2 decimals (< 0.005 GB per check).
 */
const ROUNDING_SLACK_GB = 0.005;

function request(size: number, thick: boolean): RequestSpec {
  return {
    volume_id: 'v',
    volume_properties: { size, availability_zone: null, attach_status: 'detached', status: 'creating' },
    volume_type: thick ? { name: 'thick', extra_specs: { 'provisioning:type': 'thick' } } : null,
    operation: 'create_volume',
  };
}

describe('a pool passing CapacityFilter never ends over its usable capacity after consumption', () => {
  test.each(['1', '2', '3', '4', '5', '6', '7', '8'])('seed %s: 40 random pools filled to refusal', (seed) => {
    const rng = new SeededRng(seed, 'test:capacity-property');
    let placements = 0;
    for (let trial = 0; trial < 40; trial++) {
      const rig = schedulerRig({ scheduler_default_filters: ['CapacityFilter'] });
      const total = rng.chance(0.3) ? rng.int(1, 200) / 8 : rng.uniform(10, 5000);
      const thinSupport = rng.chance(0.5);
      const ratio = rng.chance(0.2) ? 'auto' : rng.int(10, 40) / 10;
      const reserved = rng.int(0, 30);
      const provisioned = rng.uniform(0, total);
      const free = Math.max(0, total - provisioned * rng.uniform(0, 1));
      rig.hm.updateServiceCapabilities('h@b', { volume_backend_name: 'b', total_capacity_gb: total, free_capacity_gb: free, provisioned_capacity_gb: provisioned, allocated_capacity_gb: provisioned, thin_provisioning_support: thinSupport, max_over_subscription_ratio: ratio, reserved_percentage: reserved }, rig.node.clock.wallNow() - 1);
      const services = [rig.service('h@b')];
      const thick = rng.chance(0.4);
      const usable = total - Math.floor((total * reserved) / 100);
      for (let k = 0; k < 200; k++) {
        const size = rng.chance(0.2) ? rng.uniform(0.01, 5) : rng.int(1, Math.max(1, Math.floor(total / 3)));
        const d = rig.scheduler.scheduleCreateVolume({ services, requestSpec: request(size, thick) });
        if (d.selected === null) break;
        placements++;
        const pool = d.pool!;
        const freeNow = pool.freeCapacityGb.kind === 'gb' ? pool.freeCapacityGb.gb : Infinity;
        if (thick || !thinSupport) {
          expect(pool.provisionedCapacityGb).toBeLessThanOrEqual(usable + ROUNDING_SLACK_GB);
          expect(freeNow).toBeGreaterThanOrEqual(-ROUNDING_SLACK_GB);
        } else {
          const mosr = pool.maxOverSubscriptionRatio;
          expect(pool.provisionedCapacityGb).toBeLessThanOrEqual(usable * mosr + ROUNDING_SLACK_GB);
        }
      }
    }
    expect(placements).toBeGreaterThan(100);
  });
});
