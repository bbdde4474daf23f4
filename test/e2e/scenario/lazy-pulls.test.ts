import { describe, expect, it } from 'vitest';
import { cloudFactoryWith, defaultCloudFactory } from '../../../sim/harness/simulated-cloud.js';
import { defaultShortcuts, referenceModel } from '../../../sim/cinder/shortcuts.js';
import { loadScenarioText } from '../../../sim/scenario/loader.js';
import { runScenario } from '../../../sim/scenario/runner.js';

/**
 * cinder-scheduler pulls a backend's lazy capability reports only when they
 * may change a decision (stats changed, a pool consumed, a row changed, a
 * clock replanned).  The reference pulls every backend at every call; the
 * two must give the same run, record for record, under faults that move
 * clocks, stop services and change capacity.
 */
function scenario(thinEvery: number): string {
  const L = ['version: 1', 'name: lazy-pulls', 'description: lazy pulls equal eager pulls', 'duration: 4d', 'sample_every: 3h', 'topology:', '  nodes:', '    - {name: controller, services: [cinder-api, cinder-scheduler]}'];
  for (let n = 1; n <= 4; n++) {
    const groups = ['a', 'b', 'c'];
    const conf = ['[DEFAULT]', `enabled_backends = ${groups.join(',')}`, `storage_availability_zone = ${n % 2 ? 'az1' : 'az2'}`];
    groups.forEach((g, i) => {
      const thin = (n + i) % thinEvery === 0;
      conf.push(`[${g}]`, 'volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver', `volume_group = vg-${g}`, 'volume_backend_name = LVM');
      conf.push(`lvm_type = ${thin ? 'thin' : 'default'}`, `reserved_percentage = ${(i * 5) % 15}`, ...(thin ? ['max_over_subscription_ratio = 1.5'] : []));
    });
    L.push(`    - name: node${n}`, `      cinder_conf: ${JSON.stringify(conf.join('\n') + '\n')}`, '      backends:');
    groups.forEach((g, i) => L.push(`        ${g}: {vg_size_gb: ${200 + 100 * i}}`));
  }
  L.push(
    '  projects:',
    '    load: {quotas: {volumes: -1, gigabytes: -1, snapshots: -1}}',
    'workloads:',
    '  - {name: w1, arrival: {process: poisson, per_hour: 20}, size_gb: {dist: lognormal, median: 20, sigma: 1, max: 300}, lifetime: {dist: exponential, mean: 1d}, mix: {create: 10, snapshot: 1, extend: 1}, availability_zone: az1, projects: [load]}',
    '  - {name: w2, arrival: {process: bursts, every: 9h, count: 15, spread: 5m}, size_gb: {dist: uniform, min: 1, max: 80}, lifetime: {dist: constant, value: 12h}, availability_zone: az2, projects: [load]}',
    'faults:',
    '  - {at: 1h, fault: ntp, node: node2, ntp: "off"}',
    '  - {at: 1h, fault: clock_drift, node: node2, drift_ppm: -900}',
    '  - {at: 3d, fault: ntp, node: node2, ntp: step}',
    '  - {at: 1d, fault: clock_step, node: node3, step_ms: -90000}',
    '  - {at: 1d2h, fault: clock_step, node: node3, step_ms: 90000}',
    '  - {at: 1d12h, fault: service, host: node4@b, binary: cinder-volume, action: crash}',
    '  - {at: 1d13h, fault: service, host: node4@b, binary: cinder-volume, action: restart}',
    '  - {at: 2d, fault: service, host: node1@c, binary: cinder-volume, action: stop}',
    '  - {at: 2d6h, fault: service, host: node1@c, binary: cinder-volume, action: restart}',
    '  - {at: 2d1h, fault: backend_failure, backend: node1@a, state: failed}',
    '  - {at: 2d9h, fault: backend_failure, backend: node1@a, state: recovered}',
    '  - {at: 2d12h, fault: backend_capacity, backend: node4@c, total_capacity_gb: 50}',
    '  - {at: 2d18h, fault: partition, a: [controller], b: [node3], duration: 30m}',
    '  - {at: 3d6h, fault: clock_offset, node: controller, offset_ms: 45000}',
    '  - {at: 3d12h, fault: service, host: controller, binary: cinder-scheduler, action: restart}',
  );
  return L.join('\n') + '\n';
}

describe('lazy report pulls', () => {
  it.each([
    ['seed 1, some thin pools', '1', 3],
    ['seed 5, many thin pools', '5', 2],
  ])('give the run that pulling every backend at every call gives (%s)', (_name, seed, thinEvery) => {
    const loaded = loadScenarioText(scenario(thinEvery), 'lazy-pulls.yaml', '.');
    const lazy = runScenario(loaded, { seed, cloud: defaultCloudFactory, replay: 'x' });
    const eager = runScenario(loaded, {
      seed,
      cloud: cloudFactoryWith({ ...defaultShortcuts, lazyPulls: false }),
      replay: 'x',
    });
    // The run is busy enough to mean something: many decisions, some refused, clocks moved.
    expect(lazy.decisions.length).toBeGreaterThan(300);
    expect(lazy.decisions.some((d) => !d.ok)).toBe(true);
    expect(JSON.stringify(lazy.decisions)).toBe(JSON.stringify(eager.decisions));
    expect(JSON.stringify(lazy.requests)).toBe(JSON.stringify(eager.requests));
    expect(JSON.stringify(lazy.service_states)).toBe(JSON.stringify(eager.service_states));
    expect(JSON.stringify(lazy.capacity)).toBe(JSON.stringify(eager.capacity));
    expect(lazy.log_counts).toEqual(eager.log_counts);
    expect(JSON.stringify(lazy.log)).toBe(JSON.stringify(eager.log));
  });
});

describe('every shortcut off (referenceModel)', () => {
  it('gives the run the shortcuts give (no bus partition): lazy reports, gate spans, lazy pulls, incremental intake all off at once', () => {
    // Without the bus partition: lazy reports do not yet model a fanout lost to a partition (see docs/architecture.md).
    const text = scenario(3).split('\n').filter((l) => !l.includes('fault: partition')).join('\n');
    expect(text).not.toBe(scenario(3));
    const loaded = loadScenarioText(text, 'lazy-pulls.yaml', '.');
    const fast = runScenario(loaded, { seed: '1', cloud: defaultCloudFactory, replay: 'x' });
    const reference = runScenario(loaded, { seed: '1', cloud: cloudFactoryWith(referenceModel), replay: 'x' });
    expect(fast.decisions.length).toBeGreaterThan(300);
    // The placements agree; the traces' candidate order need not (see docs/architecture.md).
    const placed = (o: typeof fast) => o.decisions.map((d) => [d.at_ms, d.resource_id, d.ok, d.chosen, d.message]);
    expect(placed(fast)).toEqual(placed(reference));
    expect(JSON.stringify(fast.requests)).toBe(JSON.stringify(reference.requests));
    expect(JSON.stringify(fast.service_states)).toBe(JSON.stringify(reference.service_states));
    expect(JSON.stringify(fast.capacity)).toBe(JSON.stringify(reference.capacity));
  });
});
