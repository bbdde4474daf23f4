import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../../scenario/library.js';
import { runSweepJob, type SweepJob } from '../../scenario/sweep/run.js';
import type { SweepRun } from '../../scenario/sweep/model.js';
import { UserError } from '../io.js';

/**
 * Runs a sweep's jobs on K worker threads, each taking the next job as it
 * finishes one (runs differ in cost).  Results are placed by run index,
 * never by completion order, so the outcome is the same for any K.  With
 * K = 1 the jobs run on this thread, one after another.
 */
export async function runJobs(jobs: readonly SweepJob[], workers: number, onDone: (done: number) => void): Promise<SweepRun[]> {
  const byIndex = new Map<number, SweepRun>();
  const k = Math.max(1, Math.min(workers, jobs.length));
  if (k === 1) {
    for (const job of jobs) {
      byIndex.set(job.index, runSweepJob(job));
      onDone(byIndex.size);
    }
  } else {
    await onThreads(jobs, k, workerFile(), (run) => {
      byIndex.set(run.index, run);
      onDone(byIndex.size);
    });
  }
  return jobs.map((j) => byIndex.get(j.index)!);
}

/** The worker's compiled file: next to this module when running from dist/, else dist/ (tests run the TypeScript source). */
function workerFile(): string {
  const here = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(here)) return here;
  const built = join(packageRoot(), 'dist', 'sim', 'cli', 'sweep', 'worker.js');
  if (existsSync(built)) return built;
  throw new UserError(`--workers needs the built worker (${built}); run \`npx tsc -p tsconfig.json\` first, or use --workers 1`);
}

/**
 * A worker thread's heap, as bin.ts sizes the main thread's for long runs:
 * a thread's default young generation is small, and a run allocates fast.
 */
const WORKER_HEAP = { maxYoungGenerationSizeMb: 384, maxOldGenerationSizeMb: 1536 };

function onThreads(jobs: readonly SweepJob[], k: number, file: string, done: (run: SweepRun) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let finished = 0;
    let failed = false;
    const pool: Worker[] = [];
    // Workers we stop ourselves (no job left) exit with code 1: not a failure.
    const stopped = new Set<Worker>();
    const stop = (w: Worker): void => {
      stopped.add(w);
      void w.terminate();
    };
    const stopAll = (): void => pool.forEach(stop);
    const feed = (w: Worker): void => {
      if (next < jobs.length) w.postMessage(jobs[next++]);
      else stop(w);
    };
    for (let i = 0; i < k; i++) {
      const w = new Worker(file, { resourceLimits: WORKER_HEAP });
      pool.push(w);
      w.on('message', (run: SweepRun) => {
        done(run);
        if (++finished === jobs.length) {
          stopAll();
          resolve();
        } else feed(w);
      });
      w.on('error', (e) => {
        if (failed) return;
        failed = true;
        stopAll();
        reject(e);
      });
      w.on('exit', (code) => {
        if (code !== 0 && !stopped.has(w) && !failed) {
          failed = true;
          stopAll();
          reject(new Error(`a sweep worker thread exited with code ${code} before the sweep was done`));
        }
      });
      feed(w);
    }
  });
}
