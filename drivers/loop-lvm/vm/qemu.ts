/**
 * The qemu command line of the test VM and the choice of accelerator, as
 * pure functions.  KVM only where it truly works: /dev/kvm must be usable
 * AND the host must not be a PVM host (`kvm_pvm` loaded), where KVM starts
 * fine and then hangs a normal guest kernel, so that QEMU's own KVM-to-TCG
 * fallback never triggers.  TCG everywhere else.
 */
import { agentPortName } from './paths.js';

export type Accel = 'kvm' | 'tcg';
export type AccelOption = 'auto' | Accel;

export interface AccelProbe {
  /** /dev/kvm exists and this process may open it read-write. */
  devKvmUsable: boolean;
  /** /sys/module/kvm_pvm exists. */
  kvmPvmLoaded: boolean;
}

export interface AccelChoice {
  accel: Accel;
  reason: string;
}

export function chooseAccel(requested: AccelOption, p: AccelProbe): AccelChoice {
  const kvmWhyNot = !p.devKvmUsable ? '/dev/kvm is absent or not usable' : p.kvmPvmLoaded ? 'the kvm_pvm module is loaded (a PVM host: a normal guest kernel hangs under its KVM)' : null;
  if (requested === 'tcg') return { accel: 'tcg', reason: 'TCG requested' };
  if (requested === 'kvm') {
    if (kvmWhyNot !== null) throw new Error(`--accel kvm: KVM does not work here: ${kvmWhyNot}; use --accel tcg or auto`);
    return { accel: 'kvm', reason: 'KVM requested' };
  }
  return kvmWhyNot === null ? { accel: 'kvm', reason: '/dev/kvm usable, no kvm_pvm' } : { accel: 'tcg', reason: `TCG: ${kvmWhyNot}` };
}

export interface QemuConfig {
  accel: Accel;
  cpus: number;
  memoryMiB: number;
  kernel: string;
  initrd: string;
  agentSocket: string;
  pidfile: string;
  consoleLog: string;
  scratchDisk: string;
  /** 127.0.0.1:<hostPort> on the host reaches the guest's iSCSI port. */
  hostPort: number;
  guestPort: number;
}

/**
 * The whole command line.  The NIC is QEMU's user network with
 * `restrict=on`: the guest reaches nothing, and the only way in is the
 * 127.0.0.1 forward of the iSCSI port.  The root file system is the
 * initramfs; the scratch disk keeps its zeros sparse on the host
 * (detect-zeroes and discard unmap).  `-no-reboot`: a guest that panics
 * or powers off ends the qemu process.
 */
export function qemuArgv(c: QemuConfig): string[] {
  const accel = c.accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=multi', '-cpu', 'max'];
  return [
    'qemu-system-x86_64',
    '-name', 'cinder-sim-vm',
    ...accel,
    '-smp', String(c.cpus),
    '-m', String(c.memoryMiB),
    '-nodefaults',
    '-no-reboot',
    '-display', 'none',
    '-serial', `file:${c.consoleLog}`,
    '-kernel', c.kernel,
    '-initrd', c.initrd,
    '-append', 'console=ttyS0 panic=-1 quiet rdinit=/init',
    '-device', 'virtio-serial-pci',
    '-chardev', `socket,id=agent,path=${c.agentSocket},server=on,wait=off`,
    '-device', `virtserialport,chardev=agent,name=${agentPortName}`,
    '-drive', `file=${c.scratchDisk},format=raw,if=virtio,cache=unsafe,discard=unmap,detect-zeroes=unmap`,
    '-netdev', `user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:${c.hostPort}-:${c.guestPort}`,
    '-device', 'virtio-net-pci,netdev=n0',
    '-daemonize',
    '-pidfile', c.pidfile,
  ];
}

/**
 * Whether a process's command line (/proc/<pid>/cmdline, NUL-separated) is
 * a qemu we started for this run directory: a qemu-system binary whose
 * agent socket is this VM's.  Cleanup kills nothing else.
 */
export function isOurQemu(cmdline: string, agentSocket: string): boolean {
  const args = cmdline.split('\0');
  return /(^|\/)qemu-system-[a-z0-9_]+$/.test(args[0] ?? '') && args.includes(`socket,id=agent,path=${agentSocket},server=on,wait=off`);
}
