import { z } from 'zod';
import { fakeBackendSpec } from '../../../drivers/fake/spec.js';

/**
 * The cinder.conf options the services read, with Cinder 2023.1 defaults
 * (services-semantics §8), keyed by Cinder's option names.  A node's
 * options come from its cinder.conf ([DEFAULT] here; one backend group per
 * enabled backend below).  When sim/cinder/config's loadCinderConf lands,
 * `fromCinderConf` adapts its output into this shape.
 */
export const defaultOptions = z
  .object({
    host: z.string().min(1).optional(),
    report_interval: z.number().positive().default(10),
    service_down_time: z.number().positive().default(60),
    periodic_interval: z.number().positive().default(60),
    periodic_fuzzy_delay: z.number().min(0).default(60),
    backend_stats_polling_interval: z.number().min(3).default(60),
    backup_driver_stats_polling_interval: z.number().positive().default(60),
    storage_availability_zone: z.string().default('nova'),
    default_availability_zone: z.string().nullable().default(null),
    allow_availability_zone_fallback: z.boolean().default(false),
    az_cache_duration: z.number().min(0).default(3600),
    default_volume_type: z.string().default('__DEFAULT__'),
    snapshot_same_host: z.boolean().default(true),
    cloned_volume_same_az: z.boolean().default(true),
    no_snapshot_gb_quota: z.boolean().default(false),
    scheduler_max_attempts: z.number().int().default(3),
    scheduler_driver_init_wait_time: z.number().int().min(1).default(60),
    backup_driver: z.string().default('cinder.backup.drivers.swift.SwiftBackupDriver'),
    backup_use_same_host: z.boolean().default(false),
    quota_volumes: z.number().int().default(10),
    quota_snapshots: z.number().int().default(10),
    quota_gigabytes: z.number().int().default(1000),
    quota_backups: z.number().int().default(10),
    quota_backup_gigabytes: z.number().int().default(1000),
    per_volume_size_limit: z.number().int().default(-1),
    scheduler_default_filters: z.array(z.string()).default(['AvailabilityZoneFilter', 'CapacityFilter', 'CapabilitiesFilter']),
    scheduler_default_weighers: z.array(z.string()).default(['CapacityWeigher']),
    capacity_weight_multiplier: z.number().default(1.0),
    allocated_capacity_weight_multiplier: z.number().default(-1.0),
    volume_number_multiplier: z.number().default(-1.0),
    /** The scheduler's fallback for pools that report none (a StrOpt in Cinder). */
    max_over_subscription_ratio: z.union([z.string(), z.number()]).default('20.0'),
    /** RPC timeout for synchronous calls (oslo.messaging rpc_response_timeout). */
    rpc_response_timeout: z.number().positive().default(60),
  })
  .strict();

export type DefaultOptions = z.infer<typeof defaultOptions>;

/** One enabled backend: its cinder.conf group plus the fake storage behind it. */
export const backendOptions = fakeBackendSpec.extend({
  backend_host: z.string().min(1).optional(),
  backend_availability_zone: z.string().min(1).optional(),
  extra_capabilities: z.record(z.string(), z.unknown()).default({}),
  /**
   * Legacy option no longer registered in 2023.1: oslo.config ignores it, so
   * the portal comes from target_ip_address (the seed notes' tip no longer works).
   */
  iscsi_ip_address: z.string().optional(),
});

export type BackendOptions = z.infer<typeof backendOptions>;
export type BackendInput = z.input<typeof backendOptions>;
