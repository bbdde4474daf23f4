import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transcript } from '../../reports/transcript.js';
import { defaultCloudFactory } from '../../sim/harness/simulated-cloud.js';
import { libraryFiles, packageRoot } from '../../sim/scenario/library.js';
import { loadScenarioFile } from '../../sim/scenario/loader.js';
import { runScenario } from '../../sim/scenario/runner.js';

/**
 * Every built-in scenario, run at its own seed, must print exactly its
 * golden transcript.  Goldens change only on purpose:
 *   UPDATE_GOLDENS=1 npx vitest run test/golden
 * and the diff is reviewed like code.
 */
const update = process.env['UPDATE_GOLDENS'] === '1';
const root = packageRoot();

describe('golden outcomes of the built-in library', () => {
  const files = libraryFiles();
  it('the library is not empty', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });
  it.each(files.map((f) => [f.replace(/^.*\//, ''), f]))('%s', (_name, file) => {
    const loaded = loadScenarioFile(file, root);
    const seed = String(loaded.scenario.seed ?? 1);
    const outcome = runScenario(loaded, { seed, cloud: defaultCloudFactory, replay: `cinder-sim run ${loaded.file} --seed ${seed}` });
    const text = transcript(outcome);
    const golden = join(root, 'test', 'golden', `${loaded.scenario.name}.seed${seed}.txt`);
    if (update) writeFileSync(golden, text);
    expect(existsSync(golden), `no golden ${golden}; create it with UPDATE_GOLDENS=1`).toBe(true);
    expect(text).toBe(readFileSync(golden, 'utf8'));
    // One time format (formatDuration): no bare "900 s" or "t=1860 s" from a trace's own wording.
    expect(text.match(/[\d.]+ s\b.*/g) ?? []).toEqual([]);
    // The library's expectations hold at its seeds.
    expect(outcome.expectations.filter((e) => !e.passed).map((e) => `${e.text}: ${e.detail}`)).toEqual([]);
  });
});

describe('the library holds at other seeds too', () => {
  it.each(['2', '3', '1000'])('seed %s', (seed) => {
    const failed: string[] = [];
    for (const file of libraryFiles()) {
      const loaded = loadScenarioFile(file, root);
      const outcome = runScenario(loaded, { seed, cloud: defaultCloudFactory, replay: '' });
      for (const e of outcome.expectations) if (!e.passed) failed.push(`${loaded.scenario.name}: ${e.text}: ${e.detail}`);
    }
    expect(failed).toEqual([]);
  });
});
