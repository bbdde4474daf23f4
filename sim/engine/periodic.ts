import type { Periodic } from '../ports/clock.js';
import { EngineMisuse } from './errors.js';

/**
 * A periodic process (heartbeat, capability report) that costs no event per
 * period: ticks fall at first, first + interval, ... until stopped, and the
 * answer to "when was the last tick?" is computed when someone asks.  The
 * eager twin (`EagerPeriodic`) schedules a real event per tick; a test holds
 * the two to the same answers.  Convention: a tick falls at the start of
 * its millisecond, so an observer at time t sees a tick due at t.
 */

/** What a lazy periodic process needs of its world: the virtual time now. */
export interface VirtualNow {
  readonly now: number;
}

/** Ticks at first, first + interval, ... counted up to `atMs` (ticks at or after `stoppedAt` never fall). */
export function ticksBy(firstMs: number, intervalMs: number, stoppedAt: number, atMs: number): number {
  const t = Math.min(atMs, stoppedAt);
  return t < firstMs ? 0 : Math.floor((t - firstMs) / intervalMs) + 1;
}

/** The time of the n-th tick (n >= 1), or null for none. */
export function nthTick(firstMs: number, intervalMs: number, n: number): number | null {
  return n === 0 ? null : firstMs + (n - 1) * intervalMs;
}

export class LazyPeriodic implements Periodic {
  private stoppedAt = Infinity;

  constructor(
    private readonly sim: VirtualNow,
    readonly intervalMs: number,
    /** Virtual time of the first tick. */
    private readonly firstMs: number,
    caller = 'LazyPeriodic',
  ) {
    if (!(intervalMs > 0 && Number.isInteger(intervalMs))) {
      throw new EngineMisuse(caller, `interval must be a positive integer of ms, got ${String(intervalMs)}`);
    }
    if (!(firstMs >= sim.now && Number.isFinite(firstMs))) {
      throw new EngineMisuse(caller, `first tick ${String(firstMs)} ms is in the past (now is ${sim.now} ms)`);
    }
  }

  get stopped(): boolean {
    return this.stoppedAt !== Infinity;
  }

  ticks(atMs: number = this.sim.now): number {
    return ticksBy(this.firstMs, this.intervalMs, this.stoppedAt, atMs);
  }

  lastTick(atMs: number = this.sim.now): number | null {
    return nthTick(this.firstMs, this.intervalMs, this.ticks(atMs));
  }

  stop(): void {
    if (this.stoppedAt === Infinity) this.stoppedAt = this.sim.now;
  }
}

/** What the eager twin needs of its world: the time now and one event per tick. */
export interface TickScheduler extends VirtualNow {
  scheduleFirstAt(atMs: number, fn: () => void): number;
  cancel(seq: number): void;
}

/** One event per tick; the reference model the lazy one must match. */
export class EagerPeriodic implements Periodic {
  private count = 0;
  private last: number | null = null;
  private seq: number;
  private isStopped = false;
  private readonly history: number[] = [];

  constructor(
    private readonly sim: TickScheduler,
    readonly intervalMs: number,
    firstMs: number,
    private readonly onTick: (t: number) => void = () => {},
  ) {
    this.seq = sim.scheduleFirstAt(firstMs, this.tick);
  }

  private readonly tick = (): void => {
    this.count++;
    this.last = this.sim.now;
    this.history.push(this.last);
    this.onTick(this.last);
    this.seq = this.sim.scheduleFirstAt(this.sim.now + this.intervalMs, this.tick);
  };

  get stopped(): boolean {
    return this.isStopped;
  }

  ticks(atMs: number = this.sim.now): number {
    if (atMs >= this.sim.now) return this.count;
    return this.history.filter((t) => t <= atMs).length;
  }

  lastTick(atMs: number = this.sim.now): number | null {
    if (atMs >= this.sim.now) return this.last;
    const past = this.history.filter((t) => t <= atMs);
    return past.length ? past[past.length - 1]! : null;
  }

  stop(): void {
    if (!this.isStopped) this.sim.cancel(this.seq);
    this.isStopped = true;
  }
}
