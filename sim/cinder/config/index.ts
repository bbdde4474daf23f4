/**
 * cinder.conf as Cinder 2023.1 reads it.  Pure: callers read the files and
 * pass their text; nothing here touches the file system.
 *
 *   loadCinderConf(files: {path, text}[], { host, myIp? }) => CinderConf
 *     files    in --config-file order; later files win, as in oslo.config.
 *     host     stands for the machine's hostname (CONF.host's default).
 *     myIp     stands for the machine's address (CONF.my_ip's default); unset, $my_ip stays as written.
 *   CinderConf = {
 *     files: string[];                       paths as given
 *     hostname: string;
 *     defaults: DefaultOptions;              every [DEFAULT] option the simulator models,
 *                                            typed, Cinder's default where unset
 *                                            (service_down_time after basic_config_check)
 *     defaultSources: Record<name, OptionSource>   {kind:'default', template?} | {kind:'hostname'} |
 *                                            {kind:'file', file, line, section, overrides?} | {kind:'derived', reason}
 *     effective_default_availability_zone: string;
 *     scheduler_max_over_subscription_ratio: { value, source }   [DEFAULT]'s, for pools reporting none
 *     backends: BackendConfig[];             one per non-empty enabled_backends name, in order:
 *                                            { name, group, options: BackendOptions, sources,
 *                                              host: '<backend_host or host>@<name>', cluster,
 *                                              availability_zone, reported_volume_backend_name,
 *                                              driver_modelled, start_failure, other_options }
 *     services: DerivedService[];            cinder-volume per backend, then cinder-scheduler and
 *                                            cinder-backup (host = host, zone = storage_availability_zone)
 *                                            { binary, host, cluster, availability_zone, backend,
 *                                              volume_backend_name, volume_driver, start_failure }
 *     findings: Finding[];                   { severity, rule, file, line, section?, key?, value?,
 *                                              choices?, suggestion?, message }, sorted by file and line
 *   }
 *   resolveServiceDefaults(hostname, set?) => ServiceDefaults   [DEFAULT] as services read it
 *   resolveBackendOptions(set?) => BackendOptions                a backend group, defaults resolved
 *   lintVolumeTypes(conf | conf[], types: {name, extra_specs}[]) => Finding[]
 *   lintDefaultAvailabilityZone(conf, servicesOfEveryNode) => Finding[]
 *   hasErrors(findings) => boolean
 *
 * Values are what Cinder reads: the last assignment in the last file that
 * sets it, after oslo's `$name` template substitution, converted by the
 * option's type (a rejected value is an error finding and the default is
 * kept so the rest still derives).  Option names are Cinder's, verbatim.  The registries in options.ts are the
 * single source of every modelled option's type and default.
 */
export { loadCinderConf } from './load.js';
export { lintDefaultAvailabilityZone } from './lint-az.js';
export type { BackendConfig, CinderConf, DerivedService, LoadOptions, OptionSource, ServiceBinary } from './types.js';
export { lintVolumeTypes, backendNameMatches } from './types-lint.js';
export type { VolumeTypeSpec } from './types-lint.js';
export { lintRules } from './findings.js';
export type { Finding, LintRuleId, Severity } from './findings.js';
export { backendGroupOptions, defaultGroupOptions, legacyOptionNames, LVM_DRIVER, SIMULATED_NODE_IP } from './options.js';
export { extraCapabilities, resolveBackendOptions, resolveServiceDefaults, schedulerDefaults } from './resolved.js';
export type { ServiceDefaults } from './resolved.js';
export type { BackendOptionName, BackendOptions, DefaultOptionName, DefaultOptions, OptSpec } from './options.js';
export { parseIni } from './ini.js';
export { ASSUMED_LVM, backendProvisioning, lintProvisioning, resolveLvmType, sourceText } from './provisioning.js';
export type { BackendProvisioning, LvmFacts, LvmTypeResolution } from './provisioning.js';
export type { IniFile, ParsedIni } from './ini.js';

import type { Finding } from './findings.js';

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
