import { describe, expect, test } from 'vitest';
import { renderDecision } from '../../../sim/cinder/scheduler/explain.js';
import type { Decision } from '../../../sim/cinder/scheduler/filter-scheduler.js';
import { filterNames } from '../../../sim/cinder/scheduler/filters/index.js';
import type { Json } from '../../../sim/cinder/scheduler/python.js';
import { weigherNames } from '../../../sim/cinder/scheduler/weighers/index.js';
import { placeMany } from '../../../sim/cli/bench/scheduler.js';
import { fleetCase, runFleetCase, schedulerRig, type FleetName } from '../../fixtures/scheduler/fleet.js';

function decide(request: object, opts: { names?: FleetName[]; config?: Record<string, Json>; backends?: Json[] } = {}): Decision {
  return runFleetCase(fleetCase(request as Record<string, Json>, opts)).decisions[0]!.decision;
}

const equal = (host: string, total: number) => ({ host, capabilities: { volume_backend_name: host.split('@')[1]!, total_capacity_gb: total, free_capacity_gb: total } });

describe('weighing', () => {
  test('min-max normalisation times the multiplier; ties keep candidate order', () => {
    const d = decide({ size: 1 }, { backends: [equal('a@1', 100), equal('b@2', 300), equal('c@3', 300), equal('d@4', 200)] });
    expect(d.weighed).toEqual([
      { host: 'b@2#2', weight: 1 },
      { host: 'c@3#3', weight: 1 },
      { host: 'd@4#4', weight: 0.5 },
      { host: 'a@1#1', weight: 0 },
    ]);
    expect(d.selected).toBe('b@2#2');
  });
  test('infinite/unknown weigh -1 with a positive multiplier (last), and max + offset with a negative one (last again)', () => {
    const names: FleetName[] = ['thickReserved', 'infinite', 'thin20'];
    const pos = decide({ size: 1 }, { names });
    expect(pos.weighers[0]!.rows.map((r) => r.raw)).toEqual([500, -1, 400]);
    expect(pos.weighed.at(-1)!.host).toBe('node5@ceph#ceph');
    const neg = decide({ size: 1 }, { names, config: { capacity_weight_multiplier: -1 } });
    // max finite 500, min 400: offset (500 - 400) * 100 = 10000 -> the infinite pool weighs 10500.
    expect(neg.weighers[0]).toMatchObject({ min: 400, max: 10500 });
    expect(neg.weighed.map((w) => w.host)).toEqual(['node3@thin20#thin20', 'node1@thick#thick', 'node5@ceph#ceph']);
  });
  test('all pools infinite with a multiplier <= 0 is a ValueError in Cinder, reported not thrown', () => {
    const d = decide({ size: 1 }, { names: ['infinite', 'unknown'], config: { capacity_weight_multiplier: 0 } });
    expect(d.errorType).toBe('ValueError');
    expect(d.error).toContain('infinite or unknown');
    expect(d.selected).toBeNull();
  });
  test('weighers sum in order: VolumeNumberWeigher reads the volume counts', () => {
    const d = decide({ size: 1 }, { names: ['pooled'], config: { weighers: ['VolumeNumberWeigher'] } });
    expect(d.weighers[0]!.rows.map((r) => [r.host, r.raw, r.weighted])).toEqual([
      ['node7@pooled#gold', 4, -1],
      ['node7@pooled#silver', 1, -0],
    ]);
    expect(d.selected).toBe('node7@pooled#silver');
  });
  test('ChanceWeigher is seeded: same seed, same choice', () => {
    const c = fleetCase({ size: 1 }, { config: { weighers: ['ChanceWeigher'] }, backends: [equal('a@1', 10), equal('b@2', 10), equal('c@3', 10), equal('d@4', 10)] });
    const picks = (seed: string) => runFleetCase(c, seed).decisions[0]!.decision.weighed.map((w) => w.host).join();
    expect(picks('5')).toBe(picks('5'));
    expect(new Set(['1', '2', '3', '4', '5', '6'].map(picks)).size).toBeGreaterThan(1);
  });
});

describe('operations and their error texts', () => {
  test('create: No valid backend, with a one-glance summary', () => {
    const d = decide({ size: 100000, volume_id: 'v9' }, { names: ['thickReserved', 'nearlyFull', 'pooled'] });
    expect(d.error).toBe('No valid backend was found. No weighed backends available');
    expect(d.errorType).toBe('NoValidBackend');
    expect(d.summary!.emptiedBy).toBe('CapacityFilter');
    expect(d.summary!.firstRejections.map((r) => [r.host, r.filter, r.verdict.reason])).toEqual([
      ['node1@thick#thick', 'CapacityFilter', 'insufficient_capacity'],
      ['node4@full#full', 'CapacityFilter', 'insufficient_capacity'],
      ['node7@pooled#gold', 'CapacityFilter', 'over_subscription_exceeded'],
      ['node7@pooled#silver', 'CapacityFilter', 'insufficient_capacity'],
    ]);
    expect(renderDecision(d)).toContain('why: CapacityFilter left no pool');
  });
  test('create consumes: the next request sees less room and the volume AZ is the pool service AZ', () => {
    const run = runFleetCase(fleetCase({ size: 0 }, { names: ['pooled'] }));
    expect(run.decisions[0]!.decision.selectedAz).toBe('az2');
    const two = fleetCaseMany([{ size: 400 }, { size: 400 }], ["thickReserved"]);
    expect(two.map((d) => d.selected)).toEqual(['node1@thick#thick', null]);
  });
  test('resource_backend keeps only that backend (or pool)', () => {
    expect(decide({ size: 1, resource_backend: 'node7@pooled' }).selected).toMatch(/^node7@pooled#/);
    expect(decide({ size: 1, resource_backend: 'node7@pooled#silver' }).selected).toBe('node7@pooled#silver');
    expect(decide({ size: 1, resource_backend: 'nowhere@x' }).error).toBe('No valid backend was found. No weighed backends available');
  });
  test('retries: past scheduler_max_attempts the request fails with Cinder text', () => {
    const d = decide({ size: 1, volume_id: 'rx', retry: { num_attempts: 3, backends: ['a', 'b', 'c'] } });
    expect(d.error).toBe('No valid backend was found. Exceeded max scheduling attempts 3 for resource rx');
    expect(d.filters).toBeNull();
    const ok = decide({ size: 1, volume_id: 'rx', retry: { num_attempts: 1, backends: ['node1@thick#thick'] } }, { names: ['thickReserved', 'thin20'], config: { filters: ['IgnoreAttemptedHostsFilter'] } });
    expect(ok.selected).toBe('node3@thin20#thin20');
    expect(ok.retry).toEqual({ num_attempts: 2, backends: ['node1@thick#thick', 'node3@thin20#thin20'] });
  });
  test('extend: Cannot place volume <id> on <host>.', () => {
    expect(decide({ operation: 'extend_volume', size: 10, new_size: 5000, host: 'node1@thick#thick', volume_id: 'ev' }).error).toBe('Cannot place volume ev on node1@thick#thick.');
    const ok = decide({ operation: 'extend_volume', size: 10, new_size: 50, host: 'node1@thick#thick', volume_id: 'ev' });
    expect([ok.selected, ok.consumedGb]).toEqual(['node1@thick#thick', 40]);
  });
  test('retype: stays, refuses to migrate under "never", migrates on demand', () => {
    const type = (backend: string) => ({ name: 'gold', extra_specs: { volume_backend_name: backend } });
    const base = { operation: 'retype', size: 10, host: 'node4@full#full', volume_id: 'rv' };
    expect(decide({ ...base, volume_type: type('full') })).toMatchObject({ selected: 'node4@full#full', error: null });
    expect(decide({ ...base, volume_type: type('thick') }).error).toBe(
      "No valid backend was found. Current backend not valid for volume rv with type {'name': 'gold', 'extra_specs': {'volume_backend_name': 'thick'}, 'id': 'type-gold', 'qos_specs_id': None}, migration not allowed",
    );
    expect(decide({ ...base, volume_type: type('thick'), migration_policy: 'on-demand' })).toMatchObject({ selected: 'node1@thick#thick', consumedGb: 10 });
    expect(decide({ ...base, volume_type: type('nope') }).error).toBe("No valid backend was found. No valid backends for volume rv with type {'name': 'gold', 'extra_specs': {'volume_backend_name': 'nope'}, 'id': 'type-gold', 'qos_specs_id': None}");
  });
  test('unknown filter and weigher names: every bad one, and the valid ones', () => {
    const f = decide({ size: 1 }, { config: { filters: ['CapacityFilter', 'NopeFilter', 'AlsoBad'] } });
    expect(f).toMatchObject({ errorType: 'SchedulerHostFilterNotFound', error: 'Scheduler Host Filter NopeFilter, AlsoBad could not be found.', filters: null });
    expect(f.errorDetail).toBe(`valid filters: ${filterNames.join(', ')}`);
    const w = decide({ size: 1 }, { config: { weighers: ['CapacityWeigher', 'BadWeigher'] } });
    expect(w).toMatchObject({ errorType: 'SchedulerHostWeigherNotFound', error: 'Scheduler Host Weigher BadWeigher could not be found.' });
    expect(w.errorDetail).toBe(`valid weighers: ${weigherNames.join(', ')}`);
  });
  test('crashes Cinder has become error results with the Python class and a reason', () => {
    const zero = decide({ size: 1 }, { backends: [{ host: 'r@x', capabilities: { total_capacity_gb: 100, free_capacity_gb: 100, reserved_percentage: 100, thin_provisioning_support: true } }] });
    expect(zero.errorType).toBe('ZeroDivisionError');
    expect(zero.error).toMatch(/reserved_percentage 100/);
    const typeErr = decide({ size: 1, volume_type: { name: 't', extra_specs: { iops: '<in> 3' } } }, { backends: [{ host: 'r@x', capabilities: { total_capacity_gb: 100, free_capacity_gb: 100, iops: 3000 } }] });
    expect(typeErr.errorType).toBe('TypeError');
  });
});

describe('trace-light mode', () => {
  test('makes the same decisions as the full trace', () => {
    const light = placeMany(5, 3000, '42', 'light');
    const full = placeMany(5, 3000, '42', 'full');
    expect(light.selections).toEqual(full.selections);
    expect(light.placed).toBeGreaterThan(100);
    expect(light.selections).toContain(null);
  });
});

function fleetCaseMany(requests: Record<string, Json>[], names: FleetName[]) {
  const c = fleetCase(requests[0]!, { names });
  const many = { ...c, request: undefined, requests: requests.map((r) => fleetCase(r, { names }).request!) };
  return runFleetCase(many).decisions.map((x) => x.decision);
}

describe('configuration checked at start-up', () => {
  test('scheduler_max_attempts below 1 stops every request with Cinder text', () => {
    const rig = schedulerRig({ scheduler_max_attempts: 0 });
    const d = rig.scheduler.scheduleCreateVolume({ services: [], requestSpec: { volume_id: 'v', volume_properties: { size: 1, availability_zone: null, attach_status: 'detached', status: 'creating' }, volume_type: null, operation: 'create_volume' } });
    expect(d).toMatchObject({ errorType: 'InvalidParameterValue', error: "Invalid value for 'scheduler_max_attempts', must be >=1", filters: null });
  });
});
