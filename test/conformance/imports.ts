import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The import graph of the source tree, read off the source text, and the
 * rooms with their allowed directions, read off docs/architecture.md.  Pure
 * helpers: the architecture test feeds them the real tree and small made-up
 * graphs (so the checks themselves are tested).
 */
export const root = resolve(import.meta.dirname, '../..');

export function tsFiles(dir: string): string[] {
  const abs = join(root, dir);
  let entries: string[];
  try {
    entries = readdirSync(abs);
  } catch {
    return [];
  }
  return entries.sort().flatMap((e) => {
    const p = join(dir, e);
    if (statSync(join(root, p)).isDirectory()) return tsFiles(p);
    return e.endsWith('.ts') ? [p] : [];
  });
}

export interface ImportEdge {
  /** Project-relative target file, `.ts` (the `.js` of the import specifier mapped back). */
  target: string;
  /** Erased at compile time: `import type`, `export type`, or only `type` names in the braces. */
  typeOnly: boolean;
}

const importRe =
  /^\s*(import|export)\s+(type\s+)?(?:([\s\S]*?)\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/gm;

/** The relative imports of one file's source text. */
export function importsIn(file: string, src: string): ImportEdge[] {
  const out: ImportEdge[] = [];
  for (const m of src.matchAll(importRe)) {
    const spec = m[4] ?? m[5]!;
    const clause = (m[3] ?? '').trim();
    const namesOnlyTypes =
      /^\{[\s\S]*\}$/.test(clause) &&
      clause
        .slice(1, -1)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
        .every((s) => s.startsWith('type '));
    const typeOnly = m[5] === undefined && (m[2] !== undefined || namesOnlyTypes);
    const target = relative(root, resolve(join(root, dirname(file)), spec)).replace(/\.js$/, '.ts');
    out.push({ target, typeOnly });
  }
  return out;
}

export type Graph = ReadonlyMap<string, readonly string[]>;

/** file -> files it imports (value imports only unless `withTypes`). */
export function fileGraph(files: readonly string[], withTypes: boolean): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of files) {
    const edges = importsIn(f, readFileSync(join(root, f), 'utf8'));
    g.set(f, [...new Set(edges.filter((e) => withTypes || !e.typeOnly).map((e) => e.target))]);
  }
  return g;
}

/** Strongly connected components with more than one member, or a member importing itself. */
export function cycles(g: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (g.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of [...g.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

export interface Room {
  /** A directory (`sim/cinder/scheduler`) or the loose files of one (`sim/cinder/*.ts`). */
  name: string;
  mayImport: readonly string[];
}

/**
 * The rooms table of docs/architecture.md: the rows of the first Markdown
 * table after the heading "Rooms and import directions", with the room in
 * the first column and the rooms it may import, in backticks, in the last.
 */
export function roomsFromDoc(markdown: string): Room[] {
  const at = markdown.search(/^#+\s*Rooms and import directions/m);
  if (at < 0) throw new Error('docs/architecture.md has no "Rooms and import directions" section');
  const rows = markdown
    .slice(at)
    .split('\n')
    .filter((l) => l.startsWith('|'));
  const rooms: Room[] = [];
  for (const row of rows.slice(2)) {
    const cells = row.split('|').slice(1, -1).map((c) => c.trim());
    const name = /`([^`]+)`/.exec(cells[0] ?? '')?.[1];
    if (!name) break;
    const mayImport = [...(cells[cells.length - 1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    rooms.push({ name, mayImport });
  }
  return rooms;
}

/** The room a file lives in: a loose-files room (`dir/*.ts`) or the longest directory room holding it. */
export function roomOf(file: string, rooms: readonly Room[]): string | null {
  const loose = rooms.find((r) => r.name === `${dirname(file)}/*.ts`);
  if (loose) return loose.name;
  let best: string | null = null;
  for (const r of rooms) {
    if (r.name.endsWith('*.ts')) continue;
    if (file.startsWith(r.name + '/') && (best === null || r.name.length > best.length)) best = r.name;
  }
  return best;
}

/** room -> rooms it imports, from a file graph. */
export function roomGraph(g: Graph, rooms: readonly Room[]): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const [f, targets] of g) {
    const a = roomOf(f, rooms);
    if (a === null) continue;
    if (!out.has(a)) out.set(a, new Set());
    for (const t of targets) {
      const b = roomOf(t, rooms);
      if (b !== null && b !== a) out.get(a)!.add(b);
    }
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
}

/** Every import from one room into another that the table does not allow, as "file imports target (room -> room)". */
export function againstDirection(g: Graph, rooms: readonly Room[]): string[] {
  const allowed = new Map(rooms.map((r) => [r.name, new Set(r.mayImport)]));
  const bad: string[] = [];
  for (const [f, targets] of g) {
    const a = roomOf(f, rooms);
    if (a === null) continue;
    for (const t of targets) {
      const b = roomOf(t, rooms);
      if (b === null || b === a || allowed.get(a)?.has(b)) continue;
      bad.push(`${f} imports ${t} (${a} -> ${b})`);
    }
  }
  return bad;
}
