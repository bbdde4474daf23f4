import { describe, expect, it } from 'vitest';
import { checkExpectation, type ExpectView } from '../../../sim/scenario/expectations.js';
import type { DecisionRecord, RequestRecord, ServiceStateRecord, StepRecord } from '../../../sim/scenario/outcome.js';
import { Expectation } from '../../../sim/scenario/schema.js';

const step = (id: string, outcome: StepRecord['outcome'], requests: number[], message: string | null = null): StepRecord => ({
  id, where: 'x.yaml:1', at_ms: 0, project: 'admin', via: null, cmd: '', expanded: '', outcome, exit_status: outcome === 'usage' ? 2 : outcome === 'refused' ? 1 : 0, message, requests, fields: {}, output: '',
});
const req = (seq: number, verb: string, ok: boolean, resource_id: string | null, final_status: string | null = null): RequestRecord => ({
  seq, at_ms: 0, answered_at_ms: 0, project: 'admin', source: 's', verb, request: {}, ok, result: ok ? 'succeeded' : 'refused', http: ok ? null : 400, error: null, message: null, resource_id, final_status, host: null,
});
const decision = (at_ms: number, resource_id: string, chosen: string | null, emptied_by: string | null = null): DecisionRecord => ({
  at_ms, resource_id, operation: 'create_volume', ok: chosen !== null, chosen, emptied_by, no_candidates: chosen === null && emptied_by === null,
  message: chosen ? null : 'No valid backend was found. No weighed backends available', trace_text: '', trace: null,
});
const svc = (t_ms: number, state: 'up' | 'down'): ServiceStateRecord => ({
  t_ms, host: 'node3@lvm', binary: 'cinder-volume', state, scheduler_state: state, status: 'enabled', node: 'node3', clock_offset_ms: 0,
  scheduler_heartbeat_age_ms: state === 'up' ? 1_000 : 61_000, scheduler_service_down_time_ms: 60_000, scheduler_node: 'controller', scheduler_clock_offset_ms: 0,
  api_heartbeat_age_ms: state === 'up' ? 1_000 : 61_000, api_service_down_time_ms: 60_000, api_node: 'controller', api_clock_offset_ms: 0,
});

const statuses: Record<string, string> = { v1: 'error', v2: 'available', v3: 'available', v6: 'error' };
const view: ExpectView = {
  nowMs: 600_000,
  steps: new Map([
    ['c1', step('c1', 'succeeded', [1])],
    ['c2', { ...step('c2', 'succeeded', [2]), output: '| status | creating |', fields: { id: 'v2', name: 'vol2' } }],
    ['bad', step('bad', 'refused', [3], 'Invalid auth key: Attempt to transfer t with invalid auth key.')],
    ['rt', step('rt', 'succeeded', [5])],
    ['argv', { ...step('argv', 'usage', [], "error: argument <size>: invalid int value: 'ten'"), output: "usage: cinder create [<size>]\nerror: argument <size>: invalid int value: 'ten'\n" }],
    ['c6', step('c6', 'succeeded', [6])],
  ]),
  requests: [req(1, 'create', true, 'v1', 'error'), req(2, 'create', true, 'v2', 'available'), req(3, 'transfer-accept', false, null), req(4, 'create', true, 'v3', 'available'), { ...req(5, 'retype', true, 'v2', 'available'), at_ms: 300_000 }, { ...req(6, 'create', true, 'v6', 'error'), at_ms: 400_000 }],
  decisions: [decision(1000, 'v1', null, 'AvailabilityZoneFilter'), decision(2000, 'v2', 'node1@lvm#LVM'), decision(200_000, 'v3', 'node3@lvm#LVM'), { ...decision(300_001, 'v2', null, 'CapabilitiesFilter'), operation: 'retype', message: 'No valid backend was found. Current backend not valid for volume v2 with type ssd, migration not allowed' }, decision(400_001, 'v6', null)],
  serviceStates: [svc(0, 'up'), svc(70_000, 'down'), svc(400_000, 'up')],
  log: [{ t_ms: 5, node: 'node1', logger: 'cinder.scheduler.host_manager', level: 'warning', message: 'volume service is down. (host: node3@lvm)' }],
  confFindings: [{ node: 'node1', severity: 'warning', rule: 'wrong-section', file: 'x.yaml#node1', line: 7, message: 'storage_availability_zone in [lvm] is ignored' }],
  volumesNamed: (n) => (n === 'vol2' || n === 'v2' ? [{ id: 'v2', name: 'vol2', status: 'available', host: 'node1@lvm#LVM', availability_zone: 'nova', size: 10, project_id: 'projectB' }] : []),
  statusOf: (id) => statuses[id],
  launched: (id) => statuses[id] === 'available',
  hostOf: (id) => (id === 'v2' ? 'node1@lvm#LVM' : undefined),
  volumeTypeOf: (id) => (statuses[id] ? { id: 'type-sata', name: 'sata' } : undefined),
};

const table: [expectation: Record<string, unknown>, passed: boolean, detail: string][] = [
  [{ step: 'c1', outcome: 'error', message_contains: 'No valid backend was found', emptied_by: 'AvailabilityZoneFilter' }, true, 'emptied by AvailabilityZoneFilter'],
  [{ step: 'c1', outcome: 'ok' }, false, 'expected outcome ok'],
  [{ step: 'c1', outcome: 'error', emptied_by: 'CapacityFilter' }, false, 'expected emptied by CapacityFilter'],
  [{ step: 'c2', outcome: 'ok', host_matches: '^node1@' }, true, 'host node1@lvm#LVM'],
  [{ step: 'rt', outcome: 'error', message_contains: 'migration not allowed', emptied_by: 'CapabilitiesFilter' }, true, 'outcome failed'],
  [{ step: 'c2', output_contains: '| status | creating |' }, true, 'outcome succeeded'],
  // How a step ended: refused by the API, accepted then failed, or rejected by the client.
  [{ step: 'bad', outcome: 'refused', http: 400, exit_status: 1 }, true, 'HTTP 400; exit status 1'],
  [{ step: 'bad', outcome: 'failed' }, false, 'expected outcome failed; outcome refused'],
  [{ step: 'c1', outcome: 'failed' }, true, 'outcome failed'],
  [{ step: 'c1', outcome: 'refused' }, false, 'expected outcome refused; outcome failed'],
  [{ step: 'c1', http: 400 }, false, 'expected HTTP 400; outcome failed; status error; accepted (2xx)'],
  [{ step: 'argv', outcome: 'usage', exit_status: 2, output_contains: "invalid int value: 'ten'" }, true, 'exit status 2'],
  [{ step: 'argv', outcome: 'error' }, true, 'outcome usage'],
  [{ step: 'argv', exit_status: 0 }, false, 'expected exit status 0'],
  // Negative expectations.
  [{ step: 'c2', output_not_contains: 'error' }, true, 'outcome succeeded'],
  [{ step: 'c2', output_not_contains: 'creating' }, false, "the output contains 'creating' (line '| status | creating |')"],
  [{ volume: 'nope', exists: false }, true, 'no volume named nope'],
  [{ volume: 'vol2', exists: false }, false, 'expected no such volume; found v2 (available)'],
  // References to earlier steps' fields.
  [{ volume: '${c2.id}', status: 'available' }, true, 'owner projectB'],
  [{ step: 'c2', output_not_contains: '${c2.name}' }, true, 'outcome succeeded'],
  [{ volume: '${c2.nope}', exists: false }, false, "volume: ${c2.nope}: step 'c2' has no output field 'nope'"],
  // No candidate at all, told apart from a filter emptying the list.
  [{ step: 'c6', no_candidates: true }, true, '1 decision with no candidate at all (every filter started at 0)'],
  [{ step: 'c1', no_candidates: true }, false, 'expected a decision with no candidate at all'],
  [{ step: 'c1', no_candidates: false, emptied_by: 'AvailabilityZoneFilter' }, true, 'each with candidates'],
  [{ step: 'c2', output_contains: 'available' }, false, "the output does not contain 'available'"],
  [{ step: 'bad', outcome: 'error', message_contains: 'Invalid auth key' }, true, 'outcome refused'],
  [{ step: 'bad', message_contains: 'quota' }, false, "no message contains 'quota'"],
  [{ service: 'node3@lvm', state: 'down', from: '70s', until: '6m' }, true, 'down over'],
  [{ service: 'node3@lvm', state: 'down', from: '60s', until: '6m' }, false, 'was up at 1m'],
  [{ service: 'node3@lvm', state: 'down', from: '70s' }, false, 'was up at 6m40s'],
  [{ service: 'node3@lvm', state: 'up', at: '8m' }, true, 'up over'],
  [{ service: 'node9@lvm', state: 'up' }, false, 'no cinder-volume service with host node9@lvm'],
  [{ ratio: 'creates_succeeded', at_least: 0.5 }, true, '2/4'],
  [{ ratio: 'creates_succeeded', at_least: 0.95 }, false, '2/4'],
  [{ volume: 'vol2', status: 'available', project: 'projectB', availability_zone: 'nova' }, true, 'owner projectB'],
  [{ volume: 'vol2', status: 'in-use' }, false, 'expected status in-use'],
  [{ volume: 'nope', status: 'available' }, false, 'no volume named nope'],
  [{ placements: 'node3@lvm', from: '1m', until: '6m', at_least: 1 }, true, '1 placement on node3@lvm'],
  [{ placements: 'node3@lvm', until: '1m', at_most: 0 }, true, '0 placements'],
  [{ placements: 'node1@lvm', at_most: 0 }, false, '1 placement on node1@lvm'],
  [{ log: { level: 'error' }, at_most: 0 }, true, '0 matching log lines'],
  [{ conf: 'wrong-section', node: 'node1' }, true, '1 finding, first: node1 x.yaml#node1:7'],
  [{ conf: 'wrong-section', node: 'node2' }, false, '0 findings'],
  [{ conf: 'unused-backend-group', at_most: 0 }, true, '0 findings'],
  [{ log: { level: 'warning', node: 'node1' }, at_most: 0 }, false, '1 matching log line'],
  [{ log: { logger: 'cinder.scheduler.host_manager', contains: 'volume service is down. (host: node3@lvm)' }, at_least: 1 }, true, 'node1 warning cinder.scheduler.host_manager'],
  [{ log: { logger: 'cinder.scheduler.filter_scheduler', contains: 'volume service is down' }, at_least: 1 }, false, '0 matching log lines'],
];

describe('expectations', () => {
  it.each(table)('%j -> %s', (raw, passed, detail) => {
    const e = Expectation.parse(raw);
    const v = checkExpectation(e, view);
    expect(v.detail).toContain(detail);
    expect(v.passed).toBe(passed);
  });

  it('shortens evidence around the matched text, never through it nor through a UUID, and marks the cut', () => {
    const uuid = '3ecd8661-98b5-4145-8547-54385e6fcb85';
    const long = `No valid backend was found. Current backend not valid for volume ${uuid} with type {'id': '896c1844-58be-4950-b424-2d73654ce666', 'name': 'sata', 'extra_specs': {'volume_backend_name': 'sata', 'note': '${'padding '.repeat(20)}'}}, migration not allowed`;
    const withLong: ExpectView = { ...view, decisions: view.decisions.map((d) => (d.operation === 'retype' ? { ...d, message: long } : d)) };
    const v = checkExpectation(Expectation.parse({ step: 'rt', message_contains: 'migration not allowed' }), withLong);
    expect(v.passed).toBe(true);
    const quoted = /; message '(\.\.\..* migration not allowed)'$/.exec(v.detail)?.[1] ?? '';
    expect(quoted.length).toBeGreaterThan(100);
    expect(quoted.length).toBeLessThanOrEqual(240 + 3);
    expect(long.endsWith(quoted.slice(3))).toBe(true);
    for (const hex of v.detail.match(/[0-9a-f-]{9,}/g) ?? []) expect(hex).toMatch(/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/);
    // What failed to match is quoted from its start, cut with "..." at a word.
    const miss = checkExpectation(Expectation.parse({ step: 'rt', message_contains: 'quota' }), withLong);
    expect(miss.detail).toContain(`no message contains 'quota' (messages: 'No valid backend was found. Current backend not valid for volume ${uuid} with type {'id':...')`);
  });
});
