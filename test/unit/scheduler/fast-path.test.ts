import { afterEach, describe, expect, test, vi } from 'vitest';
import { FALLBACK, FastPath } from '../../../sim/cinder/scheduler/fast-path.js';
import { FilterScheduler, type Decision, type ScheduleInput, type TraceLevel } from '../../../sim/cinder/scheduler/filter-scheduler.js';
import { capacityFactors, thinRatioLimit } from '../../../sim/cinder/scheduler/capacity.js';
import { HostManager, type PoolState, type ServiceInfo } from '../../../sim/cinder/scheduler/host-manager.js';
import type { Json } from '../../../sim/cinder/scheduler/python.js';
import type { RequestSpec, SchedulerConfig } from '../../../sim/cinder/scheduler/types.js';
import type { Clock } from '../../../sim/ports/clock.js';

/** mulberry32: the test's own seeded stream. */
function rngFrom(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}
type Rng = ReturnType<typeof rngFrom>;

const ZONES = ['nova', 'az1', 'az2'];

/** One pool's report: thick, thin, reserved, odd ratios, equal sizes for ties, and now and then an unusual capacity. */
function poolReport(rng: Rng, name: string, thin: boolean, tieTotal: number, odd: boolean): Record<string, Json> {
  const total = rng.pick([tieTotal, tieTotal, rng.int(0, 5000), rng.int(100, 100_000) + rng.pick([0, 0.25, 0.37, 0.5, 0.004, 0.006, 0.0049]), 0.01]);
  const allocated = rng.chance(0.3) ? 0 : Math.min(total, rng.int(0, Math.max(0, Math.floor(total))));
  const cap: Record<string, Json> = {
    pool_name: name,
    total_capacity_gb: total,
    free_capacity_gb: rng.chance(0.15) ? total : Math.max(0, total - allocated - rng.int(0, 50)),
    allocated_capacity_gb: allocated,
    provisioned_capacity_gb: rng.chance(0.3) ? allocated * rng.pick([0.5, 2, 3.3]) + rng.pick([0, 0.003, 0.001, 0.0051]) : allocated,
    thin_provisioning_support: thin,
    thick_provisioning_support: !thin || rng.chance(0.3),
    max_over_subscription_ratio: rng.pick([1, 1.5, 2, 20, 0.5, '2.5', 'auto', 10.1]),
    reserved_percentage: rng.pick(odd ? [0, 0, 5, 10, 33, 100, 150] : [0, 0, 5, 10, 33]),
    tier: rng.pick(['gold', 'silver']),
    multiattach: rng.chance(0.5),
    features: { replication: rng.pick(['true', 'false']) },
  };
  if (odd && rng.chance(0.05)) cap['total_capacity_gb'] = rng.pick(['infinite', 'unknown', null] as Json[]);
  if (odd && rng.chance(0.05)) cap['free_capacity_gb'] = rng.pick(['infinite', 'unknown', null] as Json[]);
  if (rng.chance(0.03)) delete cap['max_over_subscription_ratio'];
  return cap;
}

interface Backend {
  host: string;
  pools: string[];
  thin: boolean;
  tieTotal: number;
  /** Unusual capacities (infinite, unknown, null, reserved >= 100 %) now and then. */
  odd: boolean;
}

function backendReport(rng: Rng, b: Backend): Record<string, Json> {
  return { volume_backend_name: b.host.split('@')[1]!, storage_protocol: 'iSCSI', pools: b.pools.map((p) => poolReport(rng, p, b.thin, b.tieTotal, b.odd)) };
}

const SPECS: (Record<string, string> | null)[] = [
  null,
  {},
  { tier: 'gold' },
  { tier: '<or> gold <or> silver' },
  { 'capabilities:tier': 'silver' },
  { 'provisioning:type': 'thick' },
  { 'provisioning:type': 'thin', thin_provisioning_support: '<is> True' },
  { thin_provisioning_support: '<is> True' },
  { multiattach: '<is> False', 'features:replication': 'true' },
  { total_capacity_gb: '>= 5000' },
  // Raises TypeError on a boolean capability: the full loop reports it.
  { multiattach: 's< x' },
  { tier: 'gold', 'provisioning:type': 'thick' },
];

function requestSpec(rng: Rng, k: number, sizes: number[]): RequestSpec {
  const specs = rng.pick(SPECS);
  const spec: RequestSpec = {
    volume_id: `vol-${k}`,
    volume_properties: {
      size: rng.chance(0.5) && sizes.length > 0 ? rng.pick(sizes) : rng.pick([1, rng.int(1, 600), rng.int(1, 5000), 0, 0.5]),
      availability_zone: rng.chance(0.35) ? rng.pick([...ZONES, 'nowhere', '']) : null,
      attach_status: 'detached',
      status: 'creating',
    },
    // A fresh object per request, as a workload makes them.
    volume_type: specs === null ? null : { name: 't', extra_specs: { ...specs } },
    operation: 'create_volume',
  };
  if (rng.chance(0.05)) spec.availability_zones = rng.pick([['az1'], ['az2', 'nova'], []]);
  if (rng.chance(0.03)) spec.resource_backend = 'h0@b0';
  return spec;
}

/** Sizes that just fit or just miss some pool: around the virtual free space and the over-subscription bound. */
function edgeSizes(pools: readonly PoolState[]): number[] {
  const sizes: number[] = [];
  const around = (x: number) => {
    if (Number.isFinite(x) && x > 0) sizes.push(x, Math.floor(x), Math.ceil(x), x + 0.01, Math.floor(x * 0.9));
  };
  for (const p of pools) {
    if (p.freeCapacityGb.kind !== 'gb' || p.totalCapacityGb.kind !== 'gb') continue;
    for (const thin of [false, true]) {
      const f = capacityFactors(p.totalCapacityGb.gb, p.freeCapacityGb.gb, p.provisionedCapacityGb, p.thinProvisioningSupport, p.maxOverSubscriptionRatio, p.reservedPercentage, thin);
      around(f.virtualFreeCapacityGb);
      around(f.totalAvailableCapacityGb * p.maxOverSubscriptionRatio - p.provisionedCapacityGb);
    }
  }
  return sizes;
}

interface Variant {
  hm: HostManager;
  scheduler: FilterScheduler;
}

function randomConfig(rng: Rng): Partial<SchedulerConfig> {
  const filters = rng.pick([
    ['AvailabilityZoneFilter', 'CapacityFilter', 'CapabilitiesFilter'],
    ['AvailabilityZoneFilter', 'CapacityFilter', 'CapabilitiesFilter'],
    ['CapabilitiesFilter', 'CapacityFilter', 'AvailabilityZoneFilter'],
    ['CapacityFilter', 'AvailabilityZoneFilter'],
    ['CapabilitiesFilter'],
    [],
    ['AvailabilityZoneFilter', 'CapacityFilter', 'CapabilitiesFilter', 'DriverFilter'],
  ]);
  const weighers = rng.pick([['CapacityWeigher'], ['CapacityWeigher'], ['CapacityWeigher'], ['CapacityWeigher', 'VolumeNumberWeigher'], ['AllocatedCapacityWeigher']]);
  const multiplier = rng.pick([1, 1, 1, -1, 0, 2.5, -0.5, 1e-300, Infinity]);
  return { scheduler_default_filters: filters, scheduler_default_weighers: weighers, capacity_weight_multiplier: multiplier, scheduler_max_attempts: rng.pick([3, 1]) };
}

/** Everything but the pool object (another host manager's), which is compared by its numbers. */
function comparable(d: Decision): object {
  const { pool, ...rest } = d;
  return { ...rest, pool: pool ? pool.snapshot() : null };
}

function countFastAnswers(): { answered: number; asked: number } {
  const counts = { answered: 0, asked: 0 };
  const top = FastPath.prototype.top;
  vi.spyOn(FastPath.prototype, 'top').mockImplementation(function (this: FastPath, ...args: Parameters<FastPath['top']>) {
    const r = top.apply(this, args);
    counts.asked++;
    if (r !== FALLBACK) counts.answered++;
    return r;
  });
  return counts;
}

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * One seeded run: the same reports, service rows and requests fed to
 * three schedulers (light with the fast path, light without, full), each
 * on its own host manager.  Returns how many decisions were compared.
 */
function differential(seed: number): number {
  const rng = rngFrom(seed);
  let wall = 1_700_000_000_000;
  const clock: Clock = { monoNow: () => 0, wallNow: () => wall, wallAt: () => wall };
  const config = randomConfig(rng);
  const make = (trace: TraceLevel, fastPath: boolean): Variant => {
    const hm = new HostManager({ clock });
    const scheduler = new FilterScheduler({ hostManager: hm, config, trace, fastPath, lookups: { volumeCount: () => 0, volumeHost: () => undefined, instanceHost: () => undefined, chanceRng: () => ({ next: () => 0.5 }) as never } });
    return { hm, scheduler };
  };
  const variants = [make('light', true), make('light', false), make('full', false)];
  const backendCount = rng.int(1, 30);
  const oddWorld = rng.chance(0.4);
  const backends: Backend[] = [];
  const services: ServiceInfo[] = [];
  for (let i = 0; i < backendCount; i++) {
    const b: Backend = { host: `h${i}@b${i}`, pools: rng.pick([['p'], ['a', 'b'], ['x', 'y', 'z']]), thin: rng.chance(0.5), tieTotal: rng.pick([1000, 2000]), odd: oddWorld && rng.chance(0.3) };
    backends.push(b);
    services.push({ host: b.host, availability_zone: rng.pick(ZONES), disabled: false, frozen: false, up: true });
  }
  const report = (b: Backend) => {
    const caps = backendReport(rng, b);
    for (const v of variants) v.hm.updateServiceCapabilities(b.host, caps, wall - 1);
  };
  for (const b of backends) report(b);
  const steps = rng.int(20, 120);
  let compared = 0;
  for (let k = 0; k < steps; k++) {
    wall += rng.int(1, 5000);
    if (rng.chance(0.08)) report(rng.pick(backends));
    if (rng.chance(0.05)) {
      // Service rows are replaced, never mutated.
      const i = rng.int(0, services.length - 1);
      services[i] = { ...services[i]!, availability_zone: rng.pick(ZONES), disabled: rng.chance(0.2) };
    }
    const sizes = edgeSizes(variants[1]!.hm.pools());
    const spec = requestSpec(rng, k, sizes);
    const op = rng.pick(['create', 'create', 'create', 'create', 'create', 'create', 'extend', 'retype'] as const);
    const decisions = variants.map((v) => {
      const input: ScheduleInput = { services, requestSpec: structuredClone(spec) };
      if (op === 'create') return v.scheduler.scheduleCreateVolume(input);
      const target = v.hm.pools()[0]?.host ?? 'h0@b0#p';
      input.requestSpec.volume_properties.host = target;
      if (op === 'extend') {
        input.requestSpec.operation = 'extend_volume';
        input.filterProperties = { new_size: spec.volume_properties.size + 1 };
        return v.scheduler.extendVolume(input);
      }
      input.requestSpec.operation = 'retype';
      return v.scheduler.findRetypeBackend(input, 'on-demand');
    });
    const [fast, slow, full] = decisions as [Decision, Decision, Decision];
    expect(comparable(fast), `seed ${seed} step ${k} ${JSON.stringify(config)} ${JSON.stringify(spec)}`).toEqual(comparable(slow));
    expect({ selected: fast.selected, selectedAz: fast.selectedAz, error: fast.error, errorType: fast.errorType, consumedGb: fast.consumedGb }, `seed ${seed} step ${k} vs full`).toEqual({
      selected: full.selected,
      selectedAz: full.selectedAz,
      error: full.error,
      errorType: full.errorType,
      consumedGb: full.consumedGb,
    });
    compared++;
  }
  return compared;
}

describe('fast path: the same decisions as the full loop', () => {
  test('randomised differential over pool sets, configurations and requests', () => {
    const counts = countFastAnswers();
    let decisions = 0;
    for (let seed = 1; seed <= 400; seed++) decisions += differential(seed);
    expect(decisions).toBeGreaterThan(10_000);
    // The comparison means something only if the fast path answered most of what it was asked.
    expect(counts.answered).toBeGreaterThan(counts.asked * 0.5);
    expect(counts.asked - counts.answered).toBeGreaterThan(100);
  });

  test('the bench workload: light (fast) and full pick the same pools', async () => {
    const { placeMany } = await import('../../../sim/cli/bench/scheduler.js');
    const fast = placeMany(60, 3000, '7', 'light');
    const slow = placeMany(60, 3000, '7', 'light', undefined, { fastPath: false });
    const full = placeMany(60, 3000, '7', 'full');
    expect(fast.selections).toEqual(slow.selections);
    expect(fast.selections).toEqual(full.selections);
  });
});

/** Named edge cases: one decision each, fast path against the full loop, and whether the fast path answered. */
const EDGE_CASES: [string, { pools: Record<string, Json>[]; multiplier?: number; size?: number; specs?: Record<string, string> }, boolean][] = [
  ['equal free space: the first of the tie wins', { pools: [{ total_capacity_gb: 100, free_capacity_gb: 50 }, { total_capacity_gb: 300, free_capacity_gb: 300 }, { total_capacity_gb: 300, free_capacity_gb: 300 }] }, true],
  ['all equal (min = max): the first survivor, weight 0', { pools: [{ total_capacity_gb: 10, free_capacity_gb: 10 }, { total_capacity_gb: 10, free_capacity_gb: 10 }] }, true],
  ['negative multiplier: the fullest wins', { pools: [{ total_capacity_gb: 100, free_capacity_gb: 90 }, { total_capacity_gb: 100, free_capacity_gb: 20 }], multiplier: -1 }, true],
  ['multiplier 0: every weight 0, the first wins', { pools: [{ total_capacity_gb: 100, free_capacity_gb: 90 }, { total_capacity_gb: 100, free_capacity_gb: 20 }], multiplier: 0 }, true],
  ['a thin request on a thin pool, within the over-subscription ratio', { pools: [{ total_capacity_gb: 100, free_capacity_gb: 100, thin_provisioning_support: true, max_over_subscription_ratio: 1.5, provisioned_capacity_gb: 100.004 }], size: 49.996 }, true],
  ['nothing fits: No valid backend', { pools: [{ total_capacity_gb: 10, free_capacity_gb: 10 }], size: 11 }, true],
  ['an infinite pool weighs -1 with a positive multiplier', { pools: [{ total_capacity_gb: 'infinite', free_capacity_gb: 'infinite' }, { total_capacity_gb: 10, free_capacity_gb: 5 }] }, true],
  ['an infinite pool with a negative multiplier: the weigher\'s offset, so the full loop', { pools: [{ total_capacity_gb: 'infinite', free_capacity_gb: 'infinite' }, { total_capacity_gb: 10, free_capacity_gb: 5 }], multiplier: -1 }, false],
  ['null total capacity raises in CapacityFilter: the full loop says so', { pools: [{ total_capacity_gb: null, free_capacity_gb: 5 }] }, false],
  ['a capabilities spec that raises: the full loop says so', { pools: [{ total_capacity_gb: 10, free_capacity_gb: 5, multiattach: true }], specs: { multiattach: 's< x' } }, false],
];

describe('fast path: named edge cases', () => {
  test.each(EDGE_CASES)('%s', (_name, c, answered) => {
    const counts = countFastAnswers();
    const clock: Clock = { monoNow: () => 0, wallNow: () => 1000, wallAt: () => 1000 };
    const config: Partial<SchedulerConfig> = { capacity_weight_multiplier: c.multiplier ?? 1 };
    const services: ServiceInfo[] = [{ host: 'h@b', availability_zone: 'nova', disabled: false, frozen: false, up: true }];
    const decisions = (['light', 'light', 'full'] as const).map((trace, k) => {
      const hm = new HostManager({ clock });
      hm.updateServiceCapabilities('h@b', { volume_backend_name: 'b', pools: c.pools.map((p, i) => ({ pool_name: `p${i}`, ...p })) }, 999);
      const scheduler = new FilterScheduler({ hostManager: hm, config, trace, fastPath: k === 0, lookups: { volumeCount: () => 0, volumeHost: () => undefined, instanceHost: () => undefined, chanceRng: () => ({ next: () => 0.5 }) as never } });
      const volumeType = c.specs ? { name: 't', extra_specs: c.specs } : null;
      return scheduler.scheduleCreateVolume({ services, requestSpec: { volume_id: 'v', volume_properties: { size: c.size ?? 1, availability_zone: null, attach_status: 'detached', status: 'creating' }, volume_type: volumeType, operation: 'create_volume' } });
    });
    const [fast, slow, full] = decisions as [Decision, Decision, Decision];
    expect(comparable(fast)).toEqual(comparable(slow));
    expect([fast.selected, fast.error]).toEqual([full.selected, full.error]);
    expect(counts.answered === 1).toBe(answered);
  });
});

describe('thinRatioLimit', () => {
  const passes = (prov: number, ta: number, ratio: number, x: number) => !((prov + x) / ta > ratio);
  const nextUp = (x: number): number => {
    const f = new Float64Array([x]);
    const b = new BigInt64Array(f.buffer);
    if (x === 0) return Number.MIN_VALUE;
    b[0] = b[0]! + (x > 0 ? 1n : -1n);
    return f[0]!;
  };
  test.each([
    [0, 1000, 1],
    [500, 1000, 1.5],
    [123456.7, 99999.99, 20],
    [1e6, 0.01, 2],
    [0.1, 0.3, 10.1],
    [2 ** 52, 3, 1],
    [-5, 7, 1.1],
  ])('prov %d, total available %d, ratio %d: the exact largest passing size', (prov, ta, ratio) => {
    const lim = thinRatioLimit(prov, ta, ratio);
    expect(Number.isFinite(lim)).toBe(true);
    expect(passes(prov, ta, ratio, lim)).toBe(true);
    expect(passes(prov, ta, ratio, nextUp(lim))).toBe(false);
  });
  test('random inputs: every integer size near the limit agrees with the filter test', () => {
    const rng = rngFrom(99);
    for (let k = 0; k < 3000; k++) {
      const prov = rng.pick([0, rng.int(0, 1e6), rng.int(0, 1e6) + rng.next()]);
      const ta = rng.pick([rng.int(1, 1e6), rng.int(1, 1e6) * rng.pick([1.5, 2, 20, 0.37]), rng.next()]);
      const ratio = rng.pick([1, 1.5, 2, 20, 2.5, 10.1, 1 + rng.next()]);
      const lim = thinRatioLimit(prov, ta, ratio);
      for (let x = Math.floor(lim) - 3; x <= Math.ceil(lim) + 3; x++) expect(x <= lim).toBe(passes(prov, ta, ratio, x));
    }
  });
  test('a non-positive or non-finite total available asks the filter itself', () => {
    expect(thinRatioLimit(0, 0, 1)).toBeNaN();
    expect(thinRatioLimit(0, -5, 1)).toBeNaN();
    expect(thinRatioLimit(Infinity, 5, 1)).toBeNaN();
  });
});
