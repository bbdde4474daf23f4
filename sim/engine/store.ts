import type { Clock } from '../ports/clock.js';
import type { NewRow, Row, Store, Table } from '../ports/store.js';
import { EngineMisuse } from './errors.js';

/**
 * The simulated Cinder database: one shared set of tables; each node sees it
 * through a `Store` port that stamps `created_at` / `updated_at` with that
 * node's own wall clock, as SQLAlchemy's client-side defaults do.
 */
export class SimDatabase {
  private readonly tables = new Map<string, TableData<Row>>();

  private data(name: string): TableData<Row> {
    let t = this.tables.get(name);
    if (!t) {
      t = { all: new Map(), live: new Map(), version: 0 };
      this.tables.set(name, t);
    }
    return t;
  }

  /** Every row of a table, soft-deleted ones included, in insertion order (read-only use). */
  rows(name: string): Map<string, Row> {
    return this.data(name).all;
  }

  /** A port whose writes are stamped by `clock`. */
  port(clock: Clock): Store {
    return { table: <T extends Row>(name: string) => new ClockedTable<T>(name, this.data(name) as unknown as TableData<T>, clock) };
  }

  /** Every table's rows, for outcome files and invariant checks. */
  dump(): Record<string, Row[]> {
    const out: Record<string, Row[]> = {};
    for (const [name, t] of [...this.tables].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[name] = [...t.all.values()];
    return out;
  }
}

/**
 * One table: every row ever inserted (Cinder soft-deletes), and the rows not
 * deleted in the same order, so that listing a table that has seen a year
 * of deletes costs what its live rows cost.
 */
interface TableData<T extends Row> {
  all: Map<string, T>;
  live: Map<string, T>;
  version: number;
}

class ClockedTable<T extends Row> implements Table<T> {
  constructor(
    readonly name: string,
    private readonly t: TableData<T>,
    private readonly clock: Clock,
  ) {}

  get version(): number {
    return this.t.version;
  }

  get(id: string): T | undefined {
    return this.t.all.get(id);
  }

  list(pred?: (row: T) => boolean): T[] {
    const out: T[] = [];
    for (const r of this.t.live.values()) if (!pred || pred(r)) out.push(r);
    return out;
  }

  insert(row: NewRow<T>): T {
    const t = this.t;
    if (t.all.has(row.id)) throw new EngineMisuse(`table ${this.name}.insert`, `duplicate id '${row.id}'`);
    const now = this.clock.wallNow();
    // A spread, not Object.assign onto the literal: assigning a row's two dozen fields one by one
    // leaves V8 a dictionary-mode object (about three times the memory, for every row ever inserted).
    const full = { created_at: now, updated_at: now, deleted: false, ...row } as T;
    t.all.set(full.id, full);
    if (!full.deleted) t.live.set(full.id, full);
    t.version++;
    return full;
  }

  update(id: string, changes: Partial<T>, opts: { stamp?: boolean } = {}): T {
    const t = this.t;
    const row = t.all.get(id);
    if (!row) throw new EngineMisuse(`table ${this.name}.update`, `no row with id '${id}'`);
    const wasDeleted = row.deleted;
    Object.assign(row, changes);
    if (opts.stamp !== false) row.updated_at = this.clock.wallNow();
    t.version++;
    if (row.deleted && !wasDeleted) t.live.delete(id);
    else if (!row.deleted && wasDeleted) {
      // Undeleting keeps insertion order: rebuild the live view.
      t.live.clear();
      for (const r of t.all.values()) if (!r.deleted) t.live.set(r.id, r);
    }
    return row;
  }

  softDelete(id: string): void {
    this.update(id, { deleted: true } as Partial<T>);
  }
}
