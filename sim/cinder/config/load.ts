import { convertValue, splitList } from './convert.js';
import { finding, sortFindings, type Finding } from './findings.js';
import { normalizeGroupName, parseIni, type IniAssignment, type IniFile, type IniSectionHeader } from './ini.js';
import { cinderDriverClasses, cinderOptionNames, knownNonBackendSections, osloDefaultOptionNames, renamedDriverClasses } from './known.js';
import {
  backendGroupOptions,
  backendOptionSpec,
  defaultGroupOptions,
  defaultOptionSpec,
  initialBackendOptions,
  initialDefaults,
  IGNORED_IN_DEFAULT,
  legacyOptionNames,
  renamedDefaultOption,
  LVM_DRIVER,
  type AnyOptionValue,
  type BackendOptionName,
  type BackendOptions,
  type DefaultOptionName,
  type DefaultOptions,
  type OptSpec,
} from './options.js';
import { closest } from './suggest.js';
import { substitute, type Lookup } from './substitute.js';

/** Where an effective value came from. */
export type OptionSource =
  /** Cinder's default; `template` when the default is an oslo template such as '$my_ip'. */
  | { kind: 'default'; template?: string }
  /** The machine's hostname, stood for by `--host NAME`. */
  | { kind: 'hostname' }
  | { kind: 'file'; file: string; line: number; section: string }
  | { kind: 'derived'; reason: string };

export interface BackendConfig {
  /** The name as written in enabled_backends: the `@backend` part of the host. */
  name: string;
  /** First header of the backend's group, or null when no file defines it. */
  group: { file: string; line: number; section: string } | null;
  options: BackendOptions;
  sources: Record<BackendOptionName, OptionSource>;
  /** `<backend_host or host>@<name>`. */
  host: string;
  /** `<cluster>@<name>` when [DEFAULT] cluster is set. */
  cluster: string | null;
  /** backend_availability_zone or storage_availability_zone. */
  availability_zone: string;
  /** What the driver reports as volume_backend_name: the option, or 'LVM' for the LVM driver when unset. */
  reported_volume_backend_name: string | null;
  /** False when volume_driver is not the LVM driver the simulator models. */
  driver_modelled: boolean;
  /** Set when the driver cannot be imported: the service fails to start. */
  start_failure: string | null;
  /** Options set in the group that the simulator does not model (driver-specific ones). */
  other_options: { key: string; value: string; file: string; line: number }[];
}

export type ServiceBinary = 'cinder-volume' | 'cinder-scheduler' | 'cinder-backup';

export interface DerivedService {
  binary: ServiceBinary;
  host: string;
  cluster: string | null;
  availability_zone: string;
  /** The backend group for cinder-volume; null for the per-process services. */
  backend: string | null;
  volume_backend_name: string | null;
  volume_driver: string | null;
  /** Why Cinder would fail to create this service (no row in the services table), or null. */
  start_failure: string | null;
}

export interface CinderConf {
  files: string[];
  hostname: string;
  defaults: DefaultOptions;
  defaultSources: Record<DefaultOptionName, OptionSource>;
  /** default_availability_zone, or storage_availability_zone when unset. */
  effective_default_availability_zone: string;
  /** [DEFAULT] max_over_subscription_ratio: the scheduler's value for pools that report none. */
  scheduler_max_over_subscription_ratio: { value: string; source: OptionSource };
  backends: BackendConfig[];
  /** cinder-volume per enabled backend, then the cinder-scheduler and cinder-backup a controller running those binaries would have. */
  services: DerivedService[];
  findings: Finding[];
}

export interface LoadOptions {
  /** Stands for the machine's hostname, CONF.host's default. */
  host: string;
}

/** All sections of all files with one oslo group name, in file order. */
interface Group {
  key: string;
  headers: IniSectionHeader[];
  assignments: IniAssignment[];
}

const DEFAULT = 'DEFAULT';
const SHARED = 'backend_defaults';
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

  const lookupIn = makeLookup(groups, opts.host);
  substituteAll(groups, lookupIn, findings);
  const { defaults, defaultSources, schedulerRatio } = resolveDefaults(groups.get(DEFAULT), opts.host, findings);
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

const MAX_TEMPLATE_DEPTH = 8;

/**
 * Resolves `$name` as oslo.config does from a group: the group's own value,
 * then [DEFAULT]'s (`group.opt` names another group), then the option's
 * default.  Options whose value depends on the machine (my_ip) stay opaque.
 */
function makeLookup(groups: ReadonlyMap<string, Group>, hostname: string): (groupKey: string) => Lookup {
  const last = (groupKey: string, key: string): IniAssignment | undefined => lastAssignments(groups.get(groupKey)).get(key);
  const resolve = (groupKey: string, name: string, depth: number): ReturnType<Lookup> => {
    if (depth > MAX_TEMPLATE_DEPTH) return { kind: 'opaque' };
    const dot = name.indexOf('.');
    const group = dot < 0 ? groupKey : normalizeGroupName(name.slice(0, dot));
    const opt = dot < 0 ? name : name.slice(dot + 1);
    const spec = defaultOptionSpec(opt) ?? backendOptionSpec(opt);
    const known = spec !== undefined || cinderOptionNames.has(opt) || osloDefaultOptionNames.has(opt);
    const library = group !== DEFAULT && group !== SHARED && knownNonBackendSections.has(group);
    // oslo looks names up among registered options: a file line alone does not make one.
    if (!known && !library && dot < 0) return { kind: 'missing' };
    const a = last(group, opt) ?? (dot < 0 && group !== DEFAULT ? last(DEFAULT, opt) : undefined);
    if (a !== undefined) return { kind: 'value', value: substitute(a.value, (n) => resolve(normalizeGroupName(a.section), n, depth + 1)).value };
    if (opt === 'host') return { kind: 'value', value: hostname };
    if (spec !== undefined && (typeof spec.default === 'string' || typeof spec.default === 'number' || typeof spec.default === 'boolean')) {
      const d = String(spec.default);
      return { kind: 'value', value: substitute(d, (n) => resolve(groupKey, n, depth + 1)).value };
    }
    return known || dot >= 0 ? { kind: 'opaque' } : { kind: 'missing' };
  };
  return (groupKey) => (name) => resolve(groupKey, name, 0);
}

/**
 * Replaces each value with what oslo.config's template substitution makes
 * of it, and reports references to options that do not exist: Cinder fails
 * with NoSuchOptError when it reads such a value.
 */
function substituteAll(groups: Map<string, Group>, lookupIn: (groupKey: string) => Lookup, findings: Finding[]): void {
  const enabledRaw = lastAssignments(groups.get(DEFAULT)).get('enabled_backends');
  const enabled = new Set((enabledRaw === undefined ? [] : splitList(enabledRaw.value)).map(normalizeGroupName));
  for (const g of groups.values()) {
    const library = g.key !== DEFAULT && g.key !== SHARED && knownNonBackendSections.has(g.key);
    const read = g.key === DEFAULT || g.key === SHARED || library || enabled.has(g.key);
    g.assignments = g.assignments.map((a) => {
      if (!a.value.includes('$')) return a;
      const r = substitute(a.value, lookupIn(g.key));
      const knownKey = defaultOptionSpec(a.key) !== undefined || backendOptionSpec(a.key) !== undefined || cinderOptionNames.has(a.key) || osloDefaultOptionNames.has(a.key);
      if (read && (library || knownKey)) {
        for (const name of r.missing) {
          findings.push(
            finding('template-substitution', {
              ...(library ? { severity: 'warning' as const } : {}),
              file: a.file,
              line: a.line,
              section: a.section,
              key: a.key,
              value: a.value,
              message:
                `${where(a)}: oslo.config reads $${name} as a reference to an option, and there is no option ${name}` +
                `${library ? ` (unless [${a.section}] registers one)` : ''}: reading ${a.key} fails with NoSuchOptError. Write $$ for a literal $`,
            }),
          );
        }
      }
      if (r.missing.length > 0) return { ...a, unresolved: true as const };
      return r.value === a.value ? a : { ...a, value: r.value, raw: a.value };
    });
  }
}

function groupOf(groups: Map<string, Group>, section: string): Group {
  const key = normalizeGroupName(section);
  let g = groups.get(key);
  if (g === undefined) {
    g = { key, headers: [], assignments: [] };
    groups.set(key, g);
  }
  return g;
}

/** The assignment oslo reads: the last one, in the last file that sets the key. */
function lastAssignments(group: Group | undefined): Map<string, IniAssignment> {
  const out = new Map<string, IniAssignment>();
  for (const a of group?.assignments ?? []) out.set(a.key, a);
  return out;
}

function fileSource(a: IniAssignment): OptionSource {
  return { kind: 'file', file: a.file, line: a.line, section: a.section };
}

function where(a: IniAssignment): string {
  return `[${a.section}] ${a.key}`;
}

/** Converts one assignment; a rejected value is reported and the default kept, so the rest of the view still derives. */
function convertAssignment(spec: OptSpec, a: IniAssignment, findings: Finding[]): { ok: true; value: AnyOptionValue } | { ok: false } {
  if (a.unresolved) return { ok: false };
  const c = convertValue(spec, a.value);
  if (!c.ok) {
    const choices = c.choices && !c.message.startsWith('Valid values') ? `; valid values: ${c.choices.join(', ')}` : '';
    findings.push(
      finding('invalid-value', {
        file: a.file,
        line: a.line,
        section: a.section,
        key: a.key,
        value: a.value,
        ...(c.choices ? { choices: c.choices } : {}),
        message: `${where(a)} = '${a.value}' is not valid: ${c.message}${choices}`,
      }),
    );
    return { ok: false };
  }
  if ('emptyNumber' in c) {
    findings.push(
      finding('empty-number', {
        file: a.file,
        line: a.line,
        section: a.section,
        key: a.key,
        value: a.value,
        message: `${where(a)} is empty: oslo.config reads it as None, not as its default ${String(spec.default)}; the simulator uses the default`,
      }),
    );
    return { ok: false };
  }
  return { ok: true, value: c.value };
}

function resolveDefaults(
  group: Group | undefined,
  hostname: string,
  findings: Finding[],
): { defaults: DefaultOptions; defaultSources: Record<DefaultOptionName, OptionSource>; schedulerRatio: { value: string; source: OptionSource } } {
  const values = initialDefaults(hostname) as Record<string, AnyOptionValue>;
  const sources = {} as Record<string, OptionSource>;
  for (const [name, spec] of Object.entries(defaultGroupOptions) as [string, OptSpec][]) {
    sources[name] = spec.kind === 'str' && spec.hostnameDefault ? { kind: 'hostname' } : { kind: 'default' };
  }
  let schedulerRatio: { value: string; source: OptionSource } = { value: backendGroupOptions.max_over_subscription_ratio.default, source: { kind: 'default' } };
  const assigned = lastAssignments(group);
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
    // The current name, when also set, wins.
    if (assigned.has(current)) continue;
    const c = convertAssignment(defaultGroupOptions[current], a, findings);
    if (c.ok) {
      values[current] = c.value;
      sources[current] = fileSource(a);
    }
  }
  for (const a of assigned.values()) {
    if (renamedDefaultOption(a.key) !== undefined) continue;
    const spec = defaultOptionSpec(a.key);
    if (spec !== undefined) {
      const c = convertAssignment(spec, a, findings);
      if (c.ok) {
        values[a.key] = c.value;
        sources[a.key] = fileSource(a);
        if (spec.kind === 'list' && spec.itemChoices !== undefined && Array.isArray(c.value)) findings.push(...lintListItems(a, c.value, spec.itemChoices));
      }
      continue;
    }
    const backendSpec = backendOptionSpec(a.key);
    if (backendSpec !== undefined) {
      const c = convertAssignment(backendSpec, a, findings);
      if (a.key === 'max_over_subscription_ratio' && c.ok && typeof c.value === 'string') schedulerRatio = { value: c.value, source: fileSource(a) };
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
    const raised = Math.trunc(defaults.report_interval * 2.5);
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

/** Scheduler filter and weigher names: an unknown one stops cinder-scheduler at start. */
function lintListItems(a: IniAssignment, items: readonly string[], choices: readonly string[]): Finding[] {
  const what = a.key === 'scheduler_default_filters' ? 'Scheduler Host Filter' : 'Scheduler Host Weigher';
  return items
    .filter((item) => !choices.includes(item))
    .map((item) => {
      const suggestion = closest(item, choices);
      return finding('unknown-scheduler-class', {
        file: a.file,
        line: a.line,
        section: a.section,
        key: a.key,
        value: item,
        choices,
        ...(suggestion === null ? {} : { suggestion }),
        message: `${where(a)}: ${what} ${item} could not be found (cinder-scheduler fails to start); valid names: ${choices.join(', ')}${suggestion === null ? '' : `; did you mean ${suggestion}?`}`,
      });
    });
}

/**
 * An option neither registry models: a legacy name, a name Cinder or oslo
 * registers (accepted silently), or an unknown one (with a suggestion).
 */
function lintUnlistedOption(a: IniAssignment, scope: 'default' | 'backend', inTreeDriver: boolean, findings: Finding[]): void {
  const legacy = legacyOptionNames[a.key];
  if (legacy !== undefined) {
    findings.push(
      finding('legacy-option', {
        file: a.file,
        line: a.line,
        section: a.section,
        key: a.key,
        value: a.value,
        suggestion: legacy,
        message: `${where(a)} is a pre-Queens name that Cinder 2023.1 no longer registers; it is silently ignored and ${legacy} keeps its value. Rename it to ${legacy}`,
      }),
    );
    return;
  }
  if (cinderOptionNames.has(a.key) || (scope === 'default' && osloDefaultOptionNames.has(a.key))) return;
  const candidates = scope === 'default' ? [...Object.keys(defaultGroupOptions), ...Object.keys(backendGroupOptions), ...cinderOptionNames, ...osloDefaultOptionNames] : [...Object.keys(backendGroupOptions), ...cinderOptionNames];
  const suggestion = closest(a.key, candidates);
  const hint = suggestion === null ? '' : `; did you mean ${suggestion}?`;
  const outOfTree = scope === 'backend' && !inTreeDriver;
  findings.push(
    finding('unknown-option', {
      ...(outOfTree ? { severity: 'info' as const } : {}),
      file: a.file,
      line: a.line,
      section: a.section,
      key: a.key,
      value: a.value,
      ...(suggestion === null ? {} : { suggestion }),
      message: outOfTree
        ? `${where(a)} is not a Cinder 2023.1 option; the out-of-tree driver may register it${hint}`
        : `${where(a)} is not a Cinder 2023.1 option; oslo.config ignores it${hint}`,
    }),
  );
}

function lintSharedGroup(shared: Group | undefined, findings: Finding[]): void {
  for (const a of lastAssignments(shared).values()) {
    const spec = backendOptionSpec(a.key);
    if (spec !== undefined) {
      convertAssignment(spec, a, findings);
      if (spec.sharedDefault === false) {
        findings.push(finding('wrong-section', { file: a.file, line: a.line, section: a.section, key: a.key, value: a.value, message: `${where(a)} is ignored: cinder-volume reads ${a.key} only from each backend's own group` }));
      }
      continue;
    }
    if (!lintDefaultOnlyOutside(a, findings)) lintUnlistedOption(a, 'backend', true, findings);
  }
}

/** A [DEFAULT]-only option in another group: Cinder never reads it there. */
function lintDefaultOnlyOutside(a: IniAssignment, findings: Finding[]): boolean {
  const spec = defaultOptionSpec(a.key);
  if (spec === undefined) return false;
  const advice = spec.inBackend === undefined ? 'set it in [DEFAULT]' : spec.inBackend;
  findings.push(finding('wrong-section', { file: a.file, line: a.line, section: a.section, key: a.key, value: a.value, message: `${where(a)} is ignored: Cinder reads ${a.key} only from [DEFAULT]; ${advice}` }));
  return true;
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
      sources[a.key] = fileSource(a);
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
        sources[a.key] = fileSource(a);
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

  const hostPrefix = options.backend_host || defaults.host;
  const host = `${hostPrefix}@${name}`;
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
    start_failure: !importFailure ? null : `Volume service ${host} failed to start. (cannot import ${driver})`,
    other_options: other,
  };
}

function missingGroupFinding(name: string, src: OptionSource): Finding {
  const at = src.kind === 'file' ? { file: src.file, line: src.line } : { file: null, line: null };
  return finding('missing-backend-group', {
    ...at,
    section: DEFAULT,
    key: 'enabled_backends',
    value: name,
    message: `enabled_backends names ${name} but no file has a [${name}] section: its service starts with every option at its [backend_defaults] or built-in default (the LVM driver on volume group cinder-volumes)`,
  });
}

function lintDriver(a: IniAssignment, backend: string): Finding[] {
  const driver = a.value;
  const at = { file: a.file, line: a.line, section: a.section, key: a.key, value: driver };
  const renamed = renamedDriverClasses[driver];
  if (renamed !== undefined) {
    return [finding('renamed-driver', { ...at, suggestion: renamed, message: `Driver path ${driver} is deprecated, update your configuration to the new path. (${renamed})` })];
  }
  if (driver === LVM_DRIVER) return [];
  if (cinderDriverClasses.has(driver)) {
    return [finding('unmodelled-driver', { ...at, message: `${driver} is a Cinder driver the simulator does not model; backend ${backend} is shown with the generic options only` })];
  }
  if (driver.startsWith('cinder.volume.drivers.')) {
    const suggestion = closest(driver, cinderDriverClasses) ?? onlyClassInModule(driver);
    return [
      finding('unknown-driver', {
        ...at,
        ...(suggestion === null ? {} : { suggestion }),
        message: `Cinder 2023.1 has no driver class ${driver}: the import fails and the service for ${backend} does not start ("Volume service <host>@${backend} failed to start.")${suggestion === null ? '' : `; did you mean ${suggestion}?`}`,
      }),
    ];
  }
  return [finding('unmodelled-driver', { ...at, message: `${driver} is not a Cinder 2023.1 in-tree driver; if it is installed, the simulator still does not model it` })];
}

/** Old names of a module's single driver (lvm.LVMISCSIDriver) point at what replaced them. */
function onlyClassInModule(driver: string): string | null {
  const module = driver.slice(0, driver.lastIndexOf('.') + 1);
  const same = [...cinderDriverClasses].filter((c) => c.startsWith(module) && !c.slice(module.length).includes('.'));
  return same.length === 1 ? same[0]! : null;
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

/** The same key twice in one section of one file: oslo keeps the last. */
function duplicateOptions(assignments: readonly IniAssignment[]): Finding[] {
  const seen = new Map<string, IniAssignment>();
  const out: Finding[] = [];
  for (const a of assignments) {
    const id = `${normalizeGroupName(a.section)}\u0000${a.key}`;
    const before = seen.get(id);
    if (before !== undefined) {
      out.push(finding('duplicate-option', { file: a.file, line: a.line, section: a.section, key: a.key, value: a.value, message: `${where(a)} is also set at line ${before.line}; the last value ('${a.value}') wins` }));
    }
    seen.set(id, a);
  }
  return out;
}

/** A group that sets any backend option is meant as a backend, whatever its name. */
function looksLikeBackend(g: Group): boolean {
  return g.assignments.some((a) => backendOptionSpec(a.key) !== undefined);
}

function lintGroups(groups: ReadonlyMap<string, Group>, enabled: readonly string[], findings: Finding[]): void {
  const enabledKeys = new Set(enabled.map(normalizeGroupName));
  const missing = enabled.filter((n) => !groups.has(normalizeGroupName(n)));
  for (const g of groups.values()) {
    if (g.key === DEFAULT || enabledKeys.has(g.key) || knownNonBackendSections.has(g.key)) continue;
    const header = g.headers[0];
    if (header === undefined) continue;
    const at = { file: header.file, line: header.line, section: header.name };
    if (header.name.toUpperCase() === DEFAULT) {
      findings.push(finding('misspelt-section', { ...at, suggestion: DEFAULT, message: `[${header.name}] is not [DEFAULT]: oslo.config matches DEFAULT case-sensitively, so its options are not read; did you mean [DEFAULT]?` }));
      continue;
    }
    // A group of backend options can only be a misspelt [backend_defaults].
    const known = g.key.length < 4 ? null : closest(g.key, looksLikeBackend(g) ? [SHARED] : knownNonBackendSections);
    if (known !== null) {
      findings.push(finding('misspelt-section', { ...at, suggestion: known, message: `[${header.name}] is not a section Cinder reads, and enabled_backends does not name it; did you mean [${known}]?` }));
      continue;
    }
    const backend = closest(g.key, missing);
    findings.push(
      finding('unused-backend-group', {
        ...at,
        ...(backend === null ? {} : { suggestion: backend }),
        message:
          backend === null
            ? `[${header.name}] is never enabled: enabled_backends does not name it, so no service uses it`
            : `[${header.name}] is never enabled, and enabled_backends names ${backend}, which has no section; did you mean ${backend}?`,
      }),
    );
    const driver = lastAssignments(g).get('volume_driver');
    // Reported now so that enabling the group later holds no second surprise.
    if (driver !== undefined) findings.push(...lintDriver(driver, header.name).map((f) => (f.severity === 'error' ? { ...f, severity: 'warning' as const, message: `if enabled: ${f.message}` } : f)));
  }
}

function lintBackendNames(backends: readonly BackendConfig[], findings: Finding[]): void {
  const byName = new Map<string, BackendConfig[]>();
  for (const b of backends) {
    if (b.reported_volume_backend_name === null) continue;
    byName.set(b.reported_volume_backend_name, [...(byName.get(b.reported_volume_backend_name) ?? []), b]);
  }
  for (const [name, list] of byName) {
    if (list.length < 2) continue;
    const second = list[1]!;
    const src = second.sources.volume_backend_name;
    const at = src.kind === 'file' ? { file: src.file, line: src.line } : second.group === null ? { file: null, line: null } : { file: second.group.file, line: second.group.line };
    findings.push(
      finding('duplicate-backend-name', {
        ...at,
        value: name,
        message: `backends ${list.map((b) => b.name).join(', ')} all report volume_backend_name ${name}: legal; a type naming it lets the scheduler choose among them by weight`,
      }),
    );
  }
}

/**
 * A default availability zone no cinder-volume service is in: creates that
 * name no zone fail with No valid backend (AvailabilityZoneFilter).  Exported
 * so a multi-node scenario can check one node's setting against every node's
 * services.
 */
export function lintDefaultAvailabilityZone(conf: Pick<CinderConf, 'defaults' | 'defaultSources'>, services: readonly DerivedService[]): Finding[] {
  const volume = services.filter((s) => s.binary === 'cinder-volume');
  const explicit = conf.defaults.default_availability_zone;
  const effectiveDefaultAz = explicit ?? conf.defaults.storage_availability_zone;
  if (volume.length === 0 || volume.some((s) => s.availability_zone === effectiveDefaultAz)) return [];
  const zones = [...new Set(volume.map((s) => s.availability_zone))];
  const source = explicit === null ? conf.defaultSources.storage_availability_zone : conf.defaultSources.default_availability_zone;
  const setting = explicit === null ? 'storage_availability_zone, as default_availability_zone is unset' : 'default_availability_zone';
  return [
    finding('default-az-without-service', {
      file: source.kind === 'file' ? source.file : null,
      line: source.kind === 'file' ? source.line : null,
      section: DEFAULT,
      key: explicit === null ? 'storage_availability_zone' : 'default_availability_zone',
      value: effectiveDefaultAz,
      choices: zones,
      message: `new volumes with no zone go to ${effectiveDefaultAz} (${setting}), but no cinder-volume service is in it (zones: ${zones.join(', ')}): such creates fail with No valid backend`,
    }),
  ];
}
