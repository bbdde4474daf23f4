import { performance } from 'node:perf_hooks';
import type { CliIo } from '../io.js';

const EVERY_MS = 200;
const WIDTH = 24;

/** Whole seconds of wall time in a short form: 75 -> "1m15s". */
function seconds(s: number): string {
  const t = Math.max(0, Math.round(s));
  return t >= 60 ? `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s` : `${t}s`;
}

/**
 * A `\r`-rewritten progress bar for a terminal: runs done of total, runs
 * per second of wall time, time left.  Nothing at all when stdout is not a
 * terminal (logs and pipes stay clean).
 */
export function progressBar(io: CliIo, total: number): { update: (done: number) => void; clear: () => void } {
  if (!io.isTty) return { update: () => {}, clear: () => {} };
  const t0 = performance.now();
  let last = -Infinity;
  let shown = false;
  return {
    update(done) {
      const now = performance.now();
      if (done < total && now - last < EVERY_MS) return;
      last = now;
      shown = true;
      const elapsed = (now - t0) / 1000;
      const rate = elapsed > 0 ? done / elapsed : 0;
      const filled = Math.round((WIDTH * done) / total);
      const eta = rate > 0 ? seconds((total - done) / rate) : '?';
      io.stdout(`\r[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${total} runs  ${rate.toFixed(2)} runs/s  ETA ${eta}   `);
    },
    clear() {
      if (shown) io.stdout('\r' + ' '.repeat(WIDTH + 60) + '\r');
    },
  };
}
