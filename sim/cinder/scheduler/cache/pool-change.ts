import { isDict, pyEquals, type Json } from '../python.js';

/**
 * Whether HostManager._get_updated_pools(oldCap, newCap) would find
 * nothing, without building its list or its two name maps: the common
 * report of one well-formed pool on each side is compared key by key here
 * (the pool found again by its name as a dict key finds it, then every
 * required key by Python's ==); any other shape is left to `full`, the
 * rule itself (host-manager.ts).  Held to `full` by a seeded differential
 * (test/unit/scheduler/pool-change.test.ts).  A year-long run asks this
 * about a million times.
 */
export function noPoolUpdated(
  oldCap: { readonly [k: string]: Json | undefined },
  newCap: { readonly [k: string]: Json | undefined },
  requiredKeys: readonly string[],
  full: () => readonly Json[],
): boolean {
  const fresh = newCap['pools'];
  const before = oldCap['pools'];
  if (!Array.isArray(fresh) || fresh.length !== 1 || !Array.isArray(before) || before.length !== 1) return full().length === 0;
  const p = fresh[0];
  const o = before[0];
  if (!isDict(p) || !isDict(o)) return full().length === 0;
  // A pool without every required key: the report is not well prepared and nothing counts as updated.
  for (const k of requiredKeys) if (!(k in p)) return true;
  // Another name: a new pool.  (Names equal only as NaN match as dict keys but, pool_name being
  // a required key, fail Python's == below all the same.)
  if (p['pool_name'] !== o['pool_name']) return false;
  for (const k of requiredKeys) if (!pyEquals(p[k], o[k])) return false;
  return true;
}
