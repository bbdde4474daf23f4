import {
  capacityRule,
  RULE_FREE_UNREPORTED,
  RULE_INVALID_RATIO,
  RULE_NO_TOTAL,
  RULE_PASSES,
  RULE_RESERVED_ON_UNSIZED,
  RULE_THIN,
  RULE_THIN_NO_AVAILABLE,
  RULE_TOTAL_MISSING,
  wantsThin,
  type CapacityFactors,
} from '../capacity.js';
import { PyError, pyInt } from '../python.js';
import { PASS, type BackendFilter, type FilterProperties } from '../types.js';

/** The GB a request needs: new_size - size for extend (both int()), else size. */
export function requestedGb(props: FilterProperties): number {
  if (props.new_size) return pyInt(props.new_size) - pyInt(props.size);
  return props.size;
}

const factors: CapacityFactors = { reservedCapacityGb: 0, totalAvailableCapacityGb: 0, virtualFreeCapacityGb: 0 };

/** Capacity filter based on the pool's capacity, reserved space and over-subscription. */
export const CapacityFilter: BackendFilter = {
  describe: 'keep pools with room for the requested size (reserved space, thin over-subscription)',
  backendPasses(pool, ctx) {
    const props = ctx.props;
    if (props.vol_exists_on !== undefined && pool.backendId === props.vol_exists_on) return PASS;
    const requested = requestedGb(props);
    if (requested === 0) return PASS;
    const thin = wantsThin(props.volume_type.extra_specs);
    const f = factors;
    const rule = capacityRule(pool, thin, f);
    if (rule === RULE_PASSES) return PASS;
    const free = pool.freeCapacityGb;
    const total = pool.totalCapacityGb;
    const reservedPct = pool.reservedPercentage;
    const ratio = pool.maxOverSubscriptionRatio;
    switch (rule) {
      case RULE_FREE_UNREPORTED:
        return { pass: false, reason: 'free_capacity_unreported', requestedGb: requested };
      case RULE_RESERVED_ON_UNSIZED:
        return { pass: false, reason: 'reserved_on_unsized_total', totalCapacityGb: total.kind, reservedPercentage: reservedPct };
      case RULE_TOTAL_MISSING:
        throw new PyError('TypeError', `pool ${pool.host} reports total_capacity_gb null with a numeric free_capacity_gb: float() argument must be a string or a real number, not 'NoneType'`);
      case RULE_NO_TOTAL:
        return { pass: false, reason: 'no_total_capacity', totalCapacityGb: (total as { gb: number }).gb };
      case RULE_THIN_NO_AVAILABLE:
        throw new PyError(
          'ZeroDivisionError',
          `pool ${pool.host}: thin provisioning with reserved_percentage ${reservedPct} leaves total available capacity ${f.totalAvailableCapacityGb} GB ` +
            `(total ${(total as { gb: number }).gb} GB, ratio ${ratio}); Cinder divides provisioned capacity by it and crashes (float division by zero)`,
        );
      case RULE_INVALID_RATIO:
        return { pass: false, reason: 'invalid_over_subscription_ratio', maxOverSubscriptionRatio: ratio };
    }
    const available = f.virtualFreeCapacityGb;
    if (rule === RULE_THIN) {
      const provisionedRatio = (pool.provisionedCapacityGb + requested) / f.totalAvailableCapacityGb;
      if (provisionedRatio > ratio) {
        return {
          pass: false,
          reason: 'over_subscription_exceeded',
          requestedGb: requested,
          provisionedGb: pool.provisionedCapacityGb,
          provisionedRatio,
          maxOverSubscriptionRatio: ratio,
          totalAvailableGb: f.totalAvailableCapacityGb,
          totalCapacityGb: (total as { gb: number }).gb,
          reservedCapacityGb: f.reservedCapacityGb,
          reservedPercentage: reservedPct,
        };
      }
      if (available >= requested) return PASS;
      return {
        pass: false,
        reason: 'insufficient_capacity',
        requestedGb: requested,
        availableGb: available,
        thin: true,
        maxOverSubscriptionRatio: ratio,
        reservedPercentage: reservedPct,
        totalCapacityGb: (total as { gb: number }).gb,
        reservedCapacityGb: f.reservedCapacityGb,
        totalAvailableGb: f.totalAvailableCapacityGb,
        provisionedGb: pool.provisionedCapacityGb,
        provisionedRatio,
      };
    }
    if (available >= requested) return PASS;
    // Thick (or a thin pool asked for thick): the smaller of free and total - reserved - provisioned.
    return {
      pass: false,
      reason: 'insufficient_capacity',
      requestedGb: requested,
      availableGb: available,
      thin: false,
      freeCapacityGb: (free as { gb: number }).gb,
      reservedCapacityGb: f.reservedCapacityGb,
      reservedPercentage: reservedPct,
      totalCapacityGb: (total as { gb: number }).gb,
      provisionedGb: pool.provisionedCapacityGb,
      totalAvailableGb: f.totalAvailableCapacityGb,
    };
  },
};
