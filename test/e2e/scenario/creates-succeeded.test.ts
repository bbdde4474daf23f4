import { describe, expect, it } from 'vitest';
import { defaultCloudFactory } from '../../../sim/harness/simulated-cloud.js';
import { loadScenarioText } from '../../../sim/scenario/loader.js';
import { runScenario } from '../../../sim/scenario/runner.js';

/**
 * One 100 GB backend and 30 GB creates that live a day: the fourth create
 * of a day finds no room, its volume goes to error, and the workload
 * deletes it a day later like any other.  It did not succeed, although its
 * final status is 'deleted' like the others'.
 */
const text = `version: 1
name: creates-succeeded
description: failed creates deleted later are not successes
duration: 3d
topology:
  nodes:
    - {name: controller, services: [cinder-api, cinder-scheduler]}
    - name: node1
      cinder_conf: |
        [DEFAULT]
        enabled_backends = lvm
        [lvm]
        volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
        volume_group = cinder-volumes
        volume_backend_name = LVM
        lvm_type = default
      backends:
        lvm: {vg_size_gb: 100}
  projects:
    p: {quotas: {volumes: -1, gigabytes: -1}}
workloads:
  - {name: w, arrival: {process: constant, every: 4h}, size_gb: {dist: constant, value: 30}, lifetime: {dist: constant, value: 1d}, projects: [p]}
expect:
  - {ratio: creates_succeeded, at_most: 0.8}
`;

describe('creates_succeeded', () => {
  it('counts the creates whose volume became usable, the same in full and lean runs', () => {
    const loaded = loadScenarioText(text, 'creates-succeeded.yaml', '.');
    const full = runScenario(loaded, { seed: '1', cloud: defaultCloudFactory, replay: 'x' });
    const lean = runScenario(loaded, { seed: '1', cloud: defaultCloudFactory, replay: 'x', records: 'lean' });
    const creates = full.requests.filter((r) => r.verb === 'create');
    const refused = full.decisions.filter((d) => d.operation === 'create_volume' && !d.ok).length;
    expect(refused).toBeGreaterThan(0);
    // Every failed create was deleted by the workload in the end, as the successful ones were.
    expect(creates.filter((r) => r.final_status === 'deleted').length).toBeGreaterThan(refused);
    expect(full.summary.creates_succeeded).toBe(creates.length - refused);
    expect(lean.summary.creates_succeeded).toBe(full.summary.creates_succeeded);
    expect(lean.summary.creates).toBe(full.summary.creates);
    expect(full.expectations.every((e) => e.passed)).toBe(true);
  });
});
