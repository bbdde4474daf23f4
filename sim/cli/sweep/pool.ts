import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../../scenario/library.js';
import { runSweepJob, type SweepJob } from '../../scenario/sweep/run.js';
import type { SweepRun } from '../../scenario/sweep/model.js';
import { UserError } from '../io.js';
import { jobAt, packJobs, type WorkerInput } from './shared-jobs.js';

/**
 * Runs a sweep's jobs on K threads: this one and K - 1 worker threads.
 * Every thread takes the next job from one shared counter (an atomic add
 * on shared memory) as it finishes one, so no thread ever waits to be
 * handed work and none holds a job another could start: runs differ in
 * cost, and the last ones go to whichever thread is free.  Results are
 * placed by run index, never by completion order, so the outcome is the
 * same for any K.  With K = 1 the jobs run on this thread, one after
 * another.  This thread runs jobs too: it has loaded and warmed the
 * simulator already, where each new thread pays for that again.
 */
export async function runJobs(jobs: readonly SweepJob[], workers: number, onDone: (done: number) => void): Promise<SweepRun[]> {
  const byIndex = new Map<number, SweepRun>();
  const k = Math.max(1, Math.min(workers, jobs.length));
  const record = (run: SweepRun): void => {
    byIndex.set(run.index, run);
    onDone(byIndex.size);
  };
  if (k === 1) {
    for (const job of jobs) record(runSweepJob(job));
  } else {
    await onThreads(jobs, k - 1, workerFile(), record);
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
const WORKER_HEAP = { maxYoungGenerationSizeMb: 192, maxOldGenerationSizeMb: 1536 };

/** Runs the jobs on `threads` worker threads and this thread; resolves when every job is done. */
function onThreads(jobs: readonly SweepJob[], threads: number, file: string, done: (run: SweepRun) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const input: WorkerInput = packJobs(jobs);
    const counter = new Int32Array(input.counter);
    let finished = 0;
    let failed = false;
    const pool: Worker[] = [];
    // Workers we stop ourselves (every job done, or another failed) are not failures.
    const stopped = new Set<Worker>();
    const stopAll = (): void => {
      for (const w of pool) {
        stopped.add(w);
        void w.terminate();
      }
    };
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      // No thread starts another job.
      Atomics.store(counter, 0, jobs.length);
      stopAll();
      reject(e instanceof Error ? e : new Error(String(e)));
    };
    const finish = (run: SweepRun): void => {
      if (failed) return;
      done(run);
      if (++finished === jobs.length) {
        stopAll();
        resolve();
      }
    };
    for (let i = 0; i < threads; i++) {
      const w = new Worker(file, { resourceLimits: WORKER_HEAP, workerData: input });
      pool.push(w);
      w.on('message', finish);
      w.on('error', fail);
      w.on('exit', (code) => {
        if (code !== 0 && !stopped.has(w)) fail(new Error(`a sweep worker thread exited with code ${code} before the sweep was done`));
      });
    }
    // This thread takes the next job whenever it is free, letting the threads' answers in between.
    const runHere = (): void => {
      if (failed) return;
      const job = jobAt(input, Atomics.add(counter, 0, 1));
      if (job === null) return;
      try {
        finish(runSweepJob(job));
      } catch (e) {
        fail(e);
        return;
      }
      setImmediate(runHere);
    };
    setImmediate(runHere);
  });
}
