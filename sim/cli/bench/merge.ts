import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sweepHtml } from '../../../reports/sweep-html.js';
import { assembleSweep, gridPoints, runSeed, SEED_RULE, SWEEP_FORMAT_VERSION, sweepJson, type SweepIdentity, type SweepRun } from '../../scenario/sweep/model.js';
import { inShard, makePart, mergeParts, partFileName, partJson, readPart } from '../../scenario/sweep/plan.js';
import { UserError } from '../io.js';
import { peakRssMb, type Bench } from './types.js';

const POINTS = 10;

/**
 * `cinder-sim merge` on S shards of a sweep of 10 grid points x R/10 seeds
 * (runs with made-up but well-formed figures): the parts are written to a
 * temporary directory first, then read, checked, merged and written as
 * sweep.json and sweep.html, which is what is timed.
 */
export const mergeBench: Bench = {
  describe: 'merge S shard parts of a sweep of R runs: --shards S --requests R (R: runs)',
  run(opts) {
    const shards = opts.shards ?? 100;
    const total = opts.requests ?? 10_000;
    if (!Number.isInteger(shards) || shards < 1) throw new UserError(`bench merge: --shards must be a positive integer, got ${String(opts.shards)}`);
    if (!Number.isInteger(total) || total < POINTS || total % POINTS !== 0) throw new UserError(`bench merge: --requests (runs) must be a multiple of ${POINTS}, got ${String(opts.requests)}`);
    const identity: SweepIdentity = {
      format: 'cinder-sim-sweep',
      version: SWEEP_FORMAT_VERSION,
      cinder_sim: 'bench',
      scenario: { name: 'bench', file: 'bench.yaml', sha256: '0'.repeat(64) },
      root_seed: opts.seed,
      seeds: total / POINTS,
      seed_rule: SEED_RULE,
      grid: [{ key: 'node1:thin.max_over_subscription_ratio', values: gridPoints([{ key: 'x', values: Array.from({ length: POINTS }, (_, i) => String(i + 1)) }]).map((p) => p[0]!.value) }],
    };
    const runs = Array.from({ length: total }, (_, i) => fakeRun(i, identity));
    const dir = mkdtempSync(join(tmpdir(), 'cinder-sim-bench-merge-'));
    try {
      for (let s = 1; s <= shards; s++) {
        const shard = { index: s, count: shards };
        writeFileSync(join(dir, partFileName(shard)), partJson(makePart(identity, shard, runs.filter((r) => inShard(r.index, shard)))));
      }
      const t0 = performance.now();
      const parts = readdirSync(dir).sort().map((f) => ({ file: f, part: readPart(f, JSON.parse(readFileSync(join(dir, f), 'utf8'))) }));
      const merged = mergeParts(parts);
      const result = assembleSweep(merged.identity, merged.runs);
      const json = sweepJson(result);
      writeFileSync(join(dir, 'sweep.json'), json);
      writeFileSync(join(dir, 'sweep.html'), sweepHtml(result));
      const seconds = (performance.now() - t0) / 1000;
      return { bench: 'merge', shards, runs: total, seconds: Math.round(seconds * 1000) / 1000, sweep_json_kb: Math.round(json.length / 1024), peak_rss_mb: peakRssMb() };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** A well-formed run with figures that vary by index (no randomness needed). */
function fakeRun(index: number, id: SweepIdentity): SweepRun {
  const k = (index % id.seeds) + 1;
  const t = 3_600_000 + ((index * 7919) % 7_200_000);
  return {
    index,
    point: Math.floor(index / id.seeds),
    seed: runSeed(id.root_seed, k),
    replay: `cinder-sim run bench.yaml --seed ${runSeed(id.root_seed, k)}`,
    aborted: null,
    metrics: {
      creates: 1000,
      creates_succeeded: 500 + (index % 500),
      success_rate: (500 + (index % 500)) / 1000,
      first_no_valid_backend: { by_az: { az1: t, az2: index % 3 === 0 ? null : t + 1000 }, by_type: { thick: t, thin: null } },
      utilisation: { by_pool: { 'node1@thick#thick': 0.9, 'node1@thin#thin': 1.5 + (index % 10) / 10 }, by_az: { az1: 0.9, az2: 1.5 } },
      expectations_failed: 0,
      decisions: 1000,
      decisions_digest: '0'.repeat(64),
    },
  };
}
