import type { PoolState } from '../host-manager.js';

/**
 * The pools whose `version` moved, in order, so that a reader holding
 * per-pool results can visit just those.  Positions are absolute; old
 * entries are dropped in bulk, and a reader whose cursor fell behind the
 * first kept entry looks at every pool instead.
 */
export class PoolJournal {
  private entries: PoolState[] = [];
  private base = 0;

  record(pool: PoolState): void {
    if (this.entries.length >= 65_536) {
      this.base += this.entries.length;
      this.entries = [];
    }
    this.entries.push(pool);
  }

  /** The absolute position after the newest entry. */
  get end(): number {
    return this.base + this.entries.length;
  }

  /** Visit the pools recorded from `cursor` on; false (nothing visited) when they are no longer all kept. */
  since(cursor: number, visit: (pool: PoolState) => void): boolean {
    if (cursor < this.base) return false;
    const e = this.entries;
    for (let k = cursor - this.base; k < e.length; k++) visit(e[k]!);
    return true;
  }
}
