/**
 * Capacity over virtual time, per pool, per availability zone and per
 * volume type, as three lines a planner reads: used, provisioned and the
 * usable limit CapacityFilter enforces.  The terminal chart (chart.ts) and
 * report.html (html.ts) draw these same numbers.
 */

import { formatDuration } from '../sim/scenario/duration.js';
import type { CapacitySample, PoolInfo, RunOutcome, TypePoolsRecord, TypeUsageSample } from '../sim/scenario/outcome.js';

export const chartGroupings = ['pool', 'az', 'type'] as const;
export type ChartBy = (typeof chartGroupings)[number];

/** One line of a chart: its values on the chart's time points (null: no value then). */
export interface SeriesLine {
  /** What the line shows, in a few words (the legend). */
  label: string;
  values: (number | null)[];
}

/** One chart: a pool, a zone or a volume type. */
export interface CapacityChart {
  by: ChartBy;
  key: string;
  title: string;
  /** Virtual time of each point, ms; the lines step from point to point. */
  t: number[];
  used: SeriesLine;
  provisioned: SeriesLine;
  limit: SeriesLine;
  /** Why the numbers are what they are: the total, the limit's formula with its numbers, the pools. */
  notes: string[];
}

/** At most this many points per chart in report.html (series are step functions resampled onto a grid beyond it). */
export const MAX_HTML_POINTS = 2000;

const round2 = (x: number): number => Math.round(x * 100) / 100;
const gb = (x: number): string => `${round2(x)} GB`;

/** Where the run ends: the last virtual instant any chart covers. */
export function endMs(o: RunOutcome): number {
  return Math.max(o.end.time_ms, o.duration_ms, 1);
}

/**
 * The time points of a chart: every instant one of its inputs changed (and
 * the end), or, when those are more than `maxPoints`, `maxPoints` evenly
 * spaced instants from 0 to the end.
 */
export function timePoints(changes: readonly number[], end: number, maxPoints: number): number[] {
  const set = [...new Set([0, ...changes.filter((t) => t <= end), end])].sort((a, b) => a - b);
  if (set.length <= maxPoints) return set;
  return uniformPoints(end, maxPoints);
}

export function uniformPoints(end: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.round((end * i) / Math.max(1, n - 1)));
  return out;
}

/** A step function read at ascending times: the last record at or before each time. */
class Stepper<T extends { t_ms: number }> {
  private i = -1;
  constructor(private readonly records: readonly T[]) {}
  /** The record in effect at `t` (times must not go back), or undefined before the first. */
  at(t: number): T | undefined {
    while (this.i + 1 < this.records.length && this.records[this.i + 1]!.t_ms <= t) this.i++;
    return this.i >= 0 ? this.records[this.i] : undefined;
  }
}

function groupBy<T>(list: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of list) {
    const k = key(x);
    let l = m.get(k);
    if (!l) m.set(k, (l = []));
    l.push(x);
  }
  return m;
}

const usedOf = (s: CapacitySample): number | null => (s.total_capacity_gb >= 0 && s.free_capacity_gb >= 0 ? round2(s.total_capacity_gb - s.free_capacity_gb) : null);

/** Sum of the non-null values, or null when every one is null. */
function sum(values: readonly (number | null)[]): number | null {
  let total: number | null = null;
  for (const v of values) if (v !== null) total = (total ?? 0) + v;
  return total === null ? null : round2(total);
}

/**
 * The charts of one outcome grouped `by` pool, zone or type, each on at
 * most `maxPoints` time points (`grid`: exactly these points instead, for
 * a terminal's columns).
 */
export function capacityCharts(o: RunOutcome, by: ChartBy, opts: { maxPoints?: number; grid?: number[] } = {}): CapacityChart[] {
  const maxPoints = opts.maxPoints ?? MAX_HTML_POINTS;
  const samples = groupBy(o.capacity, (c) => c.pool);
  const infos = groupBy(o.pools, (p) => p.pool);
  const end = endMs(o);
  const points = (changes: number[]): number[] => opts.grid ?? timePoints(changes, end, maxPoints);
  if (by === 'pool') return [...samples.keys()].sort().map((pool) => poolChart(pool, samples.get(pool)!, infos.get(pool) ?? [], points));
  if (by === 'az') return zoneCharts(samples, infos, points);
  return typeCharts(o, samples, infos, points);
}

function poolChart(pool: string, s: readonly CapacitySample[], info: readonly PoolInfo[], points: (changes: number[]) => number[]): CapacityChart {
  const t = points(s.map((x) => x.t_ms));
  const step = new Stepper(s);
  const used: (number | null)[] = [];
  const prov: (number | null)[] = [];
  const limit: (number | null)[] = [];
  for (const x of t) {
    const c = step.at(x);
    used.push(c ? usedOf(c) : null);
    prov.push(c ? c.provisioned_capacity_gb : null);
    limit.push(c ? c.usable_limit_gb : null);
  }
  const last = s[s.length - 1]!;
  const facts = info[info.length - 1];
  const thin = facts?.thin_provisioning_support ?? false;
  return {
    by: 'pool',
    key: pool,
    title: facts ? `pool ${pool} (zone ${facts.availability_zone}, volume_backend_name ${facts.volume_backend_name}, ${thin ? 'thin' : 'thick'})` : `pool ${pool}`,
    t,
    used: { label: thin ? 'used: total - free (thin: data written)' : 'used: total - free', values: used },
    provisioned: { label: 'provisioned_capacity_gb', values: prov },
    limit: { label: thin ? 'usable limit: (total - reserved) x max_over_subscription_ratio' : 'usable limit: total - reserved', values: limit },
    notes: facts ? poolNotes(last, facts, info.length > 1) : [],
  };
}

/** Why a pool's total, limit and lines are what they are, with its numbers at the end of the run. */
export function poolNotes(c: CapacitySample, p: PoolInfo, changed: boolean): string[] {
  const out: string[] = [];
  out.push(totalNote(c, p));
  const reserved = c.reserved_capacity_gb;
  if (c.usable_limit_gb === null || reserved === null) {
    out.push(`usable limit: none known (the pool reports total ${c.total_capacity_gb < 0 ? "'infinite' or 'unknown'" : gb(c.total_capacity_gb)}; CapacityFilter ${p.reserved_percentage === 0 ? 'lets every size through' : 'refuses every size when a reserve is set'})`);
  } else if (p.thin_provisioning_support) {
    const ratio = c.max_over_subscription_ratio;
    if (ratio !== null && ratio < 1) out.push(`usable limit: 0 GB: max_over_subscription_ratio ${ratio} < 1, CapacityFilter refuses every thin request on this pool`);
    else {
      out.push(
        `usable limit (thin): (total ${gb(c.total_capacity_gb)} - reserved ${gb(reserved)}) x max_over_subscription_ratio ${ratio}${p.max_over_subscription_ratio === 'auto' ? " ('auto': 1 + provisioned / (total - free + 1))" : ''} = ${gb(c.usable_limit_gb)}: a create passes CapacityFilter while provisioned + its size <= that`,
      );
      out.push(`  (a volume type with provisioning:type=thick is held to total - reserved = ${gb(c.total_capacity_gb - reserved)} and to free space instead)`);
    }
  } else {
    out.push(`usable limit (thick): total ${gb(c.total_capacity_gb)} - reserved ${gb(reserved)} = ${gb(c.usable_limit_gb)}: a create passes CapacityFilter while provisioned + its size <= that (and it fits in free space)`);
  }
  out.push(`reserved: reserved_percentage ${p.reserved_percentage}% of total, rounded down = ${gb(reserved ?? 0)}`);
  out.push(`provisioned: provisioned_capacity_gb as the driver reports it (${p.storage === 'lvm-thin' ? 'the sizes of the LVs in the thin pool' : p.storage === 'lvm-thick' ? 'LVM: total - free, snapshots and foreign LVs included' : 'the volumes on the pool'}); Cinder's allocated_capacity_gb at the end: ${gb(c.allocated_capacity_gb)}`);
  if (changed) out.push('(the pool\'s configuration changed during the run; these are its last values)');
  return out;
}

/** Why the driver reports the total it does. */
function totalNote(c: CapacitySample, p: PoolInfo): string {
  const total = c.total_capacity_gb;
  if (total < 0) return `total: the driver reports 'infinite' or 'unknown'`;
  if (p.storage === 'lvm-thin') {
    const foreign = p.foreign_lvs_gb > 0 ? ` less ${gb(p.foreign_lvs_gb)} of LVs Cinder does not own` : '';
    return `total ${gb(total)}: the thin pool <vg>-pool, which Cinder's LVM driver (brick) creates from 95% of the VG's ${gb(p.storage_size_gb)}${foreign} (the rest stays free for the pool's metadata); free = total - data written (thin_data_percent ${p.thin_data_percent}% of each volume)`;
  }
  if (p.storage === 'lvm-thick') {
    const foreign = p.foreign_lvs_gb > 0 ? `; ${gb(p.foreign_lvs_gb)} of LVs Cinder does not own count as used` : '';
    return `total ${gb(total)}: the VG's size (thick LVs are allocated in full; a snapshot reserves its volume's full size)${foreign}`;
  }
  return `total ${gb(total)}: the pool's configured size`;
}

function zoneCharts(samples: Map<string, CapacitySample[]>, infos: Map<string, PoolInfo[]>, points: (changes: number[]) => number[]): CapacityChart[] {
  const zones = [...new Set([...infos.values()].flat().map((p) => p.availability_zone))].sort();
  return zones.map((zone) => {
    // Pools that are in this zone at some time; each counts while it is.
    const pools = [...infos.keys()].filter((p) => infos.get(p)!.some((i) => i.availability_zone === zone) && samples.has(p)).sort();
    const t = points(pools.flatMap((p) => [...samples.get(p)!.map((s) => s.t_ms), ...infos.get(p)!.map((i) => i.t_ms)]));
    const steps = pools.map((p) => ({ s: new Stepper(samples.get(p)!), i: new Stepper(infos.get(p)!) }));
    const used: (number | null)[] = [];
    const prov: (number | null)[] = [];
    const limit: (number | null)[] = [];
    for (const x of t) {
      const here = steps.map((st) => ({ c: st.s.at(x), i: st.i.at(x) })).filter((p) => p.c && p.i && p.i.availability_zone === zone);
      used.push(sum(here.map((p) => usedOf(p.c!))));
      prov.push(sum(here.map((p) => p.c!.provisioned_capacity_gb)));
      limit.push(sum(here.map((p) => p.c!.usable_limit_gb)));
    }
    return {
      by: 'az' as const,
      key: zone,
      title: `availability zone ${zone} (${pools.length} pool${pools.length === 1 ? '' : 's'})`,
      t,
      used: { label: 'used: sum of total - free', values: used },
      provisioned: { label: 'provisioned: sum of provisioned_capacity_gb', values: prov },
      limit: { label: "usable limit: sum of each pool's CapacityFilter limit", values: limit },
      notes: [`pools: ${pools.join(', ')}`, "each pool's limit: thick: total - reserved; thin: (total - reserved) x max_over_subscription_ratio (see the pool charts)"],
    };
  });
}

function typeCharts(o: RunOutcome, samples: Map<string, CapacitySample[]>, infos: Map<string, PoolInfo[]>, points: (changes: number[]) => number[]): CapacityChart[] {
  const usage = groupBy(o.type_usage, (u) => u.volume_type);
  const lands = groupBy(o.type_pools, (r) => r.volume_type);
  // Types that ever held a volume; the others would chart nothing of their own.
  const types = [...usage.keys()].sort();
  return types.map((type) => {
    const own: readonly TypeUsageSample[] = usage.get(type)!;
    const where: readonly TypePoolsRecord[] = lands.get(type) ?? [];
    const pools = [...new Set(where.flatMap((r) => r.pools))].filter((p) => samples.has(p)).sort();
    const t = points([...own.map((u) => u.t_ms), ...where.map((r) => r.t_ms), ...pools.flatMap((p) => samples.get(p)!.map((s) => s.t_ms))]);
    const ownStep = new Stepper(own);
    const whereStep = new Stepper(where);
    const poolSteps = new Map(pools.map((p) => [p, new Stepper(samples.get(p)!)]));
    const used: (number | null)[] = [];
    const prov: (number | null)[] = [];
    const limit: (number | null)[] = [];
    for (const x of t) {
      used.push(ownStep.at(x)?.provisioned_gb ?? 0);
      const now = new Set(whereStep.at(x)?.pools ?? []);
      // Every stepper advances at every point, in or out of the type's pools now.
      const cs = pools.map((p) => ({ p, c: poolSteps.get(p)!.at(x) })).filter((e) => now.has(e.p) && e.c !== undefined);
      prov.push(sum(cs.map((e) => e.c!.provisioned_capacity_gb)));
      limit.push(sum(cs.map((e) => e.c!.usable_limit_gb)));
    }
    const lastPools = where[where.length - 1]?.pools ?? [];
    const lastOwn = own[own.length - 1]!;
    const zones = [...new Set(lastPools.map((p) => infos.get(p)?.at(-1)?.availability_zone).filter((z): z is string => z !== undefined))].sort();
    return {
      by: 'type' as const,
      key: type,
      title: `volume type ${type} (${lastPools.length} pool${lastPools.length === 1 ? '' : 's'} it can land on)`,
      t,
      used: { label: `${type}'s volumes: the sum of their sizes`, values: used },
      provisioned: { label: 'provisioned_capacity_gb of those pools (every type)', values: prov },
      limit: { label: "usable limit of those pools (each pool's CapacityFilter limit)", values: limit },
      notes: [
        `pools it can land on (capabilities that satisfy its extra specs, CapabilitiesFilter): ${lastPools.length ? lastPools.join(', ') : 'none'}${zones.length ? ` in zone${zones.length === 1 ? '' : 's'} ${zones.join(', ')}` : ''}`,
        `at the end: ${lastOwn.count} volume${lastOwn.count === 1 ? '' : 's'}, ${gb(lastOwn.provisioned_gb)}; other types share those pools and their limit`,
      ],
    };
  });
}

/** The lines' last values in one sentence: "at the end: used 90 GB, provisioned 90 GB of a usable limit of 90 GB (100%)". */
export function endSummary(c: CapacityChart): string {
  const last = (l: SeriesLine): number | null => {
    for (let i = l.values.length - 1; i >= 0; i--) if (l.values[i] !== null) return l.values[i]!;
    return null;
  };
  const [u, p, l] = [last(c.used), last(c.provisioned), last(c.limit)];
  const parts: string[] = [];
  if (u !== null) parts.push(`${c.by === 'type' ? `${c.key}'s volumes` : 'used'} ${gb(u)}`);
  if (p !== null) parts.push(`provisioned ${gb(p)}`);
  const share = p !== null && l !== null && l > 0 ? ` (${Math.round((100 * p) / l)}% of it provisioned)` : '';
  if (l !== null) parts.push(`usable limit ${gb(l)}${share}`);
  return `at the end: ${parts.length ? parts.join(', ') : 'no values'}`;
}

/** "0s .. 5h" for a chart's time span. */
export function spanText(o: RunOutcome): string {
  return `0s .. ${formatDuration(endMs(o))}`;
}
