/**
 * A node's view of time.  `monoNow` is ideal virtual time in integer
 * milliseconds since the run started (what timers use); `wallNow` is the
 * node's wall clock in milliseconds since the Unix epoch, which may be
 * offset, drift, jump and be pulled back by NTP.  Cinder stamps and judges
 * heartbeats and capability reports with the wall clock, so skew shows there.
 */
export interface Clock {
  /** Ideal monotonic virtual time, integer ms since the start of the run. */
  monoNow(): number;
  /** This node's wall clock, ms since the Unix epoch (may be fractional under drift). */
  wallNow(): number;
  /** What this node's wall clock read (or will read) at virtual time `monoMs`. */
  wallAt(monoMs: number): number;
  /**
   * Optional: the least and greatest rate (wall ms per virtual ms) the
   * clock runs at from `fromMono` on, as planned now.  Lets an observer
   * know how long a comparison between clocks stays settled.
   */
  rateRange?(fromMono: number): { min: number; max: number };
  /**
   * The linear piece of the wall clock in effect at `monoMs`, for callers
   * that read it at many times in order (the lazy periodic-task gate);
   * a clock without pieces leaves it out and is read through wallAt.
   */
  segmentAt?(monoMs: number): ClockSegment;
  /**
   * Optional (a simulated world knows it): this wall clock's offset from
   * true time at `monoMs`, ms.  For traces only: a real service cannot
   * know it, so no Cinder rule may read it.
   */
  offsetAt?(monoMs: number): number;
}

/**
 * The wall clock on virtual times [start, end): for t in it, wallAt(t) is
 * exactly (epochMs + t) + (offset0 + slope * (t - start)), evaluated in
 * that order.  Valid as asked: a later step or NTP change re-plans from then on.
 */
export interface ClockSegment {
  readonly epochMs: number;
  readonly start: number;
  readonly end: number;
  readonly offset0: number;
  readonly slope: number;
}

/** A cancellable timer handle. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * A periodic process (heartbeat, capability report) whose ticks are
 * computed when asked rather than fired one event per period.
 */
export interface Periodic {
  readonly intervalMs: number;
  /** Virtual time of the last tick at or before `atMs` (default now), or null if none yet. */
  lastTick(atMs?: number): number | null;
  /** Number of ticks at or before `atMs` (default now). */
  ticks(atMs?: number): number;
  /** Stop ticking after now (a stopped or crashed service). */
  stop(): void;
  readonly stopped: boolean;
}

/** Timers against ideal virtual time. */
export interface Timers {
  /** A periodic process ticking every `intervalMs`, first after `firstDelayMs`. */
  periodic(intervalMs: number, firstDelayMs: number, label?: string): Periodic;
  /** Run `fn` after `delayMs` (integer >= 0) of virtual time. */
  after(delayMs: number, fn: () => void, label?: string): TimerHandle;
  /** Run `fn` at absolute virtual time `atMs` (>= now). */
  at(atMs: number, fn: () => void, label?: string): TimerHandle;
}

/** How NTP corrects a node's offset while it is running. */
export type NtpMode =
  | { mode: 'off' }
  /** Slew: the offset is pulled toward zero at `rate_ppm` (ntpd's limit is 500 ppm); drift is absorbed. */
  | { mode: 'slew'; rate_ppm: number }
  /** Step: the offset is set to zero at once and held there. */
  | { mode: 'step' };

/**
 * A node clock's set-up: the one shape the engine builds clocks from, the
 * cloud spec validates (sim/cinder/cloud/spec.ts) and a scenario's topology
 * plans.
 */
export interface ClockSpec {
  /** Initial offset of the wall clock from true time, ms (negative = behind). */
  offset_ms?: number;
  /** Free-running drift in parts per million (positive = runs fast). */
  drift_ppm?: number;
  ntp?: NtpMode;
}
