/**
 * The command-runner port of the loop-lvm driver: every host change the
 * driver makes is one argv run here.  The argv arrays are built by the pure
 * functions of `commands.ts`; a runner only executes them.  The local
 * implementation is `execa-runner.ts`; `vm/agent-runner.ts` forwards the
 * same argv to the test VM's agent.  The process table is the runner's too:
 * tgtd runs (and cleanup finds it) where the commands run.
 */
import type { ProcInfo } from './proc.js';

/** One command: an argv (never a shell line) and extra environment. */
export interface Command {
  argv: readonly string[];
  env?: Readonly<Record<string, string>>;
}

export interface CommandResult {
  argv: readonly string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Wall time the command took. */
  durationMs: number;
}

export interface CommandRunner {
  /** Runs one command to its end; a non-zero exit is a result, not an exception. */
  run(command: Command): Promise<CommandResult>;
  /**
   * Starts a long-lived daemon detached from this process (it must outlive a
   * crash of ours, so that cleanup has something real to find) and returns
   * its pid.
   */
  spawnDaemon(command: Command): Promise<number>;
  /** Live (not zombie) processes named `comm` where the commands run, with their environment. */
  processes(comm: string): Promise<ProcInfo[]>;
  /** SIGKILL to `pids` where the commands run; a pid already gone is fine. */
  kill(pids: readonly number[]): Promise<void>;
}

/** The argv as a shell would show it, for messages. */
export function showArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
