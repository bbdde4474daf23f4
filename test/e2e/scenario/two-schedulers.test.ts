import { describe, expect, it } from 'vitest';
import { defaultCloudFactory } from '../../../sim/harness/simulated-cloud.js';
import { loadScenarioText } from '../../../sim/scenario/loader.js';
import { runScenario } from '../../../sim/scenario/runner.js';

/**
 * Two cinder-scheduler services share the scheduler topic (round-robin), so
 * each keeps its own decision log.  The run's decisions are every decision
 * of both, once each, in time order.
 */
const text = `version: 1
name: two-schedulers
description: creates spread over two schedulers
duration: 1h
topology:
  nodes:
    - {name: ctl1, services: [cinder-api, cinder-scheduler]}
    - {name: ctl2, services: [cinder-scheduler]}
    - name: node1
      services: [cinder-volume]
      cinder_conf: |
        [DEFAULT]
        enabled_backends = lvm
        [lvm]
        volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
        volume_backend_name = LVM
      backends: {lvm: {vg_size_gb: 1000}}
steps:
${Array.from({ length: 8 }, (_, i) => `  - {at: ${i + 1}m, cmd: cinder create 1 --name v${i}}`).join('\n')}
`;

describe('decisions of several schedulers', () => {
  it('lists each decision once, in time order', () => {
    const out = runScenario(loadScenarioText(text, 'two.yaml', '.'), { seed: '3', cloud: defaultCloudFactory, replay: 'x' });
    const creates = out.decisions.filter((d) => d.operation === 'create_volume');
    expect(creates).toHaveLength(8);
    expect(new Set(creates.map((d) => d.resource_id)).size).toBe(8);
    const times = creates.map((d) => d.at_ms);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
