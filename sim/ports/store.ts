/**
 * The Cinder database.  Rows carry `created_at` / `updated_at` stamped by
 * the writing node's own wall clock, as SQLAlchemy's client-side defaults
 * do in Cinder; a port bound to a node stamps with that node's clock.
 */
export interface Row {
  id: string;
  /** Wall-clock ms of the writer at insert. */
  created_at: number;
  /** Wall-clock ms of the writer at the last update. */
  updated_at: number;
  deleted: boolean;
}

export type NewRow<T extends Row> = Omit<T, 'created_at' | 'updated_at' | 'deleted'> &
  Partial<Pick<T, 'created_at' | 'updated_at' | 'deleted'>>;

export interface Table<T extends Row> {
  readonly name: string;
  /** Changes with every write to the table (through any port), so readers can keep derived views. */
  readonly version: number;
  get(id: string): T | undefined;
  /** Rows that are not soft-deleted, in insertion order. */
  list(pred?: (row: T) => boolean): T[];
  insert(row: NewRow<T>): T;
  /** Apply `changes` and stamp `updated_at` (unless `stamp` is false, as Cinder does for some writes). */
  update(id: string, changes: Partial<T>, opts?: { stamp?: boolean }): T;
  /** Soft delete, as Cinder does. */
  softDelete(id: string): void;
}

export interface Store {
  table<T extends Row>(name: string): Table<T>;
}
