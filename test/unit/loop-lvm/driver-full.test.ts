import { describe, expect, it } from 'vitest';
import { LoopLvmDriver, LoopLvmError, type LoopLvmOptions } from '../../../drivers/loop-lvm/index.js';
import type { Command, CommandResult, CommandRunner } from '../../../drivers/loop-lvm/runner.js';

/**
 * Full mode's command sequences, which this host (no device-mapper) cannot
 * run: a scripted host with a working device-mapper answers, and the test
 * reads the argv the driver sent.  Each operation is Cinder's sequence.
 */
interface Lv { name: string; size: string; attr: string; origin?: string; data?: string }

function scriptedHost(lvs: Lv[]): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  let pvExists = false;
  const vg = 'cinder-sim-f-vg';
  const answer = (a: readonly string[]): Partial<CommandResult> => {
    const line = a.join(' ');
    if (a[0] === 'sh') return { stdout: '/usr/sbin/x\n'.repeat(a[2]!.includes('for t') ? 0 : 1) };
    if (line === 'dmsetup version') return { stdout: 'Library version:   1.02.185\nDriver version:    4.48.0\n' };
    if (line === 'dmsetup targets') return { stdout: 'snapshot v1.16.0\nthin-pool v1.22.0\nlinear v1.4.0\n' };
    if (a[0] === 'vgs' && a.includes('vg_name,vg_tags')) return { exitCode: 5, stderr: 'Volume group not found' };
    if (a[0] === 'test') return { exitCode: a[2]!.endsWith('.img') && pvExists ? 0 : a[2]!.endsWith('.img') ? 1 : 0 };
    if (a[0] === 'df') return { stdout: 'Avail\n99999999999999\n' };
    if (line === 'losetup --json --list') return { stdout: '' };
    if (a[0] === 'losetup' && a.includes('--show')) return { stdout: '/dev/loop9\n' };
    if (a[0] === 'pvs') {
      return pvExists
        ? { stdout: `{"report":[{"pv":[{"pv_name":"/dev/loop9","pe_start":"1048576","vg_name":"${vg}","vg_extent_size":"4194304","vg_tags":"cinder-sim-owned,cinder-sim-instance=f"}]}]}` }
        : { exitCode: 5, stderr: 'Failed to find physical volume' };
    }
    if (a[0] === 'vgcreate') pvExists = true;
    if (a[0] === 'vgs') return { stdout: `{"report":[{"vg":[{"vg_name":"${vg}","vg_size":"10.00","vg_free":"10.00","lv_count":"0","vg_uuid":"u","vg_tags":"cinder-sim-owned"}]}]}` };
    if (a[0] === 'lvs') {
      const rows = lvs.map((l) => `{"vg_name":"${vg}","lv_name":"${l.name}","lv_size":"${l.size}","lv_attr":"${l.attr}","data_percent":"${l.data ?? ''}","origin":"${l.origin ?? ''}","pool_lv":"","lv_tags":""}`);
      return { stdout: `{"report":[{"lv":[${rows.join(',')}]}]}` };
    }
    return {};
  };
  return {
    calls,
    run(c: Command): Promise<CommandResult> {
      calls.push(c.argv.join(' '));
      return Promise.resolve({ argv: c.argv, exitCode: 0, stdout: '', stderr: '', durationMs: 0, ...answer(c.argv) });
    },
    spawnDaemon(c: Command): Promise<number> {
      calls.push(c.argv.join(' '));
      return Promise.resolve(process.pid);
    },
    processes: () => Promise.resolve([]),
    kill: () => Promise.resolve(),
  };
}

const D = '--devices /dev/loop9';
const VG = 'cinder-sim-f-vg';
const opts: LoopLvmOptions = { instance: 'f', stateRoot: '/nonexistent/state', backingFileGb: 10, isRoot: true, target_port: 13999, volume_clear: 'none' };

async function driver(lvs: Lv[], o: Partial<LoopLvmOptions> = {}) {
  const host = scriptedHost(lvs);
  const d = await LoopLvmDriver.setUp(host, { ...opts, ...o });
  host.calls.length = 0;
  const changes = () => host.calls.filter((c) => /^(lvcreate|lvremove|lvextend|lvchange|dd|losetup --find --show|tgtadm --lld iscsi --op (new|bind))/.test(c));
  return { d, host, changes };
}

describe('loop-lvm full mode (device-mapper works): Cinder\'s command sequences', () => {
  it('probes full mode, builds file, loop, PV and tagged VG, and reports snapshots supported', async () => {
    const host = scriptedHost([]);
    const d = await LoopLvmDriver.setUp(host, opts);
    expect([d.mode, d.lvmType, d.caps]).toEqual(['full', 'default', { mode: 'full', snapshots: true, thin: true }]);
    expect(host.calls.filter((c) => /^(truncate|losetup --find --show|pvcreate|vgcreate|tgtd)/.test(c))).toEqual([
      'truncate -s 10737418240 /nonexistent/state/f/cinder-sim-pv.img',
      'losetup --find --show /nonexistent/state/f/cinder-sim-pv.img',
      `pvcreate ${D} /dev/loop9`,
      `vgcreate ${D} --addtag cinder-sim-owned --addtag cinder-sim-instance=f ${VG} /dev/loop9`,
      'tgtd -f --iscsi portal=127.0.0.1:13999',
    ]);
    expect((await d.getVolumeStats()).pools[0]).toMatchObject({ loop_lvm_mode: 'full', snapshot_support: true });
  });

  it('lvm_type = auto becomes thin and creates <vg>-pool at 0.95 of the free space', async () => {
    const host = scriptedHost([]);
    const d = await LoopLvmDriver.setUp(host, { ...opts, lvm_type: 'auto' });
    expect(d.lvmType).toBe('thin');
    expect(host.calls.filter((c) => c.startsWith('lvcreate'))).toEqual([`lvcreate ${D} -T -L 9.5g ${VG}/${VG}-pool`]);
  });

  it('thick snapshot: a full-size COW of the origin', async () => {
    const { d, changes } = await driver([{ name: 'volume-a', size: '2.00', attr: '-wi-a-----' }]);
    await d.createSnapshot({ id: 's', volumeId: 'a', volumeSizeGb: 2 });
    expect(changes()).toEqual([`lvcreate ${D} --name _snapshot-s --snapshot ${VG}/volume-a -L 2g`]);
  });

  it('thick volume from snapshot: a new LV and a dd of the snapshot\'s size', async () => {
    const { d, changes } = await driver([]);
    await d.createVolumeFromSnapshot({ id: 'b', sizeGb: 3, pool: 'LVM' }, { id: 's', volumeId: 'a', volumeSizeGb: 2 });
    expect(changes()).toEqual([`lvcreate ${D} -n volume-b ${VG} -L 3g`, `dd if=/dev/${VG}/_snapshot-s of=/dev/${VG}/volume-b count=2048 bs=1M iflag=direct oflag=direct`]);
  });

  it('thick clone: temporary clone-snap, new LV, dd, temporary snapshot removed', async () => {
    const { d, changes } = await driver([{ name: 'volume-a', size: '1.00', attr: 'owi-a-----' }, { name: 'clone-snap-c', size: '1.00', attr: 'swi-a-s---', origin: 'volume-a' }]);
    await d.createClonedVolume({ id: 'c', sizeGb: 1, pool: 'LVM' }, { id: 'a', sizeGb: 1, pool: 'LVM' });
    expect(changes()).toEqual([
      `lvcreate ${D} --name clone-snap-c --snapshot ${VG}/volume-a -L 1g`,
      `lvcreate ${D} -n volume-c ${VG} -L 1g`,
      `dd if=/dev/${VG}/clone-snap-c of=/dev/${VG}/volume-c count=1024 bs=1M iflag=direct oflag=direct`,
      `lvremove ${D} --config activation{retry_deactivation=1} -f ${VG}/clone-snap-c`,
    ]);
  });

  it('extending an origin with snapshots deactivates it around lvextend (LVM refuses otherwise)', async () => {
    const { d, changes } = await driver([{ name: 'volume-a', size: '1.00', attr: 'owi-a-----' }]);
    await d.extendVolume('a', 4);
    expect(changes()).toEqual([`lvchange ${D} -a n ${VG}/volume-a`, `lvextend ${D} -L 4g ${VG}/volume-a`, `lvchange ${D} -a y --yes -K ${VG}/volume-a`]);
  });

  it('deleting an origin with snapshots is VolumeIsBusy; a missing volume is already deleted', async () => {
    const { d, changes } = await driver([{ name: 'volume-a', size: '1.00', attr: 'owi-a-----' }]);
    const e = await d.deleteVolume('a').then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(LoopLvmError);
    expect((e as LoopLvmError).kind).toBe('VolumeIsBusy');
    await d.deleteVolume('gone');
    expect(changes()).toEqual([]);
  });

  it('volume_clear = zero: dd of zeros over the LV, over the COW for a snapshot', async () => {
    const { d, changes } = await driver([{ name: 'volume-a', size: '1.00', attr: '-wi-a-----' }, { name: '_snapshot-s', size: '1.00', attr: 'swi-a-s---', origin: 'volume-x' }], { volume_clear: 'zero' });
    await d.deleteVolume('a');
    await d.deleteSnapshot('s');
    expect(changes()).toEqual([
      `dd if=/dev/zero of=/dev/mapper/cinder--sim--f--vg-volume--a count=1024 bs=1M oflag=direct`,
      `lvremove ${D} --config activation{retry_deactivation=1} -f ${VG}/volume-a`,
      `dd if=/dev/zero of=/dev/mapper/cinder--sim--f--vg-_snapshot--s-cow count=1024 bs=1M oflag=direct`,
      `lvremove ${D} --config activation{retry_deactivation=1} -f ${VG}/_snapshot-s`,
    ]);
  });

  it('thin: volumes in the pool, snapshots without size, volume from snapshot activated with -K', async () => {
    const pool = { name: `${VG}-pool`, size: '9.50', attr: 'twi-aotz--', data: '0.00' };
    const { d, changes } = await driver([pool, { name: 'volume-a', size: '1.00', attr: 'Vwi-a-tz--' }], { lvm_type: 'thin' });
    await d.createVolume({ id: 'n', sizeGb: 5, pool: 'LVM' });
    await d.createSnapshot({ id: 's', volumeId: 'a', volumeSizeGb: 1 });
    await d.createVolumeFromSnapshot({ id: 'b', sizeGb: 2, pool: 'LVM' }, { id: 's', volumeId: 'a', volumeSizeGb: 1 });
    expect(changes()).toEqual([
      `lvcreate ${D} -T -V 5g -n volume-n ${VG}/${VG}-pool`,
      `lvcreate ${D} --name _snapshot-s --snapshot ${VG}/volume-a`,
      `lvcreate ${D} --name volume-b --snapshot ${VG}/_snapshot-s`,
      `lvextend ${D} -L 2g ${VG}/volume-b`,
      `lvchange ${D} -a y --yes -K ${VG}/volume-b`,
    ]);
  });

  it('export: the LV itself as LUN 1, CHAP bound, open to all initiators; provider_auth reused', async () => {
    const { d, changes } = await driver([{ name: 'volume-a', size: '1.00', attr: '-wi-a-----' }]);
    const e = await d.createExport('a', 'CHAP someuser somepassword');
    expect([e.backingStore, e.providerAuth, e.providerLocation]).toEqual([`/dev/${VG}/volume-a`, 'CHAP someuser somepassword', '127.0.0.1:13999,1 iqn.2010-10.org.openstack:volume-a 1']);
    expect(changes()).toEqual([
      'tgtadm --lld iscsi --op new --mode target --tid 1 -T iqn.2010-10.org.openstack:volume-a',
      `tgtadm --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b /dev/${VG}/volume-a --bstype rdwr`,
      'tgtadm --lld iscsi --op new --mode account --user someuser --password somepassword',
      'tgtadm --lld iscsi --op bind --mode account --tid 1 --user someuser',
      'tgtadm --lld iscsi --op bind --mode target --tid 1 -I ALL',
    ]);
  });

  it('extending an exported volume makes its LUN again, so tgtd serves the new size', async () => {
    const { d, host } = await driver([{ name: 'volume-a', size: '1.00', attr: '-wi-a-----' }]);
    await d.createExport('a', null);
    const run = host.run.bind(host);
    host.run = (c) => (c.argv.includes('show') && c.argv.includes('target') ? Promise.resolve({ argv: c.argv, exitCode: 0, stdout: 'Target 1: iqn.2010-10.org.openstack:volume-a\n', stderr: '', durationMs: 0 }) : run(c));
    host.calls.length = 0;
    await d.extendVolume('a', 3);
    expect(host.calls.filter((c) => /^(lvextend|tgtadm --lld iscsi --op (new|delete))/.test(c))).toEqual([
      `lvextend ${D} -L 3g ${VG}/volume-a`,
      'tgtadm --lld iscsi --op delete --mode logicalunit --tid 1 --lun 1',
      `tgtadm --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b /dev/${VG}/volume-a --bstype rdwr`,
    ]);
  });
});
