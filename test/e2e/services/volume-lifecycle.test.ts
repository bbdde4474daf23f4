import { describe, expect, it } from 'vitest';
import { alice, cloud, okResult, req, volume } from './fixtures.js';

describe('volume lifecycle over the simulated bus', () => {
  it('create is 202 creating, then the scheduler places it and cinder-volume makes it available', () => {
    const sc = cloud([{ name: 'node1' }]);
    const o = req(sc, alice, { verb: 'create', size: 10, name: 'v1' }, 0);
    expect(okResult(o)).toMatchObject({ status: 'creating', size: 10, volume_type: '__DEFAULT__' });
    sc.run({ untilMs: sc.nowMs + 5_000 });
    expect(volume(sc, 'v1')).toMatchObject({ status: 'available', host: 'node1@lvm#LVM', availability_zone: 'nova' });
    const pool = sc.cloud.snapshot().pools[0]!;
    expect(pool).toMatchObject({ free_capacity_gb: 90, allocated_capacity_gb: 10 });
  });

  it('attach returns LVM/iSCSI connection info with CHAP; detach makes it available again', () => {
    const sc = cloud([{ name: 'node1', backends: { lvm: { target_ip_address: '10.0.1.29' } } }]);
    req(sc, alice, { verb: 'create', size: 1, name: 'v1' });
    const a = okResult<{ connection_info: { data: Record<string, unknown> } }>(req(sc, alice, { verb: 'attach', volume: 'v1', host: 'compute1' }));
    const id = volume(sc, 'v1').id;
    expect(a.connection_info.data).toMatchObject({ target_portal: '10.0.1.29:3260', target_iqn: `iqn.2010-10.org.openstack:volume-${id}`, target_lun: 1, auth_method: 'CHAP' });
    expect(volume(sc, 'v1')).toMatchObject({ status: 'in-use', attach_status: 'attached' });
    okResult(req(sc, alice, { verb: 'detach', volume: 'v1' }));
    expect(volume(sc, 'v1')).toMatchObject({ status: 'available', attach_status: 'detached' });
  });

  it('delete frees the space and the quota', () => {
    const sc = cloud([{ name: 'node1' }]);
    req(sc, alice, { verb: 'create', size: 10, name: 'v1' });
    okResult(req(sc, alice, { verb: 'delete', volume: 'v1' }));
    expect(sc.cloud.snapshot().volumes).toHaveLength(0);
    expect(okResult(req(sc, alice, { verb: 'quota-usage' }))).toMatchObject({ volumes: { in_use: 0 }, gigabytes: { in_use: 0 } });
  });
});

describe('configuration the services read', () => {
  it('the portal comes from target_ip_address (the legacy iscsi_ip_address is not an option the cloud takes)', () => {
    const sc = cloud([{ name: 'node1', backends: { lvm: { target_ip_address: '192.168.0.5' } } }]);
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    const a = okResult<{ connection_info: { data: { target_portal: string } } }>(req(sc, alice, { verb: 'attach', volume: 'v' }));
    expect(a.connection_info.data.target_portal).toBe('192.168.0.5:3260');
  });

  it('a cinder-volume node without enabled_backends runs no volume service and says why', () => {
    const sc = cloud([{ name: 'node1', backends: {} }]);
    expect(sc.cloud.volumeServices.size).toBe(0);
    expect(sc.world.log.records.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([
      'Configuration for cinder-volume does not specify "enabled_backends". Using DEFAULT section to configure drivers is not supported since Ocata.',
    ]);
  });

  it('extending an in-use volume needs microversion 3.42', () => {
    const sc = cloud([{ name: 'node1' }]);
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    okResult(req(sc, alice, { verb: 'attach', volume: 'v' }));
    okResult(req(sc, { ...alice, api_version: '3.42' }, { verb: 'extend', volume: 'v', new_size: 2 }));
    expect(volume(sc, 'v')).toMatchObject({ status: 'in-use', size: 2 });
  });
});
