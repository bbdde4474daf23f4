import { schedulerClasses } from '../../../sim/cinder/scheduler/index.js';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { loadCinderConf, type CinderConf } from '../../../sim/cinder/config/index.js';

const FIX = 'test/fixtures/conf';
const load = (host: string, ...paths: string[]): CinderConf => loadCinderConf(paths.map((p) => ({ path: p, text: readFileSync(`${FIX}/${p}`, 'utf8') })), { host, schedulerClasses });
const volumeServices = (c: CinderConf) => c.services.filter((s) => s.binary === 'cinder-volume').map((s) => [s.host, s.availability_zone, s.volume_backend_name, s.cluster]);
const rules = (c: CinderConf) => c.findings.map((f) => `${f.severity} ${f.rule} ${f.file ?? '-'}:${f.line ?? '-'}`);

describe('real-world layouts', () => {
  test('devstack: one LVM backend named after its group, lioadm, report_interval 120', () => {
    const c = load('devstack', 'devstack/cinder.conf');
    expect(volumeServices(c)).toEqual([['devstack@lvmdriver-1', 'nova', 'lvmdriver-1', null]]);
    const b = c.backends[0]!;
    expect([b.options.volume_group, b.options.target_helper, b.options.lvm_type, b.options.image_volume_cache_enabled]).toEqual(['stack-volumes-lvmdriver-1', 'lioadm', 'auto', true]);
    expect([c.defaults.report_interval, c.defaults.service_down_time, c.defaults.default_volume_type]).toEqual([120, 720, 'lvmdriver-1']);
    // devstack also writes target_helper into [DEFAULT], where backends never read it.
    expect(rules(c)).toEqual(['warning wrong-section devstack/cinder.conf:10']);
  });

  test('kolla-ansible: three backends in one cluster, a per-backend zone, drivers the simulator does not model', () => {
    const c = load('storage1', 'kolla/cinder-volume.conf');
    expect(volumeServices(c)).toEqual([
      ['storage1@lvm-1', 'nova', 'lvm-1', 'kolla_cluster@lvm-1'],
      ['storage1@rbd-1', 'az-ceph', 'rbd-1', 'kolla_cluster@rbd-1'],
      ['storage1@nfs-1', 'nova', 'nfs-1', 'kolla_cluster@nfs-1'],
    ]);
    expect(c.backends.map((b) => b.driver_modelled)).toEqual([true, false, false]);
    expect(c.backends[1]!.other_options.map((o) => o.key)).toContain('rbd_pool');
    // rbd_keyring_conf was removed from Cinder (OSSN-0085); kolla still writes it.
    expect(rules(c)).toEqual(['info unmodelled-driver kolla/cinder-volume.conf:71', 'warning unknown-option kolla/cinder-volume.conf:78', 'info unmodelled-driver kolla/cinder-volume.conf:84']);
  });

  test('install guide: the block storage node runs one LVM backend; the controller runs none', () => {
    const block = load('block1', 'install-guide/block-storage.conf');
    expect(volumeServices(block)).toEqual([['block1@lvm', 'nova', null, null]]);
    expect(block.backends[0]!.reported_volume_backend_name).toBe('LVM');
    expect(block.findings).toEqual([]);
    const controller = load('controller', 'install-guide/controller.conf');
    expect(volumeServices(controller)).toEqual([]);
    expect(controller.services.map((s) => `${s.binary} ${s.host} ${s.availability_zone}`)).toEqual(['cinder-scheduler controller nova', 'cinder-backup controller nova']);
    expect(rules(controller)).toEqual(['warning no-enabled-backends -:-']);
  });

  test('seed notes, as written: enable_backends is a typo, so no backend starts; the old driver path would not load', () => {
    const c = load('node1', 'seed/multi-backend.conf');
    expect(volumeServices(c)).toEqual([]);
    expect(c.findings.find((f) => f.rule === 'unknown-option')).toMatchObject({ line: 4, suggestion: 'enabled_backends' });
    expect(c.findings.filter((f) => f.rule === 'unknown-driver').map((f) => f.line)).toEqual([8, 13, 18]);
  });

  test('seed notes, single zone with several backends: iscsi_ip_address is ignored', () => {
    const c = load('node1', 'seed/single-az-multi-backend.conf');
    expect(volumeServices(c)).toEqual([
      ['node1@sata', 'az1', 'sata', null],
      ['node1@sas', 'az1', 'sas', null],
      ['node1@ssd', 'az1', 'ssd', null],
    ]);
    expect(c.backends.map((b) => b.options.target_ip_address)).toEqual(['$my_ip', '10.0.1.29', '10.0.1.29']);
    expect(rules(c)).toEqual(['warning legacy-option seed/single-az-multi-backend.conf:11']);
  });

  test('seed notes, one backend per zone: two nodes, same backend name, different zones', () => {
    const nodes = [load('node1', 'seed/multi-az-node1.conf'), load('node2', 'seed/multi-az-node2.conf')];
    expect(nodes.flatMap(volumeServices)).toEqual([
      ['node1@lvm', 'az1', 'LVM', null],
      ['node2@lvm', 'az2', 'LVM', null],
    ]);
    expect(nodes.flatMap((c) => c.findings)).toEqual([]);
  });
});
