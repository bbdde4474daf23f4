import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { packageRoot } from '../../scenario/library.js';
import { UserError } from '../io.js';
import { benchScenario } from './scenario.js';
import type { Bench, BenchOptions } from './types.js';

/**
 * The bench sweep's runs: each a quarter year of a 300-backend cloud
 * (about 4 s of work here).  Every worker thread compiles the simulator
 * anew, about 2 s of CPU before its runs reach full speed, so a sweep of
 * runs of a second or so gains less from a second thread (1.25x measured
 * with 100 backends and 20,000 requests; pass them to see it).
 */
const RUN_BACKENDS = 300;
const RUN_REQUESTS = 60_000;
const RUN_YEARS = 0.25;

/**
 * `cinder-sim sweep --workers 1` against `--workers K` on the same sweep,
 * each as the whole process a user runs (start, planning, the runs, the
 * outputs), alternating 1, K, 1, K ... for --rounds rounds so that a
 * change in the machine's load falls on both; the figure is the ratio of
 * the medians.  The two sweep.json files must be byte-identical.
 */
export const sweepBench: Bench = {
  describe: 'sweep on 1 thread vs K: --workers K (default: the cores) --seeds N (runs) --rounds R; --backends/--requests/--years size each run',
  run(opts: BenchOptions) {
    const workers = positive(opts.workers ?? Math.max(2, availableParallelism()), '--workers');
    if (workers < 2) throw new UserError(`bench sweep: --workers must be at least 2 (it is compared with 1), got ${workers}`);
    const seeds = positive(opts.seeds ?? 4 * workers, '--seeds');
    const rounds = positive(opts.rounds ?? 2, '--rounds');
    const backends = positive(opts.backends ?? RUN_BACKENDS, '--backends');
    const requests = positive(opts.requests ?? RUN_REQUESTS, '--requests');
    const years = opts.years ?? RUN_YEARS;
    if (!(years > 0 && years <= 10)) throw new UserError(`bench sweep: --years must be in (0, 10], got ${String(opts.years)}`);
    const bin = join(packageRoot(), 'dist', 'sim', 'cli', 'bin.js');
    if (!existsSync(bin)) throw new UserError(`bench sweep: ${bin} is missing; build first (npm run build)`);
    const dir = mkdtempSync(join(tmpdir(), 'cinder-sim-bench-sweep-'));
    const load = loadavg()[0]!;
    try {
      const scenario = join(dir, 'bench-sweep.yaml');
      writeFileSync(scenario, benchScenario(backends, requests, years));
      const sweep = (k: number): number => {
        const out = join(dir, `k${k}`);
        rmSync(out, { recursive: true, force: true });
        const t0 = performance.now();
        const r = spawnSync(process.execPath, [bin, 'sweep', scenario, '--seeds', String(seeds), '--root-seed', opts.seed, '--workers', String(k), '--out', out], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
        const seconds = (performance.now() - t0) / 1000;
        if (r.status !== 0) throw new Error(`cinder-sim sweep --workers ${k} exited with ${String(r.status)}: ${r.stderr.slice(-500)}`);
        return seconds;
      };
      const one: number[] = [];
      const many: number[] = [];
      for (let i = 0; i < rounds; i++) {
        one.push(sweep(1));
        many.push(sweep(workers));
      }
      const same = readFileSync(join(dir, 'k1', 'sweep.json'), 'utf8') === readFileSync(join(dir, `k${workers}`, 'sweep.json'), 'utf8');
      const t1 = median(one);
      const tk = median(many);
      return {
        bench: 'sweep',
        seed: opts.seed,
        cores: availableParallelism(),
        load_average_at_start: Math.round(load * 100) / 100,
        runs: seeds,
        run_size: `${backends} backends, ${requests} requests, ${years} year(s)`,
        rounds,
        workers,
        seconds_1_worker: round3(t1),
        [`seconds_${workers}_workers`]: round3(tk),
        speedup: Math.round((t1 / tk) * 100) / 100,
        same_sweep_json: same,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

function positive(n: number, flag: string): number {
  if (!Number.isInteger(n) || n < 1) throw new UserError(`bench sweep: ${flag} must be a positive integer, got ${String(n)}`);
  return n;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
