import { describe, expect, it } from 'vitest';
import { dmCommands, hostCommands, loopCommands, lvmCommands, tgtCommands, type LvmScope } from '../../../drivers/loop-lvm/commands.js';
import { showArgv } from '../../../drivers/loop-lvm/runner.js';

/** The argv of every operation, per mode: Cinder's command lines plus our --devices and activation=0. */
const meta: LvmScope = { device: '/dev/loop7', metadataOnly: true };
const full: LvmScope = { device: '/dev/loop7', metadataOnly: false };
const vg = 'cinder-sim-a-vg';
const M = ['--devices', '/dev/loop7', '--config', 'global{activation=0}'];
const F = ['--devices', '/dev/loop7'];

describe('LVM argv', () => {
  const table: [string, readonly string[], string[]][] = [
    ['pvcreate', lvmCommands.pvcreate(meta).argv, ['pvcreate', ...M, '/dev/loop7']],
    ['vgcreate with our tags', lvmCommands.vgcreate(meta, vg, ['cinder-sim-owned', 'cinder-sim-instance=a']).argv,
      ['vgcreate', ...M, '--addtag', 'cinder-sim-owned', '--addtag', 'cinder-sim-instance=a', vg, '/dev/loop7']],
    ['vgs (Cinder stats fields, GiB)', lvmCommands.vgs(full, vg).argv,
      ['vgs', ...F, '--reportformat', 'json', '--nosuffix', '--units', 'g', '-o', 'vg_name,vg_size,vg_free,lv_count,vg_uuid,vg_tags', vg]],
    ['lvs', lvmCommands.lvs(full, vg).argv,
      ['lvs', ...F, '--reportformat', 'json', '--nosuffix', '--units', 'g', '-o', 'vg_name,lv_name,lv_size,lv_attr,data_percent,origin,pool_lv,lv_tags', vg]],
    ['thick create, metadata: contiguous', lvmCommands.createThick(meta, vg, 'volume-v1', 2).argv,
      ['lvcreate', ...M, '-n', 'volume-v1', vg, '-L', '2g', '--alloc', 'contiguous']],
    ['thick create, full: as Cinder', lvmCommands.createThick(full, vg, 'volume-v1', 2).argv, ['lvcreate', ...F, '-n', 'volume-v1', vg, '-L', '2g']],
    ['thin create', lvmCommands.createThin(full, vg, `${vg}-pool`, 'volume-v1', 3).argv,
      ['lvcreate', ...F, '-T', '-V', '3g', '-n', 'volume-v1', `${vg}/${vg}-pool`]],
    ['thin pool', lvmCommands.createThinPool(full, vg, `${vg}-pool`, '3.7905g').argv, ['lvcreate', ...F, '-T', '-L', '3.7905g', `${vg}/${vg}-pool`]],
    ['thick snapshot: full-size COW', lvmCommands.createSnapshot(full, vg, '_snapshot-s1', 'volume-v1', 2).argv,
      ['lvcreate', ...F, '--name', '_snapshot-s1', '--snapshot', `${vg}/volume-v1`, '-L', '2g']],
    ['thin snapshot: no size', lvmCommands.createSnapshot(full, vg, '_snapshot-s1', 'volume-v1', null).argv,
      ['lvcreate', ...F, '--name', '_snapshot-s1', '--snapshot', `${vg}/volume-v1`]],
    ['activate (-K: thin snapshots skip activation)', lvmCommands.activate(full, vg, 'volume-v2').argv, ['lvchange', ...F, '-a', 'y', '--yes', '-K', `${vg}/volume-v2`]],
    ['deactivate', lvmCommands.deactivate(full, vg, 'volume-v2').argv, ['lvchange', ...F, '-a', 'n', `${vg}/volume-v2`]],
    ['extend', lvmCommands.extend(meta, vg, 'volume-v1', 5).argv, ['lvextend', ...M, '-L', '5g', `${vg}/volume-v1`]],
    ['remove, full: retry_deactivation', lvmCommands.remove(full, vg, 'volume-v1').argv,
      ['lvremove', '--devices', '/dev/loop7', '--config', 'activation{retry_deactivation=1}', '-f', `${vg}/volume-v1`]],
    ['remove, metadata', lvmCommands.remove(meta, vg, 'volume-v1').argv, ['lvremove', ...M, '-f', `${vg}/volume-v1`]],
    ['segments', lvmCommands.segments(meta, vg, 'volume-v1').argv,
      ['lvs', ...M, '--reportformat', 'json', '--nosuffix', '--segments', '-o', 'lv_name,seg_start_pe,seg_size_pe,seg_pe_ranges', `${vg}/volume-v1`]],
    ['vgremove', lvmCommands.vgremove(meta, vg).argv, ['vgremove', ...M, '-ff', vg]],
    ['pvremove', lvmCommands.pvremove(meta).argv, ['pvremove', ...M, '-y', '/dev/loop7']],
  ];
  it.each(table)('%s', (_name, argv, expected) => {
    expect(argv).toEqual(expected);
  });
  it('every LVM call but the read-only name check sees only our loop device, with fd warnings suppressed', () => {
    for (const [, argv] of table) expect(argv.slice(1, 3)).toEqual(['--devices', '/dev/loop7']);
    expect(lvmCommands.pvcreate(meta).env).toEqual({ LVM_SUPPRESS_FD_WARNINGS: '1' });
    expect(lvmCommands.vgsAnywhere(vg).argv).toEqual(['vgs', '--config', 'global{activation=0}', '--reportformat', 'json', '--nosuffix', '-o', 'vg_name,vg_tags', vg]);
  });
});

describe('loop, host, dmsetup and tgtadm argv', () => {
  const t = tgtCommands('/var/lib/cinder-sim/a/tgt/socket');
  const adm = ['tgtadm', '--lld', 'iscsi'];
  const table: [string, readonly string[], string[]][] = [
    ['attach', loopCommands.attach('/s/pv.img').argv, ['losetup', '--find', '--show', '/s/pv.img']],
    ['attach an extent range', loopCommands.attachRange('/s/pv.img', 1074790400, 268435456).argv,
      ['losetup', '--find', '--show', '--offset', '1074790400', '--sizelimit', '268435456', '/s/pv.img']],
    ['detach', loopCommands.detach('/dev/loop1').argv, ['losetup', '--detach', '/dev/loop1']],
    ['list', loopCommands.list().argv, ['losetup', '--json', '--list']],
    ['sparse backing file', hostCommands.createFile('/s/pv.img', 4294967296).argv, ['truncate', '-s', '4294967296', '/s/pv.img']],
    ['copy (Cinder copy_volume)', hostCommands.copy('/dev/vg/a', '/dev/vg/b', 1024).argv,
      ['dd', 'if=/dev/vg/a', 'of=/dev/vg/b', 'count=1024', 'bs=1M', 'iflag=direct', 'oflag=direct']],
    ['zero (volume_clear)', hostCommands.zero('/dev/mapper/vg-volume--a', 1024).argv, ['dd', 'if=/dev/zero', 'of=/dev/mapper/vg-volume--a', 'count=1024', 'bs=1M', 'oflag=direct']],
    ['punch an LV range of the PV file', hostCommands.punchHole('/s/pv.img', 5242880, 1073741824).argv,
      ['fallocate', '--punch-hole', '--offset', '5242880', '--length', '1073741824', '/s/pv.img']],
    ['dmsetup version', dmCommands.version().argv, ['dmsetup', 'version']],
    ['dmsetup targets', dmCommands.targets().argv, ['dmsetup', 'targets']],
    ['tgtd on our portal', t.daemon('127.0.0.1', 3261).argv, ['tgtd', '-f', '--iscsi', 'portal=127.0.0.1:3261']],
    ['new target', t.newTarget(2, 'iqn.2010-10.org.openstack:volume-a').argv, [...adm, '--op', 'new', '--mode', 'target', '--tid', '2', '-T', 'iqn.2010-10.org.openstack:volume-a']],
    ['LUN 1', t.newLun(2, '/dev/loop1').argv, [...adm, '--op', 'new', '--mode', 'logicalunit', '--tid', '2', '--lun', '1', '-b', '/dev/loop1', '--bstype', 'rdwr']],
    ['CHAP account', t.newAccount('u', 'p').argv, [...adm, '--op', 'new', '--mode', 'account', '--user', 'u', '--password', 'p']],
    ['bind CHAP', t.bindAccount(2, 'u').argv, [...adm, '--op', 'bind', '--mode', 'account', '--tid', '2', '--user', 'u']],
    ['open to all initiators', t.bindAll(2).argv, [...adm, '--op', 'bind', '--mode', 'target', '--tid', '2', '-I', 'ALL']],
    ['delete LUN 1', t.deleteLun(2).argv, [...adm, '--op', 'delete', '--mode', 'logicalunit', '--tid', '2', '--lun', '1']],
    ['delete target', t.deleteTarget(2).argv, [...adm, '--op', 'delete', '--force', '--mode', 'target', '--tid', '2']],
  ];
  it.each(table)('%s', (_name, argv, expected) => {
    expect(argv).toEqual(expected);
  });
  it('tgtadm talks to our tgtd only, through its socket', () => {
    expect(t.newTarget(1, 'x').env).toEqual({ TGT_IPC_SOCKET: '/var/lib/cinder-sim/a/tgt/socket' });
    expect(t.daemon('127.0.0.1', 3261).env).toEqual({ TGT_IPC_SOCKET: '/var/lib/cinder-sim/a/tgt/socket' });
  });
  it('shows argv as a shell would read it', () => {
    expect(showArgv(['lvs', '--config', 'global{activation=0}', "it's"])).toBe(`lvs --config 'global{activation=0}' 'it'\\''s'`);
  });
});
