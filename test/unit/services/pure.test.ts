import { describe, expect, it } from 'vitest';
import { isoUtc } from '../../../sim/cinder/api/core.js';
import { checkPerVolume, commit, quotaRow, reserve, type QuotaDefaults } from '../../../sim/cinder/quota.js';
import { atLeast, parseRequest } from '../../../sim/cinder/api/requests.js';
import { effectiveServiceDownTime } from '../../../sim/cinder/service/index.js';
import { SimDatabase } from '../../../sim/engine/store.js';

const clock = { monoNow: () => 0, wallNow: () => 0, wallAt: () => 0 };
const defaults: QuotaDefaults = { volumes: 10, snapshots: 10, gigabytes: 1000, backups: 10, backup_gigabytes: 1000, per_volume_gigabytes: -1 };

describe('quota engine (cinder/quota.py)', () => {
  it.each<{ name: string; deltas: Record<string, number>; used: Record<string, number>; error: string | null }>([
    { name: 'within limits', deltas: { volumes: 1, gigabytes: 10 }, used: {}, error: null },
    { name: 'gigabytes first when both are over', deltas: { volumes: 1, gigabytes: 10 }, used: { volumes: 10, gigabytes: 995 }, error: 'Requested volume or snapshot exceeds allowed gigabytes quota. Requested 10G, quota is 1000G and 995G has been consumed.' },
    { name: 'volumes', deltas: { volumes: 1 }, used: { volumes: 10 }, error: "Maximum number of volumes allowed (10) exceeded for quota 'volumes'." },
    { name: 'snapshots', deltas: { snapshots: 1 }, used: { snapshots: 10 }, error: 'Maximum number of snapshots allowed (10) exceeded' },
    { name: 'backups', deltas: { backups: 1 }, used: { backups: 10 }, error: 'Maximum number of backups allowed (10) exceeded' },
    { name: 'backup gigabytes', deltas: { backup_gigabytes: 5 }, used: { backup_gigabytes: 999 }, error: 'Requested backup exceeds allowed Backup gigabytes quota. Requested 5G, quota is 1000G and 999G has been consumed.' },
    { name: 'per-type defaults are unlimited', deltas: { volumes_gold: 100, gigabytes_gold: 5000 }, used: {}, error: null },
  ])('$name', ({ deltas, used, error }) => {
    const store = new SimDatabase().port(clock);
    commit(store, 'p', used);
    const r = reserve(store, 'p', deltas, defaults);
    expect(r?.message ?? null).toBe(error);
    if (r) expect(r.http).toBe(413);
    // A refused reservation changes nothing.
    if (r) expect(quotaRow(store, 'p').in_use).toEqual(used);
  });

  it('per_volume_gigabytes', () => {
    const store = new SimDatabase().port(clock);
    expect(checkPerVolume(store, 'p', 100, { ...defaults, per_volume_gigabytes: 50 })?.message).toBe('Requested volume size 100G is larger than maximum allowed limit 50G.');
    expect(checkPerVolume(store, 'p', 100, defaults)).toBeNull();
  });
});

describe('small rules', () => {
  it.each([
    { ms: 1_679_443_200_000, iso: '2023-03-22T00:00:00.000000' },
    { ms: 1_679_443_261_123, iso: '2023-03-22T00:01:01.123000' },
    { ms: 951_782_400_000, iso: '2000-02-29T00:00:00.000000' },
    { ms: 0, iso: '1970-01-01T00:00:00.000000' },
  ])('isoUtc($ms) = $iso', ({ ms, iso }) => {
    expect(isoUtc(ms)).toBe(iso);
  });

  it.each([
    { given: { service_down_time: 60, report_interval: 10 }, want: 60 },
    { given: { service_down_time: 20, report_interval: 30 }, want: 75 },
    { given: { service_down_time: 10, report_interval: 10 }, want: 25 },
  ])('service_down_time $given.service_down_time with report_interval $given.report_interval -> $want', ({ given, want }) => {
    expect(effectiveServiceDownTime(given)).toBe(want);
  });

  it.each([
    { v: undefined, min: '3.42', want: false },
    { v: '3.42', min: '3.42', want: true },
    { v: '3.66', min: '3.42', want: true },
    { v: '3.9', min: '3.42', want: false },
  ])('microversion $v >= $min is $want', ({ v, min, want }) => {
    expect(atLeast({ project_id: 'p', api_version: v }, min)).toBe(want);
  });

  it('an unknown verb or a bad field is a 400 outcome, not an exception', () => {
    expect(parseRequest({ verb: 'frobnicate' })).toMatchObject({ ok: false, http: 400, message: expect.stringContaining("unknown verb 'frobnicate'; valid: create, delete,") });
    expect(parseRequest({ verb: 'delete' })).toMatchObject({ ok: false, http: 400, message: expect.stringContaining('Invalid input for field/attribute volume.') });
  });
});
