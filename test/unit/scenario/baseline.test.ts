import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../sim/cli/io.js';
import { main } from '../../../sim/cli/main.js';
import { BaselineError, compareWithBaseline, parseBaseline, renderBaseline } from '../../../sim/scenario/baseline.js';
import { decisionEntries, type DecisionEntry } from '../../../sim/scenario/diff.js';
import type { RunOutcome } from '../../../sim/scenario/outcome.js';

/** What a baseline line keeps of an entry (no trace; weights to four decimals). */
const kept = (e: DecisionEntry): unknown => ({
  key: e.key,
  seq: e.seq,
  attempt: e.attempt,
  operation: e.operation,
  subject: e.subject,
  args: e.args,
  result: e.result,
  top: e.top.map((w) => ({ host: w.host, weight: Math.round(w.weight * 1e4) / 1e4, parts: Object.fromEntries(Object.entries(w.parts).map(([k, v]) => [k, Math.round(v * 1e4) / 1e4])) })),
  rejected: e.rejected,
});

describe('baseline text', () => {
  let outcome: RunOutcome;
  beforeAll(async () => {
    // multi-backend-types: placed creates, a No valid backend, an extend, a retype refused by policy then one that migrates.
    const dir = mkdtempSync(join(tmpdir(), 'cinder-sim-baseline-'));
    await main(['run', 'multi-backend-types', '--out', 'o'], bufferIo(dir));
    outcome = JSON.parse(readFileSync(join(dir, 'o', 'multi-backend-types', 'outcome.json'), 'utf8')) as RunOutcome;
  });

  it('keeps what the comparison reads: written and read back, the entries are the run\'s', () => {
    const entries = decisionEntries(outcome);
    const parsed = parseBaseline(renderBaseline(outcome), 'x.decisions.txt');
    expect(parsed).toMatchObject({ scenario: 'multi-backend-types', seed: outcome.seed });
    expect(parsed.entries.map(kept)).toEqual(entries.map(kept));
    // The second retype of the same volume is paired as the second, not with the first.
    expect(entries.filter((e) => e.operation === 'retype').map((e) => [e.key, e.result.kind])).toEqual([
      ['retype fast1', 'failed'],
      ['retype fast1 (2)', 'placed'],
    ]);
    expect(compareWithBaseline(outcome, { file: 'x', parsed }).diff).toMatchObject({ changed: 0, compared: entries.length });
  });

  it('reads every kind of result, reschedules and quoted names', () => {
    const text = [
      '# cinder-sim baseline v1: the scheduling decisions of one scenario, a line each',
      '# scenario: s',
      '# seed: 3',
      '#1 1s create_volume a size=1 -> n1@b#p; weighed n1@b#p=1 (CapacityWeigher=1), n2@b#p=0.5 (CapacityWeigher=0.5)',
      '#1.2 2s create_volume a size=1 -> n2@b#p',
      '#2 3s create_volume "my vol" size=1 -> NoValidBackend (CapacityFilter); CapacityFilter rejected n1@b#p n2@b#p',
      '#3 4s create_volume a size=99 -> refused 413 VolumeSizeExceedsAvailableQuota',
      '#4 5s extend_volume a new_size=2 -> undecided (in_flight)',
      '',
    ].join('\n');
    const p = parseBaseline(text, 'f');
    expect(p.entries.map((e) => [e.key, e.seq, e.attempt, e.result])).toEqual([
      ['create_volume a', 1, 1, { kind: 'placed', pool: 'n1@b#p' }],
      ['create_volume a attempt 2', 1, 2, { kind: 'placed', pool: 'n2@b#p' }],
      ['create_volume "my vol"', 2, 1, { kind: 'failed', error: 'NoValidBackend', reason: 'CapacityFilter' }],
      ['create_volume a (2)', 3, 1, { kind: 'refused', http: 413, error: 'VolumeSizeExceedsAvailableQuota' }],
      ['extend_volume a', 4, 1, { kind: 'undecided', result: 'in_flight' }],
    ]);
    expect(p.entries[0]!.top).toEqual([
      { host: 'n1@b#p', weight: 1, parts: { CapacityWeigher: 1 } },
      { host: 'n2@b#p', weight: 0.5, parts: { CapacityWeigher: 0.5 } },
    ]);
    expect(p.entries[2]!.rejected).toEqual([
      { host: 'n1@b#p', filter: 'CapacityFilter' },
      { host: 'n2@b#p', filter: 'CapacityFilter' },
    ]);
  });

  it('refuses a file that is no baseline, another format version, or a damaged line, naming file and line', () => {
    expect(() => parseBaseline('hello\n', 'b/x.decisions.txt')).toThrow(new BaselineError("b/x.decisions.txt: not a cinder-sim baseline (its first line is not '# cinder-sim baseline v1: ...')"));
    expect(() => parseBaseline('# cinder-sim baseline v9: x\n# scenario: s\n# seed: 1\n', 'f')).toThrow('f: a baseline of format v9; this cinder-sim reads v1: write it again with --update-baseline');
    expect(() => parseBaseline('# cinder-sim baseline v1: x\n# scenario: s\n# seed: 1\n#1 1s create_volume a -> n1@b#p; whatever\n', 'f')).toThrow(
      "f:4: damaged baseline line ('whatever' is neither 'weighed ...' nor 'FILTER rejected ...')",
    );
    expect(() => parseBaseline('# cinder-sim baseline v1: x\n# scenario: s\n', 'f')).toThrow("f: damaged baseline: no '# seed: ...' line in its header");
  });

  it('a change the file cannot explain is named unknown, pointing at cinder-sim diff; one it can, with the weigher', () => {
    const entries = decisionEntries(outcome);
    const placed = entries.find((e) => e.result.kind === 'placed' && e.top.length >= 2)!;
    const other = placed.top[1]!.host;
    // The baseline said the second-ranked pool won; with the top weights it can say which weigher turned it.
    const line = (top: string): string => `#${placed.seq} 1s ${placed.operation} ${placed.subject}${placed.args ? ` ${placed.args}` : ''} -> ${other}${top}`;
    const header = `# cinder-sim baseline v1: x\n# scenario: ${outcome.scenario}\n# seed: ${outcome.seed}\n`;
    const winner = placed.result.kind === 'placed' ? placed.result.pool : '';
    const known = parseBaseline(`${header}${line(`; weighed ${other}=1 (CapacityWeigher=1), ${winner}=0 (CapacityWeigher=0)`)}\n`, 'f');
    const k = compareWithBaseline(outcome, { file: 'f', parsed: known }).diff.changes.find((c) => c.key === placed.key)!;
    expect(k).toMatchObject({ kind: 'moved', baseline: other, candidate: winner, cause: { by: 'CapacityWeigher' } });
    expect(k.cause.detail).toMatch(new RegExp(`^${other.replace(/[#@]/g, '\\$&')} 1 vs ${winner.replace(/[#@]/g, '\\$&')} 0 in the baseline run; `));
    const unknown = parseBaseline(`${header}${line('')}\n`, 'f');
    const u = compareWithBaseline(outcome, { file: 'f', parsed: unknown }).diff.changes.find((c) => c.key === placed.key)!;
    expect(u.cause.by).toBe('unknown');
    expect(u.cause.detail).toContain('cinder-sim diff OLD_RUN NEW_RUN');
  });
});
