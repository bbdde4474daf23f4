/**
 * The option registry: every cinder.conf option the simulator models, with
 * Cinder 21.3.1 (2023.1) types, defaults and bounds, in ONE object map per
 * scope.  The typed option objects, their defaults, value checking and the
 * "unknown option" / "wrong section" lint all derive from these two maps.
 *
 * Scopes follow where Cinder reads each option:
 * - `defaultGroupOptions`: read from [DEFAULT] only (CONF.<name>).
 * - `backendGroupOptions`: read through volume/configuration.py's
 *   BackendGroupConfiguration: the backend's own group, then
 *   [backend_defaults]; never [DEFAULT] (since Ocata).
 */

export type OptKind = 'str' | 'bool' | 'int' | 'float' | 'list' | 'port';

interface OptBase {
  help: string;
}

export interface StrOptSpec<D extends string | null = string | null> extends OptBase {
  kind: 'str';
  default: D;
  choices?: readonly string[];
  /** Cinder's regex, as oslo.config applies it (`regex.search`). */
  regex?: string;
  /** Set where the default is the machine's hostname (stood for by `--host NAME`). */
  hostnameDefault?: true;
  /** Masked in output, as oslo.config masks it in logs. */
  secret?: true;
}
export interface BoolOptSpec extends OptBase {
  kind: 'bool';
  default: boolean;
}
export interface IntOptSpec extends OptBase {
  kind: 'int' | 'port';
  default: number;
  min?: number;
  max?: number;
}
export interface FloatOptSpec extends OptBase {
  kind: 'float';
  default: number;
  min?: number;
  max?: number;
}
export interface ListOptSpec<D extends readonly string[] | null = readonly string[] | null> extends OptBase {
  kind: 'list';
  default: D;
  /**
   * Each item must name a scheduler class of this kind (checked by the lint, as
   * Cinder checks at service start); the names come from the scheduler's
   * registries through LoadOptions.schedulerClasses.
   */
  itemClass?: SchedulerClassKind;
}

export type OptSpec = StrOptSpec | BoolOptSpec | IntOptSpec | FloatOptSpec | ListOptSpec;

/** What a backend option means when written in [DEFAULT] instead (default: ignored). */
export interface BackendOptExtras {
  inDefault?: string;
  /** False for options not read through [backend_defaults] (only backend_host). */
  sharedDefault?: false;
}
/** Advice when a [DEFAULT]-only option is written in a backend group; old names oslo still reads. */
export interface DefaultOptExtras {
  inBackend?: string;
  deprecatedNames?: readonly string[];
}

const str = <D extends string | null>(d: D, help: string, more: Partial<StrOptSpec<D>> = {}): StrOptSpec<D> => ({ kind: 'str', default: d, help, ...more });
const bool = (d: boolean, help: string): BoolOptSpec => ({ kind: 'bool', default: d, help });
const int = (d: number, help: string, more: { min?: number; max?: number } = {}): IntOptSpec => ({ kind: 'int', default: d, help, ...more });
const port = (d: number, help: string): IntOptSpec => ({ kind: 'port', default: d, help, min: 0, max: 65535 });
const float = (d: number, help: string): FloatOptSpec => ({ kind: 'float', default: d, help });
const list = <D extends readonly string[] | null>(d: D, help: string, more: { itemClass?: SchedulerClassKind } = {}): ListOptSpec<D> => ({ kind: 'list', default: d, help, ...more });

/** The kinds of scheduler class a list option may name. */
export type SchedulerClassKind = 'filter' | 'weigher';

export const LVM_DRIVER = 'cinder.volume.drivers.lvm.LVMVolumeDriver';

export const defaultGroupOptions = {
  host: { ...str('', 'Name of this node; the cinder-volume host is <host>@<backend>.', { hostnameDefault: true }), inBackend: 'use backend_host in the backend group' },
  state_path: str('/var/lib/cinder', 'Top-level directory for Cinder\'s state ($state_path in other options).'),
  enabled_backends: list(null, 'Backend config groups to run, one cinder-volume service each.'),
  cluster: str(null, 'Active-active cluster name; the service cluster is <cluster>@<backend>.'),
  storage_availability_zone: { ...str('nova', 'Availability zone of this node.'), inBackend: 'use backend_availability_zone in the backend group' },
  default_availability_zone: str(null, 'Zone for new volumes with none given; unset means storage_availability_zone.'),
  allow_availability_zone_fallback: bool(false, 'Fall back to the default zone when the requested one is invalid.'),
  az_cache_duration: int(3600, 'Seconds the API caches the availability zone list.'),
  default_volume_type: str('__DEFAULT__', 'Volume type used when a request names none.'),
  report_interval: int(10, 'Seconds between service heartbeats.'),
  service_down_time: int(60, 'Seconds since the last heartbeat after which a service is down.'),
  periodic_interval: int(60, 'Seconds between periodic task runs.'),
  periodic_fuzzy_delay: int(60, 'Random initial delay (0..n s) before periodic tasks start.'),
  backend_stats_polling_interval: int(60, 'Seconds between capability reports to the scheduler.', { min: 3 }),
  backup_driver_stats_polling_interval: { ...int(60, 'Seconds between backup capability reports.', { min: 10 }), deprecatedNames: ['backup_driver_status_check_interval'] },
  scheduler_driver: str('cinder.scheduler.filter_scheduler.FilterScheduler', 'Scheduler driver class.'),
  scheduler_host_manager: str('cinder.scheduler.host_manager.HostManager', 'Scheduler host manager class.'),
  scheduler_default_filters: list(['AvailabilityZoneFilter', 'CapacityFilter', 'CapabilitiesFilter'], 'Filter class names.', { itemClass: 'filter' }),
  scheduler_default_weighers: list(['CapacityWeigher'], 'Weigher class names.', { itemClass: 'weigher' }),
  scheduler_weight_handler: str('cinder.scheduler.weights.OrderedHostWeightHandler', 'How weighed backends are picked.', {
    choices: ['cinder.scheduler.weights.OrderedHostWeightHandler', 'cinder.scheduler.weights.stochastic.StochasticHostWeightHandler'],
  }),
  scheduler_max_attempts: int(3, 'Attempts to schedule a volume.'),
  scheduler_driver_init_wait_time: int(60, 'Seconds the scheduler waits for capability reports at start.', { min: 1 }),
  capacity_weight_multiplier: float(1.0, 'CapacityWeigher multiplier.'),
  allocated_capacity_weight_multiplier: float(-1.0, 'AllocatedCapacityWeigher multiplier.'),
  volume_number_multiplier: float(-1.0, 'VolumeNumberWeigher multiplier.'),
  snapshot_same_host: bool(true, 'Create volumes from snapshots on the snapshot\'s backend.'),
  cloned_volume_same_az: bool(true, 'Clones stay in the source volume\'s zone.'),
  no_snapshot_gb_quota: bool(false, 'Snapshots do not count against the gigabytes quota.'),
  enable_force_upload: bool(false, 'Allow uploading an in-use volume to an image.'),
  volume_name_template: str('volume-%s', 'Template for volume names.'),
  snapshot_name_template: str('snapshot-%s', 'Template for snapshot names.'),
  backup_name_template: str('backup-%s', 'Template for backup names.'),
  backup_driver: str('cinder.backup.drivers.swift.SwiftBackupDriver', 'Backup driver class.'),
  backup_use_same_host: bool(false, 'Back up on the volume\'s own host.'),
  quota_volumes: int(10, 'Volumes per project.'),
  quota_snapshots: int(10, 'Snapshots per project.'),
  quota_gigabytes: int(1000, 'Volume and snapshot gigabytes per project.'),
  quota_backups: int(10, 'Backups per project.'),
  quota_backup_gigabytes: int(1000, 'Backup gigabytes per project.'),
  quota_groups: int(10, 'Groups per project.'),
  per_volume_size_limit: int(-1, 'Largest volume in GB (-1: no limit).'),
  reservation_expire: int(86400, 'Seconds until a quota reservation expires.'),
  volume_transfer_key_length: int(16, 'Characters in a transfer auth key.'),
  volume_transfer_salt_length: int(8, 'Characters in a transfer salt.'),
  message_ttl: int(2592000, 'Seconds user messages are kept.'),
  message_reap_interval: int(86400, 'Seconds between user message clean-ups.'),
  rpc_response_timeout: int(60, 'Seconds to wait for the answer to an RPC call (oslo.messaging).'),
} as const satisfies Record<string, OptSpec & DefaultOptExtras>;

/** What [DEFAULT] does with a backend option that says nothing else. */
export const IGNORED_IN_DEFAULT = 'ignored by every backend since Ocata (backends read their own group, then [backend_defaults])';

export const backendGroupOptions = {
  volume_driver: str(LVM_DRIVER, 'Driver class of this backend.'),
  volume_backend_name: str(null, 'Name reported to the scheduler (LVM reports "LVM" when unset); need not be unique.'),
  backend_host: { ...str(null, 'Overrides [DEFAULT] host for this backend\'s service.'), sharedDefault: false, inDefault: 'ignored: cinder-volume reads backend_host only from each backend group' },
  backend_availability_zone: str(null, 'Zone of this backend; unset means storage_availability_zone.'),
  extra_capabilities: str('{}', 'JSON object merged into every pool\'s capabilities.'),
  reserved_percentage: {
    ...int(0, 'Percentage of capacity kept free.', { min: 0, max: 100 }),
    inDefault: 'ignored by backends; backends read their own group, then [backend_defaults]',
  },
  max_over_subscription_ratio: {
    ...str('20.0', 'Thin over-subscription ratio, or "auto".', { regex: '^(auto|\\d*\\.\\d+|\\d+)$' }),
    inDefault: 'read only by the scheduler, as the fallback for pools that report none; backends read their own group, then [backend_defaults]',
  },
  volume_group: str('cinder-volumes', 'LVM volume group.'),
  lvm_type: str('auto', 'LVM provisioning: default (thick), thin, or auto (thin when supported).', { choices: ['default', 'thin', 'auto'] }),
  lvm_mirrors: int(0, 'LVM mirrors per volume.'),
  lvm_conf_file: str('/etc/cinder/lvm.conf', 'LVM configuration file.'),
  lvm_suppress_fd_warnings: bool(false, 'Suppress LVM leaked file descriptor warnings.'),
  target_helper: str('tgtadm', 'Target user-land tool.', { choices: ['tgtadm', 'lioadm', 'scstadmin', 'iscsictl', 'ietadm', 'nvmet', 'spdk-nvmeof', 'fake'] }),
  target_protocol: str('iscsi', 'Target protocol.', { choices: ['iscsi', 'iser', 'nvmet_rdma', 'nvmet_tcp'] }),
  target_ip_address: str('$my_ip', 'IP address of the target.'),
  target_port: port(3260, 'Port of the target.'),
  target_prefix: str('iqn.2010-10.org.openstack:', 'Prefix of target names.'),
  iscsi_secondary_ip_addresses: list([], 'Extra portal addresses.'),
  iscsi_write_cache: str('on', 'tgt write cache.', { choices: ['on', 'off'] }),
  iscsi_target_flags: str('', 'tgt target flags.'),
  volumes_dir: str('$state_path/volumes', 'Directory of tgt persistence files.'),
  volume_clear: str('zero', 'Wipe deleted thick volumes.', { choices: ['none', 'zero'] }),
  volume_clear_size: int(0, 'MiB to wipe (0: all).', { max: 1024 }),
  volume_dd_blocksize: str('1M', 'dd block size.'),
  use_chap_auth: bool(false, 'Use CHAP (tgt generates CHAP credentials whatever this says).'),
  chap_username: str('', 'CHAP user.'),
  chap_password: str('', 'CHAP password.', { secret: true }),
  filter_function: str(null, 'DriverFilter expression.'),
  goodness_function: str(null, 'GoodnessWeigher expression.'),
  report_discard_supported: bool(false, 'Report discard support.'),
  image_volume_cache_enabled: bool(false, 'Cache image volumes.'),
} as const satisfies Record<string, OptSpec & BackendOptExtras>;

export type DefaultOptionName = keyof typeof defaultGroupOptions;
export type BackendOptionName = keyof typeof backendGroupOptions;

/** The TypeScript value type of an option spec. */
export type OptValue<S> = S extends { kind: 'str'; default: infer D }
  ? D extends null
    ? string | null
    : string
  : S extends { kind: 'bool' }
    ? boolean
    : S extends { kind: 'int' | 'port' | 'float' }
      ? number
      : S extends { kind: 'list'; default: infer D }
        ? D extends null
          ? string[] | null
          : string[]
        : never;

export type DefaultOptions = { -readonly [K in DefaultOptionName]: OptValue<(typeof defaultGroupOptions)[K]> };
export type BackendOptions = { -readonly [K in BackendOptionName]: OptValue<(typeof backendGroupOptions)[K]> };

/**
 * CONF.my_ip defaults to the machine's IPv4 address; every simulated node
 * has this one, as every node's CONF.host defaults to its name.
 */
export const SIMULATED_NODE_IP = '127.0.0.1';

export type AnyOptionValue = string | number | boolean | string[] | null;

export function defaultOptionSpec(name: string): (OptSpec & DefaultOptExtras) | undefined {
  return Object.hasOwn(defaultGroupOptions, name) ? (defaultGroupOptions as Record<string, OptSpec & DefaultOptExtras>)[name] : undefined;
}
/** The current name of a deprecated [DEFAULT] option name, if it is one. */
export function renamedDefaultOption(name: string): DefaultOptionName | undefined {
  for (const [current, spec] of Object.entries(defaultGroupOptions) as [DefaultOptionName, DefaultOptExtras][]) {
    if (spec.deprecatedNames?.includes(name)) return current;
  }
  return undefined;
}

export function backendOptionSpec(name: string): (OptSpec & BackendOptExtras) | undefined {
  return Object.hasOwn(backendGroupOptions, name) ? (backendGroupOptions as Record<string, OptSpec & BackendOptExtras>)[name] : undefined;
}

export function initialDefaults(hostname: string): DefaultOptions {
  const out: Record<string, AnyOptionValue> = {};
  for (const [name, spec] of Object.entries(defaultGroupOptions) as [string, OptSpec][]) {
    out[name] = spec.kind === 'str' && spec.hostnameDefault ? hostname : cloneValue(spec.default);
  }
  return out as DefaultOptions;
}

export function initialBackendOptions(): BackendOptions {
  const out: Record<string, AnyOptionValue> = {};
  for (const [name, spec] of Object.entries(backendGroupOptions) as [string, OptSpec][]) out[name] = cloneValue(spec.default);
  return out as BackendOptions;
}

function cloneValue(v: AnyOptionValue | readonly string[]): AnyOptionValue {
  return typeof v === 'object' && v !== null ? [...v] : v;
}

/**
 * Pre-Queens names of the target options.  Cinder 2023.1 registers none of
 * them, so oslo.config ignores them silently and the new option keeps its
 * default (the seed notes' `iscsi_ip_address = 10.0.1.29` does nothing).
 */
export const legacyOptionNames: Readonly<Record<string, BackendOptionName>> = {
  iscsi_ip_address: 'target_ip_address',
  iscsi_port: 'target_port',
  iscsi_helper: 'target_helper',
  iscsi_target_prefix: 'target_prefix',
  iscsi_protocol: 'target_protocol',
};
