/** What a command may touch of the outside world; tests pass a fake. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Working directory that relative paths resolve against. */
  cwd: string;
  /** True when stdout is a terminal (enables the live progress line). */
  isTty: boolean;
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
