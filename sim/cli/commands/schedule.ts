import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { caseOutput, caseSchema, runCase, type SchedulerCase } from '../../cinder/scheduler/case.js';
import { renderDecision } from '../../cinder/scheduler/explain.js';
import { parseGetPools, parseOpenstackPoolList, PoolListingError, type ImportedBackend } from '../../cinder/scheduler/pools-import.js';
import { World } from '../../engine/world.js';
import { defineCommand } from '../command.js';
import { UserError, type CliIo } from '../io.js';

/**
 * `cinder-sim schedule`: what Cinder's FilterScheduler decides for a case
 * (docs/case-format.md), or for a real deployment's pool listing plus
 * a request given by flags.
 */
export const scheduleCommand = defineCommand({
  command: 'schedule [case]',
  describe: "Decide one or more placements as Cinder 2023.1's FilterScheduler does (JSON; --explain for text)",
  builder: (y) =>
    y
      .positional('case', { type: 'string', describe: 'case file (JSON): one case or an array' })
      .option('explain', { type: 'boolean', default: false, describe: 'print a readable explanation instead of JSON' })
      .option('trace', { type: 'boolean', default: false, describe: 'JSON: add each decision\'s explanation as data (dropped pools and why, weigher values, summary)' })
      .option('pools', { type: 'string', describe: 'pool listing: `cinder get-pools --detail` output or `openstack volume backend pool list --long -f json`' })
      .option('size', { type: 'number', describe: 'with --pools: volume size in GB' })
      .option('availability-zone', { type: 'string', describe: 'with --pools: the volume availability zone' })
      .option('extra-spec', { type: 'string', array: true, describe: 'with --pools: volume type extra spec key=value (repeatable)' })
      .option('backend-az', { type: 'string', array: true, describe: 'with --pools: host@backend=zone (default zone nova)' })
      .option('filters', { type: 'string', describe: 'with --pools: comma-separated filter class names' })
      .option('weighers', { type: 'string', describe: 'with --pools: comma-separated weigher class names' })
      .option('seed', { type: 'string', default: '1', describe: 'root seed (ChanceWeigher)' }),
  run(args, io) {
    const cases = args.pools !== undefined ? casesFromPools(args, io) : casesFromFile(args.case, io);
    const outputs: unknown[] = [];
    let text = '';
    for (const c of cases.list) {
      const world = new World({ seed: args.seed });
      const node = world.addNode('scheduler');
      const run = runCase(c, { clock: node.clock, chanceRng: world.rng.stream('weigher:ChanceWeigher') });
      if (args.explain) {
        run.decisions.forEach((x, i) => {
          const label = [c.id !== undefined ? `case ${String(c.id)}` : null, run.decisions.length > 1 ? `request ${i + 1}` : null].filter(Boolean).join(', ');
          text += renderDecision(x.decision, label ? `== ${label} ==` : undefined) + '\n';
        });
      } else {
        outputs.push(caseOutput(c, run, args.trace));
      }
    }
    io.stdout(args.explain ? text : JSON.stringify(cases.array ? outputs : outputs[0], null, 2) + '\n');
    return 0;
  },
});

function casesFromFile(file: string | undefined, io: CliIo): { list: SchedulerCase[]; array: boolean } {
  if (!file) throw new UserError('schedule: name a case file, or give --pools FILE --size N');
  const text = readText(file, io);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: not valid JSON: ${jsonErrorWhere(text, (e as Error).message)}`);
  }
  // One schema per shape, so problems are reported at their path rather than as "matches neither".
  const parsed = Array.isArray(data) ? z.array(caseSchema).safeParse(data) : caseSchema.safeParse(data);
  if (!parsed.success) throw new UserError(`${file}: not a scheduler case (see docs/case-format.md):\n${formatIssues(parsed.error.issues, data)}`);
  return Array.isArray(parsed.data) ? { list: parsed.data, array: true } : { list: [parsed.data], array: false };
}

function readText(file: string, io: CliIo): string {
  try {
    return readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UserError(`${file}: cannot read: ${why}`);
  }
}

/** JSON.parse's "position N" as line and column. */
function jsonErrorWhere(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return message;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${col}`;
}

/** The first few problems as `$.path: what was expected (got ...)`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], data: unknown, max = 5): string {
  const lines = issues.slice(0, max).map((i) => {
    const path = '$' + i.path.map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][\w]*$/.test(String(p)) ? `.${String(p)}` : `[${JSON.stringify(String(p))}]`)).join('');
    const got = valueAt(data, i.path);
    const shown = got === undefined ? '' : ` (got ${JSON.stringify(got)?.slice(0, 60)})`;
    return `  ${path}: ${i.message}${i.code === 'unrecognized_keys' ? '' : shown}`;
  });
  if (issues.length > max) lines.push(`  ... and ${issues.length - max} more`);
  return lines.join('\n');
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return typeof v === 'object' && v !== null ? undefined : v;
}

interface PoolArgs {
  pools?: string;
  size?: number;
  'availability-zone'?: string;
  'extra-spec'?: string[];
  'backend-az'?: string[];
  filters?: string;
  weighers?: string;
}

function casesFromPools(args: PoolArgs, io: CliIo): { list: SchedulerCase[]; array: boolean } {
  const file = args.pools!;
  if (args.size === undefined || !Number.isFinite(args.size) || args.size < 0) throw new UserError(`schedule --pools: give the volume size with --size N (GB, >= 0)${args.size !== undefined ? `, got ${String(args.size)}` : ''}`);
  const zones = new Map<string, string>();
  for (const spec of args['backend-az'] ?? []) {
    const at = spec.lastIndexOf('=');
    if (at <= 0) throw new UserError(`--backend-az: expected host@backend=zone, got ${JSON.stringify(spec)}`);
    zones.set(spec.slice(0, at), spec.slice(at + 1));
  }
  const extraSpecs: Record<string, string> = {};
  for (const spec of args['extra-spec'] ?? []) {
    const at = spec.indexOf('=');
    if (at <= 0) throw new UserError(`--extra-spec: expected key=value, got ${JSON.stringify(spec)}`);
    extraSpecs[spec.slice(0, at)] = spec.slice(at + 1);
  }
  const text = readText(file, io);
  const azOf = (b: string): string => zones.get(b) ?? 'nova';
  let backends: ImportedBackend[];
  try {
    const trimmed = text.trimStart();
    const result = trimmed.startsWith('[') ? parseOpenstackPoolList(JSON.parse(text), azOf) : parseGetPools(text, azOf);
    for (const w of result.warnings) io.stderr(`cinder-sim: ${file}: warning: ${w}\n`);
    backends = result.backends;
  } catch (e) {
    if (e instanceof PoolListingError || e instanceof SyntaxError) throw new UserError(`${file}: ${e.message}`);
    throw e;
  }
  for (const host of zones.keys()) {
    if (!backends.some((b) => b.host === host)) throw new UserError(`--backend-az: no backend ${host} in ${file}; backends: ${backends.map((b) => b.host).join(', ')}`);
  }
  const data = {
    backends,
    ...(args.filters || args.weighers
      ? { config: { ...(args.filters ? { filters: args.filters.split(',').map((s) => s.trim()) } : {}), ...(args.weighers ? { weighers: args.weighers.split(',').map((s) => s.trim()) } : {}) } }
      : {}),
    request: {
      size: args.size,
      ...(args['availability-zone'] ? { availability_zone: args['availability-zone'] } : {}),
      ...(Object.keys(extraSpecs).length ? { volume_type: { name: 'cli', extra_specs: extraSpecs } } : {}),
    },
  };
  const parsed = caseSchema.safeParse(data);
  if (!parsed.success) throw new UserError(`${file}: the pool listing does not make a valid case:\n${formatIssues(parsed.error.issues, data)}`);
  return { list: [parsed.data as SchedulerCase], array: false };
}
