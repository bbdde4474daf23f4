import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { caseFileSchema, caseOutput, runCase, type CaseResult, type SchedulerCase } from '../../../sim/cinder/scheduler/case.js';
import { World } from '../../../sim/engine/world.js';

/**
 * Conformance against the real thing: every case in cases.json was run
 * through Debian's python3-cinder 2:21.3.1 (Cinder 2023.1) scheduler by
 * cinder_harness.py; cases.expected.json holds what Cinder decided.
 */
const dir = new URL('../../fixtures/scheduler/conformance/', import.meta.url);
const cases = caseFileSchema.parse(JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8'))) as SchedulerCase[];
const expected = JSON.parse(readFileSync(new URL('cases.expected.json', dir), 'utf8')) as Expected[];

type Expected = CaseResult | { id?: string | number; results: CaseResult[] };

/** Cinder's own text for its exceptions; for Cinder's crashes (a Python exception) only the exception class must match. */
const EXACT_TEXT = new Set(['NoValidBackend', 'SchedulerHostFilterNotFound', 'SchedulerHostWeigherNotFound']);

function comparable(r: CaseResult): CaseResult {
  const { error_detail: _detail, ...rest } = r;
  return rest.error_type !== null && !EXACT_TEXT.has(rest.error_type) ? { ...rest, error: '(crash)' } : rest;
}

function results(x: Expected): CaseResult[] {
  return 'results' in x ? x.results : [x];
}

function ours(c: SchedulerCase): Expected {
  const world = new World({ seed: '1' });
  const node = world.addNode('scheduler');
  return caseOutput(c, runCase(c, { clock: node.clock, chanceRng: world.rng.stream('weigher:ChanceWeigher') }));
}

describe('decisions match Cinder 2023.1 (python3-cinder 21.3.1)', () => {
  test('the fixture covers every case', () => {
    expect(expected).toHaveLength(cases.length);
    expect(cases.length).toBeGreaterThan(200);
  });
  test.each(cases.map((c, i) => [String(c.id), i] as const))('%s', (_id, i) => {
    const got = results(ours(cases[i]!)).map(comparable);
    const want = results(expected[i]!).map(comparable);
    expect(got).toEqual(want);
  });
});
