import type { Periodic, TimerHandle, Timers } from '../ports/clock.js';
import { EngineMisuse } from './errors.js';
import { LazyPeriodic } from './periodic.js';
import { EventQueue, type EventFn } from './queue.js';

export interface RunBounds {
  /** Stop before processing any event later than this virtual time (ms). */
  untilMs?: number;
  /** Stop after processing this many events. */
  maxEvents?: number;
}

/** How a run ended; hitting a bound is reported, never silent. */
export interface RunEnd {
  reason: 'drained' | 'until' | 'budget' | 'stopped';
  events: number;
  /** Virtual time when the run stopped, ms. */
  timeMs: number;
}

class Handle implements TimerHandle {
  constructor(
    private readonly q: EventQueue,
    private readonly seq: number,
  ) {}
  cancel(): void {
    this.q.cancel(this.seq);
  }
}

/**
 * The discrete-event core: virtual time in integer milliseconds and one
 * event queue ordered by (time, insertion sequence).
 */
export class Simulation implements Timers {
  private readonly queue = new EventQueue();
  private nowMs = 0;
  private processed = 0;
  private stopRequested = false;

  /** Current virtual time, ms. */
  get now(): number {
    return this.nowMs;
  }

  /** Events processed so far. */
  get eventsProcessed(): number {
    return this.processed;
  }

  /** Virtual time of the next queued event (Infinity when none): a driver from outside (the wall-clock pacer) sleeps until then. */
  get nextEventTime(): number {
    return this.queue.peekTime();
  }

  /** Live events still queued. */
  get pending(): number {
    return this.queue.size;
  }

  readonly nowFn = (): number => this.nowMs;

  /**
   * Schedule `fn` after `delayMs`; fractional delays round up to the next
   * whole millisecond so nothing fires before it is due.  Returns the
   * handle's sequence number (cancel with `cancel`).
   */
  schedule(delayMs: number, fn: EventFn, caller = 'Simulation.schedule'): number {
    if (!(delayMs >= 0 && delayMs < Infinity)) {
      throw new EngineMisuse(caller, `delay must be a finite number of ms >= 0, got ${String(delayMs)}`);
    }
    return this.queue.push(this.nowMs + Math.ceil(delayMs), fn);
  }

  /** Schedule `fn` at absolute virtual time `atMs`, which may not be in the past. */
  scheduleAt(atMs: number, fn: EventFn, caller = 'Simulation.scheduleAt'): number {
    if (!(atMs >= this.nowMs && atMs < Infinity)) {
      const why = atMs < this.nowMs ? `is in the past (now is ${this.nowMs} ms)` : 'is not a finite time';
      throw new EngineMisuse(caller, `time ${String(atMs)} ms ${why}`);
    }
    return this.queue.push(Math.ceil(atMs), fn);
  }

  /** Like scheduleAt, but before every ordinary event at that time (see EventQueue.pushFirst). */
  scheduleFirstAt(atMs: number, fn: EventFn, caller = 'Simulation.scheduleFirstAt'): number {
    if (!(atMs >= this.nowMs && atMs < Infinity)) {
      throw new EngineMisuse(caller, `time ${String(atMs)} ms is in the past or not finite (now is ${this.nowMs} ms)`);
    }
    return this.queue.pushFirst(Math.ceil(atMs), fn);
  }

  cancel(seq: number): void {
    this.queue.cancel(seq);
  }

  after(delayMs: number, fn: () => void, label = 'timer'): TimerHandle {
    return new Handle(this.queue, this.schedule(delayMs, fn, label));
  }

  at(atMs: number, fn: () => void, label = 'timer'): TimerHandle {
    return new Handle(this.queue, this.scheduleAt(atMs, fn, label));
  }

  periodic(intervalMs: number, firstDelayMs: number, label = 'periodic'): Periodic {
    if (!(firstDelayMs >= 0 && firstDelayMs < Infinity)) {
      throw new EngineMisuse(label, `first delay must be a finite number of ms >= 0, got ${String(firstDelayMs)}`);
    }
    return new LazyPeriodic(this, intervalMs, this.nowMs + Math.ceil(firstDelayMs), label);
  }

  /** Ask a running `run` to return after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Process events in order until the queue drains or a bound is hit. */
  run(bounds: RunBounds = {}): RunEnd {
    const until = bounds.untilMs ?? Infinity;
    const budget = bounds.maxEvents ?? Infinity;
    if (Number.isNaN(until) || until < this.nowMs) {
      throw new EngineMisuse('Simulation.run', `untilMs ${String(bounds.untilMs)} is before now (${this.nowMs} ms)`);
    }
    if (!(budget >= 0)) throw new EngineMisuse('Simulation.run', `maxEvents must be >= 0, got ${String(bounds.maxEvents)}`);
    const q = this.queue;
    let done = 0;
    this.stopRequested = false;
    for (;;) {
      if (done >= budget) return this.end('budget', done);
      const t = q.peekTime();
      if (t === Infinity) return this.end('drained', done);
      if (t > until) {
        this.nowMs = until;
        return this.end('until', done);
      }
      const fn = q.pop();
      this.nowMs = t;
      fn();
      done++;
      if (this.stopRequested) return this.end('stopped', done);
    }
  }

  private end(reason: RunEnd['reason'], events: number): RunEnd {
    this.processed += events;
    return { reason, events, timeMs: this.nowMs };
  }
}
