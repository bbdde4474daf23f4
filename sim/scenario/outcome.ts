/**
 * A run's outcome: everything that happened, as data.  Written as
 * outcome.json; byte-identical for the same scenario, seed and code (no
 * wall-clock time, no absolute paths).  Reports read only this.
 */

import type { CloudPoolInfo } from '../harness/view.js';
import type { BaselineRecord } from './baseline.js';
import type { RequestResult } from './run/counts.js';

export const OUTCOME_SCHEMA_VERSION = 2;

/**
 * How a step ended: its requests' results under the one definition of
 * run/counts.ts (the worst of them: refused, then failed, then in flight),
 * or `usage` when the client itself rejected the command line (argparse:
 * usage and "error: ..." on stderr, exit status 2) so no request was made.
 */
export const stepOutcomes = ['succeeded', 'refused', 'failed', 'in_flight', 'usage'] as const;
export type StepOutcome = (typeof stepOutcomes)[number];

/** A command line from the scenario and what it printed. */
export interface StepRecord {
  /** The step's id, or `setup[3]` / `steps[0]` when it has none. */
  id: string;
  /** `file:line` of the step. */
  where: string;
  at_ms: number;
  project: string;
  /** The node whose cinder-api took its requests, when the step chose one (`via`). */
  via: string | null;
  cmd: string;
  /** The command line after `${id.field}` references were replaced. */
  expanded: string;
  /** How the step ended (see stepOutcomes); final once the run has ended. */
  outcome: StepOutcome;
  /** The client's exit status: 0, 1 (cinderclient's "ERROR: ..." for a refusal), 2 (argparse rejected the command line). */
  exit_status: number;
  /** The first error message, as cinderclient would print it. */
  message: string | null;
  /** Sequence numbers of the requests this command made. */
  requests: number[];
  /** The top-level fields of the first result (ids, auth_key, status, ...), for references and expectations. */
  fields: Record<string, string | number | boolean | null>;
  /** What the command printed (cinderclient-style tables). */
  output: string;
}

/** One API request and its answer. */
export interface RequestRecord {
  seq: number;
  at_ms: number;
  answered_at_ms: number;
  project: string;
  /** `step:<id>` or `workload:<name>`. */
  source: string;
  verb: string;
  request: Record<string, unknown>;
  /** The API accepted it (a 2xx answer); how it ended is `result`. */
  ok: boolean;
  /** How it ended (run/counts.ts): refused, accepted then failed, in flight, succeeded.  Final once the run has ended. */
  result: RequestResult;
  http: number | null;
  error: string | null;
  message: string | null;
  /** For creates: the resulting object's id and final status once known. */
  resource_id: string | null;
  final_status: string | null;
  host: string | null;
}

/** A scheduling decision as the scheduler traced it (shape owned by the scheduler). */
export interface DecisionRecord {
  at_ms: number;
  /** The volume, snapshot or backup id the decision was for. */
  resource_id: string | null;
  operation: string;
  ok: boolean;
  chosen: string | null;
  /** The filter that left no candidates, if any. */
  emptied_by: string | null;
  /** No pool entered filtering at all (every filter started at 0): told apart from a filter emptying the list. */
  no_candidates: boolean;
  /** The scheduler's message when no backend was found. */
  message: string | null;
  /** The trace as text (the scheduler's renderer). */
  trace_text: string;
  trace: unknown;
}

/**
 * A change of a service's state, as service-list and as the scheduler judge
 * it, with what each judge saw at that moment: the heartbeat's age by its
 * own clock against the service_down_time it applies.
 */
export interface ServiceStateRecord {
  t_ms: number;
  host: string;
  binary: string;
  /** service-list view (abs(now - updated_at) <= service_down_time, API node's clock). */
  state: 'up' | 'down';
  /** Scheduler's is_up view (one-sided, scheduler node's clock). */
  scheduler_state: 'up' | 'down';
  status: 'enabled' | 'disabled';
  /** The node the service runs on. */
  node: string;
  /** Offset of the service node's wall clock from true time, ms. */
  clock_offset_ms: number;
  /** The heartbeat (services.updated_at, stamped by the service node's clock) as the scheduler judges it: the scheduler node's wall now minus updated_at, ms; null without a scheduler. */
  scheduler_heartbeat_age_ms: number | null;
  /** The service_down_time the scheduler applies (Service.basic_config_check raises one not above report_interval to 2.5x it), ms; null without a scheduler. */
  scheduler_service_down_time_ms: number | null;
  /** The node whose clock the scheduler judges by (the first running cinder-scheduler), and that clock's offset from true time, ms. */
  scheduler_node: string | null;
  scheduler_clock_offset_ms: number | null;
  /** The same heartbeat as service-list judges it: the API node's wall now minus updated_at, ms (down when its absolute value exceeds api_service_down_time_ms). */
  api_heartbeat_age_ms: number;
  /** The service_down_time cinder-api applies (as configured: a WSGI service is never raised), ms. */
  api_service_down_time_ms: number;
  /** The node of the cinder-api that judges (the first), and its clock's offset from true time, ms. */
  api_node: string;
  api_clock_offset_ms: number;
}

/**
 * One sample of a pool's capacity, recorded when any of its numbers changed.
 * `-1` stands for Cinder's 'infinite' or 'unknown'.
 */
export interface CapacitySample {
  t_ms: number;
  pool: string;
  total_capacity_gb: number;
  free_capacity_gb: number;
  allocated_capacity_gb: number;
  provisioned_capacity_gb: number;
  /**
   * max_over_subscription_ratio as the scheduler computes it for this pool
   * now (utils.calculate_max_over_subscription_ratio: 1.0 without thin
   * support; 'auto' moves with provisioned capacity); null when it raises.
   */
  max_over_subscription_ratio: number | null;
  /** reserved_percentage of the total, rounded down, GB (calculate_capacity_factors' reserved_capacity). */
  reserved_capacity_gb: number | null;
  /**
   * The most provisioned_capacity_gb CapacityFilter lets this pool reach for a
   * thin request (a volume type without provisioning:type=thick), in GB:
   * calculate_capacity_factors' total_available_capacity.  Thick (or no thin
   * support): total - reserved.  Thin: (total - reserved) x the ratio (a
   * create passes while virtual free = that - provisioned >= its size).  Null
   * for an unsized total ('infinite' / 'unknown') or a total <= 0.
   */
  usable_limit_gb: number | null;
}

/**
 * A pool's facts as the scheduler sees them (its capability report and its
 * service's row), recorded when the pool first reports and again whenever
 * one changes (a conf_change fault, a capacity fault).
 */
export interface PoolInfo extends CloudPoolInfo {
  t_ms: number;
  /** host@backend#pool, as in CapacitySample. */
  pool: string;
}

/** What one volume type's volumes hold, recorded when it changed (full runs only). */
export interface TypeUsageSample {
  t_ms: number;
  volume_type: string;
  /** The sum of the sizes of the type's volumes placed on a pool and not deleted (nor in plain 'error'), GB. */
  provisioned_gb: number;
  count: number;
}

/**
 * The pools a volume type can land on: those whose capabilities satisfy its
 * extra specs as CapabilitiesFilter reads them (volume_backend_name and any
 * other capability).  Recorded when the list changed (full runs only).
 */
export interface TypePoolsRecord {
  t_ms: number;
  volume_type: string;
  pools: string[];
}

export interface FaultRecord {
  t_ms: number;
  fault: string;
  detail: string;
}

export interface LogRecordOut {
  t_ms: number;
  node: string;
  service: string;
  /** Cinder's logger name (cinder.scheduler.host_manager). */
  logger: string;
  level: string;
  message: string;
}

/** A cinder.conf lint finding (warnings and errors) of a node's configuration. */
export interface ConfFindingRecord {
  node: string;
  severity: string;
  rule: string;
  file: string | null;
  line: number | null;
  message: string;
}

export interface ExpectationResult {
  index: number;
  where: string;
  /** The expectation as written, in one line. */
  text: string;
  passed: boolean;
  /** What was found, in one line (why it failed, or the evidence it held). */
  detail: string;
}

/** A workload's requests by how they ended (run/counts.ts); requests = succeeded + refused + failed + in_flight. */
export interface WorkloadSummary {
  name: string;
  requests: number;
  succeeded: number;
  refused: number;
  failed: number;
  in_flight: number;
}

/** Virtual time (ms) of the first "No valid backend" decision about a volume, per availability zone and per volume type; a key absent: never. */
export interface FirstNoValidBackend {
  by_az: Record<string, number>;
  by_type: Record<string, number>;
}

export interface RunOutcome {
  schema_version: typeof OUTCOME_SCHEMA_VERSION;
  scenario: string;
  description: string;
  /** The scenario file as named on the command line (relative), or `builtin:<name>`. */
  file: string;
  /**
   * sha256 of the scenario's inputs (its text and each cinder.conf text;
   * loader.ts inputsSha256): `cinder-sim diff` says whether two runs read
   * the same scenario.  Absent in outcomes written before it was added.
   */
  scenario_sha256?: string;
  seed: string;
  duration_ms: number;
  end: { reason: string; events: number; time_ms: number };
  steps: StepRecord[];
  requests: RequestRecord[];
  decisions: DecisionRecord[];
  service_states: ServiceStateRecord[];
  capacity: CapacitySample[];
  /** Each pool's facts as the scheduler sees them, when first seen and whenever one changed. */
  pools: PoolInfo[];
  /** Capacity held by each volume type's volumes over time (empty in a lean run). */
  type_usage: TypeUsageSample[];
  /** The pools each volume type can land on, over time (empty in a lean run). */
  type_pools: TypePoolsRecord[];
  faults: FaultRecord[];
  conf_findings: ConfFindingRecord[];
  workloads: WorkloadSummary[];
  /** Cinder's log lines at INFO and above, as its default log level writes them (none in a lean run without log expectations: counted only). */
  log: LogRecordOut[];
  log_counts: Record<string, number>;
  expectations: ExpectationResult[];
  /** Counts under one definition (run/counts.ts): each `requests` is the sum of its succeeded, refused, failed and in_flight. */
  summary: {
    requests: number;
    requests_succeeded: number;
    /** Refused by the API (an HTTP error answer). */
    requests_refused: number;
    /** Accepted (202), then what they started ended in error. */
    requests_failed: number;
    /** Accepted, and still in progress when the run ended. */
    requests_in_flight: number;
    creates: number;
    creates_succeeded: number;
    creates_refused: number;
    creates_failed: number;
    creates_in_flight: number;
    decisions: number;
    /**
     * Lean runs: sha256 over every scheduling decision in order (time,
     * operation, resource, outcome, chosen pool, reason), so two runs can be
     * compared without keeping a year of decisions.
     */
    decisions_digest?: string;
    /** Lean runs: the running decisions digest every 1000 decisions, so that a replay (explain) can check it took the same path. */
    decisions_checkpoints?: DigestCheckpoint[];
    expectations_passed: number;
    expectations_failed: number;
  };
  /** The command that replays this run. */
  replay: string;
  /**
   * `run --baseline DIR`: this scenario's decisions compared with its stored
   * baseline, or (with --update-baseline) the baseline written and how it
   * differs from the one it replaced.  Absent without --baseline.  Kept
   * here so `cinder-sim report` renders the same reports from the outcomes.
   */
  baseline?: BaselineRecord;
  /** How the run kept its records: 'all' (every request and decision) or 'lean' (counts, digests, the steps' own). */
  records?: 'all' | 'lean';
  /** Lean runs only (`records: 'lean'`, e.g. each run of a sweep): when each AZ and volume type first ran out. */
  first_no_valid_backend?: FirstNoValidBackend;
  /**
   * Present for a live run (`cinder-sim run --live [--vm]`): it ran on the
   * wall clock, and these backends were real (loop-lvm on this host, or in
   * the test VM).  Absent in a simulated run.
   */
  live?: LiveRunRecord;
  /** Live runs: the wall latency of the real backends' driver calls, per operation. */
  driver_calls?: DriverCallSummary[];
}

/** The running decisions digest after `decisions` decisions (the first 16 hex digits). */
export interface DigestCheckpoint {
  decisions: number;
  at_ms: number;
  digest: string;
}

/** Where a live run ran, and its real backends. */
export interface LiveRunRecord {
  /**
   * `host`: the backends ran on this machine (`run --live`); `vm`: in the
   * test VM (`run --live --vm`), through its agent, the host reaching its
   * exports through the forwarded iSCSI port.  The services ran on this
   * machine either way.
   */
  mode: 'host' | 'vm';
  backends: LiveBackendRecord[];
  /** `vm` runs: the test VM the backends ran in. */
  vm?: LiveVmRecord;
}

/** The test VM of a `run --live --vm`: booted for the run and stopped after it. */
export interface LiveVmRecord {
  name: string;
  /** kvm or tcg (software emulation: every command is several times slower). */
  accel: 'kvm' | 'tcg';
  /** The image's key (a hash of its inputs) and whether this run built it. */
  image: string;
  image_built: boolean;
  /** Wall time from starting qemu to the agent's first answer. */
  boot_ms: number;
  /** 127.0.0.1:<port> on the host, forwarded to the guest's iSCSI port (3260). */
  host_portal: string;
}

export interface LiveBackendRecord {
  /** host@backend of its cinder-volume. */
  backend: string;
  driver: 'loop-lvm';
  /** The mode loop-lvm probed (or was told): full (device-mapper) or metadata. */
  mode: 'full' | 'metadata';
  /** Cinder's lvm_type as the driver resolved it: default (thick LVs) or thin (a thin pool). */
  lvm_type?: 'default' | 'thin';
  vg: string;
  backing_file_gb: number;
  snapshot_support: boolean;
}

/** One driver operation's calls on the real backends: how many, how many failed, wall latency. */
export interface DriverCallSummary {
  operation: string;
  count: number;
  failed: number;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
}
