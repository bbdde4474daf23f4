/**
 * This host's process table, read from /proc: how cleanup finds our tgtd
 * (a tgtd process whose TGT_IPC_SOCKET lies in our state directory) after a
 * crash left no one to remember its pid.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  comm: string;
  /** 'Z' for a zombie: dead, waiting to be reaped; it holds nothing. */
  state: string;
  env: Record<string, string>;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function procInfo(pid: number): ProcInfo | null {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  const m = /^\d+ \((.*)\) (\S)/.exec(stat);
  if (!m) return null;
  const env: Record<string, string> = {};
  for (const kv of (read(`/proc/${pid}/environ`) ?? '').split('\0')) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return { pid, comm: m[1]!, state: m[2]!, env };
}

/** Live (not zombie) processes named `comm`. */
export function processesNamed(comm: string): ProcInfo[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => procInfo(Number(d)))
    .filter((p): p is ProcInfo => p !== null && p.comm === comm && p.state !== 'Z');
}

export function isAlive(pid: number): boolean {
  const p = procInfo(pid);
  return p !== null && p.state !== 'Z';
}
