import { describe, expect, test } from 'vitest';
import { maxOverSubscriptionRatio } from '../../../sim/cinder/scheduler/capacity.js';
import { storageProtocolVariants } from '../../../sim/cinder/scheduler/host-manager.js';
import type { Json } from '../../../sim/cinder/scheduler/python.js';
import { fleet, schedulerRig } from '../../fixtures/scheduler/fleet.js';

function advance(rig: ReturnType<typeof schedulerRig>, ms: number): void {
  rig.world.sim.run({ untilMs: rig.world.sim.now + ms });
}

describe('candidates: naming, order, who is left out', () => {
  test('host@backend#pool in backend then report order; legacy pools named by volume_backend_name or _pool0', () => {
    const rig = schedulerRig();
    const t = rig.node.clock.wallNow() - 1;
    rig.hm.updateServiceCapabilities('a@lvm', { volume_backend_name: 'lvm', total_capacity_gb: 1 }, t);
    rig.hm.updateServiceCapabilities('b@x', { total_capacity_gb: 1 }, t);
    rig.hm.updateServiceCapabilities('c@y', { volume_backend_name: '', total_capacity_gb: 1 }, t);
    rig.hm.updateServiceCapabilities('d@p', { pools: [{ pool_name: 'p2' }, { pool_name: 'p1' }] }, t);
    rig.hm.updateServiceCapabilities('e@empty', { pools: [] }, t);
    rig.hm.updateServiceCapabilities('f@notalist', { pools: 'p1' }, t);
    const services = ['d@p', 'a@lvm', 'b@x', 'c@y', 'e@empty', 'f@notalist'].map((h) => rig.service(h));
    expect(rig.hm.getAllBackendStates(services).map((p) => p.host)).toEqual(['d@p#p2', 'd@p#p1', 'a@lvm#lvm', 'b@x#_pool0', 'c@y']);
  });

  test.each([
    ['down', { up: false }],
    ['disabled', { disabled: true }],
    ['frozen', { frozen: true }],
  ] as const)('a %s service is left out', (_what, extra) => {
    const rig = schedulerRig();
    const t = rig.node.clock.wallNow() - 1;
    rig.hm.updateServiceCapabilities('a@x', { volume_backend_name: 'x' }, t);
    rig.hm.updateServiceCapabilities('b@x', { volume_backend_name: 'x' }, t);
    const hosts = rig.hm.getAllBackendStates([rig.service('a@x', extra), rig.service('b@x')]).map((p) => p.host);
    expect(hosts).toEqual(['b@x#x']);
  });

  test('a service that never reported is left out (and the manager knows not all have reported)', () => {
    const rig = schedulerRig();
    rig.hm.updateServiceCapabilities('b@x', { volume_backend_name: 'x' }, rig.node.clock.wallNow() - 1);
    expect(rig.hm.getAllBackendStates([rig.service('a@x'), rig.service('b@x')]).map((p) => p.host)).toEqual(['b@x#x']);
    expect(rig.hm.hasAllCapabilities()).toBe(false);
    rig.hm.updateServiceCapabilities('a@x', { volume_backend_name: 'x' }, rig.node.clock.wallNow() - 1);
    rig.hm.getAllBackendStates([rig.service('a@x'), rig.service('b@x')]);
    expect(rig.hm.hasAllCapabilities()).toBe(true);
  });

  test('a backend that goes down and comes back moves to the end of the order (Cinder re-inserts it)', () => {
    const rig = schedulerRig();
    const t = rig.node.clock.wallNow() - 1;
    for (const h of ['a@x', 'b@x']) rig.hm.updateServiceCapabilities(h, { volume_backend_name: 'x' }, t);
    const up = [rig.service('a@x'), rig.service('b@x')];
    expect(rig.hm.getAllBackendStates(up).map((p) => p.host)).toEqual(['a@x#x', 'b@x#x']);
    rig.hm.getAllBackendStates([rig.service('a@x', { up: false }), rig.service('b@x')]);
    expect(rig.hm.getAllBackendStates(up).map((p) => p.host)).toEqual(['b@x#x', 'a@x#x']);
  });
});

describe('pool capabilities', () => {
  test('a pool sees its own keys plus backend name, protocol variants, vendor, version; nothing else of the backend', () => {
    const rig = schedulerRig();
    rig.hm.updateServiceCapabilities(fleet.pooled.host, fleet.pooled.capabilities as unknown as Record<string, Json>, rig.node.clock.wallNow() - 1);
    const [gold, silver] = rig.hm.getAllBackendStates([rig.service(fleet.pooled.host)]);
    expect(gold!.capabilities).toMatchObject({ pool_name: 'gold', tier: 'gold', volume_backend_name: 'pooled', vendor_name: 'Acme', storage_protocol: ['FC', 'fibre_channel', 'fc'] });
    expect(silver!.capabilities['storage_protocol']).toEqual(['iSCSI', 'iscsi']);
    expect(gold!.capabilities).not.toHaveProperty('multiattach');
    expect(gold!.capabilities).not.toHaveProperty('custom_backend_key');
    expect(gold!.multiattach).toBe(false);
  });

  test.each([
    ['iSCSI', ['iSCSI', 'iscsi']],
    ['iscsi', ['iSCSI', 'iscsi']],
    ['fc', ['FC', 'fibre_channel', 'fc']],
    ['NFS', ['NFS', 'nfs']],
    ['NVMeOF', ['NVMe-oF', 'NVMeOF', 'nvmeof']],
    ['ceph', 'ceph'],
    ['ISCSI', 'ISCSI'],
    [null, null],
  ] as const)('storage_protocol %s -> %j', (reported, visible) => {
    expect(storageProtocolVariants(reported)).toEqual(visible);
  });
});

describe('max_over_subscription_ratio (computed once per report)', () => {
  const thin = { thin_provisioning_support: true, total_capacity_gb: 100, free_capacity_gb: 60 };
  test.each([
    ['no thin support', { total_capacity_gb: 100, max_over_subscription_ratio: 5 }, '20.0', 1],
    ['infinite total', { ...thin, total_capacity_gb: 'infinite', max_over_subscription_ratio: 5 }, '20.0', 1],
    ['unknown free', { ...thin, free_capacity_gb: 'unknown', max_over_subscription_ratio: 5 }, '20.0', 1],
    ['pool value', { ...thin, max_over_subscription_ratio: 1.5 }, '20.0', 1.5],
    ['numeric string', { ...thin, max_over_subscription_ratio: '2.5' }, '20.0', 2.5],
    ['missing -> global', thin, '7', 7],
    ['null -> global', { ...thin, max_over_subscription_ratio: null }, '7', 7],
    ['0 -> global', { ...thin, max_over_subscription_ratio: 0 }, '7', 7],
    ['auto, provisioned 70: 1 + 70 / (40 + 1)', { ...thin, provisioned_capacity_gb: 70, max_over_subscription_ratio: 'auto' }, '20.0', 1 + 70 / 41],
    ['auto, nothing provisioned -> 20', { ...thin, max_over_subscription_ratio: 'auto' }, '20.0', 20],
    ['global auto, provisioned from allocated', { ...thin, allocated_capacity_gb: 40 }, 'auto', 1 + 40 / 41],
    ['string "False" is truthy thin support', { ...thin, thin_provisioning_support: 'False', max_over_subscription_ratio: 3 }, '20.0', 3],
  ] as const)('%s', (_what, cap, global, ratio) => {
    expect(maxOverSubscriptionRatio(cap as Record<string, Json>, global)).toBe(ratio);
  });
});

describe('reports, staleness and consumption', () => {
  test('an older report than the stored one is ignored', () => {
    const rig = schedulerRig();
    const t = rig.node.clock.wallNow();
    expect(rig.hm.updateServiceCapabilities('a@x', { volume_backend_name: 'x', total_capacity_gb: 100, free_capacity_gb: 100 }, t - 10)).toBe('accepted');
    expect(rig.hm.updateServiceCapabilities('a@x', { volume_backend_name: 'x', total_capacity_gb: 100, free_capacity_gb: 5 }, t - 20)).toBe('ignored_old');
    const [pool] = rig.hm.getAllBackendStates([rig.service('a@x')]);
    expect(pool!.freeCapacityGb).toEqual({ kind: 'gb', gb: 100 });
  });

  test('consumption persists until a report newer than the consumption arrives; the ratio is not recomputed', () => {
    const rig = schedulerRig();
    const services = [rig.service('a@x')];
    const report = (free: number, tag: string) => ({ volume_backend_name: 'x', total_capacity_gb: 1000, free_capacity_gb: free, provisioned_capacity_gb: 100, thin_provisioning_support: true, max_over_subscription_ratio: 'auto', tag });
    rig.hm.updateServiceCapabilities('a@x', report(900, 'r1'), rig.node.clock.wallNow() - 5000);
    const [pool] = rig.hm.getAllBackendStates(services);
    const ratio = pool!.maxOverSubscriptionRatio;
    expect(ratio).toBe(1 + 100 / 101);
    rig.hm.consume(pool!, 50);
    advance(rig, 1000);
    // Sent 2 s before the consumption (by the scheduler's clock): numbers stay consumed, the dict is the new one.
    rig.hm.updateServiceCapabilities('a@x', report(800, 'r2'), rig.node.clock.wallNow() - 3000);
    const [again] = rig.hm.getAllBackendStates(services);
    expect(again!.freeCapacityGb).toEqual({ kind: 'gb', gb: 850 });
    expect(again!.provisionedCapacityGb).toBe(150);
    expect(again!.maxOverSubscriptionRatio).toBe(ratio);
    expect(again!.capabilities['tag']).toBe('r2');
    rig.hm.updateServiceCapabilities('a@x', report(700, 'r3'), rig.node.clock.wallNow());
    const [fresh] = rig.hm.getAllBackendStates(services);
    expect(fresh!.freeCapacityGb).toEqual({ kind: 'gb', gb: 700 });
    expect(fresh!.provisionedCapacityGb).toBe(100);
  });

  test('infinite and unknown free capacity do not go down when consumed', () => {
    const rig = schedulerRig();
    rig.hm.updateServiceCapabilities('a@x', { volume_backend_name: 'x', total_capacity_gb: 'infinite', free_capacity_gb: 'unknown', allocated_capacity_gb: 3 }, rig.node.clock.wallNow() - 1);
    const [pool] = rig.hm.getAllBackendStates([rig.service('a@x')]);
    rig.hm.consume(pool!, 10);
    expect(pool!.freeCapacityGb).toEqual({ kind: 'unknown' });
    expect(pool!.allocatedCapacityGb).toBe(13);
  });

  test('a pool that disappears from the report is dropped; a new one is appended', () => {
    const rig = schedulerRig();
    const services = [rig.service('a@x')];
    rig.hm.updateServiceCapabilities('a@x', { pools: [{ pool_name: 'p1' }, { pool_name: 'p2' }] }, rig.node.clock.wallNow() - 2);
    expect(rig.hm.getAllBackendStates(services).map((p) => p.poolName)).toEqual(['p1', 'p2']);
    rig.hm.updateServiceCapabilities('a@x', { pools: [{ pool_name: 'p3' }, { pool_name: 'p2' }] }, rig.node.clock.wallNow() - 1);
    expect(rig.hm.getAllBackendStates(services).map((p) => p.poolName)).toEqual(['p2', 'p3']);
  });
});

describe('candidate order depends on who reported first after the scheduler started (as in Cinder)', () => {
  // Expected orders were produced by Cinder 2023.1's HostManager itself (python3-cinder 21.3.1):
  // services a, b, c in the DB; reports arrive b, c, a.
  const requiredKeys = { allocated_capacity_gb: 0, provisioned_capacity_gb: 0, thin_provisioning_support: false, thick_provisioning_support: true, max_over_subscription_ratio: 1.0, reserved_percentage: 0 };
  test.each([
    ['legacy reports: only the first report refreshes the map', (n: string) => ({ volume_backend_name: n, total_capacity_gb: 100, free_capacity_gb: 100 }), ['b@x#b', 'a@x#a', 'c@x#c']],
    ['well-formed pool reports keep the manager "just initialised": arrival order', (n: string) => ({ volume_backend_name: n, pools: [{ pool_name: 'p', total_capacity_gb: 100, free_capacity_gb: 100, ...requiredKeys }] }), ['b@x#p', 'c@x#p', 'a@x#p']],
  ] as const)('%s', (_what, caps, order) => {
    for (const notify of [false, true]) {
      const rig = schedulerRig();
      const services = ['a@x', 'b@x', 'c@x'].map((h) => rig.service(h));
      ['b@x', 'c@x', 'a@x'].forEach((h, i) => {
        const ts = rig.node.clock.wallNow() - 10_000 + i * 1000;
        rig.hm.updateServiceCapabilities(h, caps(h[0]!), ts, null, services);
        if (notify) rig.hm.notifyServiceCapabilities(h, caps(h[0]!), ts);
      });
      expect(rig.hm.getAllBackendStates(services).map((p) => p.host)).toEqual(order);
    }
  });
});

describe('clock skew between the volume service and the scheduler', () => {
  // Cinder 2023.1 re-applies the stored report at every scheduling call; a
  // consumption survives only if the scheduler stamped it later than the
  // report's timestamp.  Checked against python3-cinder: free 70 / 100 / 100.
  test.each([
    ['report stamped 5 s before the consumption: kept', -5_000, 70],
    ['report stamped at the same instant: forgotten', 0, 100],
    ['report from a clock 60 s ahead: forgotten', 60_000, 100],
  ] as const)('%s', (_what, aheadMs, free) => {
    const rig = schedulerRig();
    const services = [rig.service('a@x')];
    rig.hm.updateServiceCapabilities('a@x', { volume_backend_name: 'x', total_capacity_gb: 100, free_capacity_gb: 100 }, rig.node.clock.wallNow() + aheadMs);
    const [pool] = rig.hm.getAllBackendStates(services);
    rig.hm.consume(pool!, 30);
    const [after] = rig.hm.getAllBackendStates(services);
    expect(after!.freeCapacityGb).toEqual({ kind: 'gb', gb: free });
  });
});

describe('revert_volume_consumed_capacity (reschedule)', () => {
  // python3-cinder: free 100 (revert wiped by the re-applied report) / 80 (30 consumed, 10 given back).
  test.each([
    ['on a pool never consumed, the re-applied report wipes the revert', false, 100],
    ['after a consumption, the revert stands', true, 80],
  ] as const)('%s', (_what, consumeFirst, free) => {
    const rig = schedulerRig();
    const services = [rig.service('a@x')];
    rig.hm.updateServiceCapabilities('a@x', { volume_backend_name: 'x', total_capacity_gb: 100, free_capacity_gb: 100 }, rig.node.clock.wallNow() - 5000);
    const [pool] = rig.hm.getAllBackendStates(services);
    if (consumeFirst) rig.hm.consume(pool!, 30);
    rig.hm.revertConsumed('a@x#x', 10);
    const [after] = rig.hm.getAllBackendStates(services);
    expect(after!.freeCapacityGb).toEqual({ kind: 'gb', gb: free });
  });
});

describe('refresh skipping (an optimisation that must not change answers)', () => {
  test('unchanged rows and reports reuse the candidates; a replaced row or a new report refreshes', () => {
    const rig = schedulerRig();
    const t = rig.node.clock.wallNow() - 1000;
    rig.hm.updateServiceCapabilities('a@x', { volume_backend_name: 'x', total_capacity_gb: 10, free_capacity_gb: 10 }, t);
    rig.hm.updateServiceCapabilities('b@x', { volume_backend_name: 'x', total_capacity_gb: 10, free_capacity_gb: 10 }, t);
    const rows = [rig.service('a@x'), rig.service('b@x')];
    const first = rig.hm.getAllBackendStates(rows);
    expect(rig.hm.getAllBackendStates([...rows])).toBe(first);
    expect(rig.hm.getAllBackendStates([rig.service('a@x', { up: false }), rows[1]!]).map((p) => p.host)).toEqual(['b@x#x']);
    rig.hm.updateServiceCapabilities('b@x', { volume_backend_name: 'x', total_capacity_gb: 10, free_capacity_gb: 3 }, t + 1);
    const pools = rig.hm.getAllBackendStates(rows);
    expect(pools.map((p) => p.host)).toEqual(['b@x#x', 'a@x#x']);
    expect(pools[0]!.freeCapacityGb).toEqual({ kind: 'gb', gb: 3 });
  });
});
