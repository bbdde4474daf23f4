/**
 * Modes by probing, never by guessing.  `full` needs a device-mapper that
 * answers (`dmsetup version` prints the kernel driver's version and
 * `dmsetup targets` succeeds): /dev/mapper/control may exist where the
 * kernel has no device-mapper.  Anywhere else loop-lvm runs in `metadata`
 * mode: real LVM metadata with activation off, no snapshots, no thin.
 */
import { dmCommands, hostCommands } from './commands.js';
import { LoopLvmError } from './errors.js';
import { stderrDigest } from './exec.js';
import { parseDmTargets } from './parse.js';
import type { CommandRunner } from './runner.js';
import type { LvmType, Mode } from './stats.js';

export type ModeOption = 'auto' | Mode;
export type LvmTypeOption = 'auto' | LvmType;

export interface DeviceMapperProbe {
  works: boolean;
  /** Why not, in the tool's words. */
  reason: string;
  targets: string[];
  thinCheck: boolean;
}

export interface Capabilities {
  mode: Mode;
  snapshots: boolean;
  thin: boolean;
}

export async function probeDeviceMapper(runner: CommandRunner): Promise<DeviceMapperProbe> {
  const version = await runner.run(dmCommands.version());
  if (version.exitCode !== 0 || !version.stdout.includes('Driver version:')) {
    const why = stderrDigest(version.stderr) || `dmsetup version exited ${version.exitCode}`;
    return { works: false, reason: why, targets: [], thinCheck: false };
  }
  await runner.run(dmCommands.loadTargets());
  const targets = await runner.run(dmCommands.targets());
  if (targets.exitCode !== 0) {
    return { works: false, reason: stderrDigest(targets.stderr) || 'dmsetup targets failed', targets: [], thinCheck: false };
  }
  const thinCheck = (await runner.run(hostCommands.which('thin_check'))).exitCode === 0;
  return { works: true, reason: 'device-mapper answers', targets: parseDmTargets(targets.stdout), thinCheck };
}

/** The mode to run in: the probe's, or the override when the host can serve it. */
export function resolveMode(requested: ModeOption, dm: DeviceMapperProbe): Mode {
  if (requested === 'metadata') return 'metadata';
  if (requested === 'full' && !dm.works) {
    throw new LoopLvmError('Preflight', `mode: full needs a working device-mapper, and this host has none (${dm.reason}); use mode: metadata or auto`);
  }
  return dm.works ? 'full' : 'metadata';
}

export function capabilities(mode: Mode, dm: DeviceMapperProbe): Capabilities {
  const full = mode === 'full';
  return {
    mode,
    snapshots: full && dm.targets.includes('snapshot'),
    thin: full && dm.targets.includes('thin-pool') && dm.thinCheck,
  };
}

/** Cinder's lvm_type: `auto` becomes thin where thin works; `thin` where it cannot is refused. */
export function resolveLvmType(requested: LvmTypeOption, caps: Capabilities): LvmType {
  if (requested === 'thin' && !caps.thin) {
    throw new LoopLvmError(
      'NotSupported',
      caps.mode === 'metadata'
        ? 'lvm_type = thin is not supported in metadata mode (no device-mapper on this host); use lvm_type = default'
        : 'Thin provisioning not supported on this version of LVM (no thin-pool target or thin_check).',
    );
  }
  if (requested === 'auto') return caps.thin ? 'thin' : 'default';
  return requested;
}
