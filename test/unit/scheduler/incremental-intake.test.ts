import { describe, expect, test } from 'vitest';
import { HostManager, type Capabilities, type PoolState, type ServiceInfo } from '../../../sim/cinder/scheduler/host-manager.js';
import { PyError, type Json } from '../../../sim/cinder/scheduler/python.js';
import { SeededRng } from '../../../sim/engine/rng.js';
import type { Clock } from '../../../sim/ports/clock.js';

/** The scheduler's wall clock, moved by the test. */
class TestClock implements Clock {
  wall = 1_700_000_000_000;
  monoNow(): number {
    return 0;
  }
  wallNow(): number {
    return this.wall;
  }
  wallAt(): number {
    return this.wall;
  }
}

const BACKENDS = ['n1@a', 'n1@b', 'n2@a', 'n3@legacy', 'n4@c'];

function capabilities(host: string, rng: SeededRng): Capabilities {
  const free = (total: number) => rng.int(0, total);
  if (host.endsWith('@legacy')) return { volume_backend_name: 'legacy', total_capacity_gb: 500, free_capacity_gb: free(500), allocated_capacity_gb: rng.int(0, 50) };
  const pools: Json[] = [];
  const names = rng.next() < 0.15 ? ['p1'] : ['p1', 'p2'];
  for (const name of names) {
    pools.push({
      pool_name: name,
      total_capacity_gb: 1000,
      free_capacity_gb: free(1000),
      allocated_capacity_gb: rng.int(0, 100),
      provisioned_capacity_gb: rng.int(0, 200),
      reserved_percentage: 0,
      thin_provisioning_support: rng.next() < 0.5,
      thick_provisioning_support: true,
      max_over_subscription_ratio: rng.next() < 0.2 ? 'auto' : 20,
    });
  }
  return { volume_backend_name: host.split('@')[1]!, storage_protocol: 'iSCSI', pools };
}

/** Everything a scheduling call could read from the host manager. */
function view(pools: readonly PoolState[]): unknown {
  return pools.map((p) => ({
    ...p.snapshot(),
    caps: p.capabilities,
    updated: p.updatedWallMs,
    lastReport: p.lastReportWallMs,
    consumed: p.consumedSinceReport,
    service: p.service,
    vendor: p.vendorName,
    protocol: p.storageProtocol,
  }));
}

/** One randomized run of reports, service flaps, consumptions and reverts into `hm`, the views after every call. */
function run(seed: string, incremental: boolean): unknown[] {
  const rng = new SeededRng(seed, 'intake');
  const clock = new TestClock();
  const hm = new HostManager({ clock, incremental });
  const rows = new Map<string, ServiceInfo>(BACKENDS.map((h) => [h, { host: h, availability_zone: 'nova', disabled: false, frozen: false, up: true }]));
  const lastCaps = new Map<string, Capabilities>();
  const sent = new Map<string, number>();
  const views: unknown[] = [];
  for (let step = 0; step < 400; step++) {
    clock.wall += rng.int(1, 60_000);
    for (const host of BACKENDS) {
      if (rng.next() < 0.4) continue;
      const prev = lastCaps.get(host);
      const roll = rng.next();
      // The same object again (most periodic reports), an equal copy, or new numbers.
      const caps = prev && roll < 0.6 ? prev : prev && roll < 0.75 ? (JSON.parse(JSON.stringify(prev)) as Capabilities) : capabilities(host, rng);
      lastCaps.set(host, caps);
      // Stamps from a volume clock that may lag, lead, or be stepped back.
      const stamp = (sent.get(host) ?? clock.wall) + rng.int(-90_000, 70_000);
      sent.set(host, Math.max(stamp, sent.get(host) ?? stamp));
      hm.updateServiceCapabilities(host, caps, stamp);
    }
    const flap = rng.next();
    if (flap < 0.1) {
      const host = BACKENDS[rng.int(0, BACKENDS.length - 1)]!;
      const row = rows.get(host)!;
      rows.set(host, { ...row, up: rng.next() < 0.7 ? !row.up : row.up, disabled: rng.next() < 0.2 ? !row.disabled : row.disabled });
    } else if (flap < 0.2) {
      // A replaced row with the same values (a fresh services query).
      const host = BACKENDS[rng.int(0, BACKENDS.length - 1)]!;
      rows.set(host, { ...rows.get(host)! });
    }
    let pools: PoolState[];
    try {
      pools = hm.getAllBackendStates([...rows.values()]);
    } catch (e) {
      if (!(e instanceof PyError)) throw e;
      views.push(`${e.pyType}: ${e.message}`);
      continue;
    }
    views.push(view(pools));
    const consumes = rng.int(0, 3);
    for (let i = 0; i < consumes && pools.length > 0; i++) {
      const pool = pools[rng.int(0, pools.length - 1)]!;
      hm.consume(pool, rng.int(1, 40));
    }
    if (rng.next() < 0.05 && pools.length > 0) {
      const pool = pools[rng.int(0, pools.length - 1)]!;
      try {
        hm.revertConsumed(pool.backendId, rng.int(1, 10));
      } catch (e) {
        if (!(e instanceof PyError)) throw e;
      }
    }
    clock.wall += rng.int(0, 5_000);
  }
  return views;
}

describe('incremental report intake', () => {
  test.each(['1', '2', '3', '4', '5', '6'])('gives the pool states of a full re-application at every call (seed %s)', (seed) => {
    const full = run(seed, false);
    const incremental = run(seed, true);
    expect(full.length).toBe(400);
    for (let i = 0; i < full.length; i++) expect(incremental[i], `call ${i}`).toEqual(full[i]);
  });
});
