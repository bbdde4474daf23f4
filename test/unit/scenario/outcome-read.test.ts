import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTCOME_SCHEMA_VERSION } from '../../../sim/scenario/outcome.js';
import { OutcomeReadError, parseOutcome, readRun } from '../../../sim/scenario/outcome-read.js';

const minimal = (over: Record<string, unknown> = {}): string =>
  JSON.stringify({
    schema_version: OUTCOME_SCHEMA_VERSION,
    scenario: 's',
    description: 'd',
    file: 'f.yaml',
    seed: '1',
    duration_ms: 1,
    end: { reason: 'duration', events: 0, time_ms: 1 },
    steps: [],
    requests: [],
    decisions: [],
    service_states: [],
    capacity: [],
    pools: [],
    type_usage: [],
    type_pools: [],
    faults: [],
    conf_findings: [],
    workloads: [],
    log: [],
    log_counts: {},
    expectations: [],
    summary: {},
    replay: 'cinder-sim run f.yaml --seed 1',
    ...over,
  });

describe('reading outcome files', () => {
  it('accepts an outcome of this schema version', () => {
    expect(parseOutcome(minimal(), 'x/outcome.json').scenario).toBe('s');
  });
  it('refuses another schema version, naming both and the replay command', () => {
    expect(() => parseOutcome(minimal({ schema_version: 1 }), 'x/outcome.json')).toThrow(
      new RegExp(`x/outcome.json: outcome schema version 1; this cinder-sim reads version ${OUTCOME_SCHEMA_VERSION} only.*cinder-sim run f.yaml --seed 1`),
    );
  });
  it('refuses damaged files with the key and what it is', () => {
    expect(() => parseOutcome('{"schema_version":', 'a.json')).toThrow(/a.json: not an outcome file: not valid JSON/);
    expect(() => parseOutcome('[]', 'a.json')).toThrow(/the top level is array/);
    expect(() => parseOutcome(minimal({ decisions: 3 }), 'a.json')).toThrow("a.json: damaged outcome: 'decisions' is number, expected array");
    expect(() => parseOutcome(JSON.stringify({ scenario: 'x' }), 'a.json')).toThrow(/no schema_version/);
  });
  it('reads a file, a scenario directory and a run directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outcome-read-'));
    for (const name of ['b', 'a']) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'outcome.json'), minimal({ scenario: name }));
    }
    expect(readRun(dir).map((r) => r.outcome.scenario)).toEqual(['a', 'b']);
    expect(readRun(join(dir, 'b')).map((r) => r.outcome.scenario)).toEqual(['b']);
    expect(readRun(join(dir, 'a', 'outcome.json'))[0]!.file).toBe(join(dir, 'a', 'outcome.json'));
    expect(() => readRun(join(dir, 'nope'))).toThrow(OutcomeReadError);
    mkdirSync(join(dir, 'empty'));
    expect(() => readRun(join(dir, 'empty'))).toThrow(/no outcome.json in it/);
  });
});
