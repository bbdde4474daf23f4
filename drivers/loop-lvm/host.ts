import { readdirSync } from 'node:fs';
import { cleanup, type CleanupReport } from './cleanup.js';
import type { CommandRunner } from './runner.js';

function listDirs(root: string): string[] {
  try {
    return readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}

/** `cleanup` on this host: instance directories are listed from the state root. */
export function cleanupHost(runner: CommandRunner, root: string, instance?: string): Promise<CleanupReport> {
  return cleanup(runner, { root, ...(instance === undefined ? {} : { instance }), listDirs: () => listDirs(root) });
}
