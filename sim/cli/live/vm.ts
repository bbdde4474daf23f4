/**
 * The test VM of `run --live --vm`: checked before anything changes, booted
 * for the run (the image built when this machine's inputs have none
 * cached), stopped after it.  A VM of the same name already running is
 * refused, not reused: a live run owns its VM from boot to stop, so what a
 * run finds in the guest is what it made, and stopping it at the end cannot
 * take away someone else's VM.
 */
import { buildTools, currentImage, missingTools } from '../../../drivers/loop-lvm/vm/build.js';
import { runningQemu, startVm, stopVm, vmBackend, vmDefaults, type VmBackend } from '../../../drivers/loop-lvm/vm/control.js';
import { VmError } from '../../../drivers/loop-lvm/vm/errors.js';
import { guestAddress, guestIscsiPort } from '../../../drivers/loop-lvm/vm/guest.js';
import { vmPaths } from '../../../drivers/loop-lvm/vm/paths.js';
import type { LiveVmRecord } from '../../scenario/outcome.js';
import { UserError } from '../io.js';
import type { PortalRoute } from './initiator.js';

/** The VM a live run boots when not told another name. */
export const liveVmName = 'live';

export interface LiveVmOptions {
  name: string;
  /** Host port on 127.0.0.1 forwarded to the guest's iSCSI port. */
  hostPort?: number;
  /** Progress lines of the build and boot. */
  progress?: (line: string) => void;
}

/** A booted VM of a live run. */
export interface LiveVm {
  backend: VmBackend;
  record: LiveVmRecord;
  /** Closes the agent runner and stops the VM. */
  stop: () => Promise<void>;
}

const vmFlag = (name: string): string => (name === liveVmName ? '' : ` --vm-name ${name}`);

/** Every refusal that needs no change on the machine: root, qemu, the image's build tools (when none is cached), a VM of this name running. */
export async function checkLiveVm(root: string, o: LiveVmOptions): Promise<void> {
  if (process.getuid?.() !== 0) throw new UserError('run --live --vm needs root (the test VM image is built with mmdebstrap and chroot; its files live under the state directory)');
  if ((await missingTools(['qemu-system-x86_64'])).length > 0) {
    throw new UserError('run --live --vm needs qemu-system-x86_64, not found on PATH; install it: apt-get install -y --no-install-recommends qemu-system-x86');
  }
  if ((await currentImage(root)) === null) {
    const missing = await missingTools(Object.keys(buildTools));
    if (missing.length > 0) {
      const pkgs = [...new Set(missing.map((t) => buildTools[t as keyof typeof buildTools]))];
      throw new UserError(`run --live --vm has no test VM image cached and building one needs ${missing.join(', ')}, not found on PATH; install them: apt-get install -y --no-install-recommends ${pkgs.join(' ')}`);
    }
  }
  const pid = runningQemu(vmPaths(root, o.name));
  if (pid !== null) {
    throw new UserError(
      `the test VM "${o.name}" is already running (qemu pid ${pid}); a live run boots its own VM and stops it after the run, so it does not reuse one: stop it (cinder-sim vm stop --name ${o.name}) or name another with --vm-name`,
    );
  }
}

/** Boots the VM (building its image if needed); a VmError refusal before boot is a UserError, exit 2. */
export async function bootLiveVm(root: string, o: LiveVmOptions): Promise<LiveVm> {
  const stop = async (): Promise<void> => {
    await stopVm(root, o.name);
  };
  let started;
  try {
    started = await startVm({ root, name: o.name, hostPort: o.hostPort ?? vmDefaults.hostPort, ...(o.progress ? { progress: o.progress } : {}) });
  } catch (e) {
    // A VM that was already running is not ours to stop; anything else of this name that started is.
    if (!(e instanceof VmError && e.kind === 'AlreadyRunning')) await stop();
    if (e instanceof VmError) throw new UserError(`run --live --vm${vmFlag(o.name)}: ${e.message}`, e.kind === 'Preflight' || e.kind === 'AlreadyRunning' ? 2 : 1);
    throw e;
  }
  const backend = vmBackend(root, o.name);
  const s = started.state;
  return {
    backend,
    record: { name: o.name, accel: s.accel, image: s.imageKey, image_built: !started.image.cached, boot_ms: s.bootMs, host_portal: backend.hostPortal },
    stop: async () => {
      await backend.runner.close();
      await stop();
    },
  };
}

/** The compute host reaches the guest's iSCSI port through the VM's forward; every other portal of the guest is not forwarded. */
export function portalRoute(vm: LiveVm): PortalRoute {
  const forwarded = `${guestAddress}:${guestIscsiPort}`;
  return {
    to: (portal) => (portal === forwarded ? vm.backend.hostPortal : null),
    describe: (portal, to) =>
      to !== null
        ? `${portal} is the test VM's; reached through its forwarded port ${to}`
        : `${portal} is not reachable from this host: the test VM forwards only ${forwarded} (to ${vm.backend.hostPortal}); nothing connected`,
  };
}
