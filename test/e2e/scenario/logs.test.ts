import { describe, expect, it } from 'vitest';
import { defaultCloudFactory } from '../../../sim/harness/simulated-cloud.js';
import { loadScenarioText } from '../../../sim/scenario/loader.js';
import { runScenario } from '../../../sim/scenario/runner.js';
import type { RunOutcome } from '../../../sim/scenario/outcome.js';

/** Cinder's own log lines, worded, levelled and named as Cinder 2023.1 writes them. */
function run(body: string, records: 'all' | 'lean' = 'all'): RunOutcome {
  const text = `version: 1\nname: logs\ndescription: log lines\nduration: 10m\n${body}`;
  return runScenario(loadScenarioText(text, 'logs.yaml', '.'), { seed: '5', cloud: defaultCloudFactory, replay: 'x', records });
}

const lines = (o: RunOutcome, logger: string) => o.log.filter((l) => l.logger === logger);

const oneBackend = `topology:
  nodes:
    - {name: controller, services: [cinder-api, cinder-scheduler]}
    - name: node1
      cinder_conf: |
        [DEFAULT]
        enabled_backends = lvm
        [lvm]
        volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
        volume_backend_name = LVM
      backends:
        lvm: {vg_size_gb: 100}
`;

describe('scheduler log lines', () => {
  it("a create no pool passes: base_filter's filtration at INFO, filter_scheduler's warning, the flow's error", () => {
    const o = run(`${oneBackend}setup:
  - cinder type-create gold
  - cinder type-key gold set volume_backend_name=GOLD
steps:
  - {at: 2m, id: c1, cmd: cinder create --volume-type gold --name v1 10}
`);
    const filtration = lines(o, 'cinder.scheduler.base_filter');
    expect(filtration).toHaveLength(1);
    expect(filtration[0]).toMatchObject({ node: 'controller', service: 'cinder-scheduler', level: 'info' });
    expect(filtration[0]!.message).toMatch(
      /^Filtering removed all hosts for the request with volume ID '[0-9a-f-]{36}'\. Filter results: AvailabilityZoneFilter: \(start: 1, end: 1\), CapacityFilter: \(start: 1, end: 1\), CapabilitiesFilter: \(start: 1, end: 0\)$/,
    );
    const noWeighed = lines(o, 'cinder.scheduler.filter_scheduler');
    expect(noWeighed).toHaveLength(1);
    expect(noWeighed[0]!.level).toBe('warning');
    expect(noWeighed[0]!.message).toMatch(/^No weighed backend found for volume with properties: \{.*'name': 'gold'.*\}$/);
    expect(lines(o, 'cinder.scheduler.flows.create_volume')[0]!.message).toContain('No valid backend was found. No weighed backends available');
    // Lines are in the order Cinder writes them.
    expect(o.log.map((l) => l.logger).filter((l) => l.startsWith('cinder.scheduler'))).toEqual(['cinder.scheduler.base_filter', 'cinder.scheduler.filter_scheduler', 'cinder.scheduler.flows.create_volume']);
  });

  it('a scheduling call with no candidate at all gives every filter start 0', () => {
    const o = run(`${oneBackend}faults:
  - {at: 1m, fault: service, host: node1@lvm, binary: cinder-volume, action: stop}
steps:
  - {at: 5m, id: c1, cmd: cinder create --name v1 10}
`);
    expect(lines(o, 'cinder.scheduler.base_filter')[0]!.message).toMatch(/Filter results: AvailabilityZoneFilter: \(start: 0, end: 0\), CapacityFilter: \(start: 0, end: 0\), CapabilitiesFilter: \(start: 0, end: 0\)$/);
  });

  it('a lean run reading its log (the fast path) writes the same lines as a full run', () => {
    const body = `${oneBackend.replace('volume_backend_name = LVM', 'volume_backend_name = LVM\n        lvm_type = default')}setup:
  - cinder type-create gold
  - cinder type-key gold set volume_backend_name=GOLD
steps:
  - {at: 2m, id: c1, cmd: cinder create --volume-type gold --name v1 10}
  - {at: 3m, id: c2, cmd: cinder create --name v2 500}
expect:
  - {log: {logger: cinder.scheduler.base_filter}, at_least: 2}
`;
    const full = run(body);
    const lean = run(body, 'lean');
    expect(lines(full, 'cinder.scheduler.base_filter')).toHaveLength(2);
    expect(lines(lean, 'cinder.scheduler.base_filter')[1]!.message).toMatch(/CapacityFilter: \(start: 1, end: 0\), CapabilitiesFilter: \(start: 0, end: 0\)$/);
    expect(lean.log).toEqual(full.log);
  });

  it("host_manager warns of a down service at every scheduling call that skips it", () => {
    const o = run(`${oneBackend}faults:
  - {at: 1m, fault: service, host: node1@lvm, binary: cinder-volume, action: stop}
steps:
  - {at: 5m, id: c1, cmd: cinder create --name v1 10}
  - {at: 6m, id: c2, cmd: cinder create --name v2 10}
  - {at: 7m, id: c3, cmd: cinder create --name v3 10}
`);
    const down = lines(o, 'cinder.scheduler.host_manager').filter((l) => l.message === 'volume service is down. (host: node1@lvm)');
    expect(down.map((l) => [l.level, l.t_ms])).toEqual([
      ['warning', 300_001],
      ['warning', 360_001],
      ['warning', 420_001],
    ]);
  });

  it('a lean run without log expectations counts lines and keeps no text', () => {
    const body = `${oneBackend}faults:
  - {at: 1m, fault: service, host: node1@lvm, binary: cinder-volume, action: stop}
steps:
  - {at: 5m, id: c1, cmd: cinder create --name v1 10}
`;
    const full = run(body);
    const lean = run(body, 'lean');
    expect(lean.log).toEqual([]);
    expect(lean.log_counts).toEqual(full.log_counts);
    expect(full.log_counts.warning).toBeGreaterThan(0);
    const withExpectation = run(`${body}expect:\n  - {log: {logger: cinder.scheduler.host_manager, contains: 'is down'}, at_least: 1}\n`, 'lean');
    expect(withExpectation.expectations[0]!.passed).toBe(true);
  });
});

describe('cinder-api create flow log lines', () => {
  const api = `topology:
  nodes:
    - name: controller
      services: [cinder-api, cinder-scheduler]
      cinder_conf: |
        [DEFAULT]
        allow_availability_zone_fallback = FALLBACK
    - name: node1
      cinder_conf: |
        [DEFAULT]
        enabled_backends = lvm
        [lvm]
        volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
      backends:
        lvm: {vg_size_gb: 100}
steps:
  - {at: 2m, id: c1, cmd: cinder create --availability-zone nowhere --name v1 10}
`;
  it('an unknown zone without fallback: the extract task fails, logged at WARNING by cinder.volume.api', () => {
    const o = run(api.replace('FALLBACK', 'false'));
    const task = lines(o, 'cinder.volume.api');
    expect(task).toHaveLength(1);
    expect(task[0]!.level).toBe('warning');
    expect(task[0]!.message).toMatch(/^Task 'cinder\.volume\.flows\.api\.create_volume\.ExtractVolumeRequestTask;volume:create' \([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\) transitioned into state 'FAILURE' from state 'RUNNING'$/);
  });

  it('an unknown zone with fallback: the create flow warns and falls back', () => {
    const o = run(api.replace('FALLBACK', 'true'));
    expect(lines(o, 'cinder.volume.flows.api.create_volume').map((l) => [l.level, l.message])).toEqual([['warning', "Availability zone 'nowhere' not found, falling back to 'nova'."]]);
    expect(lines(o, 'cinder.volume.api')).toEqual([]);
  });
});

describe('a backend whose volume_driver class Cinder 2023.1 does not have', () => {
  const text = `version: 1
name: bad-driver
description: one of two backends names the notes' old LVMISCSIDriver
duration: 5m
topology:
  nodes:
    - {name: controller, services: [cinder-api, cinder-scheduler]}
    - name: node1
      cinder_conf: |
        [DEFAULT]
        enabled_backends = good,bad
        [good]
        volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
        volume_backend_name = good
        [bad]
        volume_driver = cinder.volume.drivers.lvm.LVMISCSIDriver
        volume_backend_name = bad
      backends:
        good: {vg_size_gb: 100}
        bad: {vg_size_gb: 100}
steps:
  - {at: 2m, id: services, cmd: cinder service-list}
  - {at: 3m, id: c1, cmd: cinder create --name v1 10}
expect:
  - {log: {level: error, logger: cinder.cmd.volume, contains: 'Volume service node1@bad failed to start.'}, at_least: 1}
`;
  const loaded = loadScenarioText(text, 'bad-driver.yaml', '.');
  const o = runScenario(loaded, { seed: '5', cloud: defaultCloudFactory, replay: 'x' });

  it('is a warning of the scenario, not a refusal, and the lint still reports it', () => {
    expect(loaded.warnings.map((w) => w.message)).toEqual([expect.stringContaining('Cinder 2023.1 has no driver class cinder.volume.drivers.lvm.LVMISCSIDriver')]);
    expect(o.conf_findings.filter((f) => f.rule === 'unknown-driver').map((f) => f.node)).toEqual(['node1']);
  });

  it("logs cmd/volume.py's line, and that service never has a services row", () => {
    expect(o.expectations[0]!.passed).toBe(true);
    expect(o.log.filter((l) => l.level === 'error').map((l) => `${l.logger} ${l.message}`)).toEqual(['cinder.cmd.volume Volume service node1@bad failed to start.']);
    const list = o.steps.find((s) => s.id === 'services')!.output!;
    expect(list).toContain('| cinder-volume    | node1@good |');
    expect(list).not.toContain('node1@bad');
  });

  it('a restart fails again with the same line; faults on its storage change nothing', () => {
    const withFaults = text.replace(
      'steps:\n',
      'faults:\n  - {at: 1m, fault: service, host: node1@bad, binary: cinder-volume, action: restart}\n  - {at: 1m, fault: backend_failure, backend: node1@bad, state: failed}\nsteps:\n',
    );
    const r = runScenario(loadScenarioText(withFaults, 'bad-driver.yaml', '.'), { seed: '5', cloud: defaultCloudFactory, replay: 'x' });
    expect(r.log.filter((l) => l.logger === 'cinder.cmd.volume').map((l) => l.t_ms)).toEqual([0, 60_000]);
    expect(r.steps.find((s) => s.id === 'c1')!.outcome).toBe('succeeded');
  });

  it('a node none of whose backends starts: cinder-volume terminates, saying so', () => {
    const allBad = text.replace('enabled_backends = good,bad', 'enabled_backends = bad').replace('        good: {vg_size_gb: 100}\n', '');
    const r = runScenario(loadScenarioText(allBad, 'bad-driver.yaml', '.'), { seed: '5', cloud: defaultCloudFactory, replay: 'x' });
    expect(r.log.filter((l) => l.logger === 'cinder.cmd.volume').map((l) => l.message)).toEqual(['Volume service node1@bad failed to start.', 'No volume service(s) started successfully, terminating.']);
    // Accepted by the API, then no backend: the scheduler sees none at all.
    expect(r.decisions.map((d) => d.ok)).toEqual([false]);
  });

  it("the node's other backend starts and serves creates", () => {
    const c1 = o.steps.find((s) => s.id === 'c1')!;
    expect(c1.outcome).toBe('succeeded');
    expect(o.decisions.map((d) => d.chosen)).toEqual(['node1@good#good']);
  });
});
