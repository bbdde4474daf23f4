import { execa, execaSync } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vmPaths } from '../../../drivers/loop-lvm/vm/paths.js';
import { bufferIo } from '../../../sim/cli/io.js';
import { main } from '../../../sim/cli/main.js';

/**
 * `cinder-sim cleanup` after a crash left a test VM running: it kills our
 * qemu (pidfile AND command line), and nothing else: not a process a stale
 * pidfile names, not a qemu of someone else's, not a directory without our
 * marker.  The qemus here are real but paused (-S): no image needed.
 */
const qemuReason = ((): string | null => {
  if (process.getuid?.() !== 0) return 'not root';
  if (execaSync('sh', ['-c', 'command -v qemu-system-x86_64'], { reject: false }).exitCode !== 0) return 'qemu-system-x86_64 missing (apt-get install -y --no-install-recommends qemu-system-x86)';
  return null;
})();
if (qemuReason !== null && process.env.VM_REQUIRED === '1') throw new Error(`VM_REQUIRED=1 but the test VM cleanup test cannot run: ${qemuReason}`);

const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

/** A paused qemu with an agent chardev on `socket`, daemonized, pid in `pidfile`. */
async function pausedQemu(socket: string, pidfile: string): Promise<number> {
  await execa('qemu-system-x86_64', ['-S', '-accel', 'tcg', '-nodefaults', '-display', 'none', '-chardev', `socket,id=agent,path=${socket},server=on,wait=off`, '-daemonize', '-pidfile', pidfile]);
  return Number(readFileSync(pidfile, 'utf8').trim());
}

describe.skipIf(qemuReason !== null)(`cinder-sim cleanup and the test VM${qemuReason === null ? '' : ` (skipped: ${qemuReason})`}`, () => {
  const root = qemuReason === null ? mkdtempSync('/var/tmp/cinder-sim-vmtest-') : '';
  const outside = qemuReason === null ? mkdtempSync('/var/tmp/cinder-sim-vmother-') : '';
  const pids: number[] = [];
  afterAll(() => {
    for (const p of pids) if (alive(p)) process.kill(p, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('kills the qemu a crash left, leaves a reused pid, a foreign qemu and an unmarked directory alone', async () => {
    const crashed = vmPaths(root, 'crashed');
    mkdirSync(crashed.runDir);
    writeFileSync(crashed.marker, '');
    const ours = await pausedQemu(crashed.agentSocket, crashed.pidfile);
    pids.push(ours);
    // Someone else's qemu, outside our state root.
    const foreign = await pausedQemu(join(outside, 'agent.sock'), join(outside, 'qemu.pid'));
    pids.push(foreign);
    // A stale pidfile whose pid now belongs to an unrelated process.
    const reused = vmPaths(root, 'reused');
    mkdirSync(reused.runDir);
    writeFileSync(reused.marker, '');
    const sleeper = execa('sleep', ['60'], { reject: false });
    pids.push(sleeper.pid!);
    writeFileSync(reused.pidfile, `${sleeper.pid!}\n`);
    // Not ours: no marker.
    mkdirSync(join(root, 'vm-unmarked'));

    const status = bufferIo();
    expect(await main(['vm', 'status', '--state-dir', root], status)).toBe(0);
    expect(status.out).toMatch(/^vm crashed: not running/m); // no vm.json: a VM that never finished starting
    expect(status.out).toMatch(/^vm reused: not running/m);

    const io = bufferIo();
    expect(await main(['cleanup', '--state-dir', root], io)).toBe(0);
    expect(io.out).toContain(`killed qemu ${ours} (test VM crashed)`);
    expect(io.out).toContain('removed test VM directory vm-crashed');
    expect(io.out).toContain(`left: pid ${sleeper.pid!} (from ${reused.pidfile}) is not our qemu; left running`);
    expect(io.out).toContain(`left: ${join(root, 'vm-unmarked')}: no cinder-sim-vm marker, so not ours; left as it is`);
    expect(alive(ours)).toBe(false);
    expect(alive(foreign)).toBe(true);
    expect(alive(sleeper.pid!)).toBe(true);
    expect(existsSync(crashed.runDir)).toBe(false);
    expect(existsSync(join(root, 'vm-unmarked'))).toBe(true);
    sleeper.kill('SIGKILL');
  });
});

describe('cinder-sim vm: argument errors and a VM that is not running', () => {
  const cases: [string[], number, RegExp][] = [
    [['vm', 'start', '--name', 'Bad-Name'], 2, /--name "Bad-Name" is not a test VM name/],
    [['vm', 'stop', '--name', 'images'], 2, /not "images"/],
    [['vm', 'exec', '--state-dir', '/nonexistent-cinder-sim'], 2, /vm exec needs a command/],
    [['vm', 'stop', '--', 'ls'], 2, /vm stop takes no command words \(got: ls\)/],
    [['vm', 'start', '--state-dir', 'rel/dir'], 2, /--state-dir "rel\/dir" must be an absolute path/],
    [['vm', 'start', '--iscsi-port', '70000'], 2, /--iscsi-port 70000 is not a valid port/],
    [['vm', 'frobnicate'], 2, /Invalid values|choices/],
    [['vm', 'exec', '--state-dir', '/nonexistent-cinder-sim', '--', 'lvs'], 1, /vm exec: the test VM "default" is not running; start it with: cinder-sim vm start/],
  ];
  for (const [argv, code, message] of cases) {
    it(argv.join(' '), async () => {
      const io = bufferIo();
      expect(await main(argv, io)).toBe(code);
      expect(io.err).toMatch(message);
    });
  }
  it('status of a state directory without VMs says so', async () => {
    const io = bufferIo();
    expect(await main(['vm', 'status', '--state-dir', '/nonexistent-cinder-sim'], io)).toBe(0);
    expect(io.out).toBe('no test VM under /nonexistent-cinder-sim\n');
  });
});
