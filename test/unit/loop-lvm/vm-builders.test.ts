import { describe, expect, it } from 'vitest';
import { guestTimeoutS } from '../../../drivers/loop-lvm/vm/client.js';
import { agentScript, guestFiles, initScript } from '../../../drivers/loop-lvm/vm/guest.js';
import { parseShowDepends } from '../../../drivers/loop-lvm/vm/build.js';
import { imageKey, inReleaseFile, kernelRelease, mmdebstrapArgv, parseKernelDepends, parseReleaseDate, parseVersion, type ImageInputs } from '../../../drivers/loop-lvm/vm/image.js';
import { imagePaths, vmNameOfDir, vmPaths } from '../../../drivers/loop-lvm/vm/paths.js';
import { chooseAccel, isOurQemu, qemuArgv } from '../../../drivers/loop-lvm/vm/qemu.js';
import { mirrorLines, parseCodename, parseDeb822, parseOneLine, releaseSources, SourcesError, type AptSource } from '../../../drivers/loop-lvm/vm/sources.js';

/** The test VM's pure parts: package sources, the image key, mmdebstrap's and qemu's command lines, the accelerator choice. */

const deb822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main

Types: deb
URIs: http://mirror.example/debian
Suites: bookworm
Components: main
Enabled: no
`;

describe('apt sources, read as apt reads them', () => {
  const all = parseDeb822('/etc/apt/sources.list.d/debian.sources', deb822);
  it('deb822: each URI x suite of an enabled deb stanza, deb-src and disabled stanzas left out', () => {
    expect(all.map((s) => `${s.uri} ${s.suite} ${s.components.join(',')} ${s.signedBy ?? '-'}`)).toEqual([
      'http://deb.debian.org/debian bookworm main /usr/share/keyrings/debian-archive-keyring.gpg',
      'http://deb.debian.org/debian bookworm-updates main /usr/share/keyrings/debian-archive-keyring.gpg',
      'http://deb.debian.org/debian-security bookworm-security main /usr/share/keyrings/debian-archive-keyring.gpg',
    ]);
  });
  it('one-line: options, comments, deb-src and other architectures', () => {
    const text = [
      '# a comment',
      'deb [arch=amd64 signed-by=/k.gpg] http://ftp.fr.debian.org/debian bookworm main contrib # trailing',
      'deb-src http://ftp.fr.debian.org/debian bookworm main',
      'deb [arch=arm64] http://ports.example/debian bookworm main',
      'deb https://deb.nodesource.com/node_20.x nodistro main',
    ].join('\n');
    expect(parseOneLine('/etc/apt/sources.list', text)).toEqual([
      { file: '/etc/apt/sources.list', uri: 'http://ftp.fr.debian.org/debian', suite: 'bookworm', components: ['main', 'contrib'], signedBy: '/k.gpg' },
      { file: '/etc/apt/sources.list', uri: 'https://deb.nodesource.com/node_20.x', suite: 'nodistro', components: ['main'], signedBy: null },
    ]);
  });
  it("the release's suites only, the release itself first; third-party suites left out", () => {
    const extra: AptSource = { file: 'x.list', uri: 'https://deb.nodesource.com/node_20.x', suite: 'nodistro', components: ['main'], signedBy: null };
    const mine = releaseSources([all[2]!, extra, ...all.slice(0, 2)], 'bookworm');
    expect(mine.map((s) => s.suite)).toEqual(['bookworm', 'bookworm-security', 'bookworm-updates']);
    expect(mirrorLines(mine.slice(0, 1))).toEqual(['deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main']);
  });
  it('no source for the release: a clear error listing what was found', () => {
    expect(() => releaseSources(all, 'trixie')).toThrow(SourcesError);
    expect(() => releaseSources(all, 'trixie')).toThrow(/no apt source for Debian trixie .*found: http:\/\/deb.debian.org\/debian bookworm \(\/etc\/apt\/sources.list.d\/debian.sources\)/);
  });
  it('the codename from /etc/os-release', () => {
    expect(parseCodename('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_CODENAME=bookworm\n')).toBe('bookworm');
    expect(parseCodename('NAME=x\n')).toBeNull();
  });
});

const inputs: ImageInputs = {
  codename: 'bookworm',
  sources: parseDeb822('d.sources', deb822),
  releaseDates: { 'http://deb.debian.org/debian bookworm': 'Sat, 11 Jul 2026 10:16:37 UTC' },
  kernelPackage: 'linux-image-6.1.0-57-cloud-amd64',
  kernelVersion: '6.1.192-3',
};

describe('the image: key, mmdebstrap, kernel', () => {
  it('the key is stable for the same inputs and changes with any of them', () => {
    const k = imageKey(inputs);
    expect(k).toMatch(/^[0-9a-f]{16}$/);
    expect(imageKey({ ...inputs, sources: [...inputs.sources] })).toBe(k);
    const changed = [
      { ...inputs, kernelVersion: '6.1.192-4' },
      { ...inputs, releaseDates: { 'http://deb.debian.org/debian bookworm': 'Sun, 12 Jul 2026 10:16:37 UTC' } },
      { ...inputs, sources: inputs.sources.slice(1) },
      { ...inputs, codename: 'trixie' },
    ].map(imageKey);
    expect(new Set([k, ...changed]).size).toBe(5);
  });
  it('mmdebstrap: minbase plus our packages, docs left out, the machine\'s mirrors', () => {
    const argv = mmdebstrapArgv(inputs, '/s/root');
    expect(argv.slice(0, 3)).toEqual(['mmdebstrap', '--variant=minbase', '--include=lvm2,thin-provisioning-tools,tgt,libiscsi-bin,open-iscsi,kmod,procps,util-linux,e2fsprogs,iproute2']);
    expect(argv).toContain('--dpkgopt=path-exclude=/usr/share/doc/*');
    expect(argv.slice(-5)).toEqual([
      'bookworm',
      '/s/root',
      'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main',
      'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main',
      'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main',
    ]);
  });
  it("apt's answers: the kernel behind the metapackage, its version, the InRelease date and file", () => {
    expect(parseKernelDepends('linux-image-cloud-amd64\n  Depends: linux-image-6.1.0-57-cloud-amd64\n')).toBe('linux-image-6.1.0-57-cloud-amd64');
    expect(parseKernelDepends('linux-image-cloud-amd64\n')).toBeNull();
    expect(parseVersion('Package: x\nVersion: 6.1.192-3\nArchitecture: amd64\n')).toBe('6.1.192-3');
    expect(kernelRelease('linux-image-6.1.0-57-cloud-amd64')).toBe('6.1.0-57-cloud-amd64');
    expect(inReleaseFile(inputs.sources[2]!)).toBe('deb.debian.org_debian-security_dists_bookworm-security_InRelease');
    expect(parseReleaseDate('Origin: Debian\nDate: Sat, 11 Jul 2026 10:16:37 UTC\nValid-Until: x\n')).toBe('Sat, 11 Jul 2026 10:16:37 UTC');
  });
  it('modules kept: the files modprobe --show-depends names', () => {
    const text = 'insmod /lib/modules/6.1.0-57-cloud-amd64/kernel/drivers/md/dm-mod.ko \ninsmod /lib/modules/6.1.0-57-cloud-amd64/kernel/drivers/md/dm-snapshot.ko \nbuiltin virtio_pci\n';
    expect(parseShowDepends(text)).toEqual(['/lib/modules/6.1.0-57-cloud-amd64/kernel/drivers/md/dm-mod.ko', '/lib/modules/6.1.0-57-cloud-amd64/kernel/drivers/md/dm-snapshot.ko']);
  });
  it('guest files: /init loads the device-mapper modules, mounts the scratch disk and becomes the agent; LVM without udev', () => {
    expect(guestFiles().map((f) => f.path)).toEqual(['/init', '/usr/local/sbin/cinder-sim-agent', '/etc/lvm/lvmlocal.conf']);
    expect(initScript()).toMatch(/modprobe -a .*dm_snapshot dm_thin_pool/);
    expect(initScript()).toMatch(/mount -o discard \/dev\/vda \/var\/lib\/cinder-sim/);
    expect(initScript().trim().split('\n').pop()).toBe('exec /usr/local/sbin/cinder-sim-agent');
    expect(guestFiles()[2]!.text).toMatch(/udev_sync = 0\s+udev_rules = 0\s+monitoring = 0/);
    expect(agentScript()).toContain('name=cinder-sim.agent');
  });
});

describe('qemu', () => {
  it('KVM only where it truly works: /dev/kvm usable and no kvm_pvm', () => {
    expect(chooseAccel('auto', { devKvmUsable: true, kvmPvmLoaded: false }).accel).toBe('kvm');
    expect(chooseAccel('auto', { devKvmUsable: true, kvmPvmLoaded: true })).toEqual({ accel: 'tcg', reason: 'TCG: the kvm_pvm module is loaded (a PVM host: a normal guest kernel hangs under its KVM)' });
    expect(chooseAccel('auto', { devKvmUsable: false, kvmPvmLoaded: false }).accel).toBe('tcg');
    expect(chooseAccel('tcg', { devKvmUsable: true, kvmPvmLoaded: false }).accel).toBe('tcg');
    expect(() => chooseAccel('kvm', { devKvmUsable: true, kvmPvmLoaded: true })).toThrow(/--accel kvm: KVM does not work here: the kvm_pvm module is loaded/);
  });
  const p = vmPaths('/var/lib/cinder-sim', 'default');
  const config = { accel: 'tcg' as const, cpus: 2, memoryMiB: 2048, kernel: '/i/vmlinuz', initrd: '/i/initrd.img', agentSocket: p.agentSocket, pidfile: p.pidfile, consoleLog: p.consoleLog, scratchDisk: p.scratchDisk, hostPort: 13260, guestPort: 3260 };
  it('the command line: TCG, the initramfs root, the agent port, one NIC restricted to a 127.0.0.1 forward of the iSCSI port', () => {
    const argv = qemuArgv(config);
    const after = (flag: string) => argv[argv.indexOf(flag) + 1];
    expect(argv[0]).toBe('qemu-system-x86_64');
    expect([after('-accel'), after('-cpu'), after('-smp'), after('-m')]).toEqual(['tcg,thread=multi', 'max', '2', '2048']);
    expect([after('-kernel'), after('-initrd'), after('-append')]).toEqual(['/i/vmlinuz', '/i/initrd.img', 'console=ttyS0 panic=-1 quiet rdinit=/init']);
    expect(after('-chardev')).toBe('socket,id=agent,path=/var/lib/cinder-sim/vm-default/agent.sock,server=on,wait=off');
    expect(argv).toContain('virtserialport,chardev=agent,name=cinder-sim.agent');
    expect(after('-netdev')).toBe('user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:13260-:3260');
    expect(argv.filter((a) => a === '-netdev' || a === '-nic' || a === '-net')).toEqual(['-netdev']);
    expect(after('-drive')).toBe('file=/var/lib/cinder-sim/vm-default/scratch.img,format=raw,if=virtio,cache=unsafe,discard=unmap,detect-zeroes=unmap');
    expect([after('-pidfile'), after('-serial')]).toEqual(['/var/lib/cinder-sim/vm-default/qemu.pid', 'file:/var/lib/cinder-sim/vm-default/console.log']);
    expect(qemuArgv({ ...config, accel: 'kvm' }).slice(3, 7)).toEqual(['-accel', 'kvm', '-cpu', 'host']);
  });
  it('ours: a qemu-system binary with this VM\'s agent socket; anything else is not', () => {
    const cmdline = `${qemuArgv(config).join('\0')}\0`;
    expect(isOurQemu(cmdline, p.agentSocket)).toBe(true);
    expect(isOurQemu(`/usr/bin/${cmdline}`, p.agentSocket)).toBe(true);
    expect(isOurQemu(cmdline, vmPaths('/var/lib/cinder-sim', 'other').agentSocket)).toBe(false);
    expect(isOurQemu(`sleep\0${p.agentSocket}\0`, p.agentSocket)).toBe(false);
    expect(isOurQemu(['vi', ...qemuArgv(config).slice(1)].join('\0'), p.agentSocket)).toBe(false);
  });
});

describe('paths and names', () => {
  it('run directories and images sit under the state root behind vm- (no loop-lvm instance name has a -)', () => {
    expect(vmPaths('/r', 'default').runDir).toBe('/r/vm-default');
    expect(imagePaths('/r', '0123456789abcdef').initrd).toBe('/r/vm-images/0123456789abcdef/initrd.img');
    expect(['vm-default', 'vm-t123', 'vm-images', 'default', 'vm-', 'vm-A', 'vm-../x'].map(vmNameOfDir)).toEqual(['default', 't123', null, null, null, null, null]);
  });
  it("the guest's timeout stays inside the host's", () => {
    expect([guestTimeoutS(120_000), guestTimeoutS(4000), guestTimeoutS(500)]).toEqual([118, 2, 1]);
  });
});
