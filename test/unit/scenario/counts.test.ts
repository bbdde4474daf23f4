import { describe, expect, it } from 'vitest';
import { describeCounts, requestResult, type ResultFacts } from '../../../sim/scenario/run/counts.js';

/** Resources by id: status, whether the volume launched, its type. */
const world: Record<string, { status: string; launched?: boolean; type?: string }> = {
  ok: { status: 'available', launched: true, type: 'sata' },
  err: { status: 'error' },
  gone_failed: { status: 'deleted' },
  gone_ok: { status: 'deleted', launched: true },
  busy: { status: 'creating' },
  ext: { status: 'error_extending', launched: true },
  snap_err: { status: 'error' },
};
const facts: ResultFacts = {
  statusOf: (id) => world[id]?.status,
  launched: (id) => world[id]?.launched === true,
  volumeTypeOf: (id) => (world[id]?.type ? { id: `type-${world[id].type}`, name: world[id].type } : undefined),
};

describe('how a request ended: one definition', () => {
  const table: [verb: string, accepted: boolean, id: string | null, target: string | undefined, result: string][] = [
    ['create', false, null, undefined, 'refused'],
    ['create', true, 'ok', undefined, 'succeeded'],
    ['create', true, 'err', undefined, 'failed'],
    ['create', true, 'gone_failed', undefined, 'failed'],
    ['create', true, 'gone_ok', undefined, 'succeeded'],
    ['create', true, 'busy', undefined, 'in_flight'],
    ['extend', true, 'ext', undefined, 'failed'],
    ['snapshot-create', true, 'snap_err', undefined, 'failed'],
    ['delete', true, null, undefined, 'succeeded'],
    ['retype', true, 'ok', 'sata', 'succeeded'],
    ['retype', true, 'ok', 'ssd', 'failed'],
  ];
  it.each(table)('%s accepted=%s on %s (to %s) -> %s', (verb, accepted, id, target, result) => {
    expect(requestResult(verb, accepted, id, facts, target)).toBe(result);
  });

  it('says the counts in one line, in flight only when some are', () => {
    expect(describeCounts({ requests: 3, succeeded: 1, refused: 1, failed: 1, in_flight: 0 })).toBe('3 requests: 1 refused by the API, 1 accepted then failed, 0 in flight, 1 succeeded');
    expect(describeCounts({ requests: 1, succeeded: 0, refused: 0, failed: 0, in_flight: 1 }, 'create')).toBe('1 create: 0 refused by the API, 0 accepted then failed, 1 in flight, 0 succeeded');
  });
});
