import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { ExecaRunner, cleanupHost } from '../../../drivers/loop-lvm/index.js';
import { packageRoot } from '../../../sim/scenario/library.js';
import { freshRoot, hostSkip, loopsUnder, lvNames, makeForeignVg, sh, testInstance, testPort, tgtdUnder } from './host-env.js';
import { cli, keepExported, liveScenario, startLive, until } from './live-env.js';

/**
 * The test that matters: a process that set up a backend is killed with
 * SIGKILL midway; cleanup then leaves no loop device, VG or tgtd of ours,
 * and a VG that is not ours untouched.
 */
const crash = testInstance('crash');
const foreignVg = `cinder-sim-${testInstance('foreign')}-vg`;
const child = join(packageRoot(), 'dist', 'test', 'e2e', 'loop-lvm', 'crash-child.js');

describe.skipIf(hostSkip)('loop-lvm after a SIGKILL', () => {
  const root = hostSkip ? '' : freshRoot();
  const foreignDir = hostSkip ? '' : freshRoot();
  const foreign = hostSkip ? null : makeForeignVg(foreignDir, foreignVg);
  let spawned: ReturnType<typeof execa> | null = null;
  afterAll(async () => {
    spawned?.kill('SIGKILL');
    await cleanupHost(new ExecaRunner(), root);
    foreign?.destroy();
    sh(['rm', '-rf', root, foreignDir]);
  });

  it('cleanup removes what the killed run left, and nothing else', async () => {
    expect(existsSync(child), `${child} is missing: build first (npm test runs tsc)`).toBe(true);
    const p = execa('node', [child, root, crash, String(testPort(1))], { reject: false, buffer: false, stdin: 'ignore', stderr: 'inherit' });
    spawned = p;
    const ready = await new Promise<string>((resolve, reject) => {
      let out = '';
      p.stdout?.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      p.then((r) => reject(new Error(`child exited ${String(r.exitCode)} before READY`)), reject);
      setTimeout(() => reject(new Error('child not READY after 30 s')), 30_000).unref();
    });
    expect(ready).toMatch(/^READY \/dev\/loop\d+$/);
    p.kill('SIGKILL');
    expect((await p).signal).toBe('SIGKILL');

    // The crash left: the PV loop device and the export's offset loop device, tgtd, the VG.
    expect(loopsUnder(root)).toHaveLength(2);
    expect(tgtdUnder(root)).toHaveLength(1);

    const r = await cleanupHost(new ExecaRunner(), root);
    expect(r.removedVgs).toEqual([`cinder-sim-${crash}-vg`]);
    expect(r.left).toEqual([]);
    expect(loopsUnder(root)).toEqual([]);
    expect(tgtdUnder(root)).toEqual([]);
    expect(existsSync(join(root, crash))).toBe(false);
    expect(sh(['vgs', '--config', 'global{activation=0}', `cinder-sim-${crash}-vg`]).exitCode).not.toBe(0);
    // Not ours: still there, with its LV.
    expect(loopsUnder(foreignDir)).toEqual([foreign!.device]);
    expect(lvNames(foreign!.device, foreignVg)).toEqual(['data']);
  });

  it('a live run killed midway, then `cinder-sim cleanup`: nothing of ours left, the foreign VG untouched', { timeout: 120_000 }, async () => {
    const liveRoot = freshRoot();
    try {
      const s = liveScenario(liveRoot, 8, keepExported);
      const { child } = await startLive(s.file, join(s.dir, 'out'), liveRoot);
      spawned = child;
      // Midway: the volume is created, extended and exported (the PV's loop device and the export's), tgtd runs.
      await until(() => loopsUnder(liveRoot).length === 2, 'the export');
      child.kill('SIGKILL');
      expect((await child).signal).toBe('SIGKILL');
      expect(tgtdUnder(liveRoot)).toHaveLength(1);
      expect(sh(['vgs', '--config', 'global{activation=0}', s.vg]).exitCode).toBe(0);

      const r = await cli(['cleanup', '--state-dir', liveRoot], liveRoot);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain(`removed volume group ${s.vg}`);
      expect(loopsUnder(liveRoot)).toEqual([]);
      expect(tgtdUnder(liveRoot)).toEqual([]);
      expect(sh(['vgs', '--config', 'global{activation=0}', s.vg]).exitCode).not.toBe(0);
      expect(existsSync(join(liveRoot, s.instance))).toBe(false);
      expect(lvNames(foreign!.device, foreignVg)).toEqual(['data']);
    } finally {
      await cleanupHost(new ExecaRunner(), liveRoot);
      sh(['rm', '-rf', liveRoot]);
    }
  });
});
