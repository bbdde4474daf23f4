import { describe, expect, it } from 'vitest';
import { defaultCloudFactory } from '../../../sim/harness/simulated-cloud.js';
import { loadScenarioText } from '../../../sim/scenario/loader.js';
import { runScenario } from '../../../sim/scenario/runner.js';

/** Every fault kind once, with what it must do to the services (liveness both ways, placement, capacity). */
const scenario = `version: 1
name: faults
description: every fault kind once
seed: 3
duration: 12m
sample_every: 5s
topology:
  nodes:
    - {name: controller, services: [cinder-api, cinder-scheduler]}
    - name: node1
      cinder_conf: "[DEFAULT]\\nenabled_backends = lvm\\n[lvm]\\nvolume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver\\n"
      backends: {lvm: {vg_size_gb: 100}}
    - name: node2
      cinder_conf: "[DEFAULT]\\nenabled_backends = lvm\\n[lvm]\\nvolume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver\\n"
      backends: {lvm: {vg_size_gb: 100}}
faults:
  - {at: 1m, fault: backend_capacity, backend: node2@lvm, total_capacity_gb: 400}
  - {at: 2m, fault: clock_step, node: node2, step_ms: -90000}
  - {at: 3m, fault: service, host: node1@lvm, binary: cinder-volume, action: stop}
  - {at: 5m, fault: service, host: node1@lvm, binary: cinder-volume, action: restart}
  - {at: 6m, fault: ntp, node: node2, ntp: step}
  - {at: 7m, fault: partition, a: [node2], b: [controller], duration: 1m}
  - {at: 7m, fault: latency, from: controller, to: node1, latency: {dist: constant, ms: 50}}
  - {at: 9m, fault: clock_offset, node: node1, offset_ms: 120000}
  - {at: 9m, fault: clock_drift, node: node1, drift_ppm: 100}
  - {at: 10m, fault: backend_failure, backend: node2@lvm, state: failed}
  - {at: 11m, fault: backend_failure, backend: node2@lvm, state: recovered}
steps:
  - {at: 4m, id: during_stop, cmd: cinder create --name a 10}
  - {at: 8m30s, id: after, cmd: cinder create --name b 10}
expect:
  - {service: node2@lvm, state: down, from: 2m10s, until: 6m}
  - {service: node2@lvm, state: up, from: 6m10s, until: 10m}
  - {service: node1@lvm, state: down, from: 4m05s, until: 5m}
  - {service: node1@lvm, state: up, from: 5m15s, until: 9m}
  - {service: node1@lvm, state: down, from: 9m05s}
  - {service: node1@lvm, state: up, view: scheduler, from: 9m05s}
  - {volume: a, status: error}
  - {volume: b, status: available, host_matches: "^node2@"}
`;

describe('faults', () => {
  const outcome = runScenario(loadScenarioText(scenario, 'faults.yaml', '/'), { seed: '3', cloud: defaultCloudFactory, replay: '' });
  it('are all applied and recorded', () => {
    expect(outcome.faults.map((f) => f.fault)).toEqual([
      'backend_capacity', 'clock_step', 'service', 'service', 'ntp', 'partition', 'latency', 'clock_offset', 'clock_drift', 'backend_failure', 'backend_failure',
    ]);
    expect(outcome.faults.every((f) => !f.detail.includes('not applied'))).toBe(true);
  });
  it.each(outcome.expectations.map((e) => [e.text, e]))('%s', (_text, e) => {
    expect(e.passed, e.detail).toBe(true);
  });
  it('a clock fault under running NTP says it does not last', () => {
    const withNtp = scenario.replace('topology:', 'topology:').replace("    - name: node2\n", "    - name: node2\n      clock: {ntp: step}\n");
    const o = runScenario(loadScenarioText(withNtp, 'faults.yaml', '/'), { seed: '3', cloud: defaultCloudFactory, replay: '' });
    expect(o.faults.find((f) => f.fault === 'clock_step')!.detail).toContain('NTP step is running');
  });
});
