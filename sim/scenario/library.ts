import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the nearest directory above this module with cinder-sim's package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'cinder-sim') return dir;
      } catch {
        // not ours; keep climbing
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cinder-sim: cannot find the package root (package.json) above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** The built-in scenario library directory. */
export function libraryDir(): string {
  return join(packageRoot(), 'scenarios');
}

/** Built-in scenario files (absolute paths), sorted by name. */
export function libraryFiles(): string[] {
  return scenarioFilesIn(libraryDir());
}

/** The built-in live scenarios (real backends: `cinder-sim run --live`), kept apart: the default library stays simulated. */
export function liveLibraryDir(): string {
  return join(libraryDir(), 'live');
}

export function liveLibraryFiles(): string[] {
  return scenarioFilesIn(liveLibraryDir());
}

function scenarioFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}
