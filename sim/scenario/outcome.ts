/**
 * A run's outcome: everything that happened, as data.  Written as
 * outcome.json; byte-identical for the same scenario, seed and code (no
 * wall-clock time, no absolute paths).  Reports read only this.
 */

export const OUTCOME_SCHEMA_VERSION = 1;

/** A command line from the scenario and what it printed. */
export interface StepRecord {
  /** The step's id, or `setup[3]` / `steps[0]` when it has none. */
  id: string;
  /** `file:line` of the step. */
  where: string;
  at_ms: number;
  project: string;
  cmd: string;
  /** The command line after `${id.field}` references were replaced. */
  expanded: string;
  /** ok: every request answered ok; error: a refusal (API or client); usage: the command line itself was bad. */
  outcome: 'ok' | 'error' | 'usage';
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
  ok: boolean;
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

export interface WorkloadSummary {
  name: string;
  requests: number;
  ok: number;
  errors: number;
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
  summary: {
    requests: number;
    requests_ok: number;
    requests_failed: number;
    creates: number;
    creates_succeeded: number;
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
}
