import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { evaluate, type EvaluatorVars } from '../../../sim/cinder/scheduler/evaluator/evaluate.js';
import { EvaluatorParseError } from '../../../sim/cinder/scheduler/evaluator/grammar.js';
import { PyError, type Json } from '../../../sim/cinder/scheduler/python.js';

/**
 * Every expression in goldens.json was evaluated by Cinder 2023.1's own
 * evaluator (python3-cinder 21.3.1, pyparsing 3.0.9); we must give the same
 * value, or fail with the same exception class.
 */
interface Golden {
  expr: string;
  result?: Json | { float: string } | { complex: string };
  type?: string;
  error?: string;
}
const file = JSON.parse(readFileSync(new URL('../../fixtures/scheduler/evaluator/goldens.json', import.meta.url), 'utf8')) as { vars: EvaluatorVars; cases: Golden[] };

/** Python yields a complex number for a negative base to a fractional power; we stop with TypeError instead. */
const KNOWN_DIFFERENT = new Set(['(-8) ^ 0.5']);

function decode(v: Golden['result']): Json {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && 'float' in v && Object.keys(v).length === 1) {
    const f = (v as { float: string }).float;
    return f === 'nan' ? NaN : f === 'inf' ? Infinity : -Infinity;
  }
  return v as Json;
}

function outcome(expr: string): { result: Json } | { error: string } {
  try {
    return { result: evaluate(expr, file.vars) };
  } catch (e) {
    if (e instanceof EvaluatorParseError) return { error: 'EvaluatorParseException' };
    if (e instanceof PyError) return { error: e.pyType };
    throw e;
  }
}

describe('evaluator matches Cinder 2023.1', () => {
  test('goldens cover values and errors', () => {
    expect(file.cases.length).toBeGreaterThan(150);
    expect(file.cases.filter((c) => c.error).length).toBeGreaterThan(20);
  });
  test.each(file.cases.filter((c) => !KNOWN_DIFFERENT.has(c.expr)).map((c) => [c.expr, c] as const))('%s', (_e, c) => {
    const got = outcome(c.expr);
    if (c.error !== undefined) {
      expect(got).toEqual({ error: c.error });
    } else {
      expect(got).toEqual({ result: decode(c.result) });
      if (c.type === 'bool') expect(typeof (got as { result: Json }).result).toBe('boolean');
    }
  });
});
