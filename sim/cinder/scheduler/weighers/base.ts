import type { PoolState } from '../host-manager.js';
import type { WeigherResult } from '../types.js';

/** BaseWeigher.weigh_objects: raw values with min/max tracked exactly as Cinder tracks them. */
export function weighEach(pools: readonly PoolState[], raw: (pool: PoolState) => number): WeigherResult {
  const values = new Array<number>(pools.length);
  let min = NaN;
  let max = NaN;
  for (let i = 0; i < pools.length; i++) {
    const w = raw(pools[i]!);
    if (i === 0) {
      min = w;
      max = w;
    }
    if (w < min) min = w;
    else if (w > max) max = w;
    values[i] = w;
  }
  return { raw: values, min, max, values };
}

/** base_weight.normalize against the weigher's min and max. */
export function normalize(r: WeigherResult, i: number): number {
  if (r.min === r.max) return 0;
  return (r.values[i]! - r.min) / (r.max - r.min);
}
