import { describe, expect, it } from 'vitest';
import { LoopLvmError } from '../../../drivers/loop-lvm/errors.js';
import { instanceNames } from '../../../drivers/loop-lvm/names.js';
import { preflight, selfAndAncestors } from '../../../drivers/loop-lvm/preflight.js';
import { capabilities, probeDeviceMapper, resolveLvmType, resolveMode, type DeviceMapperProbe } from '../../../drivers/loop-lvm/probe.js';
import type { Command, CommandResult, CommandRunner } from '../../../drivers/loop-lvm/runner.js';

/** A runner answering from a table keyed by argv[0] (and the sh script), recording every call. */
function fakeRunner(answers: Record<string, Partial<CommandResult>>): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    run(c: Command): Promise<CommandResult> {
      const key = c.argv[0] === 'sh' ? `sh:${c.argv[2]!.includes('for t') ? 'missing' : 'which'}` : c.argv.slice(0, 2).join(' ');
      calls.push(c.argv.join(' '));
      const a = answers[key] ?? answers[c.argv[0]!] ?? {};
      return Promise.resolve({ argv: c.argv, exitCode: 0, stdout: '', stderr: '', durationMs: 0, ...a });
    },
    spawnDaemon: () => Promise.reject(new Error('no daemons here')),
    processes: () => Promise.resolve([]),
    kill: () => Promise.resolve(),
  };
}

const noDm = { 'dmsetup version': { exitCode: 1, stdout: 'Library version:   1.02.185 (2022-05-18)\n', stderr: '/dev/mapper/control: open failed: No such device\nCommand failed.\n' } };
const dmOk = {
  'dmsetup version': { stdout: 'Library version:   1.02.185\nDriver version:    4.48.0\n' },
  'dmsetup targets': { stdout: 'snapshot v1.16.0\nthin-pool v1.22.0\nlinear v1.4.0\n' },
};

describe('mode probe: device-mapper must answer, not merely exist', () => {
  it('no kernel driver: not working, with the tool\'s reason', async () => {
    const dm = await probeDeviceMapper(fakeRunner(noDm));
    expect(dm).toMatchObject({ works: false, reason: expect.stringContaining('/dev/mapper/control: open failed') });
    expect(resolveMode('auto', dm)).toBe('metadata');
    expect(capabilities('metadata', dm)).toEqual({ mode: 'metadata', snapshots: false, thin: false });
  });
  it('a working device-mapper with the snapshot and thin-pool targets and thin_check', async () => {
    const dm = await probeDeviceMapper(fakeRunner(dmOk));
    expect(dm).toMatchObject({ works: true, targets: ['snapshot', 'thin-pool', 'linear'], thinCheck: true });
    expect(capabilities(resolveMode('auto', dm), dm)).toEqual({ mode: 'full', snapshots: true, thin: true });
  });
  it('targets that fail count as no device-mapper', async () => {
    const dm = await probeDeviceMapper(fakeRunner({ ...dmOk, 'dmsetup targets': { exitCode: 1, stderr: 'Command failed.' } }));
    expect(dm.works).toBe(false);
  });
  it('without thin_check thin is unsupported', async () => {
    const dm = await probeDeviceMapper(fakeRunner({ ...dmOk, 'sh:which': { exitCode: 1 } }));
    expect(capabilities('full', dm).thin).toBe(false);
  });

  const down: DeviceMapperProbe = { works: false, reason: 'no device', targets: [], thinCheck: false };
  const up: DeviceMapperProbe = { works: true, reason: '', targets: ['snapshot', 'thin-pool'], thinCheck: true };
  it('the mode override: metadata anywhere, full only where it works', () => {
    expect(resolveMode('metadata', up)).toBe('metadata');
    expect(resolveMode('full', up)).toBe('full');
    expect(() => resolveMode('full', down)).toThrow(/mode: full needs a working device-mapper.*\(no device\)/);
  });
  it('lvm_type: auto is thin where thin works; thin elsewhere refused', () => {
    expect(resolveLvmType('auto', capabilities('full', up))).toBe('thin');
    expect(resolveLvmType('auto', capabilities('metadata', up))).toBe('default');
    expect(() => resolveLvmType('thin', capabilities('metadata', down))).toThrow(/not supported in metadata mode/);
    expect(() => resolveLvmType('thin', capabilities('full', { ...up, targets: ['snapshot'] }))).toThrow(/Thin provisioning not supported/);
  });
});

describe('preflight refuses before anything changes', () => {
  const names = instanceNames('ci', '/var/lib/cinder-sim');
  const input = { names, backingFileBytes: 4 * 2 ** 30, isRoot: true };
  const vgAbsent = { vgs: { exitCode: 5, stderr: 'Volume group "cinder-sim-ci-vg" not found' } };
  async function refusal(runner: CommandRunner, i = input): Promise<LoopLvmError> {
    const e = await preflight(runner, i).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(LoopLvmError);
    return e as LoopLvmError;
  }
  const changes = (calls: string[]) => calls.filter((c) => /^(losetup --find --show|truncate|mkdir|pvcreate|vgcreate|lvcreate|tgtd)/.test(c));

  it('not root, before running anything', async () => {
    const r = fakeRunner({});
    expect((await refusal(r, { ...input, isRoot: false })).message).toMatch(/needs root/);
    expect(r.calls).toEqual([]);
  });
  it('a missing tool names it and the package to install', async () => {
    const r = fakeRunner({ 'sh:missing': { stdout: 'tgtd\ntgtadm\n' } });
    expect((await refusal(r)).message).toBe('loop-lvm needs tgtd, tgtadm, not found on PATH; install them: apt-get install -y tgt');
  });
  it('no loop devices', async () => {
    const r = fakeRunner({ 'losetup --find': { exitCode: 1, stderr: 'losetup: cannot find an unused loop device' } });
    expect((await refusal(r)).message).toMatch(/loop devices do not work here .*cannot find an unused loop device/);
  });
  it('a VG of our name without our tags', async () => {
    const r = fakeRunner({ vgs: { stdout: '{"report":[{"vg":[{"vg_name":"cinder-sim-ci-vg","vg_tags":"backup"}]}]}' } });
    const e = await refusal(r);
    expect([e.kind, e.message]).toEqual(['NotOurs', expect.stringMatching(/cinder-sim-ci-vg exists and is not ours \(tags: backup/)]);
  });
  it('a backing file larger than the free space of the nearest existing directory', async () => {
    const r = fakeRunner({
      ...vgAbsent,
      'test -e': { exitCode: 1 },
      'df --output=avail': { stdout: 'Avail\n1073741824\n' },
    });
    const e = await refusal(r);
    expect(e.message).toMatch(/needs 4\.00 GiB and the file system holding \/var\/lib\/cinder-sim\/ci has 1\.00 GiB free/);
    expect(changes(r.calls)).toEqual([]);
  });
  it('passes on a good host, still without changing anything', async () => {
    const r = fakeRunner({ ...vgAbsent, 'test -e': { exitCode: 1 }, 'df --output=avail': { stdout: 'Avail\n85899345920\n' } });
    await preflight(r, input);
    expect(changes(r.calls)).toEqual([]);
  });
  it('df looks up the tree until a directory exists', () => {
    expect(selfAndAncestors('/var/lib/x')).toEqual(['/var/lib/x', '/var/lib', '/var', '/']);
  });
});
