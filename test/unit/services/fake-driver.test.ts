import { describe, expect, it } from 'vitest';
import { FakeBackupDriver } from '../../../drivers/fake/backup.js';
import { FakeVolumeDriver } from '../../../drivers/fake/driver.js';
import { fakeBackendSpec, type FakeBackendInput } from '../../../drivers/fake/spec.js';
import { backendGroupOptions, defaultGroupOptions, resolveBackendOptions, SIMULATED_NODE_IP, type BackendOptions } from '../../../sim/cinder/config/index.js';
import { SeededRng } from '../../../sim/engine/rng.js';

const rng = () => new SeededRng('t', 'driver:test');
/** A driver from its group's options and its storage's facts, written side by side. */
function make(flat: Partial<BackendOptions> & FakeBackendInput, hostname = 'node1'): FakeVolumeDriver {
  const options: Record<string, unknown> = {};
  const storage: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flat)) (Object.hasOwn(backendGroupOptions, k) ? options : storage)[k] = v;
  return new FakeVolumeDriver(storage as FakeBackendInput, resolveBackendOptions(options as Partial<BackendOptions>), rng(), hostname);
}
function driver(flat: Partial<BackendOptions> & FakeBackendInput): FakeVolumeDriver {
  const d = make(flat);
  expect(d.doSetup().ok).toBe(true);
  return d;
}
const pool0 = (d: FakeVolumeDriver) => d.getVolumeStats().pools[0]!;
const vol = (id: string, sizeGb: number, pool = 'LVM') => ({ id, sizeGb, pool });

describe('fake LVM driver: capability report (cinder/volume/drivers/lvm.py _update_volume_stats)', () => {
  it.each([
    { name: 'thick, empty', spec: { lvm_type: 'default', vg_size_gb: 100 }, total: 100, free: 100, prov: 0, vols: 0 },
    { name: 'thick, foreign LV counted', spec: { lvm_type: 'default', vg_size_gb: 100, foreign_lvs_gb: 10 }, total: 100, free: 90, prov: 10, vols: 1 },
    { name: 'auto becomes thin, pool from 95 %', spec: { lvm_type: 'auto', vg_size_gb: 100 }, total: 95, free: 95, prov: 0, vols: 1 },
    { name: 'auto without thin support stays thick', spec: { lvm_type: 'auto', vg_size_gb: 100, thin_supported: false }, total: 100, free: 100, prov: 0, vols: 0 },
    // check_for_setup_error: auto is thin only when the VG holds no LV yet (or already has the thin pool).
    { name: 'auto with LVs already in the VG stays thick', spec: { lvm_type: 'auto', vg_size_gb: 100, foreign_lvs_gb: 10 }, total: 100, free: 90, prov: 10, vols: 1 },
  ] as const)('$name', ({ spec, total, free, prov, vols }) => {
    const p = pool0(driver(spec));
    expect(p).toMatchObject({ total_capacity_gb: total, free_capacity_gb: free, provisioned_capacity_gb: prov, total_volumes: vols });
    expect(p).toMatchObject({ pool_name: 'LVM', multiattach: true, backend_state: 'up', QoS_support: false });
  });

  it('pool name and location_info follow volume_backend_name and lvm_type', () => {
    const d = driver({ volume_backend_name: 'sata', volume_group: 'vg1', lvm_type: 'thin' });
    expect(d.getVolumeStats().volume_backend_name).toBe('sata');
    expect(pool0(d)).toMatchObject({ pool_name: 'sata', location_info: 'LVMVolumeDriver:node1:vg1:thin:0', thin_provisioning_support: true, thick_provisioning_support: false });
  });

  it('thick snapshot reserves a full COW and blocks the origin delete (VolumeIsBusy)', () => {
    const d = driver({ lvm_type: 'default', vg_size_gb: 100 });
    expect(d.createVolume(vol('a', 30)).ok).toBe(true);
    expect(d.createSnapshot({ id: 's', volumeId: 'a', volumeSizeGb: 30 }).ok).toBe(true);
    expect(pool0(d)).toMatchObject({ free_capacity_gb: 40, provisioned_capacity_gb: 60, total_volumes: 2 });
    const del = d.deleteVolume('a');
    expect(del).toMatchObject({ ok: false, kind: 'VolumeIsBusy' });
    expect(d.deleteSnapshot('s').ok).toBe(true);
    expect(d.deleteVolume('a').ok).toBe(true);
    expect(pool0(d).free_capacity_gb).toBe(100);
  });

  it('thin over-provisions: provisioned grows, free follows data percent', () => {
    const d = driver({ lvm_type: 'thin', vg_size_gb: 100, thin_data_percent: 50 });
    expect(d.createVolume(vol('a', 80)).ok).toBe(true);
    expect(d.createVolume(vol('b', 80)).ok).toBe(true);
    expect(pool0(d)).toMatchObject({ total_capacity_gb: 95, free_capacity_gb: 15, provisioned_capacity_gb: 160 });
  });

  it('thick create beyond free space fails as a result, not an exception', () => {
    const d = driver({ lvm_type: 'default', vg_size_gb: 10 });
    const r = d.createVolume(vol('a', 11));
    expect(r).toMatchObject({ ok: false, kind: 'VolumeBackendAPIException' });
  });

  it('missing VG fails do_setup with Cinder text', () => {
    const d = make({ vg_missing: true }, 'n');
    expect(d.doSetup()).toMatchObject({ ok: false, message: 'Volume Group cinder-volumes does not exist' });
    expect(d.initialized).toBe(false);
  });

  it('capacity change and backend failure', () => {
    const d = driver({ lvm_type: 'default', vg_size_gb: 100 });
    d.setCapacity(200);
    expect(pool0(d).total_capacity_gb).toBe(200);
    d.createVolume(vol('a', 1));
    d.failBackend();
    expect(d.statsUnavailable).toBe(true);
    expect(d.hasVolume('a')).toBe(false);
    expect(d.createVolume(vol('b', 1)).ok).toBe(false);
  });

  it('latency scales with data moved; injected failures come from the Rng', () => {
    const d = driver({ lvm_type: 'default', latency: { base_ms: 100, per_gb_ms: 10 }, volume_clear: 'zero' });
    d.createVolume(vol('a', 10));
    expect(d.deleteVolume('a').latencyMs).toBe(200);
    const f = driver({ failure: { probability: 1 } });
    expect(f.createVolume(vol('x', 1))).toMatchObject({ ok: false, message: expect.stringContaining('injected failure') });
  });
});

describe('fake LVM driver: its cinder.conf options are the registry\'s', () => {
  it('the storage spec holds physical facts only: no key is a cinder.conf option', () => {
    const optionNames = new Set([...Object.keys(backendGroupOptions), ...Object.keys(defaultGroupOptions)]);
    expect(Object.keys(fakeBackendSpec.shape).filter((k) => optionNames.has(k))).toEqual([]);
  });

  it('with nothing set, the driver reports and exports with the registry\'s LVM defaults', () => {
    const d = driver({ vg_size_gb: 100 });
    const o = backendGroupOptions;
    expect(d.lvmType).toBe('thin'); // lvm_type auto, thin supported
    expect(o.lvm_type.default).toBe('auto');
    expect(pool0(d)).toMatchObject({
      pool_name: 'LVM',
      reserved_percentage: o.reserved_percentage.default,
      max_over_subscription_ratio: o.max_over_subscription_ratio.default,
      location_info: `LVMVolumeDriver:node1:${o.volume_group.default}:thin:${o.lvm_mirrors.default}`,
      filter_function: o.filter_function.default,
      goodness_function: o.goodness_function.default,
    });
    d.createVolume(vol('v1', 1));
    const r = d.initializeConnection('v1', { host: 'compute1' }, null);
    if (!r.ok) throw new Error(r.message);
    // target_ip_address defaults to $my_ip: a simulated node's address.
    expect(o.target_ip_address.default).toBe('$my_ip');
    expect(r.value.info.data).toMatchObject({ target_portal: `${SIMULATED_NODE_IP}:${o.target_port.default}`, target_iqn: `${o.target_prefix.default}volume-v1` });
  });

  it('volume_clear defaults to zero: deleting a thick volume wipes it', () => {
    expect(backendGroupOptions.volume_clear.default).toBe('zero');
    const d = driver({ lvm_type: 'default', latency: { base_ms: 0, per_gb_ms: 10 } });
    d.createVolume(vol('a', 10));
    expect(d.deleteVolume('a').latencyMs).toBe(100);
  });
});

describe('fake LVM driver: iSCSI connection (cinder/volume/targets/iscsi.py initialize_connection)', () => {
  it('portal from target_ip_address:target_port, IQN, LUN 1, CHAP generated then reused', () => {
    const d = driver({ target_ip_address: '10.0.1.29', target_port: 3261 });
    d.createVolume(vol('v1', 1));
    const r = d.initializeConnection('v1', { host: 'compute1' }, null);
    if (!r.ok) throw new Error(r.message);
    const data = r.value.info.data;
    expect(data).toMatchObject({ target_portal: '10.0.1.29:3261', target_iqn: 'iqn.2010-10.org.openstack:volume-v1', target_lun: 1, auth_method: 'CHAP' });
    expect(data.auth_username).toHaveLength(20);
    expect(data.auth_password).toHaveLength(16);
    expect(r.value.providerLocation).toBe('10.0.1.29:3261,1 iqn.2010-10.org.openstack:volume-v1 1');
    const again = d.initializeConnection('v1', { host: 'compute1' }, r.value.providerAuth);
    expect(again.ok && again.value.info.data.auth_password).toBe(data.auth_password);
  });
});

describe('fake backup target', () => {
  it('takes time in proportion to size; incremental copies less', () => {
    const b = new FakeBackupDriver('swift', rng());
    const full = b.backup({ id: 'b1', volumeId: 'v', sizeGb: 10, incremental: false, parentId: null });
    const inc = b.backup({ id: 'b2', volumeId: 'v', sizeGb: 10, incremental: true, parentId: 'b1' });
    expect(full.latencyMs).toBe(102_400);
    expect(inc.latencyMs).toBe(10_240);
    expect(b.usage().usedGb).toBe(11);
  });

  it('refuses when full', () => {
    const b = new FakeBackupDriver('posix', rng(), { capacityGb: 5 });
    expect(b.backup({ id: 'b1', volumeId: 'v', sizeGb: 10, incremental: false, parentId: null }).ok).toBe(false);
  });
});
