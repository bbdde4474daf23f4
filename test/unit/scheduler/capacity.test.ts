import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { capacityFactors, parseCapacity } from '../../../sim/cinder/scheduler/capacity.js';
import { pyFloat, pyRound2 } from '../../../sim/cinder/scheduler/python.js';

const goldens = JSON.parse(readFileSync(new URL('../../fixtures/scheduler/round2.json', import.meta.url), 'utf8')) as [number, number][];

describe("round(x, 2) exactly as Python's", () => {
  test.each([
    [0.125, 0.12],
    [0.375, 0.38],
    [-0.125, -0.12],
    [2.675, 2.67],
    [1.005, 1],
    [0.135, 0.14],
    [100.125, 100.12],
    [2 ** 53, 2 ** 53],
  ])('round(%d, 2) = %d', (x, r) => {
    expect(pyRound2(x)).toBe(r);
  });
  test('matches CPython on 2,412 doubles (ties, x.xx5 decimals, large, negative)', () => {
    expect(goldens.length).toBeGreaterThan(2000);
    const wrong = goldens.filter(([x, r]) => !Object.is(pyRound2(x), r) && !(r === 0 && pyRound2(x) === 0));
    expect(wrong).toEqual([]);
  });
  test('not what Math.round(x * 100) / 100 gives', () => {
    expect(Math.round(2.675 * 100) / 100).not.toBe(pyRound2(2.675));
    expect(Math.round(0.125 * 100) / 100).not.toBe(pyRound2(0.125));
  });
});

describe('capacity factors (utils.calculate_capacity_factors)', () => {
  test.each([
    // total, free, provisioned, thinSupport, ratio, reserved%, thin -> reserved GB, total available, virtual free
    ['thick, 10% reserved: free wins only when smaller', 1000, 600, 400, false, 1, 10, true, 100, 900, 500],
    ['thick, free smaller than calculated', 1000, 300, 400, false, 1, 10, true, 100, 900, 300],
    ['thin 1.5x', 500, 400, 600, true, 1.5, 0, true, 0, 750, 150],
    ['thin 2.0x, 5% reserved', 1000, 100, 1500, true, 2, 5, true, 50, 1900, 400],
    ['thin pool, thick request', 1000, 100, 1500, true, 2, 5, false, 50, 950, -550],
    ['reserved floors to whole GB', 333, 333, 0, false, 1, 7, true, 23, 310, 310],
    ['rounded to 2 decimals', 333.33, 10, 12.345, true, 1.1, 7, true, 23, 341.36, 329.02],
    ['100% reserved leaves nothing', 100, 100, 0, true, 20, 100, true, 100, 0, 0],
  ] as const)('%s', (_what, total, free, prov, thinSupport, ratio, reserved, thin, reservedGb, available, virtualFree) => {
    expect(capacityFactors(total, free, prov, thinSupport, ratio, reserved, thin)).toEqual({ reservedCapacityGb: reservedGb, totalAvailableCapacityGb: available, virtualFreeCapacityGb: virtualFree });
  });
});

describe('capacity values parsed once', () => {
  test.each([
    [undefined, { kind: 'gb', gb: 0 }],
    [null, { kind: 'missing' }],
    ['infinite', { kind: 'infinite' }],
    ['unknown', { kind: 'unknown' }],
    [12.5, { kind: 'gb', gb: 12.5 }],
    [' 1_024 ', { kind: 'gb', gb: 1024 }],
  ] as const)('%j -> %j', (v, c) => {
    expect(parseCapacity(v)).toEqual(c);
  });
  test.each([
    ['1e3', 1000],
    [' inf ', Infinity],
    ['-Infinity', -Infinity],
    ['1_000.5', 1000.5],
    [true, 1],
  ] as const)("float(%j) = %d (Python's float())", (v, n) => {
    expect(pyFloat(v)).toBe(n);
  });
  test.each(['infinite', 'abc', '1__0', '_1', '', '0x10'])('float(%j) raises ValueError', (v) => {
    expect(() => pyFloat(v)).toThrow(expect.objectContaining({ pyType: 'ValueError' }) as Error);
  });
});
