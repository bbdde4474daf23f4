import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../../sim/scenario/loader.js';
import { formatProblem, ScenarioProblems, type Problem } from '../../../sim/scenario/problems.js';
import { planNodes } from '../../../sim/scenario/topology.js';

function problemsOf(text: string): Problem[] {
  try {
    loadScenarioText(text, 'x.yaml', '/nonexistent');
  } catch (e) {
    if (e instanceof ScenarioProblems) return [...e.problems];
    throw e;
  }
  return [];
}

/** A scenario whose node1 has one backend `lvm`; `conf` lines go into its [lvm] group, `storage` into backends.lvm. */
function scenario(storage: string, conf: readonly string[] = [], defaults: readonly string[] = []): string {
  const confText = ['[DEFAULT]', 'enabled_backends = lvm', ...defaults, '[lvm]', 'volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver', ...conf].join('\\n');
  return `version: 1
name: backends-options
description: where cinder.conf options belong
duration: 10m
topology:
  nodes:
    - name: ctl
      services: [cinder-api, cinder-scheduler]
    - name: node1
      cinder_conf: "${confText}\\n"
      backends:
        lvm: {${storage}}
`;
}

describe("a node's backends: holds the fake storage's physical facts; cinder.conf options are refused there", () => {
  it('reserved_percentage under backends is refused with its line, key path and "set it in cinder_conf"', () => {
    const text = scenario('vg_size_gb: 100,\n              reserved_percentage: 50');
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    const p = problems[0]!;
    const line = text.split('\n').findIndex((l) => l.includes('reserved_percentage: 50')) + 1;
    expect(p).toMatchObject({ file: 'x.yaml', line, path: 'topology.nodes[1].backends.lvm.reserved_percentage' });
    expect(p.message).toContain('reserved_percentage is a cinder.conf option: set it in cinder_conf, in [lvm]');
    expect(p.message).toContain('vg_size_gb');
    expect(formatProblem(p)).toMatch(new RegExp(`^x\\.yaml:${line}:\\d+: topology\\.nodes\\[1\\]\\.backends\\.lvm\\.reserved_percentage: `));
  });

  it('a [DEFAULT] option is sent to [DEFAULT], a pre-Queens name to its current one', () => {
    const problems = problemsOf(scenario('vg_size_gb: 100, report_interval: 5, iscsi_ip_address: 10.0.1.29'));
    expect(problems.map((p) => [p.path, p.message.split(' (backends.')[0]])).toEqual([
      ['topology.nodes[1].backends.lvm.report_interval', 'report_interval is a cinder.conf option: set it in cinder_conf, in [DEFAULT]'],
      ['topology.nodes[1].backends.lvm.iscsi_ip_address', 'iscsi_ip_address is a cinder.conf option: set it in cinder_conf, in [lvm], as target_ip_address (Cinder 2023.1 ignores iscsi_ip_address)'],
    ]);
  });

  it('a key that is neither a fact nor an option stays an unknown key', () => {
    const problems = problemsOf(scenario('vg_size_gb: 100, vg_sise_gb: 5'));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/^unknown key 'vg_sise_gb'; valid keys: .*vg_size_gb/);
  });

  it('set in cinder_conf, the option reaches the backend; the storage comes from backends:', () => {
    const loaded = loadScenarioText(scenario('vg_size_gb: 100', ['reserved_percentage = 50']), 'x.yaml', '/nonexistent');
    const node1 = planNodes(loaded.scenario, loaded.cinderConfs).find((n) => n.name === 'node1')!;
    expect(node1.backends['lvm']!.options.reserved_percentage).toBe(50);
    expect(node1.backends['lvm']!.storage).toMatchObject({ vg_size_gb: 100 });
  });

  it('unset options resolve to the registry defaults, $my_ip to the simulated node address', () => {
    const loaded = loadScenarioText(scenario('vg_size_gb: 100'), 'x.yaml', '/nonexistent');
    const [ctl, node1] = planNodes(loaded.scenario, loaded.cinderConfs);
    expect(node1!.backends['lvm']!.options).toMatchObject({ reserved_percentage: 0, max_over_subscription_ratio: '20.0', lvm_type: 'auto', target_ip_address: '127.0.0.1', target_port: 3260 });
    expect(ctl!.DEFAULT).toMatchObject({ host: 'ctl', report_interval: 10, max_over_subscription_ratio: '20.0', rpc_response_timeout: 60 });
  });

  it("[DEFAULT] max_over_subscription_ratio reaches the node's scheduler as its fallback ratio", () => {
    const loaded = loadScenarioText(scenario('vg_size_gb: 100', [], ['max_over_subscription_ratio = 3.0']), 'x.yaml', '/nonexistent');
    const node1 = planNodes(loaded.scenario, loaded.cinderConfs).find((n) => n.name === 'node1')!;
    expect(node1.DEFAULT.max_over_subscription_ratio).toBe('3.0');
    expect(node1.backends['lvm']!.options.max_over_subscription_ratio).toBe('20.0');
  });
});
