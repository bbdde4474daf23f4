import { describe, expect, it } from 'vitest';
import type { CallResult } from '../../../sim/ports/bus.js';
import type { Row } from '../../../sim/ports/store.js';
import { LiveWorld } from '../../../sim/live/world.js';

describe('live world ports', () => {
  it('a call round-trips over the in-process bus and the store stamps real wall time', async () => {
    const w = new LiveWorld(1);
    const vol = w.ports('node1', 'cinder-volume');
    const api = w.ports('controller', 'cinder-api');
    vol.bus.serve('cinder-volume.node1@lvm', (method, args) => `${method}:${String(args.size)}`);
    const before = Date.now();
    const r = await new Promise<CallResult>((resolve) => api.bus.call('cinder-volume.node1@lvm', 'create_volume', { size: 10 }, 1000, resolve));
    expect(r).toEqual({ ok: true, reply: 'create_volume:10' });
    const row = vol.store.table<Row & { host: string }>('services').insert({ id: 's', host: 'node1@lvm' });
    expect(row.created_at).toBeGreaterThanOrEqual(before);
    w.shutdown();
  });
  it('a call with no server times out with MessagingTimeout', async () => {
    const w = new LiveWorld(1);
    const r = await new Promise<CallResult>((resolve) => w.ports('a', 'x').bus.call('nobody', 'm', {}, 20, resolve));
    expect(r).toMatchObject({ ok: false, error: 'MessagingTimeout' });
    w.shutdown();
  });
});
