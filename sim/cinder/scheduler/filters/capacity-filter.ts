import { capacityFactorsInto, wantsThin, type CapacityFactors } from '../capacity.js';
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
    const free = pool.freeCapacityGb;
    const total = pool.totalCapacityGb;
    if (free.kind === 'missing') return { pass: false, reason: 'free_capacity_unreported', requestedGb: requested };
    if (free.kind !== 'gb') return PASS;
    const reservedPct = pool.reservedPercentage;
    if (total.kind === 'infinite' || total.kind === 'unknown') {
      return reservedPct / 100 === 0 ? PASS : { pass: false, reason: 'reserved_on_unsized_total', totalCapacityGb: total.kind, reservedPercentage: reservedPct };
    }
    if (total.kind === 'missing') throw new PyError('TypeError', `pool ${pool.host} reports total_capacity_gb null with a numeric free_capacity_gb: float() argument must be a string or a real number, not 'NoneType'`);
    if (total.gb <= 0) return { pass: false, reason: 'no_total_capacity', totalCapacityGb: total.gb };
    const thin = wantsThin(props.volume_type.extra_specs);
    const thinSupport = pool.thinProvisioningSupport;
    const ratio = pool.maxOverSubscriptionRatio;
    const f = capacityFactorsInto(factors, total.gb, free.gb, pool.provisionedCapacityGb, thinSupport, thinSupport ? ratio : 1, reservedPct, thin);
    const available = f.virtualFreeCapacityGb;
    if (thin && thinSupport && ratio >= 1) {
      if (f.totalAvailableCapacityGb === 0) {
        throw new PyError(
          'ZeroDivisionError',
          `pool ${pool.host}: thin provisioning with reserved_percentage ${reservedPct} leaves total available capacity ${f.totalAvailableCapacityGb} GB ` +
            `(total ${total.gb} GB, ratio ${ratio}); Cinder divides provisioned capacity by it and crashes (float division by zero)`,
        );
      }
      const provisionedRatio = (pool.provisionedCapacityGb + requested) / f.totalAvailableCapacityGb;
      if (provisionedRatio > ratio) {
        return { pass: false, reason: 'over_subscription_exceeded', requestedGb: requested, provisionedGb: pool.provisionedCapacityGb, provisionedRatio, maxOverSubscriptionRatio: ratio, totalAvailableGb: f.totalAvailableCapacityGb };
      }
      return available >= requested ? PASS : { pass: false, reason: 'insufficient_capacity', requestedGb: requested, availableGb: available, thin: true, maxOverSubscriptionRatio: ratio, reservedPercentage: reservedPct };
    }
    if (thin && thinSupport) return { pass: false, reason: 'invalid_over_subscription_ratio', maxOverSubscriptionRatio: ratio };
    return available >= requested ? PASS : { pass: false, reason: 'insufficient_capacity', requestedGb: requested, availableGb: available, thin: false, freeCapacityGb: free.gb, reservedCapacityGb: f.reservedCapacityGb, reservedPercentage: reservedPct };
  },
};
