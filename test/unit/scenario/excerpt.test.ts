import { describe, expect, it } from 'vitest';
import { excerpt } from '../../../sim/scenario/excerpt.js';

const uuid = '3ecd8661-98b5-4145-8547-54385e6fcb8e';
const retype = `No valid backend was found. Current backend not valid for volume ${uuid} and migration not allowed for volume type change`;
const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu';

describe('excerpt', () => {
  it.each([
    // [case, text, needle, max, expected]
    ['short text is unchanged', 'status must be available', undefined, 80, 'status must be available'],
    ['short text with a needle is unchanged', 'status must be available', 'available', 30, 'status must be available'],
    ['no room beside the needle: the needle alone', 'status must be available', 'available', 10, '...available'],
    ['no needle: the start, cut at a word boundary', words, undefined, 20, 'alpha beta gamma...'],
    ['needle not found: the start', words, 'omega', 20, 'alpha beta gamma...'],
    ['the needle kept whole with context both sides', words, 'theta', 20, '...eta theta iota...'],
    ['needle at the start: context after only', words, 'alpha', 16, 'alpha beta gamma...'],
    ['a needle that ends within max: the start is kept', words, 'gamma', 20, 'alpha beta gamma...'],
    ['a needle just past max: context around it', words, 'delta', 20, '...gamma delta epsilon...'],
    ['needle at the end: context before only', words, 'lambda mu', 16, '...kappa lambda mu'],
    ['a needle longer than max is kept whole', words, 'gamma delta epsilon', 5, '...gamma delta epsilon...'],
    ['the retype message keeps "migration not allowed" and the whole UUID', retype, 'migration not allowed', 100, `...for volume ${uuid} and migration not allowed for volume type change`],
    ['no needle: a UUID at the cut is not split', `volume ${uuid} is gone`, undefined, 20, 'volume...'],
    ['one long word: the cut moves back out of the UUID', `x${uuid}`, undefined, 20, 'x...'],
    ['one long word without a UUID: cut at max', 'a'.repeat(30), undefined, 10, `${'a'.repeat(10)}...`],
    ['a needle ending within max inside a word that runs past it: kept, cut after it', 'status is errorinfo-long-word now', 'is error', 16, 'status is errori...'],
  ] as const)('%s', (_case, text, needle, max, expected) => {
    expect(excerpt(text, needle, max)).toBe(expected);
  });

  it.each([
    [retype, 'not allowed', 30],
    [retype, uuid, 10],
    [retype, '8547', 12],
    [`${words} ${uuid} ${words}`, 'kappa', 25],
    // A needle that ends inside a UUID past max, within the text's start: the UUID is shown whole.
    [`abc ${uuid} tail`, `abc ${uuid.slice(0, 10)}`, 20],
  ])('keeps the needle and every UUID it shows whole: %#', (text, needle, max) => {
    const out = excerpt(text, needle, max);
    expect(out).toContain(needle);
    // Any run of UUID characters shown is the whole UUID.
    const hex = out.match(/[0-9a-f-]{9,}/g) ?? [];
    for (const h of hex) expect(h).toBe(uuid);
  });
});
