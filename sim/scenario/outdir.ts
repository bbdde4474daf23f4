import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file that marks a directory as cinder-sim's output, so a rerun may overwrite it. */
export const OUT_MARKER = '.cinder-sim-out';

export type OutDirCheck = { ok: true } | { ok: false; reason: string };

/**
 * May a run write into `dir`?  Yes when it does not exist, is empty, or
 * carries the marker of an earlier run; never a user's own directory.
 */
export function checkOutDir(dir: string): OutDirCheck {
  if (!existsSync(dir)) return { ok: true };
  if (!statSync(dir).isDirectory()) return { ok: false, reason: 'it exists and is not a directory' };
  const entries = readdirSync(dir);
  if (entries.length === 0 || entries.includes(OUT_MARKER)) return { ok: true };
  return { ok: false, reason: `it exists, is not empty and was not made by cinder-sim (no ${OUT_MARKER} file in it)` };
}

export function prepareOutDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, OUT_MARKER), 'This directory holds cinder-sim run outputs; cinder-sim may overwrite it.\n');
}
