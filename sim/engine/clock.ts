import type { Clock, ClockSegment, ClockSpec, NtpMode } from '../ports/clock.js';
import { EngineMisuse } from './errors.js';

/** Wall-clock epoch of virtual time 0 unless a scenario sets one: 2023-03-22T00:00:00Z, Antelope's release day. */
export const DEFAULT_EPOCH_MS = 1_679_443_200_000;

export type { ClockSpec, NtpMode };

/** offset(t) = offset0 + slope * (t - start) on [start, next start). */
interface Segment {
  start: number;
  offset0: number;
  slope: number;
}

/**
 * A node's clock: ideal monotonic time from the engine, and a wall clock
 * whose offset from true time is a piecewise-linear function of virtual
 * time.  Changes (steps, drift, NTP on/off) apply at the current time and
 * re-plan the future; the past is kept so `wallAt` answers for any time,
 * which lets periodic heartbeats be evaluated lazily.
 */
export class NodeClock implements Clock {
  private segments: Segment[] = [];
  private planCount = 0;
  private driftPpm: number;
  private ntp: NtpMode;

  constructor(
    readonly node: string,
    private readonly now: () => number,
    private readonly epochMs: number,
    spec: ClockSpec = {},
  ) {
    const offset = spec.offset_ms ?? 0;
    this.driftPpm = spec.drift_ppm ?? 0;
    this.ntp = spec.ntp ?? { mode: 'off' };
    check(node, 'offset_ms', offset);
    check(node, 'drift_ppm', this.driftPpm);
    this.replan(0, offset);
  }

  monoNow(): number {
    return this.now();
  }

  wallNow(): number {
    return this.wallAt(this.now());
  }

  wallAt(monoMs: number): number {
    return this.epochMs + monoMs + this.offsetAt(monoMs);
  }

  /** Offset of this wall clock from true time at `monoMs`, in ms. */
  offsetAt(monoMs: number): number {
    const s = this.segments[this.segmentIndex(monoMs)]!;
    return s.offset0 + s.slope * (monoMs - s.start);
  }

  segmentAt(monoMs: number): ClockSegment {
    const i = this.segmentIndex(monoMs);
    const s = this.segments[i]!;
    const end = i + 1 < this.segments.length ? this.segments[i + 1]!.start : Infinity;
    return { epochMs: this.epochMs, start: s.start, end, offset0: s.offset0, slope: s.slope };
  }

  /** The last segment starting at or before `monoMs` (the first one if none does). */
  private segmentIndex(monoMs: number): number {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid]!.start <= monoMs) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  rateRange(fromMono: number): { min: number; max: number } {
    const segs = this.segments;
    let min = Infinity;
    let max = -Infinity;
    for (let i = this.segmentIndex(fromMono); i < segs.length; i++) {
      const r = 1 + segs[i]!.slope;
      if (r < min) min = r;
      if (r > max) max = r;
    }
    return { min, max };
  }

  /** Jump the wall clock by `deltaMs` now (an operator's `date -s`, a VM resume). */
  step(deltaMs: number): void {
    check(this.node, 'step', deltaMs);
    const t = this.now();
    this.replan(t, this.offsetAt(t) + deltaMs);
  }

  /** Set the offset from true time to `offsetMs` now. */
  setOffset(offsetMs: number): void {
    check(this.node, 'offset', offsetMs);
    this.replan(this.now(), offsetMs);
  }

  /** Change the free-running drift (ppm) from now on. */
  setDrift(ppm: number): void {
    check(this.node, 'drift_ppm', ppm);
    this.driftPpm = ppm;
    const t = this.now();
    this.replan(t, this.offsetAt(t));
  }

  /** Turn NTP off (broken) or on (slewing or stepping) from now on. */
  setNtp(ntp: NtpMode): void {
    if (ntp.mode === 'slew' && !(ntp.rate_ppm > 0 && Number.isFinite(ntp.rate_ppm))) {
      throw new EngineMisuse(`clock of node '${this.node}'`, `NTP slew rate must be > 0 ppm, got ${ntp.rate_ppm}`);
    }
    this.ntp = ntp;
    const t = this.now();
    this.replan(t, this.offsetAt(t));
  }

  /** How many times the plan was made (construction included): a change means the wall clock may have jumped. */
  get planVersion(): number {
    return this.planCount;
  }

  get ntpMode(): NtpMode {
    return this.ntp;
  }

  /** Drop the planned future after `t` and plan it again from `offset` under the current settings. */
  private replan(t: number, offset: number): void {
    this.planCount++;
    while (this.segments.length > 0 && this.segments[this.segments.length - 1]!.start >= t) this.segments.pop();
    const push = (start: number, offset0: number, slope: number) => this.segments.push({ start, offset0, slope });
    switch (this.ntp.mode) {
      case 'off':
        push(t, offset, this.driftPpm * 1e-6);
        return;
      case 'step':
        push(t, 0, 0);
        return;
      case 'slew': {
        if (offset === 0) {
          push(t, 0, 0);
          return;
        }
        const rate = this.ntp.rate_ppm * 1e-6;
        push(t, offset, offset > 0 ? -rate : rate);
        push(t + Math.abs(offset) / rate, 0, 0);
        return;
      }
    }
  }
}

function check(node: string, what: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new EngineMisuse(`clock of node '${node}'`, `${what} must be a finite number, got ${String(value)}`);
  }
}
