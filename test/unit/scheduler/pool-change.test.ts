import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { noPoolUpdated } from '../../../sim/cinder/scheduler/cache/pool-change.js';
import { REQUIRED_POOL_KEYS, updatedPools, type Capabilities } from '../../../sim/cinder/scheduler/host-manager.js';
import type { Json } from '../../../sim/cinder/scheduler/python.js';

/**
 * noPoolUpdated (the one-pool comparison a year-long run makes a million
 * times) against the rule it stands for, HostManager._get_updated_pools
 * finding nothing: on random pairs of reports built to hit its corners
 * (a missing required key, names that differ, match only as NaN or as
 * 0 and -0, 1 against true, a value of another type, a pool that is not a
 * dict, empty, absent or several pools).
 */
function randomPool(r: () => number, base?: Record<string, Json>): Json {
  if (r() < 0.03) return pick(r, [null, 'pool', 3, ['a']]);
  const names: Json[] = ['a', 'b', 0, NaN, 'LVM'];
  const p: Record<string, Json> = base ? { ...base } : {};
  for (const k of REQUIRED_POOL_KEYS) {
    if (base && r() < 0.8) continue;
    p[k] = k === 'pool_name' ? pick(r, names) : pick(r, [0, 1, true, false, 100, 100.5, '100', null, 20.0]);
  }
  if (r() < 0.05) delete p[pick(r, [...REQUIRED_POOL_KEYS])];
  if (base && r() < 0.05) p['pool_name'] = pick(r, [-0, 0, NaN, 'a']);
  return p;
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function randomCaps(r: () => number, like?: Capabilities): Capabilities {
  const shape = r();
  if (shape < 0.05) return {};
  if (shape < 0.1) return { pools: pick(r, [[], null, 'x', { a: 1 }]) as Json };
  const oldPools = Array.isArray(like?.['pools']) ? (like!['pools'] as Json[]) : [];
  const n = r() < 0.8 ? 1 : Math.floor(r() * 3);
  const pools = Array.from({ length: n }, (_, i) => {
    const base = oldPools[i];
    return randomPool(r, base !== null && typeof base === 'object' && !Array.isArray(base) && r() < 0.8 ? (base as Record<string, Json>) : undefined);
  });
  return { pools };
}

describe('noPoolUpdated against _get_updated_pools', () => {
  it('agrees on 20,000 random pairs of reports', () => {
    const r = seedrandom.alea('pool-change');
    let fast = 0;
    let changed = 0;
    for (let i = 0; i < 20_000; i++) {
      const oldCap = randomCaps(r);
      const newCap = randomCaps(r, oldCap);
      let usedFull = false;
      const got = noPoolUpdated(oldCap, newCap, REQUIRED_POOL_KEYS, () => {
        usedFull = true;
        return updatedPools(oldCap, newCap);
      });
      const want = updatedPools(oldCap, newCap).length === 0;
      if (got !== want) expect({ oldCap, newCap, got }).toEqual({ oldCap, newCap, got: want });
      if (!usedFull) fast++;
      if (!want) changed++;
    }
    // The one-pool path carried most pairs, and both answers were common.
    expect(fast).toBeGreaterThan(10_000);
    expect(changed).toBeGreaterThan(4_000);
    expect(changed).toBeLessThan(16_000);
  });
});
