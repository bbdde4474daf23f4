import { createHash } from 'node:crypto';
import type { World } from '../../engine/world.js';
import type { CloudView } from '../../harness/view.js';
import { succeeded } from '../expectations.js';
import type { CapacitySample, DecisionRecord, ExpectationResult, FaultRecord, RequestRecord, RunOutcome, ServiceStateRecord, StepRecord, WorkloadSummary } from '../outcome.js';

/** Lean runs drain the scheduler's decision log every this many arrivals. */
const LEAN_DRAIN_EVERY = 64;

type Summary = RunOutcome['summary'];

/**
 * What a run keeps.  Steps, service states, capacity, faults and workload
 * summaries are kept alike; requests and decisions are where the two
 * strategies differ: `FullRecorder` keeps every one for outcome.json,
 * `LeanRecorder` keeps counts and a digest for runs of millions of requests.
 */
export abstract class Recorder {
  readonly steps = new Map<string, StepRecord>();
  readonly stepOrder: StepRecord[] = [];
  readonly requests: RequestRecord[] = [];
  readonly serviceStates: ServiceStateRecord[] = [];
  readonly capacity: CapacitySample[] = [];
  readonly faults: FaultRecord[] = [];
  readonly expectations: ExpectationResult[] = [];
  readonly workloads: WorkloadSummary[] = [];
  private readonly lastService = new Map<string, ServiceStateRecord>();
  private readonly lastPool = new Map<string, CapacitySample>();

  constructor(
    protected readonly world: World,
    protected readonly cloud: CloudView,
  ) {}

  /** A request was made (it is answered later). */
  abstract requested(rec: RequestRecord): void;
  /** A request was answered; `rec` holds its answer and resource. */
  abstract answered(rec: RequestRecord): void;
  /** A workload's `n`th request arrived. */
  abstract arrived(n: number): void;
  /** The run reached its end. */
  abstract finished(): void;
  abstract summary(expectationsPassed: number): Summary;
  /** Between a sample's service states and its pools. */
  protected abstract sampled(): void;

  step(rec: StepRecord): void {
    this.steps.set(rec.id, rec);
    this.stepOrder.push(rec);
  }

  fault(fault: string, detail: string): void {
    this.faults.push({ t_ms: this.world.sim.now, fault, detail });
  }

  /** Record what changed since the last sample: service states, then pool capacity.  Throws on a broken invariant. */
  sample(): void {
    const t = this.world.sim.now;
    const broken = this.cloud.invariant();
    if (broken !== null) throw new Error(`invariant broken: ${broken}`);
    for (const s of this.cloud.services()) {
      const key = `${s.binary} ${s.host}`;
      const prev = this.lastService.get(key);
      const offset = Math.round(this.world.node(s.node).clock.offsetAt(t));
      if (prev && prev.state === s.state && prev.scheduler_state === s.schedulerState && prev.status === s.status) continue;
      const rec: ServiceStateRecord = { t_ms: t, host: s.host, binary: s.binary, state: s.state, scheduler_state: s.schedulerState, status: s.status, clock_offset_ms: offset };
      this.serviceStates.push(rec);
      this.lastService.set(key, rec);
    }
    this.sampled();
    for (const p of this.cloud.pools()) {
      const prev = this.lastPool.get(p.pool);
      if (prev && prev.total_capacity_gb === p.total_capacity_gb && prev.free_capacity_gb === p.free_capacity_gb && prev.allocated_capacity_gb === p.allocated_capacity_gb && prev.provisioned_capacity_gb === p.provisioned_capacity_gb) continue;
      const rec: CapacitySample = { t_ms: t, ...p };
      this.capacity.push(rec);
      this.lastPool.set(p.pool, rec);
    }
  }

  /** The decisions the scheduler still holds, as outcome records. */
  decisionRecords(): DecisionRecord[] {
    return this.cloud.decisions().map((d) => ({
      at_ms: d.atMs,
      resource_id: d.resource,
      operation: d.operation,
      ok: d.ok,
      chosen: d.chosen,
      emptied_by: d.emptiedBy,
      message: d.message,
      trace_text: d.traceText,
      trace: d.trace,
    }));
  }
}

/** Keeps every request and decision. */
export class FullRecorder extends Recorder {
  requested(rec: RequestRecord): void {
    this.requests.push(rec);
  }

  answered(): void {}
  arrived(): void {}
  finished(): void {}
  protected sampled(): void {}

  summary(passed: number): Summary {
    const creates = this.requests.filter((r) => r.verb === 'create');
    return {
      requests: this.requests.length,
      requests_ok: this.requests.filter((r) => r.ok).length,
      requests_failed: this.requests.filter((r) => !r.ok).length,
      creates: creates.length,
      creates_succeeded: creates.filter((r) => succeeded(r, this.cloud)).length,
      decisions: this.cloud.decisions().length,
      expectations_passed: passed,
      expectations_failed: this.expectations.length - passed,
    };
  }
}

/**
 * Keeps the steps' own requests and counts the rest; digests the
 * scheduler's decisions and lets it forget them (a trace per pool per
 * decision adds up).
 */
export class LeanRecorder extends Recorder {
  private readonly digest = createHash('sha256');
  /** The volumes accepted creates made, to count the ones that became usable. */
  private readonly created: string[] = [];
  private readonly counts = { requests: 0, ok: 0, creates: 0, decisions: 0 };

  requested(rec: RequestRecord): void {
    if (rec.source.startsWith('step:')) this.requests.push(rec);
    this.counts.requests++;
    if (rec.verb === 'create') this.counts.creates++;
  }

  answered(rec: RequestRecord): void {
    if (!rec.ok) return;
    this.counts.ok++;
    if (rec.verb === 'create' && rec.resource_id !== null) this.created.push(rec.resource_id);
  }

  arrived(n: number): void {
    if (n % LEAN_DRAIN_EVERY === 0) this.drain();
  }

  finished(): void {
    this.drain();
  }

  protected sampled(): void {
    this.drain();
  }

  private drain(): void {
    const decisions = this.cloud.decisions();
    for (const d of decisions) this.digest.update(`${d.atMs}|${d.operation}|${d.resource}|${d.ok ? 1 : 0}|${d.chosen ?? ''}|${d.message ?? ''}\n`);
    this.counts.decisions += decisions.length;
    this.cloud.dropDecisions();
  }

  summary(passed: number): Summary {
    return {
      requests: this.counts.requests,
      requests_ok: this.counts.ok,
      requests_failed: this.counts.requests - this.counts.ok,
      creates: this.counts.creates,
      creates_succeeded: this.created.filter((id) => this.cloud.launched(id)).length,
      decisions: this.counts.decisions,
      decisions_digest: this.digest.copy().digest('hex'),
      expectations_passed: passed,
      expectations_failed: this.expectations.length - passed,
    };
  }
}
