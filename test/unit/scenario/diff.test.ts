import { describe, expect, it } from 'vitest';
import { compareEntries, diffOutcomes, type DecisionEntry, type DecisionResult } from '../../../sim/scenario/diff.js';
import type { RunOutcome } from '../../../sim/scenario/outcome.js';

/** An entry as a baseline file gives it: no trace. */
const entry = (key: string, result: DecisionResult, extra: Partial<DecisionEntry> = {}): DecisionEntry => ({
  key,
  seq: 1,
  attempt: 1,
  atMs: 1000,
  operation: key.split(' ')[0]!,
  subject: key.split(' ')[1]!,
  args: 'size=1',
  result,
  top: [],
  rejected: [],
  trace: null,
  ...extra,
});

const placed = (pool: string): DecisionResult => ({ kind: 'placed', pool });
const noValid = (reason: string): DecisionResult => ({ kind: 'failed', error: 'NoValidBackend', reason });

describe('compareEntries', () => {
  it('a request that found no pool either way is unchanged, whichever filter emptied the list', () => {
    const d = compareEntries('s', [entry('create_volume a', noValid('CapabilitiesFilter'))], [entry('create_volume a', noValid('CapacityFilter'))], 'unknown');
    expect(d).toMatchObject({ compared: 1, changed: 0 });
  });

  it('placed -> No valid backend is a changed outcome, blamed on the filter that rejected the old pool', () => {
    const d = compareEntries(
      's',
      [entry('create_volume a', placed('n1@b#p'))],
      [entry('create_volume a', noValid('CapacityFilter'), { rejected: [{ host: 'n1@b#p', filter: 'CapacityFilter' }] })],
      'unknown',
    );
    expect(d.counts).toEqual({ moved: 0, outcome: 1, order: 0 });
    expect(d.changes[0]!.cause).toEqual({ by: 'CapacityFilter', detail: 'rejected n1@b#p in the candidate run' });
    expect(d.groups).toEqual([{ kind: 'outcome', from: 'n1@b#p', to: 'NoValidBackend (CapacityFilter)', count: 1, causes: { CapacityFilter: 1 } }]);
  });

  it('a refusal is the API\'s; a request in one run only is a changed outcome; the same winner in another top order is an order change', () => {
    const top = (...hosts: string[]): DecisionEntry['top'] => hosts.map((host, i) => ({ host, weight: 1 - i / 2, parts: { CapacityWeigher: 1 - i / 2 } }));
    const d = compareEntries(
      's',
      [entry('create_volume a', placed('x')), entry('create_volume b', placed('x')), entry('create_volume c', placed('x'), { top: top('x', 'y', 'z') })],
      [entry('create_volume a', { kind: 'refused', http: 413, error: 'VolumeLimitExceeded' }), entry('create_volume c', placed('x'), { top: top('x', 'z', 'y') })],
      'unknown',
    );
    expect(d.changes.map((c) => [c.key, c.kind, c.baseline, c.candidate, c.cause.by])).toEqual([
      ['create_volume a', 'outcome', 'x', 'refused 413 VolumeLimitExceeded', 'API'],
      ['create_volume b', 'outcome', 'x', 'absent', 'unknown'],
      ['create_volume c', 'order', 'x > y > z', 'x > z > y', 'CapacityWeigher'],
    ]);
    expect(d.compared).toBe(3);
  });
});

describe('diffOutcomes of lean runs', () => {
  const lean = (digest: string): RunOutcome =>
    ({ scenario: 's', seed: '1', requests: [], decisions: [], summary: { decisions: 10, decisions_digest: digest } }) as unknown as RunOutcome;

  it('compares the digests of the decisions it did not keep', () => {
    expect(diffOutcomes(lean('a'), lean('a'))).toMatchObject({ changed: 0, digests_differ: false, notes: ["lean runs: only the steps' decisions are kept; the digests of all 10 decisions are equal"] });
    const d = diffOutcomes(lean('a'), lean('b'));
    expect(d).toMatchObject({ changed: 0, digests_differ: true });
    expect(d.notes[0]).toContain('the digests of all decisions differ');
  });
});
