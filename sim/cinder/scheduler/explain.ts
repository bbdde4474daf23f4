import type { Decision, NearestPool, Rejection } from './filter-scheduler.js';
import type { Json } from './python.js';
import { RAISES, type LeftOutService } from './types.js';

/** A failed verdict in a few words, numbers included, in Cinder 2023.1's own terms. */
export function describeVerdict(v: Rejection['verdict']): string {
  const d = v as Record<string, Json>;
  switch (v.reason) {
    case 'insufficient_capacity':
      return d['thin'] ? thinShort(d) : thickShort(d);
    case 'over_subscription_exceeded': {
      const base = `provisioned ratio (provisioned ${gbs(d['provisionedGb'])} + requested ${gbs(d['requestedGb'])}) / total available ${gbs(d['totalAvailableGb'])} = ${ratio(d['provisionedRatio'])} > max_over_subscription_ratio ${fmt(d['maxOverSubscriptionRatio'])}`;
      if (d['totalCapacityGb'] === undefined) return base;
      return `${base} (total available = (total ${gbs(d['totalCapacityGb'])} minus reserved ${gbs(d['reservedCapacityGb'])}${reservedPct(d)}) x ${fmt(d['maxOverSubscriptionRatio'])})`;
    }
    case 'invalid_over_subscription_ratio':
      return `max_over_subscription_ratio ${fmt(d['maxOverSubscriptionRatio'])} < 1 with thin provisioning`;
    case 'free_capacity_unreported':
      return 'free_capacity_gb is null (stats collection broken)';
    case 'reserved_on_unsized_total':
      return `total_capacity_gb is '${fmt(d['totalCapacityGb'])}' and reserved_percentage ${fmt(d['reservedPercentage'])} cannot be applied`;
    case 'no_total_capacity':
      return `total_capacity_gb is ${fmt(d['totalCapacityGb'])}`;
    case 'az_mismatch':
      return `availability zone ${fmt(d['actual'])}, requested ${fmt(d['requested'])}`;
    case 'extra_spec_mismatch':
      return `extra spec ${fmt(d['key'])}='${fmt(d['required'])}' does not match capability ${JSON.stringify(d['actual'])}`;
    case 'extra_spec_missing':
      return `extra spec ${fmt(d['key'])}='${fmt(d['required'])}': pool reports no such capability`;
    case 'online_extend_unsupported':
      return `online_extend_support is false and the volume is ${fmt(d['attachStatus'])}`;
    case RAISES:
      return `Cinder 2023.1 raises here: ${fmt(d['errorType'])}: ${fmt(d['error'])}`;
    default: {
      const rest = Object.entries(d).filter(([k]) => k !== 'pass' && k !== 'reason');
      return rest.length ? `${v.reason} (${rest.map(([k, x]) => `${k} ${JSON.stringify(x)}`).join(', ')})` : v.reason;
    }
  }
}

/**
 * Thick (calculate_capacity_factors): virtual free = the smaller of free
 * and total - reserved - provisioned; written so that the numbers add up.
 */
function thickShort(d: Record<string, Json>): string {
  const head = `needs ${gbs(d['requestedGb'])}`;
  if (d['totalCapacityGb'] === undefined) {
    return `${head}, ${gbs(d['availableGb'])} available (thick, free ${gbs(d['freeCapacityGb'])}, reserved ${gbs(d['reservedCapacityGb'])}${reservedPct(d)})`;
  }
  const calculated = num(d['totalAvailableGb']) - num(d['provisionedGb']);
  const byTotal = `total ${gbs(d['totalCapacityGb'])} minus reserved ${gbs(d['reservedCapacityGb'])}${reservedPct(d)} minus provisioned ${gbs(d['provisionedGb'])} = ${gbs(round2(calculated))}`;
  return `${head}; ${gbs(d['availableGb'])} available (thick: the smaller of free ${gbs(d['freeCapacityGb'])} and ${byTotal})`;
}

/** Thin (ratio test passed): virtual free = (total - reserved) x ratio - provisioned. */
function thinShort(d: Record<string, Json>): string {
  const head = `needs ${gbs(d['requestedGb'])}`;
  if (d['totalCapacityGb'] === undefined) return `${head}, ${gbs(d['availableGb'])} available (thin, ratio ${fmt(d['maxOverSubscriptionRatio'])}${reservedPct(d)})`;
  const totalAvailable = `(total ${gbs(d['totalCapacityGb'])} minus reserved ${gbs(d['reservedCapacityGb'])}${reservedPct(d)}) x max_over_subscription_ratio ${fmt(d['maxOverSubscriptionRatio'])} = ${gbs(d['totalAvailableGb'])}`;
  const ratioNote = `provisioned ratio (${fmt(d['provisionedGb'])} + ${fmt(d['requestedGb'])}) / ${fmt(d['totalAvailableGb'])} = ${ratio(d['provisionedRatio'])}, within ${fmt(d['maxOverSubscriptionRatio'])}`;
  return `${head}; ${gbs(d['availableGb'])} virtual free (thin: ${totalAvailable}, minus provisioned ${gbs(d['provisionedGb'])}; ${ratioNote})`;
}

const reservedPct = (d: Record<string, Json>): string => (d['reservedPercentage'] === undefined ? '' : ` (reserved_percentage ${fmt(d['reservedPercentage'])})`);
const num = (v: Json | undefined): number => (typeof v === 'number' ? v : NaN);
const round2 = (x: number): number => Math.round(x * 100) / 100;
const gbs = (v: Json | undefined): string => `${typeof v === 'number' ? String(round2(v)) : fmt(v)} GB`;
const ratio = (v: Json | undefined): string => (typeof v === 'number' ? v.toFixed(2) : fmt(v));

/** Why a volume service gave no candidate pool, with the scheduler's numbers where it has them. */
export function describeLeftOut(s: LeftOutService, formatDurationMs: (ms: number) => string = (ms) => `${Math.round(ms / 1000)} s`): string {
  const f = s.facts;
  const clocks = (): string => {
    const own = f?.serviceClockOffsetMs;
    const sched = f?.schedulerClockOffsetMs;
    if (own === null || own === undefined || sched === null || sched === undefined) return '';
    return `; clocks against true time: service node ${signed(own, formatDurationMs)}, scheduler node ${signed(sched, formatDurationMs)}`;
  };
  switch (s.reason) {
    case 'disabled':
      return `disabled${f?.disabledReason ? ` (disabled_reason: ${f.disabledReason})` : ' (no disabled_reason)'}: the scheduler's query asks for disabled=False`;
    case 'frozen':
      return "frozen: the scheduler's query asks for frozen=False";
    case 'down': {
      if (!f) return 'down (Service.is_up is false)';
      if (f.updatedAtWallMs === null || f.heartbeatAgeMs === null) return `down: it never sent a heartbeat (services.updated_at is None)${clocks()}`;
      const sdt = f.serviceDownTimeS === f.effectiveServiceDownTimeS ? formatDurationMs(f.serviceDownTimeS * 1000) : `${formatDurationMs(f.effectiveServiceDownTimeS * 1000)} (configured ${formatDurationMs(f.serviceDownTimeS * 1000)}, raised to 2.5 x report_interval)`;
      const age = `heartbeat age ${formatDurationMs(f.heartbeatAgeMs)} by the scheduler's clock (its now minus services.updated_at) > service_down_time ${sdt}`;
      const beat = f.heartbeating === true ? '; the service still beats (its clock stamps its heartbeats too old)' : f.heartbeating === false ? '; its heartbeat has stopped' : '';
      const since =
        f.downSinceMs === null ? '' : f.downSinceBasis === 'heartbeat_stopped' ? `; down since t=${formatDurationMs(f.downSinceMs)}` : `; judged down since t=${formatDurationMs(f.downSinceMs)} (first seen)`;
      return `down: ${age}${beat}${clocks()}${since}`;
    }
    case 'no_report':
      return 'up, but no capability report from it yet';
    case 'no_pools':
      return 'up and reported, but its report lists no pools';
    case 'cluster_member':
      return `its cluster ${s.cluster ?? ''} is counted once, under the cluster's first up service`;
  }
}

function signed(ms: number, formatDurationMs: (ms: number) => string): string {
  return (ms >= 0 ? '+' : '-') + formatDurationMs(Math.abs(ms));
}

/** "No valid backend": the pools nearest to passing and what stops each, in one line. */
export function nearestHeadline(nearest: readonly NearestPool[]): string {
  return nearest
    .map((n) => `${n.host} (${n.failing.length} failing filter${n.failing.length === 1 ? '' : 's'}: ${n.failing.join(', ')}${n.shortfallGb !== null && n.shortfallGb > 0 ? `; ${gbs(n.shortfallGb)} short` : ''})`)
    .join('; ');
}

function fmt(v: Json | undefined): string {
  if (v === undefined || v === null) return 'None';
  if (Array.isArray(v)) return v.map((x) => fmt(x)).join(', ');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** A decision as text a person reads top to bottom. */
export function renderDecision(d: Decision, title?: string): string {
  const out: string[] = [];
  if (title) out.push(title);
  out.push(`${d.operation}: ${d.candidates.length} candidate pool(s)${d.candidates.length ? ': ' + d.candidates.join(', ') : ''}`);
  for (const s of d.leftOut ?? []) out.push(`  left out: ${s.host}: ${describeLeftOut(s)}`);
  for (const f of d.filters ?? []) {
    out.push(`  ${f.name}: ${f.passed.length} passed${f.rejected.length ? `, ${f.rejected.length} dropped` : ''}`);
    for (const r of f.rejected) out.push(`    - ${r.host}: ${describeVerdict(r.verdict)}`);
  }
  for (const w of d.weighers) {
    out.push(`  ${w.name} (multiplier ${w.multiplier}, min ${w.min}, max ${w.max}):`);
    for (const r of w.rows) out.push(`    ${r.host}: raw ${r.raw}, normalised ${r.normalised}, weighted ${r.weighted}`);
  }
  if (d.weighed.length) out.push(`  weighed: ${d.weighed.map((w) => `${w.host}=${w.weight}`).join(', ')}`);
  if (d.resourceBackendRemoved?.length) out.push(`  resource_backend removed: ${d.resourceBackendRemoved.join(', ')}`);
  if (d.selected !== null) {
    out.push(`  selected: ${d.selected} (availability zone ${d.selectedAz ?? 'None'})${d.consumedGb !== undefined ? `, consumed ${d.consumedGb} GB` : ''}`);
  }
  if (d.crashedIn) out.push(`  ${d.crashedIn}: Cinder 2023.1 crashes here (${d.errorType}); no decision`);
  if (d.error !== null) {
    out.push(`  error: ${d.errorType}: ${d.error}`);
    if (d.errorDetail) out.push(`         ${d.errorDetail}`);
  }
  if (d.summary && d.selected === null) {
    const s = d.summary;
    if (d.candidates.length === 0) {
      out.push(d.leftOut?.length ? `  why: no candidate pools: ${d.leftOut.map((x) => `${x.host} ${x.reason.replace('_', ' ')}`).join(', ')}` : '  why: no candidate pools (every service down, disabled, frozen or never reported)');
    } else if (s.emptiedBy) out.push(`  why: ${s.emptiedBy} left no pool`);
    else if (d.resourceBackendRemoved?.length && d.errorType === 'NoValidBackend') out.push('  why: no weighed pool is on the requested resource_backend');
    if (s.nearest?.length) out.push(`  nearest to passing: ${nearestHeadline(s.nearest)}`);
    if (d.verdicts) {
      for (const p of d.verdicts.pools) for (const r of p.failed) out.push(`    ${p.host}: ${r.filter}: ${describeVerdict(r.verdict)}`);
    } else {
      for (const r of s.firstRejections) out.push(`    ${r.host}: ${r.filter}: ${describeVerdict(r.verdict)}`);
    }
  }
  return out.join('\n') + '\n';
}
