import { describe, expect, it } from 'vitest';
import { invariantSignature, normaliseVolatile, requestCause } from '../../../sim/scenario/failure-signature.js';
import type { DecisionRecord, RequestRecord } from '../../../sim/scenario/outcome.js';

const request = (over: Partial<RequestRecord>): RequestRecord => ({
  seq: 1,
  at_ms: 0,
  answered_at_ms: 0,
  project: 'p',
  source: 'workload:w',
  verb: 'create',
  request: {},
  ok: true,
  result: 'succeeded',
  http: null,
  error: null,
  message: null,
  resource_id: 'vol-1',
  final_status: 'available',
  host: null,
  ...over,
});

const decision = (over: Partial<DecisionRecord>): DecisionRecord => ({
  at_ms: 0,
  resource_id: 'vol-1',
  operation: 'create_volume',
  ok: false,
  chosen: null,
  emptied_by: 'CapacityFilter',
  no_candidates: false,
  message: 'No valid backend was found.',
  trace_text: '',
  trace: null,
  ...over,
});

describe('failure signatures', () => {
  it.each([
    ['UUIDs', 'volume 3f2a1b4c-0d9e-4f8a-9b7c-6d5e4f3a2b1c is available but has no host', 'volume <uuid> is available but has no host'],
    ['virtual times and numbers', 'node1@lvm was down at 1h02m03.500s; 86/129 = 0.6667', 'node#@lvm was down at <t>; #/# = #'],
    ['short times', 'step x has not run by t=59s', 'step x has not run by t=<t>'],
    ['timestamps', 'updated_at 2026-12-06T07:30:11.123456Z', 'updated_at <time>'],
  ])('mask %s', (_what, text, want) => {
    expect(normaliseVolatile(text)).toBe(want);
  });

  it('the same invariant on another volume is the same signature; another invariant is not', () => {
    const a = invariantSignature('invariant broken: volume 3f2a1b4c-0d9e-4f8a-9b7c-6d5e4f3a2b1c exists on several backends: node1@a, node2@a');
    const b = invariantSignature('invariant broken: volume 00000000-1111-2222-3333-444444444444 exists on several backends: node1@a, node2@a');
    expect(a).toBe(b);
    expect(invariantSignature('invariant broken: pool node1@a#a has negative free capacity -3 GB')).not.toBe(a);
  });

  it('a request that did not succeed, by cause', () => {
    expect(requestCause(request({}), [])).toBeNull();
    expect(requestCause(request({ ok: false, result: 'refused', http: 413, error: 'VolumeSizeExceedsAvailableQuota', message: 'Requested volume or snapshot exceeds allowed gigabytes quota. Requested 10G, quota is 5G and 0G has been consumed.', resource_id: null }), [])).toBe(
      'refused: HTTP 413 VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested #G, quota is #G and #G has been consumed.',
    );
    const failed = request({ result: 'failed', final_status: 'error' });
    expect(requestCause(failed, [decision({})])).toBe('no valid backend: CapacityFilter left no pool');
    expect(requestCause(failed, [decision({ trace: { filters: [{ name: 'CapacityFilter', passed: ['b'], rejected: [{ host: 'a' }] }, { name: 'CapabilitiesFilter', passed: [], rejected: [{ host: 'b' }] }] }, emptied_by: 'CapabilitiesFilter' })])).toBe(
      'no valid backend: CapacityFilter, CapabilitiesFilter rejected pools; CapabilitiesFilter left no pool',
    );
    expect(requestCause(failed, [decision({ no_candidates: true, emptied_by: null })])).toBe('no valid backend: no candidate at all');
    // Placed, then the backend failed it; a decision about another volume is not this one's.
    expect(requestCause(failed, [decision({ ok: true, chosen: 'node1@lvm#lvm', emptied_by: null }), decision({ resource_id: 'vol-2' })])).toBe('failed after it was placed on node1@lvm: error');
  });
});
