import { z } from 'zod';
import { caseDecisions, caseSchema, resultOf, type SchedulerCase } from '../../cinder/scheduler/case.js';
import { renderDecision } from '../../cinder/scheduler/explain.js';
import type { Decision } from '../../cinder/scheduler/filter-scheduler.js';
import { filterNames, isFilterName } from '../../cinder/scheduler/filters/index.js';
import { isWeigherName, weigherNames } from '../../cinder/scheduler/weighers/index.js';
import { parseGetPools, parseOpenstackPoolList, PoolListingError, type ImportedBackend } from '../../cinder/scheduler/pools-import.js';
import { World } from '../../engine/world.js';
import { CaseJsonStream } from '../case-stream.js';
import { defineCommand } from '../command.js';
import { readText, UserError, type CliIo } from '../io.js';
import { seedFlag } from '../seed.js';
import { nearest } from '../suggest.js';

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
      .option('seed', { type: 'string', default: '1', describe: 'root seed (ChanceWeigher)' })
      .option('json', { type: 'boolean', describe: 'print JSON, result by result (the default)' })
      .option('brief', { type: 'boolean', default: false, describe: 'JSON: per request only selected, selected_az, error_type and error' })
      .option('strict', { type: 'boolean', default: false, describe: 'exit 1 when any request was not placed' }),
  async run(args, io) {
    const seed = seedFlag(args.seed);
    if (args.explain && (args.json || args.brief)) throw new UserError(`schedule: --explain prints text; it does not go with --${args.json ? 'json' : 'brief'}`);
    if (args.brief && args.trace) throw new UserError('schedule: --brief leaves the explanation out; it does not go with --trace');
    const source = args.pools !== undefined ? `--pools ${args.pools}` : (args.case ?? '');
    const cases = args.pools !== undefined ? casesFromPools(args, io) : casesFromFile(args.case, io);
    const json = args.explain ? null : new CaseJsonStream(io.stdout, cases.array);
    let unplaced = 0;
    let misnamed = false;
    cases: for (const [k, c] of cases.list.entries()) {
      const world = new World({ seed });
      const node = world.addNode('scheduler');
      const requests = c.requests?.length ?? 1;
      const caseLabel = c.id !== undefined ? `case ${String(c.id)}` : null;
      const names = unknownNames(c);
      let cinderSaid: Decision | null = null;
      json?.beginCase(c);
      let i = 0;
      for (const { decision } of caseDecisions(c, { clock: node.clock, chanceRng: world.rng.stream('weigher:ChanceWeigher'), ...(args.brief ? { trace: 'light' as const } : {}) }, { fastPath: args.brief })) {
        i++;
        if (decision.selected === null) unplaced++;
        if (cinderSaid === null && decision.errorType !== null && NOT_FOUND.has(decision.errorType)) cinderSaid = decision;
        if (json) {
          json.result(args.brief ? briefResult(decision, c) : resultOf(decision, c.requests ? undefined : c.id, args.trace));
        } else {
          const title = [caseLabel, requests > 1 ? `request ${i}` : null].filter(Boolean).join(', ');
          io.stdout(renderDecision(decision, title ? `== ${title} ==` : undefined) + '\n');
        }
        if (io.drain) await io.drain();
        if (io.stdoutClosed?.()) break cases;
      }
      json?.endCase();
      if (names.length > 0) {
        misnamed = true;
        io.stderr(misnamedText([source, caseLabel ?? (cases.array ? `case #${k + 1}` : null)].filter(Boolean).join(': '), names, cinderSaid));
      }
    }
    json?.end();
    return misnamed ? 2 : args.strict && unplaced > 0 ? 1 : 0;
  },
});

const NOT_FOUND = new Set(['SchedulerHostFilterNotFound', 'SchedulerHostWeigherNotFound']);

/** --brief: what a person or a script most often wants of each request. */
function briefResult(d: Decision, c: SchedulerCase): object {
  return { ...(c.requests || c.id === undefined ? {} : { id: c.id }), selected: d.selected, selected_az: d.selectedAz, error_type: d.errorType, error: d.error };
}

/** Filter and weigher names of the case's config that Cinder 2023.1 does not have. */
function unknownNames(c: SchedulerCase): { kind: 'filter' | 'weigher'; name: string }[] {
  return [
    ...(c.config?.filters ?? []).filter((n) => !isFilterName(n)).map((name) => ({ kind: 'filter' as const, name })),
    ...(c.config?.weighers ?? []).filter((n) => !isWeigherName(n)).map((name) => ({ kind: 'weigher' as const, name })),
  ];
}

/** Cinder's own error for a misnamed filter or weigher (it is also in the results), the nearest names and the valid ones. */
function misnamedText(where: string, names: { kind: 'filter' | 'weigher'; name: string }[], cinderSaid: Decision | null): string {
  const lines: string[] = [];
  if (cinderSaid) lines.push(`${cinderSaid.error ?? ''} (${cinderSaid.errorType ?? ''})`);
  for (const { kind, name } of names) {
    const valid: readonly string[] = kind === 'filter' ? filterNames : weigherNames;
    const near = nearest(name, valid);
    const unseen = kind === 'weigher' && !cinderSaid?.error?.includes(name) ? ' (Cinder raises SchedulerHostWeigherNotFound when a request reaches the weighers; none did here)' : '';
    lines.push(`no ${kind} named '${name}'${unseen}${near ? `; did you mean '${near}'?` : ''}; valid ${kind}s: ${valid.join(', ')}`);
  }
  return lines.map((l) => `cinder-sim: ${where}: ${l}\n`).join('');
}

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
