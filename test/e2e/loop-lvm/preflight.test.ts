import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExecaRunner, LoopLvmDriver, LoopLvmError, cleanupHost, type LoopLvmOptions } from '../../../drivers/loop-lvm/index.js';
import { probeDeviceMapper } from '../../../drivers/loop-lvm/probe.js';
import { freshRoot, hostSkip, loopsUnder, lvNames, makeForeignVg, sh, testInstance, testPort } from './host-env.js';

const pre = testInstance('pre');
const taken = testInstance('taken');

/** Each refusal happens before anything on the host changed: no state directory, no loop device. */
const runner = new ExecaRunner();

describe.skipIf(hostSkip)('loop-lvm refuses a host it cannot run on, before changing anything', () => {
  const root = hostSkip ? '' : freshRoot();
  afterAll(async () => {
    await cleanupHost(runner, root);
    sh(['rm', '-rf', root]);
  });

  async function refusal(o: Partial<LoopLvmOptions>): Promise<LoopLvmError> {
    const e = await LoopLvmDriver.setUp(runner, { instance: pre, stateRoot: root, backingFileGb: 1, mode: 'metadata', target_port: testPort(3), ...o }).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(LoopLvmError);
    expect(existsSync(join(root, (o.instance ?? pre)))).toBe(false);
    expect(loopsUnder(root)).toEqual([]);
    return e as LoopLvmError;
  }

  it('not root', async () => {
    const e = await refusal({ isRoot: false });
    expect([e.kind, e.message]).toEqual(['Preflight', expect.stringMatching(/needs root/)]);
  });

  it('a backing file larger than the free disk', async () => {
    const e = await refusal({ backingFileGb: 1_000_000 });
    expect(e.kind).toBe('Preflight');
    expect(e.message).toMatch(/needs 1000000\.00 GiB and the file system holding .* has [\d.]+ GiB free/);
  });

  it('a VG of our name that is not ours, which stays untouched', async () => {
    const dir = freshRoot();
    const foreign = makeForeignVg(dir, `cinder-sim-${taken}-vg`);
    try {
      const e = await refusal({ instance: taken });
      expect(e.kind).toBe('NotOurs');
      expect(e.message).toMatch(new RegExp(`cinder-sim-${taken}-vg exists and is not ours \\(tags: someone-else`));
      expect(lvNames(foreign.device, `cinder-sim-${taken}-vg`)).toEqual(['data']);
    } finally {
      foreign.destroy();
      sh(['rm', '-rf', dir]);
    }
  });

  it('lvm_type = thin where device-mapper does not serve it', async () => {
    const e = await refusal({ lvm_type: 'thin' });
    expect([e.kind, e.message]).toEqual(['NotSupported', expect.stringMatching(/lvm_type = thin is not supported in metadata mode/)]);
  });

  it('mode: full where device-mapper does not work', async () => {
    const dm = await probeDeviceMapper(runner);
    if (dm.works) return; // a host with device-mapper serves full mode
    const e = await refusal({ mode: 'full' });
    expect([e.kind, e.message]).toEqual(['Preflight', expect.stringMatching(/mode: full needs a working device-mapper/)]);
  });

  it('a bad instance name', async () => {
    const e = await refusal({ instance: '../etc' });
    expect(e.message).toMatch(/not a valid loop-lvm instance name/);
  });
});
