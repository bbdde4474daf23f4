import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../../sim/scenario/loader.js';
import { ScenarioProblems, type Problem } from '../../../sim/scenario/problems.js';

function problemsOf(text: string): Problem[] {
  try {
    loadScenarioText(text, 'x.yaml', '/nonexistent');
  } catch (e) {
    if (e instanceof ScenarioProblems) return [...e.problems];
    throw e;
  }
  return [];
}

const valid = `version: 1
name: ok
description: a valid scenario
duration: 10m
topology:
  nodes:
    - name: ctl
      services: [cinder-api, cinder-scheduler]
  projects:
    projectA: {}
setup:
  - cinder type-create sata
steps:
  - {at: 5s, cmd: "cinder create --volume-type sata --display-name v1 10", as: projectA, id: c1}
  - {at: 6s, cmd: "cinder transfer-create v1", as: projectA, id: t}
  - {at: 7s, cmd: "cinder transfer-accept \${t.id} \${t.auth_key}"}
expect:
  - {step: c1, outcome: ok}
`;

const broken = `version: 2
name: Bad Name
description: x
duration: 10 minutes
topology:
  nodes:
    - name: ctl
      services: [cinder-volum]
      clock: {ntp: of, drift: 3}
steps:
  - {at: 5s, cmd: "cinder create --volume-typo sata 10", id: c1}
  - at: 3s
    cmd: cinder crate x
faults:
  - {at: 1s, fault: clok, node: ctl}
expect:
  - {step: c1, outcome: eror}
  - {status: available}
`;

describe('scenario loading: every problem at once, with lines', () => {
  it('a valid scenario loads', () => {
    expect(problemsOf(valid)).toEqual([]);
  });

  const table: [line: number, path: string, fragment: string][] = [
    [1, 'version', '2 is not valid; valid: 1'],
    [2, 'name', "'Bad Name' is not valid"],
    [4, 'duration', 'expected a duration such as'],
    [8, 'topology.nodes[0].services[0]', "'cinder-volum' is not valid; valid: cinder-api, cinder-scheduler, cinder-volume, cinder-backup"],
    [9, 'topology.nodes[0].clock.ntp', "'of' is not valid; valid: off, step"],
    [9, 'topology.nodes[0].clock.drift', "unknown key 'drift'; valid keys: offset_ms, drift_ppm, ntp"],
    [11, 'steps[0].cmd', "warning: cinder create: error: argument <size>: invalid int value: 'sata'"],
    [13, 'steps[1].cmd', "invalid choice: 'crate' (choose from 'create'"],
    [15, 'faults[0].fault', "'clok' is not a valid fault; valid: clock_offset"],
    [17, 'expect[0].outcome', "'eror' is not valid; valid: ok, error"],
    [18, 'expect[1]', 'an expectation needs exactly one of: step, service'],
  ];
  const got = problemsOf(broken);
  it.each(table)('line %i: %s', (line, path, fragment) => {
    const p = got.find((x) => x.path === path && x.message.includes(fragment));
    expect(p, `problems: ${JSON.stringify(got, null, 1)}`).toBeDefined();
    expect(p!.line).toBe(line);
    expect(p!.file).toBe('x.yaml');
  });
  it('reports all of them in one go, in line order', () => {
    expect(got.length).toBe(table.length);
    expect(got.map((p) => p.line)).toEqual([...got.map((p) => p.line)].sort((a, b) => a - b));
  });

  const semantic: [what: string, text: string, fragment: string][] = [
    ['a reference to a later step', valid.replace('${t.id}', '${zz.id}'), "${zz.id} refers to no earlier step with id 'zz'"],
    ['an unknown project', valid.replace('as: projectA, id: c1', 'as: projectB, id: c1'), "unknown project 'projectB'; valid: admin, projectA"],
    ['an expectation on an unknown step', valid.replace('{step: c1,', '{step: c9,'), "no step has id 'c9'"],
    ['a step after the end', valid.replace('at: 5s', 'at: 11m'), 'after the end of the run'],
    ['a fault on an unknown node', valid + 'faults:\n  - {at: 1s, fault: ntp, node: node9, ntp: "off"}\n', "unknown node 'node9'; valid: ctl"],
    ['a fault on a service the topology lacks', valid + 'faults:\n  - {at: 1s, fault: service, host: ctl@lvm, binary: cinder-volume, action: crash}\n', "no cinder-volume service with host 'ctl@lvm'; valid: (none)"],
    ['an unknown filter name', valid.replace('{step: c1, outcome: ok}', '{step: c1, emptied_by: AZFilter}'), "'AZFilter' is not valid; valid: AvailabilityZoneFilter, CapacityFilter"],
    ['an unknown lint rule', valid.replace('{step: c1, outcome: ok}', '{conf: wrong-sectoin}'), "'wrong-sectoin' is not valid; valid: "],
  ];
  // Command lines cinderclient's own parser refuses: warnings; the step runs and its outcome is the refusal.
  const warned: [what: string, text: string, fragment: string][] = [
    ['a bad choice', valid.replace('cinder type-create sata', 'cinder type-key sata sett a=b'), "argument <action>: invalid choice: 'sett'"],
    ['a flag without its value', valid.replace('--display-name v1 10', '--display-name'), 'argument --display-name: expected one argument'],
    ['a missing argument', valid.replace('cinder type-create sata', 'cinder type-create'), 'the following arguments are required: <name>'],
  ];
  it.each(warned)('%s: a warning, and the file runs', (_what, text, fragment) => {
    expect(problemsOf(text)).toEqual([]);
    const w = loadScenarioText(text, 'x.yaml', '/nonexistent').warnings;
    expect(w.map((p) => p.message).join('\n')).toContain(fragment);
    expect(w.map((p) => p.message).join('\n')).toContain('the step runs; its outcome is this usage error, exit status 2');
    expect(w.every((p) => p.line > 0)).toBe(true);
  });

  it.each(semantic)('%s', (_what, text, fragment) => {
    const got2 = problemsOf(text);
    expect(got2.map((p) => p.message).join('\n')).toContain(fragment);
    expect(got2.every((p) => p.line > 0)).toBe(true);
  });

  it('YAML syntax errors carry their line', () => {
    const got2 = problemsOf('version: 1\nname: [unclosed\n');
    expect(got2[0]!.line).toBeGreaterThan(0);
    expect(got2[0]!.path).toBe('(syntax)');
  });

  it('JSON files get lines too', () => {
    const got2 = problemsOf('{\n  "version": 1,\n  "name": "x",\n  "description": "d",\n  "duration": "1m",\n  "topology": {"nodes": [{"name": "a", "sevices": []}]}\n}\n');
    const p = got2.find((x) => x.message.includes("unknown key 'sevices'"));
    expect(p?.line).toBe(6);
  });
});
