import type { BackendWeigher } from '../types.js';
import { weighEach } from './base.js';

/** Weighs pools by how many volumes they hold; with the default -1.0 the emptiest wins. */
export const VolumeNumberWeigher: BackendWeigher = {
  describe: 'number of volumes on the pool (default multiplier -1: fewest wins)',
  multiplier: (c) => c.volume_number_multiplier,
  weigh: (pools, ctx) => weighEach(pools, (p) => ctx.lookups.volumeCount(p.host)),
};
