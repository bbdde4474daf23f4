import type { Periodic } from '../ports/clock.js';
import { EngineMisuse } from './errors.js';
import type { Simulation } from './simulation.js';

/**
 * A periodic process (heartbeat, capability report) that costs no event per
 * period: ticks fall at first, first + interval, ... until stopped, and the
 * answer to "when was the last tick?" is computed when someone asks.  The
 * eager twin (`EagerPeriodic`) schedules a real event per tick; a test holds
 * the two to the same answers.  Convention: a tick falls at the start of
 * its millisecond, so an observer at time t sees a tick due at t.
 */

export class LazyPeriodic implements Periodic {
  private stoppedAt = Infinity;

  constructor(
    private readonly sim: Simulation,
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
    const t = Math.min(atMs, this.stoppedAt);
    if (t < this.firstMs) return 0;
    return Math.floor((t - this.firstMs) / this.intervalMs) + 1;
  }

  lastTick(atMs: number = this.sim.now): number | null {
    const n = this.ticks(atMs);
    return n === 0 ? null : this.firstMs + (n - 1) * this.intervalMs;
  }

  stop(): void {
    if (this.stoppedAt === Infinity) this.stoppedAt = this.sim.now;
  }
}

/** One event per tick; the reference model the lazy one must match. */
export class EagerPeriodic implements Periodic {
  private count = 0;
  private last: number | null = null;
  private seq: number;
  private isStopped = false;
  private readonly history: number[] = [];

  constructor(
    private readonly sim: Simulation,
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
