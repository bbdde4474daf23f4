import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecaRunner, LoopLvmDriver, LoopLvmError, cleanupHost } from '../../../drivers/loop-lvm/index.js';
import { freshRoot, hostSkip, loopsUnder, sh, testInstance, testPort, tgtdUnder } from './host-env.js';

/**
 * loop-lvm on this host in metadata mode (no device-mapper here, or forced):
 * real LVM metadata, real loop devices, a real private tgtd.
 */
const runner = new ExecaRunner();
const meta = testInstance('meta');
const port = testPort(2);
const vg = `cinder-sim-${meta}-vg`;
const GiB = 2 ** 30;

function readAt(file: string, at: number, n: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(n);
    readSync(fd, b, 0, n, at);
    return b;
  } finally {
    closeSync(fd);
  }
}

async function refused(p: Promise<unknown>): Promise<LoopLvmError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(LoopLvmError);
  return e as LoopLvmError;
}

describe.skipIf(hostSkip)('loop-lvm metadata mode on the host', () => {
  const root = hostSkip ? '' : freshRoot();
  let d: LoopLvmDriver;

  beforeAll(async () => {
    d = await LoopLvmDriver.setUp(runner, { instance: meta, stateRoot: root, backingFileGb: 4, mode: 'metadata', target_port: port, volume_clear: 'none', hostname: 'h1' });
  });
  afterAll(async () => {
    await cleanupHost(runner, root);
    sh(['rm', '-rf', root]);
  });

  it('builds the VG on a loop device over a backing file in the state directory', () => {
    expect(d.mode).toBe('metadata');
    expect(d.names.vg).toBe(vg);
    expect(loopsUnder(root)).toEqual([d.scope.device]);
    expect(existsSync(`${root}/${meta}/cinder-sim-pv.img`)).toBe(true);
    expect(tgtdUnder(root)).toHaveLength(1);
  });

  it('reports capacity from vgs/lvs as Cinder does, snapshots unsupported', async () => {
    const s = await d.getVolumeStats();
    const p = s.pools[0]!;
    expect(s.storage_protocol).toBe('iSCSI');
    expect(p.total_capacity_gb).toBe(4); // 4 GiB minus 1 MiB of metadata, "4.00" at two decimals
    expect(p.free_capacity_gb).toBe(4);
    expect(p.provisioned_capacity_gb).toBe(0);
    expect(p.total_volumes).toBe(0);
    expect(p.location_info).toBe(`LVMVolumeDriver:h1:${vg}:default:0`);
    expect(p.thick_provisioning_support).toBe(true);
    expect(p.snapshot_support).toBe(false);
    expect(p.loop_lvm_mode).toBe('metadata');
  });

  it('creates, extends and deletes volumes in the real VG', async () => {
    await d.createVolume({ id: 'v1', sizeGb: 1, pool: 'LVM' });
    await d.createVolume({ id: 'v2', sizeGb: 1, pool: 'LVM' });
    let p = (await d.getVolumeStats()).pools[0]!;
    expect([p.provisioned_capacity_gb, p.free_capacity_gb, p.total_volumes]).toEqual([2, 2, 2]);
    await d.extendVolume('v2', 2);
    p = (await d.getVolumeStats()).pools[0]!;
    expect([p.provisioned_capacity_gb, p.free_capacity_gb]).toEqual([3, 1]);
    const tooBig = await refused(d.createVolume({ id: 'v3', sizeGb: 2, pool: 'LVM' }));
    expect(tooBig.message).toMatch(/insufficient free space/);
    await d.deleteVolume('v2');
    await d.deleteVolume('v2'); // already gone: success, as Cinder
    p = (await d.getVolumeStats()).pools[0]!;
    expect([p.provisioned_capacity_gb, p.total_volumes]).toEqual([1, 1]);
  });

  it('refuses snapshots, volumes from snapshots and clones instead of faking them', async () => {
    const snap = { id: 's1', volumeId: 'v1', volumeSizeGb: 1 };
    for (const call of [d.createSnapshot(snap), d.createVolumeFromSnapshot({ id: 'v4', sizeGb: 1, pool: 'LVM' }, snap), d.createClonedVolume({ id: 'v5', sizeGb: 1, pool: 'LVM' }, { id: 'v1', sizeGb: 1, pool: 'LVM' })]) {
      const e = await refused(call);
      expect(e.kind).toBe('NotSupported');
      expect(e.message).toMatch(/metadata mode/);
    }
    expect((await d.getVolumeStats()).pools[0]!.total_volumes).toBe(1);
  });

  it('exports over iSCSI with CHAP through an offset loop device whose bytes are the LV\'s extents', async () => {
    const e = await d.createExport('v1', null);
    expect(e.iqn).toBe('iqn.2010-10.org.openstack:volume-v1');
    expect(e.providerLocation).toBe(`127.0.0.1:${port},${e.tid} ${e.iqn} 1`);
    expect(e.providerAuth).toMatch(/^CHAP \S{20} \S{16}$/);
    const url = (auth: string) => `iscsi://${auth}127.0.0.1:${port}/${e.iqn}/1`;
    const cap = sh(['iscsi-readcapacity16', url(`${e.user}%${e.password}@`)]);
    expect(cap.stdout).toContain(`Total size:${GiB}`);
    expect(sh(['iscsi-readcapacity16', url('')]).exitCode).not.toBe(0); // CHAP is on
    // Data written through the exported device lands at the LV's extents in the PV file.
    sh(['sh', '-c', `printf cinder-sim-data | dd of=${e.backingStore} bs=512 seek=8 conv=notrunc,fsync 2>/dev/null`]);
    const segs = sh(['lvs', '--devices', d.scope.device, '--config', 'global{activation=0}', '--noheadings', '-o', 'seg_pe_ranges', `${d.names.vg}/volume-v1`]).stdout.trim();
    const firstPe = Number(/:(\d+)-/.exec(segs)![1]);
    const at = 2 ** 20 + firstPe * 4 * 2 ** 20 + 8 * 512;
    const buf = readAt(d.names.backingFile, at, 15);
    expect(buf.toString()).toBe('cinder-sim-data');
    // Extending an exported volume: the LUN takes the new size, the data stays.
    await d.extendVolume('v1', 2);
    expect(sh(['iscsi-readcapacity16', url(`${e.user}%${e.password}@`)]).stdout).toContain(`Total size:${2 * GiB}`);
    expect(readAt(d.names.backingFile, at, 15).toString()).toBe('cinder-sim-data');
    expect(loopsUnder(root)).toHaveLength(2);
    await d.removeExport('v1');
    expect(loopsUnder(root)).toEqual([d.scope.device]);
    expect(sh(['iscsi-readcapacity16', url(`${e.user}%${e.password}@`)]).exitCode).not.toBe(0);
  });

  it('clears a thick volume on delete when volume_clear = zero', async () => {
    const z = await LoopLvmDriver.setUp(runner, { instance: meta, stateRoot: root, backingFileGb: 4, mode: 'metadata', target_port: port, volume_clear: 'zero' });
    const e = await z.createExport('v1', null);
    sh(['sh', '-c', `printf XXXX | dd of=${e.backingStore} conv=notrunc,fsync 2>/dev/null`]);
    await z.removeExport('v1');
    const segs = sh(['lvs', '--devices', z.scope.device, '--config', 'global{activation=0}', '--noheadings', '-o', 'seg_pe_ranges', `${z.names.vg}/volume-v1`]).stdout.trim();
    const at = 2 ** 20 + Number(/:(\d+)-/.exec(segs)![1]) * 4 * 2 ** 20;
    expect(readAt(z.names.backingFile, at, 4).toString()).toBe('XXXX');
    await z.deleteVolume('v1');
    expect([...readAt(z.names.backingFile, at, 4)]).toEqual([0, 0, 0, 0]);
    d = z; // the same VG, found again: setUp reuses it
    expect((await d.getVolumeStats()).pools[0]!.total_volumes).toBe(0);
  });

  it('cleanup leaves no loop device, VG, tgtd or state directory of ours', async () => {
    const r = await cleanupHost(runner, root);
    expect(r.removedVgs).toEqual([vg]);
    expect(loopsUnder(root)).toEqual([]);
    expect(tgtdUnder(root)).toEqual([]);
    expect(existsSync(`${root}/${meta}`)).toBe(false);
  });
});
