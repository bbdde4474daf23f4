/** The shapes loadCinderConf returns (see index.ts for the whole API). */
import type { HeartbeatBinary } from '../db/binaries.js';
import type { Finding } from './findings.js';
import type { BackendOptionName, BackendOptions, DefaultOptionName, DefaultOptions, SchedulerClassKind } from './options.js';

/** Where an effective value came from. */
export type OptionSource =
  /** Cinder's default; `template` when the default is an oslo template such as '$my_ip'. */
  | { kind: 'default'; template?: string }
  /** The machine's hostname, stood for by `--host NAME`. */
  | { kind: 'hostname' }
  /**
   * `overrides`: the same option's assignments in earlier files that this
   * one overrides (oslo.config layering: the last file that sets it wins);
   * absent when no earlier file sets it.
   */
  | { kind: 'file'; file: string; line: number; section: string; overrides?: { file: string; line: number }[] }
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
  /** extra_capabilities parsed: merged into every pool the backend reports. */
  extra_capabilities: Record<string, unknown>;
  /** Why the service fails to start (driver import, invalid extra_capabilities), or null. */
  start_failure: string | null;
  /** Options set in the group that the simulator does not model (driver-specific ones). */
  other_options: { key: string; value: string; file: string; line: number }[];
}

export type ServiceBinary = HeartbeatBinary;

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
  /** Stands for the machine's IPv4 address, CONF.my_ip's default; unset, `$my_ip` stays opaque. */
  myIp?: string;
  /**
   * Cinder 2023.1's scheduler classes by kind, for the lint of
   * scheduler_default_filters / _weighers: the scheduler's own registries
   * (sim/cinder/scheduler's `schedulerClasses`), so there is no second list.
   */
  schedulerClasses: Readonly<Record<SchedulerClassKind, readonly string[]>>;
}
