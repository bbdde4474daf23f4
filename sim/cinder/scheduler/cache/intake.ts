import type { BackendState, PoolState, ServiceInfo, StoredReport } from '../host-manager.js';
import { PoolJournal } from './pool-journal.js';

/** The services list a refresh saw: a copy of its rows, the caller's array itself, each host's position. */
interface Refreshed {
  services: ServiceInfo[];
  given: readonly ServiceInfo[];
  index: Map<string, number>;
}

/**
 * The host manager's incremental intake: a change tracker in the manner of
 * Kubernetes' scheduler cache (pkg/scheduler/internal/cache), where every
 * change to a node moves its generation and a snapshot copies only what
 * moved.  Cinder's HostManager re-applies every stored report at every
 * scheduling call; that changes nothing unless a report, a service row or
 * a consumption changed since the last call, and a consumed pool changes
 * only when its consumption is not newer than its report (then the
 * re-apply wipes it).  This class tells the host manager which services to
 * visit and which re-applies would only move stamps; the host manager keeps
 * Cinder's rules and asks it at one place per rule.
 *
 * The per-pool marks it keeps (`version`, `consumedSinceReport`,
 * `lastReportWallMs`) and the per-backend ones (`applied`, `appliedService`)
 * live on the states themselves, so that the hot path (a consumption per
 * decision) is a few field writes on objects of one shape.
 */
export class Intake {
  /** Every pool version move, for readers that keep per-pool results (see PoolJournal). */
  readonly journal = new PoolJournal();
  /** Pools consumed since the last refresh. */
  private readonly consumeLog: PoolState[] = [];
  /** Backends a refresh must re-apply (kept until a refresh completes, even if one crashes). */
  private readonly pendingReapply = new Set<string>();
  /** Backends whose stored report changed since the last refresh. */
  private readonly touchedKeys = new Set<string>();
  /** The services list of the last full refresh, with each host's position (null: the next refresh is a full one). */
  private refreshedAt: Refreshed | null = null;

  /**
   * @param incremental false: every stored report is re-applied at every
   * call, as Cinder does (the reference the intake is tested against).
   */
  constructor(readonly incremental: boolean) {}

  /** A value a filter or weigher reads may have changed: move the pool's version. */
  changed(pool: PoolState): void {
    pool.version++;
    this.journal.record(pool);
  }

  /** A report is about to be applied to `pool` (before PoolState.update_from_volume_capability). */
  offered(pool: PoolState, timestampWallMs: number): void {
    this.changed(pool);
    pool.lastReportWallMs = timestampWallMs;
    if (!isStale(pool.updatedWallMs, timestampWallMs)) pool.consumedSinceReport = false;
  }

  /** `pool` is about to be consumed from (or have a consumption reverted). */
  consumed(pool: PoolState): void {
    this.changed(pool);
    pool.consumedSinceReport = true;
    this.consumeLog.push(pool);
  }

  /** A report for backend `key` was stored. */
  stored(key: string): void {
    this.touchedKeys.add(key);
  }

  /**
   * At the start of a scheduling call: positions (in services order) of the
   * services the call must look at (a changed row, a new report, a
   * consumption to wipe), or null when only a full pass will do (the first
   * call, the intake off, clusters, a host not in the list).
   */
  changedSince(services: readonly ServiceInfo[], known: ReadonlyMap<string, BackendState>): number[] | null {
    const reapplyKeys = this.pendingReapply;
    for (const pool of this.consumeLog) {
      if (pool.consumedSinceReport && !(pool.updatedWallMs !== null && pool.lastReportWallMs !== null && pool.updatedWallMs > pool.lastReportWallMs)) {
        reapplyKeys.add(pool.backendKey);
      }
    }
    this.consumeLog.length = 0;
    const last = this.refreshedAt;
    if (!this.incremental || last === null || last.services.length !== services.length) return null;
    const out: number[] = [];
    const prev = last.services;
    // The caller's very array again (its rows are replaced, never mutated): no row changed.
    for (let i = services === last.given ? services.length : 0; i < services.length; i++) {
      const s = services[i]!;
      if (s === prev[i]) continue;
      if (s.cluster_name || s.host !== prev[i]!.host) return null;
      out.push(i);
    }
    for (const keys of [this.touchedKeys, reapplyKeys]) {
      for (const key of keys) {
        const i = last.index.get(key);
        // A report from a host with no service row yet changes no candidate.
        if (i === undefined) {
          if (known.has(key)) return null;
          continue;
        }
        out.push(i);
      }
    }
    if (out.length > 1) {
      out.sort((a, b) => a - b);
      let w = 1;
      for (let r = 1; r < out.length; r++) if (out[r] !== out[w - 1]) out[w++] = out[r]!;
      out.length = w;
    }
    return out;
  }

  /** A full pass is starting: forget the services list until it ends. */
  fullPassStarting(): void {
    this.refreshedAt = null;
  }

  /** The call's pass is over: everything pending has been applied. */
  settled(services: readonly ServiceInfo[], fullPass: boolean): void {
    if (fullPass) {
      // Clusters and repeated hosts keep to the full pass (one backend, several rows).
      const index = new Map<string, number>();
      let simple = true;
      services.forEach((s, i) => {
        if (s.cluster_name) simple = false;
        index.set(s.host, i);
      });
      this.refreshedAt = simple && index.size === services.length ? { services: [...services], given: services, index } : null;
    } else {
      const last = this.refreshedAt!;
      if (services !== last.given) {
        last.services = [...services];
        last.given = services;
      }
    }
    this.pendingReapply.clear();
    this.touchedKeys.clear();
  }

  /**
   * Whether `state` needs BackendState.update_from_volume_capability with
   * `report` now (then call applied() after it).  When the update would
   * only move stamps, they are moved here and the answer is false.
   */
  mustUpdate(state: BackendState, key: string, report: StoredReport, service: ServiceInfo): boolean {
    if (!this.incremental) return true;
    const reapply = this.pendingReapply.has(key);
    if (!reapply && state.applied === report && state.appliedService === service) return false;
    if (reapply || !canTouch(state, report, service)) return true;
    this.touch(state, report.timestampWallMs, service);
    state.applied = report;
    return false;
  }

  /** What update() would do with a report canTouch() allows: stamps only (and the service row, unchanged there). */
  private touch(state: BackendState, timestampWallMs: number, service: ServiceInfo): void {
    if (isStale(state.updatedWallMs, timestampWallMs)) return;
    state.updatedWallMs = timestampWallMs;
    for (const pool of state.poolList()) {
      if (service !== pool.service) this.changed(pool);
      pool.service = service;
      pool.lastReportWallMs = timestampWallMs;
      if (!isStale(pool.updatedWallMs, timestampWallMs)) pool.updatedWallMs = timestampWallMs;
    }
  }

  /** BackendState.update_from_volume_capability ran with `report`. */
  applied(state: BackendState, report: StoredReport, service: ServiceInfo): void {
    state.applied = report;
    state.appliedService = service;
  }

  /** One backend was brought to its stored report outside a call. */
  caughtUp(key: string, poolSetChanged: boolean): void {
    if (poolSetChanged) this.refreshedAt = null;
    this.touchedKeys.delete(key);
  }

  /** Whether a pool of this backend carries a consumption no report has replaced yet. */
  backendConsumed(state: BackendState): boolean {
    for (const pool of state.poolList()) if (pool.consumedSinceReport) return true;
    return false;
  }
}

function isStale(updatedWallMs: number | null, timestampWallMs: number): boolean {
  return updatedWallMs !== null && updatedWallMs > timestampWallMs;
}

/**
 * Whether update() with `report` would move only stamps: it carries the very
 * capabilities object last applied, with the same service row, and no pool
 * was consumed since (the pool set and every number stay; pool dicts would
 * be rebuilt equal, so they are kept).
 */
function canTouch(state: BackendState, report: StoredReport, service: ServiceInfo): boolean {
  const applied = state.applied;
  if (applied === null || applied.capabilities !== report.capabilities || state.appliedService !== service) return false;
  for (const pool of state.poolList()) if (pool.consumedSinceReport) return false;
  return true;
}
