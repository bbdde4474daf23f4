import { PASS, type BackendFilter } from '../types.js';

/** Filters backends by availability zone: the request's list wins over the volume's own AZ. */
export const AvailabilityZoneFilter: BackendFilter = {
  describe: 'keep pools whose service is in the requested availability zone(s)',
  backendPasses(pool, ctx) {
    const spec = ctx.props.request_spec;
    const actual = pool.service.availability_zone;
    const zones = spec.availability_zones;
    if (zones && zones.length > 0) {
      return zones.includes(actual) ? PASS : { pass: false, reason: 'az_mismatch', requested: zones, actual };
    }
    const requested = spec.volume_properties.availability_zone;
    if (requested) return requested === actual ? PASS : { pass: false, reason: 'az_mismatch', requested, actual };
    return PASS;
  },
};
