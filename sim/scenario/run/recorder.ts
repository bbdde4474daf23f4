import { createHash } from 'node:crypto';
import type { World } from '../../engine/world.js';
import type { CloudDecision, CloudServiceState, CloudView, LivenessJudges } from '../../harness/view.js';
import { addResult, emptyCounts, requestResult, retypeTarget, type ResultCounts } from './counts.js';
import type { Json } from '../../cinder/scheduler/python.js';
import type { CapacitySample, DecisionRecord, DigestCheckpoint, ExpectationResult, FaultRecord, FirstNoValidBackend, PoolInfo, RequestRecord, RunOutcome, ServiceStateRecord, StepRecord, TypePoolsRecord, TypeUsageSample, WorkloadSummary } from '../outcome.js';

/** Lean runs drain the scheduler's decision log every this many arrivals. */
const LEAN_DRAIN_EVERY = 64;
/** Lean runs note the running decisions digest every this many decisions (a replay checks itself against them). */
export const DIGEST_CHECKPOINT_EVERY = 1000;

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
  readonly poolInfos: PoolInfo[] = [];
  /** Per volume type, over time (FullRecorder only: a lean run keeps none). */
  readonly typeUsage: TypeUsageSample[] = [];
  readonly typePools: TypePoolsRecord[] = [];
  readonly faults: FaultRecord[] = [];
  readonly expectations: ExpectationResult[] = [];
  readonly workloads: WorkloadSummary[] = [];
  private readonly lastService = new Map<string, ServiceStateRecord>();
  private readonly lastPool = new Map<string, CapacitySample>();
  private readonly lastInfo = new Map<string, PoolInfo>();
  /** Requests by source (`step:<id>`, `workload:<name>`, `topology`), counted alike by both strategies. */
  private readonly bySource = new Map<string, ResultCounts>();
  private readonly createCounts = emptyCounts();
  /**
   * Accepted requests whose resource decides how they ended, classified when
   * the run ends, in answer order, as columns: a year of a large cloud
   * leaves a million of them.  `pendingKinds[i]` indexes `kinds` (verb,
   * source and retype target, each combination stored once);
   * `pendingRecs` holds the kept records by position.
   */
  private readonly pending = new PendingRequests();
  private totals: { all: ResultCounts; creates: ResultCounts } | null = null;
  /** Requests made, by source, and creates among them (some may never be answered before the end). */
  private readonly asked = new Map<string, number>();
  private askedCreates = 0;

  constructor(
    protected readonly world: World,
    protected readonly cloud: CloudView,
  ) {}

  /** A request was made (it is answered later). */
  requested(rec: RequestRecord): void {
    this.tally(rec.source);
    this.asked.set(rec.source, (this.asked.get(rec.source) ?? 0) + 1);
    if (rec.verb === 'create') this.askedCreates++;
    if (this.keeps(rec)) this.requests.push(rec);
  }

  /** A request was answered; `rec` holds its answer and resource.  Refusals and answers with nothing to follow are counted now. */
  answered(rec: RequestRecord): void {
    const tally = this.tally(rec.source);
    const isCreate = rec.verb === 'create';
    if (!rec.ok || rec.resource_id === null) {
      const r = rec.ok ? 'succeeded' : 'refused';
      rec.result = r;
      addResult(tally, r);
      if (isCreate) addResult(this.createCounts, r);
      return;
    }
    this.pending.add(rec.verb, rec.source, rec.resource_id, retypeTarget(rec), this.keeps(rec) ? rec : null);
  }

  /** Whether to keep this request's record (full: every one; lean: the steps' own). */
  protected abstract keeps(rec: RequestRecord): boolean;
  /** A workload's `n`th request arrived. */
  abstract arrived(n: number): void;
  /** The run reached its end: classify what was pending and fill the workload summaries. */
  finished(): void {
    const facts = { statusOf: (id: string) => this.cloud.statusOf(id), launched: (id: string) => this.cloud.launched(id), volumeTypeOf: (id: string) => this.cloud.volumeTypeOf(id) };
    // A retype the scheduler could not place failed, whatever a later retype made of the volume.
    const retypes = this.pending.hasVerb('retype') ? this.decisionRecords().filter((d) => d.operation === 'retype') : [];
    const retypeFailed = (resourceId: string, rec: RequestRecord | null): boolean => {
      const at = rec?.at_ms;
      if (at === undefined) return false;
      const next = this.requests.find((x) => x.seq > rec!.seq && x.verb === 'retype' && x.resource_id === resourceId)?.at_ms ?? Infinity;
      return retypes.some((d) => d.resource_id === resourceId && !d.ok && d.at_ms >= at && d.at_ms < next);
    };
    this.pending.forEach((kind, resourceId, rec) => {
      const r = kind.verb === 'retype' && retypeFailed(resourceId, rec) ? 'failed' : requestResult(kind.verb, true, resourceId, facts, kind.target);
      addResult(kind.tally ??= this.tally(kind.source), r);
      if (kind.verb === 'create') addResult(this.createCounts, r);
      if (rec) rec.result = r;
    });
    this.pending.clear();
    for (const r of this.requests) if (r.resource_id !== null) r.final_status = this.cloud.statusOf(r.resource_id) ?? 'deleted';
    // Requests never answered (the run ended first) are in flight.
    const all = emptyCounts();
    for (const [source, c] of this.bySource) {
      c.in_flight += (this.asked.get(source) ?? 0) - c.requests;
      c.requests = this.asked.get(source) ?? 0;
      for (const k of ['requests', 'succeeded', 'refused', 'failed', 'in_flight'] as const) all[k] += c[k];
    }
    this.createCounts.in_flight += this.askedCreates - this.createCounts.requests;
    this.createCounts.requests = this.askedCreates;
    for (const w of this.workloads) Object.assign(w, this.tally(`workload:${w.name}`), { name: w.name });
    this.totals = { all, creates: this.createCounts };
  }

  private tally(source: string): ResultCounts {
    let c = this.bySource.get(source);
    if (!c) this.bySource.set(source, (c = emptyCounts()));
    return c;
  }

  /** The run's counts (after finished()): every request, and the creates among them. */
  protected counts(): { all: ResultCounts; creates: ResultCounts } {
    if (!this.totals) throw new Error('Recorder.counts() before finished()');
    return this.totals;
  }

  /** The outcome's summary: the counts under one definition (see counts.ts). */
  summary(passed: number): Summary {
    const { all, creates } = this.counts();
    return {
      requests: all.requests,
      requests_succeeded: all.succeeded,
      requests_refused: all.refused,
      requests_failed: all.failed,
      requests_in_flight: all.in_flight,
      creates: creates.requests,
      creates_succeeded: creates.succeeded,
      creates_refused: creates.refused,
      creates_failed: creates.failed,
      creates_in_flight: creates.in_flight,
      decisions: this.decisionCount(),
      ...this.digest(),
      expectations_passed: passed,
      expectations_failed: this.expectations.length - passed,
    };
  }

  protected abstract decisionCount(): number;
  /** When each availability zone and volume type first met "No valid backend" (lean runs; see LeanRecorder). */
  firstNoValidBackend(): FirstNoValidBackend | undefined {
    return undefined;
  }
  protected digest(): { decisions_digest?: string; decisions_checkpoints?: DigestCheckpoint[] } {
    return {};
  }
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
    let judges: LivenessJudges | null = null;
    for (const s of this.cloud.services()) {
      const key = `${s.binary} ${s.host}`;
      const prev = this.lastService.get(key);
      if (prev && prev.state === s.state && prev.scheduler_state === s.schedulerState && prev.status === s.status) continue;
      // Only a change is recorded, with what its judges saw: no cost on the samples where nothing changed.
      judges ??= this.cloud.judges();
      const rec = serviceStateRecord(t, s, judges, (node) => Math.round(this.world.node(node).clock.offsetAt(t)));
      this.serviceStates.push(rec);
      this.lastService.set(key, rec);
    }
    this.sampled();
    for (const p of this.cloud.pools()) {
      const info = this.lastInfo.get(p.pool);
      if (!info || !sameInfo(info, p.info)) {
        const rec: PoolInfo = { t_ms: t, pool: p.pool, ...p.info };
        this.poolInfos.push(rec);
        this.lastInfo.set(p.pool, rec);
      }
      const prev = this.lastPool.get(p.pool);
      if (
        prev &&
        prev.total_capacity_gb === p.total_capacity_gb &&
        prev.free_capacity_gb === p.free_capacity_gb &&
        prev.allocated_capacity_gb === p.allocated_capacity_gb &&
        prev.provisioned_capacity_gb === p.provisioned_capacity_gb &&
        prev.usable_limit_gb === p.usable_limit_gb &&
        prev.max_over_subscription_ratio === p.max_over_subscription_ratio
      ) {
        continue;
      }
      const rec: CapacitySample = {
        t_ms: t,
        pool: p.pool,
        total_capacity_gb: p.total_capacity_gb,
        free_capacity_gb: p.free_capacity_gb,
        allocated_capacity_gb: p.allocated_capacity_gb,
        provisioned_capacity_gb: p.provisioned_capacity_gb,
        max_over_subscription_ratio: p.max_over_subscription_ratio,
        reserved_capacity_gb: p.reserved_capacity_gb,
        usable_limit_gb: p.usable_limit_gb,
      };
      this.capacity.push(rec);
      this.lastPool.set(p.pool, rec);
    }
    this.sampledPools(t);
  }

  /** After a sample's pools: what a strategy adds (a full run: per volume type). */
  protected sampledPools(_t: number): void {}

  /** The decisions the scheduler still holds, as outcome records. */
  decisionRecords(): DecisionRecord[] {
    return this.cloud.decisions().map((d) => this.decisionRecord(d));
  }

  protected decisionRecord(d: CloudDecision): DecisionRecord {
    return {
      at_ms: d.atMs,
      resource_id: d.resource,
      operation: d.operation,
      ok: d.ok,
      chosen: d.chosen,
      emptied_by: d.emptiedBy,
      no_candidates: d.noCandidates,
      message: d.message,
      trace_text: d.traceText,
      trace: d.trace,
    };
  }
}

/** A service's state now, and what the scheduler and service-list judged it by. */
function serviceStateRecord(t: number, s: CloudServiceState, j: LivenessJudges, offsetOf: (node: string) => number): ServiceStateRecord {
  return {
    t_ms: t,
    host: s.host,
    binary: s.binary,
    state: s.state,
    scheduler_state: s.schedulerState,
    status: s.status,
    node: s.node,
    clock_offset_ms: offsetOf(s.node),
    scheduler_heartbeat_age_ms: j.scheduler ? Math.round(j.scheduler.wallNowMs - s.updatedAtWallMs) : null,
    scheduler_service_down_time_ms: j.scheduler?.serviceDownTimeMs ?? null,
    scheduler_node: j.scheduler?.node ?? null,
    scheduler_clock_offset_ms: j.scheduler ? offsetOf(j.scheduler.node) : null,
    api_heartbeat_age_ms: Math.round(j.api.wallNowMs - s.updatedAtWallMs),
    api_service_down_time_ms: j.api.serviceDownTimeMs,
    api_node: j.api.node,
    api_clock_offset_ms: offsetOf(j.api.node),
  };
}

/** Keeps every request and decision, and what each volume type holds over time. */
export class FullRecorder extends Recorder {
  private readonly lastUsage = new Map<string, TypeUsageSample>();
  private readonly lastTypePools = new Map<string, TypePoolsRecord>();
  /** Each pool's last capabilities, for the types' pools while its driver cannot report. */
  private readonly lastCaps = new Map<string, Record<string, Json>>();

  protected keeps(): boolean {
    return true;
  }

  protected override sampledPools(t: number): void {
    for (const u of this.cloud.typeUsage()) {
      const prev = this.lastUsage.get(u.volume_type);
      if (prev ? prev.provisioned_gb === u.provisioned_gb && prev.count === u.count : u.count === 0) continue;
      const rec: TypeUsageSample = { t_ms: t, ...u };
      this.typeUsage.push(rec);
      this.lastUsage.set(u.volume_type, rec);
    }
    for (const tp of this.cloud.typePools(this.lastCaps)) {
      const prev = this.lastTypePools.get(tp.volume_type);
      if (prev && prev.pools.join(' ') === tp.pools.join(' ')) continue;
      const rec: TypePoolsRecord = { t_ms: t, ...tp };
      this.typePools.push(rec);
      this.lastTypePools.set(tp.volume_type, rec);
    }
  }

  arrived(): void {}
  protected sampled(): void {}

  protected decisionCount(): number {
    return this.cloud.decisions().length;
  }
}

/**
 * Keeps the steps' own requests and counts the rest; digests the
 * scheduler's decisions and lets it forget them (a trace per pool per
 * decision adds up).
 */
export class LeanRecorder extends Recorder {
  private readonly hash = createHash('sha256');
  private decisionsSeen = 0;
  private hashed = 0;
  /** The running digest every DIGEST_CHECKPOINT_EVERY decisions (so far). */
  readonly checkpoints: DigestCheckpoint[] = [];
  /** What the steps' own requests started, and the decisions about them (kept, so step expectations judge as in a full run). */
  private readonly stepResources = new Set<string>();
  private readonly stepDecisions: DecisionRecord[] = [];
  /** First "No valid backend" per AZ and per volume type: two map lookups per failed decision, nothing per placed one. */
  private readonly firstFailure: FirstNoValidBackend = { by_az: {}, by_type: {} };

  override answered(rec: RequestRecord): void {
    if (rec.ok && rec.resource_id !== null && this.keeps(rec)) this.stepResources.add(rec.resource_id);
    super.answered(rec);
  }

  override decisionRecords(): DecisionRecord[] {
    return [...this.stepDecisions, ...super.decisionRecords()];
  }

  protected keeps(rec: RequestRecord): boolean {
    return rec.source.startsWith('step:');
  }

  arrived(n: number): void {
    if (n % LEAN_DRAIN_EVERY === 0) this.drain();
  }

  override finished(): void {
    this.drain();
    super.finished();
  }

  protected sampled(): void {
    this.drain();
  }

  private drain(): void {
    const decisions = this.cloud.decisions();
    for (const d of decisions) {
      this.hash.update(`${d.atMs}|${d.operation}|${d.resource}|${d.ok ? 1 : 0}|${d.chosen ?? ''}|${d.message ?? ''}\n`);
      if (++this.hashed % DIGEST_CHECKPOINT_EVERY === 0) this.checkpoints.push({ decisions: this.hashed, at_ms: d.atMs, digest: this.hash.copy().digest('hex').slice(0, 16) });
      if (!d.ok && d.resource !== null && d.message?.startsWith('No valid backend')) this.failedAt(d.resource, d.atMs);
      if (d.resource !== null && this.stepResources.has(d.resource)) this.stepDecisions.push(this.decisionRecord(d));
    }
    this.decisionsSeen += decisions.length;
    this.cloud.dropDecisions();
  }

  protected decisionCount(): number {
    return this.decisionsSeen;
  }

  private failedAt(volume: string, atMs: number): void {
    const az = this.cloud.availabilityZoneOf(volume);
    const type = this.cloud.volumeTypeOf(volume)?.name;
    if (az !== undefined) this.firstFailure.by_az[az] ??= atMs;
    if (type !== undefined) this.firstFailure.by_type[type] ??= atMs;
  }

  override firstNoValidBackend(): FirstNoValidBackend {
    return { by_az: sortedKeys(this.firstFailure.by_az), by_type: sortedKeys(this.firstFailure.by_type) };
  }

  protected override digest(): { decisions_digest: string; decisions_checkpoints: DigestCheckpoint[] } {
    return { decisions_digest: this.hash.copy().digest('hex'), decisions_checkpoints: this.checkpoints };
  }

  /** Decisions digested so far. */
  decisionsDigested(): number {
    return this.hashed;
  }

  /** Digest what the scheduler decided since the last drain (a replay stopping early). */
  flush(): void {
    this.drain();
  }

}

/** One combination of verb, source and retype target among the pending requests (its tally found once). */
interface PendingKind {
  readonly verb: string;
  readonly source: string;
  readonly target: string | undefined;
  tally?: ResultCounts;
}

/**
 * The pending requests as columns: per request a small integer (its kind)
 * and its resource id, and its record only when kept.  The same entries in
 * the same order as a list of objects, at a tenth of the memory.
 */
class PendingRequests {
  private kinds: PendingKind[] = [];
  private kindIndex = new Map<string, number>();
  private kindOf: number[] = [];
  private resourceIds: string[] = [];
  private recs = new Map<number, RequestRecord>();

  add(verb: string, source: string, resourceId: string, target: string | undefined, rec: RequestRecord | null): void {
    const key = `${verb}\u0000${source}\u0000${target ?? '\u0001'}`;
    let k = this.kindIndex.get(key);
    if (k === undefined) {
      k = this.kinds.length;
      this.kinds.push({ verb, source, target });
      this.kindIndex.set(key, k);
    }
    if (rec !== null) this.recs.set(this.resourceIds.length, rec);
    this.kindOf.push(k);
    this.resourceIds.push(resourceId);
  }

  hasVerb(verb: string): boolean {
    return this.kinds.some((k) => k.verb === verb);
  }

  /** Every pending request, in the order added. */
  forEach(visit: (kind: PendingKind, resourceId: string, rec: RequestRecord | null) => void): void {
    for (let i = 0; i < this.resourceIds.length; i++) visit(this.kinds[this.kindOf[i]!]!, this.resourceIds[i]!, this.recs.get(i) ?? null);
  }

  clear(): void {
    this.kinds = [];
    this.kindIndex = new Map();
    this.kindOf = [];
    this.resourceIds = [];
    this.recs = new Map();
  }
}

function sameInfo(a: PoolInfo, b: Omit<PoolInfo, 't_ms' | 'pool'>): boolean {
  for (const k of Object.keys(b) as (keyof typeof b)[]) if (a[k] !== b[k]) return false;
  return true;
}

/** The same record with its keys in sorted order (outputs are byte-identical whatever the order of events). */
function sortedKeys(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
