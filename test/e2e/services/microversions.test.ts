import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../sim/cinder/api/requests.js';
import { admin, alice, cloud, okResult, req } from './fixtures.js';

/** The API's rules gated on a microversion, both sides of each gate, and the id fields' UUID schema. */
const at = (ctx: RequestContext, api_version: string): RequestContext => ({ ...ctx, api_version });

describe('API microversions', () => {
  it('a request that names no version is served as 3.0; a malformed one is a 400, one above 3.70 a 406', () => {
    const sc = cloud([{ name: 'n1' }]);
    const bare = okResult<Record<string, unknown>[]>(req(sc, admin, { verb: 'service-list' }))[0]!;
    expect('cluster' in bare).toBe(false);
    const bad = req(sc, at(admin, '3.x'), { verb: 'service-list' });
    expect(bad).toMatchObject({ ok: false, http: 400, message: 'API Version String 3.x is of invalid format. Must be of format MajorNum.MinorNum.' });
    const high = req(sc, at(admin, '3.71'), { verb: 'service-list' });
    expect(high).toMatchObject({ ok: false, http: 406, message: 'Version 3.71 is not supported by the API. Minimum is 3.0 and maximum is 3.70.' });
  });

  it('3.66: snapshot-create of an in-use volume needs force below, not from 3.66; force=false is refused from 3.66', () => {
    const sc = cloud([{ name: 'n1' }]);
    req(sc, alice, { verb: 'create', name: 'v', size: 1 });
    req(sc, alice, { verb: 'attach', volume: 'v' });
    const below = req(sc, at(alice, '3.65'), { verb: 'snapshot-create', volume: 'v', force: false });
    expect(below).toMatchObject({ ok: false, http: 400 });
    expect(below.ok ? '' : below.message).toContain('status must be available, but current status is: in-use.');
    expect(req(sc, at(alice, '3.66'), { verb: 'snapshot-create', volume: 'v', name: 's1' }).ok).toBe(true);
    const forceFalse = req(sc, at(alice, '3.66'), { verb: 'snapshot-create', volume: 'v', force: false });
    expect(forceFalse).toMatchObject({ ok: false, http: 400 });
    expect(forceFalse.ok ? '' : forceFalse.message).toMatch(/^Since microversion 3.66 the 'force' flag is invalid for this request/);
  });

  it('3.42: extend of an in-use volume is refused below, accepted from 3.42', () => {
    const sc = cloud([{ name: 'n1' }]);
    req(sc, alice, { verb: 'create', name: 'v', size: 1 });
    req(sc, alice, { verb: 'attach', volume: 'v' });
    const below = req(sc, at(alice, '3.41'), { verb: 'extend', volume: 'v', new_size: 2 });
    expect(below.ok ? '' : below.message).toMatch(/status must be '\{'status': 'available'\}' to extend, currently in-use\.$/);
    expect(req(sc, at(alice, '3.42'), { verb: 'extend', volume: 'v', new_size: 2 }).ok).toBe(true);
  });

  it('3.55: transfer-create --no-snapshots is ignored below (the view has no such field), honoured from 3.55', () => {
    const sc = cloud([{ name: 'n1' }]);
    req(sc, alice, { verb: 'create', name: 'a', size: 1 });
    req(sc, alice, { verb: 'create', name: 'b', size: 1 });
    const below = okResult(req(sc, at(alice, '3.54'), { verb: 'transfer-create', volume: 'a', no_snapshots: true }));
    expect('no_snapshots' in below).toBe(false);
    expect(okResult(req(sc, at(alice, '3.55'), { verb: 'transfer-create', volume: 'b', no_snapshots: true }))['no_snapshots']).toBe(true);
  });

  it('3.57: transfer-create shows the transfer history (source, destination, accepted) from 3.57 only; created_at always', () => {
    const sc = cloud([{ name: 'n1' }]);
    req(sc, alice, { verb: 'create', name: 'a', size: 1 });
    req(sc, alice, { verb: 'create', name: 'b', size: 1 });
    const below = okResult(req(sc, at(alice, '3.56'), { verb: 'transfer-create', volume: 'a' }));
    expect(Object.keys(below).sort()).toEqual(['auth_key', 'created_at', 'id', 'name', 'no_snapshots', 'volume_id']);
    expect(below['created_at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    const from = okResult(req(sc, at(alice, '3.57'), { verb: 'transfer-create', volume: 'b' }));
    expect(from).toMatchObject({ source_project_id: alice.project_id, destination_project_id: null, accepted: false });
  });

  it('3.3: message-list does not exist below (404), lists from 3.3', () => {
    const sc = cloud([{ name: 'n1' }]);
    expect(req(sc, at(alice, '3.2'), { verb: 'message-list' })).toMatchObject({ ok: false, http: 404, message: 'The resource could not be found.' });
    expect(req(sc, at(alice, '3.3'), { verb: 'message-list' }).ok).toBe(true);
  });

  it('3.47: create --backup-id is ignored below (size then decides), used from 3.47', () => {
    const sc = cloud([{ name: 'n1' }]);
    const v = okResult(req(sc, alice, { verb: 'create', name: 'v', size: 2 }));
    const b = okResult(req(sc, alice, { verb: 'backup-create', volume: 'v' })) as { id: string };
    expect(v['id']).toBeTypeOf('string');
    req(sc, alice, { verb: 'show', volume: 'v' }, 60_000);
    const below = okResult(req(sc, at(alice, '3.46'), { verb: 'create', size: 3, backup_id: b.id }));
    expect(below['backup_id']).toBeNull();
    const from = okResult(req(sc, at(alice, '3.47'), { verb: 'create', backup_id: b.id }));
    expect(from).toMatchObject({ backup_id: b.id, size: 2 });
  });

  it('service-list: cluster from 3.7, backend_state from 3.49 (asked of the scheduler)', () => {
    const sc = cloud([{ name: 'n1' }]);
    const row = (v: string) => okResult<Record<string, unknown>[]>(req(sc, at(admin, v), { verb: 'service-list', binary: 'cinder-volume' }))[0]!;
    expect('cluster' in row('3.6')).toBe(false);
    expect(row('3.7')).toMatchObject({ cluster: null });
    expect('backend_state' in row('3.48')).toBe(false);
    expect(row('3.49')).toMatchObject({ backend_state: 'up' });
  });

  it('volume view: each gated field appears from its version (3.13, 3.21 admin, 3.48, 3.61 admin, 3.63, 3.65)', () => {
    const sc = cloud([{ name: 'n1' }]);
    req(sc, admin, { verb: 'create', name: 'v', size: 1 });
    const show = (ctx: RequestContext, v: string) => okResult(req(sc, at(ctx, v), { verb: 'show', volume: 'v' }));
    const gates: [string, string, RequestContext][] = [
      ['group_id', '3.13', admin],
      ['provider_id', '3.21', admin],
      ['shared_targets', '3.48', admin],
      ['service_uuid', '3.48', admin],
      ['cluster_name', '3.61', admin],
      ['volume_type_id', '3.63', admin],
      ['consumes_quota', '3.65', admin],
    ];
    for (const [field, v, ctx] of gates) {
      const [maj, min] = v.split('.').map(Number) as [number, number];
      expect(field in show(ctx, `${maj}.${min - 1}`), `${field} below ${v}`).toBe(false);
      expect(field in show(ctx, v), `${field} from ${v}`).toBe(true);
    }
    // Admin-only fields stay hidden from a project user whatever the version.
    req(sc, alice, { verb: 'create', name: 'va', size: 1 });
    const user = okResult(req(sc, at(alice, '3.70'), { verb: 'show', volume: 'va' }));
    expect('provider_id' in user || 'cluster_name' in user).toBe(false);
  });

  it('snapshot and backup views: group_snapshot_id 3.14, user_id 3.41, consumes_quota 3.65; backup metadata 3.43, user_id 3.56 (admin)', () => {
    const sc = cloud([{ name: 'n1' }]);
    req(sc, admin, { verb: 'create', name: 'v', size: 1 });
    req(sc, admin, { verb: 'snapshot-create', volume: 'v', name: 's' });
    const snap = (v: string) => okResult(req(sc, at(admin, v), { verb: 'snapshot-show', snapshot: 's' }));
    for (const [field, below, from] of [['group_snapshot_id', '3.13', '3.14'], ['user_id', '3.40', '3.41'], ['consumes_quota', '3.64', '3.65']] as const) {
      expect(field in snap(below), field).toBe(false);
      expect(field in snap(from), field).toBe(true);
    }
    req(sc, admin, { verb: 'backup-create', volume: 'v', name: 'b' }, 60_000);
    const backup = (v: string) => okResult(req(sc, at(admin, v), { verb: 'backup-show', backup: 'b' }));
    for (const [field, below, from] of [['metadata', '3.42', '3.43'], ['user_id', '3.55', '3.56'], ['os-backup-project-attr:project_id', '3.17', '3.18']] as const) {
      expect(field in backup(below), field).toBe(false);
      expect(field in backup(from), field).toBe(true);
    }
  });
});

describe('IDs are IDs', () => {
  it('create refuses a name where the schema wants a UUID, with the validator text', () => {
    const sc = cloud([{ name: 'n1' }]);
    req(sc, alice, { verb: 'create', name: 'v', size: 1 });
    const cases = [
      ['snapshot_id', 'snap-aaa2'],
      ['source_volid', 'v'],
      ['backup_id', 'bk1'],
    ] as const;
    for (const [field, value] of cases) {
      const o = req(sc, at(alice, '3.70'), { verb: 'create', size: 1, [field]: value });
      expect(o).toMatchObject({ ok: false, http: 400, message: `Invalid input for field/attribute ${field}. Value: ${value}. '${value}' is not valid under any of the given schemas` });
    }
    const bk = req(sc, alice, { verb: 'backup-create', volume: 'v', snapshot_id: 's1' });
    expect(bk).toMatchObject({ ok: false, http: 400, message: "Invalid input for field/attribute snapshot_id. Value: s1. 's1' is not valid under any of the given schemas" });
  });

  it('a well-formed id that names nothing is a 404; the real id is accepted', () => {
    const sc = cloud([{ name: 'n1' }]);
    const v = okResult(req(sc, alice, { verb: 'create', name: 'v', size: 1 })) as { id: string };
    const missing = '11111111-1111-4111-8111-111111111111';
    expect(req(sc, alice, { verb: 'create', size: 1, source_volid: missing })).toMatchObject({ ok: false, http: 404, message: `Volume ${missing} could not be found.` });
    expect(req(sc, alice, { verb: 'create', size: 1, source_volid: v.id }).ok).toBe(true);
  });

  it('commands cinderclient resolves by name keep resolving: show, delete, snapshot-show', () => {
    const sc = cloud([{ name: 'n1' }]);
    req(sc, alice, { verb: 'create', name: 'v', size: 1 });
    req(sc, alice, { verb: 'snapshot-create', volume: 'v', name: 's' });
    expect(okResult(req(sc, alice, { verb: 'show', volume: 'v' }))['name']).toBe('v');
    expect(okResult(req(sc, alice, { verb: 'snapshot-show', snapshot: 's' }))['name']).toBe('s');
    req(sc, alice, { verb: 'snapshot-delete', snapshot: 's' });
    expect(req(sc, alice, { verb: 'delete', volume: 'v' }).ok).toBe(true);
  });
});
