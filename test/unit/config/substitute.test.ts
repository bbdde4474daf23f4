import { schedulerClasses } from '../../../sim/cinder/scheduler/index.js';
import { describe, expect, test } from 'vitest';
import { loadCinderConf } from '../../../sim/cinder/config/index.js';
import { substitute, type Lookup } from '../../../sim/cinder/config/substitute.js';

const table: Record<string, string> = { my_ip: '10.0.0.5', state_path: '/var/lib/cinder', 'lvm.volume_group': 'vg-lvm' };
const lookup: Lookup = (name) => (name in table ? { kind: 'value', value: table[name]! } : name === 'opaque' ? { kind: 'opaque' } : { kind: 'missing' });

describe('oslo.config $ templates', () => {
  test.each([
    ['$my_ip', '10.0.0.5', []],
    ['${state_path}/volumes', '/var/lib/cinder/volumes', []],
    ['$state_path/volumes', '/var/lib/cinder/volumes', []],
    ['${lvm.volume_group}', 'vg-lvm', []],
    ['pa$$word', 'pa$word', []],
    ['pa\\$word', 'pa$word', []],
    ['pa$word', 'pa$word', ['word']],
    ['$opaque', '$opaque', []],
    ['cost $5', 'cost $5', []],
    ['trailing $', 'trailing $', []],
    ['$MY_IP', '$MY_IP', ['MY_IP']],
  ])('%j -> %j', (raw, value, missing) => {
    expect(substitute(raw, lookup)).toEqual({ value, missing });
  });
});

describe('substitution in loadCinderConf', () => {
  const load = (text: string) => loadCinderConf([{ path: 'c.conf', text }], { host: 'node1', schedulerClasses });

  test('values resolve from their own group, then [DEFAULT], then defaults; the raw text is kept', () => {
    const c = load('[DEFAULT]\nenabled_backends = lvm\nstate_path = /srv/cinder\nstorage_availability_zone = zone-$host\n[lvm]\nvolume_group = vg\nvolume_backend_name = ${volume_group}-name\nlvm_conf_file = $state_path/lvm.conf\n');
    expect(c.defaults.storage_availability_zone).toBe('zone-node1');
    expect(c.backends[0]!.options).toMatchObject({ volume_backend_name: 'vg-name', lvm_conf_file: '/srv/cinder/lvm.conf', volumes_dir: '/srv/cinder/volumes', target_ip_address: '$my_ip' });
    expect(c.findings).toEqual([]);
  });

  test('a value that becomes invalid only after substitution is reported', () => {
    const c = load('[DEFAULT]\nenabled_backends = lvm\n[lvm]\nvolume_clear = none\nlvm_type = $volume_clear\n');
    expect(c.findings.map((f) => [f.rule, f.value])).toEqual([['invalid-value', 'none']]);
  });

  test('a file line does not make an option: $mode fails although [DEFAULT] sets mode', () => {
    const c = load('[DEFAULT]\nenabled_backends = lvm\nmode = thin\n[lvm]\nlvm_type = $mode\n');
    expect(c.findings.map((f) => [f.rule, f.line])).toEqual([
      ['unknown-option', 3],
      ['template-substitution', 5],
    ]);
  });

  test('references cycle without hanging', () => {
    const c = load('[DEFAULT]\nenabled_backends = lvm\nstate_path = $volumes_dir\n[lvm]\nvolumes_dir = $state_path\n');
    expect(typeof c.backends[0]!.options.volumes_dir).toBe('string');
  });
});
