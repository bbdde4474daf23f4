/**
 * The event queue: a binary min-heap ordered by (time, insertion sequence),
 * a total order, kept in parallel typed arrays so a push or pop allocates
 * nothing.  Cancellation is lazy: a cancelled sequence number is skipped
 * when it reaches the top.
 */
export type EventFn = () => void;

export class EventQueue {
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private fns: (EventFn | undefined)[] = new Array<EventFn | undefined>(1024);
  private n = 0;
  private nextSeq = 0;
  private readonly cancelled = new Set<number>();

  /** Live events queued (O(n) when cancellations are pending; for reports, not hot paths). */
  get size(): number {
    if (this.cancelled.size === 0) return this.n;
    let live = 0;
    for (let i = 0; i < this.n; i++) if (!this.cancelled.has(this.seqs[i]!)) live++;
    return live;
  }

  /** Push an event; returns its sequence number (the cancel handle). */
  push(time: number, fn: EventFn): number {
    return this.insert(time, this.nextSeq++, fn);
  }

  /**
   * Push an event that runs before every ordinary event at the same time
   * (periodic ticks fall at the start of their millisecond).  Among
   * themselves such events keep insertion order.
   */
  pushFirst(time: number, fn: EventFn): number {
    return this.insert(time, this.nextFirstSeq++, fn);
  }

  private nextFirstSeq = -(2 ** 52);

  private insert(time: number, seq: number, fn: EventFn): number {
    if (this.n === this.times.length) this.grow();
    let i = this.n++;
    const times = this.times;
    const seqs = this.seqs;
    const fns = this.fns;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p]!;
      if (pt < time || (pt === time && seqs[p]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[p]!;
      fns[i] = fns[p];
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    fns[i] = fn;
    return seq;
  }

  cancel(seq: number): void {
    this.cancelled.add(seq);
    // Cancelling an event that already ran leaves a stale entry; prune them
    // when they could outnumber the queue, so memory stays bounded.
    if (this.cancelled.size > 64 && this.cancelled.size > this.n) this.pruneCancelled();
  }

  private pruneCancelled(): void {
    const queued = new Set<number>();
    for (let i = 0; i < this.n; i++) queued.add(this.seqs[i]!);
    for (const seq of this.cancelled) if (!queued.has(seq)) this.cancelled.delete(seq);
  }

  /** Time of the next live event, or Infinity. */
  peekTime(): number {
    this.dropCancelledTop();
    return this.n > 0 ? this.times[0]! : Infinity;
  }

  /**
   * Remove the next live event; returns its function and leaves its time in
   * `lastTime`.  Call only after peekTime() returned a finite time.
   */
  lastTime = 0;
  pop(): EventFn {
    this.dropCancelledTop();
    const fn = this.fns[0]!;
    this.lastTime = this.times[0]!;
    this.removeTop();
    return fn;
  }

  private dropCancelledTop(): void {
    if (this.cancelled.size === 0) return;
    while (this.n > 0 && this.cancelled.delete(this.seqs[0]!)) this.removeTop();
  }

  private removeTop(): void {
    const last = --this.n;
    const times = this.times;
    const seqs = this.seqs;
    const fns = this.fns;
    const t = times[last]!;
    const s = seqs[last]!;
    const f = fns[last];
    fns[last] = undefined;
    if (last === 0) return;
    let i = 0;
    const half = last >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      let ct = times[c]!;
      let cs = seqs[c]!;
      const r = c + 1;
      if (r < last) {
        const rt = times[r]!;
        const rs = seqs[r]!;
        if (rt < ct || (rt === ct && rs < cs)) {
          c = r;
          ct = rt;
          cs = rs;
        }
      }
      if (t < ct || (t === ct && s < cs)) break;
      times[i] = ct;
      seqs[i] = cs;
      fns[i] = fns[c];
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    fns[i] = f;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const t = new Float64Array(cap);
    t.set(this.times);
    this.times = t;
    const s = new Float64Array(cap);
    s.set(this.seqs);
    this.seqs = s;
    this.fns.length = cap;
  }
}
