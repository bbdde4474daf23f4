import type { CapacityPlan, CapacityShape, ShapeOutcome } from '../../cinder/scheduler/capacity-plan.js';
import type { Json } from '../../cinder/scheduler/python.js';
import { overridesText } from '../../cinder/config/provisioning.js';
import { formatFinding } from '../../cinder/config/render.js';
import type { CapacityCloud } from './sources.js';

/** Version of the `cinder-sim capacity --json` document. */
export const CAPACITY_JSON_VERSION = 1;

/** How many rows of a long list the text view prints. */
const ROWS = 10;

function table(rows: readonly (readonly string[])[], indent: string): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

/** A float as Python prints it: 20 -> 20.0. */
function pyNumber(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

function gbText(v: Json): string {
  return typeof v === 'number' ? String(Math.round(v * 100) / 100) : String(v);
}

export function shapeText(s: CapacityShape): string {
  const type = s.volumeType === null ? 'no type' : s.volumeType.name === 'cli' ? `extra specs ${JSON.stringify(s.volumeType.extra_specs)}` : `type ${s.volumeType.name}${Object.keys(s.volumeType.extra_specs).length ? ` ${JSON.stringify(s.volumeType.extra_specs)}` : ''}`;
  return `${s.count === null ? '' : `${s.count} x `}${s.size} GB, ${type}${s.availabilityZone === null ? '' : `, zone ${s.availabilityZone}`}`;
}

function stopText(o: ShapeOutcome, max: number): string {
  switch (o.stop) {
    case 'count':
      return `placed all ${o.fits}`;
    case 'max':
      return `${o.fits} placed and more would fit: stopped at --max ${max}`;
    case 'no_valid_backend':
      return o.shape.count === null ? `${o.fits} fit` : `${o.fits} of ${o.shape.count} fit`;
    case 'error':
      return `${o.fits} placed, then Cinder raised`;
  }
}

function renderShape(o: ShapeOutcome, i: number, max: number): string {
  let out = `\nShape ${i + 1}: ${shapeText(o.shape)}${o.shape.count === null ? ', until No valid backend' : ''}\n`;
  out += `  ${stopText(o, max)} (${o.gb} GB)\n`;
  if (o.pools.length > 0) {
    const rows = o.pools.slice(0, ROWS).map((p) => [p.pool, p.availability_zone, String(p.volumes), String(p.gb)]);
    out += table([['POOL', 'ZONE', 'VOLUMES', 'GB'], ...rows], '  ');
    if (o.pools.length > ROWS) out += `  ... and ${o.pools.length - ROWS} more pools (--json lists every one)\n`;
    if (o.backends.length !== o.pools.length) out += `  by backend: ${o.backends.map((b) => `${b.backend} ${b.volumes}`).join(', ')}\n`;
    out += `  by zone: ${o.zones.map((z) => `${z.availability_zone} ${z.volumes} (${z.gb} GB)`).join(', ')}\n`;
  }
  const n = o.next;
  if (n !== null) {
    out += `  the next one fails: ${n.error_type}: ${n.error}\n`;
    if (n.emptied_by !== null) out += `    ${n.emptied_by} left no pool\n`;
    for (const r of n.rejections.slice(0, ROWS)) out += `    ${r.pool}: ${r.filter}: ${r.why}\n`;
    if (n.rejections.length > ROWS) out += `    ... and ${n.rejections.length - ROWS} more pools (--json lists every one)\n`;
  }
  return out;
}

/** --conf: each node's layers and every option they set, with the file and line that won. */
function configurationText(cloud: CapacityCloud): string {
  const nodes = cloud.configuration ?? [];
  if (nodes.length === 0) return '';
  let out = '\nConfiguration in effect (each option from the last file that sets it, as oslo.config layers --config-file)\n';
  if (nodes.length > ROWS * 2) return `${out}  ${nodes.length} nodes: --json lists every option of every node\n`;
  for (const n of nodes) {
    out += `  ${n.node}: ${n.files.join(' + ')}\n`;
    const rows = n.options.map((o) => [`[${o.section}] ${o.option}`, '=', o.value.replace(/\n/g, '\\n'), `${o.file}:${o.line}${o.from_section === o.section ? '' : ` [${o.from_section}]`}${overridesText(o.overrides)}`]);
    out += rows.length === 0 ? '    (no option set)\n' : table(rows, '    ');
  }
  return out;
}

/** The text view of `cinder-sim capacity`. */
export function renderCapacityText(cloud: CapacityCloud, plan: CapacityPlan): string {
  let out = `Capacity of ${cloud.source}: ${new Set(plan.pools.map((p) => p.backend)).size} backend(s), ${plan.pools.length} pool(s), as Cinder 2023.1's scheduler places\n`;
  for (const n of cloud.notes) out += `  note: ${n}\n`;
  out += '\nPools in effect\n';
  const rows = plan.pools.map((p) => [p.pool, p.availability_zone, p.thin ? 'thin' : 'thick', p.thin ? pyNumber(p.max_over_subscription_ratio) : '-', `${p.reserved_percentage}%`, gbText(p.total_capacity_gb), gbText(p.free_capacity_gb), gbText(p.provisioned_capacity_gb)]);
  out += table([['POOL', 'ZONE', 'PROVISIONING', 'RATIO', 'RESERVED', 'TOTAL_GB', 'FREE_GB', 'PROVISIONED_GB'], ...rows.slice(0, ROWS * 2)], '  ');
  if (rows.length > ROWS * 2) out += `  ... and ${rows.length - ROWS * 2} more pools\n`;
  if (cloud.backends.length > 0 && cloud.backends.length <= ROWS * 2) {
    out += '\nProvisioning in effect\n';
    for (const b of cloud.backends) {
      out += `  ${b.backend}: ${b.provisioning}: ${b.why}\n`;
      out += `    max_over_subscription_ratio ${b.max_over_subscription_ratio} (${b.ratio_source})${b.provisioning === 'thick' ? ', not used: thick pools are not over-subscribed' : ''}; reserved_percentage ${b.reserved_percentage} (${b.reserved_source})\n`;
    }
  }
  out += configurationText(cloud);
  if (cloud.findings.length > 0) {
    out += '\nFindings\n';
    for (const f of cloud.findings) out += `  ${formatFinding(f)}\n`;
  }
  plan.shapes.forEach((o, i) => (out += renderShape(o, i, plan.max)));
  return out;
}

/** The `cinder-sim capacity --json` document (docs in README.md). */
export function capacityJson(cloud: CapacityCloud, plan: CapacityPlan): Record<string, unknown> {
  return {
    schema_version: CAPACITY_JSON_VERSION,
    source: cloud.source,
    max: plan.max,
    backends: cloud.backends,
    pools: plan.pools,
    findings: cloud.findings,
    notes: cloud.notes,
    // --conf only: per node, its files in order and every option they set with the file and line that won.
    ...(cloud.configuration === undefined ? {} : { configuration: cloud.configuration }),
    shapes: plan.shapes.map((o) => ({
      size: o.shape.size,
      volume_type: o.shape.volumeType?.name ?? null,
      extra_specs: o.shape.volumeType?.extra_specs ?? {},
      availability_zone: o.shape.availabilityZone,
      count: o.shape.count,
      fits: o.fits,
      gb: o.gb,
      stop: o.stop,
      capped: o.stop === 'max',
      pools: o.pools,
      backends: o.backends,
      zones: o.zones,
      next_failure: o.next,
    })),
  };
}
