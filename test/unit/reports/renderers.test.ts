import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainDecisionText } from '../../../reports/explain.js';
import { reports } from '../../../reports/index.js';
import { packageRoot } from '../../../sim/scenario/library.js';
import { smallOutcome } from './fixture.js';

/**
 * Every text renderer on one small fixed outcome (the fixture the chart and
 * HTML goldens use), each against its golden file: a change of wording or
 * layout shows up as a reviewed diff (UPDATE_GOLDENS=1 writes them).
 */

const update = process.env['UPDATE_GOLDENS'] === '1';
const dir = join(packageRoot(), 'test', 'golden', 'reports');

function golden(name: string, text: string): void {
  const file = join(dir, name);
  if (update) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
  }
  expect(existsSync(file), `no golden ${file}; create it with UPDATE_GOLDENS=1`).toBe(true);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

describe('renderers on a small fixed outcome', () => {
  const report = { seed: '7', outcomes: [smallOutcome()] };
  for (const name of ['text', 'markdown', 'json', 'junit', 'transcript'] as const) {
    it(`${name} (${reports[name].file}) matches its golden file`, () => {
      golden(`small.${reports[name].file}`, reports[name].render(report));
    });
  }
  it('explain: every decision of the outcome matches its golden file', () => {
    const o = smallOutcome();
    golden('small.explain.txt', o.decisions.map((_, i) => explainDecisionText(o, i)).join('\n'));
  });
  it('the same outcome renders the same bytes twice', () => {
    for (const r of Object.values(reports)) expect(r.render(report)).toBe(r.render({ seed: '7', outcomes: [smallOutcome()] }));
  });
});
