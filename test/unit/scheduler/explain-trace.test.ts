import { describe, expect, test } from 'vitest';
import { describeVerdict, renderDecision } from '../../../sim/cinder/scheduler/explain.js';
import { capacityShortfallGb, type Decision } from '../../../sim/cinder/scheduler/filter-scheduler.js';
import type { Json } from '../../../sim/cinder/scheduler/python.js';
import { runCase } from '../../../sim/cinder/scheduler/case.js';
import { World } from '../../../sim/engine/world.js';
import { fleetCase, runFleetCase, schedulerRig, type FleetName } from '../../fixtures/scheduler/fleet.js';

function decide(request: object, opts: { names?: FleetName[]; config?: Record<string, Json> } = {}): Decision {
  return runFleetCase(fleetCase(request as Record<string, Json>, opts)).decisions[0]!.decision;
}

const volumeType = (extra: Record<string, string>) => ({ name: 't', extra_specs: extra });

describe('services left out before filtering (HostManager._update_backend_state_map)', () => {
  test('the fleet: down, never reported and disabled, each with its reason, in DB order', () => {
    const d = decide({ size: 1 });
    expect(d.leftOut).toEqual([
      { host: 'node8@down', reason: 'down' },
      { host: 'node9@never', reason: 'no_report' },
      { host: 'node10@off', reason: 'disabled' },
    ]);
  });
  test('frozen, a report without pools and a second service of a cluster', () => {
    const { hm, scheduler, service } = schedulerRig();
    hm.updateServiceCapabilities('a@x', { volume_backend_name: 'x', total_capacity_gb: 10, free_capacity_gb: 10 }, 1);
    hm.updateServiceCapabilities('b@y', { volume_backend_name: 'y', pools: [] }, 1);
    hm.updateServiceCapabilities('c1', { volume_backend_name: 'c', total_capacity_gb: 10, free_capacity_gb: 10 }, 1);
    hm.updateServiceCapabilities('f@z', { volume_backend_name: 'z', total_capacity_gb: 10, free_capacity_gb: 10 }, 1);
    const services = [service('a@x'), service('b@y'), service('h1@c', { cluster_name: 'c1' }), service('h2@c', { cluster_name: 'c1' }), service('f@z', { frozen: true }), service('g@w', { disabled: true, frozen: true })];
    const d = scheduler.scheduleCreateVolume({ services, requestSpec: { volume_id: 'v', volume_properties: { size: 1, availability_zone: null, attach_status: 'detached', status: 'creating' }, volume_type: null, operation: 'create_volume' } });
    expect(d.selected).not.toBeNull();
    expect(d.candidates).toEqual(['a@x#x', 'h1@c#c']);
    expect(d.leftOut!.map((s) => [s.host, s.reason])).toEqual([
      ['b@y', 'no_pools'],
      ['h2@c', 'cluster_member'],
      ['f@z', 'frozen'],
      ['g@w', 'disabled'],
    ]);
  });
  test('the light trace computes none of it (and decides the same)', () => {
    const c = fleetCase({ size: 100000 });
    const full = runFleetCase(c).decisions[0]!.decision;
    const world = new World({ seed: '1' });
    const light = runCase(c, { clock: world.addNode('scheduler').clock, chanceRng: world.rng.stream('weigher:ChanceWeigher'), trace: 'light' }).decisions[0]!.decision;
    expect(full.verdicts).toBeDefined();
    expect(full.leftOut).toHaveLength(3);
    expect(light.verdicts).toBeUndefined();
    expect(light.leftOut).toBeUndefined();
    expect([light.selected, light.error]).toEqual([full.selected, full.error]);
  });
});

describe('every filter on every pool', () => {
  test('a pool rejected by several filters is listed under each, not only the first', () => {
    // Thick pool asked for 100000 GB of type thin20 in az2: AZ, capacity and capabilities all reject it.
    const d = decide({ size: 100000, availability_zone: 'az2', volume_type: volumeType({ volume_backend_name: 'thin20' }) }, { names: ['thickReserved', 'thin20'] });
    expect(d.verdicts!.filters).toEqual(['AvailabilityZoneFilter', 'CapacityFilter', 'CapabilitiesFilter']);
    const of = (host: string) => d.verdicts!.pools.find((p) => p.host === host)!.failed.map((f) => [f.filter, f.verdict.reason]);
    expect(of('node1@thick#thick')).toEqual([
      ['AvailabilityZoneFilter', 'az_mismatch'],
      ['CapacityFilter', 'insufficient_capacity'],
      ['CapabilitiesFilter', 'extra_spec_mismatch'],
    ]);
    expect(of('node3@thin20#thin20')).toEqual([['CapacityFilter', 'over_subscription_exceeded']]);
    // The real loop still stopped at each pool's first rejection.
    expect(d.filters!.map((f) => f.rejected.map((r) => r.host))).toEqual([['node1@thick#thick'], ['node3@thin20#thin20'], []]);
    // Nearest: one failing filter beats three.
    expect(d.summary!.nearest!.map((n) => [n.host, n.failing.length])).toEqual([
      ['node3@thin20#thin20', 1],
      ['node1@thick#thick', 3],
    ]);
  });
  test('nearest to passing: on a tie, a pool only short of capacity before one of the wrong type', () => {
    // 10 GB of type full: the nearly full pool is only 9 GB short; the thin20 pool (listed first) only the wrong type.
    const d = decide({ size: 10, volume_type: volumeType({ volume_backend_name: 'full' }) }, { names: ['thin20', 'nearlyFull'] });
    expect(d.summary!.nearest!.map((n) => [n.host, n.failing.join('+'), n.shortfallGb])).toEqual([
      ['node4@full#full', 'CapacityFilter', 9],
      ['node3@thin20#thin20', 'CapabilitiesFilter', null],
    ]);
  });
  test('a filter Cinder would raise in is recorded as such; the run does not crash and the decision is the same', () => {
    const backends = [
      { host: 'r@x', capabilities: { volume_backend_name: 'x', total_capacity_gb: 100, free_capacity_gb: 100, reserved_percentage: 100, thin_provisioning_support: true } },
      { host: 'ok@y', capabilities: { volume_backend_name: 'y', total_capacity_gb: 100, free_capacity_gb: 100 } },
    ] as unknown as Json[];
    // AZ first: r@x is in az9 and is dropped before CapacityFilter would raise on it in the real loop.
    (backends[0] as Record<string, Json>)['availability_zone'] = 'az9';
    const d = runFleetCase(fleetCase({ size: 10, availability_zone: 'nova' }, { backends })).decisions[0]!.decision;
    expect(d.selected).toBe('ok@y#y');
    const raised = d.verdicts!.pools.find((p) => p.host === 'r@x#x')!.failed.find((f) => f.filter === 'CapacityFilter')!;
    expect(raised.verdict).toMatchObject({ reason: 'raises', errorType: 'ZeroDivisionError' });
    expect(describeVerdict(raised.verdict)).toMatch(/^Cinder 2023\.1 raises here: ZeroDivisionError: /);
  });
});

describe("verdicts in Cinder 2023.1's terms", () => {
  test('thick: the smaller of free and total - reserved - provisioned, so the numbers add up', () => {
    // fleet thickReserved: total 1000, 10 % reserved (100), provisioned 400, free 600 -> min(600, 500) = 500.
    const d = decide({ size: 501 }, { names: ['thickReserved'] });
    const v = d.verdicts!.pools[0]!.failed[0]!.verdict;
    expect(describeVerdict(v)).toBe('needs 501 GB; 500 GB available (thick: the smaller of free 600 GB and total 1000 GB minus reserved 100 GB (reserved_percentage 10) minus provisioned 400 GB = 500 GB)');
    expect(capacityShortfallGb(v)).toBe(1);
  });
  test('thin: virtual free from total less reserved times the ratio, and the provisioned ratio', () => {
    // fleet thin20: (1000 - 50) x 2 = 1900, provisioned 1500 -> 400 virtual free; (1500 + 401) / 1900 = 1.0005 within 2.
    const d = decide({ size: 401 }, { names: ['thin20'], config: { filters: ['CapacityFilter'] } });
    const v = d.verdicts!.pools[0]!.failed[0]!.verdict;
    expect(describeVerdict(v)).toBe('needs 401 GB; 400 GB virtual free (thin: (total 1000 GB minus reserved 50 GB (reserved_percentage 5)) x max_over_subscription_ratio 2 = 1900 GB, minus provisioned 1500 GB; provisioned ratio (1500 + 401) / 1900 = 1.00, within 2)');
  });
  test('over-subscription: the shortfall is what the tighter of the ratio test and virtual free space leaves', () => {
    // thin15: 750 available, provisioned 600: ratio allows 525 more, virtual free 150 -> 600 GB is 450 short.
    const d = decide({ size: 600 }, { names: ['thin15'] });
    const v = d.verdicts!.pools[0]!.failed[0]!.verdict;
    expect(v.reason).toBe('over_subscription_exceeded');
    expect(capacityShortfallGb(v)).toBe(450);
    expect(describeVerdict(v)).toBe('provisioned ratio (provisioned 600 GB + requested 600 GB) / total available 750 GB = 1.60 > max_over_subscription_ratio 1.5 (total available = (total 500 GB minus reserved 0 GB (reserved_percentage 0)) x 1.5)');
  });
  test('the No valid backend headline names the nearest pools and what stops each', () => {
    const d = decide({ size: 100000 }, { names: ['thickReserved', 'nearlyFull'] });
    expect(renderDecision(d)).toContain('nearest to passing: node1@thick#thick (1 failing filter: CapacityFilter; 99500 GB short); node4@full#full (1 failing filter: CapacityFilter; 99999 GB short)');
  });
});
