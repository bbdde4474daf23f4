import type { Clock } from '../ports/clock.js';
import type { NewRow, Row, Store, Table } from '../ports/store.js';
import { EngineMisuse } from './errors.js';

/**
 * The simulated Cinder database: one shared set of tables; each node sees it
 * through a `Store` port that stamps `created_at` / `updated_at` with that
 * node's own wall clock, as SQLAlchemy's client-side defaults do.
 */
export class SimDatabase {
  private readonly tables = new Map<string, Map<string, Row>>();

  rows(name: string): Map<string, Row> {
    let t = this.tables.get(name);
    if (!t) {
      t = new Map();
      this.tables.set(name, t);
    }
    return t;
  }

  /** A port whose writes are stamped by `clock`. */
  port(clock: Clock): Store {
    return { table: <T extends Row>(name: string) => new ClockedTable<T>(name, this.rows(name) as Map<string, T>, clock) };
  }

  /** Every table's rows, for outcome files and invariant checks. */
  dump(): Record<string, Row[]> {
    const out: Record<string, Row[]> = {};
    for (const [name, rows] of [...this.tables].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[name] = [...rows.values()];
    return out;
  }
}

class ClockedTable<T extends Row> implements Table<T> {
  constructor(
    readonly name: string,
    private readonly rows: Map<string, T>,
    private readonly clock: Clock,
  ) {}

  get(id: string): T | undefined {
    return this.rows.get(id);
  }

  list(pred?: (row: T) => boolean): T[] {
    const out: T[] = [];
    for (const r of this.rows.values()) if (!r.deleted && (!pred || pred(r))) out.push(r);
    return out;
  }

  insert(row: NewRow<T>): T {
    if (this.rows.has(row.id)) throw new EngineMisuse(`table ${this.name}.insert`, `duplicate id '${row.id}'`);
    const now = this.clock.wallNow();
    const full = { created_at: now, updated_at: now, deleted: false, ...row } as T;
    this.rows.set(full.id, full);
    return full;
  }

  update(id: string, changes: Partial<T>, opts: { stamp?: boolean } = {}): T {
    const row = this.rows.get(id);
    if (!row) throw new EngineMisuse(`table ${this.name}.update`, `no row with id '${id}'`);
    Object.assign(row, changes);
    if (opts.stamp !== false) row.updated_at = this.clock.wallNow();
    return row;
  }

  softDelete(id: string): void {
    this.update(id, { deleted: true } as Partial<T>);
  }
}
