import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import type { CloudInput } from '../../../sim/cinder/cloud/spec.js';
import type { ClockSpec, NtpMode } from '../../../sim/engine/clock.js';
import { SimulatedCloud } from '../../../sim/harness/simulated-cloud.js';
import { defaultShortcuts } from '../../../sim/cinder/shortcuts.js';

/**
 * The lazy gate's span loop (clock line, inline draws, the open run in
 * locals, gateRun's shortened arithmetic) against the plain per-tick path
 * (wallAt + gateRun + addReport), which the reference (gateSpans off) takes for
 * every tick: on random clock plans, with steps, drift and NTP changes
 * mid-run and pulls of random length, both must let the same ticks through
 * and hand the scheduler the same reports.
 */
const HOUR = 3_600_000;
const YEAR_EPOCH = 1_679_443_200_000;

interface Plan {
  /** Wall time at virtual 0: near 0 the gate's arithmetic leaves its common case (last_run small against now). */
  epochMs: number;
  spec: ClockSpec;
  /** At these times (ms into the run): a clock change, then pulls until the next. */
  changes: { atMs: number; apply: 'step' | 'drift' | 'ntp'; value: number; ntp?: NtpMode }[];
  pulls: number[];
}

function randomPlan(seed: string): Plan {
  const r = seedrandom.alea(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const ntpModes: NtpMode[] = [{ mode: 'off' }, { mode: 'step' }, { mode: 'slew', rate_ppm: pick([50, 100, 500]) }];
  const spec: ClockSpec = { offset_ms: (r() - 0.5) * pick([0, 2_000, 600_000]), drift_ppm: (r() - 0.5) * pick([0, 40, 400]), ntp: pick(ntpModes) };
  const epochMs = pick([YEAR_EPOCH, YEAR_EPOCH, 0, 1_000_000.5]);
  const horizon = pick([2, 30, 200]) * HOUR;
  // Pulls a tick apart up to days apart: spans of one tick (every report visited, so every wall stamp compared) and spans of thousands.
  const gapMs = pick([60_000, 7 * 60_000, 2 * HOUR, 30 * HOUR]);
  const changes: Plan['changes'] = [];
  for (let i = 0, n = Math.floor(r() * 5); i < n; i++) {
    changes.push({ atMs: Math.floor(r() * horizon), apply: pick(['step', 'drift', 'ntp'] as const), value: (r() - 0.5) * pick([1_000, 120_000, 900_000, 200]), ntp: pick(ntpModes) });
  }
  changes.sort((a, b) => a.atMs - b.atMs);
  const pulls: number[] = [];
  for (let t = 0; t < horizon; ) {
    t += Math.max(1, Math.floor(r() * gapMs));
    pulls.push(Math.min(t, horizon));
  }
  return { epochMs, spec, changes, pulls };
}

function cloudFor(plan: Plan, withSegments: boolean): SimulatedCloud {
  const spec: CloudInput = {
    nodes: [
      { name: 'ctl', services: ['cinder-api', 'cinder-scheduler'] },
      { name: 'node1', services: ['cinder-volume'], backends: { lvm: { options: { lvm_type: 'thin' }, storage: { vg_size_gb: 100 } } }, clock: plan.spec as never },
    ],
  };
  // The reference sends every tick through the gate one by one.
  return new SimulatedCloud(spec, { seed: 5, epochMs: plan.epochMs, shortcuts: { ...defaultShortcuts, gateSpans: withSegments } });
}

/** Run the plan; the ticks the gate let through and every report a pull visits. */
function replay(plan: Plan, withSegments: boolean) {
  const sc = cloudFor(plan, withSegments);
  const svc = [...sc.cloud.volumeServices.values()][0]!;
  const log: number[] = [];
  svc.reports.traceGate(log);
  const src = sc.cloud.directory.capabilitySources()[0]!;
  const reports: string[] = [];
  const lastRuns: number[] = [];
  let changeAt = 0;
  let since = 0;
  for (const until of plan.pulls) {
    while (changeAt < plan.changes.length && plan.changes[changeAt]!.atMs <= until) {
      const c = plan.changes[changeAt++]!;
      sc.run({ untilMs: c.atMs });
      const clock = sc.clock('node1');
      if (c.apply === 'step') clock.step(c.value);
      else if (c.apply === 'drift') clock.setDrift(c.value / 10);
      else clock.setNtp(c.ntp!);
    }
    sc.run({ untilMs: until });
    src.cut(until);
    src.periodicReports(since, until, (r) => reports.push(`${r.producedMono} ${r.timestampWall} ${r.stats.pools.length}`));
    since = until;
    // The gate's own state, to the last bit: a shortcut that rounded differently would show here first.
    lastRuns.push(svc.reports.gateLastRun);
  }
  return { log, reports, lastRuns };
}

describe('the lazy gate span loop = the plain per-tick gate', () => {
  it.each(Array.from({ length: 40 }, (_, i) => `plan-${i}`))('%s: same ticks through, same reports', (seed) => {
    const plan = randomPlan(seed);
    const fast = replay(plan, true);
    const plain = replay(plan, false);
    expect(fast.log.length).toBeGreaterThan(0);
    expect(fast.log).toEqual(plain.log);
    expect(fast.reports).toEqual(plain.reports);
    expect(fast.lastRuns).toEqual(plain.lastRuns);
  });
});
