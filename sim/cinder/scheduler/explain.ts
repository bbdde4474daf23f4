import type { Decision, Rejection } from './filter-scheduler.js';
import type { Json } from './python.js';

/** A failed verdict in a few words, numbers included. */
export function describeVerdict(v: Rejection['verdict']): string {
  const d = v as Record<string, Json>;
  switch (v.reason) {
    case 'insufficient_capacity':
      return `needs ${fmt(d['requestedGb'])} GB, ${fmt(d['availableGb'])} GB available (${d['thin'] ? `thin, ratio ${fmt(d['maxOverSubscriptionRatio'])}` : `thick, free ${fmt(d['freeCapacityGb'])} GB, reserved ${fmt(d['reservedCapacityGb'])} GB`}, reserved_percentage ${fmt(d['reservedPercentage'])})`;
    case 'over_subscription_exceeded':
      return `provisioned ${fmt(d['provisionedGb'])} GB + ${fmt(d['requestedGb'])} GB over ${fmt(d['totalAvailableGb'])} GB = ratio ${fmt(d['provisionedRatio'])} > max_over_subscription_ratio ${fmt(d['maxOverSubscriptionRatio'])}`;
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
    default: {
      const rest = Object.entries(d).filter(([k]) => k !== 'pass' && k !== 'reason');
      return rest.length ? `${v.reason} (${rest.map(([k, x]) => `${k} ${JSON.stringify(x)}`).join(', ')})` : v.reason;
    }
  }
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
    if (d.candidates.length === 0) out.push('  why: no candidate pools (every service down, disabled, frozen or never reported)');
    else if (s.emptiedBy) out.push(`  why: ${s.emptiedBy} left no pool`);
    else if (d.resourceBackendRemoved?.length && d.errorType === 'NoValidBackend') out.push('  why: no weighed pool is on the requested resource_backend');
    for (const r of s.firstRejections) out.push(`    ${r.host}: ${r.filter}: ${describeVerdict(r.verdict)}`);
  }
  return out.join('\n') + '\n';
}
