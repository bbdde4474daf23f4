import type { Message } from '../../ports/bus.js';
import type { ClockSegment, Periodic, TimerHandle } from '../../ports/clock.js';
import type { Rng } from '../../ports/rng.js';
import type { ServicePorts } from '../../ports/service.js';
import type { Table } from '../../ports/store.js';
import type { DriverResult, PoolStats, VolumeDriver, VolumeStats } from '../../ports/volume-driver.js';
import { commit, negate, snapshotDeltas, volumeDeltas } from '../api/quota.js';
import type { ServiceDefaults } from '../config/resolved.js';
import { copyDict } from '../dict.js';
import { serviceId, type CapabilityReport, type ServiceDirectory } from './directory.js';
import {
  backendOf,
  poolOf,
  type BackupRow,
  tables,
  type ServiceRow,
  type SnapshotRow,
  type VolumeRow,
  type VolumeStatus,
  type VolumeTypeRow,
} from './model.js';

/** oslo.service's graceful_shutdown_timeout default: how long a stopping service finishes its requests. */
const GRACEFUL_SHUTDOWN_TIMEOUT_S = 60;

export const SCHEDULER_TOPIC = 'cinder-scheduler';
export const volumeTopic = (host: string): string => `cinder-volume.${host}`;
export const backupTopic = (host: string): string => `cinder-backup.${host}`;

/** Image data copies at this rate when a volume is created from an image (MB/s). */
const IMAGE_COPY_MBPS = 100;

export interface VolumeServiceConfig {
  /** host@backend */
  host: string;
  availabilityZone: string;
  defaults: ServiceDefaults;
  /** extra_capabilities of the backend's group, parsed: merged into every pool it reports. */
  extraCapabilities: Record<string, unknown>;
  /** Image sizes for create-from-image (bytes). */
  imageSizeBytes: (imageId: string) => number | undefined;
  /**
   * Eager twin for tests: publish every periodic capability report as a
   * real fanout instead of answering lazily.
   */
  eagerReports?: boolean;
}

type State = 'running' | 'stopped';

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

/**
 * cinder-volume for one backend (volume/manager.py VolumeManager plus
 * service.py Service): heartbeats and capability reports computed lazily
 * from its own clock, RPC handlers that run the driver and set the
 * statuses Cinder sets, allocated_capacity_gb accounting.
 */
export class VolumeService {
  private state: State = 'stopped';
  private heartbeat: Periodic | null = null;
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
  /** Test hook: when set, every tick the gate lets through is appended (virtual time). */
  gateLog: number[] | null = null;
  private eagerTimer: TimerHandle | null = null;
  private readonly inflight = new Set<TimerHandle>();
  /** Allocated GB per pool, as _count_allocated_capacity / _update_allocated_capacity keep it. */
  private readonly allocatedGb = new Map<string, number>();
  /** Stats in effect from each virtual time on (null: stats could not be read). */
  private statsLog: { mono: number; stats: VolumeStats | null }[] = [];
  readonly id: string;

  constructor(
    private readonly ports: ServicePorts,
    private readonly cfg: VolumeServiceConfig,
    readonly driver: VolumeDriver & { readonly statsUnavailable?: boolean },
    private readonly directory: ServiceDirectory,
  ) {
    this.id = serviceId('cinder-volume', cfg.host);
    this.gateRng = ports.rng.fork('periodic_tasks');
    directory.registerHeartbeat(this.id, {
      lastHeartbeatWall: () => {
        const t = this.heartbeat?.lastTick() ?? null;
        return t === null ? null : this.ports.clock.wallAt(t);
      },
      beat: () => {
        const h = this.heartbeat;
        return h === null || h.stopped ? null : { clock: this.ports.clock, periodMs: h.intervalMs, lastTickMono: h.lastTick() };
      },
    });
    directory.registerCapabilities({
      host: cfg.host,
      periodicReports: (a, b, visit) => this.periodicReports(a, b, visit),
      cut: (mono) => this.cutReports(mono),
      statsToken: () => this.statsLog[this.statsLog.length - 1]?.stats ?? null,
    });
  }

  get host(): string {
    return this.cfg.host;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  private get volumes(): Table<VolumeRow> {
    return this.ports.store.table<VolumeRow>(tables.volumes);
  }

  private get snapshots(): Table<SnapshotRow> {
    return this.ports.store.table<SnapshotRow>(tables.snapshots);
  }

  private get services(): Table<ServiceRow> {
    return this.ports.store.table<ServiceRow>(tables.services);
  }

  // ---- lifecycle ----------------------------------------------------------

  /** Service.start + VolumeManager.init_host. */
  start(): void {
    if (this.state === 'running') return;
    this.state = 'running';
    const { defaults } = this.cfg;
    const setup = this.driver.initialized ? null : this.driver.doSetup();
    if (setup && !setup.ok) this.ports.log.error(`Failed to initialize driver. ${setup.message}`);
    const row = this.services.get(this.id);
    if (row) this.services.update(this.id, { availability_zone: this.cfg.availabilityZone });
    else {
      this.services.insert({
        id: this.id,
        binary: 'cinder-volume',
        host: this.cfg.host,
        topic: 'cinder-volume',
        availability_zone: this.cfg.availabilityZone,
        disabled: false,
        disabled_reason: null,
        modified_at: null,
        frozen: false,
      });
    }
    this.ports.bus.serve(volumeTopic(this.cfg.host), (method, args) => this.handle(method, args));
    // init_host returns early when the driver failed to initialise: no counting, no cleanup.
    if (this.driver.initialized) {
      this.countAllocated();
      this.cleanup();
    }
    const reportMs = defaults.report_interval * 1000;
    // report_state sends nothing while the driver is not initialised: the service shows down.
    this.heartbeat = this.driver.initialized ? this.ports.timers.periodic(reportMs, reportMs, `heartbeat ${this.cfg.host}`) : null;
    this.directory.beatsChanged();
    if (!this.driver.initialized) {
      this.ports.log.error(`Manager for service cinder-volume ${this.cfg.host} is reporting problems, not sending heartbeat. Service will appear "down".`);
    }
    // Service.start: the periodic tasks timer fires every periodic_interval after a random initial delay.
    const fuzzyMs = this.ports.rng.int(0, Math.trunc(defaults.periodic_fuzzy_delay)) * 1000;
    const periodMs = defaults.periodic_interval * 1000;
    this.noteStatsChanged();
    this.gateLastRunS = NaN;
    if (this.cfg.eagerReports) this.scheduleEager(fuzzyMs, periodMs);
    else {
      this.reports = this.ports.timers.periodic(periodMs, fuzzyMs, `capabilities ${this.cfg.host}`);
      this.gateThroughMono = this.ports.clock.monoNow() - 1;
      this.gateNextTickMono = 0;
    }
    if (this.driver.initialized) this.publishNow();
  }

  /**
   * SIGTERM (`systemctl stop`): oslo's Service.stop stops consuming RPCs and
   * the timers (heartbeats, reports) at once, and requests already being
   * handled run on for up to graceful_shutdown_timeout before the process
   * exits; whatever is still running then is lost, as in a crash.
   */
  stop(): void {
    if (this.state === 'stopped') return;
    this.halt();
    if (this.inflight.size === 0) return;
    const draining = [...this.inflight];
    this.ports.timers.after(GRACEFUL_SHUTDOWN_TIMEOUT_S * 1000, () => {
      for (const h of draining) {
        if (!this.inflight.delete(h)) continue;
        h.cancel();
      }
    }, `graceful shutdown ${this.cfg.host}`);
  }

  /** kill -9, a node power loss: in-flight driver work is lost; the next start's cleanup resolves it as init_host does. */
  crash(): void {
    if (this.state === 'stopped') return;
    this.halt();
    for (const h of this.inflight) h.cancel();
    this.inflight.clear();
  }

  private halt(): void {
    this.state = 'stopped';
    this.heartbeat?.stop();
    this.directory.beatsChanged();
    // Ticks of this run go through this run's gate before a restart resets it.
    this.advanceGate(this.ports.clock.monoNow());
    this.reports?.stop();
    this.reports = null;
    this.eagerTimer?.cancel();
    this.eagerTimer = null;
    this.ports.bus.unserve(volumeTopic(this.cfg.host));
  }

  /**
   * A restart runs do_setup again (a VG that went missing now keeps the
   * service down).  Modelled as a crash and an immediate start: init_host's
   * cleanup resolves what was in flight.
   */
  restart(): void {
    this.crash();
    (this.driver as { resetInitialized?: () => void }).resetInitialized?.();
    this.start();
  }

  /** _do_cleanup at start: interrupted work on this backend is resolved as Cinder does. */
  private cleanup(): void {
    for (const v of this.volumes.list((v) => v.host !== null && backendOf(v.host) === this.cfg.host)) {
      if (v.status === 'creating' || v.status === 'downloading') this.volumes.update(v.id, { status: 'error' });
      else if (v.status === 'deleting') this.deleteVolume({ volume_id: v.id, cascade: true });
      else if (v.status === 'extending') this.volumes.update(v.id, { status: 'error_extending' });
    }
    for (const s of this.snapshots.list((s) => this.ownsVolume(s.volume_id))) {
      if (s.status === 'creating') this.snapshots.update(s.id, { status: 'error' });
      else if (s.status === 'deleting') this.deleteSnapshot({ snapshot_id: s.id });
    }
  }

  private ownsVolume(volumeId: string): boolean {
    const v = this.volumes.get(volumeId);
    return !!v && v.host !== null && backendOf(v.host) === this.cfg.host;
  }

  private countAllocated(): void {
    this.allocatedGb.clear();
    for (const v of this.volumes.list((v) => v.host !== null && backendOf(v.host) === this.cfg.host)) {
      if (v.status === 'available' || v.status === 'in-use') this.addAllocated(v.host!, v.size);
    }
  }

  private addAllocated(host: string, gb: number): void {
    const pool = poolOf(host) ?? this.driver.getVolumeStats().pools[0]?.pool_name ?? 'unknown';
    this.allocatedGb.set(pool, Math.max(0, (this.allocatedGb.get(pool) ?? 0) + gb));
  }

  // ---- capability reports ---------------------------------------------------

  /** The report _report_driver_status would build now, or null when the driver cannot give stats. */
  currentStats(): VolumeStats | null {
    if (this.driver.statsUnavailable || !this.driver.initialized) return null;
    const stats = this.driver.getVolumeStats();
    const extra = this.cfg.extraCapabilities;
    return copyDict<VolumeStats>(stats, { pools: stats.pools.map((p) => copyDict<PoolStats>(extra as PoolStats, p, { allocated_capacity_gb: this.allocatedGb.get(p.pool_name) ?? 0 } as PoolStats)) } as VolumeStats);
  }

  /** Keep the stats as of now for the lazy periodic reports (call after every state change). */
  noteStatsChanged(): void {
    const now = this.ports.clock.monoNow();
    const stats = this.currentStats();
    const last = this.statsLog[this.statsLog.length - 1];
    if (last && last.mono === now) last.stats = stats;
    else this.statsLog.push({ mono: now, stats });
    this.directory.statsChanged(this.cfg.host);
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
    const next = gateRun(this.gateLastRunS, tickWallMs / 1000, this.cfg.defaults.backend_stats_polling_interval, this.gateRng);
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
      if (clock.segmentAt && (seg === null || t >= seg.end)) seg = clock.segmentAt(t);
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
    this.gateLog?.push(t);
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
    const spacing = this.cfg.defaults.backend_stats_polling_interval;
    const rng = this.gateRng;
    const log = this.gateLog;
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
    const host = this.cfg.host;
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
      if (this.gatePasses(this.ports.clock.wallNow())) this.publishNow();
      this.eagerTimer = this.ports.timers.after(periodMs, tick, `capabilities ${this.cfg.host}`);
    };
    this.eagerTimer = this.ports.timers.after(firstMs, tick, `capabilities ${this.cfg.host}`);
  }

  /** _publish_service_capabilities: fanout, stamped by this node's clock (prepare_timestamp). */
  publishNow(): void {
    // Stats noted this very moment (every change notes them) are what _report_driver_status
    // would build now: send that object, so the scheduler sees the periodic reports that
    // follow as the same report and need not parse it twice.
    const noted = this.statsLog[this.statsLog.length - 1];
    const stats = noted !== undefined && noted.mono === this.ports.clock.monoNow() && noted.stats !== null ? noted.stats : this.currentStats();
    if (!stats || this.state !== 'running') return;
    const wall = this.ports.clock.wallNow();
    // The periodic reports due before this one are sent before it: put them through the
    // gate first, so a scheduler that pulls lazily finds them joined as the eager model sends them.
    this.advanceGate(this.ports.clock.monoNow());
    if (wall > this.maxReportWall) this.maxReportWall = wall;
    this.cutReports(this.ports.clock.monoNow());
    this.ports.bus.fanout(SCHEDULER_TOPIC, 'update_service_capabilities', {
      service_name: 'volume',
      host: this.cfg.host,
      capabilities: stats,
      timestamp: this.ports.clock.wallNow(),
      // Lets the scheduler apply lazily computed periodic reports produced before this one first.
      sent_mono: this.ports.clock.monoNow(),
    });
  }

  // ---- RPC ------------------------------------------------------------------

  private handle(method: string, args: Message): unknown {
    switch (method) {
      case 'create_volume':
        return this.createVolume(args);
      case 'delete_volume':
        return this.deleteVolume(args);
      case 'extend_volume':
        return this.extendVolume(args);
      case 'create_snapshot':
        return this.createSnapshot(args);
      case 'delete_snapshot':
        return this.deleteSnapshot(args);
      case 'initialize_connection':
        return this.initializeConnection(args);
      case 'terminate_connection':
        return this.terminateConnection(args);
      case 'accept_transfer':
        return { ok: true };
      case 'retype':
        return this.retype(args);
      case 'migrate_volume_target':
        return this.migrateTarget(args);
      case 'migrate_volume_completion':
        return this.migrateCompletion(args);
      case 'publish_service_capabilities':
        return this.publishNow();
      default:
        this.ports.log.warning(`Unknown RPC method ${method}`);
        return undefined;
    }
  }

  /** Apply a driver result after its latency; crashes cancel pending completions. */
  private after<T>(r: DriverResult<T>, fn: (r: DriverResult<T>) => void, label: string): void {
    // The driver changed the backend when called (an LV exists from lvcreate on): stats from now on show it.
    this.noteStatsChanged();
    const h = this.ports.timers.after(r.latencyMs, () => {
      this.inflight.delete(h);
      fn(r);
      this.noteStatsChanged();
    }, label);
    this.inflight.add(h);
  }

  private typeName(typeId: string): string {
    return this.ports.store.table<VolumeTypeRow>(tables.volumeTypes).get(typeId)?.name ?? typeId;
  }

  private createVolume(args: Message): void {
    const volumeId = String(args.volume_id);
    const v = this.volumes.get(volumeId);
    if (!v || v.deleted || !v.host) return;
    const pool = poolOf(v.host) ?? 'LVM';
    const ref = { id: v.id, sizeGb: v.size, pool };
    // _update_allocated_capacity runs before the driver; reports from now on carry it.
    this.addAllocated(v.host, v.size);
    this.noteStatsChanged();
    let r: DriverResult<void>;
    let extraMs = 0;
    if (v.snapshot_id) {
      const s = this.snapshots.get(v.snapshot_id);
      r = s
        ? this.driver.createVolumeFromSnapshot(ref, { id: s.id, volumeId: s.volume_id, volumeSizeGb: s.volume_size })
        : { ok: false, kind: 'NotFound', message: `Snapshot ${v.snapshot_id} could not be found.`, latencyMs: 0 };
    } else if (v.source_volid) {
      const src = this.volumes.get(v.source_volid);
      r = src && !src.deleted
        ? this.driver.createClonedVolume(ref, { id: src.id, sizeGb: src.size, pool })
        : { ok: false, kind: 'NotFound', message: `Volume ${v.source_volid} could not be found.`, latencyMs: 0 };
    } else {
      r = this.driver.createVolume(ref);
      if (v.image_id) extraMs = Math.ceil(((this.cfg.imageSizeBytes(v.image_id) ?? 0) / (1024 * 1024) / IMAGE_COPY_MBPS) * 1000);
    }
    const withImage = r.ok ? { ...r, latencyMs: r.latencyMs + extraMs } : r;
    this.after(withImage, (res) => this.finishCreate(v.id, res, args), `create_volume ${v.id}`);
  }

  private finishCreate(volumeId: string, r: DriverResult<void>, args: Message): void {
    const v = this.volumes.get(volumeId);
    if (!v || v.deleted) return;
    if (r.ok) {
      if (v.backup_id) {
        // Created from a backup: the backup service restores into it (status restoring-backup).
        this.volumes.update(v.id, { status: 'restoring-backup' });
        const backups = this.ports.store.table<BackupRow>(tables.backups);
        const b = backups.get(v.backup_id);
        if (b && !b.deleted) backups.update(b.id, { status: 'restoring', restore_volume_id: v.id });
        this.ports.bus.cast(backupTopic(b?.host ?? ''), 'restore_backup', { backup_id: v.backup_id, volume_id: v.id, new_volume: true });
        return;
      }
      this.volumes.update(v.id, { status: 'available', launched_at: this.ports.clock.wallNow(), bootable: v.image_id !== null });
      return;
    }
    this.ports.log.error(`Volume ${v.id}: create failed: ${r.message}`);
    const retry = (args.retry ?? null) as { num_attempts: number; backends: string[] } | null;
    const exempt = r.kind === 'NotFound';
    if (retry && !exempt) {
      // OnFailureRescheduleTask: back to the scheduler with this backend recorded; the allocation goes with it.
      // The scheduler, not this manager, refuses once scheduler_max_attempts is exceeded.
      this.addAllocated(v.host!, -v.size);
      this.volumes.update(v.id, { host: null, status: 'creating' });
      this.ports.bus.cast(SCHEDULER_TOPIC, 'create_volume', {
        volume_id: v.id,
        retry,
        reschedule_from: v.host,
        availability_zones: args.availability_zones ?? null,
        resource_backend: args.resource_backend ?? null,
      });
      return;
    }
    this.volumes.update(v.id, { status: 'error' });
  }

  private deleteVolume(args: Message): void {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted) return;
    if (v.attach_status === 'attached') {
      this.ports.log.error(`Volume ${v.id} is still attached, detach volume first.`);
      this.volumes.update(v.id, { status: 'available' });
      return;
    }
    const snaps = this.snapshots.list((s) => s.volume_id === v.id);
    if (args.cascade) {
      const bad = snaps.find((s) => s.status !== 'deleting');
      if (bad) {
        this.ports.log.error(`Invalid snapshot: Snapshot ${bad.id} was found in state ${bad.status} rather than 'deleting' during cascade delete.`);
        this.volumes.update(v.id, { status: 'error_deleting' });
        return;
      }
      for (const s of snaps) {
        const r = this.driver.deleteSnapshot(s.id);
        if (!r.ok) {
          this.snapshots.update(s.id, { status: 'error_deleting' });
          this.volumes.update(v.id, { status: 'error_deleting' });
          return;
        }
        this.destroySnapshot(s);
      }
    }
    const r = this.driver.deleteVolume(v.id);
    this.after(r, (res) => {
      const cur = this.volumes.get(v.id);
      if (!cur || cur.deleted) return;
      if (!res.ok) {
        // VolumeIsBusy (a thick LV with a snapshot) puts the volume back to available.
        this.volumes.update(v.id, { status: res.kind === 'VolumeIsBusy' ? 'available' : 'error_deleting' });
        this.ports.log.error(`Volume ${v.id}: delete failed: ${res.message}`);
        return;
      }
      this.volumes.softDelete(v.id);
      commit(this.ports.store, cur.project_id, negate(volumeDeltas(this.typeName(cur.volume_type_id), cur.size)));
      if (cur.host) this.addAllocated(cur.host, -cur.size);
      this.noteStatsChanged();
      this.publishNow();
    }, `delete_volume ${v.id}`);
  }

  private destroySnapshot(s: SnapshotRow): void {
    this.snapshots.softDelete(s.id);
    commit(this.ports.store, s.project_id, negate(snapshotDeltas(this.typeName(s.volume_type_id), s.volume_size, this.cfg.defaults.no_snapshot_gb_quota)));
  }

  private extendVolume(args: Message): void {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted) return;
    const newSize = Number(args.new_size);
    const r = this.driver.extendVolume(v.id, newSize);
    this.after(r, (res) => {
      const cur = this.volumes.get(v.id);
      if (!cur || cur.deleted) return;
      const back: VolumeStatus = cur.previous_status === 'in-use' ? 'in-use' : 'available';
      if (!res.ok) {
        this.volumes.update(v.id, { status: 'error_extending' });
        commit(this.ports.store, cur.project_id, { gigabytes: -(newSize - cur.size), [`gigabytes_${this.typeName(cur.volume_type_id)}`]: -(newSize - cur.size) });
        return;
      }
      if (cur.host) this.addAllocated(cur.host, newSize - cur.size);
      this.volumes.update(v.id, { size: newSize, status: back, previous_status: null });
    }, `extend_volume ${v.id}`);
  }

  private createSnapshot(args: Message): void {
    const s = this.snapshots.get(String(args.snapshot_id));
    if (!s || s.deleted) return;
    const r = this.driver.createSnapshot({ id: s.id, volumeId: s.volume_id, volumeSizeGb: s.volume_size });
    this.after(r, (res) => {
      const cur = this.snapshots.get(s.id);
      if (!cur || cur.deleted) return;
      if (res.ok) this.snapshots.update(s.id, { status: 'available', progress: '100%' });
      else this.snapshots.update(s.id, { status: 'error' });
    }, `create_snapshot ${s.id}`);
  }

  private deleteSnapshot(args: Message): void {
    const s = this.snapshots.get(String(args.snapshot_id));
    if (!s || s.deleted) return;
    const r = this.driver.deleteSnapshot(s.id);
    this.after(r, (res) => {
      const cur = this.snapshots.get(s.id);
      if (!cur || cur.deleted) return;
      if (res.ok) this.destroySnapshot(cur);
      else this.snapshots.update(s.id, { status: 'error_deleting' });
    }, `delete_snapshot ${s.id}`);
  }

  /** A synchronous call: the reply carries the connection info or the error. */
  private initializeConnection(args: Message): unknown {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted) return { ok: false, message: `Volume ${String(args.volume_id)} could not be found.` };
    const r = this.driver.initializeConnection(v.id, { host: String(args.host ?? 'compute') }, v.provider_auth);
    if (!r.ok) return { ok: false, message: r.message };
    this.volumes.update(v.id, { provider_auth: r.value.providerAuth, provider_location: r.value.providerLocation });
    return { ok: true, connection_info: r.value.info };
  }

  private terminateConnection(args: Message): unknown {
    const r = this.driver.terminateConnection(String(args.volume_id));
    return { ok: r.ok };
  }

  /**
   * VolumeManager.retype: on the same backend LVM's retype returns True, so
   * only the type changes; to another backend (migration_policy on-demand)
   * a generic migration copies the data and deletes the source.
   */
  private retype(args: Message): void {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted) return;
    const back: VolumeStatus = v.previous_status === 'in-use' ? 'in-use' : 'available';
    const dest = args.dest_host ? String(args.dest_host) : null;
    if (!dest) {
      this.volumes.update(v.id, { volume_type_id: String(args.new_type_id), status: back, previous_status: null });
      this.noteStatsChanged();
      this.publishNow();
      return;
    }
    if (this.snapshots.list((s) => s.volume_id === v.id).length > 0) {
      this.ports.log.error(`Volume ${v.id}: Volume must not have snapshots.`);
      this.volumes.update(v.id, { status: back, previous_status: null });
      return;
    }
    this.volumes.update(v.id, { migration_status: 'migrating' });
    this.ports.bus.cast(volumeTopic(backendOf(dest)), 'migrate_volume_target', { volume_id: v.id, dest_host: dest, new_type_id: args.new_type_id, source_host: this.cfg.host });
  }

  /** The destination side of a generic migration: a new volume, then a copy of the data. */
  private migrateTarget(args: Message): void {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted) return;
    const dest = String(args.dest_host);
    const r = this.driver.createVolume({ id: v.id, sizeGb: v.size, pool: poolOf(dest) ?? 'LVM' });
    const copyMs = Math.ceil(((v.size * 1024) / IMAGE_COPY_MBPS) * 1000);
    this.after(r.ok ? { ...r, latencyMs: r.latencyMs + copyMs } : r, (res) => {
      if (res.ok) this.addAllocated(dest, v.size);
      this.ports.bus.cast(volumeTopic(String(args.source_host)), 'migrate_volume_completion', { volume_id: v.id, dest_host: dest, new_type_id: args.new_type_id, ok: res.ok });
    }, `migrate ${v.id}`);
  }

  private migrateCompletion(args: Message): void {
    const v = this.volumes.get(String(args.volume_id));
    if (!v || v.deleted) return;
    const back: VolumeStatus = v.previous_status === 'in-use' ? 'in-use' : 'available';
    if (!args.ok) {
      this.volumes.update(v.id, { status: back, previous_status: null, migration_status: 'error' });
      return;
    }
    const r = this.driver.deleteVolume(v.id);
    if (v.host) this.addAllocated(v.host, -v.size);
    this.volumes.update(v.id, { host: String(args.dest_host), volume_type_id: String(args.new_type_id), status: back, previous_status: null, migration_status: 'success' });
    if (!r.ok) this.ports.log.warning(`Volume ${v.id}: failed to delete the migration source: ${r.message}`);
    this.noteStatsChanged();
    this.publishNow();
  }

  /** allocated_capacity_gb per pool (for tests and reports). */
  allocated(): ReadonlyMap<string, number> {
    return this.allocatedGb;
  }
}
