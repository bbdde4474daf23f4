import { describe, expect, it } from 'vitest';
import { admin, alice, bob, cloud, idOf, okResult, req, volume } from './fixtures.js';

describe('snapshots (cinder/volume/api.py create_snapshot, delete_snapshot)', () => {
  it('cascade delete removes snapshots first and returns all quota', () => {
    const sc = cloud([{ name: 'node1' }]);
    req(sc, alice, { verb: 'create', size: 10, name: 'v' });
    req(sc, alice, { verb: 'snapshot-create', volume: 'v', name: 's' });
    expect(sc.cloud.snapshot().snapshots[0]).toMatchObject({ status: 'available', progress: '100%' });
    okResult(req(sc, alice, { verb: 'delete', volume: 'v', cascade: true }));
    expect(sc.cloud.snapshot().volumes).toEqual([]);
    expect(sc.cloud.snapshot().snapshots).toEqual([]);
    expect(okResult(req(sc, alice, { verb: 'quota-usage' }))).toMatchObject({ gigabytes: { in_use: 0 }, snapshots: { in_use: 0 } });
  });

  it('a snapshot on a disabled backend goes to error asynchronously (surprise #8)', () => {
    const sc = cloud([{ name: 'node1' }]);
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    okResult(req(sc, admin, { verb: 'service-disable', host: 'node1@lvm', binary: 'cinder-volume' }));
    expect(okResult(req(sc, alice, { verb: 'snapshot-create', volume: 'v' }, 0))).toMatchObject({ status: 'creating' });
    sc.run({ untilMs: sc.nowMs + 5_000 });
    expect(sc.cloud.snapshot().snapshots[0]!.status).toBe('error');
    const d = sc.cloud.snapshot().decisions.at(-1)!;
    expect(d).toMatchObject({ operation: 'create_snapshot', ok: false, reason: `Cannot place snapshot ${sc.cloud.snapshot().snapshots[0]!.id} on node1@lvm.` });
  });

  it.each([
    { snapshot_same_host: true, placedElsewhere: false },
    { snapshot_same_host: false, placedElsewhere: true },
  ])('a volume from a snapshot is pinned to its backend iff snapshot_same_host=$snapshot_same_host', ({ snapshot_same_host, placedElsewhere }) => {
    const sc = cloud([{ name: 'node1' }, { name: 'node2' }], { controllerDefaults: { snapshot_same_host } });
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    req(sc, alice, { verb: 'snapshot-create', volume: 'v', name: 's' });
    const host = volume(sc, 'v').host!.split('#')[0]!;
    okResult(req(sc, admin, { verb: 'service-disable', host, binary: 'cinder-volume' }));
    req(sc, alice, { verb: 'create', snapshot_id: idOf(sc, 'snapshots', 's'), name: 'c' });
    const c = volume(sc, 'c');
    // Pinned: no weighed backend (host stays NULL).  Unpinned: placed on the other backend,
    // where LVM cannot find the snapshot LV, so the driver fails it.
    expect(c.status).toBe('error');
    if (placedElsewhere) expect(c.host?.split('#')[0]).not.toBe(host);
    else expect(c.host).toBeNull();
    expect(c.host === null).toBe(!placedElsewhere);
  });

  it('thick: VolumeIsBusy from the driver puts the volume back to available (cinder/volume/manager.py delete_volume)', () => {
    const sc = cloud([{ name: 'node1' }]);
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    req(sc, alice, { verb: 'snapshot-create', volume: 'v', name: 's' });
    // force does not skip the snapshot check...
    expect(req(sc, alice, { verb: 'delete', volume: 'v', force: true }, 0)).toMatchObject({
      ok: false,
      message: 'Invalid volume: Volume  must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.',
    });
    // ...so reach the manager directly, as a racing request would: the LV still has a COW snapshot.
    sc.world.bus.port('ctl').cast('cinder-volume.node1@lvm', 'delete_volume', { volume_id: volume(sc, 'v').id, cascade: false });
    sc.run({ untilMs: sc.nowMs + 5_000 });
    expect(volume(sc, 'v').status).toBe('available');
    expect(sc.world.log.records.some((l) => l.message.includes('is busy'))).toBe(true);
  });
});

describe('types and backends (cinder/volume/volume_types.py)', () => {
  it('a type whose volume_backend_name no backend reports fails at scheduling, not in the API', () => {
    const sc = cloud([{ name: 'node1', backends: { lvm: { volume_backend_name: 'sata' } } }]);
    okResult(req(sc, admin, { verb: 'type-create', name: 'ssd' }));
    okResult(req(sc, admin, { verb: 'type-key', vtype: 'ssd', action: 'set', specs: { volume_backend_name: 'ssd' } }));
    okResult(req(sc, admin, { verb: 'type-create', name: 'sata' }));
    okResult(req(sc, admin, { verb: 'type-key', vtype: 'sata', action: 'set', specs: { volume_backend_name: 'sata' } }));
    expect(okResult(req(sc, alice, { verb: 'create', size: 1, volume_type: 'ssd', name: 'a' }, 0))).toMatchObject({ status: 'creating' });
    req(sc, alice, { verb: 'create', size: 1, volume_type: 'sata', name: 'b' });
    expect(volume(sc, 'a')).toMatchObject({ status: 'error', host: null });
    expect(volume(sc, 'b')).toMatchObject({ status: 'available', host: 'node1@lvm#sata' });
    const failed = sc.cloud.snapshot().decisions.find((d) => !d.ok)!;
    expect(failed.reason).toBe('No valid backend was found. No weighed backends available');
    expect(sc.world.log.records.some((l) => l.message.includes('ScheduleCreateVolumeTask;volume:create: No valid backend was found.'))).toBe(true);
  });

  it('private types are invisible to other projects until shared', () => {
    const sc = cloud([{ name: 'node1' }]);
    okResult(req(sc, admin, { verb: 'type-create', name: 'gold', is_public: false }));
    expect(req(sc, alice, { verb: 'create', size: 1, volume_type: 'gold' }, 0)).toMatchObject({ ok: false, http: 404, message: 'Volume type with name gold could not be found.' });
    okResult(req(sc, admin, { verb: 'type-access-add', vtype: 'gold', project_id: 'alice' }));
    okResult(req(sc, alice, { verb: 'create', size: 1, volume_type: 'gold' }));
  });

  it('retype on the same backend is done by the driver; a type needing another backend needs migration', () => {
    const sc = cloud([{ name: 'node1', backends: { a: { volume_backend_name: 'A' }, b: { volume_backend_name: 'B' } } }]);
    for (const n of ['A', 'B', 'A2']) okResult(req(sc, admin, { verb: 'type-create', name: n }));
    okResult(req(sc, admin, { verb: 'type-key', vtype: 'A', action: 'set', specs: { volume_backend_name: 'A' } }));
    okResult(req(sc, admin, { verb: 'type-key', vtype: 'A2', action: 'set', specs: { volume_backend_name: 'A', 'qos:foo': 'bar' } }));
    okResult(req(sc, admin, { verb: 'type-key', vtype: 'B', action: 'set', specs: { volume_backend_name: 'B' } }));
    req(sc, alice, { verb: 'create', size: 1, volume_type: 'A', name: 'v' });
    okResult(req(sc, alice, { verb: 'retype', volume: 'v', volume_type: 'A2' }));
    expect(okResult(req(sc, alice, { verb: 'show', volume: 'v' }))).toMatchObject({ status: 'available', volume_type: 'A2' });
    okResult(req(sc, alice, { verb: 'retype', volume: 'v', volume_type: 'B' }));
    expect(okResult(req(sc, alice, { verb: 'show', volume: 'v' }))).toMatchObject({ status: 'available', volume_type: 'A2' });
    expect(sc.cloud.snapshot().decisions.at(-1)!.reason).toMatch(
      new RegExp(`^No valid backend was found. Current backend not valid for volume ${volume(sc, 'v').id} with type .*'name': 'B'.*, migration not allowed$`),
    );
  });
});

describe('availability zones (cinder/volume/flows/api/create_volume.py)', () => {
  it('availability-zone-list comes from volume services, up or down; disabled-only zones are unavailable', () => {
    const sc = cloud([
      { name: 'node1', DEFAULT: { storage_availability_zone: 'az1' } },
      { name: 'node2', DEFAULT: { storage_availability_zone: 'az2' } },
      { name: 'node3', backends: { lvm: { backend_availability_zone: 'az3' } } },
    ]);
    sc.cloud.service({ binary: 'cinder-volume', host: 'node1@lvm' }).stop();
    okResult(req(sc, admin, { verb: 'service-disable', host: 'node2@lvm', binary: 'cinder-volume' }, 100_000));
    expect(okResult(req(sc, alice, { verb: 'availability-zone-list' }))).toEqual([
      { zoneName: 'az1', zoneState: { available: true } },
      { zoneName: 'az2', zoneState: { available: false } },
      { zoneName: 'az3', zoneState: { available: true } },
    ]);
  });

  it('the scheduler writes the chosen backend AZ; an unset AZ defaults to the API node storage_availability_zone', () => {
    const sc = cloud([{ name: 'node1', DEFAULT: { storage_availability_zone: 'az1' } }], { controllerDefaults: { storage_availability_zone: 'az1' } });
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    expect(volume(sc, 'v')).toMatchObject({ status: 'available', availability_zone: 'az1' });
  });

  it('allow_availability_zone_fallback sends an unknown AZ to the default', () => {
    const sc = cloud([{ name: 'node1' }], { controllerDefaults: { allow_availability_zone_fallback: true } });
    req(sc, alice, { verb: 'create', size: 1, name: 'v', availability_zone: 'elsewhere' });
    expect(volume(sc, 'v')).toMatchObject({ status: 'available', availability_zone: 'nova' });
  });

  it('a new AZ is refused once by the cached zone list, then accepted (surprise #11)', () => {
    const sc = cloud([{ name: 'node1' }]);
    req(sc, alice, { verb: 'create', size: 1 });
    sc.cloud.service({ binary: 'cinder-volume', host: 'node1@lvm' }).stop();
    sc.world.db.rows('services').get('cinder-volume:node1@lvm')!;
    const row = sc.world.db.rows('services').get('cinder-volume:node1@lvm') as unknown as { availability_zone: string };
    row.availability_zone = 'newaz';
    expect(req(sc, alice, { verb: 'create', size: 1, availability_zone: 'newaz' }, 0)).toMatchObject({ ok: false, message: "Availability zone 'newaz' is invalid." });
    expect(req(sc, alice, { verb: 'create', size: 1, availability_zone: 'newaz' }, 0).ok).toBe(true);
  });
});

describe('transfers (cinder/transfer/api.py)', () => {
  it('moves a volume with its snapshots and quota to the accepting project; a wrong key is refused', () => {
    const sc = cloud([{ name: 'node1' }]);
    req(sc, alice, { verb: 'create', size: 3, name: 'v' });
    req(sc, alice, { verb: 'snapshot-create', volume: 'v', name: 's' });
    const t = okResult<{ id: string; auth_key: string }>(req(sc, alice, { verb: 'transfer-create', volume: 'v' }));
    expect(t.auth_key).toMatch(/^[0-9a-f]{16}$/);
    expect(volume(sc, 'v').status).toBe('awaiting-transfer');
    expect(req(sc, bob, { verb: 'transfer-accept', transfer: t.id, auth_key: 'deadbeefdeadbeef' })).toMatchObject({
      ok: false,
      http: 400,
      message: `Invalid auth key: Attempt to transfer ${t.id} with invalid auth key.`,
    });
    okResult(req(sc, bob, { verb: 'transfer-accept', transfer: t.id, auth_key: t.auth_key }));
    expect(volume(sc, 'v')).toMatchObject({ status: 'available', project_id: 'bob' });
    expect(sc.cloud.snapshot().snapshots[0]!.project_id).toBe('bob');
    expect(okResult(req(sc, alice, { verb: 'quota-usage' }))).toMatchObject({ volumes: { in_use: 0 }, gigabytes: { in_use: 0 }, snapshots: { in_use: 0 } });
    expect(okResult(req(sc, bob, { verb: 'quota-usage' }))).toMatchObject({ volumes: { in_use: 1 }, gigabytes: { in_use: 6 }, snapshots: { in_use: 1 } });
  });

  it('accept needs a live cinder-volume (synchronous call): a stopped one times out and nothing moves', () => {
    const sc = cloud([{ name: 'node1' }]);
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    const t = okResult<{ id: string; auth_key: string }>(req(sc, alice, { verb: 'transfer-create', volume: 'v' }));
    sc.cloud.service({ binary: 'cinder-volume', host: 'node1@lvm' }).stop();
    const o = req(sc, bob, { verb: 'transfer-accept', transfer: t.id, auth_key: t.auth_key });
    expect(o).toMatchObject({ ok: false, http: 500, error: 'MessagingTimeout' });
    expect(o.answeredAtMs - o.atMs).toBe(60_000);
    expect(volume(sc, 'v')).toMatchObject({ status: 'awaiting-transfer', project_id: 'alice' });
  });

  it('transfer-delete returns the volume to available', () => {
    const sc = cloud([{ name: 'node1' }]);
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    const t = okResult<{ id: string }>(req(sc, alice, { verb: 'transfer-create', volume: 'v' }));
    okResult(req(sc, alice, { verb: 'transfer-delete', transfer: t.id }));
    expect(volume(sc, 'v').status).toBe('available');
  });
});

describe('backups (cinder/backup/api.py, cinder/backup/manager.py)', () => {
  it('take time in proportion to size, and outlive their volume and its backend', () => {
    const sc = cloud([{ name: 'node1' }, { name: 'node2' }]);
    req(sc, alice, { verb: 'create', size: 10, name: 'v' });
    okResult(req(sc, alice, { verb: 'backup-create', volume: 'v', name: 'b' }, 0));
    expect(volume(sc, 'v').status).toBe('backing-up');
    sc.run({ untilMs: sc.nowMs + 100_000 });
    expect(sc.cloud.snapshot().backups[0]!.status).toBe('creating');
    sc.run({ untilMs: sc.nowMs + 5_000 });
    expect(sc.cloud.snapshot().backups[0]!.status).toBe('available');
    expect(volume(sc, 'v').status).toBe('available');
    const host = volume(sc, 'v').host!.split('#')[0]!;
    okResult(req(sc, alice, { verb: 'delete', volume: 'v' }));
    // The backend's storage and then its node die; once the service is down the scheduler skips it.
    sc.cloud.failBackend(host);
    sc.cloud.service({ binary: 'cinder-volume', host }).stop();
    sc.run({ untilMs: sc.nowMs + 90_000 });
    const o = req(sc, alice, { verb: 'backup-restore', backup: 'b' }, 200_000);
    // The API created the volume and polled it once a second before answering.
    expect(o.answeredAtMs - o.atMs).toBeGreaterThanOrEqual(1000);
    const r = okResult<{ volume_id: string }>(o);
    const restored = sc.cloud.snapshot().volumes.find((v) => v.id === r.volume_id)!;
    expect(restored).toMatchObject({ status: 'available', display_name: `restore_backup_${sc.cloud.snapshot().backups[0]!.id}`, size: 10 });
    expect(restored.metadata).toMatchObject({ src_backup_id: sc.cloud.snapshot().backups[0]!.id });
  });

  it('no backup service in the volume AZ: the backup goes to error with Cinder reason', () => {
    const sc = cloud([{ name: 'node1', backends: { lvm: { backend_availability_zone: 'az9' } } }]);
    req(sc, alice, { verb: 'create', size: 1, name: 'v', availability_zone: 'az9' });
    req(sc, alice, { verb: 'backup-create', volume: 'v' });
    expect(sc.cloud.snapshot().backups[0]).toMatchObject({ status: 'error', fail_reason: 'Service not found for creating backup.' });
    expect(volume(sc, 'v').status).toBe('available');
  });

  it('a backup of a volume whose backend failed ends in error; the volume keeps its status', () => {
    const sc = cloud([{ name: 'node1' }]);
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    sc.cloud.failBackend('node1@lvm');
    req(sc, alice, { verb: 'backup-create', volume: 'v' });
    expect(sc.cloud.snapshot().backups[0]!.status).toBe('error');
    expect(volume(sc, 'v')).toMatchObject({ status: 'available', previous_status: 'error_backing-up' });
  });
});

describe('extend through the scheduler (cinder/scheduler/manager.py extend_volume)', () => {
  it('grows the volume and the pool allocation; on a full backend it rolls back', () => {
    const sc = cloud([{ name: 'node1', backends: { lvm: { lvm_type: 'default', vg_size_gb: 20 } } }]);
    req(sc, alice, { verb: 'create', size: 5, name: 'v' });
    okResult(req(sc, alice, { verb: 'extend', volume: 'v', new_size: 8 }));
    expect(volume(sc, 'v')).toMatchObject({ status: 'available', size: 8 });
    okResult(req(sc, alice, { verb: 'extend', volume: 'v', new_size: 50 }));
    expect(volume(sc, 'v')).toMatchObject({ status: 'available', size: 8 });
    expect(sc.cloud.snapshot().decisions.at(-1)!.reason).toBe(`Cannot place volume ${volume(sc, 'v').id} on node1@lvm#LVM.`);
    expect(okResult(req(sc, alice, { verb: 'quota-usage' }))).toMatchObject({ gigabytes: { in_use: 8 } });
  });
});

describe('retype with migration_policy on-demand (cinder/scheduler/manager.py retype)', () => {
  it('migrates the volume to a backend that fits the new type', () => {
    const thick = { lvm_type: 'default' as const, vg_size_gb: 100 };
    const sc = cloud([{ name: 'node1', backends: { a: { ...thick, volume_backend_name: 'A' } } }, { name: 'node2', backends: { b: { ...thick, volume_backend_name: 'B' } } }]);
    for (const n of ['A', 'B']) {
      okResult(req(sc, admin, { verb: 'type-create', name: n }));
      okResult(req(sc, admin, { verb: 'type-key', vtype: n, action: 'set', specs: { volume_backend_name: n } }));
    }
    req(sc, alice, { verb: 'create', size: 2, volume_type: 'A', name: 'v' });
    okResult(req(sc, alice, { verb: 'retype', volume: 'v', volume_type: 'B', migration_policy: 'on-demand' }, 60_000));
    expect(volume(sc, 'v')).toMatchObject({ status: 'available', host: 'node2@b#B', migration_status: 'success' });
    const pools = Object.fromEntries(sc.cloud.snapshot().pools.map((p) => [p.backend, p]));
    expect(pools['node1@a']).toMatchObject({ free_capacity_gb: 100, allocated_capacity_gb: 0 });
    expect(pools['node2@b']).toMatchObject({ free_capacity_gb: 98, allocated_capacity_gb: 2 });
  });
});

describe('backup chains and restores (cinder/backup/api.py)', () => {
  it('full then incremental; restore into an existing larger volume; delete newest first', () => {
    const sc = cloud([{ name: 'node1' }]);
    req(sc, alice, { verb: 'create', size: 4, name: 'v' });
    req(sc, alice, { verb: 'backup-create', volume: 'v', name: 'full' }, 60_000);
    req(sc, alice, { verb: 'backup-create', volume: 'v', name: 'inc', incremental: true }, 60_000);
    const backups = sc.cloud.snapshot().backups;
    expect(backups.map((b) => [b.display_name, b.status, b.is_incremental, b.parent_id])).toEqual([
      ['full', 'available', false, null],
      ['inc', 'available', true, backups[0]!.id],
    ]);
    req(sc, alice, { verb: 'create', size: 8, name: 'target' });
    const r = okResult<{ volume_id: string }>(req(sc, alice, { verb: 'backup-restore', backup: 'inc', volume: 'target' }, 0));
    expect(r.volume_id).toBe(volume(sc, 'target').id);
    expect(volume(sc, 'target').status).toBe('restoring-backup');
    sc.run({ untilMs: sc.nowMs + 60_000 });
    expect(volume(sc, 'target')).toMatchObject({ status: 'available', size: 8 });
    okResult(req(sc, alice, { verb: 'backup-delete', backup: 'inc' }));
    okResult(req(sc, alice, { verb: 'backup-delete', backup: 'full' }));
    expect(sc.cloud.snapshot().backups).toEqual([]);
    expect(okResult(req(sc, alice, { verb: 'quota-usage' }))).toMatchObject({ backups: { in_use: 0 }, backup_gigabytes: { in_use: 0 } });
  });

  it('a backup made by another driver cannot be restored by this one', () => {
    const sc = cloud([{ name: 'node1' }]);
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    req(sc, alice, { verb: 'backup-create', volume: 'v', name: 'b' }, 60_000);
    const row = sc.world.db.rows('backups').values().next().value as unknown as { service: string };
    row.service = 'cinder.backup.drivers.ceph.CephBackupDriver';
    req(sc, alice, { verb: 'backup-restore', backup: 'b', volume: 'v' }, 60_000);
    expect(volume(sc, 'v').status).toBe('error_restoring');
    expect(sc.cloud.snapshot().backups[0]!.status).toBe('available');
    expect(sc.world.log.records.some((l) => l.message.startsWith('Restore backup aborted, the backup service currently configured [cinder.backup.drivers.swift.SwiftBackupDriver]'))).toBe(true);
  });
});

describe('a failed backend (seed notes: a snapshot is useless once its volume is broken)', () => {
  it('snapshots and volumes from snapshots on a failed backend end in error', () => {
    const sc = cloud([{ name: 'node1' }, { name: 'node2' }]);
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    req(sc, alice, { verb: 'snapshot-create', volume: 'v', name: 's' });
    const host = volume(sc, 'v').host!.split('#')[0]!;
    sc.cloud.failBackend(host);
    req(sc, alice, { verb: 'snapshot-create', volume: 'v', name: 's2' });
    expect(sc.cloud.snapshot().snapshots.find((s) => s.display_name === 's2')!.status).toBe('error');
    req(sc, alice, { verb: 'create', snapshot_id: idOf(sc, 'snapshots', 's'), name: 'fromsnap' });
    expect(volume(sc, 'fromsnap').status).toBe('error');
  });
});

describe('_retype_is_possible (surprise #12)', () => {
  it.each<{ name: string; specs: Record<string, string>; srcSpecs: Record<string, string>; disable: number; ok: boolean }>([
    { name: 'same volume_backend_name', specs: { volume_backend_name: 'LVM' }, srcSpecs: { volume_backend_name: 'LVM' }, disable: 0, ok: true },
    { name: 'neither type names a backend', specs: { 'qos:x': '1' }, srcSpecs: {}, disable: 0, ok: true },
    { name: 'different backends, nothing disabled', specs: { volume_backend_name: 'LVM' }, srcSpecs: {}, disable: 0, ok: false },
    { name: 'different backends, exactly one disabled service', specs: { volume_backend_name: 'LVM' }, srcSpecs: {}, disable: 1, ok: true },
  ])('clone with another type: $name', ({ specs, srcSpecs, disable, ok }) => {
    const sc = cloud([{ name: 'node1' }, { name: 'node2' }]);
    for (const [n, sp] of [['src', srcSpecs], ['dst', specs]] as const) {
      okResult(req(sc, admin, { verb: 'type-create', name: n }));
      if (Object.keys(sp).length) okResult(req(sc, admin, { verb: 'type-key', vtype: n, action: 'set', specs: sp }));
    }
    req(sc, alice, { verb: 'create', size: 1, name: 'v', volume_type: 'src' });
    if (disable) okResult(req(sc, admin, { verb: 'service-disable', host: 'node2@lvm', binary: 'cinder-volume' }));
    expect(req(sc, alice, { verb: 'create', size: 1, source_volid: idOf(sc, 'volumes', 'v'), volume_type: 'dst' }, 0).ok).toBe(ok);
  });
});

describe('create from a backup (v3.47)', () => {
  it('restores the backup into the new volume; a scheduling failure leaves the backup available', () => {
    const sc = cloud([{ name: 'node1' }]);
    req(sc, alice, { verb: 'create', size: 2, name: 'v' });
    req(sc, alice, { verb: 'backup-create', volume: 'v', name: 'b' }, 60_000);
    req(sc, { ...alice, api_version: '3.47' }, { verb: 'create', backup_id: idOf(sc, 'backups', 'b'), name: 'c' }, 60_000);
    expect(volume(sc, 'c')).toMatchObject({ status: 'available', size: 2 });
    expect(volume(sc, 'c').metadata).toMatchObject({ src_backup_id: sc.cloud.snapshot().backups[0]!.id });
    okResult(req(sc, admin, { verb: 'service-disable', host: 'node1@lvm', binary: 'cinder-volume' }));
    req(sc, { ...alice, api_version: '3.47' }, { verb: 'create', backup_id: idOf(sc, 'backups', 'b'), name: 'd' }, 60_000);
    expect(volume(sc, 'd')).toMatchObject({ status: 'error', host: null });
    expect(sc.cloud.snapshot().backups[0]!.status).toBe('available');
  });
});
