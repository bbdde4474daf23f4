import { describe, expect, it } from 'vitest';
import { defaultCloudFactory } from '../../../sim/harness/simulated-cloud.js';
import { parseCommandLine } from '../../../sim/scenario/cinderclient/parse.js';
import { planRequests } from '../../../sim/scenario/cinderclient/to-request.js';
import { loadScenarioText } from '../../../sim/scenario/loader.js';
import { runScenario } from '../../../sim/scenario/runner.js';

/** cinderclient's side of microversions: negotiation, --os-volume-api-version, commands and options by version. */
const parsed = (line: string, def?: string) => {
  const r = parseCommandLine(line, def);
  if (!r.ok) throw new Error(r.error);
  return r.cmd;
};
const refusal = (line: string, def?: string): string => {
  const r = parseCommandLine(line, def);
  return r.ok ? '' : r.error;
};

describe('cinderclient microversion negotiation', () => {
  it('without a flag the stock client negotiates 3.70', () => {
    expect(parsed('cinder list').apiVersion).toBe('3.70');
  });
  it('--os-volume-api-version (either spelling, or =) sets it; a scenario/step default yields to it', () => {
    expect(parsed('cinder --os-volume-api-version 3.42 list').apiVersion).toBe('3.42');
    expect(parsed('cinder --os_volume_api_version=3.7 list').apiVersion).toBe('3.7');
    expect(parsed('cinder list', '3.10').apiVersion).toBe('3.10');
    expect(parsed('cinder --os-volume-api-version 3.5 list', '3.10').apiVersion).toBe('3.5');
    expect(parsed('cinder --os-volume-api-version 3 list').apiVersion).toBe('3.0');
  });
  it('above the server maximum: downgraded to 3.70 with the shell warning', () => {
    const c = parsed('cinder --os-volume-api-version 3.71 list');
    expect(c.apiVersion).toBe('3.70');
    expect(c.warnings).toEqual(['API version 3.71 requested, ', 'downgrading to 3.70 based on server support.']);
    expect(parsed('cinder --os-volume-api-version 3.latest list').apiVersion).toBe('3.70');
  });
  it('malformed or another major: UnsupportedVersion before any request', () => {
    expect(refusal('cinder --os-volume-api-version 3.x list')).toBe("ERROR: Invalid format of client version '3.x'. Expected format 'X.Y', where X is a major part and Y is a minor part of version.");
    expect(refusal('cinder --os-volume-api-version 2.0 list')).toBe("ERROR: Invalid client version '2.0'. Major part should be '3'");
  });
  it('commands exist from their version: message-list from 3.3', () => {
    expect(refusal('cinder --os-volume-api-version 3.2 message-list')).toMatch(/^cinder: error: argument <subcommand>: invalid choice: 'message-list'/);
    expect(parsed('cinder --os-volume-api-version 3.3 message-list').command).toBe('message-list');
  });
  it('options exist from their version: --backup-id 3.47, --no-snapshots 3.55, --withreplication 3.7', () => {
    expect(refusal('cinder --os-volume-api-version 3.46 create --backup-id x')).toBe("ERROR: '--backup-id' argument is only allowed since microversion 3.47.");
    expect(parsed('cinder --os-volume-api-version 3.47 create --backup-id x').args['backup_id']).toBe('x');
    expect(refusal('cinder --os-volume-api-version 3.54 transfer-create --no-snapshots v')).toBe("ERROR: '--no-snapshots' argument is only allowed since microversion 3.55.");
    expect(parsed('cinder transfer-create --no-snapshots v').args['no_snapshots']).toBe(true);
    expect(refusal('cinder --os-volume-api-version 3.6 service-list --withreplication')).toBe("ERROR: '--withreplication' argument is only allowed since microversion 3.7.");
  });
  it('snapshot-create: up to 3.65 force is always sent (False by default); from 3.66 never, and --force False is refused', () => {
    const plan = (line: string) => planRequests(parsed(line));
    expect(plan('cinder --os-volume-api-version 3.65 snapshot-create v')).toEqual({ ok: true, requests: [{ verb: 'snapshot-create', volume: 'v', force: false }] });
    expect(plan('cinder snapshot-create v')).toEqual({ ok: true, requests: [{ verb: 'snapshot-create', volume: 'v' }] });
    expect(plan('cinder snapshot-create --force True v')).toEqual({ ok: true, requests: [{ verb: 'snapshot-create', volume: 'v' }] });
    expect(plan('cinder snapshot-create --force False v')).toEqual({ ok: false, error: "ERROR: 'force' argument is not allowed after microversion 3.65." });
  });
});

const scenario = (extra: string) => `version: 1
name: mv
description: microversions in a scenario
seed: 5
duration: 10m
${extra}
topology:
  nodes:
    - {name: controller, services: [cinder-api, cinder-scheduler]}
    - name: node1
      cinder_conf: "[DEFAULT]\\nenabled_backends = lvm\\n[lvm]\\nvolume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver\\n"
      backends: {lvm: {vg_size_gb: 100}}
setup:
  - cinder create --name v 1
  - nova volume-attach server1 v
steps:
  - {at: 1m, id: scenario_level, cmd: cinder snapshot-create v}
  - {at: 2m, id: step_level, api_version: '3.66', cmd: cinder snapshot-create v}
  - {at: 3m, id: list, cmd: cinder service-list}
`;

describe('api_version in a scenario', () => {
  it('the scenario key sets every request; a step key overrides it; service-list prints that version\'s columns', () => {
    const o = runScenario(loadScenarioText(scenario("api_version: '3.0'"), 'mv.yaml', '/'), { seed: '5', cloud: defaultCloudFactory, replay: '' });
    const step = (id: string) => o.steps.find((s) => s.id === id)!;
    expect(step('scenario_level').outcome).toBe('refused');
    expect(step('scenario_level').message).toContain('status must be available, but current status is: in-use.');
    expect(step('step_level').outcome).toBe('succeeded');
    expect(step('list').output).not.toContain('Cluster');
    const dflt = runScenario(loadScenarioText(scenario(''), 'mv.yaml', '/'), { seed: '5', cloud: defaultCloudFactory, replay: '' });
    expect(dflt.steps.find((s) => s.id === 'scenario_level')!.outcome).toBe('succeeded');
    expect(dflt.steps.find((s) => s.id === 'list')!.output).toMatch(/\| Cluster \| Disabled Reason \| Backend State \|/);
  });
  it('an unquoted or malformed api_version is refused at load with what to write', () => {
    expect(() => loadScenarioText(scenario('api_version: 3.70'), 'mv.yaml', '/')).toThrow(/quoted microversion such as '3.66'/);
    expect(() => loadScenarioText(scenario("api_version: '3.07'"), 'mv.yaml', '/')).toThrow(/no leading zero/);
  });
});
