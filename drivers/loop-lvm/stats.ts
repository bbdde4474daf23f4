/**
 * The capability report, computed as Cinder's LVMVolumeDriver
 * `_update_volume_stats` computes it from `vgs`/`lvs` (brick/local_dev/lvm.py):
 * thick pools report the VG's size and free space and provisioned = total -
 * free; thin pools report the pool's size, its free space from data_percent
 * and provisioned = the sum of every other LV.  Pure: rows in, report out.
 */
import type { PoolStats, VolumeStats } from '../../sim/ports/index.js';
import type { LvRow, VgRow } from './parse.js';

export type LvmType = 'default' | 'thin';
export type Mode = 'full' | 'metadata';

/** Python's round(x, 2): the nearest of two decimals, exact ties to even. */
export function pyRound2(x: number): number {
  const scaled = x * 100;
  // An exact tie is representable only when x*8 is an integer (x ends in .125, .375, ...).
  if (Number.isInteger(x * 8) && !Number.isInteger(scaled) && Number.isInteger(scaled * 2)) {
    const lo = Math.floor(scaled);
    return (lo % 2 === 0 ? lo : lo + 1) / 100;
  }
  return Number(x.toFixed(2));
}

export interface StatsInput {
  vg: VgRow;
  lvs: readonly LvRow[];
  lvmType: LvmType;
  thinPool: string;
  volumeBackendName: string;
  hostname: string;
  reservedPercentage: number;
  maxOverSubscriptionRatio: string | number;
  mode: Mode;
  snapshotSupport: boolean;
}

export interface ThinPoolFigures {
  totalGb: number;
  freeGb: number;
  provisionedGb: number;
}

/** Cinder's `update_volume_group_info` for a thin VG plus `_get_thin_pool_free_space`. */
export function thinPoolFigures(lvs: readonly LvRow[], pool: string): ThinPoolFigures {
  let totalGb = 0;
  let freeGb = 0;
  let others = 0;
  for (const lv of lvs) {
    if (lv.name === pool) {
      totalGb = lv.sizeGb;
      const consumed = (lv.sizeGb / 100) * (lv.dataPercent ?? 0);
      freeGb = pyRound2(lv.sizeGb - consumed);
    } else {
      others += lv.sizeGb;
    }
  }
  return { totalGb, freeGb, provisionedGb: pyRound2(others) };
}

export function volumeStats(i: StatsInput): VolumeStats {
  const thin = i.lvmType === 'thin';
  const figures = thin
    ? thinPoolFigures(i.lvs, i.thinPool)
    : { totalGb: i.vg.sizeGb, freeGb: i.vg.freeGb, provisionedGb: pyRound2(i.vg.sizeGb - i.vg.freeGb) };
  const pool: PoolStats = {
    pool_name: i.volumeBackendName,
    total_capacity_gb: figures.totalGb,
    free_capacity_gb: figures.freeGb,
    reserved_percentage: i.reservedPercentage,
    location_info: `LVMVolumeDriver:${i.hostname}:${i.vg.name}:${i.lvmType}:0`,
    QoS_support: false,
    provisioned_capacity_gb: figures.provisionedGb,
    max_over_subscription_ratio: i.maxOverSubscriptionRatio,
    thin_provisioning_support: thin,
    thick_provisioning_support: !thin,
    total_volumes: i.lvs.length,
    filter_function: null,
    goodness_function: null,
    multiattach: true,
    backend_state: 'up',
    // loop-lvm's own: what the probed mode can do.
    loop_lvm_mode: i.mode,
    snapshot_support: i.snapshotSupport,
  };
  return {
    volume_backend_name: i.volumeBackendName,
    vendor_name: 'Open Source',
    driver_version: '3.0.0',
    storage_protocol: 'iSCSI',
    shared_targets: false,
    sparse_copy_volume: thin,
    pools: [pool],
  };
}
