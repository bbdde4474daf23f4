import { describe, expect, test } from 'vitest';
import { LogSink } from '../../../sim/engine/log.js';
import { HostManager } from '../../../sim/cinder/scheduler/host-manager.js';
import type { ServiceInfo } from '../../../sim/cinder/scheduler/host-manager.js';
import { World } from '../../../sim/engine/world.js';

describe('LogSink', () => {
  test("a service's lines carry its node, service, level and Cinder's logger name", () => {
    let now = 5;
    const sink = new LogSink(() => now);
    const log = sink.logger('node1', 'cinder-volume@lvm');
    log.error('Volume v: create failed');
    now = 9;
    log.named('cinder.cmd.volume').error(() => 'Volume service node1@lvm failed to start.');
    expect(sink.records).toEqual([
      { t: 5, node: 'node1', service: 'cinder-volume@lvm', logger: 'cinder.volume.manager', level: 'error', message: 'Volume v: create failed' },
      { t: 9, node: 'node1', service: 'cinder-volume@lvm', logger: 'cinder.cmd.volume', level: 'error', message: 'Volume service node1@lvm failed to start.' },
    ]);
    expect(sink.counts).toEqual({ debug: 0, info: 0, warning: 0, error: 2 });
  });

  test('a counting sink never builds a lazy message, and still counts it', () => {
    const sink = new LogSink(() => 0);
    const log = sink.logger('controller', 'cinder-scheduler');
    sink.keepText(false);
    let built = 0;
    log.info(() => `built ${++built}`);
    expect(log.keepsText).toBe(false);
    expect(built).toBe(0);
    expect(sink.records).toEqual([]);
    expect(sink.counts.info).toBe(1);
  });
});

describe("host_manager's lines", () => {
  const rig = () => {
    const world = new World({ seed: '7' });
    const node = world.addNode('controller');
    const hm = new HostManager({ clock: node.clock, log: world.log.logger('controller', 'cinder-scheduler') });
    const service = (host: string, extra: Partial<ServiceInfo> = {}): ServiceInfo => ({ host, availability_zone: 'nova', disabled: false, frozen: false, up: true, ...extra });
    return { world, node, hm, service };
  };

  test('a down service is warned of at every call; disabled and frozen ones are not listed, so not warned of', () => {
    const { world, node, hm, service } = rig();
    hm.updateServiceCapabilities('a@x', { volume_backend_name: 'x' }, node.clock.wallNow() - 1);
    const services = [service('a@x'), service('b@x', { up: false }), service('c@x', { up: false, disabled: true }), service('d@x', { up: false, frozen: true })];
    hm.getAllBackendStates(services);
    hm.getAllBackendStates(services);
    expect(world.log.records.map((r) => [r.logger, r.level, r.message])).toEqual([
      ['cinder.scheduler.host_manager', 'warning', 'volume service is down. (host: b@x)'],
      ['cinder.scheduler.host_manager', 'warning', 'volume service is down. (host: b@x)'],
    ]);
  });

  test('an older report than the stored one is ignored, at INFO', () => {
    const { world, node, hm } = rig();
    const t = node.clock.wallNow();
    hm.updateServiceCapabilities('a@x', { volume_backend_name: 'x' }, t - 10);
    hm.updateServiceCapabilities('a@x', { volume_backend_name: 'x' }, t - 20);
    expect(world.log.records.map((r) => [r.logger, r.level, r.message])).toEqual([['cinder.scheduler.host_manager', 'info', 'Ignoring old capability report from a@x.']]);
  });
});
