import { describe, expect, it } from 'vitest';
import type { ServiceListRow } from '../../../sim/cinder/api/services.js';
import { admin, alice, cloud, okResult, req, volume } from './fixtures.js';

const rows = (o: Parameters<typeof okResult>[0]) => okResult<ServiceListRow[]>(o);
const volRow = (list: ServiceListRow[], host: string) => list.find((r) => r.binary === 'cinder-volume' && r.host === host)!;

describe('service liveness as Cinder judges it (cinder/objects/service.py Service.is_up)', () => {
  it.each([
    { name: 'in sync', offsetMs: 0, list: 'up', schedulable: true },
    { name: '30 s behind', offsetMs: -30_000, list: 'up', schedulable: true },
    { name: '90 s behind: down everywhere', offsetMs: -90_000, list: 'down', schedulable: false },
    { name: '90 s ahead: down in service-list, still up for the scheduler', offsetMs: 90_000, list: 'down', schedulable: true },
  ])('volume node clock $name', ({ offsetMs, list, schedulable }) => {
    const sc = cloud([{ name: 'node1', clock: { offset_ms: offsetMs } }]);
    const r = volRow(rows(req(sc, admin, { verb: 'service-list' })), 'node1@lvm');
    expect(r.state).toBe(list);
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    expect(volume(sc, 'v').status).toBe(schedulable ? 'available' : 'error');
    // The volume node itself logs nothing wrong: the skew is invisible to it.
    expect(sc.world.log.records.filter((l) => l.node === 'node1' && l.level === 'error')).toEqual([]);
  });

  it('a clock step back of 90 s at runtime flips the service down, NTP step brings it back', () => {
    const sc = cloud([{ name: 'node1' }]);
    sc.clock('node1').step(-90_000);
    sc.run({ untilMs: sc.nowMs + 20_000 });
    expect(volRow(rows(req(sc, admin, { verb: 'service-list' })), 'node1@lvm').state).toBe('down');
    sc.clock('node1').setNtp({ mode: 'step' });
    sc.run({ untilMs: sc.nowMs + 20_000 });
    expect(volRow(rows(req(sc, admin, { verb: 'service-list' })), 'node1@lvm').state).toBe('up');
  });

  it('a stopped service goes down after service_down_time; disable keeps updated_at and stops placement', () => {
    const sc = cloud([{ name: 'node1' }, { name: 'node2' }]);
    sc.cloud.service({ binary: 'cinder-volume', host: 'node1@lvm' }).stop();
    sc.run({ untilMs: sc.nowMs + 80_000 });
    const list = rows(req(sc, admin, { verb: 'service-list' }));
    expect(volRow(list, 'node1@lvm').state).toBe('down');
    expect(volRow(list, 'node2@lvm').state).toBe('up');
    const d = req(sc, admin, { verb: 'service-disable', host: 'node2@lvm', binary: 'cinder-volume', reason: 'maintenance' });
    expect(okResult(d)).toMatchObject({ status: 'disabled', disabled_reason: 'maintenance' });
    const after = volRow(rows(req(sc, admin, { verb: 'service-list' })), 'node2@lvm');
    expect(after).toMatchObject({ status: 'disabled', state: 'up', disabled_reason: 'maintenance' });
    req(sc, alice, { verb: 'create', size: 1, name: 'v' });
    expect(volume(sc, 'v')).toMatchObject({ status: 'error', host: null });
    const msgs = okResult<{ user_message: string }[]>(req(sc, { ...alice, api_version: '3.3' }, { verb: 'message-list' }));
    expect(msgs.map((m) => m.user_message)).toEqual(['schedule allocate volume:Could not find any available weighted backend.']);
  });

  it('a backend whose VG is missing never heartbeats: down from the start', () => {
    const sc = cloud([{ name: 'node1', backends: { lvm: { vg_missing: true } } }]);
    expect(volRow(rows(req(sc, admin, { verb: 'service-list' })), 'node1@lvm').state).toBe('down');
  });

  it('service_down_time <= report_interval is raised to 2.5 x report_interval by the services (the scheduler judges with it), not by cinder-api', () => {
    const sc = cloud([{ name: 'node1', DEFAULT: { report_interval: 30 } }], { controllerDefaults: { report_interval: 30, service_down_time: 20 } });
    sc.cloud.service({ binary: 'cinder-volume', host: 'node1@lvm' }).stop();
    sc.run({ untilMs: sc.nowMs + 60_000 });
    // cinder-api (a WSGIService, no basic_config_check) judges with the configured 20 s ...
    expect(volRow(rows(req(sc, admin, { verb: 'service-list' })), 'node1@lvm').state).toBe('down');
    // ... the scheduler with 75 s.
    expect(sc.view.services().find((s) => s.host === 'node1@lvm')!.schedulerState).toBe('up');
    sc.run({ untilMs: sc.nowMs + 30_000 });
    expect(sc.view.services().find((s) => s.host === 'node1@lvm')!.schedulerState).toBe('down');
  });
});
