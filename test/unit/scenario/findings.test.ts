import { describe, expect, it } from 'vitest';
import { describeVerdict } from '../../../sim/cinder/scheduler/explain.js';
import type { Rejection } from '../../../sim/cinder/scheduler/filter-scheduler.js';
import {
  briefNoValidBackend,
  describeCapacityRefusal,
  describeDownPeriod,
  describeNoValidBackend,
  firstCapacityRefusals,
  findingLines,
  firstNoValidBackend,
  serviceDownPeriods,
} from '../../../sim/scenario/findings.js';
import type { CapacitySample, DecisionRecord, RequestRecord, RunOutcome, ServiceStateRecord } from '../../../sim/scenario/outcome.js';

const THICK = 'node1@thick#thick';
const THIN = 'node1@thin#thin';
const thickFull: Rejection['verdict'] = { pass: false, reason: 'insufficient_capacity', requestedGb: 10, availableGb: 0, thin: false, freeCapacityGb: 10, reservedCapacityGb: 10, reservedPercentage: 10 };
const wrongType: Rejection['verdict'] = { pass: false, reason: 'extra_spec_mismatch', key: 'volume_backend_name', required: 'thick', actual: 'thin' };

const req = (seq: number, at_ms: number, resource_id: string, verb = 'create'): RequestRecord => ({
  seq, at_ms, answered_at_ms: at_ms, project: 'ops', source: `workload:fill`, verb, request: { verb, size: 10, name: `v${seq}`, volume_type: 'thick' },
  ok: true, result: 'succeeded', http: null, error: null, message: null, resource_id, final_status: null, host: null,
});

/** A decision as the scheduler traces it: candidates, each filter's passed and rejected pools, the first rejection per pool. */
function decision(at_ms: number, resource_id: string, chosen: string | null, filters: { name: string; passed: string[]; rejected: Rejection[] }[], candidates = [THICK, THIN]): DecisionRecord {
  const firstRejections = candidates.flatMap((host) => {
    for (const f of filters) {
      const r = f.rejected.find((x) => x.host === host);
      if (r) return [{ host, filter: f.name, verdict: r.verdict }];
    }
    return [];
  });
  const emptied = filters.find((f) => f.passed.length === 0)?.name ?? null;
  return {
    at_ms, resource_id, operation: 'create_volume', ok: chosen !== null, chosen, emptied_by: chosen ? null : emptied, no_candidates: candidates.length === 0,
    message: chosen ? null : 'No valid backend was found. No weighed backends available', trace_text: '',
    trace: { candidates, candidateCount: candidates.length, filters, summary: chosen ? undefined : { emptiedBy: emptied, firstRejections } },
  };
}

const sample = (t_ms: number, free: number, allocated: number): CapacitySample => ({ t_ms, pool: THICK, total_capacity_gb: 100, free_capacity_gb: free, allocated_capacity_gb: allocated, provisioned_capacity_gb: allocated, max_over_subscription_ratio: 1, reserved_capacity_gb: 0, usable_limit_gb: 100 });

function svc(t_ms: number, host: string, over: Partial<ServiceStateRecord> = {}): ServiceStateRecord {
  return {
    t_ms, host, binary: 'cinder-volume', state: 'up', scheduler_state: 'up', status: 'enabled', node: host.split('@')[0]!, clock_offset_ms: 0,
    scheduler_heartbeat_age_ms: 0, scheduler_service_down_time_ms: 60_000, scheduler_node: 'controller', scheduler_clock_offset_ms: 0,
    api_heartbeat_age_ms: 0, api_service_down_time_ms: 60_000, api_node: 'controller', api_clock_offset_ms: 0, ...over,
  };
}

/** capacity-exhaustion in small: the thick pool fills (a thin-type create already finds it full), then a thick-type create finds no backend. */
const filling = {
  requests: [req(1, 60_000, 'v1'), req(2, 120_000, 'v2')],
  decisions: [
    decision(60_001, 'v1', THIN, [
      { name: 'AvailabilityZoneFilter', passed: [THICK, THIN], rejected: [] },
      { name: 'CapacityFilter', passed: [THIN], rejected: [{ host: THICK, verdict: thickFull }] },
      { name: 'CapabilitiesFilter', passed: [THIN], rejected: [] },
    ]),
    decision(120_001, 'v2', null, [
      { name: 'AvailabilityZoneFilter', passed: [THICK, THIN], rejected: [] },
      { name: 'CapacityFilter', passed: [THIN], rejected: [{ host: THICK, verdict: thickFull }] },
      { name: 'CapabilitiesFilter', passed: [], rejected: [{ host: THIN, verdict: wrongType }] },
    ]),
  ],
  capacity: [sample(0, 100, 0), sample(30_000, 20, 80), sample(90_000, 10, 90)],
  service_states: [svc(0, 'node1@thick'), svc(0, 'node1@thin')],
  end: { reason: 'drained', events: 10, time_ms: 600_000 },
};

describe('the first "No valid backend" of a lean run', () => {
  // A lean run keeps the steps' decisions (here the one at 2m) and counts the first failure per zone and type.
  const lean = (firstMs: number): RunOutcome =>
    ({ ...filling, decisions: [filling.decisions[1]!], records: 'lean', first_no_valid_backend: { by_az: { nova: firstMs }, by_type: { thick: firstMs, thin: 150_000 } }, workloads: [], type_usage: [], type_pools: [] }) as unknown as RunOutcome;
  it('is the counted one, not the first decision the lean run happened to keep', () => {
    const lines = findingLines(lean(90_001));
    expect(lines[0]).toBe('first "No valid backend" at 1m30.001s (a lean run counts it, by zone: nova 1m30.001s; by volume type: thick 1m30.001s, thin 2m30s; it keeps no workload decision: `cinder-sim explain` replays one)');
    expect(lines[1]).toMatch(/^first "No valid backend" of the decisions a lean run keeps \(the steps'\) at 2m00.001s: request #2 /);
  });
  it('is told once when the first kept is the first', () => {
    const lines = findingLines(lean(120_001));
    expect(lines[0]).toMatch(/^first "No valid backend" at 2m00.001s: request #2 /);
    expect(lines.filter((l) => l.includes('No valid backend'))).toHaveLength(1);
  });
});

describe('the first "No valid backend"', () => {
  it('names, per pool, the filter that stopped it, not the last filter that ran', () => {
    const n = firstNoValidBackend(filling)!;
    expect(n.request?.seq).toBe(2);
    expect(n.stops).toEqual([
      { pool: THICK, filter: 'CapacityFilter', why: describeVerdict(thickFull) },
      { pool: THIN, filter: 'CapabilitiesFilter', why: describeVerdict(wrongType) },
    ]);
    const lines = describeNoValidBackend(n);
    expect(lines).toEqual([
      'first "No valid backend" at 2m00.001s: request #2 (workload:fill: create size=10 name=v2 volume_type=thick); per pool, the filter that stopped it:',
      `  ${THICK}: CapacityFilter: ${describeVerdict(thickFull)}`,
      `  ${THIN}: CapabilitiesFilter: ${describeVerdict(wrongType)}`,
    ]);
    expect(briefNoValidBackend(n)).toBe(`${THICK} stopped by CapacityFilter, ${THIN} stopped by CapabilitiesFilter`);
  });

  it('with no pool to filter, names the volume services the scheduler judged down, with heartbeat age, service_down_time and both clocks', () => {
    const skewed = {
      requests: [req(1, 300_000, 'v1')],
      decisions: [decision(300_001, 'v1', null, [], [])],
      service_states: [
        svc(0, 'node1@lvm'),
        svc(0, 'node2@lvm'),
        svc(121_000, 'node1@lvm', { state: 'down', scheduler_state: 'down', clock_offset_ms: -61_000, scheduler_heartbeat_age_ms: 61_000, api_heartbeat_age_ms: 61_000 }),
        svc(200_000, 'node2@lvm', { status: 'disabled' }),
      ],
    };
    const n = firstNoValidBackend(skewed)!;
    expect(n.leftOut.map((s) => [s.host, s.reasons, s.since.t_ms])).toEqual([
      ['node1@lvm', ['down'], 121_000],
      ['node2@lvm', ['disabled'], 200_000],
    ]);
    expect(describeNoValidBackend(n)).toEqual([
      'first "No valid backend" at 5m00.001s: request #1 (workload:fill: create size=10 name=v1 volume_type=thick): no pool to filter; the scheduler left out every cinder-volume service that was down or disabled:',
      "    node1@lvm cinder-volume down since 2m01s: heartbeat age 1m01s > service_down_time 1m00s by controller's clock (cinder-scheduler, offset 0s); node1's clock offset -1m01s",
      '    node2@lvm cinder-volume disabled since 3m20s',
    ]);
  });

  it('with no pool and no service down or disabled, says so instead of guessing', () => {
    const n = firstNoValidBackend({ requests: [], decisions: [decision(1_001, 'v9', null, [], [])], service_states: [svc(0, 'node1@lvm')] })!;
    expect(describeNoValidBackend(n)).toEqual([
      'first "No valid backend" at 1.001s: create_volume v9: no pool to filter, and no cinder-volume service was down or disabled then (none had reported capabilities to the scheduler yet, or all were removed or frozen)',
    ]);
  });

  it('is absent when every decision placed', () => {
    expect(firstNoValidBackend({ ...filling, decisions: [filling.decisions[0]!] })).toBeNull();
  });
});

describe('first refusal for capacity, per pool', () => {
  it('is the first decision in which CapacityFilter rejected the pool (even one placed elsewhere), with what the pool held then', () => {
    const [c, ...rest] = firstCapacityRefusals(filling);
    expect(rest).toEqual([]);
    expect(c!.decision.at_ms).toBe(60_001);
    expect(c!.held).toEqual(sample(30_000, 20, 80));
    expect(c!.reservedPercentage).toBe(10);
    expect(describeCapacityRefusal(c!)).toBe(
      `${THICK} first refused a create for capacity at 1m00.001s, request #1 (workload:fill: create size=10 name=v1 volume_type=thick): ${describeVerdict(thickFull)}; ` +
        'the pool held (unchanged since 30s) total 100, free 20, allocated 80, provisioned 80 GB, reserved_percentage 10',
    );
  });
});

describe('service-down periods', () => {
  const states = [
    svc(0, 'node3@lvm'),
    svc(0, 'node4@lvm'),
    // Both judges on one clock: one period.
    svc(120_000, 'node3@lvm', { state: 'down', scheduler_state: 'down', clock_offset_ms: -60_030, scheduler_heartbeat_age_ms: 60_030, api_heartbeat_age_ms: 60_030 }),
    svc(600_000, 'node3@lvm'),
    // A clock ahead: service-list's abs() rule calls it down, the scheduler's one-sided rule does not; never back before the end.
    svc(300_000, 'node4@lvm', { state: 'down', node: 'node4', clock_offset_ms: 120_000, scheduler_heartbeat_age_ms: -120_000, api_heartbeat_age_ms: -120_000 }),
  ];
  const periods = serviceDownPeriods({ service_states: states, end: { reason: 'drained', events: 1, time_ms: 900_000 } });

  it.each([
    [0, 'node3@lvm', ['scheduler', 'service-list'], 120_000, 600_000, 480_000],
    [1, 'node4@lvm', ['service-list'], 300_000, null, 600_000],
  ] as const)('period %d: %s down in %j from %d until %s (%d ms)', (i, host, views, from, until, duration) => {
    expect(periods[i]).toMatchObject({ host, views: [...views], fromMs: from, untilMs: until, durationMs: duration });
  });

  it('is told with the heartbeat age, service_down_time and clocks beside the verdict', () => {
    expect(periods.map(describeDownPeriod)).toEqual([
      "node3@lvm cinder-volume down (scheduler and service-list) 2m00s..10m00s (8m00s): heartbeat age 1m00.030s > service_down_time 1m00s by controller's clock (cinder-scheduler and cinder-api, offset 0s); node3's clock offset -1m00.030s",
      "node4@lvm cinder-volume down (service-list) 5m00s..the end (10m00s, still down): heartbeat 2m00s in the future > service_down_time 1m00s (abs() rule) by controller's clock (cinder-api, offset 0s); node4's clock offset 2m00s",
    ]);
  });
});

describe('a decision traced light (lean runs)', () => {
  it('says what the trace kept, not which pool a filter stopped', () => {
    const light: DecisionRecord = { ...filling.decisions[1]!, trace: { candidates: [], candidateCount: 2, filters: null } };
    const n = firstNoValidBackend({ ...filling, decisions: [light] })!;
    expect(n.stops).toEqual([]);
    expect(describeNoValidBackend(n)).toEqual([
      'first "No valid backend" at 2m00.001s: request #2 (workload:fill: create size=10 name=v2 volume_type=thick): No valid backend was found. No weighed backends available (no pool passed CapabilitiesFilter; the trace kept no per-pool verdicts)',
    ]);
  });
});
