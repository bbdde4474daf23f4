import { describe, expect, it } from 'vitest';
import { transcript } from '../../../reports/transcript.js';
import { defaultCloudFactory } from '../../../sim/harness/simulated-cloud.js';
import { loadScenarioText } from '../../../sim/scenario/loader.js';
import { runScenario } from '../../../sim/scenario/runner.js';

/**
 * The scenario language for real incidents, one key at a time: a step sent
 * to another node's cinder-api (`via`, whose clock judges service-list),
 * `cinder-manage service remove`, command lines cinderclient's parser
 * refuses, negative expectations, `${step.field}` in expectations, the
 * HTTP status, refused versus accepted-then-failed, and a scheduler with no
 * candidate at all.
 */
const text = `version: 1
name: language
description: the scenario language's keys
duration: 20m
topology:
  nodes:
    - {name: controller, services: [cinder-api, cinder-scheduler]}
    - {name: api2, services: [cinder-api], clock: {offset_ms: 120000}}
    - name: node1
      cinder_conf: |
        [DEFAULT]
        enabled_backends = lvm
        [lvm]
        volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
      backends: {lvm: {vg_size_gb: 100}}
    - name: node3
      cinder_conf: |
        [DEFAULT]
        enabled_backends = lvm
        [lvm]
        volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
      backends: {lvm: {vg_size_gb: 100}}
  projects:
    admin: {quotas: {gigabytes: -1}}
setup:
  - {id: c1, cmd: cinder create 1 --name v1}
steps:
  - {at: 1m, id: argv, cmd: cinder create ten}
  - {at: 1m, id: typo, cmd: cinder create-volume 1}
  - {at: 2m, id: list_api2, cmd: cinder service-list, via: api2}
  - {at: 2m, id: list_ctl, cmd: cinder service-list}
  - {at: 2m, id: big, cmd: cinder create 5000 --name big}
  - {at: 2m, id: bad_type, cmd: cinder create 1 --volume-type nope}
  - {at: 3m, id: del, cmd: 'cinder delete \${c1.id}'}
  - {at: 5m, id: rm_stopped, cmd: cinder-manage service remove cinder-volume node3@lvm}
  - {at: 5m, id: rm_running, cmd: cinder-manage service remove cinder-volume node1@lvm}
  - {at: 5m, id: rm_none, cmd: cinder-manage service remove cinder-volume node9@lvm}
  - {at: 5m, id: list_removed, cmd: cinder service-list}
  - {at: 7m, id: list_later, cmd: cinder service-list}
  - {at: 15m, id: nowhere, cmd: cinder create 1 --name nowhere}
faults:
  - {at: 4m, fault: service, host: node3@lvm, binary: cinder-volume, action: stop}
  - {at: 8m, fault: service, host: node1@lvm, binary: cinder-volume, action: stop}
expect:
  - {step: argv, outcome: usage, exit_status: 2, output_contains: "error: argument <size>: invalid int value: 'ten'"}
  - {step: argv, output_contains: "Try 'cinder help create' for more information."}
  - {step: typo, outcome: usage, exit_status: 2, output_contains: "Try 'cinder help ' for more information."}
  - {step: typo, output_not_contains: 'Did you mean'}
  - {step: list_api2, output_contains: '| down  |'}
  - {step: list_ctl, output_not_contains: '| down  |'}
  - {step: big, outcome: failed, no_candidates: false, emptied_by: CapacityFilter}
  - {step: bad_type, outcome: refused, http: 404, exit_status: 1}
  - {volume: '\${c1.id}', exists: false}
  - {volume: v1, exists: false}
  - {step: del, outcome: succeeded, output_not_contains: ERROR}
  - {step: rm_stopped, outcome: succeeded, output_contains: Service cinder-volume on host node3@lvm removed.}
  - {step: rm_none, outcome: refused, exit_status: 2, output_contains: 'Service cinder-volume could not be found on host node9@lvm.'}
  - {step: list_removed, output_not_contains: node3@lvm}
  - {step: list_removed, output_not_contains: node1@lvm}
  - {step: list_later, output_not_contains: node3@lvm}
  - {step: list_later, output_contains: node1@lvm}
  - {step: nowhere, outcome: failed, no_candidates: true, message_contains: No valid backend was found}
`;

describe('the scenario language', () => {
  const loaded = loadScenarioText(text, 'language.yaml', '.');
  const out = runScenario(loaded, { seed: '1', cloud: defaultCloudFactory, replay: 'x' });

  it('validate warns about the command lines the client refuses, and the file runs', () => {
    expect(loaded.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      "steps[0].cmd: cinder create: error: argument <size>: invalid int value: 'ten' (the step runs; its outcome is this usage error, exit status 2)",
      expect.stringContaining("steps[1].cmd: cinder: error: argument <subcommand>: invalid choice: 'create-volume'"),
    ]);
  });

  it('every expectation holds', () => {
    const failed = out.expectations.filter((e) => !e.passed).map((e) => `${e.text}: ${e.detail}`);
    expect(failed).toEqual([]);
  });

  it("a refused command line prints the client's usage, error and hint", () => {
    const argv = out.steps.find((s) => s.id === 'argv')!;
    expect(argv.output.split('\n').slice(-3)).toEqual(["error: argument <size>: invalid int value: 'ten'", "Try 'cinder help create' for more information.", '']);
    expect(argv.output).toMatch(/^usage: cinder create \[--name <name>\]/);
    expect(argv.requests).toEqual([]);
  });

  it('the transcript shows via, outcomes and exit statuses', () => {
    const tr = transcript(out);
    expect(tr).toContain('list_api2 as admin via api2: $ cinder service-list -> succeeded');
    expect(tr).toContain("argv as admin: $ cinder create ten -> usage (exit status 2): error: argument <size>: invalid int value: 'ten'");
    // node1 stopped (down by its heartbeat), node3 removed: only node1 is there to name.
    expect(tr).toMatch(/\[15m00\.001s\] create_volume \S+ -> NONE \(no candidate pool; down or disabled: node1@lvm\): No valid backend was found/);
    // The summary: the first No valid backend was 'big', each pool stopped by CapacityFilter.
    expect(tr).toContain('first "No valid backend" at 2m00.001s: request #5 (step:big: create size=5000 name=big); per pool, the filter that stopped it:\n    node1@lvm#LVM: CapacityFilter: ');
    expect(tr).toMatch(/\n {4}node3@lvm#LVM: CapacityFilter: needs 5000 GB/);
  });

  it('a reference in an expectation to no step is refused at load time', () => {
    expect(() => loadScenarioText(text.replace("{volume: '${c1.id}'", "{volume: '${c9.id}'"), 'language.yaml', '.')).toThrow("${c9.id} refers to no step with id 'c9'");
  });

  it("via must name a node that runs cinder-api", () => {
    expect(() => loadScenarioText(text.replace('via: api2', 'via: node1'), 'language.yaml', '.')).toThrow("'node1' runs no cinder-api; nodes with cinder-api: controller, api2");
  });
});

/** add_service: node2's cinder-volume is deployed at 10m; until then nothing lands there, after it is up and takes the create. */
const added = `version: 1
name: add-service
description: a cinder-volume deployed mid-run
duration: 20m
topology:
  nodes:
    - {name: controller, services: [cinder-api, cinder-scheduler]}
    - name: node2
      services: [cinder-backup]
      cinder_conf: |
        [DEFAULT]
        enabled_backends = lvm
        [lvm]
        volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
      backends: {lvm: {vg_size_gb: 100}}
steps:
  - {at: 5m, id: before, cmd: cinder create 1 --name before}
  - {at: 12m, id: after, cmd: cinder create 1 --name after}
faults:
  - {at: 10m, fault: add_service, node: node2, binary: cinder-volume}
expect:
  - {step: before, outcome: failed, no_candidates: true}
  - {step: after, outcome: succeeded, host_matches: '^node2@lvm#'}
  - {service: node2@lvm, state: up, at: 11m}
`;

describe('add_service', () => {
  it('starts the node\'s service at the fault, not before', () => {
    const out = runScenario(loadScenarioText(added, 'add-service.yaml', '.'), { seed: '1', cloud: defaultCloudFactory, replay: 'x' });
    expect(out.expectations.filter((e) => !e.passed).map((e) => `${e.text}: ${e.detail}`)).toEqual([]);
    expect(out.faults.map((f) => f.detail)).toEqual(['cinder-volume deployed on node2 and started: node2@lvm']);
  });

  it('refuses a service the node already runs', () => {
    expect(() => loadScenarioText(added.replace('binary: cinder-volume}', 'binary: cinder-backup}'), 'add-service.yaml', '.')).toThrow('node2 already runs cinder-backup from the start');
  });
});
