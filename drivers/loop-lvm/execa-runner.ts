import { execa } from 'execa';
import { processesNamed, type ProcInfo } from './proc.js';
import type { Command, CommandResult, CommandRunner } from './runner.js';

/**
 * Runs commands on this host with execa: no shell, `LC_ALL=C` (as Cinder
 * prefixes its LVM calls) so messages and number formats are the ones the
 * parsers expect.
 */
export class ExecaRunner implements CommandRunner {
  async run(command: Command): Promise<CommandResult> {
    const [file, ...args] = command.argv;
    if (file === undefined) throw new Error('empty argv');
    const started = performance.now();
    const r = await execa(file, args, {
      env: { LC_ALL: 'C', ...command.env },
      reject: false,
      stdin: 'ignore',
      stripFinalNewline: false,
    });
    const exitCode = typeof r.exitCode === 'number' ? r.exitCode : r.failed ? 127 : 0;
    return {
      argv: command.argv,
      exitCode,
      stdout: typeof r.stdout === 'string' ? r.stdout : '',
      stderr: r.exitCode === undefined && r.failed ? (r.shortMessage ?? '') : typeof r.stderr === 'string' ? r.stderr : '',
      durationMs: performance.now() - started,
    };
  }

  async spawnDaemon(command: Command): Promise<number> {
    const [file, ...args] = command.argv;
    if (file === undefined) throw new Error('empty argv');
    const child = execa(file, args, {
      env: { LC_ALL: 'C', ...command.env },
      detached: true,
      stdio: 'ignore',
      reject: false,
      cleanup: false,
    });
    const pid = child.pid;
    if (pid === undefined) {
      const r = await child;
      throw new Error(`${file} did not start: ${r.shortMessage ?? 'unknown error'}`);
    }
    child.unref();
    // The daemon outlives us on purpose; its end is not awaited.
    child.catch(() => undefined);
    return pid;
  }

  processes(comm: string): Promise<ProcInfo[]> {
    return Promise.resolve(processesNamed(comm));
  }

  kill(pids: readonly number[]): Promise<void> {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    return Promise.resolve();
  }
}
