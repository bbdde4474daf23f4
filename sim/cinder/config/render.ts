import type { Finding } from './findings.js';
import { backendProvisioning, overridesText, type BackendProvisioning } from './provisioning.js';
import type { BackendConfig, CinderConf, OptionSource } from './types.js';
import { backendGroupOptions, defaultGroupOptions, type AnyOptionValue, type BackendOptionName, type BackendOptions, type DefaultOptionName, type OptSpec } from './options.js';

/** Version of the `cinder-sim conf --json` document. */
export const CONF_JSON_SCHEMA_VERSION = 1;

export function formatSource(s: OptionSource): string {
  switch (s.kind) {
    case 'default':
      return s.template === undefined ? 'default' : `default ${s.template}`;
    case 'hostname':
      return 'hostname (--host)';
    case 'file':
      return `${s.file}:${s.line}${s.section === 'backend_defaults' ? ' [backend_defaults]' : ''}${overridesText(s.overrides)}`;
    case 'derived':
      return `derived: ${s.reason}`;
  }
}

/** Python's spelling of a value: floats keep their '.0'; secrets are masked as oslo masks them. */
export function formatValue(v: AnyOptionValue, spec?: OptSpec): string {
  if (v === null) return '(unset)';
  if (spec?.kind === 'str' && spec.secret && v !== '') return '****';
  if (spec?.kind === 'float' && typeof v === 'number' && Number.isInteger(v)) return v.toFixed(1);
  if (Array.isArray(v)) return v.length === 0 ? '(empty list)' : v.join(', ');
  if (typeof v === 'string') return v === '' ? "''" : v.replace(/\n/g, '\\n');
  return String(v);
}

function table(rows: readonly (readonly string[])[], indent = '  '): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

const SCHEDULER_OPTIONS: readonly DefaultOptionName[] = [
  'scheduler_driver',
  'scheduler_default_filters',
  'scheduler_default_weighers',
  'scheduler_weight_handler',
  'capacity_weight_multiplier',
  'allocated_capacity_weight_multiplier',
  'volume_number_multiplier',
  'scheduler_max_attempts',
  'scheduler_driver_init_wait_time',
];
const SERVICE_OPTIONS: readonly DefaultOptionName[] = [
  'report_interval',
  'service_down_time',
  'periodic_interval',
  'periodic_fuzzy_delay',
  'backend_stats_polling_interval',
];
const ZONE_OPTIONS: readonly DefaultOptionName[] = ['storage_availability_zone', 'default_availability_zone', 'allow_availability_zone_fallback', 'default_volume_type', 'cluster'];

function defaultRows(conf: CinderConf, names: readonly DefaultOptionName[]): string[][] {
  return names.map((n) => [n, '=', formatValue(conf.defaults[n], defaultGroupOptions[n]), formatSource(conf.defaultSources[n])]);
}

function renderBackend(b: BackendConfig): string {
  const where = b.group === null ? 'no section in any file' : `[${b.group.section}] at ${b.group.file}:${b.group.line}`;
  let out = `Backend ${b.name} (${where})\n`;
  out += `  service host ${b.host}, zone ${b.availability_zone}, reports volume_backend_name ${b.reported_volume_backend_name ?? '(driver-defined)'}\n`;
  if (b.start_failure !== null) out += `  does not start: ${b.start_failure}\n`;
  if (!b.driver_modelled) out += `  driver not modelled by the simulator: only the generic options below apply\n`;
  out += provisioningLines(backendProvisioning(b), '  ');
  const rows = (Object.keys(backendGroupOptions) as (keyof typeof backendGroupOptions)[]).map((n) => [n, '=', formatValue(b.options[n], backendGroupOptions[n]), formatSource(b.sources[n])]);
  out += table(rows, '    ');
  if (b.other_options.length > 0) {
    out += '  driver options (not modelled):\n';
    out += table(b.other_options.map((o) => [o.key, '=', formatValue(o.value), `${o.file}:${o.line}`]), '    ');
  }
  return out;
}

export function formatFinding(f: Finding): string {
  const at = f.file === null ? '(all files)' : f.line === null ? f.file : `${f.file}:${f.line}`;
  return `${f.severity.padEnd(7)} ${at}: ${f.message} [${f.rule}]`;
}

export function findingCounts(findings: readonly Finding[]): string {
  const n = (s: string): number => findings.filter((f) => f.severity === s).length;
  const plural = (k: number, w: string): string => `${k} ${w}${k === 1 ? '' : 's'}`;
  return `${plural(n('error'), 'error')}, ${plural(n('warning'), 'warning')}, ${n('info')} info`;
}

/** The human-readable view of `cinder-sim conf`. */
export function renderConfText(conf: CinderConf): string {
  let out = `cinder.conf as Cinder 2023.1 reads ${conf.files.join(' + ')} (hostname: ${conf.hostname})\n\n`;
  out += 'Services\n';
  const head = ['BINARY', 'HOST', 'ZONE', 'CLUSTER', 'VOLUME_BACKEND_NAME', 'DRIVER'];
  const rows = conf.services.map((s) => [
    s.binary,
    s.host,
    s.availability_zone,
    s.cluster ?? '-',
    s.binary === 'cinder-volume' ? (s.volume_backend_name ?? '(unset)') : '-',
    s.binary === 'cinder-volume' ? `${s.volume_driver ?? '-'}${s.start_failure === null ? '' : '  (fails to start)'}` : `(if this node runs ${s.binary})`,
  ]);
  out += table([head, ...rows]);
  out += '\nZones, types and cluster\n' + table(defaultRows(conf, ZONE_OPTIONS));
  out += `  new volumes with no zone go to ${conf.effective_default_availability_zone}\n`;
  out += '\nScheduler\n' + table([...defaultRows(conf, SCHEDULER_OPTIONS), ['max_over_subscription_ratio', '=', conf.scheduler_max_over_subscription_ratio.value, `${formatSource(conf.scheduler_max_over_subscription_ratio.source)} (for pools that report none)`]]);
  out += '\nService timing (seconds)\n' + table(defaultRows(conf, SERVICE_OPTIONS));
  for (const b of conf.backends) out += '\n' + renderBackend(b);
  out += `\nFindings: ${findingCounts(conf.findings)}\n`;
  for (const f of conf.findings) out += `  ${formatFinding(f)}\n`;
  return out;
}

/** A backend's provisioning in effect, as lines: thin or thick and why, the ratio and the reserve with their sources. */
export function provisioningLines(p: BackendProvisioning, indent: string): string {
  const assumed = p.lvm_type?.configured === 'auto' ? '; assumed: lvm2 >= 2.02.95 and an empty volume group' : '';
  const kind = p.lvm_type === null ? 'decided by the driver' : `${p.provisioning ?? ''}: lvm_type ${p.lvm_type.configured} (${p.lvm_type.source}): ${p.lvm_type.why}${assumed}`;
  let out = `${indent}provisioning in effect: ${kind}\n`;
  out += `${indent}  max_over_subscription_ratio ${p.max_over_subscription_ratio.value} (${p.max_over_subscription_ratio.source})${p.provisioning === 'thick' ? ', not used: thick pools are not over-subscribed' : ''}\n`;
  out += `${indent}  reserved_percentage ${p.reserved_percentage.value} (${p.reserved_percentage.source})\n`;
  return out;
}

function maskSecrets(options: BackendOptions): Record<BackendOptionName, AnyOptionValue> {
  const out: Record<string, AnyOptionValue> = { ...options };
  for (const [name, spec] of Object.entries(backendGroupOptions) as [string, OptSpec][]) {
    if (spec.kind === 'str' && spec.secret && out[name]) out[name] = '****';
  }
  return out as Record<BackendOptionName, AnyOptionValue>;
}

/** The `cinder-sim conf --json` document. */
export function confJson(conf: CinderConf): Record<string, unknown> {
  const withSources = <K extends string>(values: Record<K, AnyOptionValue>, sources: Record<K, OptionSource>): Record<string, { value: AnyOptionValue; source: OptionSource }> =>
    Object.fromEntries((Object.keys(values) as K[]).map((k) => [k, { value: values[k], source: sources[k] }]));
  return {
    schema_version: CONF_JSON_SCHEMA_VERSION,
    files: conf.files,
    hostname: conf.hostname,
    services: conf.services,
    backends: conf.backends.map((b) => ({
      name: b.name,
      group: b.group,
      host: b.host,
      cluster: b.cluster,
      availability_zone: b.availability_zone,
      reported_volume_backend_name: b.reported_volume_backend_name,
      driver_modelled: b.driver_modelled,
      start_failure: b.start_failure,
      extra_capabilities: b.extra_capabilities,
      provisioning: backendProvisioning(b),
      options: withSources(maskSecrets(b.options), b.sources),
      other_options: b.other_options,
    })),
    effective_default_availability_zone: conf.effective_default_availability_zone,
    scheduler_max_over_subscription_ratio: conf.scheduler_max_over_subscription_ratio,
    defaults: withSources(conf.defaults, conf.defaultSources),
    findings: conf.findings,
  };
}
