import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExecaRunner, LoopLvmDriver } from '../../../drivers/loop-lvm/index.js';
import { bufferIo } from '../../../sim/cli/io.js';
import { main } from '../../../sim/cli/main.js';
import { freshRoot, hostSkip, loopsUnder, sh, testInstance, testPort, tgtdUnder } from './host-env.js';

const cli = testInstance('cli');

describe('cinder-sim cleanup (argument errors)', () => {
  it('refuses an instance name that cannot be ours', async () => {
    const io = bufferIo();
    expect(await main(['cleanup', '--instance', '../x'], io)).toBe(2);
    expect(io.err).toMatch(/--instance "\.\.\/x" is not a loop-lvm instance name/);
  });
  it('refuses a relative state directory', async () => {
    const io = bufferIo();
    expect(await main(['cleanup', '--state-dir', 'var/x'], io)).toBe(2);
    expect(io.err).toMatch(/must be an absolute path/);
  });
});

describe.skipIf(hostSkip)('cinder-sim cleanup on the host', () => {
  const root = hostSkip ? '' : freshRoot();
  afterAll(() => {
    sh(['rm', '-rf', root]);
  });

  it('removes an instance\'s tgtd, loop device, VG and directory, leaves a directory that is not ours, and says what it did', async () => {
    const d = await LoopLvmDriver.setUp(new ExecaRunner(), { instance: cli, stateRoot: root, backingFileGb: 1, mode: 'metadata', target_port: testPort(0) });
    mkdirSync(join(root, 'notours'));
    const io = bufferIo();
    expect(await main(['cleanup', '--state-dir', root], io)).toBe(0);
    expect(io.out.split('\n')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^killed tgtd \d+$/),
        `detached ${d.scope.device}`,
        `removed volume group cinder-sim-${cli}-vg`,
        `removed state directory ${cli}`,
        expect.stringMatching(/^left: .*notours: no cinder-sim-loop-lvm marker/),
      ]),
    );
    expect([loopsUnder(root), tgtdUnder(root), existsSync(join(root, cli)), existsSync(join(root, 'notours'))]).toEqual([[], [], false, true]);
    const again = bufferIo();
    expect(await main(['cleanup', '--state-dir', root, '--instance', cli], again)).toBe(0);
    expect(again.out).toBe(`nothing of ours under ${root}\n`);
  });
});
