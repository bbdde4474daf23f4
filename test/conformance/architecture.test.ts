import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** ARCHITECTURE.md's dependency direction and determinism rules, read off the source text. */
const root = resolve(import.meta.dirname, '../..');

function tsFiles(dir: string): string[] {
  const abs = join(root, dir);
  let entries: string[];
  try {
    entries = readdirSync(abs);
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = join(abs, e);
    if (statSync(p).isDirectory()) return tsFiles(join(dir, e));
    return e.endsWith('.ts') ? [join(dir, e)] : [];
  });
}

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Project-relative directories imported by a file (relative imports only). */
function importsOf(file: string): string[] {
  const src = readFileSync(join(root, file), 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2]!;
    out.push(relative(root, resolve(join(root, dirname(file)), spec)));
  }
  return out;
}

const banned: [string, RegExp][] = [
  ['Date', /\bDate\s*[.(]|\bnew\s+Date\b/],
  ['Math.random', /\bMath\.random\b/],
  ['setTimeout', /\bsetTimeout\b/],
  ['setInterval', /\bsetInterval\b/],
  ['performance.now', /\bperformance\.now\b/],
  ['process.hrtime', /\bprocess\.hrtime\b/],
];

describe('determinism: no ambient time or randomness in simulated code', () => {
  const files = ['sim/cinder', 'sim/engine', 'sim/harness', 'sim/scenario', 'drivers/fake'].flatMap(tsFiles);
  it('finds the simulated code', () => {
    expect(files.length).toBeGreaterThan(5);
  });
  it('uses none of Date, Math.random, setTimeout, setInterval, performance.now, process.hrtime', () => {
    const violations = files.flatMap((f) => {
      const src = stripComments(readFileSync(join(root, f), 'utf8'));
      return banned.filter(([, re]) => re.test(src)).map(([name]) => `${f}: ${name}`);
    });
    expect(violations).toEqual([]);
  });
  it('the check itself catches a violation', () => {
    expect(banned.some(([, re]) => re.test(stripComments('const t = Date.now();')))).toBe(true);
    expect(banned.some(([, re]) => re.test(stripComments('// Date.now() is banned'))) ).toBe(false);
  });
});

describe('dependency direction', () => {
  const rule = (dirs: string[], forbidden: string[]) =>
    dirs.flatMap(tsFiles).flatMap((f) =>
      importsOf(f)
        .filter((target) => forbidden.some((x) => target === x || target.startsWith(x + '/')))
        .map((target) => `${f} imports ${target}`),
    );
  it('sim/cinder and drivers import only ports and their own code', () => {
    expect(rule(['sim/cinder', 'drivers'], ['sim/engine', 'sim/live', 'sim/scenario', 'sim/cli', 'reports'])).toEqual([]);
  });
  it('sim/engine is a generic discrete-event core: it imports no Cinder code and no harness', () => {
    expect(rule(['sim/engine'], ['sim/cinder', 'drivers', 'sim/harness', 'sim/scenario', 'sim/live', 'sim/cli', 'reports'])).toEqual([]);
  });
  it('the harness is imported by the scenario side, never by cinder, engine or drivers', () => {
    expect(rule(['sim/cinder', 'sim/engine', 'drivers'], ['sim/harness'])).toEqual([]);
    expect(rule(['sim/harness'], ['sim/scenario', 'sim/cli', 'sim/live', 'reports'])).toEqual([]);
  });
  it('reports import no service code', () => {
    expect(rule(['reports'], ['sim/cinder', 'drivers', 'sim/engine', 'sim/live'])).toEqual([]);
  });
  it('ports import nothing but ports', () => {
    expect(rule(['sim/ports'], ['sim/engine', 'sim/live', 'sim/scenario', 'sim/cli', 'sim/cinder', 'drivers', 'reports'])).toEqual([]);
  });
  it('the import reader sees relative imports', () => {
    expect(importsOf('sim/engine/world.ts')).toContain('sim/engine/simulation.js');
  });
});
