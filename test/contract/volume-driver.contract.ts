/**
 * One contract for every VolumeDriver (sim/ports/volume-driver.ts): what
 * cinder-volume relies on, asserted the same way for the fake backend (an
 * answer at once, latency in virtual time) and the real one (loop-lvm,
 * answers pending until its commands exit).  A driver passes it through
 * the port only: `settle` turns either kind of answer into its result.
 */
import { expect, it } from 'vitest';
import type { DriverCall, DriverResult, VolumeDriver } from '../../sim/ports/volume-driver.js';

/** The result of a call, whichever way the driver answers it. */
export function settle<T>(call: DriverCall<T>): Promise<DriverResult<T>> {
  return 'pending' in call ? new Promise((resolve) => call.onDone(resolve)) : Promise.resolve(call);
}

export interface ContractSubject {
  /** A driver set up on an empty VG of `vgGb` GB, its portal 127.0.0.1:`port`. */
  driver: () => VolumeDriver;
  vgGb: number;
  port: number;
  /** Whether the backend can make snapshots (full mode, or the fake's snapshot_support). */
  snapshots: boolean;
}

const pool0 = (d: VolumeDriver) => d.getVolumeStats().pools[0]!;

/** Registers the contract's tests (inside the caller's describe); the tests share one driver, in order. */
export function volumeDriverContract(s: ContractSubject): void {
  let d: VolumeDriver;
  let poolName = 'LVM';
  const vol = (id: string, sizeGb: number) => ({ id, sizeGb, pool: poolName });
  const gb = s.vgGb;

  it('is set up: one iSCSI pool, the whole VG free', () => {
    d = s.driver();
    expect(d.doSetup().ok).toBe(true);
    expect(d.initialized).toBe(true);
    expect(d.statsUnavailable).toBe(false);
    const stats = d.getVolumeStats();
    expect(stats).toMatchObject({ storage_protocol: 'iSCSI', vendor_name: 'Open Source', driver_version: '3.0.0' });
    expect(stats.pools).toHaveLength(1);
    poolName = pool0(d).pool_name;
    expect(pool0(d)).toMatchObject({ total_capacity_gb: gb, free_capacity_gb: gb, provisioned_capacity_gb: 0, total_volumes: 0, thick_provisioning_support: true });
  });

  it('creates a volume: it exists and the report counts it', async () => {
    expect(await settle(d.createVolume(vol('c1', 1)))).toMatchObject({ ok: true });
    expect(d.hasVolume('c1')).toBe(true);
    expect(pool0(d)).toMatchObject({ free_capacity_gb: gb - 1, provisioned_capacity_gb: 1, total_volumes: 1 });
  });

  it('refuses a volume larger than the free space, naming it', async () => {
    const r = await settle(d.createVolume(vol('c2', gb)));
    expect(r).toMatchObject({ ok: false, kind: 'VolumeBackendAPIException', message: expect.stringContaining('insufficient free space') });
    expect(d.hasVolume('c2')).toBe(false);
    expect(pool0(d).free_capacity_gb).toBe(gb - 1);
  });

  it('extends a volume; an unknown one is NotFound', async () => {
    expect(await settle(d.extendVolume('c1', 2))).toMatchObject({ ok: true });
    expect(pool0(d)).toMatchObject({ free_capacity_gb: gb - 2, provisioned_capacity_gb: 2 });
    expect(await settle(d.extendVolume('nope', 2))).toMatchObject({ ok: false, kind: 'NotFound' });
  });

  it('exports with CHAP on 127.0.0.1 and the openstack IQN, and reuses the credentials it is given', async () => {
    const r = await settle(d.initializeConnection('c1', { host: 'compute1' }, null));
    if (!r.ok) throw new Error(r.message);
    const iqn = 'iqn.2010-10.org.openstack:volume-c1';
    expect(r.value.providerLocation).toMatch(new RegExp(`^127\\.0\\.0\\.1:${s.port},\\d+ ${iqn.replace(/\./g, '\\.')} 1$`));
    expect(r.value.providerAuth).toMatch(/^CHAP \S{20} \S{16}$/);
    expect(r.value.info).toMatchObject({ driver_volume_type: 'iscsi', data: { target_portal: `127.0.0.1:${s.port}`, target_iqn: iqn, target_lun: 1, volume_id: 'c1', auth_method: 'CHAP' } });
    expect(`CHAP ${r.value.info.data.auth_username} ${r.value.info.data.auth_password}`).toBe(r.value.providerAuth);
    expect(await settle(d.terminateConnection('c1'))).toMatchObject({ ok: true });
    const again = await settle(d.initializeConnection('c1', { host: 'compute1' }, r.value.providerAuth));
    expect(again).toMatchObject({ ok: true, value: { providerAuth: r.value.providerAuth } });
    expect(await settle(d.terminateConnection('c1'))).toMatchObject({ ok: true });
  });

  if (s.snapshots) {
    it('snapshots: a thick origin with a snapshot is busy until the snapshot goes', async () => {
      expect(await settle(d.createSnapshot({ id: 's1', volumeId: 'c1', volumeSizeGb: 2 }))).toMatchObject({ ok: true });
      expect(await settle(d.deleteVolume('c1'))).toMatchObject({ ok: false, kind: 'VolumeIsBusy' });
      expect(await settle(d.deleteSnapshot('s1'))).toMatchObject({ ok: true });
    });
  } else {
    it('refuses snapshots, volumes from snapshots and clones: NotSupportedOperation, nothing faked', async () => {
      const calls: [string, DriverCall<void>][] = [
        ['snapshot', d.createSnapshot({ id: 's1', volumeId: 'c1', volumeSizeGb: 2 })],
        ['from snapshot', d.createVolumeFromSnapshot(vol('c3', 2), { id: 's1', volumeId: 'c1', volumeSizeGb: 2 })],
        ['clone', d.createClonedVolume(vol('c4', 2), vol('c1', 2))],
      ];
      for (const [what, call] of calls) {
        expect(await settle(call), what).toMatchObject({ ok: false, kind: 'NotSupportedOperation', message: expect.stringContaining('is not supported') });
      }
      expect(d.hasVolume('c3') || d.hasVolume('c4')).toBe(false);
      expect(pool0(d)).toMatchObject({ provisioned_capacity_gb: 2, total_volumes: 1 });
    });
  }

  it('deletes a volume (again: still a success, as an LV already gone)', async () => {
    expect(await settle(d.deleteVolume('c1'))).toMatchObject({ ok: true });
    expect(d.hasVolume('c1')).toBe(false);
    expect(pool0(d)).toMatchObject({ free_capacity_gb: gb, provisioned_capacity_gb: 0, total_volumes: 0 });
    expect(await settle(d.deleteVolume('c1'))).toMatchObject({ ok: true });
  });
}
