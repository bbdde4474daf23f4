import { LoopLvmError } from '../../drivers/loop-lvm/errors.js';
import { VmError } from '../../drivers/loop-lvm/vm/errors.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import type { Argv } from 'yargs';
import { packageRoot } from '../scenario/library.js';
import type { Command } from './command.js';
import { commandNames, commands, type CommandName } from './commands/index.js';
import { UserError, type CliIo } from './io.js';
import { nearest } from './suggest.js';

type AnyCommand = Command<Record<string, unknown>>;

/**
 * The whole CLI as a function: parses argv, runs one command and returns
 * its exit code.  User mistakes print one clear message (no stack trace)
 * and return 2; a bug prints its stack and returns 70.
 */
export async function main(argv: readonly string[], io: CliIo, opts: { parseOnly?: boolean } = {}): Promise<number> {
  const unknown = unknownCommand(argv);
  if (unknown) {
    io.stderr(`cinder-sim: ${unknown}\n`);
    return 2;
  }
  // The command named, or all of them (for --help, --version, or no command).
  const named = argv[0] !== undefined && argv[0] in commands ? (argv[0] as CommandName) : null;
  const loaded = new Map<CommandName, AnyCommand>();
  for (const name of named ? [named] : commandNames) loaded.set(name, (await commands[name]()) as unknown as AnyCommand);
  let exitCode = 0;
  let handled = false;
  let parser: Argv = yargs([...argv])
    .scriptName('cinder-sim')
    .strict()
    .exitProcess(false)
    .help()
    .version('version', 'Show the version of cinder-sim and of the Cinder it models', versionLine())
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .demandCommand(1, 'Name a command; `cinder-sim --help` lists them.')
    .fail((msg: string | undefined, err: Error | undefined) => {
      throw err ?? new UserError(withSuggestions(msg ?? 'invalid command line', argv, loaded));
    });
  for (const c of loaded.values()) {
    parser = parser.command(
      c.command,
      c.describe,
      (y: Argv) => c.builder(y) as Argv,
      async (args: Record<string, unknown>) => {
        handled = true;
        // parseOnly: the command line is checked by this very parser, and nothing runs (tests of documented command lines).
        exitCode = opts.parseOnly ? 0 : await c.run(args, io);
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
    // The host's or the test VM's answer (a command that failed, an agent that did not answer): no bug of ours, no stack.
    if (e instanceof VmError || e instanceof LoopLvmError) {
      io.stderr(`cinder-sim: ${e instanceof VmError ? 'the test VM' : 'loop-lvm'}: ${e.message}\n`);
      return 1;
    }
    io.stderr(`cinder-sim: internal error (a bug; please report it with the command line):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 70;
  }
}

/** `cinder-sim 0.1.0 (OpenStack Cinder 2023.1)`: the package's version and the release it models. */
function versionLine(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return `cinder-sim ${pkg.version ?? 'unknown'} (OpenStack Cinder 2023.1)`;
}

/** A first word that is no command (or a flag before any command that is not --help or --version): the nearest, and the list. */
function unknownCommand(argv: readonly string[]): string | null {
  const first = argv[0];
  if (first === undefined || first in commands) return null;
  if (first.startsWith('-')) {
    const flag = first.replace(/^-+/, '').replace(/=.*$/, '');
    if (flag === 'help' || flag === 'version' || flag === 'h') return null;
    return withSuggestions(`Unknown argument: ${flag}`, [`--${flag}`], new Map());
  }
  const near = nearest(first, commandNames);
  return `unknown command '${first}'${near ? `; did you mean '${near}'?` : ''}\ncommands: ${commandNames.join(', ')} (cinder-sim --help describes them)`;
}

/** yargs' "Unknown argument(s): a, b", each flag with the command's nearest flag. */
function withSuggestions(msg: string, argv: readonly string[], loaded: ReadonlyMap<CommandName, AnyCommand>): string {
  const m = /^Unknown arguments?: (.*)$/.exec(msg);
  if (!m) return msg;
  const name = argv[0] !== undefined && argv[0] in commands ? (argv[0] as CommandName) : null;
  const c = name ? loaded.get(name) : undefined;
  const flags = c ? flagsOf(c) : ['help', 'version'];
  const hints: string[] = [];
  for (const word of m[1]!.split(', ')) {
    if (!argv.some((a) => a === `--${word}` || a.startsWith(`--${word}=`) || a === `-${word}`)) continue;
    const near = nearest(word, flags);
    if (near) hints.push(`--${word}: did you mean --${near}?`);
  }
  const valid = flags.map((f) => `--${f}`).join(', ');
  return `${msg}${hints.length ? '\n' + hints.join('\n') : ''}\n${name ?? 'cinder-sim'} takes: ${valid}${name ? ' (and --help)' : ''}`;
}

/** The flags a command declares (its builder's options, without its positionals). */
function flagsOf(c: AnyCommand): string[] {
  const positionals = new Set([...c.command.matchAll(/[<[]([\w-]+)(?:\.\.)?[>\]]/g)].map((x) => x[1]!));
  const built = c.builder(yargs([])) as unknown as { getOptions(): { key: Record<string, unknown> } };
  return Object.keys(built.getOptions().key).filter((k) => !positionals.has(k) && k !== 'help' && k !== 'version');
}
