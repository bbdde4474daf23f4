import { describe, expect, test } from 'vitest';
import { extraSpecOperators, matchExtraSpec } from '../../../sim/cinder/scheduler/filters/extra-specs-ops.js';
import type { Json } from '../../../sim/cinder/scheduler/python.js';

/** Every operator of extra_specs_ops.match, its edges, and where Cinder raises. */
const table: [string, Json, string, boolean | string][] = [
  // no operator: Python equality of the raw value with the whole string
  ['plain string', 'v', 'v', true],
  ['plain, number never equals a string', 3000, '3000', false],
  ['plain, bool never equals "True"', true, 'True', false],
  ['plain, empty requirement', '', '', true],
  ['plain, unknown first word keeps the whole string', 'a b', 'a b', true],
  // = is >=
  ['= means >=', 12, '= 10', true],
  ['= below', 9, '= 10', false],
  ['== numeric', '10.0', '== 10', true],
  ['!= numeric', 10, '!= 10', false],
  ['>= with underscores', 1000, '>= 1_000', true],
  ['<= inf', 1e308, '<= inf', true],
  ['numeric vs "infinite": float() fails -> no match', 'infinite', '>= 1', false],
  ['numeric with bool value', true, '== 1', true],
  ['numeric with whitespace', ' 5 ', '== 5', true],
  ['nan never equals', 'NaN', '== nan', false],
  ['only the second word is the operand', 20, '>= 10 junk', true],
  ['operator without operand', 5, '>=', false],
  ['operator with null value', null, '== 1', false],
  // <in>
  ['<in> substring', 'xxabcxx', '<in> abc', true],
  ['<in> dict key', { raid: 1 }, '<in> raid', true],
  ['<in> number raises TypeError', 1, '<in> 1', 'TypeError'],
  ['<in> bool raises TypeError', false, '<in> x', 'TypeError'],
  // <is>
  ['<is> True', true, '<is> True', true],
  ['<is> on/yes', 'on', '<is> yes', true],
  ['<is> False vs "no"', 'no', '<is> False', true],
  ['<is> 1 is true', 1, '<is> true', true],
  ['<is> 1.5 is not', 1.5, '<is> true', false],
  ['<is> null value fails', null, '<is> False', false],
  // <or>
  ['<or> hit', 'b', '<or> a <or> b', true],
  ['<or> miss', 'c', '<or> a <or> b', false],
  ['<or> every other word is dropped', 'c', '<or> a b c', true],
  ['<or> compares strings only', 1, '<or> 1 <or> 2', false],
  ['<or> alone raises IndexError', 'c', '<or>', 'IndexError'],
  // string comparisons
  ['s== takes only the next word', 'Open', 's== Open Source', true],
  ['s== non-string', 5, 's== 5', false],
  ['s!= non-string', 5, 's!= a', true],
  ['s<', 'a', 's< b', true],
  ['s<=', 'b', 's<= b', true],
  ['s> is code-point order', 'a', 's> B', true],
  ['s>=', 'a', 's>= ab', false],
  ['s< by code point, not UTF-16 unit', '\uffff', 's< \u{1F600}', true],
  ['s< non-string raises TypeError', 5, 's< b', 'TypeError'],
];

describe('extra_specs_ops.match', () => {
  test('the table exercises every operator', () => {
    const used = new Set(table.map(([, , req]) => req.split(/\s+/)[0]));
    for (const op of [...Object.keys(extraSpecOperators), '<or>']) expect(used).toContain(op);
  });
  test.each(table)('%s: %j vs %j', (_what, value, req, want) => {
    if (typeof want === 'string') expect(() => matchExtraSpec(value, req)).toThrow(expect.objectContaining({ pyType: want }) as Error);
    else expect(matchExtraSpec(value, req)).toBe(want);
  });
});
