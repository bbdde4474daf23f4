import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** What a command may touch of the outside world; tests pass a fake. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Working directory that relative paths resolve against. */
  cwd: string;
  /** True when stdout is a terminal (enables the live progress line and colour). */
  isTty: boolean;
  /** stdout's width in columns when it is a terminal (absent: not known, e.g. a pipe). */
  columns?: number;
  /**
   * True once stdout's reader has gone (`cinder-sim schedule big.json | head`):
   * what is written after that is dropped, and a command that streams may
   * stop producing.  Absent means never.
   */
  stdoutClosed?: () => boolean;
  /**
   * Resolves once stdout has taken what was written (a pipe whose reader is
   * slower than us), or has closed.  A command that streams a large output
   * awaits it now and then, so the output does not pile up in memory.
   * Absent means stdout takes everything at once.
   */
  drain?: () => Promise<void>;
}

/** A user's mistake: printed without a stack trace, exit code 2 by default. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** An io that collects output, for tests. */
export function bufferIo(cwd: string = process.cwd()): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    cwd,
    isTty: false,
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
  };
  return io;
}

/** A file the user named, read as text; a file that cannot be read is a UserError naming it and why. */
export function readText(file: string, io: Pick<CliIo, 'cwd'>): string {
  try {
    return readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UserError(`${file}: cannot read: ${why}`);
  }
}
