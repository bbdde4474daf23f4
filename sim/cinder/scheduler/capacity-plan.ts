import type { Clock } from '../../ports/clock.js';
import type { Rng } from '../../ports/rng.js';
import { extractBackend } from '../host.js';
import { capacityJson } from './capacity.js';
import { fastCapacityApplies, placeFast } from './capacity-fast.js';
import { openCase, type CaseRequest, type SchedulerCase } from './case.js';
import { describeVerdict } from './explain.js';
import type { Decision } from './filter-scheduler.js';
import type { PoolState } from './host-manager.js';
import type { Json } from './python.js';

/**
 * "How many more fit": identical create requests placed one after another
 * by the FilterScheduler on one scheduler state, consuming as Cinder does
 * after each selection (HostManager.consume_from_volume, and the volume
 * table VolumeNumberWeigher counts), until Cinder answers No valid
 * backend.  Shapes are placed in order: a shape with a count places that
 * many (fewer if the cloud fills first), one without places until full.
 *
 * Placements are made by capacity-fast.ts where a default-like
 * configuration lets it (the consumed pool is the only one that changes),
 * else by trace-light decisions on the scheduler's fast path
 * (fast-path.ts); `reference: true` runs the full filter and weigh loop
 * with full traces for every placement, the model both are tested against.
 */

export interface CapacityShape {
  size: number;
  /** The volume type as the request carries it; null: no type. */
  volumeType: { name: string; extra_specs: Record<string, string> } | null;
  availabilityZone: string | null;
  /** Place this many, then go on; null: place until No valid backend. */
  count: number | null;
}

export interface PlanOptions {
  /** At most this many placements per shape. */
  max: number;
  /** Every placement through the full filter and weigh loop, traces on (the reference model). */
  reference?: boolean;
  /** Called with each placement (shape index, pool chosen), in order. */
  onPlacement?: (shape: number, pool: string) => void;
}

export interface PlanEnv {
  /** The scheduler's clock. */
  clock: Clock;
  /** The stream `weigher:ChanceWeigher`. */
  chanceRng: Rng;
}

export interface Tally {
  volumes: number;
  gb: number;
}

export interface PoolTally extends Tally {
  pool: string;
  backend: string;
  availability_zone: string;
}

/** Why the next request of a shape was not placed, from the full trace of that decision. */
export interface NextFailure {
  error_type: string;
  error: string;
  /** The filter that left no pool, or null. */
  emptied_by: string | null;
  /** Per candidate pool, the first filter that dropped it and why (describeVerdict), with the verdict's numbers. */
  rejections: { pool: string; filter: string; why: string; verdict: Json }[];
}

export type StopReason = 'count' | 'no_valid_backend' | 'error' | 'max';

export interface ShapeOutcome {
  shape: CapacityShape;
  fits: number;
  gb: number;
  /** Why placing stopped: the count was reached, Cinder said No valid backend, Cinder raised, or --max. */
  stop: StopReason;
  /** Where the placed volumes went, by pool (name order), backend and zone. */
  pools: PoolTally[];
  backends: (Tally & { backend: string; availability_zone: string })[];
  zones: (Tally & { availability_zone: string })[];
  /** The request that did not fit (stop no_valid_backend or error). */
  next: NextFailure | null;
}

/** A pool as the scheduler sees it before the first placement: provisioning in effect. */
export interface PoolInEffect {
  pool: string;
  backend: string;
  availability_zone: string;
  total_capacity_gb: Json;
  free_capacity_gb: Json;
  provisioned_capacity_gb: number;
  /** thin_provisioning_support as reported. */
  thin: boolean;
  /** The ratio CapacityFilter uses for thin requests on this pool (1.0 when not thin). */
  max_over_subscription_ratio: number;
  reserved_percentage: number;
}

export interface CapacityPlan {
  pools: PoolInEffect[];
  shapes: ShapeOutcome[];
  max: number;
}

/** Place every shape in order on the case's backends (its requests are ignored). */
export function planCapacity(c: SchedulerCase, shapes: readonly CapacityShape[], opts: PlanOptions, env: PlanEnv): CapacityPlan {
  const reference = opts.reference === true;
  const session = openCase(c, { ...env, trace: reference ? 'full' : 'light' }, { fastPath: !reference });
  const pools = session.pools().map(inEffect);
  const out: ShapeOutcome[] = [];
  shapes.forEach((shape, k) => {
    const request = requestOf(shape);
    const limit = Math.min(shape.count ?? Infinity, opts.max);
    const placed = new Map<string, PoolTally>();
    let fits = 0;
    let stop: StopReason = shape.count !== null && shape.count <= opts.max ? 'count' : 'max';
    let next: NextFailure | null = null;
    const tally = (pool: string, az: string): void => {
      let t = placed.get(pool);
      if (t === undefined) {
        t = { pool, backend: extractBackend(pool), availability_zone: az, volumes: 0, gb: 0 };
        placed.set(pool, t);
      }
      t.volumes++;
      t.gb += shape.size;
      fits++;
      opts.onPlacement?.(k, pool);
    };
    if (!reference && fastCapacityApplies(session.config, shape.size)) {
      // The shortcut (capacity-fast.ts) places while it can; the scheduler itself takes over where it declines.
      placeFast(session.pools(), session.filterContext(request), session.config, shape.size, limit, (pool) => {
        session.place(pool, request);
        tally(pool.host, pool.service.availability_zone);
      });
    }
    while (fits < limit) {
      const d = session.decide(request);
      if (d.selected === null) {
        // The same request again with the full trace, unless Cinder raised while consuming (that changed the pool).
        const full = d.crashedIn === 'consume_from_volume' || reference ? d : session.decide(request, 'full');
        stop = d.errorType === 'NoValidBackend' ? 'no_valid_backend' : 'error';
        next = failureOf(full);
        break;
      }
      tally(d.selected, d.selectedAz ?? '');
    }
    out.push(outcomeOf(shape, fits, stop, next, [...placed.values()]));
  });
  return { pools, shapes: out, max: opts.max };
}

function requestOf(shape: CapacityShape): CaseRequest {
  return {
    operation: 'create_volume',
    size: shape.size,
    ...(shape.availabilityZone !== null ? { availability_zone: shape.availabilityZone } : {}),
    ...(shape.volumeType !== null ? { volume_type: { name: shape.volumeType.name, extra_specs: { ...shape.volumeType.extra_specs } } } : {}),
  };
}

function outcomeOf(shape: CapacityShape, fits: number, stop: StopReason, next: NextFailure | null, placed: PoolTally[]): ShapeOutcome {
  const pools = placed.sort((a, b) => (a.pool < b.pool ? -1 : a.pool > b.pool ? 1 : 0));
  const backends = new Map<string, Tally & { backend: string; availability_zone: string }>();
  const zones = new Map<string, Tally & { availability_zone: string }>();
  for (const p of pools) {
    const b = backends.get(p.backend) ?? { backend: p.backend, availability_zone: p.availability_zone, volumes: 0, gb: 0 };
    b.volumes += p.volumes;
    b.gb += p.gb;
    backends.set(p.backend, b);
    const z = zones.get(p.availability_zone) ?? { availability_zone: p.availability_zone, volumes: 0, gb: 0 };
    z.volumes += p.volumes;
    z.gb += p.gb;
    zones.set(p.availability_zone, z);
  }
  const byName = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  return {
    shape,
    fits,
    gb: fits * shape.size,
    stop,
    pools,
    backends: [...backends.values()].sort(byName((x) => x.backend)),
    zones: [...zones.values()].sort(byName((x) => x.availability_zone)),
    next,
  };
}

function failureOf(d: Decision): NextFailure {
  const rejections = (d.summary?.firstRejections ?? []).map((r) => ({ pool: r.host, filter: r.filter, why: describeVerdict(r.verdict), verdict: r.verdict as unknown as Json }));
  const emptiedBy = d.summary?.emptiedBy ?? null;
  return { error_type: d.errorType ?? 'NoValidBackend', error: d.error ?? '', emptied_by: emptiedBy, rejections };
}

function inEffect(p: PoolState): PoolInEffect {
  return {
    pool: p.host,
    backend: extractBackend(p.host),
    availability_zone: p.service.availability_zone,
    total_capacity_gb: capacityJson(p.totalCapacityGb),
    free_capacity_gb: capacityJson(p.freeCapacityGb),
    provisioned_capacity_gb: p.provisionedCapacityGb,
    thin: p.thinProvisioningSupport,
    max_over_subscription_ratio: p.maxOverSubscriptionRatio,
    reserved_percentage: p.reservedPercentage,
  };
}
