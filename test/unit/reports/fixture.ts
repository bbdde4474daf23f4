import { OUTCOME_SCHEMA_VERSION, type CapacitySample, type PoolInfo, type RunOutcome } from '../../../sim/scenario/outcome.js';

/** Text a scenario author controls, written to break out of HTML, attributes and <script>. */
export const HOSTILE = `"><img src=x onerror=alert(1)></script><script>alert(2)</script><!-- \u2028\u2029 & '`;

const pool = (over: Partial<PoolInfo> & Pick<PoolInfo, 'pool' | 'backend'>): PoolInfo => ({
  t_ms: 0,
  node: 'node1',
  availability_zone: 'az1',
  volume_backend_name: 'lvm',
  thin_provisioning_support: false,
  thick_provisioning_support: true,
  reserved_percentage: 10,
  max_over_subscription_ratio: '20.0',
  storage: 'lvm-thick',
  storage_size_gb: 100,
  foreign_lvs_gb: 0,
  thin_data_percent: 0,
  ...over,
});

const sample = (t_ms: number, p: string, total: number, free: number, prov: number, limit: number | null, ratio = 1, reserved = 10): CapacitySample => ({
  t_ms,
  pool: p,
  total_capacity_gb: total,
  free_capacity_gb: free,
  allocated_capacity_gb: prov,
  provisioned_capacity_gb: prov,
  max_over_subscription_ratio: ratio,
  reserved_capacity_gb: reserved,
  usable_limit_gb: limit,
});

/**
 * A small, fixed outcome: a thick pool (10 % reserved) in az1 and a thin
 * pool (a 1000 GB VG, so 950 GB, at 2.0x) in az2, two volume types, a
 * create placed and one refused by CapacityFilter, a service down for a
 * while under clock skew, a fault, and a description that tries to inject
 * markup.
 */
export function smallOutcome(): RunOutcome {
  const thick = 'node1@thick#thick';
  const thin = 'node2@thin#thin';
  return {
    schema_version: OUTCOME_SCHEMA_VERSION,
    scenario: 'small',
    description: `two pools fill up ${HOSTILE}`,
    file: 'scenarios/small.yaml',
    seed: '7',
    duration_ms: 3_600_000,
    end: { reason: 'duration', events: 42, time_ms: 3_600_000 },
    steps: [],
    requests: [
      { seq: 1, at_ms: 60_000, answered_at_ms: 60_010, project: 'ops', source: 'step:a', verb: 'create', request: {}, ok: true, result: 'succeeded', http: 202, error: null, message: null, resource_id: 'vol-a', final_status: 'available', host: thick },
      { seq: 2, at_ms: 1_200_000, answered_at_ms: 1_200_010, project: 'ops', source: 'step:b', verb: 'create', request: {}, ok: true, result: 'failed', http: 202, error: null, message: HOSTILE, resource_id: 'vol-b', final_status: 'error', host: null },
      { seq: 3, at_ms: 1_800_000, answered_at_ms: 1_800_010, project: 'ops', source: 'workload:w', verb: 'delete', request: {}, ok: false, result: 'refused', http: 400, error: 'InvalidVolume', message: 'Invalid volume: in use', resource_id: null, final_status: null, host: null },
    ],
    decisions: [
      { at_ms: 60_005, resource_id: 'vol-a', operation: 'create_volume', ok: true, chosen: thick, emptied_by: null, no_candidates: false, message: null, trace_text: '', trace: null },
      {
        at_ms: 1_200_005,
        resource_id: 'vol-b',
        operation: 'create_volume',
        ok: false,
        chosen: null,
        emptied_by: 'CapacityFilter',
        no_candidates: false,
        message: 'No valid backend was found. No weighed backends available',
        trace_text: `CapacityFilter: 1 -> 0\n  ${thick}: needs 50 GB, 40 GB available ${HOSTILE}`,
        trace: null,
      },
    ],
    service_states: [
      { t_ms: 0, host: 'node1@thick', binary: 'cinder-volume', state: 'up', scheduler_state: 'up', status: 'enabled', node: 'node1', clock_offset_ms: 0, scheduler_heartbeat_age_ms: 0, scheduler_service_down_time_ms: 60_000, scheduler_node: 'controller', scheduler_clock_offset_ms: 0, api_heartbeat_age_ms: 0, api_service_down_time_ms: 60_000, api_node: 'controller', api_clock_offset_ms: 0 },
      { t_ms: 0, host: 'node2@thin', binary: 'cinder-volume', state: 'up', scheduler_state: 'up', status: 'enabled', node: 'node2', clock_offset_ms: 0, scheduler_heartbeat_age_ms: 0, scheduler_service_down_time_ms: 60_000, scheduler_node: 'controller', scheduler_clock_offset_ms: 0, api_heartbeat_age_ms: 0, api_service_down_time_ms: 60_000, api_node: 'controller', api_clock_offset_ms: 0 },
      { t_ms: 900_000, host: 'node2@thin', binary: 'cinder-volume', state: 'up', scheduler_state: 'down', status: 'enabled', node: 'node2', clock_offset_ms: -120_000, scheduler_heartbeat_age_ms: 0, scheduler_service_down_time_ms: 60_000, scheduler_node: 'controller', scheduler_clock_offset_ms: 0, api_heartbeat_age_ms: 0, api_service_down_time_ms: 60_000, api_node: 'controller', api_clock_offset_ms: 0 },
      { t_ms: 2_400_000, host: 'node2@thin', binary: 'cinder-volume', state: 'up', scheduler_state: 'up', status: 'enabled', node: 'node2', clock_offset_ms: 0, scheduler_heartbeat_age_ms: 0, scheduler_service_down_time_ms: 60_000, scheduler_node: 'controller', scheduler_clock_offset_ms: 0, api_heartbeat_age_ms: 0, api_service_down_time_ms: 60_000, api_node: 'controller', api_clock_offset_ms: 0 },
    ],
    capacity: [
      sample(0, thick, 100, 100, 0, 90),
      sample(0, thin, 950, 950, 0, 1900, 2, 0),
      sample(60_000, thick, 100, 50, 50, 90),
      sample(600_000, thin, 950, 950, 300, 1900, 2, 0),
      sample(2_000_000, thin, 950, 950, 1200, 1900, 2, 0),
    ],
    pools: [
      pool({ pool: thick, backend: 'node1@thick', volume_backend_name: 'thick' }),
      pool({ pool: thin, backend: 'node2@thin', node: 'node2', availability_zone: 'az2', volume_backend_name: 'thin', thin_provisioning_support: true, thick_provisioning_support: false, reserved_percentage: 0, max_over_subscription_ratio: '2.0', storage: 'lvm-thin', storage_size_gb: 1000 }),
    ],
    type_usage: [
      { t_ms: 60_000, volume_type: 'gold', provisioned_gb: 50, count: 1 },
      { t_ms: 600_000, volume_type: 'silver', provisioned_gb: 300, count: 3 },
      { t_ms: 2_000_000, volume_type: 'silver', provisioned_gb: 1200, count: 12 },
    ],
    type_pools: [
      { t_ms: 0, volume_type: 'gold', pools: [thick] },
      { t_ms: 0, volume_type: 'silver', pools: [thin] },
    ],
    faults: [{ t_ms: 900_000, fault: 'clock_step', detail: `node2: clock steps -2m ${HOSTILE}` }],
    conf_findings: [],
    workloads: [{ name: 'w', requests: 1, succeeded: 0, refused: 1, failed: 0, in_flight: 0 }],
    log: [],
    log_counts: {},
    expectations: [
      { index: 0, where: 'scenarios/small.yaml:30', text: `step b: outcome error ${HOSTILE}`, passed: true, detail: 'outcome failed; message No valid backend was found' },
      { index: 1, where: 'scenarios/small.yaml:31', text: 'placements node1@thick at_least 2', passed: false, detail: 'found 1 placement' },
    ],
    summary: {
      requests: 3,
      requests_succeeded: 1,
      requests_refused: 1,
      requests_failed: 1,
      requests_in_flight: 0,
      creates: 2,
      creates_succeeded: 1,
      creates_refused: 0,
      creates_failed: 1,
      creates_in_flight: 0,
      decisions: 2,
      expectations_passed: 1,
      expectations_failed: 1,
    },
    replay: 'cinder-sim run scenarios/small.yaml --seed 7',
  };
}
