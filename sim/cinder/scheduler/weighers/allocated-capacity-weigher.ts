import type { BackendWeigher } from '../types.js';
import { weighEach } from './base.js';

/** Weighs pools by allocated GB; with the default -1.0 the least allocated wins. */
export const AllocatedCapacityWeigher: BackendWeigher = {
  describe: 'allocated capacity GB (default multiplier -1: least allocated wins)',
  multiplier: (c) => c.allocated_capacity_weight_multiplier,
  weigh: (pools) => weighEach(pools, (p) => p.allocatedCapacityGb),
};
