import type { ClockSegment, Periodic, TimerHandle } from '../../ports/clock.js';
import type { Rng } from '../../ports/rng.js';
import type { ServicePorts } from '../../ports/service.js';
import type { VolumeStats } from '../../ports/volume-driver.js';
import type { Shortcuts } from '../shortcuts.js';
import type { CapabilityReport, ServiceDirectory } from '../service/index.js';

/**
 * cinder-volume's capability reporting, kept apart from the manager's
 * rules: oslo_service's periodic-task gate in front of
 * publish_service_capabilities, and the journal of the reports it lets
 * through.  The periodic reports are not sent one by one: they are
 * computed when a scheduler pulls them (a year of a large cloud is
 * billions of them), from the stats in effect at each tick; the manager
 * tells this module when its stats change (statsChanged) and when Cinder
 * publishes at once (publish).
 */

/** What the reporter reads of its volume service. */
export interface ReportingService {
  /** host@backend */
  readonly host: string;
  readonly running: boolean;
  /** The report _report_driver_status would build now, or null when the driver cannot give stats. */
  currentStats(): VolumeStats | null;
}

/**
 * One tick through the gate: the new last_run when the task runs, NaN when
 * it is skipped (last_run + spacing > now).  `lastRunS` NaN: never ran.
 */
function gateRun(lastRunS: number, nowS: number, spacing: number, rng: Rng): number {
  if (lastRunS !== lastRunS) return nowS;
  if (lastRunS + spacing - nowS > 0) return NaN;
  const offset = floatMod(floatMod(nowS - lastRunS, spacing) + spacing, spacing);
  const jitter = Math.trunc(spacing * (rng.next() / 20));
  return nowS - offset + jitter;
}

/**
 * `x % s` without a call to fmod in the usual cases: the same float, as
 * x < s leaves x and s <= x < 2s leaves x - s, which is exact (Sterbenz).
 */
function floatMod(x: number, s: number): number {
  if (x >= 0 && x < s) return x;
  if (x >= s && x < 2 * s) return x - s;
  return x % s;
}

/** Consecutive periodic reports with the same stats object and non-decreasing stamps (see addReport). */
interface ReportRun {
  stats: VolumeStats;
  firstMono: number;
  firstWall: number;
  prevMono: number;
  prevWall: number;
  lastMono: number;
  lastWall: number;
  count: number;
}

export class CapabilityReporter {
  private reports: Periodic | null = null;
  /** The periodic-task gate (oslo_service run_periodic_tasks): last_run in wall seconds, NaN in a fresh process (a float field stays unboxed). */
  private gateLastRunS = NaN;
  /** Timer ticks up to this virtual time have been through the gate. */
  private gateThroughMono = -1;
  /** The current run's next timer tick after gateThroughMono (0: not known yet). */
  private gateNextTickMono = 0;
  private readonly gateRng: Rng;
  /** Reports the gate let through, oldest first, as runs of same-stats reports (see ReportRun). */
  private readonly reportRuns: ReportRun[] = [];
  /** lastMono of the oldest run when another follows it (Infinity: nothing to prune). */
  private oldestRunLastMono = Infinity;
  /** The run later reports may join; null after a pull or a cut. */
  private openRun: ReportRun | null = null;
  /** Times a scheduler may start a pull from (eager fanouts, scheduler starts): no run spans one. */
  private cuts: number[] = [];
  /** Newest wall stamp this service ever sent (periodic or eager): an older one may be ignored. */
  private maxReportWall = -Infinity;
  /** When set, every tick the gate lets through is appended (virtual time); see traceGate. */
  private gateTrace: number[] | null = null;
  private eagerTimer: TimerHandle | null = null;
  /** Stats in effect from each virtual time on (null: stats could not be read). */
  private statsLog: { mono: number; stats: VolumeStats | null }[] = [];

  constructor(
    private readonly ports: ServicePorts,
    private readonly owner: ReportingService,
    /** backend_stats_polling_interval: the gate's spacing, seconds. */
    private readonly spacingS: number,
    private readonly shortcuts: Shortcuts,
    private readonly directory: ServiceDirectory,
    /** The scheduler fanout topic. */
    private readonly schedulerTopic: string,
  ) {
    this.gateRng = ports.rng.fork('periodic_tasks');
    directory.registerCapabilities({
      host: owner.host,
      periodicReports: (a, b, visit) => this.periodicReports(a, b, visit),
      cut: (mono) => this.cutReports(mono),
      statsToken: () => this.statsLog[this.statsLog.length - 1]?.stats ?? null,
    });
  }

  /**
   * Service.start: the periodic tasks timer fires every periodic_interval
   * after `fuzzyMs`; a fresh process's gate has never run.
   */
  start(fuzzyMs: number, periodMs: number): void {
    this.statsChanged();
    this.gateLastRunS = NaN;
    if (!this.shortcuts.lazyReports) this.scheduleEager(fuzzyMs, periodMs);
    else {
      this.reports = this.ports.timers.periodic(periodMs, fuzzyMs, `capabilities ${this.owner.host}`);
      this.gateThroughMono = this.ports.clock.monoNow() - 1;
      this.gateNextTickMono = 0;
    }
  }

  /** The process stops: this run's ticks go through this run's gate before a restart resets it. */
  stop(): void {
    this.advanceGate(this.ports.clock.monoNow());
    this.reports?.stop();
    this.reports = null;
    this.eagerTimer?.cancel();
    this.eagerTimer = null;
  }

  /** Record from now on every timer tick the gate lets through (virtual ms) into `log`; null stops. */
  traceGate(log: number[] | null): void {
    this.gateTrace = log;
  }

  /** The gate's last_run (wall seconds; NaN before the first run), as of the ticks put through so far. */
  get gateLastRun(): number {
    return this.gateLastRunS;
  }

  /**
   * The service's stats may have changed (a volume came or went, its size or
   * allocation moved): the periodic reports from now on carry the stats as
   * of now.  The manager calls this after every change it makes.
   */
  statsChanged(): void {
    const now = this.ports.clock.monoNow();
    const stats = this.owner.currentStats();
    const last = this.statsLog[this.statsLog.length - 1];
    if (last && last.mono === now) last.stats = stats;
    else this.statsLog.push({ mono: now, stats });
    this.directory.statsChanged(this.owner.host);
  }

  /**
   * oslo_service's periodic task gate for publish_service_capabilities
   * (spacing backend_stats_polling_interval) at one timer tick, judged by
   * this node's wall clock: skip while last_run + spacing > now, else run
   * and move last_run to _nearest_boundary (up to 5 % jitter).  This is
   * why about 2 % of report gaps are two timer periods, and why a clock
   * stepped back pauses the reports.
   */
  private gatePasses(tickWallMs: number): boolean {
    const next = gateRun(this.gateLastRunS, tickWallMs / 1000, this.spacingS, this.gateRng);
    if (next !== next) return false;
    this.gateLastRunS = next;
    return true;
  }

  /** Put the current run's timer ticks up to `untilMono` through the gate, in order, once each. */
  private advanceGate(untilMono: number): void {
    const p = this.reports;
    if (!p || untilMono < this.gateNextTickMono) return;
    const last = p.lastTick(untilMono);
    if (last === null || last <= this.gateThroughMono) return;
    const n = p.ticks(last) - (this.gateThroughMono < 0 ? 0 : p.ticks(this.gateThroughMono));
    const clock = this.ports.clock;
    const step = p.intervalMs;
    const statsLog = this.statsLog;
    const cuts = this.cuts;
    // Without spans (or a clock offering no pieces) every tick goes the plain way.
    const spans = this.shortcuts.gateSpans && clock.segmentAt !== undefined;
    let seg: ClockSegment | null = null;
    let k = 0;
    let t = last - (n - 1) * step;
    // Spans of ticks under one piece of the wall clock and one stats entry, with no cut among them.
    while (t <= last) {
      if (cuts.length > 0 && cuts[0]! < t) {
        this.openRun = null;
        while (cuts.length > 0 && cuts[0]! < t) cuts.shift();
      }
      // The stats in effect at t are the last entry at or before it; k walks to the first one after.
      while (k < statsLog.length && statsLog[k]!.mono <= t) k++;
      const stats = k > 0 ? statsLog[k - 1]!.stats : null;
      if (spans && (seg === null || t >= seg.end)) seg = clock.segmentAt!(t);
      const through = cuts.length > 0 && cuts[0]! < last ? cuts[0]! : last;
      const before = Math.min(k < statsLog.length ? statsLog[k]!.mono : Infinity, seg ? seg.end : Infinity);
      if (seg !== null) t = this.gateSpan(t, step, through, before, stats, seg);
      // What the span leaves (a first tick, a new run, an unusual gate) or a clock without pieces: one tick the plain way.
      if (t <= through && t < before) {
        this.gateTick(t, stats);
        t += step;
      }
    }
    this.gateThroughMono = last;
    this.gateNextTickMono = last + step;
    this.pruneStats(last);
  }

  /** One timer tick through the gate, and its report if it runs: the reference the span loop keeps to. */
  private gateTick(t: number, stats: VolumeStats | null): void {
    const wall = this.ports.clock.wallAt(t);
    if (!this.gatePasses(wall)) return;
    this.gateTrace?.push(t);
    if (stats) this.addReport(stats, t, wall);
  }

  /**
   * gateTick over t, t + step, ... while <= `through` and < `before`, as
   * long as each tick is the common case: a gate that ran before and a
   * report that joins the open run.  Returns the first tick it left.  This
   * is the hot loop of a year-long run (half a billion ticks), so it keeps
   * to locals, reads the wall clock off `seg` (bit for bit wallAt) and
   * calls nothing but the rng.
   */
  private gateSpan(t: number, step: number, through: number, before: number, stats: VolumeStats | null, seg: ClockSegment): number {
    const spacing = this.spacingS;
    const rng = this.gateRng;
    const log = this.gateTrace;
    const { epochMs, start, offset0, slope } = seg;
    let lastRunS = this.gateLastRunS;
    let maxWall = this.maxReportWall;
    const run = this.openRun;
    const joins = run !== null && run.stats === stats;
    let prevMono = joins ? run.prevMono : 0;
    let prevWall = joins ? run.prevWall : 0;
    let lastMono = joins ? run.lastMono : 0;
    let lastWall = joins ? run.lastWall : 0;
    let count = joins ? run.count : 0;
    for (; t <= through && t < before; t += step) {
      const wall = epochMs + t + (offset0 + slope * (t - start));
      const nowS = wall / 1000;
      const due = lastRunS + spacing;
      if (due - nowS > 0) continue;
      // gateRun's arithmetic, shortened where it is provably the same float:
      // 0 < last_run <= now <= 2 last_run makes now - last_run exact
      // (Sterbenz), and with it in [spacing, 2 spacing) both floatMods are
      // exact subtractions, so now - offset is exactly last_run + spacing.
      // A fresh gate (NaN) or anything else is left to gateTick.
      const sinceS = nowS - lastRunS;
      if (!(lastRunS > 0 && nowS <= 2 * lastRunS && sinceS >= spacing && sinceS < 2 * spacing)) break;
      if (stats !== null && !(joins && wall >= maxWall)) break;
      lastRunS = due + Math.trunc(spacing * (rng.next() / 20));
      if (log !== null) log.push(t);
      if (stats === null) continue;
      prevMono = lastMono;
      prevWall = lastWall;
      lastMono = t;
      lastWall = wall;
      count++;
      if (wall > maxWall) maxWall = wall;
    }
    if (joins) {
      run.prevMono = prevMono;
      run.prevWall = prevWall;
      run.lastMono = lastMono;
      run.lastWall = lastWall;
      run.count = count;
    }
    this.gateLastRunS = lastRunS;
    this.maxReportWall = maxWall;
    return t;
  }

  /**
   * A report joins the open run when it carries the same stats object and
   * a stamp no older than any this service sent: applying such a run's
   * first, second-last and last report leaves the scheduler's
   * service_states and service_states_last_update as applying all of them
   * would (every later one is accepted, only stamps move, and
   * _get_updated_pools between equal dicts is the same answer each time).
   */
  private addReport(stats: VolumeStats, mono: number, wall: number): void {
    const run = this.openRun;
    if (run !== null && run.stats === stats && wall >= this.maxReportWall) {
      run.prevMono = run.lastMono;
      run.prevWall = run.lastWall;
      run.lastMono = mono;
      run.lastWall = wall;
      run.count++;
    } else {
      const fresh: ReportRun = { stats, firstMono: mono, firstWall: wall, prevMono: mono, prevWall: wall, lastMono: mono, lastWall: wall, count: 1 };
      this.reportRuns.push(fresh);
      if (this.reportRuns.length === 2) this.oldestRunLastMono = this.reportRuns[0]!.lastMono;
      this.openRun = fresh;
    }
    if (wall > this.maxReportWall) this.maxReportWall = wall;
  }

  /** No run spans `mono`: a scheduler will pull from there (it started, or a fanout sent then arrives). */
  cutReports(mono: number): void {
    if (mono >= this.gateThroughMono) this.cuts.push(mono);
    else this.openRun = null;
  }

  private periodicReports(sinceMono: number, untilMono: number, visit: (r: CapabilityReport) => void): void {
    this.advanceGate(untilMono);
    if (untilMono >= this.gateThroughMono) this.openRun = null;
    const runs = this.reportRuns;
    if (runs.length === 0 || runs[runs.length - 1]!.lastMono <= sinceMono) {
      this.pruneRuns(untilMono);
      return;
    }
    const host = this.owner.host;
    // Runs are in time order and a pull asks for the newest: start where they begin to count.
    let from = runs.length;
    while (from > 0 && runs[from - 1]!.lastMono > sinceMono) from--;
    for (let j = from; j < runs.length; j++) {
      const r = runs[j]!;
      if (r.firstMono > untilMono) continue;
      if (r.firstMono <= sinceMono || r.lastMono > untilMono) throw new Error(`capability report run ${r.firstMono}..${r.lastMono} of ${host} spans a pull bound (${sinceMono}, ${untilMono}]`);
      visit({ host, timestampWall: r.firstWall, producedMono: r.firstMono, stats: r.stats });
      if (r.count >= 3) visit({ host, timestampWall: r.prevWall, producedMono: r.prevMono, stats: r.stats });
      if (r.count >= 2) visit({ host, timestampWall: r.lastWall, producedMono: r.lastMono, stats: r.stats });
    }
    this.pruneRuns(untilMono);
  }

  /** Keep an hour of history for schedulers that look less often; older reports only ever lose to newer ones. */
  private pruneRuns(untilMono: number): void {
    const keepFrom = untilMono - 3_600_000;
    if (keepFrom <= this.oldestRunLastMono) return;
    const runs = this.reportRuns;
    let i = 0;
    while (i + 1 < runs.length && runs[i]!.lastMono < keepFrom) i++;
    if (i > 0) runs.splice(0, i);
    this.oldestRunLastMono = runs.length > 1 ? runs[0]!.lastMono : Infinity;
  }

  /** Stats before the scheduler's last pull are never asked for again; keep the one in effect. */
  private pruneStats(beforeMono: number): void {
    let i = 0;
    while (i + 1 < this.statsLog.length && this.statsLog[i + 1]!.mono <= beforeMono) i++;
    if (i > 0) this.statsLog = this.statsLog.slice(i);
  }

  private scheduleEager(firstMs: number, periodMs: number): void {
    const tick = (): void => {
      if (this.gatePasses(this.ports.clock.wallNow())) this.publish();
      this.eagerTimer = this.ports.timers.after(periodMs, tick, `capabilities ${this.owner.host}`);
    };
    this.eagerTimer = this.ports.timers.after(firstMs, tick, `capabilities ${this.owner.host}`);
  }

  /** _publish_service_capabilities: fanout, stamped by this node's clock (prepare_timestamp). */
  publish(): void {
    // Stats noted this very moment (every change notes them) are what _report_driver_status
    // would build now: send that object, so the scheduler sees the periodic reports that
    // follow as the same report and need not parse it twice.
    const noted = this.statsLog[this.statsLog.length - 1];
    const stats = noted !== undefined && noted.mono === this.ports.clock.monoNow() && noted.stats !== null ? noted.stats : this.owner.currentStats();
    if (!stats || !this.owner.running) return;
    const wall = this.ports.clock.wallNow();
    // The periodic reports due before this one are sent before it: put them through the
    // gate first, so a scheduler that pulls lazily finds them joined as the eager model sends them.
    this.advanceGate(this.ports.clock.monoNow());
    if (wall > this.maxReportWall) this.maxReportWall = wall;
    this.cutReports(this.ports.clock.monoNow());
    this.ports.bus.fanout(this.schedulerTopic, 'update_service_capabilities', {
      service_name: 'volume',
      host: this.owner.host,
      capabilities: stats,
      timestamp: this.ports.clock.wallNow(),
      // Lets the scheduler apply lazily computed periodic reports produced before this one first.
      sent_mono: this.ports.clock.monoNow(),
    });
  }
}
