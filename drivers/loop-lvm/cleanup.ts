/**
 * Removes what a crashed (or finished) loop-lvm run left on the host, and
 * nothing else.  Ours means: a tgtd whose control socket is an instance's
 * socket path; a loop device whose backing file is an instance's `cinder-sim-pv.img`;
 * a VG on such a loop device that carries our name AND our tags; the state
 * directory itself.  A VG on our loop device that is not ours is left, and
 * so is the directory holding its backing file.
 */
import { basename } from 'node:path';
import { dmCommands, hostCommands, loopCommands, lvmCommands } from './commands.js';
import { must } from './exec.js';
import { instanceNames, instancePattern, instanceTag, ownerInstance, ownerTag, type InstanceNames } from './names.js';
import { parseDmNames, parseLosetupList, parsePvs } from './parse.js';
import { probeDeviceMapper } from './probe.js';
import type { CommandRunner } from './runner.js';
import { killAndWait, ourTgtd } from './tgt.js';

export interface CleanupReport {
  killedTgtd: number[];
  detachedLoops: string[];
  removedVgs: string[];
  removedDirs: string[];
  /** What looked like ours and was left, with the reason. */
  left: string[];
}

/** Device-mapper names double every `-` inside the VG and LV names. */
export const dmPrefix = (vg: string): string => `${vg.replace(/-/g, '--')}-`;

export interface CleanupInput {
  root: string;
  /** One instance; all instances under `root` when absent. */
  instance?: string;
  /** Directory names under `root` (the caller lists them). */
  listDirs: () => string[];
}

export async function cleanup(runner: CommandRunner, i: CleanupInput): Promise<CleanupReport> {
  const report: CleanupReport = { killedTgtd: [], detachedLoops: [], removedVgs: [], removedDirs: [], left: [] };
  const mine = (path: string, pick: (n: InstanceNames) => string): string | null => {
    const owner = ownerInstance(path, i.root, pick);
    return owner !== null && (i.instance === undefined || owner === i.instance) ? owner : null;
  };

  const tgtd = await ourTgtd(runner, i.root, i.instance);
  await killAndWait(runner, tgtd);
  report.killedTgtd.push(...tgtd);

  const loops = parseLosetupList((await must(runner, loopCommands.list(), 'listing loop devices')).stdout).filter((l) => mine(l.backFile, (n) => n.backingFile) !== null);
  // Offset loop devices (the metadata-mode data path) first: they map extents of a PV file.
  const ranged = loops.filter((l) => l.offset !== 0 || l.sizelimit !== 0);
  const whole = loops.filter((l) => l.offset === 0 && l.sizelimit === 0);
  for (const l of ranged) {
    await must(runner, loopCommands.detach(l.name), `detaching ${l.name}`);
    report.detachedLoops.push(l.name);
  }

  const dm = whole.length > 0 ? await probeDeviceMapper(runner) : null;
  const keepDirs = new Set<string>();
  for (const l of whole) {
    const instance = mine(l.backFile, (n) => n.backingFile);
    const names = instance === null ? null : instanceNames(instance, i.root);
    const scope = { device: l.name, metadataOnly: !(dm?.works ?? false) };
    const pvs = await runner.run(lvmCommands.pvs(scope));
    const pv = pvs.exitCode === 0 ? parsePvs(pvs.stdout).find((p) => p.name === l.name) : undefined;
    if (pv && pv.vg !== '') {
      const ours = names !== null && pv.vg === names.vg && pv.vgTags.includes(ownerTag) && pv.vgTags.includes(instanceTag(names.instance));
      if (!ours) {
        report.left.push(`${l.name}: volume group ${pv.vg} on ${l.backFile} is not ours (name or tags differ); left as it is`);
        if (instance !== null) keepDirs.add(instance);
        continue;
      }
      if (dm?.works) {
        await runner.run(lvmCommands.vgDeactivate(scope, pv.vg));
        const leftovers = parseDmNames((await runner.run(dmCommands.list())).stdout).filter((n) => n.startsWith(dmPrefix(pv.vg)));
        for (const n of leftovers) await runner.run(dmCommands.remove(n));
      }
      await must(runner, lvmCommands.vgremove(scope, pv.vg), `removing volume group ${pv.vg}`);
      report.removedVgs.push(pv.vg);
    }
    if (pv) await runner.run(lvmCommands.pvremove(scope));
    await must(runner, loopCommands.detach(l.name), `detaching ${l.name}`);
    report.detachedLoops.push(l.name);
  }

  const dirs = i.instance === undefined ? i.listDirs() : [i.instance];
  for (const d of dirs) {
    if (keepDirs.has(d) || !instancePattern.test(d)) continue;
    const { stateDir: dir, marker } = instanceNames(d, i.root);
    if ((await runner.run(hostCommands.exists(marker))).exitCode !== 0) {
      if ((await runner.run(hostCommands.exists(dir))).exitCode === 0) report.left.push(`${dir}: no ${basename(marker)} marker, so not ours; left as it is`);
      continue;
    }
    await must(runner, hostCommands.removeDir(dir), `removing ${dir}`);
    report.removedDirs.push(basename(dir));
  }
  return report;
}
