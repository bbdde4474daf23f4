import { capacityFactorsInto, wantsThin, type CapacityFactors } from '../capacity.js';
import type { PoolState } from '../host-manager.js';
import { PyError } from '../python.js';
import type { BackendWeigher } from '../types.js';
import { weighEach } from './base.js';

const OFFSET_MIN = 10000;
const OFFSET_MULT = 100;

const factors: CapacityFactors = { reservedCapacityGb: 0, totalAvailableCapacityGb: 0, virtualFreeCapacityGb: 0 };

/** The raw CapacityWeigher value of one pool: virtual free GB, or -1 / +inf for infinite/unknown. */
export function capacityRaw(pool: PoolState, thin: boolean, multiplier: number): number {
  const free = pool.freeCapacityGb;
  const total = pool.totalCapacityGb;
  if (free.kind === 'infinite' || free.kind === 'unknown' || total.kind === 'infinite' || total.kind === 'unknown') {
    return multiplier > 0 ? -1 : Infinity;
  }
  if (total.kind === 'missing') throw new PyError('TypeError', `CapacityWeigher on pool ${pool.host}: float(total_capacity_gb) of null`);
  // Only the thick path reads free capacity (free < calculated free); a thin request on a thin pool never does.
  if (free.kind === 'missing' && !(thin && pool.thinProvisioningSupport)) {
    throw new PyError('TypeError', `CapacityWeigher on pool ${pool.host}: free_capacity_gb null compared with the calculated free capacity ('<' not supported between 'NoneType' and 'float')`);
  }
  return capacityFactorsInto(factors, total.gb, free.kind === 'gb' ? free.gb : NaN, pool.provisionedCapacityGb, pool.thinProvisioningSupport, pool.maxOverSubscriptionRatio, pool.reservedPercentage, thin).virtualFreeCapacityGb;
}

/** Weighs pools by virtual free capacity; spreads by default. */
export const CapacityWeigher: BackendWeigher = {
  describe: 'virtual free capacity (thin: total x ratio - provisioned; thick: free, less reserved)',
  multiplier: (c) => c.capacity_weight_multiplier,
  weigh(pools, ctx, multiplier) {
    const thin = wantsThin(ctx.props.volume_type.extra_specs);
    const r = weighEach(pools, (p) => capacityRaw(p, thin, multiplier));
    if (r.max === Infinity) {
      let finiteMax = -Infinity;
      let any = false;
      for (const w of r.raw) {
        if (w !== Infinity && w !== -Infinity) {
          if (!any || w > finiteMax) finiteMax = w;
          any = true;
        }
      }
      if (!any) {
        throw new PyError(
          'ValueError',
          `every weighed pool reports infinite or unknown capacity and capacity_weight_multiplier is ${multiplier} (<= 0): ` +
            'CapacityWeigher looks for the largest finite free capacity among none (max() arg is an empty sequence)',
        );
      }
      const offset = (finiteMax - r.min) * OFFSET_MULT;
      const max = finiteMax + (offset === 0 ? OFFSET_MIN : offset);
      return { raw: r.raw, min: r.min, max, values: r.raw.map((w) => (w === Infinity || w === -Infinity ? max : w)) };
    }
    return r;
  },
};
