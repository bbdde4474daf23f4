import type { Rng } from '../../sim/ports/rng.js';
import type {
  ConnectionResult,
  Connector,
  DriverErrorKind,
  DriverResult,
  DriverSnapshotRef,
  DriverVolumeRef,
  PoolStats,
  VolumeDriver,
  VolumeStats,
} from '../../sim/ports/volume-driver.js';
import { resolveLvmType, type LvmFacts } from '../../sim/cinder/config/provisioning.js';
import { fakeBackendSpec, type FakeBackendInput, type FakeBackendSpec, type FakeDriverOptions } from './spec.js';

/** One logical volume (or thin-pool-backed LV) in a pool. */
interface Lv {
  name: string;
  sizeGb: number;
  kind: 'volume' | 'snapshot' | 'foreign';
  /** For snapshots: the origin volume id. */
  originId?: string;
}

interface Pool {
  name: string;
  thin: boolean;
  /** VG size (thick) or thin-pool size (thin), GB. */
  sizeGb: number;
  lvs: Map<string, Lv>;
  /**
   * The LVs' sizes summed while every size is a whole number of GB (then
   * any order of summing gives the same float); oddLvs counts the others,
   * and while any is present the sum is taken LV by LV as before.
   */
  lvGb: number;
  oddLvs: number;
  /** How many of `lvs` are snapshots: a delete looks for busy origins only when some are there. */
  snapshotLvs: number;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
const CHAP_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A fake capacity backend that behaves, and reports, like Cinder's LVM
 * driver (volume/drivers/lvm.py with brick/local_dev/lvm.py) over the same
 * state: thick VGs whose snapshots reserve a full-size COW, thin pools
 * carved from 95 % of the VG, naming, CHAP at attach.  A `pools` list makes
 * it a pooled backend instead.  Capacity can change and the backend can
 * fail during a run; latency and failures come from its Rng.
 */
export class FakeVolumeDriver implements VolumeDriver {
  readonly spec: FakeBackendSpec;
  private pools: Pool[] = [];
  private isInitialized = false;
  private failed = false;
  private nextTid = 1;
  private readonly targets = new Map<string, number>();
  /** Ids of the volumes held, kept with the LVs (invariant checks read it on every request). */
  private readonly volumeIndex = new Set<string>();
  /** The volume group this storage is: the group's volume_group when the driver was first built. */
  private readonly vgName: string;
  private opts: FakeDriverOptions;

  constructor(
    spec: FakeBackendInput,
    /** The backend group's resolved cinder.conf options. */
    options: FakeDriverOptions,
    private readonly rng: Rng,
    /** Hostname for location_info (the service's host without @backend). */
    private readonly hostname: string,
  ) {
    this.spec = fakeBackendSpec.parse(spec);
    this.opts = options;
    this.vgName = options.volume_group;
  }

  /** The backend group's resolved cinder.conf options (changed only by reconfigure). */
  get options(): FakeDriverOptions {
    return this.opts;
  }

  /**
   * The service restarts with its group's options changed in cinder.conf: the
   * same storage (the VG and its LVs) under the new options, and do_setup
   * runs again.  A volume_group naming another VG fails do_setup (that VG
   * does not exist).  A changed pool name (volume_backend_name) is reported
   * from now on; a change between thick and thin rebuilds the pool only
   * while it holds no volume (an LV layout is not converted).
   */
  reconfigure(options: FakeDriverOptions): void {
    this.opts = options;
    this.isInitialized = false;
    if (this.spec.pools || this.pools.length === 0) return;
    const pool = this.pools[0]!;
    if (pool.thin !== (this.lvmType === 'thin') && ![...pool.lvs.values()].some((lv) => lv.kind !== 'foreign')) {
      this.pools = this.buildPools();
      return;
    }
    pool.name = this.backendName;
  }

  get initialized(): boolean {
    return this.isInitialized;
  }

  /** The pool name LVM reports: volume_backend_name, or 'LVM'. */
  get backendName(): string {
    return this.options.volume_backend_name ?? 'LVM';
  }

  /**
   * lvm_type after check_for_setup_error: auto becomes thin where LVM
   * supports it and the VG holds the thin pool already or no LV at all
   * (resolveLvmType, as cinder/volume/drivers/lvm.py decides).
   */
  get lvmType(): 'default' | 'thin' {
    return resolveLvmType(this.options.lvm_type, this.options.volume_group, this.lvmFacts()).effective;
  }

  /** What the LVM driver sees of this VG: before the first setup, only the foreign LVs are there. */
  lvmFacts(): LvmFacts {
    const pool = this.spec.pools ? undefined : this.pools[0];
    const hasLvs = pool === undefined ? this.spec.foreign_lvs_gb > 0 : pool.lvs.size > 0;
    return { thinSupported: this.spec.thin_supported, thinPoolExists: pool?.thin === true, hasLvs };
  }

  doSetup(): DriverResult<void> {
    const s = this.spec;
    if (s.vg_missing || this.failed || this.options.volume_group !== this.vgName) {
      return this.fail('VolumeBackendAPIException', `Volume Group ${this.options.volume_group} does not exist`, 0);
    }
    if (this.options.lvm_type === 'thin' && !s.thin_supported) {
      return this.fail('VolumeBackendAPIException', 'Thin provisioning not supported on this version of LVM.', 0);
    }
    if (this.pools.length === 0) this.pools = this.buildPools();
    this.isInitialized = true;
    return { ok: true, value: undefined, latencyMs: 0 };
  }

  private buildPools(): Pool[] {
    const s = this.spec;
    if (s.pools) return s.pools.map((p) => ({ name: p.pool_name, thin: p.thin, sizeGb: p.size_gb, lvs: new Map(), lvGb: 0, oddLvs: 0, snapshotLvs: 0 }));
    const thin = this.lvmType === 'thin';
    const lvs = new Map<string, Lv>();
    if (s.foreign_lvs_gb > 0) lvs.set('foreign', { name: 'foreign', sizeGb: s.foreign_lvs_gb, kind: 'foreign' });
    // brick's LVM creates <vg>-pool from 95 % of the VG's free space when thin.
    const sizeGb = thin ? round2(0.95 * Math.max(0, s.vg_size_gb - s.foreign_lvs_gb)) : s.vg_size_gb;
    const pool: Pool = { name: this.backendName, thin, sizeGb, lvs: new Map(), lvGb: 0, oddLvs: 0, snapshotLvs: 0 };
    for (const lv of lvs.values()) this.addLv(pool, lv);
    return [pool];
  }

  // ---- faults -------------------------------------------------------------

  /** Grow or shrink the VG (or a named pool) during a run. */
  setCapacity(sizeGb: number, poolName?: string): void {
    const pool = poolName ? this.pools.find((p) => p.name === poolName) : this.pools[0];
    if (pool) pool.sizeGb = pool.thin && !this.spec.pools ? round2(0.95 * Math.max(0, sizeGb - this.spec.foreign_lvs_gb)) : sizeGb;
    if (!poolName && !this.spec.pools) this.spec.vg_size_gb = sizeGb;
  }

  /** The storage is gone: every call fails, stats can no longer be read, data is unreadable. */
  failBackend(): void {
    this.failed = true;
  }

  /** The storage is back (with its data, as after a power cut). */
  recoverBackend(): void {
    this.failed = false;
  }

  get backendFailed(): boolean {
    return this.failed;
  }

  /** A restarted service must run do_setup again. */
  resetInitialized(): void {
    this.isInitialized = false;
  }

  // ---- helpers ------------------------------------------------------------

  private fail(kind: DriverErrorKind, message: string, latencyMs: number): DriverResult<never> {
    return { ok: false, kind, message, latencyMs };
  }

  private latency(gbMoved: number): number {
    const l = this.spec.latency;
    const base = l.base_ms + l.per_gb_ms * gbMoved;
    const f = l.jitter > 0 ? this.rng.uniform(1 - l.jitter, 1 + l.jitter) : 1;
    return Math.max(0, Math.round(base * f));
  }

  /** Pre-flight common to every data-plane call; returns a failure or null. */
  private guard(op: string, latencyMs: number): DriverResult<never> | null {
    if (!this.isInitialized) return this.fail('NotInitialized', `Volume driver ${op}: driver not initialized`, 0);
    if (this.failed) return this.fail('VolumeBackendAPIException', `Bad or unexpected response from the storage volume backend API: ${op} failed: volume group ${this.options.volume_group} is not accessible`, latencyMs);
    const p = this.spec.failure.probability;
    if (p > 0 && this.rng.chance(p)) {
      return this.fail('VolumeBackendAPIException', `Bad or unexpected response from the storage volume backend API: injected failure in ${op}`, latencyMs);
    }
    return null;
  }

  private poolNamed(name: string): Pool | undefined {
    return this.pools.find((p) => p.name === name) ?? (this.pools.length === 1 ? this.pools[0] : undefined);
  }

  private findLv(name: string): { pool: Pool; lv: Lv } | undefined {
    for (const pool of this.pools) {
      const lv = pool.lvs.get(name);
      if (lv) return { pool, lv };
    }
    return undefined;
  }

  /** Space physically taken in a pool, GB: all LVs (thick) or data written (thin). */
  private usedGb(pool: Pool): number {
    if (!pool.thin) return this.lvSumGb(pool);
    // Each volume's data is size x 0 / 100 = 0: no need to visit them.
    if (this.spec.thin_data_percent === 0) return 0;
    let data = 0;
    for (const lv of pool.lvs.values()) if (lv.kind === 'volume') data += (lv.sizeGb * this.spec.thin_data_percent) / 100;
    return data;
  }

  private freeGb(pool: Pool): number {
    return Math.max(0, pool.sizeGb - this.usedGb(pool));
  }

  /** Thick allocations must fit in the VG's free space; thin ones only need the pool not to be full. */
  private fits(pool: Pool, gb: number): boolean {
    return pool.thin ? this.freeGb(pool) > 0 || gb === 0 : this.freeGb(pool) >= gb;
  }

  private noSpace(pool: Pool, gb: number, latencyMs: number): DriverResult<never> {
    return this.fail(
      'VolumeBackendAPIException',
      `Bad or unexpected response from the storage volume backend API: Volume group "${this.options.volume_group}" has insufficient free space (${round2(this.freeGb(pool))}g): ${gb}g required in pool ${pool.name}`,
      latencyMs,
    );
  }

  private static countLv(pool: Pool, sizeGb: number, sign: 1 | -1): void {
    if (Number.isSafeInteger(sizeGb) && sizeGb >= 0) pool.lvGb += sign * sizeGb;
    else pool.oddLvs += sign;
  }

  /** The sum of the pool's LV sizes, as summing them in order gives. */
  private lvSumGb(pool: Pool): number {
    if (pool.oddLvs === 0) return pool.lvGb;
    let sum = 0;
    for (const lv of pool.lvs.values()) sum += lv.sizeGb;
    return sum;
  }

  private addLv(pool: Pool, lv: Lv): void {
    FakeVolumeDriver.countLv(pool, lv.sizeGb, 1);
    pool.lvs.set(lv.name, lv);
    if (lv.kind === 'snapshot') pool.snapshotLvs++;
    if (lv.kind === 'volume') this.volumeIndex.add(lv.name.slice('volume-'.length));
  }

  private removeLv(pool: Pool, lv: Lv): void {
    FakeVolumeDriver.countLv(pool, lv.sizeGb, -1);
    pool.lvs.delete(lv.name);
    if (lv.kind === 'snapshot') pool.snapshotLvs--;
    if (lv.kind === 'volume') this.volumeIndex.delete(lv.name.slice('volume-'.length));
  }

  // ---- data plane -----------------------------------------------------------

  createVolume(volume: DriverVolumeRef): DriverResult<void> {
    const lat = this.latency(0);
    const bad = this.guard('create_volume', lat);
    if (bad) return bad;
    const pool = this.poolNamed(volume.pool);
    if (!pool) return this.fail('VolumeBackendAPIException', `Pool ${volume.pool} does not exist on this backend`, lat);
    if (!this.fits(pool, volume.sizeGb)) return this.noSpace(pool, volume.sizeGb, lat);
    this.addLv(pool, { name: `volume-${volume.id}`, sizeGb: volume.sizeGb, kind: 'volume' });
    return { ok: true, value: undefined, latencyMs: lat };
  }

  /** The refusal of a backend that cannot make snapshots, or null where it can. */
  private noSnapshots(what: string, latencyMs: number): DriverResult<never> | null {
    if (this.spec.snapshot_support) return null;
    return this.fail('NotSupportedOperation', `${what} is not supported: this backend cannot make snapshots (snapshot_support: false); refused rather than faked`, latencyMs);
  }

  createVolumeFromSnapshot(volume: DriverVolumeRef, snapshot: DriverSnapshotRef): DriverResult<void> {
    const src = this.findLv(`_snapshot-${snapshot.id}`);
    // Thick copies snapshot.volume_size GB with dd; thin takes a thin snapshot.
    const lat = this.latency(src && !src.pool.thin ? snapshot.volumeSizeGb : 0);
    const bad = this.guard('create_volume_from_snapshot', lat) ?? this.noSnapshots(`volume ${volume.id} from snapshot ${snapshot.id}`, lat);
    if (bad) return bad;
    if (!src) return this.fail('NotFound', `Snapshot ${snapshot.id} could not be found.`, lat);
    if (!this.fits(src.pool, volume.sizeGb)) return this.noSpace(src.pool, volume.sizeGb, lat);
    this.addLv(src.pool, { name: `volume-${volume.id}`, sizeGb: volume.sizeGb, kind: 'volume' });
    return { ok: true, value: undefined, latencyMs: lat };
  }

  createClonedVolume(volume: DriverVolumeRef, source: DriverVolumeRef): DriverResult<void> {
    const src = this.findLv(`volume-${source.id}`);
    const lat = this.latency(src && !src.pool.thin ? source.sizeGb : 0);
    const bad = this.guard('create_cloned_volume', lat) ?? this.noSnapshots(`clone ${volume.id} of volume ${source.id}`, lat);
    if (bad) return bad;
    if (!src) return this.fail('NotFound', `Volume ${source.id} could not be found.`, lat);
    // Thick: the temporary clone-snap-<id> COW and the new LV must both fit.
    const need = src.pool.thin ? volume.sizeGb : volume.sizeGb + source.sizeGb;
    if (!this.fits(src.pool, need)) return this.noSpace(src.pool, need, lat);
    this.addLv(src.pool, { name: `volume-${volume.id}`, sizeGb: volume.sizeGb, kind: 'volume' });
    return { ok: true, value: undefined, latencyMs: lat };
  }

  deleteVolume(volumeId: string): DriverResult<void> {
    const found = this.findLv(`volume-${volumeId}`);
    const wipe = found && !found.pool.thin && this.options.volume_clear === 'zero' ? found.lv.sizeGb : 0;
    const lat = this.latency(wipe);
    const bad = this.guard('delete_volume', lat);
    if (bad) return bad;
    if (!found) return { ok: true, value: undefined, latencyMs: lat }; // an LV already gone counts as deleted
    if (!found.pool.thin && found.pool.snapshotLvs > 0) {
      for (const lv of found.pool.lvs.values()) {
        if (lv.kind === 'snapshot' && lv.originId === volumeId) {
          return this.fail('VolumeIsBusy', `volume ${found.lv.name} is busy.`, lat);
        }
      }
    }
    this.removeLv(found.pool, found.lv);
    this.targets.delete(volumeId);
    return { ok: true, value: undefined, latencyMs: lat };
  }

  extendVolume(volumeId: string, newSizeGb: number): DriverResult<void> {
    const lat = this.latency(0);
    const bad = this.guard('extend_volume', lat);
    if (bad) return bad;
    const found = this.findLv(`volume-${volumeId}`);
    if (!found) return this.fail('NotFound', `Volume ${volumeId} could not be found.`, lat);
    const delta = newSizeGb - found.lv.sizeGb;
    if (!this.fits(found.pool, delta)) return this.noSpace(found.pool, delta, lat);
    FakeVolumeDriver.countLv(found.pool, found.lv.sizeGb, -1);
    found.lv.sizeGb = newSizeGb;
    FakeVolumeDriver.countLv(found.pool, newSizeGb, 1);
    return { ok: true, value: undefined, latencyMs: lat };
  }

  createSnapshot(snapshot: DriverSnapshotRef): DriverResult<void> {
    const lat = this.latency(0);
    const bad = this.guard('create_snapshot', lat) ?? this.noSnapshots(`snapshot ${snapshot.id} of volume ${snapshot.volumeId}`, lat);
    if (bad) return bad;
    const origin = this.findLv(`volume-${snapshot.volumeId}`);
    if (!origin) return this.fail('NotFound', `Volume ${snapshot.volumeId} could not be found.`, lat);
    // Thick snapshots reserve a COW as big as the origin; thin ones take no space up front.
    const cow = origin.pool.thin ? 0 : origin.lv.sizeGb;
    if (!this.fits(origin.pool, cow)) return this.noSpace(origin.pool, cow, lat);
    this.addLv(origin.pool, { name: `_snapshot-${snapshot.id}`, sizeGb: origin.lv.sizeGb, kind: 'snapshot', originId: snapshot.volumeId });
    return { ok: true, value: undefined, latencyMs: lat };
  }

  deleteSnapshot(snapshotId: string): DriverResult<void> {
    const found = this.findLv(`_snapshot-${snapshotId}`);
    const wipe = found && !found.pool.thin && this.options.volume_clear === 'zero' ? found.lv.sizeGb : 0;
    const lat = this.latency(wipe);
    const bad = this.guard('delete_snapshot', lat);
    if (bad) return bad;
    if (found) this.removeLv(found.pool, found.lv);
    return { ok: true, value: undefined, latencyMs: lat };
  }

  initializeConnection(volumeId: string, _connector: Connector, providerAuth: string | null): DriverResult<ConnectionResult> {
    const lat = this.latency(0);
    const bad = this.guard('initialize_connection', lat);
    if (bad) return bad;
    if (!this.findLv(`volume-${volumeId}`)) return this.fail('ISCSITargetCreateFailed', `Failed to create iscsi target for volume volume-${volumeId}.`, lat);
    // tgt always gets CHAP: reuse provider_auth, else a 20-char user and 16-char password.
    let user: string;
    let pass: string;
    const parts = providerAuth?.split(' ');
    if (parts && parts.length === 3 && parts[0] === 'CHAP') {
      user = parts[1]!;
      pass = parts[2]!;
    } else {
      user = this.randomChars(20);
      pass = this.randomChars(16);
    }
    let tid = this.targets.get(volumeId);
    if (tid === undefined) {
      tid = this.nextTid++;
      this.targets.set(volumeId, tid);
    }
    const o = this.options;
    const portal = `${o.target_ip_address}:${o.target_port}`;
    const iqn = `${o.target_prefix}volume-${volumeId}`;
    return {
      ok: true,
      latencyMs: lat,
      value: {
        providerAuth: `CHAP ${user} ${pass}`,
        providerLocation: `${portal},${tid} ${iqn} 1`,
        info: {
          driver_volume_type: 'iscsi',
          data: {
            target_discovered: false,
            target_portal: portal,
            target_iqn: iqn,
            target_lun: 1,
            volume_id: volumeId,
            auth_method: 'CHAP',
            auth_username: user,
            auth_password: pass,
            discard: false,
          },
        },
      },
    };
  }

  terminateConnection(volumeId: string): DriverResult<void> {
    const lat = this.latency(0);
    const bad = this.guard('terminate_connection', lat);
    if (bad) return bad;
    this.targets.delete(volumeId);
    return { ok: true, value: undefined, latencyMs: lat };
  }

  private randomChars(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += CHAP_CHARS[this.rng.int(0, CHAP_CHARS.length - 1)];
    return s;
  }

  /** The first pool whose reported free capacity is below zero, for invariant checks (without building a report). */
  negativeFreePool(): { pool: string; freeGb: number } | null {
    for (const pool of this.pools) {
      const free = round2(this.freeGb(pool));
      if (free < 0) return { pool: pool.name, freeGb: free };
    }
    return null;
  }

  /** Ids of the volumes whose LVs this backend holds (for invariant checks). */
  volumeIds(): ReadonlySet<string> {
    return this.volumeIndex;
  }

  hasVolume(volumeId: string): boolean {
    return !this.failed && this.findLv(`volume-${volumeId}`) !== undefined;
  }

  // ---- stats ------------------------------------------------------------------

  /**
   * The report `_update_volume_stats` builds.  When the storage has
   * failed, reading it raises in Cinder and nothing is published: callers
   * check `statsUnavailable` first.
   */
  getVolumeStats(): VolumeStats {
    const thin = this.lvmType === 'thin';
    return {
      volume_backend_name: this.backendName,
      vendor_name: 'Open Source',
      driver_version: '3.0.0',
      storage_protocol: 'iSCSI',
      shared_targets: false,
      sparse_copy_volume: thin,
      pools: this.pools.map((p) => this.poolStats(p)),
    };
  }

  /** True when stats cannot be read (the periodic task raises; nothing is published). */
  get statsUnavailable(): boolean {
    return this.failed || !this.isInitialized;
  }

  private poolStats(pool: Pool): PoolStats {
    const s = this.spec;
    const o = this.options;
    let total: number;
    let free: number;
    let provisioned: number;
    if (pool.thin) {
      total = round2(pool.sizeGb);
      free = round2(this.freeGb(pool));
      provisioned = round2(this.lvSumGb(pool));
    } else {
      total = pool.sizeGb;
      free = round2(this.freeGb(pool));
      provisioned = round2(total - free);
    }
    // total_volumes counts every LV, snapshots and (thin) the pool LV itself.
    const totalVolumes = pool.lvs.size + (pool.thin && !s.pools ? 1 : 0);
    return {
      pool_name: pool.name,
      total_capacity_gb: total,
      free_capacity_gb: free,
      provisioned_capacity_gb: provisioned,
      reserved_percentage: o.reserved_percentage,
      max_over_subscription_ratio: o.max_over_subscription_ratio,
      thin_provisioning_support: pool.thin,
      thick_provisioning_support: !pool.thin,
      QoS_support: false,
      multiattach: true,
      backend_state: 'up',
      total_volumes: totalVolumes,
      location_info: `LVMVolumeDriver:${this.hostname}:${o.volume_group}:${pool.thin ? 'thin' : 'default'}:${o.lvm_mirrors}`,
      filter_function: o.filter_function,
      goodness_function: o.goodness_function,
      // Said only where it is false, as loop-lvm reports it: reports of other backends stay as they were.
      ...(s.snapshot_support ? {} : { snapshot_support: false }),
    };
  }
}
