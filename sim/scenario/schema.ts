import { z } from 'zod';
import { fakeBackendSpec } from '../../drivers/fake/spec.js';
import { lintRules, type LintRuleId } from '../cinder/config/index.js';
import { filterNames, type FilterName } from '../cinder/scheduler/filters/index.js';
import { serviceBinaries } from '../cinder/service/index.js';
import type { ClockSpec as NodeClockSpec, NtpMode } from '../ports/clock.js';
import { durationPattern } from './duration.js';
import { SeedSchema } from './seed.js';

/**
 * The scenario file format, version 1.  Keys are snake_case and use
 * Cinder's own option and field names so an operator recognises them.
 * Every object is strict: an unknown key is an error naming the valid ones.
 */

export const SCENARIO_VERSION = 1;

export const Duration = z
  .union([z.number().int().min(0), z.string().regex(durationPattern, 'expected a duration such as 500ms, 70s, 5m, 1h30m, 2d or 1y')])
  .describe('milliseconds (integer) or a duration string: 500ms, 70s, 5m, 1h30m, 2d, 1y');

const Name = z.string().min(1);

// ---------------------------------------------------------------- topology

export const NtpSpec = z
  .union([z.enum(['off', 'step']), z.object({ mode: z.literal('slew'), rate_ppm: z.number().positive().max(100_000) }).strict()])
  .describe("NTP on the node: 'off' (broken or absent), 'step' (offset held at zero) or {mode: slew, rate_ppm}");

/** The scenario file's NTP shorthand ('off', 'step', {mode: slew, rate_ppm}) as a clock's NtpMode. */
export function ntpMode(n: NtpSpecT): NtpMode {
  return typeof n === 'string' ? { mode: n } : { mode: 'slew', rate_ppm: n.rate_ppm };
}

/** A node's clock in the scenario file; it parses to the one ClockSpec (sim/ports/clock.ts), every field set. */
export const ClockSpec = z
  .object({
    offset_ms: z.number().finite().default(0),
    drift_ppm: z.number().finite().default(0),
    ntp: NtpSpec.default('off').transform(ntpMode),
  })
  .strict() satisfies z.ZodType<Required<NodeClockSpec>>;

export const ServiceBinary = z.enum(serviceBinaries);

export const ConfSource = z
  .union([z.string().min(1), z.object({ file: z.string().min(1) }).strict()])
  .describe('cinder.conf as inline INI text, or {file: path} relative to the scenario file');

/**
 * The fake storage behind a backend: the fake driver's own schema of
 * physical facts, so the scenario format and the driver never disagree.
 * cinder.conf options (reserved_percentage, lvm_type, ...) belong in the
 * node's cinder_conf; the loader refuses them here, saying so.
 */
export const FakeBackendSpec = fakeBackendSpec;

/** loop-lvm's modes: `auto` probes device-mapper (full where it answers, metadata elsewhere). */
export const loopLvmModes = ['auto', 'full', 'metadata'] as const;

/**
 * A backend marked for the real backend: `cinder-sim run --live` runs it as
 * Cinder's LVM driver on a loopback file on this host (drivers/loop-lvm);
 * a simulated run models it with the fake driver (a VG of backing_file_gb,
 * no thin and no snapshots unless mode is full).
 */
export const LoopLvmBackendSpec = z
  .object({
    driver: z.literal('loop-lvm').describe("the real backend: Cinder's LVMVolumeDriver on a loopback file (run with --live)"),
    backing_file_gb: z.number().int().positive().max(1_048_576).default(4).describe('size of the sparse backing file (the PV), GB'),
    mode: z.enum(loopLvmModes).default('auto').describe('full (device-mapper), metadata (LVM metadata only: no snapshots, no thin) or auto (probe)'),
  })
  .strict();

/** What stands behind a backend: the fake storage (the default) or the real backend. */
export const BackendStorageSpec = z.discriminatedUnion('driver', [
  FakeBackendSpec.extend({ driver: z.literal('fake').optional().describe('the fake storage (the default)') }),
  LoopLvmBackendSpec,
]);

export const NodeSpec = z
  .object({
    name: Name,
    services: z.array(ServiceBinary).min(1).default(['cinder-volume']),
    cinder_conf: ConfSource.optional(),
    clock: ClockSpec.optional(),
    /**
     * Per backend, keyed by the backend's config group name in this node's
     * cinder.conf: the fake storage's physical facts, or `driver: loop-lvm`
     * for the real backend.
     */
    backends: z.record(Name, BackendStorageSpec).default({}),
  })
  .strict();

export const quotaResources = ['volumes', 'snapshots', 'gigabytes', 'backups', 'backup_gigabytes', 'per_volume_gigabytes'] as const;
export const QuotaResource = z.enum(quotaResources);

export const ProjectSpec = z
  .object({
    quotas: z.partialRecord(QuotaResource, z.number().int().min(-1)).default({}),
  })
  .strict();

export const ImageSpec = z.object({ size_gb: z.number().int().positive() }).strict();

export const Topology = z
  .object({
    nodes: z.array(NodeSpec).min(1),
    projects: z.record(Name, ProjectSpec).default({}),
    images: z.record(Name, ImageSpec).default({}),
  })
  .strict();

// ---------------------------------------------------------------- commands

/**
 * A microversion as `cinder --os-volume-api-version` takes it: quoted, since
 * YAML reads 3.70 as the number 3.7.  Above 3.70 the client downgrades.
 */
export const ApiVersion = z
  .union([z.string(), z.number()])
  .superRefine((v, ctx) => {
    if (typeof v === 'number') {
      ctx.addIssue({ code: 'custom', message: `expected a quoted microversion such as '3.66'; YAML reads an unquoted ${v} as a number (3.70 becomes 3.7)` });
    } else if (!/^3\.(0|[1-9][0-9]*|latest)$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: `'${v}' is not a microversion; expected '3.0' to '3.70' (3.<minor>, no leading zero) or '3.latest'` });
    }
  })
  .transform((v) => String(v))
  .describe('the microversion of the requests, as cinder --os-volume-api-version (default: what cinderclient negotiates, 3.70)');

export const StepSpec = z
  .object({
    at: Duration.optional().describe('virtual time of the step; setup steps run before t = 0 of the steps'),
    cmd: z.string().min(1).describe('a cinder (or nova volume-attach/volume-detach) command line'),
    as: Name.optional().describe('project context (default: admin)'),
    id: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'expected an identifier such as t1 or create_vol1').optional(),
    api_version: ApiVersion.optional(),
    via: Name.optional().describe('the node whose cinder-api takes the requests (default: the first node that runs cinder-api); the API judges with its own clock'),
  })
  .strict();

/** A step is a command line, or a step object with a time, project and id. */
export const Step = z.union([z.string().min(1), StepSpec]);

// ---------------------------------------------------------------- workloads

const SizeDist = z.discriminatedUnion('dist', [
  z.object({ dist: z.literal('constant'), value: z.number().int().positive() }).strict(),
  z.object({ dist: z.literal('uniform'), min: z.number().int().positive(), max: z.number().int().positive() }).strict(),
  z.object({ dist: z.literal('lognormal'), median: z.number().positive(), sigma: z.number().nonnegative(), max: z.number().int().positive().optional() }).strict(),
  z.object({ dist: z.literal('choice'), values: z.array(z.number().int().positive()).min(1) }).strict(),
]);

const LifetimeDist = z.discriminatedUnion('dist', [
  z.object({ dist: z.literal('forever') }).strict(),
  z.object({ dist: z.literal('constant'), value: Duration }).strict(),
  z.object({ dist: z.literal('exponential'), mean: Duration }).strict(),
  z.object({ dist: z.literal('uniform'), min: Duration, max: Duration }).strict(),
]);

export const Arrival = z.discriminatedUnion('process', [
  z.object({ process: z.literal('poisson'), per_hour: z.number().positive() }).strict(),
  z.object({ process: z.literal('constant'), every: Duration }).strict(),
  z.object({ process: z.literal('bursts'), every: Duration, count: z.number().int().positive(), spread: Duration.default(0) }).strict(),
  z
    .object({
      process: z.literal('diurnal'),
      peak_per_hour: z.number().positive(),
      trough_per_hour: z.number().nonnegative(),
      peak_at: Duration.default('14h').describe('time of day of the peak'),
    })
    .strict(),
]);

export const workloadOps = ['create', 'delete', 'snapshot', 'extend', 'backup', 'attach'] as const;
export const WorkloadOp = z.enum(workloadOps);

export const Workload = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, - and _'),
    start: Duration.default(0),
    stop: Duration.optional().describe('default: the scenario duration'),
    arrival: Arrival,
    size_gb: SizeDist.default({ dist: 'constant', value: 1 }),
    lifetime: LifetimeDist.default({ dist: 'forever' }),
    mix: z.partialRecord(WorkloadOp, z.number().nonnegative()).default({ create: 1 }),
    projects: z.array(Name).min(1).default(['admin']),
    volume_types: z.array(Name).min(1).optional(),
    availability_zone: Name.optional(),
  })
  .strict();

// ---------------------------------------------------------------- faults

/** A bus link's latency, as the engine's SimBus takes it. */
export const LatencyDist = z.discriminatedUnion('dist', [
  z.object({ dist: z.literal('constant'), ms: z.number().nonnegative() }).strict(),
  z.object({ dist: z.literal('uniform'), min_ms: z.number().nonnegative(), max_ms: z.number().nonnegative() }).strict(),
  z.object({ dist: z.literal('exponential'), mean_ms: z.number().positive() }).strict(),
  z.object({ dist: z.literal('lognormal'), median_ms: z.number().positive(), sigma: z.number().nonnegative() }).strict(),
]);

const at = Duration.describe('virtual time of the fault');

export const Fault = z.discriminatedUnion('fault', [
  z.object({ at, fault: z.literal('clock_offset'), node: Name, offset_ms: z.number().finite() }).strict(),
  z.object({ at, fault: z.literal('clock_step'), node: Name, step_ms: z.number().finite() }).strict(),
  z.object({ at, fault: z.literal('clock_drift'), node: Name, drift_ppm: z.number().finite() }).strict(),
  z.object({ at, fault: z.literal('ntp'), node: Name, ntp: NtpSpec }).strict(),
  z.object({ at, fault: z.literal('service'), host: Name, binary: ServiceBinary, action: z.enum(['crash', 'stop', 'restart']) }).strict(),
  z.object({ at, fault: z.literal('partition'), a: z.array(Name).min(1), b: z.array(Name).min(1), duration: Duration.optional() }).strict(),
  z.object({ at, fault: z.literal('latency'), from: Name, to: Name, latency: LatencyDist }).strict(),
  z.object({ at, fault: z.literal('backend_capacity'), backend: Name, pool: Name.optional(), total_capacity_gb: z.number().nonnegative() }).strict(),
  z.object({ at, fault: z.literal('backend_failure'), backend: Name, state: z.enum(['failed', 'recovered']) }).strict(),
  z
    .object({ at, fault: z.literal('add_service'), node: Name, binary: z.enum(['cinder-volume', 'cinder-scheduler', 'cinder-backup']) })
    .strict()
    .describe("deploy a service on a node mid-run (one its `services` does not list): it starts at `at`, with the node's cinder.conf"),
  z
    .object({ at, fault: z.literal('conf_change'), node: Name, cinder_conf: ConfSource })
    .strict()
    .describe("replace a node's cinder.conf and restart its running services, which come back with the new options (new backends start, removed ones stop)"),
]);

// ---------------------------------------------------------------- expectations

/**
 * What a step expectation's `outcome` may name: how the step ended
 * (succeeded, refused by the API, accepted then failed, in flight, usage:
 * the client rejected the command line), or `ok` (= succeeded) and `error`
 * (refused, failed or usage).
 */
export const requestOutcomes = ['ok', 'error', 'succeeded', 'refused', 'failed', 'in_flight', 'usage'] as const;

/** Run-wide ratios an expectation may bound. */
export const ratioMetrics = ['creates_succeeded', 'requests_succeeded', 'deletes_succeeded', 'snapshots_succeeded', 'backups_succeeded'] as const;

/** The key naming an expectation's kind; exactly one must be present. */
export const expectationKinds = ['step', 'service', 'ratio', 'volume', 'placements', 'log', 'conf'] as const;
export type ExpectationKind = (typeof expectationKinds)[number];

export const Expectation = z
  .object({
    // kind: a step's outcome
    step: Name.optional().describe('id of a step: its outcome'),
    outcome: z.enum(requestOutcomes).optional(),
    message_contains: z.string().optional(),
    output_contains: z.string().optional().describe('text the command printed (its cinderclient table) must contain'),
    output_not_contains: z.string().optional().describe('text the command printed must not contain'),
    http: z.number().int().min(100).max(599).optional().describe("the HTTP status of the API's refusal (e.g. 400, 404, 413)"),
    exit_status: z.number().int().min(0).max(255).optional().describe("the client's exit status: 0, 1 (ERROR: ...), 2 (argparse rejected the command line)"),
    emptied_by: z.enum(filterNames as [FilterName, ...FilterName[]]).optional().describe('the scheduler filter that left no candidates'),
    no_candidates: z.boolean().optional().describe('true: the scheduler had no candidate at all (every filter started at 0); false: it had some'),
    // kind: a service's state
    service: Name.optional().describe('host of a service, e.g. node3@lvm'),
    binary: ServiceBinary.optional(),
    state: z.enum(['up', 'down']).optional(),
    view: z.enum(['service-list', 'scheduler']).optional().describe("whose judgement: 'service-list' (abs, API clock) or 'scheduler' (one-sided)"),
    from: Duration.optional(),
    until: Duration.optional(),
    // kind: a run-wide ratio
    ratio: z.enum(ratioMetrics).optional(),
    at_least: z.number().optional(),
    at_most: z.number().optional(),
    // kind: a volume by name
    volume: Name.optional(),
    status: Name.optional(),
    host_matches: z.string().optional().describe('regular expression the volume host (host@backend#pool) must match'),
    availability_zone: Name.optional(),
    size_gb: z.number().int().positive().optional(),
    project: Name.optional().describe('the project that owns the volume'),
    exists: z.boolean().optional().describe('false: no (non-deleted) volume has this name or id'),
    // kind: placements on a backend between from and until
    placements: Name.optional().describe('backend host@name (a prefix of host@backend#pool)'),
    // kind: cinder.conf lint findings (the config library's rule ids)
    conf: z.enum(Object.keys(lintRules) as [LintRuleId, ...LintRuleId[]]).optional().describe('a cinder.conf lint rule; counts findings on `node` (or any node); default at_least 1'),
    node: Name.optional(),
    // kind: log lines
    log: z.object({ level: z.enum(['debug', 'info', 'warning', 'error']).optional(), node: Name.optional(), logger: z.string().optional().describe("Cinder's logger name, e.g. cinder.scheduler.host_manager"), contains: z.string().optional() }).strict().optional(),
    at: Duration.optional().describe('check at this virtual time instead of at the end'),
  })
  .strict()
  .superRefine((e, ctx) => {
    const present = expectationKinds.filter((k) => e[k] !== undefined);
    if (present.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: present.length === 0 ? `an expectation needs exactly one of: ${expectationKinds.join(', ')}` : `an expectation has one kind, found ${present.join(' and ')}`,
        input: e,
      });
      return;
    }
    const need = (key: keyof typeof e, why: string) => {
      if (e[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `required for ${why}`, input: undefined });
    };
    const kind = present[0]!;
    const stepChecks = [e.outcome, e.message_contains, e.output_contains, e.output_not_contains, e.http, e.exit_status, e.emptied_by, e.no_candidates, e.status, e.host_matches];
    if (kind === 'step' && stepChecks.every((x) => x === undefined)) {
      need('outcome', 'a step expectation');
    }
    if (kind === 'service') need('state', 'a service expectation');
    if (kind === 'ratio' && e.at_least === undefined && e.at_most === undefined) need('at_least', 'a ratio expectation (or at_most)');
    if (kind === 'placements' && e.at_least === undefined && e.at_most === undefined) need('at_most', 'a placements expectation (or at_least)');
    if (kind === 'log' && e.at_least === undefined && e.at_most === undefined) need('at_most', 'a log expectation (or at_least)');
  });

// ---------------------------------------------------------------- scenario

export const ScenarioSchema = z
  .object({
    version: z.literal(SCENARIO_VERSION),
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected lower-case letters, digits, - and _'),
    description: z.string().min(1),
    seed: SeedSchema.optional(),
    api_version: ApiVersion.optional(),
    duration: Duration,
    topology: Topology,
    setup: z.array(Step).default([]),
    steps: z.array(Step).default([]),
    workloads: z.array(Workload).default([]),
    faults: z.array(Fault).default([]),
    expect: z.array(Expectation).default([]),
    /** Sample service states and pool capacity every this often for the outcome. */
    sample_every: Duration.optional(),
  })
  .strict();

export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type NodeSpecT = z.output<typeof NodeSpec>;
export type FakeBackendSpecT = z.output<typeof FakeBackendSpec>;
export type LoopLvmBackendSpecT = z.output<typeof LoopLvmBackendSpec>;
export type BackendStorageSpecT = z.output<typeof BackendStorageSpec>;
export type StepT = z.output<typeof Step>;
export type WorkloadT = z.output<typeof Workload>;
export type FaultT = z.output<typeof Fault>;
export type ExpectationT = z.output<typeof Expectation>;
export type NtpSpecT = z.output<typeof NtpSpec>;
export type LatencyDistT = z.output<typeof LatencyDist>;

/** The JSON Schema of the scenario format, for editors. */
export function scenarioJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ScenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
