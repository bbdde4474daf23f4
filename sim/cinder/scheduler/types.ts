import type { Rng } from '../../ports/rng.js';
import type { PoolState } from './host-manager.js';
import type { Json } from './python.js';

export type Operation = 'create_volume' | 'extend_volume' | 'retype';

export interface VolumeType {
  [key: string]: Json | undefined;
  extra_specs?: Record<string, string>;
}

/** Cinder's legacy request_spec dict, the part the scheduler reads. */
export interface RequestSpec {
  volume_id: string | null;
  volume_properties: {
    size: number;
    availability_zone: string | null;
    attach_status: string;
    status: string;
    host?: string;
    cluster_name?: string | null;
  };
  volume_type: VolumeType | null;
  availability_zones?: string[] | null;
  resource_backend?: string | null;
  migration_policy?: string | null;
  operation: Operation;
}

export interface RetryInfo {
  num_attempts: number;
  backends: string[];
}

/** filter_properties as FilterScheduler fills it. */
export interface FilterProperties {
  request_spec: RequestSpec;
  volume_type: VolumeType;
  size: number;
  availability_zone: string | null;
  new_size?: number;
  vol_exists_on?: string;
  retry?: RetryInfo;
  scheduler_hints?: Record<string, Json>;
  qos_specs?: Json;
}

/** What filters and weighers may ask of the world beyond the pool itself. */
export interface SchedulingLookups {
  /** Volumes per pool (VolumeNumberWeigher): non-deleted volumes whose host is the pool or under it. */
  volumeCount(poolHost: string): number;
  /** The `host` of a non-deleted volume (Same/DifferentBackendFilter), or undefined. */
  volumeHost(volumeId: string): string | undefined;
  /** Nova's OS-EXT-SRV-ATTR:host of an instance (InstanceLocalityFilter), or undefined if Nova does not say. */
  instanceHost(instanceUuid: string): string | undefined;
  /** The stream `weigher:ChanceWeigher`. */
  chanceRng(): Rng;
}

/** The scheduler's options; their defaults are the config registry's (config/resolved.ts schedulerDefaults). */
export interface SchedulerConfig {
  scheduler_default_filters: readonly string[];
  scheduler_default_weighers: readonly string[];
  capacity_weight_multiplier: number;
  allocated_capacity_weight_multiplier: number;
  volume_number_multiplier: number;
  scheduler_max_attempts: number;
}

export interface FilterContext {
  props: FilterProperties;
  lookups: SchedulingLookups;
}

/** A filter's answer for one pool; a failure says why, with the numbers. */
export type Verdict = { pass: true } | { pass: false; reason: string; [detail: string]: Json };

export const PASS: Verdict = Object.freeze({ pass: true }) as Verdict;

export interface BackendFilter {
  /** Cinder's docstring, one line. */
  describe: string;
  backendPasses(pool: PoolState, ctx: FilterContext): Verdict;
}

export interface WeigherResult {
  raw: number[];
  /** The min/max normalisation uses (after any weigher adjustment). */
  min: number;
  max: number;
  /** Values normalised against (raw, possibly with infinities replaced). */
  values: number[];
}

export interface BackendWeigher {
  describe: string;
  multiplier(config: SchedulerConfig): number;
  weigh(pools: readonly PoolState[], ctx: FilterContext, multiplier: number): WeigherResult;
}
