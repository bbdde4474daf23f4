import type { BackupDriver, BackupDriverName, BackupDriverResult, BackupRef } from '../../sim/ports/backup-driver.js';
import type { Rng } from '../../sim/ports/rng.js';

/**
 * Simulated backup targets for the drivers Cinder 2023.1 ships, with
 * plausible defaults: capacity of the target and sustained throughput, so
 * a backup takes time in proportion to the data it moves.
 */
export const backupTargets = {
  ceph: { serviceClass: 'cinder.backup.drivers.ceph.CephBackupDriver', capacityGb: 100_000, throughputMBps: 400 },
  gcs: { serviceClass: 'cinder.backup.drivers.gcs.GoogleBackupDriver', capacityGb: 1_000_000, throughputMBps: 100 },
  glusterfs: { serviceClass: 'cinder.backup.drivers.glusterfs.GlusterfsBackupDriver', capacityGb: 50_000, throughputMBps: 200 },
  nfs: { serviceClass: 'cinder.backup.drivers.nfs.NFSBackupDriver', capacityGb: 20_000, throughputMBps: 150 },
  posix: { serviceClass: 'cinder.backup.drivers.posix.PosixBackupDriver', capacityGb: 10_000, throughputMBps: 250 },
  s3: { serviceClass: 'cinder.backup.drivers.s3.S3BackupDriver', capacityGb: 1_000_000, throughputMBps: 120 },
  swift: { serviceClass: 'cinder.backup.drivers.swift.SwiftBackupDriver', capacityGb: 1_000_000, throughputMBps: 100 },
} as const satisfies Record<BackupDriverName, { serviceClass: string; capacityGb: number; throughputMBps: number }>;

export type BackupTargetName = keyof typeof backupTargets;

export interface FakeBackupOptions {
  capacityGb?: number;
  throughputMBps?: number;
  /** Share of a volume an incremental backup copies, percent. */
  incrementalChangePercent?: number;
  failureProbability?: number;
}

/** A backup target: stored objects per backup id, capacity, throughput, failure. */
export class FakeBackupDriver implements BackupDriver {
  readonly serviceClass: string;
  private readonly capacityGb: number;
  private readonly throughputMBps: number;
  private readonly changePercent: number;
  private readonly failureProbability: number;
  private readonly stored = new Map<string, number>();
  private failed = false;

  constructor(
    readonly driverName: BackupTargetName,
    private readonly rng: Rng,
    opts: FakeBackupOptions = {},
  ) {
    const t = backupTargets[driverName];
    this.serviceClass = t.serviceClass;
    this.capacityGb = opts.capacityGb ?? t.capacityGb;
    this.throughputMBps = opts.throughputMBps ?? t.throughputMBps;
    this.changePercent = opts.incrementalChangePercent ?? 10;
    this.failureProbability = opts.failureProbability ?? 0;
  }

  get initialized(): boolean {
    return !this.failed;
  }

  failTarget(): void {
    this.failed = true;
  }

  recoverTarget(): void {
    this.failed = false;
  }

  private transferMs(gb: number): number {
    return Math.round(((gb * 1024) / this.throughputMBps) * 1000);
  }

  private injected(): boolean {
    return this.failureProbability > 0 && this.rng.chance(this.failureProbability);
  }

  backup(ref: BackupRef): BackupDriverResult<void> {
    const gb = ref.incremental ? (ref.sizeGb * this.changePercent) / 100 : ref.sizeGb;
    const latencyMs = this.transferMs(gb);
    if (this.failed) return { ok: false, message: `${this.driverName} backup target is not reachable`, latencyMs: 0 };
    const used = this.usage().usedGb;
    if (used + gb > this.capacityGb) {
      return { ok: false, message: `${this.driverName} backup target is full: ${gb} GB needed, ${Math.max(0, this.capacityGb - used)} GB free`, latencyMs };
    }
    if (this.injected()) return { ok: false, message: `injected failure writing backup ${ref.id}`, latencyMs };
    this.stored.set(ref.id, gb);
    return { ok: true, value: undefined, latencyMs };
  }

  restore(backupId: string, sizeGb: number): BackupDriverResult<void> {
    const latencyMs = this.transferMs(sizeGb);
    if (this.failed) return { ok: false, message: `${this.driverName} backup target is not reachable`, latencyMs: 0 };
    if (!this.stored.has(backupId)) return { ok: false, message: `Backup ${backupId} could not be found.`, latencyMs: 0 };
    if (this.injected()) return { ok: false, message: `injected failure reading backup ${backupId}`, latencyMs };
    return { ok: true, value: undefined, latencyMs };
  }

  delete(backupId: string): BackupDriverResult<void> {
    if (this.failed) return { ok: false, message: `${this.driverName} backup target is not reachable`, latencyMs: 0 };
    this.stored.delete(backupId);
    return { ok: true, value: undefined, latencyMs: 100 };
  }

  /** Whether the target holds the data of `backupId`. */
  has(backupId: string): boolean {
    return this.stored.has(backupId);
  }

  usage(): { usedGb: number; capacityGb: number } {
    let used = 0;
    for (const gb of this.stored.values()) used += gb;
    return { usedGb: used, capacityGb: this.capacityGb };
  }
}
