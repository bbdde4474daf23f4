import type { CommandSpec } from './specs.js';

/**
 * What cinderclient writes to stderr when its argument parser rejects a
 * command line (CinderClientArgumentParser.error): the usage of the parser
 * that failed, "error: <message>" with any " (choose from ..." cut off, and
 * "Try '<prog> help <subcommand>' for more information."; the exit status is
 * 2.  A subcommand's usage lists the options cinder-sim models, laid out as
 * argparse lays it out (78 columns); the top-level usage is cinderclient's own.
 */

export const ARGPARSE_EXIT_STATUS = 2;

/** `cinder`'s own usage (its global options), as python-cinderclient 9.x prints it. */
const CINDER_USAGE = `usage: cinder [--version] [-d] [--service-type <service-type>]
              [--service-name <service-name>]
              [--volume-service-name <volume-service-name>]
              [--os-endpoint-type <os-endpoint-type>]
              [--os-volume-api-version <volume-api-ver>]
              [--os-endpoint <os-endpoint>] [--retries <retries>]
              [--profile HMAC_KEY] [--insecure] [--os-cacert <ca-certificate>]
              [--os-cert <certificate>] [--os-key <key>] [--timeout <seconds>]
              [--collect-timing] [--os-auth-type <name>]
              [--os-auth-url OS_AUTH_URL] [--os-system-scope OS_SYSTEM_SCOPE]
              [--os-domain-id OS_DOMAIN_ID] [--os-domain-name OS_DOMAIN_NAME]
              [--os-project-id OS_PROJECT_ID]
              [--os-project-name OS_PROJECT_NAME]
              [--os-project-domain-id OS_PROJECT_DOMAIN_ID]
              [--os-project-domain-name OS_PROJECT_DOMAIN_NAME]
              [--os-trust-id OS_TRUST_ID]
              [--os-default-domain-id OS_DEFAULT_DOMAIN_ID]
              [--os-default-domain-name OS_DEFAULT_DOMAIN_NAME]
              [--os-user-id OS_USER_ID] [--os-username OS_USERNAME]
              [--os-user-domain-id OS_USER_DOMAIN_ID]
              [--os-user-domain-name OS_USER_DOMAIN_NAME]
              [--os-password OS_PASSWORD] [--os-auth-strategy <auth-strategy>]
              [--os-token <token>] [--os-url <url>]
              <subcommand> ...
`;

const TEXT_WIDTH = 78;

function lines(parts: string[], indent: string, prefix?: string): string[] {
  const out: string[] = [];
  let line: string[] = [];
  let len = prefix !== undefined ? prefix.length - 1 : indent.length - 1;
  for (const part of parts) {
    if (len + 1 + part.length > TEXT_WIDTH && line.length) {
      out.push(indent + line.join(' '));
      line = [];
      len = indent.length - 1;
    }
    line.push(part);
    len += part.length + 1;
  }
  if (line.length) out.push(indent + line.join(' '));
  if (prefix !== undefined && out.length) out[0] = out[0]!.slice(indent.length);
  return out;
}

/** argparse's usage of one subcommand: each option once (its first spelling; aliases are hidden), then the positionals. */
export function subcommandUsage(prog: string, spec: CommandSpec): string {
  const seen = new Set<string>();
  const opts: string[] = [];
  for (const [flag, o] of Object.entries(spec.options)) {
    if (seen.has(o.dest)) continue;
    seen.add(o.dest);
    const mv = o.metavar ?? `<${o.dest}>`;
    opts.push(o.kind === 'flag' ? `[${flag}]` : o.kind === 'multi' ? `[${flag} [${mv} ...]]` : o.kind === 'optional-value' ? `[${flag} [${mv}]]` : `[${flag} ${mv}]`);
  }
  const pos = spec.positionals.map((p) => (p.multi ? (p.optional ? `[${p.metavar} ...]` : `${p.metavar} [${p.metavar} ...]`) : p.optional ? `[${p.metavar}]` : p.metavar));
  const prefix = 'usage: ';
  const all = [prog, ...opts, ...pos].join(' ');
  if (prefix.length + all.length <= TEXT_WIDTH) return prefix + all;
  const indent = ' '.repeat(prefix.length + prog.length + 1);
  const out = opts.length ? [...lines([prog, ...opts], indent, prefix), ...lines(pos, indent)] : lines([prog, ...pos], indent, prefix);
  return prefix + out.join('\n');
}

/** The usage of a program's top-level parser. */
export function programUsage(program: string): string {
  return program === 'cinder' ? CINDER_USAGE.trimEnd() : `usage: ${program} <subcommand> ...`;
}

/** The stderr text of an argparse refusal: usage, error, hint. */
export function argparseStderr(usage: string, prog: string, message: string): string {
  const [main, ...sub] = prog.split(' ');
  return `${usage}\nerror: ${message.split(' (choose from')[0]}\nTry '${main!} help ${sub.join(' ')}' for more information.`;
}
