import type { Clock } from '../../../ports/clock.js';
import type { Table } from '../../../ports/store.js';
import type { ServiceRow } from '../../db/index.js';
import { isServiceUp, type ServiceDirectory } from '../../service/index.js';
import type { ServiceInfo } from '../host-manager.js';

/**
 * The cinder-volume rows as the scheduler sees them, kept between calls:
 * the same array (and the same row objects) while no row was written, no
 * clock replanned, no heartbeat started or stopped and no up/down
 * judgement can have changed yet, so that the host manager sees nothing
 * changed.  Liveness is judged by the scheduler's own clock, one-sidedly.
 */
export class ServiceView {
  private readonly infoCache = new Map<string, ServiceInfo>();
  private infosCache: { infos: ServiceInfo[]; tableVersion: number; clockEpoch: number; beatEpoch: number; recheckAtMono: number } | null = null;
  /** Per host judged down: the virtual time this view first judged it so (dropped when judged up again). */
  private readonly downSeen = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly directory: ServiceDirectory,
    /** The effective service_down_time, ms. */
    private readonly downMs: number,
    /** A row whose judgement or fields changed: its reports may change a decision again. */
    private readonly onRowChanged: (host: string) => void,
  ) {}

  /** A restarted scheduler keeps nothing. */
  clear(): void {
    this.infoCache.clear();
    this.infosCache = null;
    this.downSeen.clear();
  }

  /** The cinder-volume rows of `table` now, DB order. */
  infos(table: Table<ServiceRow>): ServiceInfo[] {
    const nowMono = this.clock.monoNow();
    const clockEpoch = this.directory.clockEpoch();
    const c = this.infosCache;
    if (c !== null && c.tableVersion === table.version && c.clockEpoch === clockEpoch && c.beatEpoch === this.directory.beatEpoch && nowMono < c.recheckAtMono) return c.infos;
    const downMs = this.downMs;
    const now = this.clock.wallNow();
    let recheckAtMono = Infinity;
    const infos = table
      .list((s) => s.binary === 'cinder-volume')
      .map((s) => {
        const updated = this.directory.updatedAt(s);
        const up = isServiceUp(updated, now, downMs);
        const settled = this.settledUntil(s, updated, up, nowMono, now, downMs);
        if (settled < recheckAtMono) recheckAtMono = settled;
        if (!up && !this.downSeen.has(s.host)) this.downSeen.set(s.host, nowMono);
        else if (up) this.downSeen.delete(s.host);
        const prev = this.infoCache.get(s.host);
        if (prev && prev.up === up && prev.disabled === s.disabled && prev.frozen === s.frozen && prev.availability_zone === s.availability_zone) return prev;
        this.onRowChanged(s.host);
        const info = { host: s.host, availability_zone: s.availability_zone, disabled: s.disabled, frozen: s.frozen, up };
        this.infoCache.set(s.host, info);
        return info;
      });
    this.infosCache = { infos, tableVersion: table.version, clockEpoch, beatEpoch: this.directory.beatEpoch, recheckAtMono };
    return infos;
  }

  /** The virtual time this view first judged `host` down (still down since), or null. */
  downSince(host: string): number | null {
    return this.downSeen.get(host) ?? null;
  }

  /**
   * Until when (virtual time) this service's up/down judgement cannot
   * change while its row, its heartbeat's running and every clock's plan
   * stay as they are: bounded by how fast the two clocks can close the
   * margin.  `nowMono` (decide again at the next call) when unsure.
   */
  private settledUntil(s: ServiceRow, updatedWall: number | null, up: boolean, nowMono: number, nowWall: number, downMs: number): number {
    const mine = this.clock.rateRange?.(nowMono);
    if (!mine) return nowMono;
    const beat = this.directory.heartbeatSource(s.id)?.beat?.() ?? null;
    if (beat === null) {
      // No heartbeat is coming: down stays down while this clock does not run back.
      if (!up) return mine.min >= 0 ? Infinity : nowMono;
      const margin = updatedWall! - (nowWall - downMs) - 1;
      if (margin <= 0) return nowMono;
      return mine.max <= 0 ? Infinity : nowMono + margin / mine.max;
    }
    const theirs = beat.clock.rateRange?.(nowMono - beat.periodMs);
    if (!theirs || theirs.min < 0 || beat.lastTickMono === null) return nowMono;
    if (up) {
      // While it runs, a heartbeat is never older than one period: updated >= their wall at (t - period).
      const margin = beat.clock.wallAt(nowMono - beat.periodMs) - (nowWall - downMs) - 1;
      if (margin <= 0) return nowMono;
      const closing = mine.max - theirs.min;
      return closing <= 0 ? Infinity : nowMono + margin / closing;
    }
    // Judged down although beating (its clock is behind): updated <= their wall now.
    const margin = nowWall - downMs - beat.clock.wallAt(nowMono) - 1;
    if (margin <= 0) return nowMono;
    const closing = theirs.max - mine.min;
    return closing <= 0 ? Infinity : nowMono + margin / closing;
  }
}
