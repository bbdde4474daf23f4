/**
 * Where the test VM keeps its files: everything under cinder-sim's state
 * root, behind a `vm-` prefix that no loop-lvm instance name can take
 * (instance names have no `-`), so loop-lvm's cleanup never mistakes a VM
 * directory for an instance and the VM's cleanup never touches an instance.
 *
 *   <root>/vm-images/<key>/   a built image: vmlinuz, initrd.img, image.json
 *   <root>/vm-<name>/         one running VM: pidfile, agent socket, console log, scratch disk
 */
import { join } from 'node:path';

/** A VM name: the same alphabet as a loop-lvm instance. */
export const vmNamePattern = /^[a-z0-9][a-z0-9_]{0,31}$/;

export const defaultVmName = 'default';

/** The virtio-serial port the agent listens on, by name (the guest finds it in /sys/class/virtio-ports). */
export const agentPortName = 'cinder-sim.agent';

/** Written first into a VM run directory we create: cleanup removes only directories that hold it. */
export const vmMarkerFile = 'cinder-sim-vm';

export interface VmPaths {
  name: string;
  runDir: string;
  pidfile: string;
  agentSocket: string;
  consoleLog: string;
  /** A sparse raw disk the guest formats and mounts as its state root (the loop-lvm backing files live there, not in guest RAM). */
  scratchDisk: string;
  /** What `vm start` recorded: the forwarded port, the accelerator, the image. */
  stateFile: string;
  marker: string;
}

export function vmPaths(root: string, name: string): VmPaths {
  const runDir = join(root, `vm-${name}`);
  return {
    name,
    runDir,
    pidfile: join(runDir, 'qemu.pid'),
    agentSocket: join(runDir, 'agent.sock'),
    consoleLog: join(runDir, 'console.log'),
    scratchDisk: join(runDir, 'scratch.img'),
    stateFile: join(runDir, 'vm.json'),
    marker: join(runDir, vmMarkerFile),
  };
}

export const imagesDir = (root: string): string => join(root, 'vm-images');

export interface ImagePaths {
  dir: string;
  kernel: string;
  initrd: string;
  manifest: string;
}

export function imagePaths(root: string, key: string): ImagePaths {
  const dir = join(imagesDir(root), key);
  return { dir, kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img'), manifest: join(dir, 'image.json') };
}

/** The VM name a run directory belongs to, or null when the directory name is not one of ours. */
export function vmNameOfDir(dirName: string): string | null {
  const m = /^vm-(.+)$/.exec(dirName);
  return m && m[1] !== 'images' && vmNamePattern.test(m[1]!) ? m[1]! : null;
}
