import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { againstDirection, cycles, fileGraph, importsIn, root, roomGraph, roomOf, roomsFromDoc, tsFiles, type Room } from './imports.js';

/** The architecture's rules (docs/architecture.md), read off the source text. */

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
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

describe('rooms and import directions (docs/architecture.md)', () => {
  const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const rooms = roomsFromDoc(doc);
  const files = ['sim', 'drivers', 'reports'].flatMap(tsFiles);
  const values = fileGraph(files, false);
  const all = fileGraph(files, true);

  it('the document lists the rooms', () => {
    expect(rooms.map((r) => r.name)).toEqual(expect.arrayContaining(['sim/ports', 'sim/engine', 'sim/cli', 'reports']));
  });
  it('every source file lives in a documented room', () => {
    expect(files.filter((f) => roomOf(f, rooms) === null)).toEqual([]);
  });
  it('every room a row may import is itself a documented room', () => {
    const names = new Set(rooms.map((r) => r.name));
    expect(rooms.flatMap((r) => r.mayImport.filter((m) => !names.has(m)).map((m) => `${r.name} -> ${m}`))).toEqual([]);
  });
  it('no file imports against the documented direction (type imports included)', () => {
    expect(againstDirection(all, rooms)).toEqual([]);
  });
  it('no import cycle between files (value imports)', () => {
    expect(cycles(values)).toEqual([]);
  });
  it('no import cycle between rooms (value imports)', () => {
    expect(cycles(roomGraph(values, rooms))).toEqual([]);
  });
  it('the import reader tells value imports from type-only ones', () => {
    const edges = importsIn('sim/x/a.ts', [
      "import { b } from './b.js';",
      "import type { C } from '../c/c.js';",
      "import { type D, type E } from './d.js';",
      "import { type F, g } from './f.js';",
      "export { h } from './h.js';",
      "export type { I } from './i.js';",
      "import './side-effect.js';",
      "const m = await import('./lazy.js');",
    ].join('\n'));
    expect(edges).toEqual([
      { target: 'sim/x/b.ts', typeOnly: false },
      { target: 'sim/c/c.ts', typeOnly: true },
      { target: 'sim/x/d.ts', typeOnly: true },
      { target: 'sim/x/f.ts', typeOnly: false },
      { target: 'sim/x/h.ts', typeOnly: false },
      { target: 'sim/x/i.ts', typeOnly: true },
      { target: 'sim/x/side-effect.ts', typeOnly: false },
      { target: 'sim/x/lazy.ts', typeOnly: false },
    ]);
  });
  it('the checks catch a cycle and a wrong direction', () => {
    const g = new Map([
      ['a/x.ts', ['b/y.ts']],
      ['b/y.ts', ['b/z.ts']],
      ['b/z.ts', ['a/x.ts']],
      ['c/w.ts', ['c/w.ts']],
    ]);
    expect(cycles(g)).toEqual([['a/x.ts', 'b/y.ts', 'b/z.ts'], ['c/w.ts']]);
    const made: Room[] = [
      { name: 'a', mayImport: ['b'] },
      { name: 'b', mayImport: [] },
      { name: 'c', mayImport: [] },
    ];
    expect(cycles(roomGraph(g, made))).toEqual([['a', 'b']]);
    expect(againstDirection(g, made)).toEqual(['b/z.ts imports a/x.ts (b -> a)']);
    const table = '## Rooms and import directions\n\n| room | owns | may import |\n|---|---|---|\n| `a` | x | `b`, `c` |\n| `b/*.ts` | y | — |\n\nafter';
    expect(roomsFromDoc(table)).toEqual([
      { name: 'a', mayImport: ['b', 'c'] },
      { name: 'b/*.ts', mayImport: [] },
    ]);
    expect(roomOf('b/q.ts', roomsFromDoc(table))).toBe('b/*.ts');
    expect(roomOf('a/deep/q.ts', roomsFromDoc(table))).toBe('a');
  });
});
