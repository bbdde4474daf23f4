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
  /**
   * Optional, for full traces only: what the scheduler's service knows of a
   * cinder-volume service row it left out (liveness numbers, clocks, the
   * disabled reason).  No decision reads it.
   */
  serviceFacts?(host: string): ServiceFacts | undefined;
}

/** A cinder-volume service row as the scheduler judged it, with the numbers behind the judgement. */
export interface ServiceFacts {
  /** services.updated_at (the last heartbeat, stamped by the service node's clock), wall ms; null if it never beat. */
  updatedAtWallMs: number | null;
  /** The scheduler node's wall clock now, ms. */
  schedulerNowWallMs: number;
  /** schedulerNowWallMs - updatedAtWallMs: the heartbeat's age by the scheduler's clock. */
  heartbeatAgeMs: number | null;
  /** service_down_time as configured on the scheduler's node, s. */
  serviceDownTimeS: number;
  /** service_down_time in force (Service.basic_config_check raises one not above report_interval), s. */
  effectiveServiceDownTimeS: number;
  /** The service node's wall clock minus true time, ms (null where the world cannot tell: live). */
  serviceClockOffsetMs: number | null;
  /** The scheduler node's wall clock minus true time, ms. */
  schedulerClockOffsetMs: number | null;
  /** Virtual time of the last heartbeat, when known. */
  lastHeartbeatMs: number | null;
  /** Whether the heartbeat still runs (null: unknown). */
  heartbeating: boolean | null;
  /**
   * Since when the scheduler judges it down, virtual ms, when known: for a
   * stopped heartbeat the instant the scheduler's clock passed updated_at +
   * service_down_time; otherwise the first judgement of down the scheduler made.
   */
  downSinceMs: number | null;
  /** How downSinceMs was found. */
  downSinceBasis: 'heartbeat_stopped' | 'first_seen' | null;
  disabledReason: string | null;
}

/** Why a volume service gave no candidate pools (HostManager._update_backend_state_map's skips). */
export type LeftOutReason =
  /** services.disabled: the DB query leaves it out. */
  | 'disabled'
  /** services.frozen: the DB query leaves it out. */
  | 'frozen'
  /** not Service.is_up by the scheduler's clock ("volume service is down"). */
  | 'down'
  /** up, but no capability report stored yet (no_capabilities_backends). */
  | 'no_report'
  /** up and reported, but the report lists no pools. */
  | 'no_pools'
  /** another up service of its cluster came first: the cluster's pools are counted once, under it. */
  | 'cluster_member';

/** A volume service the scheduler did not turn into candidate pools, and why. */
export interface LeftOutService {
  host: string;
  reason: LeftOutReason;
  cluster?: string | null;
  /** The numbers behind the reason, where the scheduler's service can tell them. */
  facts?: ServiceFacts;
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

/**
 * Reason of a verdict recorded for a filter Cinder would raise in on this
 * pool (the explain pass records it instead of crashing): details errorType
 * and error.
 */
export const RAISES = 'raises';

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
