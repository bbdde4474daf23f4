import { SeededRng } from '../../engine/rng.js';
import type { Json } from '../../cinder/scheduler/python.js';
import type { Rng } from '../../ports/rng.js';

/**
 * A scheduler case (the `cinder-sim schedule` format) of the size that
 * matters for a large cloud: B backends in three zones, every third with
 * two pools, thick and thin (over-subscription 1.0 - 4.0), reserved 0 -
 * 15 %, a `tier` capability; R creates of 1 - 500 GB, three in ten asking
 * for a zone and three in ten for a tier.  Cinder's default filters and
 * CapacityWeigher.  The same case goes to the real Cinder and to cinder-sim.
 */
export interface GeneratedCase {
  id: string;
  backends: { host: string; availability_zone: string; capabilities: Record<string, unknown> }[];
  requests: { size: number; volume_id: string; availability_zone?: string; volume_type?: { name: string; extra_specs: Record<string, string> } }[];
}

export const ZONES = ['nova', 'az1', 'az2'];

/**
 * Backend i of the bench fleet: its capability report, drawn from `rng`
 * (thin or thick, one pool or, every third, two).  `thickKey` adds
 * thick_provisioning_support, which the scheduling case spells out; the
 * draws are the same either way.
 */
export function benchCapabilities(rng: Rng, i: number, thickKey: boolean): { volume_backend_name: string; storage_protocol: string; vendor_name: string; driver_version: string; pools: Record<string, Json>[] } {
  const thin = rng.chance(0.5);
  const pool = (name: string): Record<string, Json> => {
    const total = rng.int(1000, 100_000);
    const allocated = rng.int(0, total >> 1);
    return {
      pool_name: name,
      total_capacity_gb: total,
      free_capacity_gb: total - allocated,
      allocated_capacity_gb: allocated,
      provisioned_capacity_gb: allocated,
      thin_provisioning_support: thin,
      ...(thickKey ? { thick_provisioning_support: !thin } : {}),
      max_over_subscription_ratio: thin ? rng.int(10, 40) / 10 : 1,
      reserved_percentage: rng.int(0, 3) * 5,
      tier: rng.chance(0.5) ? 'gold' : 'silver',
    };
  };
  return { volume_backend_name: `be${i}`, storage_protocol: 'iSCSI', vendor_name: 'Open Source', driver_version: '3.0.0', pools: i % 3 === 0 ? [pool('a'), pool('b')] : [pool('a')] };
}

export function generateScheduleCase(backendCount: number, requestCount: number, seed: string): GeneratedCase {
  const rng = new SeededRng(seed, 'bench');
  const backends: GeneratedCase['backends'] = [];
  for (let i = 0; i < backendCount; i++) {
    backends.push({ host: `node${i}@be${i}`, availability_zone: ZONES[i % 3]!, capabilities: benchCapabilities(rng, i, true) });
  }
  const requests: GeneratedCase['requests'] = [];
  for (let k = 0; k < requestCount; k++) {
    const az = rng.chance(0.3) ? ZONES[rng.int(0, 2)]! : null;
    const tier = rng.chance(0.3) ? (rng.chance(0.5) ? 'gold' : '<or> gold <or> silver') : null;
    requests.push({
      size: rng.int(1, 500),
      volume_id: `vol-${String(k + 1).padStart(4, '0')}`,
      ...(az ? { availability_zone: az } : {}),
      ...(tier ? { volume_type: { name: 'bench', extra_specs: { tier } } } : {}),
    });
  }
  return { id: `bench-${backendCount}x${requestCount}-seed-${seed}`, backends, requests };
}
