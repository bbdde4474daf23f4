import { performance } from 'node:perf_hooks';
import type { Simulation } from '../engine/simulation.js';

/** How a paced run ended. */
export interface PacedEnd {
  /** `until`: the duration passed; `settled`: nothing left to wait for; `interrupted`: stopped from outside (a signal). */
  reason: 'until' | 'settled' | 'interrupted' | 'stopped';
  events: number;
  timeMs: number;
}

export interface PaceBounds {
  untilMs: number;
  /** Checked after each batch of events: true ends the run early. */
  settled: () => boolean;
}

/** Longest sleep between looks at the wall clock, ms. */
const MAX_SLEEP_MS = 250;

/**
 * The engine's world on the wall clock: the same event queue, ports and
 * services, with virtual time the milliseconds since the pacer was made.
 * An event runs when the wall clock reaches its time; work that finishes
 * outside the world (a real backend's commands) enters it through
 * `deliver`, as an event at the wall time it finished, and wakes the loop.
 * Node clocks built at the real epoch (World's epochMs = Date.now() at the
 * start) then read the real wall clock.
 */
export class WallClockPacer {
  private readonly startPerf = performance.now();
  private wake: (() => void) | null = null;
  private interrupted = false;

  constructor(private readonly sim: Simulation) {}

  /** Virtual time now: wall milliseconds since the start, never behind the world. */
  now(): number {
    return Math.max(this.sim.now, Math.floor(performance.now() - this.startPerf));
  }

  /** Run `fn` as an event of the world at the wall time now, and wake the loop. */
  readonly deliver = (fn: () => void): void => {
    this.sim.scheduleAt(this.now(), fn, 'live completion');
    this.wake?.();
  };

  /** End the run at its next look (SIGINT, SIGTERM). */
  interrupt(): void {
    this.interrupted = true;
    this.wake?.();
  }

  /** Run events as the wall clock reaches them, until `untilMs`, a settled world or an interrupt. */
  async run(bounds: PaceBounds): Promise<PacedEnd> {
    let events = 0;
    for (;;) {
      const target = Math.min(this.now(), bounds.untilMs);
      const end = this.sim.run({ untilMs: target });
      events += end.events;
      if (end.reason === 'stopped') return { reason: 'stopped', events, timeMs: this.sim.now };
      if (this.interrupted) return { reason: 'interrupted', events, timeMs: target };
      if (target >= bounds.untilMs) return { reason: 'until', events, timeMs: bounds.untilMs };
      if (bounds.settled()) return { reason: 'settled', events, timeMs: target };
      const due = Math.min(this.sim.nextEventTime, bounds.untilMs);
      await this.sleep(Math.max(1, Math.min(MAX_SLEEP_MS, due - this.now())));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }
}
