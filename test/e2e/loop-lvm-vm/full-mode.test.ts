import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoopLvmDriver, LoopLvmError, stateRoot } from '../../../drivers/loop-lvm/index.js';
import { lvmCommands } from '../../../drivers/loop-lvm/commands.js';
import { must } from '../../../drivers/loop-lvm/exec.js';
import { AgentRunner } from '../../../drivers/loop-lvm/vm/agent-runner.js';
import { startVm, stopVm, vmBackend, type StartResult } from '../../../drivers/loop-lvm/vm/control.js';
import { VmError } from '../../../drivers/loop-lvm/vm/errors.js';
import { guestAddress, guestIscsiPort } from '../../../drivers/loop-lvm/vm/guest.js';
import { timed, timingTable, vmSkipReason, vmTestPort, type Timings } from './vm-env.js';

/**
 * loop-lvm in full mode, in the test VM (real device-mapper: activation,
 * COW snapshots, thin pools), driven through the VM's agent: the same
 * driver code and argv as on a host.  One VM for the whole file: built
 * (cached) and booted in beforeAll.  Each LVM call takes about half a
 * second under TCG, so the file keeps to a few dozen of them.
 */
const GiB = 2 ** 30;
const root = stateRoot(process.env);
const vmName = `t${process.pid}`;
const timings: Timings = new Map();

async function refused(p: Promise<unknown>): Promise<LoopLvmError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(LoopLvmError);
  return e as LoopLvmError;
}

describe.skipIf(vmSkipReason !== null)(`loop-lvm full mode in the test VM${vmSkipReason === null ? '' : ` (skipped: ${vmSkipReason})`}`, () => {
  let vm: StartResult;
  let agent: AgentRunner;
  let thick: LoopLvmDriver;
  let thin: LoopLvmDriver;

  /** A shell line in the guest; its stdout, and a failure with its stderr. */
  async function guest(script: string): Promise<string> {
    const r = await agent.run({ argv: ['sh', '-c', script] });
    if (r.exitCode !== 0) throw new Error(`guest: ${script}: exit ${r.exitCode}: ${r.stderr}`);
    return r.stdout;
  }
  const write = (dev: string, text: string) => guest(`printf %s '${text}' | dd of=${dev} conv=notrunc,fsync status=none`);
  const read = async (dev: string, n: number) => (await guest(`dd if=${dev} bs=4096 count=1 iflag=direct status=none | head -c ${n}`));
  const size = async (dev: string) => Number((await guest(`blockdev --getsize64 ${dev}`)).trim());

  beforeAll(async () => {
    const t0 = performance.now();
    vm = await startVm({ root, name: vmName, hostPort: vmTestPort(), progress: (l) => console.log(`vm: ${l}`) });
    console.log(`vm: up ${((performance.now() - t0) / 1000).toFixed(1)} s after the suite began (boot ${(vm.state.bootMs / 1000).toFixed(1)} s, ${vm.state.accel})`);
    const backend = vmBackend(root, vmName);
    agent = backend.runner;
    const runner = timed(agent, timings);
    const common = { ...backend.options, volume_clear: 'none', hostname: 'vm' } as const;
    thick = await LoopLvmDriver.setUp(runner, { ...common, instance: 'thick', backingFileGb: 4 });
    thin = await LoopLvmDriver.setUp(runner, { ...common, instance: 'thin', backingFileGb: 4, lvm_type: 'thin', target_port: guestIscsiPort + 1 });
  }, 1_500_000);

  afterAll(async () => {
    console.log(`loop-lvm in the test VM, wall time per command (agent round trip included):\n${timingTable(timings)}`);
    await thick?.stop().catch(() => undefined);
    await thin?.stop().catch(() => undefined);
    await agent?.close();
    await stopVm(root, vmName);
  }, 60_000);

  it('probes full mode: device-mapper answers in the VM, snapshots and thin supported, reported from real vgs/lvs', async () => {
    expect([thick.mode, thick.lvmType, thick.caps]).toEqual(['full', 'default', { mode: 'full', snapshots: true, thin: true }]);
    const p = (await thick.getVolumeStats()).pools[0]!;
    expect(p).toMatchObject({ loop_lvm_mode: 'full', snapshot_support: true, thick_provisioning_support: true, thin_provisioning_support: false, total_volumes: 0 });
    expect([p.total_capacity_gb, p.free_capacity_gb, p.provisioned_capacity_gb]).toEqual([4, 4, 0]);
    const t = (await thin.getVolumeStats()).pools[0]!;
    // The pool is 0.95 of the VG; the pool itself is the one LV.
    expect(t).toMatchObject({ thin_provisioning_support: true, thick_provisioning_support: false, location_info: 'LVMVolumeDriver:vm:cinder-sim-thin-vg:thin:0', total_volumes: 1 });
    expect(t.total_capacity_gb).toBeCloseTo(3.8, 1);
  });

  it('creates a thick volume with a real block device, extends and deletes it', async () => {
    await thick.createVolume({ id: 'a', sizeGb: 1, pool: 'LVM' });
    const dev = '/dev/cinder-sim-thick-vg/volume-a';
    expect(await size(dev)).toBe(GiB);
    await thick.extendVolume('a', 2);
    expect(await size(dev)).toBe(2 * GiB);
    expect((await thick.getVolumeStats()).pools[0]).toMatchObject({ provisioned_capacity_gb: 2, free_capacity_gb: 2, total_volumes: 1 });
    await thick.deleteVolume('a');
    expect(await guest(`test -e ${dev} && echo present || echo gone`)).toBe('gone\n');
  });

  // Volumes that are copied (from a snapshot, a clone) are a quarter GB: dd under TCG copies about 25 MB/s.
  const Q = 0.25;
  it('snapshot: a COW of the origin that keeps the old data; a volume from it; a clone of the origin', async () => {
    const vg = '/dev/cinder-sim-thick-vg';
    await thick.createVolume({ id: 'o', sizeGb: Q, pool: 'LVM' });
    await write(`${vg}/volume-o`, 'AAAA');
    await thick.createSnapshot({ id: 's', volumeId: 'o', volumeSizeGb: Q });
    await write(`${vg}/volume-o`, 'BBBB');
    expect(await read(`${vg}/_snapshot-s`, 4)).toBe('AAAA');
    expect(await read(`${vg}/volume-o`, 4)).toBe('BBBB');

    await thick.createVolumeFromSnapshot({ id: 'fs', sizeGb: Q, pool: 'LVM' }, { id: 's', volumeId: 'o', volumeSizeGb: Q });
    expect(await read(`${vg}/volume-fs`, 4)).toBe('AAAA');
    await thick.createClonedVolume({ id: 'c', sizeGb: Q, pool: 'LVM' }, { id: 'o', sizeGb: Q, pool: 'LVM' });
    expect(await read(`${vg}/volume-c`, 4)).toBe('BBBB');
    const lvs = await guest('lvs --noheadings -o lv_name,lv_attr,origin cinder-sim-thick-vg');
    expect(lvs).not.toMatch(/clone-snap/); // the clone's temporary snapshot is gone
    expect(lvs).toMatch(/_snapshot-s\s+swi-a-s---\s+volume-o/);

    const busy = await refused(thick.deleteVolume('o'));
    expect([busy.kind, busy.message]).toEqual(['VolumeIsBusy', 'volume volume-o has dependent snapshots']);
  }, 300_000);

  it('extending an origin with an active snapshot: LVM refuses lvextend while it is active; the driver deactivates it around lvextend, as Cinder does', async () => {
    // LVM's own rule, through the runner as the driver meets it: rc 5 and LVM's words, as a LoopLvmError naming the command.
    const direct = await refused(must(agent, lvmCommands.extend(thick.scope, thick.names.vg, 'volume-o', 2 * Q), 'extending volume-o'));
    expect(direct.detail?.exitCode).toBe(5);
    expect(direct.message).toContain('Snapshot origin volumes can be resized only while inactive');
    expect(direct.message).toContain('lvextend --devices');
    // The driver's extend_volume: lvchange -an, lvextend, lvchange -ay -K: the origin grows, the snapshot keeps the old data.
    await thick.extendVolume('o', 2 * Q);
    expect(await size('/dev/cinder-sim-thick-vg/volume-o')).toBe(2 * Q * GiB);
    expect(await read('/dev/cinder-sim-thick-vg/_snapshot-s', 4)).toBe('AAAA');
  }, 300_000);

  it('exports with tgt and CHAP in the VM; the host reads its capacity and writes and reads data through the forwarded port', async () => {
    const e = await thick.createExport('o', null);
    expect(e.providerLocation).toBe(`${guestAddress}:${guestIscsiPort},${e.tid} iqn.2010-10.org.openstack:volume-o 1`);
    const url = (auth: string) => `iscsi://${auth}${vmBackend(root, vmName).hostPortal}/${e.iqn}/1`;
    const cap = await execa('iscsi-readcapacity16', [url(`${e.user}%${e.password}@`)], { reject: false });
    expect(cap.stdout).toContain(`Total size:${2 * Q * GiB}`);
    const noChap = await execa('iscsi-readcapacity16', [url('')], { reject: false });
    expect(noChap.exitCode).not.toBe(0);
    const io = await execa('qemu-io', ['-f', 'raw', '-c', 'write -P 0xab 1M 1M', '-c', 'read -P 0xab 1M 1M', url(`${e.user}%${e.password}@`)], { reject: false });
    expect(io.stderr).toBe('');
    expect(io.stdout).toMatch(/wrote 1048576\/1048576 bytes at offset 1048576[\s\S]*read 1048576\/1048576 bytes at offset 1048576/);
    expect(await guest(`dd if=/dev/cinder-sim-thick-vg/volume-o bs=1M skip=1 count=1 iflag=direct status=none | tr -d '\\253' | wc -c`)).toBe('0\n');

    // An exported origin with a snapshot is open: LVM will not deactivate it, so extend fails, clearly.
    const inUse = await refused(thick.extendVolume('o', 1));
    expect(inUse.message).toMatch(/^deactivating volume-o failed: `lvchange .* -a n cinder-sim-thick-vg\/volume-o` exited 5: .*in use/);
    await thick.removeExport('o');
    expect((await execa('iscsi-readcapacity16', [url(`${e.user}%${e.password}@`)], { reject: false })).exitCode).not.toBe(0);

    await thick.deleteSnapshot('s');
    for (const id of ['o', 'fs', 'c']) await thick.deleteVolume(id);
    expect((await thick.getVolumeStats()).pools[0]).toMatchObject({ total_volumes: 0, free_capacity_gb: 4 });
  }, 300_000);

  it('thin: over-provisioned thin volumes, a thin snapshot, a volume from it activated with -K, and the thin stats', async () => {
    await thin.createVolume({ id: 'tv', sizeGb: 8, pool: 'LVM' }); // twice the VG: thin
    const vg = '/dev/cinder-sim-thin-vg';
    await write(`${vg}/volume-tv`, 'TTTT');
    await thin.createSnapshot({ id: 'ts', volumeId: 'tv', volumeSizeGb: 8 });
    await write(`${vg}/volume-tv`, 'UUUU');
    await thin.createVolumeFromSnapshot({ id: 'tf', sizeGb: 8, pool: 'LVM' }, { id: 'ts', volumeId: 'tv', volumeSizeGb: 8 });
    expect(await read(`${vg}/volume-tf`, 4)).toBe('TTTT');
    const attrs = await guest('lvs --noheadings -o lv_name,lv_attr,pool_lv cinder-sim-thin-vg');
    expect(attrs).toMatch(/_snapshot-ts\s+Vwi---tz-k\s+cinder-sim-thin-vg-pool/); // a thin snapshot, skipped at activation
    expect(attrs).toMatch(/volume-tf\s+Vwi-a-tz-k\s+cinder-sim-thin-vg-pool/); // made from it, activated with -K
    const p = (await thin.getVolumeStats()).pools[0]!;
    expect(p.provisioned_capacity_gb).toBe(24); // three 8 GB thin LVs in a 3.8 GB pool
    expect(p.free_capacity_gb).toBeGreaterThan(3.5); // a few written blocks only
    for (const id of ['tf', 'tv']) await thin.deleteVolume(id);
    await thin.deleteSnapshot('ts');
    expect((await thin.getVolumeStats()).pools[0]!.total_volumes).toBe(1);
  }, 300_000);

  it('the agent runner says clearly when the VM is not running', async () => {
    const gone = new AgentRunner({ vmName: 'nosuchvm', agentSocket: `${root}/vm-nosuchvm/agent.sock` });
    const e = await gone.run({ argv: ['true'] }).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(VmError);
    expect((e as VmError).kind).toBe('NotRunning');
    expect((e as VmError).message).toMatch(/the test VM "nosuchvm" is not running .*cinder-sim vm start --name nosuchvm/);
  });
});
