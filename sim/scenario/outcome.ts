/**
 * A run's outcome: everything that happened, as data.  Written as
 * outcome.json; byte-identical for the same scenario, seed and code (no
 * wall-clock time, no absolute paths).  Reports read only this.
 */

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

/** A change of a service's state, as service-list and as the scheduler judge it. */
export interface ServiceStateRecord {
  t_ms: number;
  host: string;
  binary: string;
  /** service-list view (abs(now - updated_at) <= service_down_time, API node's clock). */
  state: 'up' | 'down';
  /** Scheduler's is_up view (one-sided, scheduler node's clock). */
  scheduler_state: 'up' | 'down';
  status: 'enabled' | 'disabled';
  /** Offset of the service node's wall clock from true time, ms. */
  clock_offset_ms: number;
}

/** One sample of a pool's capacity. */
export interface CapacitySample {
  t_ms: number;
  pool: string;
  total_capacity_gb: number;
  free_capacity_gb: number;
  allocated_capacity_gb: number;
  provisioned_capacity_gb: number;
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

export interface RunOutcome {
  schema_version: typeof OUTCOME_SCHEMA_VERSION;
  scenario: string;
  description: string;
  /** The scenario file as named on the command line (relative), or `builtin:<name>`. */
  file: string;
  seed: string;
  duration_ms: number;
  end: { reason: string; events: number; time_ms: number };
  steps: StepRecord[];
  requests: RequestRecord[];
  decisions: DecisionRecord[];
  service_states: ServiceStateRecord[];
  capacity: CapacitySample[];
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
    expectations_passed: number;
    expectations_failed: number;
  };
  /** The command that replays this run. */
  replay: string;
  /**
   * Present for a live run (`cinder-sim run --live`): it ran on the wall
   * clock, and these backends were real (loop-lvm on this host).  Absent in
   * a simulated run.
   */
  live?: LiveRunRecord;
  /** Live runs: the wall latency of the real backends' driver calls, per operation. */
  driver_calls?: DriverCallSummary[];
}

/** Where a live run ran, and its real backends. */
export interface LiveRunRecord {
  /** `host`: the backends ran on this machine. */
  mode: 'host';
  backends: LiveBackendRecord[];
}

export interface LiveBackendRecord {
  /** host@backend of its cinder-volume. */
  backend: string;
  driver: 'loop-lvm';
  /** The mode loop-lvm probed (or was told): full (device-mapper) or metadata. */
  mode: 'full' | 'metadata';
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
