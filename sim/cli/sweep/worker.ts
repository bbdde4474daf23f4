import { parentPort, workerData } from 'node:worker_threads';
import { runSweepJob } from '../../scenario/sweep/run.js';
import { jobAt, type WorkerInput } from './shared-jobs.js';

/**
 * A sweep worker thread: takes the next job index from the pool's shared
 * counter, runs it and answers with the run's record, until none is left.
 */
const port = parentPort;
if (port === null) throw new Error('sweep/worker.js runs as a worker thread (sweep --workers K starts it)');
const input = workerData as WorkerInput;
const counter = new Int32Array(input.counter);
for (let job = jobAt(input, Atomics.add(counter, 0, 1)); job !== null; job = jobAt(input, Atomics.add(counter, 0, 1))) {
  port.postMessage(runSweepJob(job));
}
