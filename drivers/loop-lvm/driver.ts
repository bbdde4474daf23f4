/**
 * loop-lvm: Cinder's LVMVolumeDriver on a loopback file.  A backing file in
 * our state directory, a loop device over it, a PV and a VG named and
 * tagged as ours; volumes `volume-<id>`, snapshots `_snapshot-<id>`, thick
 * or thin; exports through a private tgtd with CHAP.
 *
 * In `full` mode (device-mapper works) every operation is Cinder's.  In
 * `metadata` mode LVM runs with activation off: volumes, extend, delete and
 * the capability report are real LVM metadata; volumes are allocated
 * contiguous and exported through a loop device at the LV's extent offset
 * in the backing file, so attach and I/O work; snapshots, clones and thin
 * are refused with NotSupported, never faked.
 *
 * Async on purpose: every call is host processes.  `volume-driver.ts`
 * puts it behind cinder-volume's VolumeDriver port (pending calls).
 */
import { hostname as osHostname } from 'node:os';
import type { DriverSnapshotRef, DriverVolumeRef, VolumeStats } from '../../sim/ports/index.js';
import { hostCommands, loopCommands, lvmCommands, type LvmScope } from './commands.js';
import { LoopLvmError } from './errors.js';
import { must } from './exec.js';
import { cloneSnapLv, instanceNames, instancePattern, instanceTag, lvPath, ownerTag, snapshotLv, stateRoot, volumeLv, type InstanceNames } from './names.js';
import { isSnapshotOrigin, parseLosetupList, parseLvs, parsePvs, parseSegments, parseVgs, type LvRow } from './parse.js';
import { preflight } from './preflight.js';
import { capabilities, probeDeviceMapper, resolveLvmType, resolveMode, type Capabilities, type LvmTypeOption, type ModeOption } from './probe.js';
import type { CommandRunner } from './runner.js';
import { volumeStats, type LvmType } from './stats.js';
import { TgtServer, type Export } from './tgt.js';

const GiB = 2 ** 30;

export interface LoopLvmOptions {
  /** Names the state directory, the VG (`cinder-sim-<instance>-vg`) and the tags. */
  instance: string;
  /** Defaults to $CINDER_SIM_STATE, else /var/lib/cinder-sim. */
  stateRoot?: string;
  /** Size of the backing file (the PV). */
  backingFileGb: number;
  mode?: ModeOption;
  lvm_type?: LvmTypeOption;
  volume_backend_name?: string;
  reserved_percentage?: number;
  max_over_subscription_ratio?: string | number;
  target_ip_address?: string;
  /** Not Cinder's 3260: our tgtd must not collide with a system one. */
  target_port?: number;
  volume_clear?: 'zero' | 'none';
  hostname?: string;
  /** Defaults to the process's uid being 0. */
  isRoot?: boolean;
}

export const loopLvmDefaults = {
  mode: 'auto',
  lvm_type: 'default',
  volume_backend_name: 'LVM',
  reserved_percentage: 0,
  max_over_subscription_ratio: '20.0',
  target_ip_address: '127.0.0.1',
  target_port: 3261,
  volume_clear: 'zero',
} as const;

/** What an export hands the connector (Cinder's provider_location / provider_auth). */
export interface ExportResult extends Export {
  portal: string;
  /** The block device or file tgtd serves. */
  backingStore: string;
}

interface Geometry {
  peStartBytes: number;
  extentBytes: number;
}

/** Where a contiguous LV's bytes lie in the backing file. */
export function extentRange(segments: readonly { device: string; firstPe: number; lastPe: number }[], device: string, g: Geometry): { offsetBytes: number; sizeBytes: number } {
  const [only, ...more] = segments;
  if (only === undefined || more.length > 0 || only.device !== device) {
    throw new LoopLvmError('CommandFailed', `the LV is not one contiguous segment on ${device} (${segments.length} segments); metadata mode cannot map it`);
  }
  return { offsetBytes: g.peStartBytes + only.firstPe * g.extentBytes, sizeBytes: (only.lastPe - only.firstPe + 1) * g.extentBytes };
}

export class LoopLvmDriver {
  private readonly exports = new Map<string, { lv: string; providerAuth: string; loop: string | null }>();

  private constructor(
    private readonly runner: CommandRunner,
    readonly names: InstanceNames,
    readonly caps: Capabilities,
    readonly lvmType: LvmType,
    readonly scope: LvmScope,
    private readonly geometry: Geometry,
    readonly tgt: TgtServer,
    private readonly o: Required<Omit<LoopLvmOptions, 'stateRoot' | 'isRoot'>>,
  ) {}

  get mode(): 'full' | 'metadata' {
    return this.caps.mode;
  }

  /**
   * Checks the host, probes the mode, then builds (or finds again) the
   * backing file, loop device, PV, VG and thin pool, and starts tgtd.
   */
  static async setUp(runner: CommandRunner, options: LoopLvmOptions): Promise<LoopLvmDriver> {
    const o = {
      ...loopLvmDefaults,
      hostname: osHostname(),
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    } as Required<LoopLvmOptions>;
    if (!instancePattern.test(o.instance)) {
      throw new LoopLvmError('Preflight', `instance "${o.instance}" is not a valid loop-lvm instance name: use 1-32 of a-z, 0-9 and _, starting with a letter or digit`);
    }
    if (!(Number.isInteger(o.backingFileGb) && o.backingFileGb > 0)) {
      throw new LoopLvmError('Preflight', `backing file size ${o.backingFileGb} GB is not a positive whole number of GB`);
    }
    const root = options.stateRoot ?? stateRoot(process.env);
    const names = instanceNames(o.instance, root);
    const bytes = o.backingFileGb * GiB;
    await preflight(runner, { names, backingFileBytes: bytes, isRoot: options.isRoot ?? process.getuid?.() === 0 });
    const dm = await probeDeviceMapper(runner);
    const caps = capabilities(resolveMode(o.mode, dm), dm);
    const lvmType = resolveLvmType(o.lvm_type, caps);

    // From here on the host changes.
    await must(runner, hostCommands.mkdir(names.stateDir), `creating ${names.stateDir}`);
    await must(runner, hostCommands.touch(names.marker), `marking ${names.stateDir} as ours`);
    if ((await runner.run(hostCommands.exists(names.backingFile))).exitCode !== 0) {
      await must(runner, hostCommands.createFile(names.backingFile, bytes), `creating ${names.backingFile}`);
    }
    const loops = parseLosetupList((await must(runner, loopCommands.list(), 'listing loop devices')).stdout).filter((l) => l.backFile === names.backingFile);
    for (const l of loops.filter((x) => x.offset !== 0 || x.sizelimit !== 0)) {
      await must(runner, loopCommands.detach(l.name), `detaching the stale export ${l.name}`);
    }
    const device = loops.find((x) => x.offset === 0 && x.sizelimit === 0)?.name ?? (await must(runner, loopCommands.attach(names.backingFile), 'attaching the backing file')).stdout.trim();
    const scope: LvmScope = { device, metadataOnly: caps.mode === 'metadata' };

    let pv = await readPv(runner, scope);
    if (pv === undefined) await must(runner, lvmCommands.pvcreate(scope), `creating the PV on ${device}`);
    if (pv === undefined || pv.vg === '') {
      await must(runner, lvmCommands.vgcreate(scope, names.vg, [ownerTag, instanceTag(names.instance)]), `creating ${names.vg}`);
      pv = await readPv(runner, scope);
    } else if (pv.vg !== names.vg || !pv.vgTags.includes(ownerTag)) {
      throw new LoopLvmError('NotOurs', `${device} holds volume group ${pv.vg}, not ours; run cinder-sim cleanup`);
    }
    if (pv === undefined) throw new LoopLvmError('CommandFailed', `${device} is not a PV after vgcreate`);

    if (lvmType === 'thin') {
      const lvs = parseLvs((await must(runner, lvmCommands.lvs(scope, names.vg), 'listing LVs')).stdout);
      if (!lvs.some((l) => l.name === names.thinPool)) {
        const vg = parseVgs((await must(runner, lvmCommands.vgs(scope, names.vg), 'reading the VG')).stdout)[0];
        // Cinder leaves 5% of the VG free for metadata: "%sg" % (vg_free * 0.95).
        await must(runner, lvmCommands.createThinPool(scope, names.vg, names.thinPool, `${(vg?.freeGb ?? 0) * 0.95}g`), 'creating the thin pool');
      }
    }

    const tgt = new TgtServer(runner, names, root, { ip: o.target_ip_address, port: o.target_port });
    await tgt.start();
    const { stateRoot: _r, isRoot: _i, ...rest } = o;
    return new LoopLvmDriver(runner, names, caps, lvmType, scope, { peStartBytes: pv.peStartBytes, extentBytes: pv.extentBytes }, tgt, rest);
  }

  private async lvs(): Promise<LvRow[]> {
    return parseLvs((await must(this.runner, lvmCommands.lvs(this.scope, this.names.vg), `listing LVs of ${this.names.vg}`)).stdout);
  }

  private async lv(name: string): Promise<LvRow | undefined> {
    return (await this.lvs()).find((l) => l.name === name);
  }

  private requireSnapshots(what: string): void {
    if (!this.caps.snapshots) {
      throw new LoopLvmError(
        'NotSupported',
        `${what} is not supported: loop-lvm runs in ${this.caps.mode} mode here (no device-mapper snapshot target), so LVM cannot make snapshots; refused rather than faked`,
      );
    }
  }

  /** The capability report, from `vgs` and `lvs` as Cinder's `_update_volume_stats`. */
  async getVolumeStats(): Promise<VolumeStats> {
    return (await this.readState()).stats;
  }

  /** The capability report and the ids of the volumes the VG holds, from one `vgs` and one `lvs`. */
  async readState(): Promise<{ stats: VolumeStats; volumeIds: string[] }> {
    const vg = parseVgs((await must(this.runner, lvmCommands.vgs(this.scope, this.names.vg), `reading ${this.names.vg}`)).stdout).find((v) => v.name === this.names.vg);
    if (!vg) throw new LoopLvmError('NotFound', `Volume Group ${this.names.vg} does not exist`);
    const lvs = await this.lvs();
    const volumeIds = lvs.filter((l) => l.name.startsWith(volumeLv(''))).map((l) => l.name.slice(volumeLv('').length));
    const stats = volumeStats({
      vg,
      lvs,
      lvmType: this.lvmType,
      thinPool: this.names.thinPool,
      volumeBackendName: this.o.volume_backend_name,
      hostname: this.o.hostname,
      reservedPercentage: this.o.reserved_percentage,
      maxOverSubscriptionRatio: this.o.max_over_subscription_ratio,
      mode: this.caps.mode,
      snapshotSupport: this.caps.snapshots,
    });
    return { stats, volumeIds };
  }

  private async createLv(lv: string, sizeGb: number): Promise<void> {
    const cmd = this.lvmType === 'thin'
      ? lvmCommands.createThin(this.scope, this.names.vg, this.names.thinPool, lv, sizeGb)
      : lvmCommands.createThick(this.scope, this.names.vg, lv, sizeGb);
    await must(this.runner, cmd, `creating ${lv}`, 'CommandFailed');
  }

  async createVolume(volume: DriverVolumeRef): Promise<void> {
    await this.createLv(volumeLv(volume.id), volume.sizeGb);
  }

  /** Cinder's `extend_volume`: a thick origin with snapshots is deactivated around lvextend. */
  async extendVolume(volumeId: string, newSizeGb: number): Promise<void> {
    const name = volumeLv(volumeId);
    const lv = await this.lv(name);
    if (!lv) throw new LoopLvmError('NotFound', `volume ${name} not found in ${this.names.vg}`);
    const origin = isSnapshotOrigin(lv);
    if (origin) await must(this.runner, lvmCommands.deactivate(this.scope, this.names.vg, name), `deactivating ${name}`);
    await must(this.runner, lvmCommands.extend(this.scope, this.names.vg, name, newSizeGb), `extending ${name}`);
    if (origin) await must(this.runner, lvmCommands.activate(this.scope, this.names.vg, name), `activating ${name}`);
    if (this.exports.has(volumeId)) await this.extendTarget(volumeId);
  }

  /** An exported volume's LUN takes the new size (metadata mode: a loop device over the grown extent range). */
  private async extendTarget(volumeId: string): Promise<void> {
    const e = this.exports.get(volumeId)!;
    let store = lvPath(this.names.vg, e.lv);
    if (e.loop !== null) {
      const r = await this.range(e.lv);
      store = (await must(this.runner, loopCommands.attachRange(this.names.backingFile, r.offsetBytes, r.sizeBytes), `mapping ${e.lv}'s extents`)).stdout.trim();
    }
    await this.tgt.replaceLun(e.lv, store);
    if (e.loop !== null) {
      await must(this.runner, loopCommands.detach(e.loop), `detaching ${e.loop}`);
      e.loop = store;
    }
  }

  async deleteVolume(volumeId: string): Promise<void> {
    if (this.exports.has(volumeId)) await this.removeExport(volumeId);
    const name = volumeLv(volumeId);
    const lv = await this.lv(name);
    if (!lv) return; // Cinder: an LV already missing counts as deleted.
    if (isSnapshotOrigin(lv)) throw new LoopLvmError('VolumeIsBusy', `volume ${name} has dependent snapshots`);
    await this.deleteLv(lv, false);
  }

  private async deleteLv(lv: LvRow, isSnapshot: boolean): Promise<void> {
    if (this.o.volume_clear !== 'none' && this.lvmType !== 'thin') await this.clear(lv, isSnapshot);
    await must(this.runner, lvmCommands.remove(this.scope, this.names.vg, lv.name), `removing ${lv.name}`);
  }

  /** Cinder's `_clear_volume` (volume_clear = zero): zeroes the LV (a snapshot's COW) before removal. */
  private async clear(lv: LvRow, isSnapshot: boolean): Promise<void> {
    const sizeMiB = Math.round(lv.sizeGb * 1024);
    if (this.caps.mode === 'full') {
      const dev = `/dev/mapper/${this.names.vg.replace(/-/g, '--')}-${lv.name.replace(/-/g, '--')}${isSnapshot ? '-cow' : ''}`;
      await must(this.runner, hostCommands.zero(dev, sizeMiB), `clearing ${lv.name}`);
      return;
    }
    const range = await this.range(lv.name);
    await must(this.runner, hostCommands.punchHole(this.names.backingFile, range.offsetBytes, range.sizeBytes), `clearing ${lv.name}`);
  }

  private async range(lv: string): Promise<{ offsetBytes: number; sizeBytes: number }> {
    const segs = parseSegments((await must(this.runner, lvmCommands.segments(this.scope, this.names.vg, lv), `reading the extents of ${lv}`)).stdout);
    return extentRange(segs, this.scope.device, this.geometry);
  }

  async createSnapshot(snapshot: DriverSnapshotRef): Promise<void> {
    this.requireSnapshots(`snapshot ${snapshot.id} of volume ${snapshot.volumeId}`);
    const origin = await this.lv(volumeLv(snapshot.volumeId));
    if (!origin) throw new LoopLvmError('NotFound', `volume ${volumeLv(snapshot.volumeId)} not found in ${this.names.vg}`);
    const cow = this.lvmType === 'thin' ? null : origin.sizeGb;
    await must(this.runner, lvmCommands.createSnapshot(this.scope, this.names.vg, snapshotLv(snapshot.id), origin.name, cow), `creating ${snapshotLv(snapshot.id)}`);
  }

  async deleteSnapshot(snapshotId: string): Promise<void> {
    const lv = await this.lv(snapshotLv(snapshotId));
    if (!lv) return;
    await this.deleteLv(lv, true);
  }

  async createVolumeFromSnapshot(volume: DriverVolumeRef, snapshot: DriverSnapshotRef): Promise<void> {
    this.requireSnapshots(`volume ${volume.id} from snapshot ${snapshot.id}`);
    const snap = snapshotLv(snapshot.id);
    const name = volumeLv(volume.id);
    if (this.lvmType === 'thin') {
      await must(this.runner, lvmCommands.createSnapshot(this.scope, this.names.vg, name, snap, null), `creating ${name} from ${snap}`);
      if (volume.sizeGb > snapshot.volumeSizeGb) await must(this.runner, lvmCommands.extend(this.scope, this.names.vg, name, volume.sizeGb), `extending ${name}`);
      await must(this.runner, lvmCommands.activate(this.scope, this.names.vg, name), `activating ${name}`);
      return;
    }
    await this.createLv(name, volume.sizeGb);
    await must(this.runner, hostCommands.copy(lvPath(this.names.vg, snap), lvPath(this.names.vg, name), snapshot.volumeSizeGb * 1024), `copying ${snap} to ${name}`);
  }

  /** Cinder's clone: a thin snapshot, or (thick) a temporary snapshot copied into a new LV. */
  async createClonedVolume(volume: DriverVolumeRef, source: DriverVolumeRef): Promise<void> {
    this.requireSnapshots(`clone ${volume.id} of volume ${source.id}`);
    const name = volumeLv(volume.id);
    const src = await this.lv(volumeLv(source.id));
    if (!src) throw new LoopLvmError('NotFound', `volume ${volumeLv(source.id)} not found in ${this.names.vg}`);
    if (this.lvmType === 'thin') {
      await must(this.runner, lvmCommands.createSnapshot(this.scope, this.names.vg, name, src.name, null), `cloning ${src.name}`);
      await must(this.runner, lvmCommands.activate(this.scope, this.names.vg, name), `activating ${name}`);
      if (volume.sizeGb > source.sizeGb) await must(this.runner, lvmCommands.extend(this.scope, this.names.vg, name, volume.sizeGb), `extending ${name}`);
      return;
    }
    const temp = cloneSnapLv(volume.id);
    await must(this.runner, lvmCommands.createSnapshot(this.scope, this.names.vg, temp, src.name, src.sizeGb), `creating ${temp}`);
    try {
      await this.createLv(name, volume.sizeGb);
      await must(this.runner, hostCommands.copy(lvPath(this.names.vg, temp), lvPath(this.names.vg, name), source.sizeGb * 1024), `copying ${src.name} to ${name}`);
    } finally {
      const t = await this.lv(temp);
      if (t) await this.deleteLv(t, true);
    }
  }

  /**
   * Cinder's `create_export` + `initialize_connection` for tgtadm: the LV
   * (full) or an offset loop device over its extents (metadata) as LUN 1.
   */
  async createExport(volumeId: string, providerAuth: string | null): Promise<ExportResult> {
    const name = volumeLv(volumeId);
    if (!(await this.lv(name))) throw new LoopLvmError('NotFound', `volume ${name} not found in ${this.names.vg}`);
    let loop: string | null = null;
    let backingStore = lvPath(this.names.vg, name);
    if (this.caps.mode === 'metadata') {
      const r = await this.range(name);
      loop = (await must(this.runner, loopCommands.attachRange(this.names.backingFile, r.offsetBytes, r.sizeBytes), `mapping ${name}'s extents`)).stdout.trim();
      backingStore = loop;
    }
    try {
      const e = await this.tgt.createExport(name, backingStore, providerAuth);
      this.exports.set(volumeId, { lv: name, providerAuth: e.providerAuth, loop });
      return { ...e, portal: `${this.tgt.portal.ip}:${this.tgt.portal.port}`, backingStore };
    } catch (err) {
      if (loop !== null) await this.runner.run(loopCommands.detach(loop));
      throw err;
    }
  }

  async removeExport(volumeId: string): Promise<void> {
    const e = this.exports.get(volumeId);
    await this.tgt.removeExport(volumeLv(volumeId), e?.providerAuth ?? null);
    if (e?.loop) await must(this.runner, loopCommands.detach(e.loop), `detaching ${e.loop}`);
    this.exports.delete(volumeId);
  }

  /** Stops tgtd and unmaps exports; the VG stays, and setUp finds it again. */
  async stop(): Promise<void> {
    for (const id of [...this.exports.keys()]) await this.removeExport(id);
    await this.tgt.stop();
  }
}

async function readPv(runner: CommandRunner, scope: LvmScope) {
  const r = await runner.run(lvmCommands.pvs(scope));
  return r.exitCode === 0 ? parsePvs(r.stdout).find((p) => p.name === scope.device) : undefined;
}

