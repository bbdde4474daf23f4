/**
 * When the host tests of loop-lvm run: as root with losetup, LVM and tgt
 * present and loop devices working.  CI sets LOOP_LVM_REQUIRED=1: there a
 * host that cannot run them fails instead of skipping.
 */
import { execaSync } from 'execa';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { lvmCommands, loopCommands } from '../../../drivers/loop-lvm/commands.js';
import { parseLosetupList } from '../../../drivers/loop-lvm/parse.js';
import { isUnder } from '../../../drivers/loop-lvm/names.js';
import { processesNamed } from '../../../drivers/loop-lvm/proc.js';
import { ourTgtdIn } from '../../../drivers/loop-lvm/tgt.js';

function ok(argv: string[]): boolean {
  try {
    return execaSync(argv[0]!, argv.slice(1), { reject: false, stdin: 'ignore' }).exitCode === 0;
  } catch {
    return false;
  }
}

export function hostReason(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  for (const t of ['losetup', 'lvcreate', 'tgtd', 'tgtadm', 'iscsi-readcapacity16', 'qemu-io', 'qemu-img']) {
    if (!ok(['sh', '-c', `command -v ${t}`])) return `${t} missing (apt-get install -y lvm2 tgt libiscsi-bin qemu-utils qemu-block-extra)`;
  }
  // A live run's initiator reaches targets through qemu's iscsi:// protocol (qemu-block-extra).
  if (!ok(['sh', '-c', 'qemu-img --help | grep -qw iscsi'])) return 'qemu has no iscsi:// protocol (apt-get install -y qemu-block-extra)';
  if (!ok(['losetup', '--find'])) return 'loop devices do not work';
  return null;
}

export const hostSkip = ((): boolean => {
  const reason = hostReason();
  if (reason === null) return false;
  if (process.env.LOOP_LVM_REQUIRED === '1') throw new Error(`LOOP_LVM_REQUIRED=1 but the loop-lvm host tests cannot run: ${reason}`);
  return true;
})();

/** A fresh state root under /var/tmp (not tmpfs: loop devices over tmpfs files are fine too, but /var/tmp is disk). */
export function freshRoot(): string {
  return mkdtempSync(join('/var/tmp', 'cinder-sim-test-'));
}

/** Runs argv, returning stdout; throws with stderr on failure. */
export function sh(argv: string[], env: Record<string, string> = {}): { exitCode: number; stdout: string; stderr: string } {
  const r = execaSync(argv[0]!, argv.slice(1), { reject: false, stdin: 'ignore', env: { LC_ALL: 'C', LVM_SUPPRESS_FD_WARNINGS: '1', ...env } });
  return { exitCode: r.exitCode ?? 127, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Every loop device whose backing file lies under `dir`. */
export function loopsUnder(dir: string): string[] {
  return parseLosetupList(sh(loopCommands.list().argv as string[]).stdout).filter((l) => isUnder(l.backFile, dir)).map((l) => l.name);
}

export const tgtdUnder = (dir: string): number[] => ourTgtdIn(processesNamed('tgtd'), dir);

/** A VG the test makes on its own loop file, named and tagged as NOT ours. */
export function makeForeignVg(dir: string, vg: string): { device: string; file: string; destroy: () => void } {
  const file = join(dir, 'foreign.img');
  sh(['truncate', '-s', '64M', file]);
  const device = sh(['losetup', '--find', '--show', file]).stdout.trim();
  const scope = { device, metadataOnly: true };
  for (const c of [lvmCommands.pvcreate(scope), lvmCommands.vgcreate(scope, vg, ['someone-else']), lvmCommands.createThick(scope, vg, 'data', 0.01)]) {
    const r = sh(c.argv as string[]);
    if (r.exitCode !== 0) throw new Error(`${c.argv.join(' ')}: ${r.stderr}`);
  }
  return {
    device,
    file,
    destroy: () => {
      sh(lvmCommands.vgremove(scope, vg).argv as string[]);
      sh(lvmCommands.pvremove(scope).argv as string[]);
      sh(['losetup', '--detach', device]);
      sh(['rm', '-f', file]);
    },
  };
}

/** The VG's LV names, read only through the foreign device. */
export function lvNames(device: string, vg: string): string[] {
  const r = sh(lvmCommands.lvs({ device, metadataOnly: true }, vg).argv as string[]);
  if (r.exitCode !== 0) return [];
  return [...r.stdout.matchAll(/"lv_name":"([^"]+)"/g)].map((m) => m[1]!);
}

/**
 * Instance names and tgtd ports unique to this test process, so that two
 * test runs on one host (two worktrees, say) do not meet.
 */
export const testInstance = (base: string): string => `${base}_${process.pid}`;
export const testPort = (k: number): number => 14000 + (process.pid % 1000) * 5 + k;
