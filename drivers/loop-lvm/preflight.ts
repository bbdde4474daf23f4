/**
 * Checks made before loop-lvm changes anything on the host: root, tools,
 * loop devices, a VG of our name that is not ours, room for the backing
 * file.  Each failure is a clear Preflight (or NotOurs) error.
 */
import { dirname } from 'node:path';
import { hostCommands, loopCommands, lvmCommands } from './commands.js';
import { LoopLvmError } from './errors.js';
import { stderrDigest } from './exec.js';
import { instanceTag, ownerTag, type InstanceNames } from './names.js';
import { parseDfAvail, parseVgNames } from './parse.js';
import type { CommandRunner } from './runner.js';

/** Each tool we run, and the Debian package that ships it. */
export const requiredTools = {
  losetup: 'mount',
  truncate: 'coreutils',
  dd: 'coreutils',
  df: 'coreutils',
  fallocate: 'util-linux',
  pvcreate: 'lvm2',
  vgcreate: 'lvm2',
  lvcreate: 'lvm2',
  lvs: 'lvm2',
  vgs: 'lvm2',
  dmsetup: 'dmsetup',
  tgtd: 'tgt',
  tgtadm: 'tgt',
} as const satisfies Record<string, string>;

/** `/a/b/c` → `/a/b/c`, `/a/b`, `/a`, `/`: where df may look when the directory does not exist yet. */
export function selfAndAncestors(path: string): string[] {
  const out = [path];
  let p = path;
  while (dirname(p) !== p) {
    p = dirname(p);
    out.push(p);
  }
  return out;
}

export function missingToolsMessage(missing: readonly (keyof typeof requiredTools)[]): string {
  const pkgs = [...new Set(missing.map((t) => requiredTools[t]))];
  return `loop-lvm needs ${missing.join(', ')}, not found on PATH; install them: apt-get install -y ${pkgs.join(' ')}`;
}

export interface PreflightInput {
  names: InstanceNames;
  backingFileBytes: number;
  isRoot: boolean;
}

export async function preflight(runner: CommandRunner, i: PreflightInput): Promise<void> {
  if (!i.isRoot) throw new LoopLvmError('Preflight', 'loop-lvm needs root (losetup, LVM and tgtd act on the host); run it as root');

  const tools = Object.keys(requiredTools) as (keyof typeof requiredTools)[];
  const absent = new Set((await runner.run(hostCommands.missingTools(tools))).stdout.split('\n').map((l) => l.trim()));
  const missing = tools.filter((t) => absent.has(t));
  if (missing.length > 0) throw new LoopLvmError('Preflight', missingToolsMessage(missing));

  const loop = await runner.run(loopCommands.find());
  if (loop.exitCode !== 0) {
    throw new LoopLvmError('Preflight', `loop devices do not work here (\`losetup --find\`: ${stderrDigest(loop.stderr) || `exit ${loop.exitCode}`})`);
  }

  const vg = await runner.run(lvmCommands.vgsAnywhere(i.names.vg));
  if (vg.exitCode === 0) {
    const row = parseVgNames(vg.stdout).find((r) => r.name === i.names.vg);
    if (row && !(row.tags.includes(ownerTag) && row.tags.includes(instanceTag(i.names.instance)))) {
      throw new LoopLvmError(
        'NotOurs',
        `a volume group named ${i.names.vg} exists and is not ours (tags: ${row.tags.join(',') || 'none'}; ours carry ${ownerTag} and ${instanceTag(i.names.instance)}); loop-lvm will not touch it: choose another instance name`,
      );
    }
  }

  if ((await runner.run(hostCommands.exists(i.names.backingFile))).exitCode !== 0) {
    for (const dir of selfAndAncestors(i.names.stateDir)) {
      const df = await runner.run(hostCommands.freeBytes(dir));
      if (df.exitCode !== 0) continue;
      const avail = parseDfAvail(df.stdout);
      if (avail < i.backingFileBytes) {
        throw new LoopLvmError(
          'Preflight',
          `the backing file ${i.names.backingFile} needs ${gib(i.backingFileBytes)} GiB and the file system holding ${dir} has ${gib(avail)} GiB free; choose a smaller size or another state directory (CINDER_SIM_STATE)`,
        );
      }
      break;
    }
  }
}

const gib = (bytes: number): string => (bytes / 2 ** 30).toFixed(2);
