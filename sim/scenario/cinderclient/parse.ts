import { closest } from '../../cinder/config/suggest.js';
import { programs, type CommandSpec, type OptSpec, type ProgramName } from './specs.js';
import { programUsage, subcommandUsage } from './usage.js';
import { negotiate, versionMatches } from './version.js';

/** A parsed command line: the program, its subcommand and argparse-style values by dest. */
export interface ParsedCommand {
  program: ProgramName;
  command: string;
  args: Record<string, string | boolean | string[] | undefined>;
  /** The words as typed (after reference expansion), for the outcome. */
  argv: string[];
  /** The microversion the command's requests carry, as the client negotiated it ("3.70"). */
  apiVersion: string;
  /** What the client logs on its way (a version downgraded to the server's maximum). */
  warnings: string[];
}

/**
 * A refusal by cinderclient's (or novaclient's) argument parser: what it
 * prints (usage, "error: ...", a hint; exit status 2), as opposed to a line
 * that is not a cinder command at all.
 */
export interface ArgparseError {
  /** The usage text of the parser that refused (`cinder`'s own, or the subcommand's). */
  usage: string;
  /** That parser's prog: `cinder` or `cinder create`. */
  prog: string;
  /** argparse's message, e.g. "argument <size>: invalid int value: 'abc'". */
  message: string;
}

/** `error` is one line for `cinder-sim validate` (argparse's words plus a hint); `argparse` is set when the client's parser refused. */
export type ParseResult = { ok: true; cmd: ParsedCommand } | { ok: false; error: string; argparse?: ArgparseError };

type ArgsResult = { ok: true; args: ParsedCommand['args'] } | { ok: false; error: string; argparse: ArgparseError };

function refused(usage: string, prog: string, message: string, hint = ''): { ok: false; error: string; argparse: ArgparseError } {
  return { ok: false, error: `${prog}: error: ${message}${hint}`, argparse: { usage, prog, message } };
}

/** A reference to an earlier step's output: `${step_id.field}`. */
export const referencePattern = /\$\{([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Split a command line as a POSIX shell would for simple words and quotes. */
export function shellWords(line: string): { ok: true; words: string[] } | { ok: false; error: string } {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) return { ok: false, error: `unterminated ${quote} quote` };
  if (inWord) words.push(cur);
  return { ok: true, words };
}

/** cinder's global option for the microversion, in both spellings. */
const VERSION_FLAGS = ['--os-volume-api-version', '--os_volume_api_version'];

/**
 * Parse one command line as cinderclient's argparse would, with its error
 * texts ("cinder create: error: unrecognized arguments: --foo").
 * `defaultVersion` is the scenario's or step's api_version; a
 * `--os-volume-api-version` before the subcommand overrides it.  The
 * commands and options on offer are those of the requested version.
 */
export function parseCommandLine(line: string, defaultVersion?: string): ParseResult {
  const split = shellWords(line);
  if (!split.ok) return { ok: false, error: split.error };
  let words = split.words;
  const prog = words[0];
  if (prog === undefined) return { ok: false, error: 'empty command line' };
  if (!(prog in programs)) {
    return { ok: false, error: `unknown program '${prog}'; valid: ${Object.keys(programs).join(', ')}` };
  }
  const program = prog as ProgramName;
  let requested = defaultVersion;
  if (program === 'cinder') {
    const g = globalVersion(words);
    if (!g.ok) return g;
    requested = g.version ?? requested;
    words = g.words;
  }
  const neg = negotiate(requested);
  if (!neg.ok) return { ok: false, error: `ERROR: ${neg.error}` };
  const table: Readonly<Record<string, CommandSpec>> = Object.fromEntries(
    Object.entries(programs[program] as Readonly<Record<string, CommandSpec>>).filter(([, c]) => versionMatches(neg.requested, c.since)),
  );
  const sub = words[1];
  if (sub === undefined) return refused(programUsage(program), program, 'the following arguments are required: <subcommand>');
  const spec = table[sub];
  if (!spec) {
    // The notes' `cinder create-volume` is a classic: say which command was meant.
    const near = closest(sub, Object.keys(table)) ?? Object.keys(table).find((k) => sub.startsWith(k + '-') || sub.endsWith('-' + k));
    const hint = near ? ` Did you mean '${near}'?` : '';
    return refused(programUsage(program), program, `argument <subcommand>: invalid choice: '${sub}' (choose from ${Object.keys(table).map((k) => `'${k}'`).join(', ')})`, `.${hint}`);
  }
  // An option of another microversion, typed as such, is the client's UnsupportedAttribute.
  const rest = words.slice(2);
  const options: Record<string, OptSpec> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    if (versionMatches(neg.requested, o.since, o.until)) options[name] = o;
    else if (rest.includes(name)) return { ok: false, error: `ERROR: ${unsupportedAttribute(name, o.since, o.until)}` };
  }
  const r = parseArgs({ ...spec, options }, rest, `${program} ${sub}`, program);
  if (!r.ok) return r;
  return { ok: true, cmd: { program, command: sub, args: r.args, argv: split.words, apiVersion: neg.version, warnings: neg.warnings } };
}

/** cinderclient's exceptions.UnsupportedAttribute text. */
export function unsupportedAttribute(name: string, since?: string, until?: string): string {
  if (since && until) return `'${name}' argument is only allowed for microversions ${since} - ${until}.`;
  if (since) return `'${name}' argument is only allowed since microversion ${since}.`;
  return `'${name}' argument is not allowed after microversion ${until}.`;
}

/** Take --os-volume-api-version (before the subcommand) out of the words. */
function globalVersion(words: string[]): { ok: true; version: string | undefined; words: string[] } | { ok: false; error: string } {
  const out = [words[0]!];
  let version: string | undefined;
  let i = 1;
  for (; i < words.length; i++) {
    const w = words[i]!;
    const eq = w.indexOf('=');
    const name = eq >= 0 ? w.slice(0, eq) : w;
    if (!VERSION_FLAGS.includes(name)) break;
    const val = eq >= 0 ? w.slice(eq + 1) : words[++i];
    if (val === undefined) return { ok: false, error: `cinder: error: argument ${name}: expected one argument` };
    version = val;
  }
  return { ok: true, version, words: [...out, ...words.slice(i)] };
}

function parseArgs(spec: CommandSpec, words: string[], prog: string, program: ProgramName): ArgsResult {
  const usage = subcommandUsage(prog, spec);
  const fail = (message: string): ArgsResult => refused(usage, prog, message);
  const args: ParsedCommand['args'] = {};
  const loose: string[] = [];
  const unknown: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('--') || w === '--') {
      loose.push(w);
      continue;
    }
    const eq = w.indexOf('=');
    const flagName = eq >= 0 ? w.slice(0, eq) : w;
    const inline = eq >= 0 ? w.slice(eq + 1) : undefined;
    const opt = spec.options[flagName];
    if (!opt) {
      unknown.push(w);
      continue;
    }
    const takeValue = (): string | undefined => {
      if (inline !== undefined) return inline;
      const next = words[i + 1];
      if (next === undefined || next.startsWith('--')) return undefined;
      i++;
      return next;
    };
    switch (opt.kind) {
      case 'flag':
        if (inline !== undefined) return fail(`argument ${flagName}: ignored explicit argument '${inline}'`);
        args[opt.dest] = true;
        break;
      case 'value': {
        const val = takeValue();
        if (val === undefined) return fail(`argument ${flagName}: expected one argument`);
        if (opt.choices && !opt.choices.includes(val)) {
          return fail(`argument ${flagName}: invalid choice: '${val}' (choose from ${opt.choices.map((c) => `'${c}'`).join(', ')})`);
        }
        args[opt.dest] = val;
        break;
      }
      case 'optional-value': {
        let val: string | undefined = inline;
        if (val === undefined) {
          const next = words[i + 1];
          if (next !== undefined && /^(true|false|0|1|yes|no|on|off)$/i.test(next)) {
            val = next;
            i++;
          }
        }
        args[opt.dest] = val === undefined ? true : /^(true|1|yes|on)$/i.test(val);
        break;
      }
      case 'multi': {
        const vals: string[] = inline !== undefined ? [inline] : [];
        while (inline === undefined && i + 1 < words.length && !words[i + 1]!.startsWith('--')) vals.push(words[++i]!);
        const prev = args[opt.dest];
        args[opt.dest] = [...(Array.isArray(prev) ? prev : []), ...vals];
        break;
      }
    }
  }
  // Positionals, argparse-style: required ones first claim their word, a multi takes the rest.
  const missing: string[] = [];
  let k = 0;
  const ps = spec.positionals;
  for (let p = 0; p < ps.length; p++) {
    const ps_ = ps[p]!;
    const after = ps.slice(p + 1).filter((x) => !x.optional).length;
    if (ps_.multi) {
      const take = Math.max(0, loose.length - k - after);
      if (take === 0 && !ps_.optional) missing.push(ps_.metavar);
      args[ps_.dest] = loose.slice(k, k + take);
      k += take;
      continue;
    }
    if (k < loose.length && (loose.length - k > after || !ps_.optional)) {
      const val = loose[k++]!;
      if (ps_.choices && !ps_.choices.includes(val)) {
        return fail(`argument ${ps_.metavar}: invalid choice: '${val}' (choose from ${ps_.choices.map((c) => `'${c}'`).join(', ')})`);
      }
      // type=int, as argparse converts it (int(): optional sign, digits, surrounding blanks).
      if (ps_.int && !/^\s*[-+]?\d+\s*$/.test(val)) {
        // A mistyped flag leaves its value to the positionals, so this is often the first sign of one: name it.
        const flag = unknown.find((w) => w.startsWith('--'));
        const near = flag ? closest(flag.split('=')[0]!, Object.keys(spec.options)) : null;
        return refused(usage, prog, `argument ${ps_.metavar}: invalid int value: '${val}'`, flag ? ` (after the unrecognized ${flag}${near ? `: did you mean ${near}?` : ''})` : '');
      }
      args[ps_.dest] = val;
    } else if (!ps_.optional) missing.push(ps_.metavar);
  }
  if (missing.length) return fail(`the following arguments are required: ${missing.join(', ')}`);
  unknown.push(...loose.slice(k));
  if (unknown.length) {
    const flag = unknown.find((w) => w.startsWith('--'));
    const near = flag ? closest(flag.split('=')[0]!, Object.keys(spec.options)) : null;
    // Words no subcommand argument takes go back to the top-level parser, which refuses them.
    return refused(programUsage(program), program, `unrecognized arguments: ${unknown.join(' ')}`, near ? ` (did you mean ${near}?)` : '');
  }
  return { ok: true, args };
}

/** The step ids and fields a command line refers to. */
export function referencesIn(line: string): { step: string; field: string }[] {
  return [...line.matchAll(referencePattern)].map((m) => ({ step: m[1]!, field: m[2]! }));
}

/** Replace references with values from earlier outputs; unknown ones are reported, not guessed. */
export function expandReferences(line: string, lookup: (step: string, field: string) => string | undefined): { ok: true; line: string } | { ok: false; error: string } {
  let error: string | undefined;
  const out = line.replace(referencePattern, (whole, step: string, field: string) => {
    const val = lookup(step, field);
    if (val === undefined) {
      error ??= `${whole}: step '${step}' has no output field '${field}' (did it fail?)`;
      return whole;
    }
    return val;
  });
  return error ? { ok: false, error } : { ok: true, line: out };
}
