import { z } from 'zod';
import type { Clock } from '../../ports/clock.js';
import type { Rng } from '../../ports/rng.js';
import { FilterScheduler, type Decision, type TraceLevel } from './filter-scheduler.js';
import { HostManager, type PoolState, type ServiceInfo } from './host-manager.js';
import type { Json } from './python.js';
import { backendGroupOptions } from '../config/options.js';
import { schedulerDefaults } from '../config/resolved.js';
import type { FilterContext, FilterProperties, Operation, RequestSpec, SchedulerConfig, SchedulingLookups } from './types.js';

/**
 * The `cinder-sim schedule` case format (docs/case-format.md): the schema,
 * and running a case against a fresh HostManager + FilterScheduler.
 */

const json: z.ZodType<Json> = z.lazy(() => z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(json), z.record(z.string(), json)]));
const capacity = z.union([z.number(), z.literal('infinite'), z.literal('unknown')], { error: 'expected a number of GB, "infinite" or "unknown"' });
const ratio = z.union([z.number(), z.string(), z.null()], { error: 'expected a number, a numeric string, "auto" or null' });

const capacityKeys = {
  total_capacity_gb: capacity.optional(),
  free_capacity_gb: capacity.nullable().optional(),
  allocated_capacity_gb: z.number().optional(),
  provisioned_capacity_gb: z.number().optional(),
  max_over_subscription_ratio: ratio.optional(),
  reserved_percentage: z.number().optional(),
};

const poolSchema = z.looseObject({
  pool_name: z.string(),
  ...capacityKeys,
  volume_count: z.number().int().nonnegative().optional(),
});

const capabilitiesSchema = z.looseObject({
  ...capacityKeys,
  pools: z.array(poolSchema).nullable().optional(),
});

const backendSchema = z.strictObject({
  host: z.string().min(1),
  availability_zone: z.string().default('nova'),
  service_up: z.boolean().default(true),
  disabled: z.boolean().default(false),
  frozen: z.boolean().default(false),
  cluster_name: z.string().nullable().optional(),
  volume_count: z.number().int().nonnegative().optional(),
  capabilities: capabilitiesSchema.nullable(),
});

/**
 * A volume type dict: any keys, in the order given (Cinder's error texts
 * print the dict, so the order is kept), with a string name and string
 * extra-spec values (as the Cinder API enforces).
 */
const volumeTypeSchema = z.record(z.string(), json).superRefine((t, ctx) => {
  if (t['name'] !== undefined && typeof t['name'] !== 'string') ctx.addIssue({ code: 'custom', path: ['name'], message: 'expected a string' });
  const specs = t['extra_specs'];
  if (specs === undefined) return;
  if (specs === null || typeof specs !== 'object' || Array.isArray(specs)) {
    ctx.addIssue({ code: 'custom', path: ['extra_specs'], message: 'expected an object of strings' });
    return;
  }
  for (const [k, v] of Object.entries(specs)) if (typeof v !== 'string') ctx.addIssue({ code: 'custom', path: ['extra_specs', k], message: 'extra-spec values must be strings' });
});

export const operations = ['create_volume', 'extend_volume', 'retype'] as const satisfies readonly Operation[];

const requestSchema = z.strictObject({
  operation: z.enum(operations).default('create_volume'),
  size: z.number().nonnegative(),
  availability_zone: z.string().nullable().optional(),
  availability_zones: z.array(z.string()).nullable().optional(),
  volume_type: volumeTypeSchema.nullable().optional(),
  volume_id: z.string().nullable().optional(),
  resource_backend: z.string().nullable().optional(),
  new_size: z.number().optional(),
  host: z.string().optional(),
  attach_status: z.string().optional(),
  migration_policy: z.enum(['never', 'on-demand']).nullable().optional(),
  /** Extension: filter_properties.scheduler_hints (JsonFilter, affinity and locality filters). */
  scheduler_hints: z.record(z.string(), json).optional(),
  /** Extension: filter_properties.retry, as a rescheduled request carries it. */
  retry: z.strictObject({ num_attempts: z.number().int().nonnegative(), backends: z.array(z.string()) }).optional(),
});

const configSchema = z.strictObject({
  filters: z.array(z.string()).optional(),
  weighers: z.array(z.string()).optional(),
  capacity_weight_multiplier: z.number().optional(),
  allocated_capacity_weight_multiplier: z.number().optional(),
  volume_number_multiplier: z.number().optional(),
  max_over_subscription_ratio: z.union([z.string(), z.number()]).optional(),
  scheduler_max_attempts: z.number().int().min(1).optional(),
});

export const caseSchema = z
  .strictObject({
    id: z.union([z.string(), z.number()]).optional(),
    config: configSchema.optional(),
    backends: z.array(backendSchema),
    request: requestSchema.optional(),
    requests: z.array(requestSchema).optional(),
    /** Extension: existing volumes (Same/DifferentBackendFilter). */
    volumes: z.array(z.strictObject({ id: z.string(), host: z.string() })).optional(),
    /** Extension: Nova instances and their compute host (InstanceLocalityFilter). */
    instances: z.array(z.strictObject({ id: z.string(), host: z.string() })).optional(),
  })
  .refine((c) => (c.request === undefined) !== (c.requests === undefined), { message: 'give exactly one of "request" or "requests"' });

export const caseFileSchema = z.union([caseSchema, z.array(caseSchema)]);

export type SchedulerCase = z.infer<typeof caseSchema>;
export type CaseRequest = z.infer<typeof requestSchema>;

/** One request's outcome in the case format (plus the trace, not serialised by default). */
export interface CaseResult {
  id?: string | number;
  candidates: string[];
  filters: { name: string; passed: string[] }[] | null;
  weighed: { host: string; weight: number }[];
  selected: string | null;
  selected_az: string | null;
  error: string | null;
  error_type: string | null;
  error_detail?: string;
  trace?: DecisionTrace;
}

/** The explanation as data: per filter the dropped pools and why, per weigher the values, the summary. */
export interface DecisionTrace {
  filters: { name: string; rejected: { host: string; verdict: Json }[] }[] | null;
  weighers: { name: string; multiplier: number; min: number; max: number; rows: { host: string; raw: number; normalised: number; weighted: number }[] }[];
  crashed_in?: string;
  resource_backend_removed?: string[];
  consumed_gb?: number;
  summary?: { emptied_by: string | null; first_rejections: { host: string; filter: string; verdict: Json }[] };
}

export function traceOf(d: Decision): DecisionTrace {
  return {
    filters: d.filters === null ? null : d.filters.map((f) => ({ name: f.name, rejected: f.rejected.map((r) => ({ host: r.host, verdict: r.verdict as unknown as Json })) })),
    weighers: d.weighers.map((w) => ({ ...w, rows: w.rows.map((r) => ({ ...r })) })),
    ...(d.crashedIn ? { crashed_in: d.crashedIn } : {}),
    ...(d.resourceBackendRemoved?.length ? { resource_backend_removed: d.resourceBackendRemoved } : {}),
    ...(d.consumedGb !== undefined ? { consumed_gb: d.consumedGb } : {}),
    ...(d.summary
      ? { summary: { emptied_by: d.summary.emptiedBy, first_rejections: d.summary.firstRejections.map((r) => ({ host: r.host, filter: r.filter, verdict: r.verdict as unknown as Json })) } }
      : {}),
  };
}

export interface CaseEnv {
  /** The scheduler's clock: reports are stamped just before its now, consumption at its now. */
  clock: Clock;
  /** The stream `weigher:ChanceWeigher`. */
  chanceRng: Rng;
  /** 'light': no per-pool rows (candidates, survivors, weigher rows); the same decisions, faster. */
  trace?: TraceLevel;
}

export interface CaseRun {
  id?: string | number;
  decisions: { request: CaseRequest; decision: Decision }[];
}

export function caseConfig(c: SchedulerCase): SchedulerConfig {
  const k = c.config ?? {};
  return {
    ...schedulerDefaults,
    ...(k.filters ? { scheduler_default_filters: k.filters } : {}),
    ...(k.weighers ? { scheduler_default_weighers: k.weighers } : {}),
    ...(k.capacity_weight_multiplier !== undefined ? { capacity_weight_multiplier: k.capacity_weight_multiplier } : {}),
    ...(k.allocated_capacity_weight_multiplier !== undefined ? { allocated_capacity_weight_multiplier: k.allocated_capacity_weight_multiplier } : {}),
    ...(k.volume_number_multiplier !== undefined ? { volume_number_multiplier: k.volume_number_multiplier } : {}),
    ...(k.scheduler_max_attempts !== undefined ? { scheduler_max_attempts: k.scheduler_max_attempts } : {}),
  };
}

/** Run every request of a case, in order, on one scheduler state. */
export function runCase(c: SchedulerCase, env: CaseEnv): CaseRun {
  return { ...(c.id !== undefined ? { id: c.id } : {}), decisions: [...caseDecisions(c, env)] };
}

/**
 * The requests of a case decided one at a time, in order, on one scheduler
 * state: a caller can write each result out before the next is made, so a
 * case of thousands of requests on a large fleet never holds them all.
 */
export function* caseDecisions(c: SchedulerCase, env: CaseEnv, opts: SessionOptions = {}): Generator<{ request: CaseRequest; decision: Decision }> {
  const session = openCase(c, env, opts);
  for (const request of c.requests ?? [c.request!]) yield { request, decision: session.decide(request) };
}

/** A case's scheduler state, open for requests decided one after another (see openCase). */
export interface CaseSession {
  /**
   * Decide the next request on the state the earlier ones left (consumed
   * pools, the volume table).  `full`: with the full trace, whatever the
   * session's level (the same decision; filters and weighers are pure).
   */
  decide(request: CaseRequest, level?: 'session' | 'full'): Decision;
  /** The pools a scheduling call made now would start from, in Cinder's order. */
  pools(): readonly PoolState[];
  /** The scheduler's options. */
  readonly config: SchedulerConfig;
  /** What the filters are given for the next request like `request` (a create: no retry, no hints). */
  filterContext(request: CaseRequest): FilterContext;
  /**
   * The next request (a create) placed on `pool` by a caller that chose it
   * as the scheduler would: consumed and counted as decide() does.
   */
  place(pool: PoolState, request: CaseRequest): void;
}

export interface SessionOptions {
  /** Trace-light creates take the scheduler's fast path (fast-path.ts): the same decisions. */
  fastPath?: boolean;
}

/**
 * The case's backends reported to a fresh HostManager, and a
 * FilterScheduler over it: requests are decided as `caseDecisions` decides
 * them, consuming after each placement and counting the volume created.
 */
export function openCase(c: SchedulerCase, env: CaseEnv, opts: SessionOptions = {}): CaseSession {
  const mosr = c.config?.max_over_subscription_ratio;
  const hm = new HostManager({ clock: env.clock, max_over_subscription_ratio: mosr === undefined ? backendGroupOptions.max_over_subscription_ratio.default : String(mosr) });
  const reportAtMs = env.clock.wallNow() - 1000;
  const services: ServiceInfo[] = c.backends.map((b) => ({ host: b.host, availability_zone: b.availability_zone, disabled: b.disabled, frozen: b.frozen, up: b.service_up, cluster_name: b.cluster_name ?? null }));
  const volumeCounts = new VolumeCounts();
  for (const b of c.backends) {
    if (b.capabilities === null) continue;
    const caps = stripVolumeCounts(b.host, b.capabilities as Record<string, Json>, b.volume_count, volumeCounts);
    hm.updateServiceCapabilities(b.host, caps, reportAtMs, b.cluster_name ?? null, services);
  }
  const volumeHosts = new Map((c.volumes ?? []).map((v) => [v.id, v.host]));
  const instanceHosts = new Map((c.instances ?? []).map((v) => [v.id, v.host]));
  const lookups: SchedulingLookups = {
    volumeCount: (poolHost) => volumeCounts.countFor(poolHost),
    volumeHost: (id) => volumeHosts.get(id),
    instanceHost: (id) => instanceHosts.get(id),
    chanceRng: () => env.chanceRng,
  };
  const config = caseConfig(c);
  const scheduler = new FilterScheduler({ hostManager: hm, config, lookups, ...(env.trace ? { trace: env.trace } : {}), ...(opts.fastPath ? { fastPath: true } : {}) });
  let full: FilterScheduler | null = env.trace === 'light' ? null : scheduler;
  let index = 0;
  return {
    decide(request, level = 'session') {
      const by = level === 'full' ? (full ??= new FilterScheduler({ hostManager: hm, config, lookups })) : scheduler;
      const decision = runRequest(by, services, request, index++);
      if (decision.selected !== null && request.operation === 'create_volume') volumeCounts.add(decision.selected, 1);
      return decision;
    },
    pools: () => hm.getAllBackendStates(services),
    config: scheduler.config,
    filterContext(request) {
      const spec = requestSpecOf(request, index);
      const props: FilterProperties = { request_spec: spec, volume_type: spec.volume_type ?? {}, size: spec.volume_properties.size, availability_zone: spec.volume_properties.availability_zone, qos_specs: null };
      return { props, lookups };
    },
    place(pool, request) {
      index++;
      hm.consume(pool, request.size);
      volumeCounts.add(pool.host, 1);
    },
  };
}

/**
 * The case's volume table, as VolumeNumberWeigher counts it: Cinder's
 * db.volume_data_get_for_host(host) counts the volumes whose host is `host`
 * or LIKE 'host#%' (cinder/db/sqlalchemy/api.py).  A pool's host has no '#'
 * when its name is empty (volume_utils.append_host), so such a pool counts
 * every volume of its backend.
 */
export class VolumeCounts {
  /** Volumes per exact volume host. */
  private readonly exact = new Map<string, number>();
  /** Volumes per prefix P of a volume host "P#...", i.e. those matching LIKE 'P#%'. */
  private readonly below = new Map<string, number>();

  add(volumeHost: string, n: number): void {
    this.exact.set(volumeHost, (this.exact.get(volumeHost) ?? 0) + n);
    for (let i = volumeHost.indexOf('#'); i >= 0; i = volumeHost.indexOf('#', i + 1)) {
      const prefix = volumeHost.slice(0, i);
      this.below.set(prefix, (this.below.get(prefix) ?? 0) + n);
    }
  }

  /** volume_data_get_for_host(host, count_only=True). */
  countFor(host: string): number {
    return (this.exact.get(host) ?? 0) + (this.below.get(host) ?? 0);
  }
}

/** volume_count is not a capability: it seeds the volume table VolumeNumberWeigher counts. */
function stripVolumeCounts(host: string, caps: Record<string, Json>, legacyCount: number | undefined, counts: VolumeCounts): Record<string, Json> {
  const out: Record<string, Json> = { ...caps };
  const pools = caps['pools'];
  if (Array.isArray(pools)) {
    out['pools'] = pools.map((p) => {
      const { volume_count, ...rest } = p as Record<string, Json>;
      if (typeof volume_count === 'number') counts.add(rest['pool_name'] ? `${host}#${String(rest['pool_name'])}` : host, volume_count);
      return rest;
    });
  } else if (legacyCount !== undefined) {
    const vbn = caps['volume_backend_name'];
    const pool = vbn === undefined || vbn === null ? '_pool0' : String(vbn);
    counts.add(pool ? `${host}#${pool}` : host, legacyCount);
  }
  return out;
}

/**
 * The legacy request_spec dict Cinder's API and manager build for the
 * request at `index` in its case.  A request names no volume or type id,
 * but Cinder's error texts print them: a missing volume_id is "vol-%04d" of
 * the index, and the type dict carries "id" ("type-<name>") and
 * "qos_specs_id" (null) unless given.
 */
function requestSpecOf(r: CaseRequest, index: number): RequestSpec {
  const spec: RequestSpec = {
    volume_id: r.volume_id === undefined ? `vol-${String(index).padStart(4, '0')}` : r.volume_id,
    volume_properties: {
      size: r.size,
      availability_zone: r.availability_zone ?? null,
      attach_status: r.attach_status ?? 'detached',
      status: r.operation === 'create_volume' ? 'creating' : 'available',
      ...(r.host !== undefined ? { host: r.host } : {}),
    },
    volume_type: r.volume_type === undefined || r.volume_type === null ? null : typeWithIds(r.volume_type),
    operation: r.operation,
  };
  if (r.availability_zones) spec.availability_zones = r.availability_zones;
  if (r.resource_backend) spec.resource_backend = r.resource_backend;
  if (r.migration_policy) spec.migration_policy = r.migration_policy;
  return spec;
}

/** A case's volume type as a request_spec carries it: the given keys, then "id" and "qos_specs_id" if absent. */
function typeWithIds(t: NonNullable<CaseRequest['volume_type']>): RequestSpec['volume_type'] {
  const out: Record<string, Json> = { ...(t as Record<string, Json>) };
  if (!('id' in out)) out['id'] = `type-${typeof t['name'] === 'string' ? t['name'] : 'None'}`;
  if (!('qos_specs_id' in out)) out['qos_specs_id'] = null;
  return out as RequestSpec['volume_type'];
}

function runRequest(scheduler: FilterScheduler, services: readonly ServiceInfo[], r: CaseRequest, index: number): Decision {
  const input = {
    services,
    requestSpec: requestSpecOf(r, index),
    filterProperties: {
      ...(r.retry ? { retry: r.retry } : {}),
      ...(r.scheduler_hints ? { scheduler_hints: r.scheduler_hints } : {}),
      ...(r.operation === 'extend_volume' && r.new_size !== undefined ? { new_size: r.new_size } : {}),
    },
  };
  switch (r.operation) {
    case 'create_volume':
      return scheduler.scheduleCreateVolume(input);
    case 'extend_volume':
      return scheduler.extendVolume(input);
    case 'retype':
      return scheduler.findRetypeBackend(input, r.migration_policy ?? 'never');
  }
}

/** A decision in the case format's result format (docs/case-format.md). */
export function resultOf(d: Decision, id?: string | number, withTrace = false): CaseResult {
  return {
    ...(id !== undefined ? { id } : {}),
    candidates: d.candidates,
    filters: d.filters === null ? null : d.filters.map((f) => ({ name: f.name, passed: f.passed })),
    weighed: d.weighed,
    selected: d.selected,
    selected_az: d.selectedAz,
    error: d.error,
    error_type: d.errorType,
    ...(d.errorDetail ? { error_detail: d.errorDetail } : {}),
    ...(withTrace ? { trace: traceOf(d) } : {}),
  };
}

/** A case's output: one result, or `{id, results}` for a case with `requests`. */
export function caseOutput(c: SchedulerCase, run: CaseRun, withTrace = false): CaseResult | { id?: string | number; results: CaseResult[] } {
  if (c.requests) return { ...(c.id !== undefined ? { id: c.id } : {}), results: run.decisions.map((x) => resultOf(x.decision, undefined, withTrace)) };
  return resultOf(run.decisions[0]!.decision, c.id, withTrace);
}

/** JSON Schema of case files (one case or an array), for editors. */
export function caseJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(caseFileSchema, { unrepresentable: 'any' }) as Record<string, unknown>;
}
