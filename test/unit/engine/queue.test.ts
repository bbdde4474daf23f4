import { describe, expect, it } from 'vitest';
import { EngineMisuse } from '../../../sim/engine/errors.js';
import { Simulation } from '../../../sim/engine/simulation.js';
import { SeededRng } from '../../../sim/engine/rng.js';

describe('event queue order', () => {
  it('runs events by time, then by insertion order for equal times', () => {
    const sim = new Simulation();
    const seen: string[] = [];
    sim.schedule(5, () => seen.push('b5'));
    sim.schedule(1, () => seen.push('a1'));
    sim.schedule(5, () => seen.push('c5'));
    sim.schedule(0, () => seen.push('z0'));
    sim.schedule(5, () => seen.push('d5'));
    const end = sim.run();
    expect(seen).toEqual(['z0', 'a1', 'b5', 'c5', 'd5']);
    expect(end).toEqual({ reason: 'drained', events: 5, timeMs: 5 });
  });

  it('keeps a total order under random load (matches a stable sort of (time, seq))', () => {
    const sim = new Simulation();
    const rng = new SeededRng('q', 'bench');
    const planned: { t: number; seq: number }[] = [];
    const seen: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const t = rng.int(0, 200);
      planned.push({ t, seq: i });
      sim.schedule(t, () => seen.push(i));
    }
    sim.run();
    const expected = [...planned].sort((a, b) => a.t - b.t || a.seq - b.seq).map((p) => p.seq);
    expect(seen).toEqual(expected);
  });

  it('events scheduled while running at the current time run after those already queued for it', () => {
    const sim = new Simulation();
    const seen: string[] = [];
    sim.schedule(10, () => {
      seen.push('first');
      sim.schedule(0, () => seen.push('spawned'));
    });
    sim.schedule(10, () => seen.push('second'));
    sim.run();
    expect(seen).toEqual(['first', 'second', 'spawned']);
  });

  it('cancelled timers never fire and do not count as events', () => {
    const sim = new Simulation();
    const seen: string[] = [];
    const h = sim.after(3, () => seen.push('cancelled'));
    sim.after(1, () => h.cancel());
    sim.after(5, () => seen.push('kept'));
    const end = sim.run();
    expect(seen).toEqual(['kept']);
    expect(end.events).toBe(2);
  });

  it('cancelling a timer that already ran changes nothing, and such stale cancels do not pile up', () => {
    const sim = new Simulation();
    const seen: number[] = [];
    const handles = Array.from({ length: 500 }, (_, i) => sim.after(i, () => seen.push(i)));
    sim.after(10_000, () => seen.push(-1));
    sim.run({ untilMs: 600 });
    for (const h of handles) h.cancel();
    expect(sim.pending).toBe(1);
    sim.run();
    expect(seen.length).toBe(501);
    expect(seen[500]).toBe(-1);
    const internals = sim as unknown as { queue: { cancelled: Set<number> } };
    expect(internals.queue.cancelled.size).toBeLessThanOrEqual(64);
  });

  it('rounds fractional delays up to whole milliseconds', () => {
    const sim = new Simulation();
    let at = -1;
    sim.schedule(0.2, () => (at = sim.now));
    sim.run();
    expect(at).toBe(1);
  });
});

describe('run bounds are reported', () => {
  const busy = () => {
    const sim = new Simulation();
    const tick = (): void => {
      sim.schedule(10, tick);
    };
    sim.schedule(10, tick);
    return sim;
  };
  it('stops at an end time without running later events', () => {
    const sim = busy();
    const end = sim.run({ untilMs: 95 });
    expect(end).toEqual({ reason: 'until', events: 9, timeMs: 95 });
    expect(sim.now).toBe(95);
  });
  it('stops at an event budget', () => {
    const sim = busy();
    const end = sim.run({ maxEvents: 7 });
    expect(end).toEqual({ reason: 'budget', events: 7, timeMs: 70 });
    const more = sim.run({ maxEvents: 3 });
    expect(more).toEqual({ reason: 'budget', events: 3, timeMs: 100 });
    expect(sim.eventsProcessed).toBe(10);
  });
  it('reports a drained queue', () => {
    const sim = new Simulation();
    expect(sim.run({ untilMs: 100 })).toEqual({ reason: 'drained', events: 0, timeMs: 0 });
  });
});

describe('misuse names the caller and the value', () => {
  const sim = new Simulation();
  it.each([
    ['NaN delay', () => sim.schedule(Number.NaN, () => {}, 'heartbeat of node1'), /heartbeat of node1: .*NaN/],
    ['negative delay', () => sim.after(-5, () => {}, 'report timer'), /report timer: .*-5/],
    ['infinite delay', () => sim.schedule(Infinity, () => {}, 'x'), /x: .*Infinity/],
  ])('%s', (_name, fn, pattern) => {
    expect(fn).toThrow(EngineMisuse);
    expect(fn).toThrow(pattern);
  });
  it('a time in the past', () => {
    const s = new Simulation();
    s.schedule(50, () => {});
    s.run();
    expect(() => s.scheduleAt(10, () => {}, 'fault clock-step')).toThrow(/fault clock-step: time 10 ms is in the past \(now is 50 ms\)/);
  });
});
