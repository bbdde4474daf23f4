import yargs from 'yargs';
import type { Argv } from 'yargs';
import { commands } from './commands/index.js';
import { UserError, type CliIo } from './io.js';

/**
 * The whole CLI as a function: parses argv, runs one command and returns
 * its exit code.  User mistakes print one clear message (no stack trace)
 * and return 2; a bug prints its stack and returns 70.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  let handled = false;
  let parser: Argv = yargs([...argv])
    .scriptName('cinder-sim')
    .strict()
    .exitProcess(false)
    .help()
    .version(false)
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .demandCommand(1, 'Name a command; `cinder-sim --help` lists them.')
    .fail((msg: string | undefined, err: Error | undefined) => {
      throw err ?? new UserError(msg ?? 'invalid command line');
    });
  for (const c of Object.values(commands)) {
    parser = parser.command(
      c.command,
      c.describe,
      (y: Argv) => c.builder(y) as Argv,
      async (args: Record<string, unknown>) => {
        handled = true;
        exitCode = await (c.run as (a: Record<string, unknown>, io: CliIo) => Promise<number> | number)(args, io);
      },
    );
  }
  try {
    let helpText = '';
    await parser.parseAsync([...argv], {}, (_err: unknown, _argv: unknown, output: string) => {
      helpText = output;
    });
    if (!handled) {
      if (helpText) io.stdout(helpText + '\n');
      return 0;
    }
    return exitCode;
  } catch (e) {
    if (e instanceof UserError) {
      io.stderr(`cinder-sim: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof Error && e.name === 'YError') {
      io.stderr(`cinder-sim: ${e.message}\nRun \`cinder-sim --help\` for the commands and their options.\n`);
      return 2;
    }
    io.stderr(`cinder-sim: internal error (a bug; please report it with the command line):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 70;
  }
}
