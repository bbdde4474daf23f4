import type { Clock } from '../../../ports/clock.js';
import type { CapabilitySource, ServiceDirectory } from '../../service/index.js';
import type { Capabilities, HostManager, ReportOutcome } from '../host-manager.js';

/**
 * The lazy side of capability reports.  cinder-volume services compute
 * their periodic reports when asked (see CapabilitySource); the scheduler
 * pulls them before it decides, and only from the sources whose reports
 * may change a decision.  The others would bring reports equal to the ones
 * applied (stamps move, no number does): their pull waits until their
 * stats change, one of their pools is consumed, their service row changes
 * or a clock is replanned, and pulling them then leaves the scheduler as
 * pulling every source at every call would have.
 */
export class ReportPuller {
  private readonly lastPull = new Map<string, number>();
  /** Sources the next call must pull before it decides. */
  private readonly dirty = new Set<string>();
  private allDirty = true;
  private clockEpochSeen = NaN;
  /** The capabilities object of each source's last accepted report. */
  private readonly acceptedStats = new Map<string, object>();
  /** Sources with a report ignored as old in their last pull (their clock went back). */
  private readonly ignoredOld = new Set<string>();

  constructor(
    private readonly clock: Clock,
    private readonly directory: ServiceDirectory,
    /** false: pull every source at every call (the reference the lazy pulls are tested against). */
    private readonly lazy: boolean,
    /** The scheduler's intake of one report (update_service_capabilities and its notify). */
    private readonly intake: (host: string, caps: Capabilities, timestampWallMs: number) => void,
    /** The host manager of the running scheduler process. */
    private readonly hostManager: () => HostManager,
  ) {
    directory.onStatsChange((host) => this.markDirty(host));
  }

  /** A fresh scheduler process hears only reports sent from now on. */
  restart(): void {
    const now = this.clock.monoNow();
    for (const src of this.directory.capabilitySources()) {
      this.lastPull.set(src.host, now);
      src.cut(now);
    }
    this.allDirty = true;
    this.dirty.clear();
    this.acceptedStats.clear();
    this.ignoredOld.clear();
  }

  /** This source's reports may change a decision again. */
  markDirty(host: string): void {
    if (!this.allDirty) this.dirty.add(host);
  }

  /** What the intake made of a report (from a pull or an eager fanout). */
  taken(host: string, caps: Capabilities, outcome: ReportOutcome): void {
    if (outcome === 'ignored_old') this.ignoredOld.add(host);
    else this.acceptedStats.set(host, caps);
  }

  /** Pull the lazy periodic reports produced since the last call, from every source. */
  pullAll(): void {
    this.allDirty = true;
    this.pull();
  }

  /**
   * Pull the sources whose reports may change a decision, in registration
   * order, and keep dirty those that still may: stats not yet applied, a
   * consumption no report has replaced, a report ignored as old.
   */
  pull(): void {
    const epoch = this.directory.clockEpoch();
    if (!this.lazy) this.allDirty = true;
    if (epoch !== this.clockEpochSeen) {
      this.clockEpochSeen = epoch;
      this.allDirty = true;
    }
    if (!this.allDirty && this.dirty.size === 0) return;
    const now = this.clock.monoNow();
    const all = this.allDirty;
    this.allDirty = false;
    let pulled: CapabilitySource[];
    if (all) pulled = [...this.directory.capabilitySources()];
    else {
      pulled = [];
      for (const host of this.dirty) {
        const src = this.directory.capabilitySource(host);
        if (src) pulled.push(src);
      }
      // Registration order, as a pull of every source would go.
      if (pulled.length > 1) pulled.sort((a, b) => this.directory.sourceIndex(a.host) - this.directory.sourceIndex(b.host));
    }
    this.dirty.clear();
    for (const src of pulled) {
      this.ignoredOld.delete(src.host);
      this.pullSource(src, now);
    }
    const hm = this.hostManager();
    for (const src of pulled) {
      const host = src.host;
      const token = src.statsToken();
      if (token === null || this.acceptedStats.get(host) !== token || this.ignoredOld.has(host) || hm.backendConsumed(host)) this.dirty.add(host);
    }
  }

  /** The periodic reports `host` produced up to `untilMono` (an eager report sent then arrives: they come first). */
  pullUntil(host: string, untilMono: number): void {
    const src = this.directory.capabilitySource(host);
    if (src) this.pullSource(src, untilMono);
  }

  /** A consumption stamps the pool with now: the reports its backend sent before must be in first. */
  beforeConsume(host: string): void {
    const src = this.directory.capabilitySource(host);
    if (!src) return;
    this.pullSource(src, this.clock.monoNow());
    this.hostManager().refreshBackend(host);
  }

  private pullSource(src: CapabilitySource, untilMono: number): void {
    const since = this.lastPull.get(src.host) ?? -1;
    if (untilMono <= since) return;
    this.lastPull.set(src.host, untilMono);
    src.periodicReports(since, untilMono, (r) => this.intake(src.host, r.stats as unknown as Capabilities, r.timestampWall));
  }
}
