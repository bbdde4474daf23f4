/**
 * Every command loop-lvm runs, as argv arrays built by pure functions (no
 * shell lines, no I/O): the unit tests read them as tables.  LVM calls
 * follow Cinder's `brick/local_dev/lvm.py` command lines, plus two flags of
 * ours on every call: `--devices <our loop device>` (LVM sees and locks no
 * other PV) and, in metadata mode, `activation=0` in `--config`.
 */
import type { Command } from './runner.js';

/** What every LVM call needs to know: the one PV it may see, and the mode. */
export interface LvmScope {
  device: string;
  metadataOnly: boolean;
}

/** Environment of every LVM call (Cinder sets it with `lvm_suppress_fd_warnings`). */
export const lvmEnv = { LVM_SUPPRESS_FD_WARNINGS: '1' } as const;

function config(scope: LvmScope, extra: readonly string[] = []): string[] {
  const sections = [...(scope.metadataOnly ? ['global{activation=0}'] : []), ...extra];
  return sections.length === 0 ? [] : ['--config', sections.join(' ')];
}

function lvm(verb: string, scope: LvmScope, args: readonly string[], extraConfig: readonly string[] = []): Command {
  return { argv: [verb, '--devices', scope.device, ...config(scope, extraConfig), ...args], env: lvmEnv };
}

const gb = (n: number): string => `${n}g`;
const report = ['--reportformat', 'json', '--nosuffix'] as const;

export const lvmCommands = {
  pvcreate: (s: LvmScope) => lvm('pvcreate', s, [s.device]),
  vgcreate: (s: LvmScope, vg: string, tags: readonly string[]) =>
    lvm('vgcreate', s, [...tags.flatMap((t) => ['--addtag', t]), vg, s.device]),
  /** Cinder's stats query, as JSON: `vgs --unit=g -o name,size,free,lv_count,uuid <vg>`. */
  vgs: (s: LvmScope, vg: string) =>
    lvm('vgs', s, [...report, '--units', 'g', '-o', 'vg_name,vg_size,vg_free,lv_count,vg_uuid,vg_tags', vg]),
  /** Cinder's `lvs --unit=g -o vg_name,name,size <vg>`, plus what deletes and thin stats read. */
  lvs: (s: LvmScope, vg: string) =>
    lvm('lvs', s, [...report, '--units', 'g', '-o', 'vg_name,lv_name,lv_size,lv_attr,data_percent,origin,pool_lv,lv_tags', vg]),
  /** Our PV in bytes: where extents start, their size, and the VG it belongs to. */
  pvs: (s: LvmScope) =>
    lvm('pvs', s, [...report, '--units', 'b', '-o', 'pv_name,pe_start,vg_name,vg_extent_size,vg_tags', s.device]),
  /** The extents an LV occupies (metadata mode maps them with an offset loop device). */
  segments: (s: LvmScope, vg: string, lv: string) =>
    lvm('lvs', s, [...report, '--segments', '-o', 'lv_name,seg_start_pe,seg_size_pe,seg_pe_ranges', `${vg}/${lv}`]),
  /** `lvcreate -n volume-<id> <vg> -L <size>g`; contiguous in metadata mode, so one offset maps it. */
  createThick: (s: LvmScope, vg: string, lv: string, sizeGb: number) =>
    lvm('lvcreate', s, ['-n', lv, vg, '-L', gb(sizeGb), ...(s.metadataOnly ? ['--alloc', 'contiguous'] : [])]),
  /** `lvcreate -T -V <size>g -n volume-<id> <vg>/<vg>-pool`. */
  createThin: (s: LvmScope, vg: string, pool: string, lv: string, sizeGb: number) =>
    lvm('lvcreate', s, ['-T', '-V', gb(sizeGb), '-n', lv, `${vg}/${pool}`]),
  /** `lvcreate -T -L <0.95 x VG free>g <vg>/<vg>-pool` (Cinder's `create_thin_pool`). */
  createThinPool: (s: LvmScope, vg: string, pool: string, sizeStr: string) =>
    lvm('lvcreate', s, ['-T', '-L', sizeStr, `${vg}/${pool}`]),
  /** `lvcreate --name <snap> --snapshot <vg>/<origin> [-L <size>g]`: thick gives a full-size COW, thin no size. */
  createSnapshot: (s: LvmScope, vg: string, lv: string, origin: string, cowSizeGb: number | null) =>
    lvm('lvcreate', s, ['--name', lv, '--snapshot', `${vg}/${origin}`, ...(cowSizeGb === null ? [] : ['-L', gb(cowSizeGb)])]),
  /** Thin snapshots are created with activation skipped: Cinder activates them with `-K`. */
  activate: (s: LvmScope, vg: string, lv: string) => lvm('lvchange', s, ['-a', 'y', '--yes', '-K', `${vg}/${lv}`]),
  deactivate: (s: LvmScope, vg: string, lv: string) => lvm('lvchange', s, ['-a', 'n', `${vg}/${lv}`]),
  extend: (s: LvmScope, vg: string, lv: string, newSizeGb: number) => lvm('lvextend', s, ['-L', gb(newSizeGb), `${vg}/${lv}`]),
  /** Cinder's delete: `lvremove --config 'activation { retry_deactivation = 1}' -f <vg>/<lv>`. */
  remove: (s: LvmScope, vg: string, lv: string) =>
    lvm('lvremove', s, ['-f', `${vg}/${lv}`], s.metadataOnly ? [] : ['activation{retry_deactivation=1}']),
  /** Full mode: before the loop device can go, nothing on it may stay active. */
  vgDeactivate: (s: LvmScope, vg: string) => lvm('vgchange', s, ['-a', 'n', vg]),
  vgremove: (s: LvmScope, vg: string) => lvm('vgremove', s, ['-ff', vg]),
  pvremove: (s: LvmScope) => lvm('pvremove', s, ['-y', s.device]),
  /** The one LVM call not limited to our device: read-only, naming our VG, to find a foreign VG of that name. */
  vgsAnywhere: (vg: string) =>
    ({ argv: ['vgs', '--config', 'global{activation=0}', ...report, '-o', 'vg_name,vg_tags', vg], env: lvmEnv }) as Command,
} as const;

export const loopCommands = {
  /** Fails where loop devices do not work (no root, no loop driver). */
  find: (): Command => ({ argv: ['losetup', '--find'] }),
  attach: (file: string): Command => ({ argv: ['losetup', '--find', '--show', file] }),
  attachRange: (file: string, offsetBytes: number, sizeBytes: number): Command => ({
    argv: ['losetup', '--find', '--show', '--offset', String(offsetBytes), '--sizelimit', String(sizeBytes), file],
  }),
  detach: (device: string): Command => ({ argv: ['losetup', '--detach', device] }),
  list: (): Command => ({ argv: ['losetup', '--json', '--list'] }),
} as const;

export const hostCommands = {
  /** `command -v`: the tool is on PATH. */
  which: (tool: string): Command => ({ argv: ['sh', '-c', 'command -v "$1"', 'sh', tool] }),
  /** Prints, one a line, those of `tools` that are not on PATH (one process for all). */
  missingTools: (tools: readonly string[]): Command => ({
    argv: ['sh', '-c', 'for t in "$@"; do command -v "$t" >/dev/null 2>&1 || echo "$t"; done', 'sh', ...tools],
  }),
  /** Available bytes on the file system holding `path`. */
  freeBytes: (path: string): Command => ({ argv: ['df', '--output=avail', '-B1', path] }),
  exists: (path: string): Command => ({ argv: ['test', '-e', path] }),
  mkdir: (dir: string): Command => ({ argv: ['mkdir', '-p', dir] }),
  touch: (file: string): Command => ({ argv: ['touch', file] }),
  /** A sparse backing file of the requested size. */
  createFile: (file: string, sizeBytes: number): Command => ({ argv: ['truncate', '-s', String(sizeBytes), file] }),
  removeFile: (file: string): Command => ({ argv: ['rm', '-f', file] }),
  removeDir: (dir: string): Command => ({ argv: ['rm', '-rf', dir] }),
  /** Cinder's `copy_volume`: dd of the size in MiB, direct I/O. */
  copy: (src: string, dst: string, sizeMiB: number): Command => ({
    argv: ['dd', `if=${src}`, `of=${dst}`, `count=${sizeMiB}`, 'bs=1M', 'iflag=direct', 'oflag=direct'],
  }),
  /** Cinder's `clear_volume` with volume_clear=zero: dd of zeros over the device, direct I/O. */
  zero: (dst: string, sizeMiB: number): Command => ({
    argv: ['dd', 'if=/dev/zero', `of=${dst}`, `count=${sizeMiB}`, 'bs=1M', 'oflag=direct'],
  }),
  /**
   * The same clear in metadata mode, where the LV is a byte range of the PV
   * file: punching the range out leaves zeros behind, as dd would, without
   * writing them (and the file stays sparse).
   */
  punchHole: (file: string, offsetBytes: number, lengthBytes: number): Command => ({
    argv: ['fallocate', '--punch-hole', '--offset', String(offsetBytes), '--length', String(lengthBytes), file],
  }),
} as const;

export const dmCommands = {
  version: (): Command => ({ argv: ['dmsetup', 'version'] }),
  targets: (): Command => ({ argv: ['dmsetup', 'targets'] }),
  /** Snapshot and thin targets are modules on Debian; failure is fine (built in, or absent). */
  loadTargets: (): Command => ({ argv: ['modprobe', '-q', '-a', 'dm_snapshot', 'dm_thin_pool'] }),
  list: (): Command => ({ argv: ['dmsetup', 'ls'] }),
  remove: (name: string): Command => ({ argv: ['dmsetup', 'remove', '--force', name] }),
} as const;

/** tgtadm against our private tgtd: the socket comes through TGT_IPC_SOCKET. */
export function tgtCommands(socket: string) {
  const env = { TGT_IPC_SOCKET: socket };
  const adm = (...args: string[]): Command => ({ argv: ['tgtadm', '--lld', 'iscsi', ...args], env });
  return {
    /** tgtd in the foreground (it ignores SIGTERM; cleanup kills it by pid). */
    daemon: (portalIp: string, port: number): Command => ({ argv: ['tgtd', '-f', '--iscsi', `portal=${portalIp}:${port}`], env }),
    showSystem: () => adm('--op', 'show', '--mode', 'system'),
    showTargets: () => adm('--op', 'show', '--mode', 'target'),
    newTarget: (tid: number, iqn: string) => adm('--op', 'new', '--mode', 'target', '--tid', String(tid), '-T', iqn),
    /** LUN 1: tgt's LUN 0 is the controller. */
    newLun: (tid: number, backingStore: string) =>
      adm('--op', 'new', '--mode', 'logicalunit', '--tid', String(tid), '--lun', '1', '-b', backingStore, '--bstype', 'rdwr'),
    /** tgt-admin binds ALL when a target names no initiator-address. */
    bindAll: (tid: number) => adm('--op', 'bind', '--mode', 'target', '--tid', String(tid), '-I', 'ALL'),
    newAccount: (user: string, password: string) => adm('--op', 'new', '--mode', 'account', '--user', user, '--password', password),
    bindAccount: (tid: number, user: string) => adm('--op', 'bind', '--mode', 'account', '--tid', String(tid), '--user', user),
    deleteLun: (tid: number) => adm('--op', 'delete', '--mode', 'logicalunit', '--tid', String(tid), '--lun', '1'),
    deleteTarget: (tid: number) => adm('--op', 'delete', '--force', '--mode', 'target', '--tid', String(tid)),
    deleteAccount: (user: string) => adm('--op', 'delete', '--mode', 'account', '--user', user),
    /** tgtd exits; refused while a target exists. */
    stop: (): Command => ({ argv: ['tgtadm', '--op', 'delete', '--mode', 'system'], env }),
  } as const;
}
export type TgtCommands = ReturnType<typeof tgtCommands>;
