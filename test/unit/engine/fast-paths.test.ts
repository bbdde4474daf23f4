import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EPOCH_MS, NodeClock } from '../../../sim/engine/clock.js';
import { SeededRng } from '../../../sim/engine/rng.js';
import { Simulation } from '../../../sim/engine/simulation.js';

describe('SeededRng steps alea itself', () => {
  it.each(['1/workload', '7/service:cinder-volume@node1/periodic_tasks', 'x/bench', '/'])('stream %s draws what seedrandom.alea draws', (full) => {
    const cut = full.indexOf('/');
    const ours = new SeededRng(full.slice(0, cut), full.slice(cut + 1));
    const theirs = seedrandom.alea(full);
    let differ = 0;
    for (let i = 0; i < 1_000_000; i++) if (ours.next() !== theirs()) differ++;
    expect(differ).toBe(0);
  });
});

describe('NodeClock.segmentAt', () => {
  it('gives the line wallAt reads, bit for bit, and where it ends, on random clock plans', () => {
    const r = seedrandom.alea('segments');
    for (let plan = 0; plan < 30; plan++) {
      const sim = new Simulation();
      const clock = new NodeClock('n', sim.nowFn, DEFAULT_EPOCH_MS + Math.floor(r() * 1e6) / 7, {
        offset_ms: (r() - 0.5) * 1e6,
        drift_ppm: (r() - 0.5) * 300,
        ntp: r() < 0.5 ? { mode: 'off' } : { mode: 'slew', rate_ppm: 1 + r() * 499 },
      });
      let now = 0;
      for (let change = 0; change < 6; change++) {
        now += Math.floor(r() * 50_000_000);
        sim.schedule(now - sim.now, () => {});
        sim.run();
        const what = Math.floor(r() * 4);
        if (what === 0) clock.step((r() - 0.5) * 1e6);
        else if (what === 1) clock.setDrift((r() - 0.5) * 300);
        else if (what === 2) clock.setNtp({ mode: 'slew', rate_ppm: 1 + r() * 499 });
        else clock.setNtp({ mode: 'step' });
      }
      const wrong: string[] = [];
      for (let i = 0; i < 20_000; i++) {
        const t = Math.floor(r() * (now + 1e8));
        const s = clock.segmentAt(t);
        if (!(s.start <= t && t < s.end)) wrong.push(`${t} outside [${s.start}, ${s.end})`);
        if (s.epochMs + t + (s.offset0 + s.slope * (t - s.start)) !== clock.wallAt(t)) wrong.push(`wall at ${t}`);
        // The piece's end is where the next one takes over.
        if (s.end !== Infinity && clock.segmentAt(s.end).start !== s.end) wrong.push(`end ${s.end}`);
      }
      expect(wrong).toEqual([]);
    }
  });
});
