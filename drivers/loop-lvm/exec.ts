import { LoopLvmError, type LoopLvmErrorKind } from './errors.js';
import { showArgv, type Command, type CommandResult, type CommandRunner } from './runner.js';

/** LVM's notice on every metadata-only call: noise in an error message. */
const noise = /^\s*WARNING: (Activation disabled|Skipping zeroing|Logical volume .* not zeroed)/;

/** The lines of stderr worth showing. */
export function stderrDigest(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !noise.test(l))
    .map((l) => l.trim())
    .join('; ');
}

/** Runs a command that must succeed; a failure becomes a LoopLvmError naming the command and its stderr. */
export async function must(runner: CommandRunner, command: Command, what: string, kind: LoopLvmErrorKind = 'CommandFailed'): Promise<CommandResult> {
  const r = await runner.run(command);
  if (r.exitCode !== 0) {
    throw new LoopLvmError(kind, `${what} failed: \`${showArgv(command.argv)}\` exited ${r.exitCode}: ${stderrDigest(r.stderr) || '(no message)'}`, {
      argv: command.argv,
      exitCode: r.exitCode,
      stderr: r.stderr,
    });
  }
  return r;
}
