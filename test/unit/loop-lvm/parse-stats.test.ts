import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extentRange } from '../../../drivers/loop-lvm/driver.js';
import {
  isSnapshotOrigin, parseDfAvail, parseDmNames, parseDmTargets, parseLosetupList, parseLvs, parsePvs, parseSegments, parseTgtTargets, parseVgs, ParseError,
} from '../../../drivers/loop-lvm/parse.js';
import { pyRound2, thinPoolFigures, volumeStats, type StatsInput } from '../../../drivers/loop-lvm/stats.js';
import { dmPrefix } from '../../../drivers/loop-lvm/cleanup.js';
import { instanceNames, isUnder, ownerInstance, snapshotLv, targetIqn, volumeLv } from '../../../drivers/loop-lvm/names.js';
import { generateSecret, parseProviderAuth, providerLocation } from '../../../drivers/loop-lvm/tgt.js';

const fixture = (f: string): string => readFileSync(join(import.meta.dirname, 'fixtures', f), 'utf8');

describe('parsers of real command output', () => {
  it('vgs JSON', () => {
    expect(parseVgs(fixture('vgs-thick.json'))).toEqual([
      { name: 'cinder-sim-a-vg', sizeGb: 3.99, freeGb: 1.74, lvCount: 3, uuid: 'pDMVRh-ccCL-dYQO-Hoab-qTe6-HtSW-YROtdO', tags: ['cinder-sim-owned', 'cinder-sim-instance=a'] },
    ]);
  });
  it('lvs JSON, with origins and thin data_percent', () => {
    const lvs = parseLvs(fixture('lvs-thick.json'));
    expect(lvs.map((l) => [l.name, l.sizeGb, l.dataPercent, l.origin])).toEqual([
      ['_snapshot-s1', 1, 0.01, 'volume-v1'],
      ['volume-v1', 1, null, ''],
      ['volume-v2', 0.25, null, ''],
    ]);
    expect(lvs.map(isSnapshotOrigin)).toEqual([false, true, false]);
  });
  it('pvs JSON in bytes', () => {
    expect(parsePvs(fixture('pvs.json'))).toEqual([
      { name: '/dev/loop3', peStartBytes: 1048576, vg: 'cinder-sim-a-vg', extentBytes: 4194304, vgTags: ['cinder-sim-owned', 'cinder-sim-instance=a'] },
    ]);
  });
  it('segments, and where a contiguous LV lies in the PV file', () => {
    const segs = parseSegments(fixture('segments.json'));
    expect(segs).toEqual([{ lv: 'volume-v2', device: '/dev/loop3', firstPe: 256, lastPe: 319 }]);
    expect(extentRange(segs, '/dev/loop3', { peStartBytes: 1048576, extentBytes: 4194304 })).toEqual({ offsetBytes: 1048576 + 256 * 4194304, sizeBytes: 64 * 4194304 });
    expect(() => extentRange([...segs, ...segs], '/dev/loop3', { peStartBytes: 0, extentBytes: 1 })).toThrow(/not one contiguous segment/);
  });
  it('losetup JSON list, and nothing at all when no loop device exists', () => {
    expect(parseLosetupList(fixture('losetup.json')).map((l) => [l.name, l.backFile, l.offset, l.sizelimit])).toEqual([
      ['/dev/loop0', '/var/lib/cinder-sim/a/cinder-sim-pv.img', 0, 0],
      ['/dev/loop1', '/var/lib/cinder-sim/a/cinder-sim-pv.img (deleted)', 1074790400, 268435456],
      ['/dev/loop2', '/home/user/disk.img', 0, 0],
    ]);
    expect(parseLosetupList('')).toEqual([]);
  });
  it('tgtadm targets, dmsetup targets and names, df', () => {
    expect(parseTgtTargets(fixture('tgtadm-show.txt'))).toEqual([
      { tid: 1, iqn: 'iqn.2010-10.org.openstack:volume-x' },
      { tid: 3, iqn: 'iqn.2010-10.org.openstack:volume-y' },
    ]);
    expect(parseDmTargets(fixture('dmsetup-targets.txt'))).toContain('thin-pool');
    expect(parseDmNames('cinder--sim--a--vg-volume--x\t(253:0)\n')).toEqual(['cinder--sim--a--vg-volume--x']);
    expect(parseDmNames('No devices found\n')).toEqual([]);
    expect(parseDfAvail('    Avail\n85899345920\n')).toBe(85899345920);
  });
  it('refuses what is not a report, saying what', () => {
    expect(() => parseVgs('WARNING: x')).toThrow(ParseError);
    expect(() => parseVgs('{"report":[{"vg":[{"vg_name":"a","vg_size":"","vg_free":"1","lv_count":"0","vg_uuid":"u","vg_tags":""}]}]}')).toThrow(/vg_size is not a number/);
  });
});

describe('capability report, as Cinder computes it', () => {
  const base: StatsInput = {
    vg: parseVgs(fixture('vgs-thick.json'))[0]!,
    lvs: parseLvs(fixture('lvs-thick.json')),
    lvmType: 'default',
    thinPool: 'cinder-sim-a-vg-pool',
    volumeBackendName: 'lvm-1',
    hostname: 'node1',
    reservedPercentage: 10,
    maxOverSubscriptionRatio: '20.0',
    mode: 'full',
    snapshotSupport: true,
  };
  it('thick: VG size and free; provisioned = round(total - free, 2), counting every LV', () => {
    const s = volumeStats(base);
    expect(s).toMatchObject({ volume_backend_name: 'lvm-1', vendor_name: 'Open Source', driver_version: '3.0.0', storage_protocol: 'iSCSI', shared_targets: false, sparse_copy_volume: false });
    expect(s.pools[0]).toMatchObject({
      pool_name: 'lvm-1', total_capacity_gb: 3.99, free_capacity_gb: 1.74, provisioned_capacity_gb: 2.25, total_volumes: 3,
      reserved_percentage: 10, max_over_subscription_ratio: '20.0', thin_provisioning_support: false, thick_provisioning_support: true,
      location_info: 'LVMVolumeDriver:node1:cinder-sim-a-vg:default:0', QoS_support: false, multiattach: true, backend_state: 'up',
      loop_lvm_mode: 'full', snapshot_support: true,
    });
  });
  it('thin: pool size, free from data_percent, provisioned = every other LV', () => {
    const lvs = parseLvs(fixture('lvs-thin.json'));
    expect(thinPoolFigures(lvs, 'cinder-sim-t-vg-pool')).toEqual({ totalGb: 9.51, freeGb: 8.32, provisionedGb: 12 });
    const s = volumeStats({ ...base, lvs, lvmType: 'thin', thinPool: 'cinder-sim-t-vg-pool' });
    expect(s.sparse_copy_volume).toBe(true);
    expect(s.pools[0]).toMatchObject({ total_capacity_gb: 9.51, free_capacity_gb: 8.32, provisioned_capacity_gb: 12, total_volumes: 4, thin_provisioning_support: true, thick_provisioning_support: false });
  });
  it('metadata mode says so, and that snapshots are unsupported', () => {
    expect(volumeStats({ ...base, mode: 'metadata', snapshotSupport: false }).pools[0]).toMatchObject({ loop_lvm_mode: 'metadata', snapshot_support: false });
  });
  it.each([
    [2.2500000000000004, 2.25], [0.125, 0.12], [0.375, 0.38], [2.675, 2.67], [8.32125, 8.32], [1.005, 1], [12, 12],
  ])('round(%s, 2) = %s as Python rounds', (x, r) => {
    expect(pyRound2(x)).toBe(r);
  });
});

describe('names', () => {
  it('are Cinder\'s for volumes, snapshots and targets, ours for the rest', () => {
    expect([volumeLv('a'), snapshotLv('b'), targetIqn('volume-a')]).toEqual(['volume-a', '_snapshot-b', 'iqn.2010-10.org.openstack:volume-a']);
    const n = instanceNames('ci1', '/var/lib/cinder-sim');
    expect([n.vg, n.thinPool, n.backingFile, n.tgtSocket]).toEqual(['cinder-sim-ci1-vg', 'cinder-sim-ci1-vg-pool', '/var/lib/cinder-sim/ci1/cinder-sim-pv.img', '/var/lib/cinder-sim/ci1/tgt/cinder-sim-tgtd']);
  });
  it('never find an instance outside the root', () => {
    expect(ownerInstance('/var/lib/cinder-sim-other/a/cinder-sim-pv.img', '/var/lib/cinder-sim', (n) => n.backingFile)).toBe(null);
    expect(isUnder('/var/lib/cinder-simx/pv.img', '/var/lib/cinder-sim')).toBe(false);
    expect(dmPrefix('cinder-sim-a-vg')).toBe('cinder--sim--a--vg-');
  });
  it.each([
    ['/var/lib/cinder-sim/a/cinder-sim-pv.img', 'a'],
    ['/var/lib/cinder-sim/a/cinder-sim-pv.img (deleted)', 'a'],
    ['/var/lib/cinder-sim/a/pv.img', null],
    ['/var/lib/cinder-sim/cinder-sim-pv.img', null],
    ['/var/lib/cinder-sim/A B/cinder-sim-pv.img', null],
    ['/home/user/disk.img', null],
  ])('a loop device over %s belongs to instance %s', (path, owner) => {
    expect(ownerInstance(path, '/var/lib/cinder-sim', (n) => n.backingFile)).toBe(owner);
  });
  it('a tgtd is ours only by its exact socket path', () => {
    expect(ownerInstance('/var/lib/cinder-sim/a/tgt/cinder-sim-tgtd', '/var/lib/cinder-sim', (n) => n.tgtSocket)).toBe('a');
    expect(ownerInstance('/var/lib/cinder-sim/a/tgt/other', '/var/lib/cinder-sim', (n) => n.tgtSocket)).toBe(null);
    expect(ownerInstance('/run/tgt/socket', '/', (n) => n.tgtSocket)).toBe(null);
  });
  it('CHAP secrets, provider_auth and provider_location as Cinder writes them', () => {
    expect(generateSecret(20)).toMatch(/^[a-zA-Z2-9]{20}$/);
    expect(generateSecret(16, () => 0)).toBe('a'.repeat(16));
    expect(parseProviderAuth('CHAP user pass')).toEqual({ user: 'user', password: 'pass' });
    expect(parseProviderAuth(null)).toBe(null);
    expect(providerLocation({ ip: '127.0.0.1', port: 3261 }, 4, 'iqn.x:volume-a', 1)).toBe('127.0.0.1:3261,4 iqn.x:volume-a 1');
  });
});
