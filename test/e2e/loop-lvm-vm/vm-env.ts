/**
 * When the test VM suite runs: as root with qemu-system-x86_64, mmdebstrap,
 * cpio and zstd present and a Debian source in the machine's apt sources,
 * plus the host-side iSCSI clients (iscsi-readcapacity16, qemu-io).  CI
 * sets VM_REQUIRED=1 where it installed them: there a host that cannot run
 * the suite fails instead of skipping.  Elsewhere the suite reports itself
 * skipped, with the reason in its title.
 */
import { execaSync } from 'execa';
import { hostCodename, readAptSources, releaseSources } from '../../../drivers/loop-lvm/vm/sources.js';
import type { Command, CommandResult, CommandRunner } from '../../../drivers/loop-lvm/runner.js';
import type { ProcInfo } from '../../../drivers/loop-lvm/proc.js';

function has(tool: string): boolean {
  try {
    return execaSync('sh', ['-c', `command -v ${tool}`], { reject: false, stdin: 'ignore' }).exitCode === 0;
  } catch {
    return false;
  }
}

export function vmReason(): string | null {
  if (process.getuid?.() !== 0) return 'not root (the image build runs mmdebstrap and chroot)';
  const tools: [string, string][] = [
    ['qemu-system-x86_64', 'qemu-system-x86'],
    ['mmdebstrap', 'mmdebstrap'],
    ['cpio', 'cpio'],
    ['zstd', 'zstd'],
    ['iscsi-readcapacity16', 'libiscsi-bin'],
    ['qemu-io', 'qemu-utils qemu-block-extra'],
  ];
  for (const [t, pkg] of tools) if (!has(t)) return `${t} missing (apt-get install -y --no-install-recommends ${pkg})`;
  try {
    releaseSources(readAptSources(), hostCodename());
  } catch (e) {
    return (e as Error).message;
  }
  return null;
}

export const vmSkipReason = ((): string | null => {
  const reason = vmReason();
  if (reason !== null && process.env.VM_REQUIRED === '1') throw new Error(`VM_REQUIRED=1 but the test VM suite cannot run: ${reason}`);
  return reason;
})();

/** A port on 127.0.0.1 for this test process's VM (apart from loop-lvm's host test ports, 14000-18999). */
export const vmTestPort = (): number => 21000 + (process.pid % 1000) * 3;

/** What one kind of command took, wall time, each call. */
export type Timings = Map<string, number[]>;

/** `lvcreate -s`, `lvcreate -T`, `tgtadm new`...: a label per kind of command. */
export function opLabel(argv: readonly string[]): string {
  const [cmd = '?', ...rest] = argv;
  if (cmd === 'lvcreate') return rest.includes('--snapshot') ? 'lvcreate --snapshot' : rest.includes('-T') ? (rest.includes('-V') ? 'lvcreate thin' : 'lvcreate thin-pool') : 'lvcreate';
  if (cmd === 'tgtadm') return `tgtadm ${rest[rest.indexOf('--op') + 1] ?? ''} ${rest[rest.indexOf('--mode') + 1] ?? ''}`;
  if (cmd === 'lvchange') return `lvchange ${rest.includes('n') ? '-an' : '-ay'}`;
  if (cmd === 'sh') return 'sh -c';
  return cmd;
}

/** A runner that notes the wall time of every command it forwards. */
export function timed(inner: CommandRunner, t: Timings): CommandRunner {
  const note = (label: string, ms: number): void => {
    t.set(label, [...(t.get(label) ?? []), ms]);
  };
  return {
    async run(c: Command): Promise<CommandResult> {
      const r = await inner.run(c);
      note(opLabel(c.argv), r.durationMs);
      return r;
    },
    async spawnDaemon(c: Command): Promise<number> {
      const t0 = performance.now();
      const pid = await inner.spawnDaemon(c);
      note(`spawn ${c.argv[0] ?? '?'}`, performance.now() - t0);
      return pid;
    },
    processes: (comm: string): Promise<ProcInfo[]> => inner.processes(comm),
    kill: (pids: readonly number[]): Promise<void> => inner.kill(pids),
  };
}

/** The timings as a table: kind, calls, median and max ms. */
export function timingTable(t: Timings): string {
  const rows = [...t.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => {
    const s = [...v].sort((a, b) => a - b);
    return `${k.padEnd(26)} ${String(s.length).padStart(3)}  median ${String(Math.round(s[Math.floor(s.length / 2)]!)).padStart(5)} ms  max ${String(Math.round(s[s.length - 1]!)).padStart(5)} ms`;
  });
  return rows.join('\n');
}
