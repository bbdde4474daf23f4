import type { VolumeStats } from '../../ports/volume-driver.js';
import type { ServiceRow } from './model.js';

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
}

export class ServiceDirectory {
  private readonly heartbeats = new Map<string, HeartbeatSource>();
  private readonly sources = new Map<string, CapabilitySource>();

  registerHeartbeat(serviceId: string, src: HeartbeatSource): void {
    this.heartbeats.set(serviceId, src);
  }

  registerCapabilities(src: CapabilitySource): void {
    this.sources.set(src.host, src);
  }

  capabilitySources(): CapabilitySource[] {
    return [...this.sources.values()];
  }

  /** `services.updated_at` as the database would hold it now. */
  updatedAt(row: ServiceRow): number {
    return this.heartbeats.get(row.id)?.lastHeartbeatWall() ?? row.updated_at;
  }
}

export function serviceId(binary: string, host: string): string {
  return `${binary}:${host}`;
}
