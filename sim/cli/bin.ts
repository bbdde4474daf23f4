#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { main } from './main.js';

/**
 * Long runs and benchmarks allocate fast and keep a large heap (every
 * soft-deleted row stays, as in Cinder's database).  Node's defaults then
 * spend a fifth of the time in young-generation collections and let the
 * heap grow far past what is live.  `run` and `bench` therefore start a
 * child Node with 64 MB semi-spaces (a young generation of about 192 MB)
 * and a 1,536 MB old space, unless the user chose heap flags (NODE_OPTIONS
 * or node's own arguments).  128 MB semi-spaces cost the same CPU on the
 * 1M-request bench and about 130 MB more peak RSS.
 */
const HEAP_FLAGS = ['--max-semi-space-size=64', '--max-old-space-size=1536'];
const HEAVY = new Set(['run', 'bench', 'sweep', 'shrink']);

function chosenHeap(): boolean {
  const flags = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join(' ');
  return process.env['CINDER_SIM_CHILD'] === '1' || /max-old-space-size|max-semi-space-size/.test(flags);
}

/**
 * A reader that goes away (`cinder-sim schedule case.json | head -1`) is
 * not an error of ours: the output nobody reads is dropped, without a
 * word, and the command ends as it would have (a streaming command stops
 * early), with its own exit code.  Node reports the closed pipe as an
 * 'error' event (EPIPE) on the stream some time after the write that met
 * it; without a listener that event is an uncaught exception.
 */
const closed = new Set<NodeJS.WriteStream>();
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed.add(stream);
  });
}

function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (closed.has(stream) || !stream.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/**
 * A live run keeps no large heap, and must itself receive SIGINT and
 * SIGTERM (to remove its real backends) and be the process a SIGKILL ends:
 * it runs in this process.
 */
const live = process.argv.slice(2).includes('--live');

if (HEAVY.has(process.argv[2] ?? '') && !chosenHeap() && !live) {
  const child = spawnSync(process.execPath, [...HEAP_FLAGS, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, CINDER_SIM_CHILD: '1' },
  });
  if (child.error) process.stderr.write(`cinder-sim: could not start ${process.execPath}: ${child.error.message}\n`);
  process.exitCode = child.status ?? (child.signal ? 128 + (constants.signals[child.signal] ?? 0) : 70);
} else {
  const code = await main(process.argv.slice(2), {
    stdout: (t) => {
      if (!closed.has(process.stdout)) process.stdout.write(t);
    },
    stderr: (t) => {
      if (!closed.has(process.stderr)) process.stderr.write(t);
    },
    cwd: process.cwd(),
    isTty: Boolean(process.stdout.isTTY),
    ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
    stdoutClosed: () => closed.has(process.stdout),
    drain: () => drained(process.stdout),
  });
  process.exitCode = code;
}
