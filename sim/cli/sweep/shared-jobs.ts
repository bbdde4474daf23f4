import type { SweepJob } from '../../scenario/sweep/run.js';

/**
 * A sweep's jobs as every thread of the pool receives them once, at its
 * start: the scenario text of each grid point once (not once per seed),
 * the jobs without it, and the shared counter every thread takes its next
 * job index from.
 */
export interface WorkerInput {
  texts: string[];
  jobs: { index: number; point: number; seed: string; replay: string; text: number; file: string; dir: string }[];
  /** One Int32: the next job to start (Atomics.add by 1); >= jobs.length: none left. */
  counter: SharedArrayBuffer;
}

export function packJobs(jobs: readonly SweepJob[]): WorkerInput {
  const texts: string[] = [];
  const textIndex = new Map<string, number>();
  const packed = jobs.map(({ text, ...rest }) => {
    let t = textIndex.get(text);
    if (t === undefined) {
      t = texts.push(text) - 1;
      textIndex.set(text, t);
    }
    return { ...rest, text: t };
  });
  return { texts, jobs: packed, counter: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT) };
}

/** The job at position `i` of the input, or null past the last. */
export function jobAt(input: WorkerInput, i: number): SweepJob | null {
  const j = input.jobs[i];
  return j === undefined ? null : { ...j, text: input.texts[j.text]! };
}
