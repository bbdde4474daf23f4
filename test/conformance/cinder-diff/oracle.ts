import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { JsonObject } from './generate.js';

/**
 * The real Cinder as an oracle: run_cinder.py decides a batch of cases with
 * the installed python3-cinder.  Which interpreter: $CINDER_PYTHON, else the
 * first of /usr/bin/python3 and python3 that imports Cinder (Debian installs
 * it for the system interpreter, which a pyenv or venv python3 on PATH hides).
 */

const HARNESS = fileURLToPath(new URL('run_cinder.py', import.meta.url));

export type Oracle = { ok: true; python: string; version: string } | { ok: false; reason: string };

export function findOracle(env: NodeJS.ProcessEnv = process.env): Oracle {
  const chosen = env['CINDER_PYTHON'];
  const pythons = chosen ? [chosen] : ['/usr/bin/python3', 'python3'];
  const tried: string[] = [];
  for (const python of pythons) {
    const probe = spawnSync(python, [HARNESS, '--probe'], { encoding: 'utf8', timeout: 60_000 });
    if (probe.status === 0) return { ok: true, python, version: probe.stdout.trim() };
    const why = probe.error ? probe.error.message : lastLine(probe.stderr);
    tried.push(`${python}: ${why}`);
  }
  return {
    ok: false,
    reason: `python3-cinder is not importable (install it with 'apt-get install -y python3-cinder', or point CINDER_PYTHON at a python that has it); tried ${tried.join('; ')}`,
  };
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

/** Cinder's results for the cases, in order (weights that are not finite come back as 'inf' / 'nan'). */
export function runCinder(python: string, cases: readonly JsonObject[]): JsonObject[] {
  // Cinder iterates a frozenset of key names (HostManager._get_updated_pools, REQUIRED_KEYS) and can raise KeyError
  // part-way, so with Python's per-process string hashing its answer varies from run to run: pin the hash seed.
  const env = { ...process.env, PYTHONHASHSEED: '0' };
  const run = spawnSync(python, [HARNESS], { input: JSON.stringify(cases), encoding: 'utf8', env, maxBuffer: 1 << 30, timeout: 600_000 });
  if (run.status !== 0) throw new Error(`run_cinder.py exited with ${String(run.status)}: ${run.error?.message ?? lastLine(run.stderr)}`);
  const out = JSON.parse(run.stdout) as JsonObject[];
  if (out.length !== cases.length) throw new Error(`run_cinder.py answered ${out.length} of ${cases.length} cases`);
  return out;
}
