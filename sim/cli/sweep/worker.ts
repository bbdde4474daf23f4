import { parentPort } from 'node:worker_threads';
import { runSweepJob, type SweepJob } from '../../scenario/sweep/run.js';

/** A sweep worker thread: runs each job it is sent and answers with the run's record. */
const port = parentPort;
if (port === null) throw new Error('sweep/worker.js runs as a worker thread (sweep --workers K starts it)');
port.on('message', (job: SweepJob) => {
  port.postMessage(runSweepJob(job));
});
