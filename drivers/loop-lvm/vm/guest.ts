/**
 * What goes into the test VM besides Debian's packages: the packages
 * themselves, the kernel modules it loads, its PID 1 (`/init`), the command
 * agent, and LVM's local configuration.  Plain text, so the image's cache
 * key can hash it: changing any of it rebuilds the image.
 */
import { agentPortName } from './paths.js';
import { frame } from './protocol.js';

/** Debian packages in the image (mmdebstrap --variant=minbase plus these). */
export const guestPackages = [
  'lvm2',
  'thin-provisioning-tools',
  'tgt',
  'libiscsi-bin',
  'open-iscsi',
  'kmod',
  'procps',
  'util-linux',
  'e2fsprogs',
  'iproute2',
] as const;

/** Kernel modules loaded at boot; the image keeps these and their dependencies only. */
export const guestModules = [
  'virtio_pci',
  'virtio_console',
  'virtio_net',
  'virtio_blk',
  'loop',
  'dm_mod',
  'dm_snapshot',
  'dm_thin_pool',
  'sd_mod',
  'iscsi_tcp',
] as const;

/** The guest's address on its one NIC (QEMU's user network); iSCSI reaches it only through the host's 127.0.0.1 forward. */
export const guestAddress = '10.0.2.15';
/** Where tgtd listens in the guest: the forward's target. */
export const guestIscsiPort = 3260;
/** The guest's state root: the scratch disk, mounted where loop-lvm looks by default. */
export const guestStateRoot = '/var/lib/cinder-sim';

/** Files under the image root, by path. */
export const agentPath = '/usr/local/sbin/cinder-sim-agent';

/**
 * PID 1: mounts, modules, the NIC, the scratch disk, then becomes the agent.
 * Messages go to the serial console (the host's console.log).
 */
export function initScript(): string {
  return `#!/bin/sh
# PID 1 of the cinder-sim test VM (the whole root file system is this initramfs).
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/lock/lvm /run/lvm ${guestStateRoot}
modprobe -a ${guestModules.join(' ')} || echo "cinder-sim-vm: some modules did not load" >/dev/console
ip link set lo up
ip addr add ${guestAddress}/24 dev eth0 && ip link set eth0 up
# The scratch disk holds loop-lvm's backing files: sparse on the host, not in guest RAM.
if [ -b /dev/vda ]; then
  mkfs.ext4 -q -F -E nodiscard /dev/vda && mount -o discard /dev/vda ${guestStateRoot} || echo "cinder-sim-vm: scratch disk not mounted" >/dev/console
fi
echo "cinder-sim-vm: up in $(cut -d' ' -f1 /proc/uptime) s" >/dev/console
exec ${agentPath}
`;
}

/**
 * The command agent, on the virtio-serial port named ${agentPortName}, in
 * the framing of protocol.ts.  It starts no helper process of its own (each
 * costs 100-250 ms under TCG): the script runs in a subshell (`eval`, so a
 * shell line of `exec` runs as one process), a watchdog subshell kills it
 * at its timeout, outputs are read back with `read -N` and measured with
 * `\${#var}`; an idle FIFO on fd 9 serves as a sleep that is a builtin.
 * One request at a time.  The port reads EOF while no host is connected,
 * so the agent reopens it and waits.
 *
 * `stdio: true` is the same agent on its stdin and stdout, ending at EOF:
 * the unit tests run it as a plain process, without a VM.
 */
export function agentScript(o: { stdio: boolean } = { stdio: false }): string {
  const open = o.stdio ? 'exec 3<&0 4>&1 || exit 1' : 'exec 3<>"$port" 4>&3 || { read -t 0.5 -u 9; continue; }';
  const again = o.stdio ? 'exit 0' : 'exec 3<&- 4>&-; read -t 0.2 -u 9';
  return `#!/bin/bash
export LC_ALL=C
name=${agentPortName}
work=\${CINDER_SIM_AGENT_WORK:-/run/cinder-sim-agent}
mkdir -p "$work" && rm -f "$work/idle" && mkfifo "$work/idle" && exec 9<>"$work/idle"
port=${o.stdio ? 'stdio' : ''}
while [ -z "$port" ]; do
  for p in /sys/class/virtio-ports/*; do
    n=; read -r n <"$p/name" 2>/dev/null
    [ "$n" = "$name" ] && port=/dev/\${p##*/}
  done
  [ -n "$port" ] || read -t 0.2 -u 9
done
echo "cinder-sim-vm: agent ready on $port" >&2
while :; do
  ${open}
  while IFS=' ' read -r tag id tmo len <&3; do
    [ "$tag" = ${frame.request} ] && [[ $id =~ ^[a-z0-9]+$ && $tmo =~ ^[0-9]+$ && $len =~ ^[0-9]+$ ]] || continue
    script=
    [ "$len" -eq 0 ] || IFS= read -r -N "$len" script <&3
    ( eval "$script" ) </dev/null >"$work/out" 2>"$work/err" 3<&- 4>&- 9<&- &
    pid=$!
    ( read -t "$tmo" -u 9; kill -9 "$pid" ) </dev/null >/dev/null 2>&1 3<&- 4>&- &
    dog=$!
    wait "$pid"; rc=$?
    kill -9 "$dog" 2>/dev/null; wait "$dog" 2>/dev/null
    out=; err=
    IFS= read -r -N 268435456 out <"$work/out"
    IFS= read -r -N 268435456 err <"$work/err"
    printf '${frame.begin} %s %s %s %s\\n%s%s\\n${frame.end} %s\\n' "$id" "$rc" "\${#out}" "\${#err}" "$out" "$err" "$id" >&4
  done
  ${again}
done
`;
}

/** No udev and no dmeventd in the guest: LVM makes its /dev nodes itself and monitors nothing. */
export function lvmLocalConf(): string {
  return `# cinder-sim test VM: no udev, no dmeventd.
activation {
  udev_sync = 0
  udev_rules = 0
  monitoring = 0
}
devices {
  obtain_device_list_from_udev = 0
}
`;
}

/** Every file the build writes into the root, with its mode. */
export function guestFiles(): { path: string; mode: number; text: string }[] {
  return [
    { path: '/init', mode: 0o755, text: initScript() },
    { path: agentPath, mode: 0o755, text: agentScript() },
    { path: '/etc/lvm/lvmlocal.conf', mode: 0o644, text: lvmLocalConf() },
  ];
}
