import { volumeServiceHost } from '../host.js';
import { effectiveServiceDownTime } from '../service/index.js';
import { convertValue } from './convert.js';
import { finding, sortFindings, type Finding } from './findings.js';
import { DEFAULT, fileSource, groupOf, lastAssignments, SHARED, where, type Group } from './groups.js';
import { normalizeGroupName, parseIni, type IniFile } from './ini.js';
import { cinderDriverClasses, renamedDriverClasses } from './known.js';
import { lintDefaultAvailabilityZone } from './lint-az.js';
import { lintDriver } from './lint-driver.js';
import { duplicateOptions, lintBackendNames, lintGroups, missingGroupFinding } from './lint-groups.js';
import { convertAssignment, lintDefaultOnlyOutside, lintListItems, lintSharedGroup, lintUnlistedOption } from './lint-options.js';
import {
  backendGroupOptions,
  backendOptionSpec,
  defaultGroupOptions,
  defaultOptionSpec,
  initialBackendOptions,
  initialDefaults,
  IGNORED_IN_DEFAULT,
  LVM_DRIVER,
  renamedDefaultOption,
  type AnyOptionValue,
  type BackendOptionName,
  type BackendOptions,
  type DefaultOptionName,
  type DefaultOptions,
  type OptSpec,
} from './options.js';
import { substitute, type Lookup } from './substitute.js';
import { makeLookup, substituteAll } from './templates.js';
import type { BackendConfig, CinderConf, DerivedService, LoadOptions, OptionSource } from './types.js';

const ENABLED_BACKENDS_MISSING =
  'Configuration for cinder-volume does not specify "enabled_backends". Using DEFAULT section to configure drivers is not supported since Ocata.';

export function loadCinderConf(files: readonly IniFile[], opts: LoadOptions): CinderConf {
  const findings: Finding[] = [];
  const groups = new Map<string, Group>();
  for (const file of files) {
    const parsed = parseIni(file);
    for (const e of parsed.errors) {
      const bom = e.line === 1 && e.text.startsWith('\ufeff') ? ' (the file starts with a UTF-8 byte order mark, which oslo.config reads as text; save it without one)' : '';
      findings.push(finding('parse-error', { file: e.file, line: e.line, value: e.text, message: `oslo.config refuses this file: ${e.message}: '${e.text}'${bom}` }));
    }
    for (const h of parsed.sections) groupOf(groups, h.name).headers.push(h);
    for (const a of parsed.assignments) groupOf(groups, a.section).assignments.push(a);
    findings.push(...duplicateOptions(parsed.assignments));
  }

  const lookupIn = makeLookup(groups, opts.host, opts.myIp);
  substituteAll(groups, lookupIn, findings);
  const { defaults, defaultSources, schedulerRatio } = resolveDefaults(groups.get(DEFAULT), opts, findings);
  const shared = groups.get(SHARED);
  lintSharedGroup(shared, findings);

  const enabled = enabledBackendNames(defaults, defaultSources, findings);
  const backends = enabled.map((name) => resolveBackend(name, groups.get(normalizeGroupName(name)), shared, defaults, defaultSources, lookupIn(normalizeGroupName(name)), findings));
  const services = deriveServices(defaults, backends);
  lintGroups(groups, enabled, findings);
  lintBackendNames(backends, findings);
  const effectiveDefaultAz = defaults.default_availability_zone ?? defaults.storage_availability_zone;
  findings.push(...lintDefaultAvailabilityZone({ defaults, defaultSources }, services));

  const fileOrder = files.map((f) => f.path);
  return {
    files: fileOrder,
    hostname: opts.host,
    defaults,
    defaultSources,
    effective_default_availability_zone: effectiveDefaultAz,
    scheduler_max_over_subscription_ratio: schedulerRatio,
    backends,
    services,
    findings: sortFindings(findings, fileOrder),
  };
}

function resolveDefaults(
  group: Group | undefined,
  opts: LoadOptions,
  findings: Finding[],
): { defaults: DefaultOptions; defaultSources: Record<DefaultOptionName, OptionSource>; schedulerRatio: { value: string; source: OptionSource } } {
  const values = initialDefaults(opts.host) as Record<string, AnyOptionValue>;
  const sources = {} as Record<string, OptionSource>;
  for (const [name, spec] of Object.entries(defaultGroupOptions) as [string, OptSpec][]) {
    sources[name] = spec.kind === 'str' && spec.hostnameDefault ? { kind: 'hostname' } : { kind: 'default' };
  }
  let schedulerRatio: { value: string; source: OptionSource } = { value: backendGroupOptions.max_over_subscription_ratio.default, source: { kind: 'default' } };
  const assigned = lastAssignments(group);
  const all = group?.assignments ?? [];
  const namesOf = (current: string): string[] => [current, ...(defaultOptionSpec(current)?.deprecatedNames ?? [])];
  // Options a deprecated name sets: oslo reads the last file that sets either name (the current one within a file).
  const byOldName = new Set<string>();
  for (const a of assigned.values()) {
    const current = renamedDefaultOption(a.key);
    if (current === undefined) continue;
    findings.push(
      finding('deprecated-option', {
        file: a.file,
        line: a.line,
        section: a.section,
        key: a.key,
        value: a.value,
        suggestion: current,
        message: `Option "${a.key}" from group "DEFAULT" is deprecated. Use option "${current}" from group "DEFAULT".`,
      }),
    );
    // The current name wins when set in the same file or a later one.
    const now = assigned.get(current);
    if (now !== undefined && (now.file === a.file || all.indexOf(now) > all.indexOf(a))) continue;
    const c = convertAssignment(defaultGroupOptions[current], a, findings);
    if (c.ok) {
      values[current] = c.value;
      sources[current] = fileSource(a, group, namesOf(current));
      byOldName.add(current);
    }
  }
  for (const a of assigned.values()) {
    if (renamedDefaultOption(a.key) !== undefined) continue;
    const spec = defaultOptionSpec(a.key);
    if (spec !== undefined) {
      const c = convertAssignment(spec, a, findings);
      if (c.ok && !byOldName.has(a.key)) {
        values[a.key] = c.value;
        sources[a.key] = fileSource(a, group, namesOf(a.key));
        if (spec.kind === 'list' && spec.itemClass !== undefined && Array.isArray(c.value)) findings.push(...lintListItems(a, c.value, opts.schedulerClasses[spec.itemClass]));
      }
      continue;
    }
    const backendSpec = backendOptionSpec(a.key);
    if (backendSpec !== undefined) {
      const c = convertAssignment(backendSpec, a, findings);
      if (a.key === 'max_over_subscription_ratio' && c.ok && typeof c.value === 'string') schedulerRatio = { value: c.value, source: fileSource(a, group) };
      findings.push(
        finding('wrong-section', {
          file: a.file,
          line: a.line,
          section: a.section,
          key: a.key,
          value: a.value,
          message: `${where(a)} is ${backendSpec.inDefault ?? IGNORED_IN_DEFAULT}; set it in [backend_defaults] or in the backend's group`,
        }),
      );
      continue;
    }
    lintUnlistedOption(a, 'default', true, findings);
  }
  const defaults = values as DefaultOptions;
  const defaultSources = sources as Record<DefaultOptionName, OptionSource>;
  if (defaults.report_interval && defaults.service_down_time <= defaults.report_interval) {
    const raised = effectiveServiceDownTime(defaults);
    const src = defaultSources.service_down_time;
    findings.push(
      finding('service-down-time-override', {
        file: src.kind === 'file' ? src.file : null,
        line: src.kind === 'file' ? src.line : null,
        section: DEFAULT,
        key: 'service_down_time',
        value: String(defaults.service_down_time),
        message:
          `Report interval must be less than service down time. Current config service_down_time: ${defaults.service_down_time}, ` +
          `report_interval for this: service is: ${defaults.report_interval}. Setting global service_down_time to: ${raised}`,
      }),
    );
    defaults.service_down_time = raised;
    defaultSources.service_down_time = { kind: 'derived', reason: `service.py basic_config_check: int(report_interval * 2.5) because service_down_time <= report_interval` };
  }
  return { defaults, defaultSources, schedulerRatio };
}

function enabledBackendNames(defaults: DefaultOptions, sources: Record<DefaultOptionName, OptionSource>, findings: Finding[]): string[] {
  const src = sources.enabled_backends;
  const at = src.kind === 'file' ? { file: src.file, line: src.line } : { file: null, line: null };
  const names = (defaults.enabled_backends ?? []).filter((n) => n !== '');
  if (names.length === 0) {
    findings.push(finding('no-enabled-backends', { ...at, section: DEFAULT, key: 'enabled_backends', message: `cinder-volume would exit with status 1: ${ENABLED_BACKENDS_MISSING}` }));
  }
  const seen = new Set<string>();
  const out: string[] = [];
  for (const n of names) {
    if (seen.has(n)) {
      findings.push(
        finding('duplicate-enabled-backend', {
          ...at,
          section: DEFAULT,
          key: 'enabled_backends',
          value: n,
          message: `enabled_backends names ${n} twice: cinder-volume starts two services with the same host; listed once here`,
        }),
      );
      continue;
    }
    seen.add(n);
    out.push(n);
  }
  return out;
}

function resolveBackend(
  name: string,
  own: Group | undefined,
  shared: Group | undefined,
  defaults: DefaultOptions,
  defaultSources: Record<DefaultOptionName, OptionSource>,
  lookup: Lookup,
  findings: Finding[],
): BackendConfig {
  const values = initialBackendOptions() as Record<string, AnyOptionValue>;
  // Defaults are templates too ('$my_ip', '$state_path/volumes').
  const templated = new Map<string, string>();
  for (const [k, v] of Object.entries(values)) {
    if (typeof v !== 'string' || !v.includes('$')) continue;
    const r = substitute(v, lookup).value;
    if (r !== v) templated.set(k, v);
    values[k] = r;
  }
  const sources = {} as Record<string, OptionSource>;
  for (const k of Object.keys(backendGroupOptions)) {
    const template = templated.get(k);
    sources[k] = template === undefined ? { kind: 'default' } : { kind: 'default', template };
  }
  const sharedValues = lastAssignments(shared);
  const ownValues = lastAssignments(own);
  // Values in [backend_defaults] were checked once by lintSharedGroup; only apply them here.
  for (const a of sharedValues.values()) {
    const spec = backendOptionSpec(a.key);
    if (spec === undefined || spec.sharedDefault === false || a.unresolved) continue;
    const c = convertValue(spec, a.value);
    if (c.ok && c.value !== null) {
      values[a.key] = c.value;
      sources[a.key] = fileSource(a, shared);
    }
  }
  const driverAssignment = ownValues.get('volume_driver') ?? sharedValues.get('volume_driver');
  const driver = driverAssignment?.value ?? LVM_DRIVER;
  const inTree = cinderDriverClasses.has(driver) || driver in renamedDriverClasses;
  const other: BackendConfig['other_options'] = [];
  for (const a of ownValues.values()) {
    const spec = backendOptionSpec(a.key);
    if (spec !== undefined) {
      const c = convertAssignment(spec, a, findings);
      if (c.ok) {
        values[a.key] = c.value;
        sources[a.key] = fileSource(a, own);
      }
      continue;
    }
    if (lintDefaultOnlyOutside(a, findings)) continue;
    other.push({ key: a.key, value: a.value, file: a.file, line: a.line });
    lintUnlistedOption(a, 'backend', inTree, findings);
  }
  const options = values as BackendOptions;
  if (own === undefined) findings.push(missingGroupFinding(name, defaultSources.enabled_backends));
  const driverFindings = driverAssignment === undefined ? [] : lintDriver(driverAssignment, name);
  findings.push(...driverFindings);
  const importFailure = driverFindings.some((f) => f.rule === 'unknown-driver');
  const extra = parseExtraCapabilities(options.extra_capabilities, sources.extra_capabilities!, findings);

  const host = volumeServiceHost(defaults.host, name, options.backend_host);
  const clusterName = defaults.cluster?.trim() || null;
  const lvm = driver === LVM_DRIVER;
  const header = own?.headers[0];
  return {
    name,
    group: header === undefined ? null : { file: header.file, line: header.line, section: header.name },
    options,
    sources: sources as Record<BackendOptionName, OptionSource>,
    host,
    cluster: clusterName === null ? null : `${clusterName}@${name}`,
    availability_zone: options.backend_availability_zone || defaults.storage_availability_zone,
    reported_volume_backend_name: options.volume_backend_name || (lvm ? 'LVM' : null),
    driver_modelled: lvm,
    start_failure: importFailure
      ? `Volume service ${host} failed to start. (cannot import ${driver})`
      : extra === null
        ? `Volume service ${host} failed to start. (Invalid JSON: ${options.extra_capabilities})`
        : null,
    extra_capabilities: extra ?? {},
    other_options: other,
  };
}

/**
 * VolumeManager.__init__ parses extra_capabilities with jsonutils.loads and
 * re-raises on failure ("Invalid JSON: <value>"): the service does not
 * start.  Anything but an object breaks the pool.update() that merges it.
 */
function parseExtraCapabilities(raw: string, source: OptionSource, findings: Finding[]): Record<string, unknown> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  const at = source.kind === 'file' ? { file: source.file, line: source.line, section: source.section } : { file: null, line: null };
  findings.push(finding('invalid-value', { ...at, key: 'extra_capabilities', value: raw, message: `Invalid JSON: ${raw} (extra_capabilities must be a JSON object; cinder-volume fails to start)` }));
  return null;
}

function deriveServices(defaults: DefaultOptions, backends: readonly BackendConfig[]): DerivedService[] {
  const volume = backends.map(
    (b): DerivedService => ({
      binary: 'cinder-volume',
      host: b.host,
      cluster: b.cluster,
      availability_zone: b.availability_zone,
      backend: b.name,
      volume_backend_name: b.options.volume_backend_name,
      volume_driver: b.options.volume_driver,
      start_failure: b.start_failure,
    }),
  );
  const perProcess = (['cinder-scheduler', 'cinder-backup'] as const).map(
    (binary): DerivedService => ({
      binary,
      host: defaults.host,
      cluster: null,
      availability_zone: defaults.storage_availability_zone,
      backend: null,
      volume_backend_name: null,
      volume_driver: null,
      start_failure: null,
    }),
  );
  return [...volume, ...perProcess];
}
