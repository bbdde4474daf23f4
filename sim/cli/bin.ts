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
 * child Node with a 128 MB young generation and a 1,536 MB old one, unless
 * the user chose heap flags (NODE_OPTIONS or node's own arguments).
 */
const HEAP_FLAGS = ['--max-semi-space-size=128', '--max-old-space-size=1536'];
const HEAVY = new Set(['run', 'bench']);

function chosenHeap(): boolean {
  const flags = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join(' ');
  return process.env['CINDER_SIM_CHILD'] === '1' || /max-old-space-size|max-semi-space-size/.test(flags);
}

if (HEAVY.has(process.argv[2] ?? '') && !chosenHeap()) {
  const child = spawnSync(process.execPath, [...HEAP_FLAGS, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, CINDER_SIM_CHILD: '1' },
  });
  if (child.error) process.stderr.write(`cinder-sim: could not start ${process.execPath}: ${child.error.message}\n`);
  process.exitCode = child.status ?? (child.signal ? 128 + (constants.signals[child.signal] ?? 0) : 70);
} else {
  const code = await main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    isTty: Boolean(process.stdout.isTTY),
  });
  process.exitCode = code;
}
