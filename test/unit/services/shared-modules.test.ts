import { describe, expect, it } from 'vitest';
import { nodeSpec } from '../../../sim/cinder/cloud/spec.js';
import { table, tables, type TableName } from '../../../sim/cinder/db/index.js';
import { appendHost, extractBackend, extractHostPart, extractPool, volumeServiceHost } from '../../../sim/cinder/host.js';
import { isServiceUp, isServiceUpForList, serviceBinaries } from '../../../sim/cinder/service/index.js';
import { SimDatabase } from '../../../sim/engine/store.js';
import { ServiceBinary } from '../../../sim/scenario/schema.js';

describe('liveness: the scheduler is one-sided, service-list is two-sided', () => {
  const now = 100_000;
  const downMs = 60_000;
  it.each([
    { what: 'heartbeat exactly service_down_time old', beat: 40_000, scheduler: true, list: true },
    { what: 'heartbeat 1 ms older than that', beat: 39_999, scheduler: false, list: false },
    { what: 'heartbeat service_down_time in the future', beat: 160_000, scheduler: true, list: true },
    { what: 'heartbeat further in the future (service clock ahead)', beat: 200_000, scheduler: true, list: false },
  ])('$what: scheduler up=$scheduler, service-list up=$list', ({ beat, scheduler, list }) => {
    expect(isServiceUp(beat, now, downMs)).toBe(scheduler);
    expect(isServiceUpForList(beat, now, downMs)).toBe(list);
  });

  it('a service that never beat is down for the scheduler', () => {
    expect(isServiceUp(null, now, downMs)).toBe(false);
  });
});

describe('host strings (volume_utils append_host / extract_host)', () => {
  it.each([
    { host: 'node1@lvm#pool-a', backend: 'node1@lvm', pool: 'pool-a' },
    { host: 'node1@lvm', backend: 'node1@lvm', pool: null },
    { host: 'node1@lvm#a#b', backend: 'node1@lvm', pool: null },
  ])('$host -> backend $backend, pool $pool', ({ host, backend, pool }) => {
    expect(extractBackend(host)).toBe(backend);
    expect(extractPool(host)).toBe(pool);
  });

  it('append_host adds the pool, or nothing for an empty pool name', () => {
    expect(appendHost('node1@lvm', 'pool-a')).toBe('node1@lvm#pool-a');
    expect(appendHost('node1@lvm', '')).toBe('node1@lvm');
  });
});

describe('the host of a backend\'s cinder-volume (cmd/volume.py)', () => {
  it.each([
    ['node1', 'lvm', undefined, 'node1@lvm'],
    ['node1', 'lvm', null, 'node1@lvm'],
    ['node1', 'lvm', '', 'node1@lvm'],
    ['node1', 'lvm', 'shared', 'shared@lvm'],
  ] as const)('host %s, group %s, backend_host %s -> %s', (host, group, backendHost, want) => {
    expect(volumeServiceHost(host, group, backendHost)).toBe(want);
    expect(extractHostPart(appendHost(want, 'pool'))).toBe(want.split('@')[0]);
  });
});

describe('one list of service binaries', () => {
  it('the topology and the scenario schema accept exactly the binaries the service module lists', () => {
    expect(nodeSpec.shape.services.element.options).toEqual([...serviceBinaries]);
    expect(ServiceBinary.options).toEqual([...serviceBinaries]);
  });
});

describe('typed table access', () => {
  it.each(Object.entries(tables) as [TableName, string][])('table(store, %s) is Cinder table %s', (name, cinderName) => {
    const store = new SimDatabase().port({ monoNow: () => 0, wallNow: () => 0, wallAt: () => 0 });
    expect(table(store, name).name).toBe(cinderName);
  });
});
