import type { BackendWeigher } from '../types.js';
import { weighEach } from './base.js';

/** Random weights from the seeded stream `weigher:ChanceWeigher`, so a run replays. */
export const ChanceWeigher: BackendWeigher = {
  describe: 'random weight in [0, 1) per pool (seeded)',
  multiplier: () => 1.0,
  weigh(pools, ctx) {
    const rng = ctx.lookups.chanceRng();
    return weighEach(pools, () => rng.next());
  },
};
