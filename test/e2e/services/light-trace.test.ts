import { describe, expect, it } from 'vitest';
import type { CinderRequest } from '../../../sim/cinder/api/requests.js';
import type { SchedulerDecisionRecord } from '../../../sim/cinder/scheduler/manager.js';
import { alice, cloud, req } from './fixtures.js';

const thick = (vg: number, extra: Record<string, unknown> = {}) => ({ lvm_type: 'default' as const, vg_size_gb: vg, ...extra });

/** Creates that fit, one too large for any pool, extends (one that cannot fit), a reschedule off a failing backend. */
const requests: CinderRequest[] = [
  { verb: 'create', size: 10, name: 'a' },
  { verb: 'create', size: 30, name: 'b' },
  { verb: 'create', size: 500, name: 'huge' },
  { verb: 'create', size: 5, name: 'c' },
  { verb: 'extend', volume: 'a', new_size: 20 },
  { verb: 'extend', volume: 'c', new_size: 400 },
  { verb: 'create', size: 1, name: 'd' },
  { verb: 'delete', volume: 'b' },
  { verb: 'create', size: 40, name: 'e' },
];

function run(dropEach: boolean): { decisions: Omit<SchedulerDecisionRecord, 'trace'>[]; traces: (boolean | null)[]; volumes: unknown[] } {
  const sc = cloud([
    { name: 'node1', backends: { lvm: thick(100) } },
    { name: 'node2', backends: { lvm: thick(80, { failure: { probability: 1 } }) } },
    { name: 'node3', backends: { lvm: thick(60) } },
  ]);
  const sched = sc.cloud.schedulers[0]!;
  const decisions: Omit<SchedulerDecisionRecord, 'trace'>[] = [];
  const traces: (boolean | null)[] = [];
  const take = (): void => {
    for (const { trace, ...rest } of sched.decisions) {
      decisions.push(rest);
      traces.push(trace === null ? null : true);
    }
    if (dropEach) sched.dropDecisions();
  };
  if (dropEach) sched.dropDecisions();
  for (const r of requests) {
    req(sc, alice, r, 30_000);
    take();
  }
  if (!dropEach) {
    decisions.length = 0;
    traces.length = 0;
    take();
  }
  const volumes = sc.cloud.snapshot().volumes.map((v) => ({ name: v.display_name, status: v.status, host: v.host, size: v.size }));
  return { decisions, traces, volumes };
}

describe('scheduler service: dropDecisions switches to the light trace, decisions unchanged', () => {
  it('the same decisions and volumes with the full trace and after dropDecisions (light, recorded without trace)', () => {
    const full = run(false);
    const light = run(true);
    expect(light.decisions).toEqual(full.decisions);
    expect(light.volumes).toEqual(full.volumes);
    // The run covers placements, a failed placement and a reschedule.
    expect(full.decisions.some((d) => !d.ok)).toBe(true);
    expect(full.decisions.filter((d) => d.operation === 'create_volume').length).toBeGreaterThan(requests.filter((r) => r.verb === 'create').length);
    expect(full.traces.every((t) => t === true)).toBe(true);
    expect(light.traces.every((t) => t === null)).toBe(true);
  });
});
