import type { Argv } from 'yargs';
import type { CliIo } from './io.js';

/**
 * One CLI command: yargs builder plus a handler returning the exit code.
 * Commands live one per file under commands/ and are registered in
 * commands/index.ts.
 */
export interface Command<A = Record<string, unknown>> {
  /** yargs command string, e.g. 'schedule <case>'. */
  command: string;
  describe: string;
  builder: (y: Argv) => Argv<A>;
  run: (args: A, io: CliIo) => Promise<number> | number;
}

export function defineCommand<A>(c: Command<A>): Command<A> {
  return c;
}
