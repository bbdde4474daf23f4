import type { Clock } from '../../ports/clock.js';
import type { VolumeStats } from '../../ports/volume-driver.js';
import type { ServiceRow } from '../db/index.js';

/**
 * The columns the lazy model computes when read instead of writing them
 * every period: a service's heartbeat (`services.updated_at`) and the
 * periodic capability reports of each cinder-volume.  Answers are exactly
 * what the eager model (a write or a fanout per period) would give: each
 * value is the reporting node's own wall clock at the tick.
 */
export interface HeartbeatSource {
  /** Wall time (reporting node's clock) of the last heartbeat, or null if none since the last start. */
  lastHeartbeatWall(): number | null;
  /**
   * Optional: how the heartbeat runs now (null: it does not), so that an
   * observer can tell how long its judgement stays settled.  A change of
   * running or stopped is announced with ServiceDirectory.beatsChanged.
   */
  beat?(): { clock: Clock; periodMs: number; lastTickMono: number | null } | null;
  /** Optional: virtual time of the last heartbeat since the last start, or null (for traces). */
  lastHeartbeatMono?(): number | null;
  /** Optional: the clock that stamps the heartbeats (its node's), for traces. */
  readonly clock?: Clock;
}

/** A capability report as the scheduler receives it (stamped by the sender's clock). */
export interface CapabilityReport {
  host: string;
  timestampWall: number;
  /** Virtual time the report was produced (for traces). */
  producedMono: number;
  stats: VolumeStats;
}

export interface CapabilitySource {
  readonly host: string;
  /**
   * The periodic reports produced in (sinceMono, untilMono], in tick order,
   * each with the stats in effect at its tick and its sender's wall time:
   * what the eager model would have delivered one by one.
   */
  periodicReports(sinceMono: number, untilMono: number, visit: (r: CapabilityReport) => void): void;
  /** A scheduler will pull from `mono` on (it starts now): keep the reports on either side apart. */
  cut(mono: number): void;
  /**
   * The stats object the next periodic reports will carry (null: none are
   * sent).  A new object whenever the stats change; see onStatsChange.
   */
  statsToken(): object | null;
}

export class ServiceDirectory {
  private readonly heartbeats = new Map<string, HeartbeatSource>();
  private readonly sources = new Map<string, CapabilitySource>();
  private sourceList: CapabilitySource[] | null = null;
  private indexOf: Map<string, number> | null = null;
  private readonly statsListeners: ((host: string) => void)[] = [];
  /**
   * A number that changes whenever any node's clock is replanned (a step,
   * an offset, drift or NTP change): reports stamped by a clock that went
   * back may be ignored, so schedulers look at every source again then.
   */
  clockEpoch: () => number = () => 0;
  /** Bumped when a heartbeat starts or stops. */
  beatEpoch = 0;

  beatsChanged(): void {
    this.beatEpoch++;
  }

  heartbeatSource(serviceId: string): HeartbeatSource | undefined {
    return this.heartbeats.get(serviceId);
  }

  registerHeartbeat(serviceId: string, src: HeartbeatSource): void {
    this.heartbeats.set(serviceId, src);
  }

  registerCapabilities(src: CapabilitySource): void {
    this.sources.set(src.host, src);
    this.sourceList = null;
    this.indexOf = null;
  }

  /** Every registered source (the same array until one registers; do not mutate). */
  capabilitySources(): readonly CapabilitySource[] {
    return (this.sourceList ??= [...this.sources.values()]);
  }

  /** Schedulers hear which backend's stats changed, so that between changes they need not look. */
  onStatsChange(listener: (host: string) => void): void {
    this.statsListeners.push(listener);
  }

  statsChanged(host: string): void {
    for (const l of this.statsListeners) l(host);
  }

  /** Where a source stands in registration order. */
  sourceIndex(host: string): number {
    if (this.indexOf === null) {
      this.indexOf = new Map();
      let i = 0;
      for (const h of this.sources.keys()) this.indexOf.set(h, i++);
    }
    return this.indexOf.get(host) ?? -1;
  }

  capabilitySource(host: string): CapabilitySource | undefined {
    return this.sources.get(host);
  }

  /** `services.updated_at` as the database would hold it now. */
  updatedAt(row: ServiceRow): number {
    return this.heartbeats.get(row.id)?.lastHeartbeatWall() ?? row.updated_at;
  }
}

export function serviceId(binary: string, host: string): string {
  return `${binary}:${host}`;
}
