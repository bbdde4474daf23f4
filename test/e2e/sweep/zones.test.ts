import { describe, expect, it } from 'vitest';
import { runSweepJob } from '../../../sim/scenario/sweep/run.js';

/**
 * A sweep run's per-AZ utilisation puts each pool in the zone it is in when
 * the run ends: here node1's backend moves from az1 to az2 at 30m (a
 * conf_change of storage_availability_zone, its service restarted), so at
 * the end both pools count in az2 and az1 holds none.
 */
/** A cinder.conf as a YAML block's lines, indented by `pad`. */
const conf = (zone: string, pad: string): string =>
  ['[DEFAULT]', `storage_availability_zone = ${zone}`, 'enabled_backends = lvm', '[lvm]', 'volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver', 'volume_backend_name = LVM', 'lvm_type = default']
    .map((l) => `\n${pad}${l}`)
    .join('');

const text = (moved: boolean): string => `version: 1
name: zone-move
description: node1's backend moves from az1 to az2 at 30m
duration: 2h
topology:
  nodes:
    - {name: controller, services: [cinder-api, cinder-scheduler]}
    - name: node1
      cinder_conf: |${conf('az1', '        ')}
      backends: {lvm: {vg_size_gb: 100}}
    - name: node2
      cinder_conf: |${conf('az2', '        ')}
      backends: {lvm: {vg_size_gb: 300}}
  projects:
    admin: {quotas: {gigabytes: -1, volumes: -1}}
steps:
  - {at: 10m, id: a, cmd: cinder create 30 --availability-zone az1 --name a}
  - {at: 10m, id: b, cmd: cinder create 60 --availability-zone az2 --name b}
${moved ? `faults:
  - at: 30m
    fault: conf_change
    node: node1
    cinder_conf: |${conf('az2', '      ')}` : ''}
`;

const job = (moved: boolean) => runSweepJob({ index: 0, point: 0, seed: '1', replay: 'x', text: text(moved), file: 'zone-move.yaml', dir: '.' });

describe('sweep per-AZ utilisation', () => {
  it('counts a pool in the zone a conf_change moved its backend to', () => {
    const still = job(false).metrics!;
    expect(still.utilisation.by_pool).toEqual({ 'node1@lvm#LVM': 0.3, 'node2@lvm#LVM': 0.2 });
    expect(still.utilisation.by_az).toEqual({ az1: 0.3, az2: 0.2 });

    const moved = job(true).metrics!;
    expect(moved.utilisation.by_pool).toEqual(still.utilisation.by_pool);
    // (30 + 60) / (100 + 300): both pools are in az2 at the end.
    expect(moved.utilisation.by_az).toEqual({ az2: 0.225 });
    // az1 had a backend at the start: it keeps its key in the first "No valid backend" times.
    expect(Object.keys(moved.first_no_valid_backend.by_az)).toEqual(['az1', 'az2']);
  });
});
