import { describe, expect, it } from 'vitest';
import type { CallResult } from '../../../sim/ports/bus.js';
import type { Row } from '../../../sim/ports/store.js';
import { World } from '../../../sim/engine/world.js';

function twoNodes(seed = 1) {
  const w = new World({ seed });
  w.addNode('controller');
  w.addNode('node1');
  w.addNode('node2');
  return w;
}

describe('simulated bus', () => {
  it('cast is delivered after the link latency', () => {
    const w = twoNodes();
    w.bus.setDefaultLink({ latency: { dist: 'constant', ms: 7 } });
    const got: [string, number, unknown][] = [];
    w.bus.port('node1').serve('cinder-volume.node1@lvm', (method, args) => got.push([method, w.sim.now, args.size]));
    w.bus.port('controller').cast('cinder-volume.node1@lvm', 'create_volume', { size: 10 });
    w.sim.run();
    expect(got).toEqual([['create_volume', 7, 10]]);
  });

  it('call returns the reply after a round trip, or MessagingTimeout when nobody answers', () => {
    const w = twoNodes();
    w.bus.setDefaultLink({ latency: { dist: 'constant', ms: 5 } });
    w.bus.port('node1').serve('cinder-volume.node1@lvm', (_m, args) => ({ echo: args.x }));
    const results: [number, CallResult][] = [];
    const c = w.bus.port('controller');
    c.call('cinder-volume.node1@lvm', 'ping', { x: 3 }, 60_000, (r) => results.push([w.sim.now, r]));
    c.call('cinder-volume.node9@lvm', 'ping', {}, 60_000, (r) => results.push([w.sim.now, r]));
    w.sim.run();
    expect(results[0]).toEqual([10, { ok: true, reply: { echo: 3 } }]);
    expect(results[1]![0]).toBe(60_000);
    expect(results[1]![1]).toMatchObject({ ok: false, error: 'MessagingTimeout' });
  });

  it('a handler that throws gives the caller a RemoteError', () => {
    const w = twoNodes();
    w.bus.port('node1').serve('t', () => {
      throw new Error('VolumeIsBusy');
    });
    let r: CallResult | undefined;
    w.bus.port('controller').call('t', 'delete', {}, 1000, (x) => (r = x));
    w.sim.run();
    expect(r).toEqual({ ok: false, error: 'RemoteError', message: 'VolumeIsBusy' });
  });

  it('fanout reaches every server of a topic; cast goes round-robin', () => {
    const w = twoNodes();
    const seen: string[] = [];
    w.bus.port('node1').serve('cinder-scheduler', (m) => seen.push(`node1:${m}`));
    w.bus.port('node2').serve('cinder-scheduler', (m) => seen.push(`node2:${m}`));
    const c = w.bus.port('controller');
    c.fanout('cinder-scheduler', 'update_service_capabilities', {});
    w.sim.run();
    c.cast('cinder-scheduler', 'a', {});
    c.cast('cinder-scheduler', 'b', {});
    w.sim.run();
    expect(seen).toEqual(['node1:update_service_capabilities', 'node2:update_service_capabilities', 'node1:a', 'node2:b']);
  });

  it('a partition drops messages between its sides until it heals', () => {
    const w = twoNodes();
    w.bus.partition(['controller'], ['node1'], 100, 200);
    const seen: number[] = [];
    w.bus.port('node1').serve('t', () => seen.push(w.sim.now));
    const c = w.bus.port('controller');
    for (const at of [50, 150, 250]) w.sim.scheduleAt(at, () => c.cast('t', 'm', {}));
    w.sim.run();
    expect(seen).toEqual([51, 251]);
    expect(w.bus.stats.partitioned).toBe(1);
  });

  it('loss drops about the configured fraction, replayably', () => {
    const count = (seed: number) => {
      const w = twoNodes(seed);
      w.bus.setLink('controller', 'node1', { loss: 0.3 });
      let n = 0;
      w.bus.port('node1').serve('t', () => n++);
      for (let i = 0; i < 2000; i++) w.bus.port('controller').cast('t', 'm', {});
      w.sim.run();
      return n;
    };
    expect(count(1)).toBe(count(1));
    expect(count(1) / 2000).toBeGreaterThan(0.65);
    expect(count(1) / 2000).toBeLessThan(0.75);
  });

  it('unknown nodes and bad links are refused by name', () => {
    const w = twoNodes();
    expect(() => w.bus.port('node7')).toThrow(/SimBus.port: unknown node 'node7'/);
    expect(() => w.bus.setLink('controller', 'node1', { loss: 2 })).toThrow(/loss must be a probability in \[0, 1\], got 2/);
    expect(() => w.node('nodeX', 'fault plan')).toThrow(/fault plan: unknown node 'nodeX'; known: controller, node1, node2/);
  });
});

interface ServiceRow extends Row {
  host: string;
}

describe('simulated store', () => {
  it('stamps created_at and updated_at with the writer node clock', () => {
    const w = new World({ seed: 1, epochMs: 0 });
    w.addNode('controller');
    w.addNode('node3', { offset_ms: -120_000 });
    const fromNode3 = w.db.port(w.node('node3').clock).table<ServiceRow>('services');
    const fromController = w.db.port(w.node('controller').clock).table<ServiceRow>('services');
    w.sim.scheduleAt(1_000_000, () => fromNode3.insert({ id: 's1', host: 'node3@lvm' }));
    w.sim.scheduleAt(1_010_000, () => fromController.update('s1', { host: 'node3@lvm' }));
    w.sim.run({ untilMs: 1_005_000 });
    expect(fromController.get('s1')).toMatchObject({ created_at: 880_000, updated_at: 880_000 });
    w.sim.run();
    expect(fromController.get('s1')).toMatchObject({ created_at: 880_000, updated_at: 1_010_000 });
  });

  it('soft-deleted rows disappear from lists but stay readable by id', () => {
    const w = new World({ seed: 1 });
    w.addNode('n');
    const t = w.db.port(w.node('n').clock).table<ServiceRow>('services');
    t.insert({ id: 'a', host: 'x' });
    t.insert({ id: 'b', host: 'y' });
    t.softDelete('a');
    expect(t.list().map((r) => r.id)).toEqual(['b']);
    expect(t.get('a')?.deleted).toBe(true);
    expect(() => t.insert({ id: 'b', host: 'z' })).toThrow(/duplicate id 'b'/);
  });

  it('lists keep insertion order through deletes and undeletes; every write, from any port, moves the version', () => {
    const w = new World({ seed: 1 });
    w.addNode('n');
    w.addNode('m');
    const t = w.db.port(w.node('n').clock).table<ServiceRow>('services');
    const other = w.db.port(w.node('m').clock).table<ServiceRow>('services');
    const v0 = t.version;
    for (const id of ['a', 'b', 'c', 'd']) t.insert({ id, host: id });
    expect(t.version).toBe(v0 + 4);
    t.softDelete('b');
    other.softDelete('d');
    expect(t.list().map((r) => r.id)).toEqual(['a', 'c']);
    expect(t.list((r) => r.host !== 'a').map((r) => r.id)).toEqual(['c']);
    // An undelete puts the row back where it was inserted, not at the end.
    other.update('b', { deleted: false });
    expect(t.list().map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(other.version).toBe(v0 + 7);
    expect(t.version).toBe(other.version);
    // `rows` holds every row, the soft-deleted one included.
    expect([...w.db.rows('services').keys()]).toEqual(['a', 'b', 'c', 'd']);
  });
});
