/**
 * Names of every host object loop-lvm owns.  Ownership is by name AND tag:
 * the state directory holds our backing file, the VG is named after the
 * instance and carries our tags, tgtd listens on a socket in our state
 * directory.  Cleanup finds objects through these names only.
 */
import { join } from 'node:path';

/** Tag on every VG we create (LVM tag characters: [A-Za-z0-9_+.-/=!:&#]). */
export const ownerTag = 'cinder-sim-owned';
export const instanceTag = (instance: string): string => `cinder-sim-instance=${instance}`;

/** An instance name: safe in a VG name, a tag, a path and a dm name. */
export const instancePattern = /^[a-z0-9][a-z0-9_]{0,31}$/;

export const markerFile = 'cinder-sim-loop-lvm';

/** Where state directories live unless CINDER_SIM_STATE says otherwise. */
export const defaultStateRoot = '/var/lib/cinder-sim';

/** Cinder's `target_prefix` default (volume/targets/driver.py). */
export const iqnPrefix = 'iqn.2010-10.org.openstack:';

export interface InstanceNames {
  instance: string;
  stateDir: string;
  backingFile: string;
  vg: string;
  /** Cinder's thin pool name: `<vg>-pool`. */
  thinPool: string;
  /** TGT_IPC_SOCKET of our private tgtd (tgtd appends `.0`). */
  tgtSocket: string;
  /** Written first into a state directory we create: cleanup removes only directories that hold it. */
  marker: string;
}

export function stateRoot(env: Readonly<Record<string, string | undefined>>): string {
  const v = env.CINDER_SIM_STATE;
  return v !== undefined && v !== '' ? v : defaultStateRoot;
}

export function instanceNames(instance: string, root: string): InstanceNames {
  const stateDir = join(root, instance);
  const vg = `cinder-sim-${instance}-vg`;
  return {
    instance,
    stateDir,
    backingFile: join(stateDir, 'cinder-sim-pv.img'),
    vg,
    thinPool: `${vg}-pool`,
    tgtSocket: join(stateDir, 'tgt', 'cinder-sim-tgtd'),
    marker: join(stateDir, markerFile),
  };
}

/** Cinder's `volume_name_template`. */
export const volumeLv = (id: string): string => `volume-${id}`;
/** `snapshot-<id>`, stored as `_snapshot-<id>`: LVM reserves names starting with "snapshot". */
export const snapshotLv = (id: string): string => `_snapshot-${id}`;
/** The temporary snapshot of a thick clone. */
export const cloneSnapLv = (id: string): string => `clone-snap-${id}`;
export const targetIqn = (lvName: string): string => `${iqnPrefix}${lvName}`;
/** The export path Cinder hands tgt: `/dev/<vg>/<lv>`. */
export const lvPath = (vg: string, lv: string): string => `/dev/${vg}/${lv}`;

/** True when `path` is inside `dir` (loop back files may end in " (deleted)"). */
export function isUnder(path: string, dir: string): boolean {
  const p = path.replace(/ \(deleted\)$/, '');
  const d = dir.endsWith('/') ? dir : `${dir}/`;
  return p.startsWith(d);
}

/**
 * The instance whose object `path` is, when `path` is exactly that object's
 * path for an instance under `root` (a loop device's backing file may end in
 * " (deleted)"): `pick` chooses which of the instance's paths.  Nothing else
 * under `root`, and nothing outside it, counts as ours.
 */
export function ownerInstance(path: string, root: string, pick: (n: InstanceNames) => string): string | null {
  const p = path.replace(/ \(deleted\)$/, '');
  if (!isUnder(p, root)) return null;
  const instance = p.slice((root.endsWith('/') ? root : `${root}/`).length).split('/')[0] ?? '';
  if (!instancePattern.test(instance)) return null;
  return pick(instanceNames(instance, root)) === p ? instance : null;
}
