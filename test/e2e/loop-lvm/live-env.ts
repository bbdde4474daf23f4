/**
 * Live runs of the real binary for the host tests: the built-in
 * live-lvm-iscsi scenario rewritten with a node name and a tgtd port of this
 * test process (the VG name and the portal are host-wide), run with its
 * state under a fresh root.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { packageRoot } from '../../../sim/scenario/library.js';
import { testPort } from './host-env.js';

export const bin = join(packageRoot(), 'dist', 'sim', 'cli', 'bin.js');

export interface LiveScenario {
  file: string;
  dir: string;
  node: string;
  port: number;
  /** The loop-lvm instance of its backend (`<node>_lvm`) and its VG. */
  instance: string;
  vg: string;
}

/**
 * The built-in live scenario for test slot `k`, in a new directory under
 * `parent`, edited by `edit` (text in, text out) after the node name and
 * port are made this process's own.
 */
export function liveScenario(parent: string, k: number, edit: (yaml: string) => string = (y) => y): LiveScenario {
  const dir = mkdtempSync(join(parent, 'scenario-'));
  const node = `n${process.pid}k${k}`;
  const port = testPort(k);
  const text = readFileSync(join(packageRoot(), 'scenarios', 'live', 'live-lvm-iscsi.yaml'), 'utf8').replaceAll('node1', node).replaceAll('3261', String(port));
  const file = join(dir, 'live.yaml');
  writeFileSync(file, edit(text));
  const instance = `${node}_lvm`;
  return { file, dir, node, port, instance, vg: `cinder-sim-${instance}-vg` };
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs cinder-sim to its end with CINDER_SIM_STATE = `root`. */
export async function cli(args: string[], root: string, opts: { prefix?: string[]; env?: Record<string, string> } = {}): Promise<CliResult> {
  const argv = [...(opts.prefix ?? []), process.execPath, bin, ...args];
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, stdin: 'ignore', env: { CINDER_SIM_STATE: root, ...opts.env } });
  return { exitCode: typeof r.exitCode === 'number' ? r.exitCode : -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Starts `run --live` and resolves once it says its real backends are set up (the child in a box: a bare one, a promise itself, would be awaited). */
export async function startLive(file: string, out: string, root: string): Promise<{ child: ResultPromise; stderr: () => string }> {
  const p = execa(process.execPath, [bin, 'run', '--live', file, '--out', out], {
    reject: false,
    buffer: false,
    stdin: 'ignore',
    env: { CINDER_SIM_STATE: root },
    // execa follows a kill() with SIGKILL after 5 s by default; the run's own teardown may take longer on a loaded machine.
    forceKillAfterDelay: false,
  });
  // Read as it comes: an unread pipe never ends, and the child's end would never be seen.
  let stderr = '';
  p.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    p.stdout?.on('data', (b: Buffer) => {
      seen += b.toString();
      if (seen.includes('real backends set up')) resolve();
    });
    p.then((r) => reject(new Error(`run --live exited ${String(r.exitCode)} before starting`)), reject);
    setTimeout(() => reject(new Error('run --live did not start within 60 s')), 60_000).unref();
  });
  return { child: p, stderr: () => stderr };
}

/** The scenario with its volume left exported for a minute (detach and what follows come at 60 s and later). */
export const keepExported = (y: string): string => y.replace('{at: 11s, id: detach', '{at: 60s, id: detach').replace('{at: 12s,', '{at: 61s,').replace('{at: 14s,', '{at: 62s,');

/** Waits until `ok()` holds (polling), or fails after `ms`. */
export async function until(ok: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
