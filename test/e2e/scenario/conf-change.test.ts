import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transcript } from '../../../reports/transcript.js';
import { defaultCloudFactory } from '../../../sim/harness/simulated-cloud.js';
import { loadScenarioText } from '../../../sim/scenario/loader.js';
import { runScenario } from '../../../sim/scenario/runner.js';

/**
 * conf_change: a node's cinder.conf replaced at 1h and its services
 * restarted.  reserved_percentage rises on lvm (thick, 40 GB free), so a
 * 20 GB create that fit at 30m is refused at 70m; backend old leaves
 * enabled_backends (its service stops, its row goes down) and new joins
 * (its service starts on the node's `backends.new` storage); lvm's volumes
 * are still on its storage after the restart.
 */
const text = `version: 1
name: conf-change
description: reserved_percentage raised, a backend added and one removed by a cinder.conf change at 1h
duration: 2h
topology:
  nodes:
    - {name: controller, services: [cinder-api, cinder-scheduler]}
    - name: node1
      cinder_conf: |
        [DEFAULT]
        enabled_backends = lvm,old
        [lvm]
        volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
        volume_backend_name = LVM
        lvm_type = default
        [old]
        volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
        volume_backend_name = OLD
        lvm_type = default
      backends: {lvm: {vg_size_gb: 100}, old: {vg_size_gb: 10}, new: {vg_size_gb: 10}}
  projects:
    admin: {quotas: {gigabytes: -1}}
setup:
  - {id: keep, cmd: cinder create 40 --name keep}
steps:
  - {at: 30m, id: fits, cmd: cinder create 20 --name fits}
  - {at: 70m, id: refused, cmd: cinder create 20 --name refused}
  - {at: 70m, id: on_new, cmd: cinder create 5 --name on_new}
  - {at: 80m, id: pools, cmd: cinder get-pools --detail}
  - {at: 80m, id: services, cmd: cinder service-list}
  - {at: 90m, id: del_keep, cmd: cinder delete keep}
faults:
  - at: 1h
    fault: conf_change
    node: node1
    cinder_conf: |
      [DEFAULT]
      enabled_backends = lvm,new
      [lvm]
      volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
      volume_backend_name = LVM
      lvm_type = default
      reserved_percentage = 70
      [new]
      volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
      volume_backend_name = NEW
      lvm_type = default
expect:
  - {step: fits, outcome: succeeded, host_matches: '^node1@lvm#LVM$'}
  - {step: refused, outcome: failed, message_contains: No valid backend}
  - {step: on_new, outcome: succeeded, host_matches: '^node1@new#NEW$'}
  - {volume: keep, status: available, host_matches: '^node1@lvm#LVM$', at: 85m}
  - {step: del_keep, outcome: succeeded}
  - {service: node1@old, state: down, at: 80m}
  - {service: node1@lvm, state: up, at: 80m}
  - {service: node1@new, state: up, at: 80m}
`;

const run = (src: string, records?: 'lean') =>
  runScenario(loadScenarioText(src, 'conf-change.yaml', '.'), { seed: '1', cloud: defaultCloudFactory, replay: 'x', ...(records ? { records } : {}) });

const failed = (out: ReturnType<typeof run>) => out.expectations.filter((e) => !e.passed).map((e) => `${e.text}: ${e.detail}`);

describe('conf_change', () => {
  it('restarts the node\'s services with the new options: a raised reserved_percentage refuses a create that fit before', () => {
    const out = run(text);
    expect(failed(out)).toEqual([]);
    expect(out.faults.map((f) => f.detail)).toEqual(['node1: cinder.conf replaced; node1@lvm restarted, node1@old stopped (not in enabled_backends), node1@new started (newly in enabled_backends)']);
  });

  it('keeps the backend\'s storage: lvm reports its 60 GB of volumes after the restart, under the new reserved_percentage', () => {
    const t = transcript(run(text));
    const pools = t.slice(t.indexOf('cinder get-pools --detail'), t.indexOf('cinder service-list'));
    const lvm = pools.slice(pools.indexOf('node1@lvm#LVM') - 600, pools.indexOf('node1@new#NEW'));
    expect(lvm).toMatch(/free_capacity_gb\s+\|\s+40\s/);
    expect(lvm).toMatch(/reserved_percentage\s+\|\s+70\s/);
  });

  it('runs the same in a lean run (the scheduler rebuilt keeps light traces)', () => {
    expect(failed(run(text, 'lean'))).toEqual([]);
  });

  it('a volume_group naming another VG fails do_setup at the restart: the backend goes down, as Cinder logs it', () => {
    const src = text.replace('reserved_percentage = 70', 'volume_group = other-vg').replace(/expect:[\s\S]*$/, 'expect:\n  - {service: node1@lvm, state: down, at: 80m}\n  - {log: {level: error, node: node1, contains: "Failed to initialize driver. Volume Group other-vg does not exist"}, at_least: 1}\n');
    expect(failed(run(src))).toEqual([]);
  });

  it('a volume_driver class 2023.1 does not have fails that backend\'s start at the restart; the node\'s other backend starts', () => {
    const src = text
      .replace('      [lvm]\n      volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver', '      [lvm]\n      volume_driver = cinder.volume.drivers.lvm.LVMISCSIDriver')
      .replace(/expect:[\s\S]*$/, 'expect:\n  - {service: node1@lvm, state: down, at: 80m}\n  - {service: node1@new, state: up, at: 80m}\n  - {log: {level: error, node: node1, contains: "Volume service node1@lvm failed to start."}, at_least: 1}\n');
    const loaded = loadScenarioText(src, 'conf-change.yaml', '.');
    expect(loaded.warnings.map((w) => w.message).join('\n')).toContain('LVMISCSIDriver');
    const out = runScenario(loaded, { seed: '1', cloud: defaultCloudFactory, replay: 'x' });
    expect(failed(out)).toEqual([]);
    expect(out.faults[0]!.detail).toContain('node1@lvm failed to start');
  });

  it('a service a fault stopped stays stopped through the restart', () => {
    const src = text
      .replace('faults:\n', 'faults:\n  - {at: 50m, fault: service, host: node1@lvm, binary: cinder-volume, action: stop}\n')
      .replace(/expect:[\s\S]*$/, 'expect:\n  - {service: node1@lvm, state: down, at: 80m}\n');
    const out = run(src);
    expect(failed(out)).toEqual([]);
    expect(out.faults[1]!.detail).toContain('node1@lvm stays stopped');
  });

  it("refuses a broken cinder.conf in the fault at its line in the scenario", () => {
    const src = text.replace('reserved_percentage = 70', 'reserved_percentage = lots');
    const line = src.split('\n').findIndex((l) => l.includes('reserved_percentage = lots')) + 1;
    let msg = '';
    try {
      loadScenarioText(src, 'conf-change.yaml', '.');
    } catch (e) {
      msg = String(e);
    }
    expect(msg).toMatch(new RegExp(`conf-change\\.yaml:${line}:.*faults\\[0\\]\\.cinder_conf.*reserved_percentage`));
  });

  it('refuses a broken cinder.conf file named by the fault at that file\'s line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conf-change-'));
    writeFileSync(join(dir, 'node1.conf'), '[DEFAULT]\nenabled_backends = lvm\n[lvm]\nvolume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver\nreserved_percentage = lots\n');
    const src = text.replace(/ {4}cinder_conf: \|\n {6}\[DEFAULT\][\s\S]*?(?=expect:)/, '    cinder_conf: {file: node1.conf}\n');
    expect(() => loadScenarioText(src, 'conf-change.yaml', dir)).toThrow(/node1\.conf:5:.*reserved_percentage/);
  });

  it('refuses a conf_change on a node the topology does not have', () => {
    expect(() => loadScenarioText(text.replace('node: node1\n', 'node: node9\n'), 'conf-change.yaml', '.')).toThrow("unknown node 'node9'; valid: controller, node1");
  });

  it('refuses a conf_change that renames the node\'s host', () => {
    expect(() => loadScenarioText(text.replace('      enabled_backends = lvm,new', '      host = elsewhere\n      enabled_backends = lvm,new'), 'conf-change.yaml', '.')).toThrow("host changes from 'node1' to 'elsewhere'");
  });

  it('accepts storage facts for a backend only a conf_change enables, and still refuses one no conf enables', () => {
    expect(() => loadScenarioText(text.replace('new: {vg_size_gb: 10}}', 'new: {vg_size_gb: 10}, nope: {vg_size_gb: 1}}'), 'conf-change.yaml', '.')).toThrow("no backend 'nope' is enabled in node1's cinder.conf or by its conf_change faults");
  });
});

describe('a backend conf_change removed', () => {
  it('is no longer a service of the node: a later restart fault on it is not applied and it stays down', () => {
    const src = text.replace("    fault: conf_change\n", "    fault: conf_change\n").replace('expect:\n', '  - {at: 75m, fault: service, host: node1@old, binary: cinder-volume, action: restart}\nexpect:\n');
    const out = run(src);
    expect(failed(out)).toEqual([]);
    const restart = out.faults.find((f) => f.detail.includes('node1@old') && !f.detail.includes('cinder.conf replaced'));
    expect(restart?.detail).toMatch(/not applied/);
  });
});

describe('conf_change twice', () => {
  it('a backend removed then enabled again finds its volumes on its storage', () => {
    const back = text
      .replace('setup:\n', 'setup:\n  - cinder type-create oldtype\n  - cinder type-key oldtype set volume_backend_name=OLD\n')
      .replace("  - {at: 90m, id: del_keep, cmd: cinder delete keep}\n", "  - {at: 90m, id: on_old, cmd: cinder create 2 --name on_old --volume-type oldtype}\n  - {at: 110m, id: del_keep, cmd: cinder delete keep}\n")
      .replace('  - {at: 30m, id: fits, cmd: cinder create 20 --name fits}\n', '  - {at: 30m, id: fits, cmd: cinder create 20 --name fits}\n  - {at: 31m, id: old_vol, cmd: cinder create 9 --name old_vol --volume-type oldtype}\n')
      .replace(/expect:[\s\S]*$/, () => `expect:
  - {volume: old_vol, status: available, host_matches: '^node1@old#OLD$'}
  - {step: on_old, outcome: failed, message_contains: No valid backend}
  - {service: node1@old, state: up, at: 100m}
`)
      .replace('faults:\n', `faults:
  - at: 95m
    fault: conf_change
    node: node1
    cinder_conf: |
      [DEFAULT]
      enabled_backends = lvm,old
      [lvm]
      volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
      volume_backend_name = LVM
      lvm_type = default
      reserved_percentage = 70
      [old]
      volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
      volume_backend_name = OLD
      lvm_type = default
`);
    const loaded = loadScenarioText(back, 'conf-change.yaml', '.');
    const out = runScenario(loaded, { seed: '1', cloud: defaultCloudFactory, replay: 'x' });
    expect(failed(out)).toEqual([]);
    expect(out.faults.map((f) => f.detail)[1]).toContain('node1@old started (newly in enabled_backends)');
  });
});
