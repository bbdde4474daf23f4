import { describe, expect, test } from 'vitest';
import { caseSchema } from '../../../sim/cinder/scheduler/case.js';
import type { Decision } from '../../../sim/cinder/scheduler/filter-scheduler.js';
import type { Json } from '../../../sim/cinder/scheduler/python.js';
import { fleetCase, runFleetCase, type FleetName } from '../../fixtures/scheduler/fleet.js';

function decide(request: object, opts: { names?: FleetName[]; config?: Record<string, Json> } = {}): Decision {
  return runFleetCase(fleetCase(request as Record<string, Json>, opts)).decisions[0]!.decision;
}

function verdicts(d: Decision, filter: string): Record<string, Json> {
  const f = d.filters!.find((x) => x.name === filter)!;
  const out: Record<string, Json> = {};
  for (const h of f.passed) out[h] = 'pass';
  for (const r of f.rejected) out[r.host] = r.verdict as unknown as Json;
  return out;
}

describe('candidates over the fleet', () => {
  test('down, never-reported and disabled services are not candidates; pools are', () => {
    expect(decide({ size: 1 }).candidates).toEqual(['node1@thick#thick', 'node2@thin15#thin15', 'node3@thin20#thin20', 'node4@full#full', 'node5@ceph#ceph', 'node6@nfs#nfs', 'node7@pooled#gold', 'node7@pooled#silver']);
  });
});

describe('CapacityFilter verdicts carry the numbers', () => {
  test('200 GB over the fleet', () => {
    expect(verdicts(decide({ size: 200 }, { config: { filters: ['CapacityFilter'] } }), 'CapacityFilter')).toEqual({
      'node1@thick#thick': 'pass',
      // Thin: (500 - 0 reserved) x 1.5 = 750 available to over-subscribe, 600 provisioned: 150 virtual free; (600 + 200) / 750 is within 1.5.
      'node2@thin15#thin15': { pass: false, reason: 'insufficient_capacity', requestedGb: 200, availableGb: 150, thin: true, maxOverSubscriptionRatio: 1.5, reservedPercentage: 0, totalCapacityGb: 500, reservedCapacityGb: 0, totalAvailableGb: 750, provisionedGb: 600, provisionedRatio: 800 / 750 },
      'node3@thin20#thin20': 'pass',
      // Thick: the smaller of free 1 and 100 - 0 reserved - 99 provisioned.
      'node4@full#full': { pass: false, reason: 'insufficient_capacity', requestedGb: 200, availableGb: 1, thin: false, freeCapacityGb: 1, reservedCapacityGb: 0, reservedPercentage: 0, totalCapacityGb: 100, provisionedGb: 99, totalAvailableGb: 100 },
      'node5@ceph#ceph': 'pass',
      'node6@nfs#nfs': 'pass',
      'node7@pooled#gold': 'pass',
      'node7@pooled#silver': 'pass',
    });
  });
  test.each([
    ['thick with reserved space: 500 fits, 501 does not', 'thickReserved', 'default', 501, { reason: 'insufficient_capacity', availableGb: 500, reservedCapacityGb: 100 }],
    ['thin 1.5x: (600 + 600) / 750 over the ratio', 'thin15', 'default', 600, { reason: 'over_subscription_exceeded', provisionedGb: 600, provisionedRatio: 1.6, maxOverSubscriptionRatio: 1.5, totalAvailableGb: 750 }],
    ['thin 2.0x: 400 GB virtual free', 'thin20', 'default', 401, { reason: 'insufficient_capacity', availableGb: 400, thin: true, maxOverSubscriptionRatio: 2 }],
    ['thin pool, thick request: free caps it', 'thin20', 'thick', 1, { reason: 'insufficient_capacity', availableGb: -550, thin: false }],
    ['nearly full', 'nearlyFull', 'default', 2, { reason: 'insufficient_capacity', availableGb: 1 }],
  ] as const)('%s', (_what, name, provisioning, size, verdict) => {
    const thick = provisioning === 'thick' ? { volume_type: { extra_specs: { 'provisioning:type': 'thick' } } } : {};
    const d = decide({ size, ...thick }, { names: [name], config: { filters: ['CapacityFilter'] } });
    expect(d.filters![0]!.rejected[0]!.verdict).toMatchObject({ pass: false, requestedGb: size, ...verdict });
  });
  test('boundary: exactly the virtual free capacity passes', () => {
    expect(decide({ size: 500 }, { names: ['thickReserved'] }).selected).toBe('node1@thick#thick');
    expect(decide({ size: 400 }, { names: ['thin20'] }).selected).toBe('node3@thin20#thin20');
  });
  test('infinite and unknown pass any size; unknown total with reserved space does not', () => {
    expect(decide({ size: 10 ** 9 }, { names: ['infinite', 'unknown'] }).filters![1]!.passed).toEqual(['node5@ceph#ceph', 'node6@nfs#nfs']);
    const backends = [{ host: 'u@x', capabilities: { total_capacity_gb: 'unknown', free_capacity_gb: 10, reserved_percentage: 5 } }];
    const d = runFleetCase(fleetCase({ size: 1 }, { backends, config: { filters: ['CapacityFilter'] } })).decisions[0]!.decision;
    expect(d.filters![0]!.rejected[0]!.verdict).toEqual({ pass: false, reason: 'reserved_on_unsized_total', totalCapacityGb: 'unknown', reservedPercentage: 5 });
  });
  test('size 0 (manage) passes even a full pool', () => {
    expect(decide({ size: 0 }, { names: ['nearlyFull'] }).selected).toBe('node4@full#full');
  });
});

describe('AvailabilityZoneFilter', () => {
  test.each([
    ['volume AZ', { availability_zone: 'az2' }, ['node3@thin20#thin20', 'node7@pooled#gold', 'node7@pooled#silver']],
    ['request list wins over the volume AZ', { availability_zone: 'nova', availability_zones: ['az2'] }, ['node3@thin20#thin20', 'node7@pooled#gold', 'node7@pooled#silver']],
    ['no AZ: everyone', {}, ['node1@thick#thick', 'node3@thin20#thin20', 'node7@pooled#gold', 'node7@pooled#silver']],
  ] as const)('%s', (_what, az, passed) => {
    const d = decide({ size: 1, ...az }, { names: ['thickReserved', 'thin20', 'pooled'], config: { filters: ['AvailabilityZoneFilter'] } });
    expect(d.filters![0]!.passed).toEqual(passed);
    if (passed.length < 4) expect(d.filters![0]!.rejected[0]!.verdict).toMatchObject({ reason: 'az_mismatch', actual: 'nova' });
  });
});

describe('CapabilitiesFilter', () => {
  test.each([
    ['nested capability key', { 'capabilities:nested:raid': 'r10' }, ['node7@pooled#gold']],
    ['protocol variant list: any element matches', { storage_protocol: 'fibre_channel' }, ['node2@thin15#thin15', 'node7@pooled#gold']],
    ['vendor-scoped keys are ignored', { 'provisioning:type': 'thin', 'RESKEY:availability_zones': 'x' }, ['node1@thick#thick', 'node2@thin15#thin15', 'node7@pooled#gold', 'node7@pooled#silver']],
    ['backend-level key is invisible to pools', { multiattach: '<is> True' }, []],
    ['volume_backend_name', { volume_backend_name: 'pooled' }, ['node7@pooled#gold', 'node7@pooled#silver']],
  ] as const)('%s', (_what, specs, passed) => {
    const d = decide({ size: 1, volume_type: { name: 't', extra_specs: specs } }, { names: ['thickReserved', 'thin15', 'pooled'], config: { filters: ['CapabilitiesFilter'] } });
    expect(d.filters![0]!.passed).toEqual(passed);
  });
  test('a mismatch names the key, the requirement and the reported value', () => {
    const d = decide({ size: 1, volume_type: { name: 't', extra_specs: { tier: 'gold' } } }, { names: ['pooled'], config: { filters: ['CapabilitiesFilter'] } });
    expect(d.filters![0]!.rejected).toEqual([{ host: 'node7@pooled#silver', verdict: { pass: false, reason: 'extra_spec_mismatch', key: 'tier', required: 'gold', actual: 'silver' } }]);
  });
  test('extend of an attached volume on a pool without online extend', () => {
    const backends = [{ host: 'x@y', capabilities: { volume_backend_name: 'y', total_capacity_gb: 100, free_capacity_gb: 100, online_extend_support: false } }];
    const attached = runFleetCase(fleetCase({ operation: 'extend_volume', size: 1, new_size: 2, host: 'x@y#y', volume_id: 'v', attach_status: 'attached' }, { backends })).decisions[0]!.decision;
    expect(attached.error).toBe('Cannot place volume v on x@y#y.');
    expect(attached.summary!.firstRejections[0]).toMatchObject({ filter: 'CapabilitiesFilter', verdict: { reason: 'online_extend_unsupported' } });
    const detached = runFleetCase(fleetCase({ operation: 'extend_volume', size: 1, new_size: 2, host: 'x@y#y', volume_id: 'v' }, { backends })).decisions[0]!.decision;
    expect(detached.selected).toBe('x@y#y');
  });
});

describe('scheduler hint filters', () => {
  test('SameBackendFilter / DifferentBackendFilter / InstanceLocalityFilter read the volume and instance tables', () => {
    const vol = '11111111-2222-3333-4444-555555555555';
    const inst = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    const base = { backends: [{ host: 'n1@a', capabilities: { volume_backend_name: 'a', total_capacity_gb: 10, free_capacity_gb: 10 } }, { host: 'n2@b', capabilities: { volume_backend_name: 'b', total_capacity_gb: 10, free_capacity_gb: 10 } }], volumes: [{ id: vol, host: 'n2@b#b' }], instances: [{ id: inst, host: 'n1' }] };
    const run = (filter: string, hints: Record<string, Json>) => runFleetCase(fleetCaseRaw({ ...base, config: { filters: [filter] }, request: { size: 1, scheduler_hints: hints } })).decisions[0]!.decision;
    expect(run('SameBackendFilter', { same_host: vol }).filters![0]!.passed).toEqual(['n2@b#b']);
    expect(run('DifferentBackendFilter', { different_host: [vol] }).filters![0]!.passed).toEqual(['n1@a#a']);
    expect(run('SameBackendFilter', { same_host: 'not-a-uuid' }).filters![0]!.passed).toEqual([]);
    expect(run('InstanceLocalityFilter', { local_to_instance: inst }).filters![0]!.passed).toEqual(['n1@a#a']);
    expect(run('InstanceLocalityFilter', { local_to_instance: 'nope' })).toMatchObject({ errorType: 'InvalidUUID', error: 'Expected a UUID but received nope.' });
  });
});

function fleetCaseRaw(raw: Record<string, Json>) {
  return caseSchema.parse(raw);
}
