import type { CloudDecision, CloudView } from '../../harness/view.js';
import type { DecisionRecord, RequestRecord } from '../outcome.js';

/** Which request a replay explains: by its number, by the id of what it made, or by the name it gave a new volume. */
export interface WatchSpec {
  seq?: number;
  resourceId?: string;
  volumeName?: string;
}

/**
 * A replay's eye on one request (explain on a lean run): once the request
 * is made (or answered with the watched id), every scheduler decides with
 * the full trace; the first decision about what it made is kept and the run
 * is stopped right after it (a refused request stops the run at its answer).
 */
export class RequestWatch {
  readonly requests: RequestRecord[] = [];
  readonly decisions: DecisionRecord[] = [];
  /** Decisions made while tracing, before the watched request's resource was known. */
  private readonly seen: CloudDecision[] = [];
  private tracing = false;
  private resourceId: string | null = null;
  done = false;

  constructor(
    private readonly spec: WatchSpec,
    private readonly cloud: CloudView,
    private readonly stop: () => void,
  ) {}

  requested(rec: RequestRecord): void {
    if (this.done || this.requests.length > 0) return;
    const named = this.spec.volumeName !== undefined && rec.verb === 'create' && rec.request['name'] === this.spec.volumeName;
    if (rec.seq === this.spec.seq || named) {
      this.requests.push(rec);
      this.trace();
    }
  }

  answered(rec: RequestRecord): void {
    if (this.done) return;
    if (this.requests.length === 0 && this.spec.resourceId !== undefined && rec.resource_id === this.spec.resourceId) {
      this.requests.push(rec);
      this.trace();
    }
    if (this.requests[0] !== rec) return;
    if (!rec.ok || rec.resource_id === null) return this.finish();
    this.resourceId = rec.resource_id;
    const early = this.seen.find((d) => d.resource === this.resourceId);
    if (early) this.decided(early);
  }

  private trace(): void {
    if (this.tracing) return;
    this.tracing = true;
    this.cloud.traceDecisions((d) => {
      if (this.done) return;
      if (this.resourceId === null) this.seen.push(d);
      else if (d.resource === this.resourceId) this.decided(d);
    });
  }

  private decided(d: CloudDecision): void {
    this.decisions.push({ at_ms: d.atMs, resource_id: d.resource, operation: d.operation, ok: d.ok, chosen: d.chosen, emptied_by: d.emptiedBy, no_candidates: d.noCandidates, message: d.message, trace_text: d.traceText, trace: d.trace });
    this.finish();
  }

  private finish(): void {
    this.done = true;
    if (this.tracing) this.cloud.traceDecisions(null);
    this.stop();
  }
}
