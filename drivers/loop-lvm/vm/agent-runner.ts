/**
 * loop-lvm's command-runner port, served by the test VM's agent: the same
 * argv the local runner would run, shell-quoted (protocol.ts's
 * `commandLine`) and sent over the agent socket.  Daemons are started with
 * setsid in the guest; the process table is the guest's /proc.  One
 * connection, opened on first use and kept; a VM that is not running is a
 * clear NotRunning error, not a hang.
 */
import type { ProcInfo } from '../proc.js';
import type { Command, CommandResult, CommandRunner } from '../runner.js';
import { AgentClient } from './client.js';
import { assignments, commandLine, shellQuote } from './protocol.js';

export interface AgentRunnerOptions {
  /** The VM's name, for messages. */
  vmName: string;
  agentSocket: string;
  /** Per command; an LVM call takes about 0.5 s under TCG, a dd of a GiB several seconds. */
  timeoutMs?: number;
}

/** Where daemons started through the agent write their output, in the guest. */
export const daemonLogDir = '/run/cinder-sim-daemons';

/** Prints, per live process named $1: `<pid> <state> <environ with NULs as \x01>`. */
export const processScript = `for d in /proc/[0-9]*; do
  read -r c <"$d/comm" 2>/dev/null || continue
  [ "$c" = "$1" ] || continue
  read -r s <"$d/stat" 2>/dev/null || continue
  s=\${s##*) }; s=\${s%% *}
  [ "$s" = Z ] && continue
  e=$(tr '\\0' '\\001' <"$d/environ" 2>/dev/null)
  printf '%s %s %s\\n' "\${d#/proc/}" "$s" "$e"
done`;

/** The lines of `processScript` as ProcInfo rows. */
export function parseProcesses(text: string, comm: string): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\S) ?(.*)$/.exec(line);
    if (!m) continue;
    const env: Record<string, string> = {};
    for (const kv of m[3]!.split('\x01')) {
      const eq = kv.indexOf('=');
      if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    out.push({ pid: Number(m[1]), comm, state: m[2]!, env });
  }
  return out;
}

/**
 * Starts `line` in the background and prints its pid once the process's
 * name is `comm` (the kernel's comm: 15 characters at most), or it is
 * gone.  The wait is a read with a timeout on the agent's idle FIFO
 * (`$work/idle`, the agent's variable): no helper process.
 */
export function spawnScript(line: string, comm: string, log: string): string {
  return [
    `mkdir -p ${shellQuote(daemonLogDir)}`,
    `${line} </dev/null >>${shellQuote(log)} 2>&1 &`,
    'pid=$!',
    'n=0',
    `while [ $n -lt 250 ]; do c=; read -r c </proc/$pid/comm 2>/dev/null || break; [ "$c" = ${shellQuote(comm.slice(0, 15))} ] && break; n=$((n+1)); read -t 0.02 <>"$work/idle"; done`,
    'echo $pid',
  ].join('\n');
}

/** A bash function call with its arguments quoted: `f() { ...; }; f 'a' 'b'`. */
const withArgs = (body: string, args: readonly string[]): string => `f() {\n${body}\n}; f ${args.map(shellQuote).join(' ')}`;

export class AgentRunner implements CommandRunner {
  private client: Promise<AgentClient> | null = null;

  constructor(private readonly o: AgentRunnerOptions) {}

  private agent(): Promise<AgentClient> {
    this.client ??= AgentClient.connect(this.o.agentSocket, this.o.vmName).then(async (c) => {
      try {
        await c.sync();
        return c;
      } catch (e) {
        c.close();
        throw e;
      }
    }).catch((e: unknown) => {
      this.client = null;
      throw e;
    });
    return this.client;
  }

  private async exec(script: string, timeoutMs = this.o.timeoutMs ?? 120_000) {
    const c = await this.agent();
    try {
      return await c.exec(script, { timeoutMs });
    } catch (e) {
      // A broken connection is not kept: the next call connects again (and says NotRunning if the VM is gone).
      this.client = null;
      c.close();
      throw e;
    }
  }

  async run(command: Command): Promise<CommandResult> {
    const started = performance.now();
    const a = await this.exec(commandLine(command.argv, command.env));
    return { argv: command.argv, exitCode: a.exitCode, stdout: a.stdout, stderr: a.stderr, durationMs: performance.now() - started };
  }

  /**
   * setsid: the daemon leaves the agent's session and outlives the
   * request's subshell.  What it prints goes to a log in the guest's
   * ${daemonLogDir}, one per program, for `cinder-sim vm exec` to read.
   * The answer waits (up to 5 s) until the child has become the program,
   * as a local spawn does: under TCG the exec takes long enough that a
   * caller looking for the program by name would otherwise find nothing.
   */
  async spawnDaemon(command: Command): Promise<number> {
    const [file] = command.argv;
    if (file === undefined) throw new Error('empty argv');
    const comm = file.replace(/^.*\//, '');
    const line = [...assignments(command.env), 'setsid', ...command.argv.map(shellQuote)].join(' ');
    const a = await this.exec(spawnScript(line, comm, `${daemonLogDir}/${comm}.log`));
    const pid = Number(a.stdout.trim());
    if (a.exitCode !== 0 || !Number.isInteger(pid) || pid <= 0) {
      throw new Error(`${file} did not start in the test VM: ${a.stderr.trim() || `exit ${a.exitCode}`}`);
    }
    return pid;
  }

  async processes(comm: string): Promise<ProcInfo[]> {
    const a = await this.exec(withArgs(processScript, [comm]));
    return parseProcesses(a.stdout, comm);
  }

  async kill(pids: readonly number[]): Promise<void> {
    if (pids.length === 0) return;
    await this.exec(`kill -9 ${pids.map((p) => String(Math.trunc(p))).join(' ')} 2>/dev/null; true`);
  }

  /** Closes the connection (the VM keeps running). */
  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) (await c.catch(() => null))?.close();
  }
}
