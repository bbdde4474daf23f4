import { describe, expect, it } from 'vitest';
import type { CinderRequest, RequestContext } from '../../../sim/cinder/api/requests.js';
import type { SimulatedCloud } from '../../../sim/harness/simulated-cloud.js';
import { admin, alice, bob, cloud, idOf, okResult, req, volume } from './fixtures.js';

const defaultTypeId = (sc: SimulatedCloud): string => [...sc.world.db.rows('volume_types').values()][0]!.id;

type Step = [RequestContext, CinderRequest];
const A = alice;
const create = (name: string, size = 1, extra: Partial<Extract<CinderRequest, { verb: 'create' }>> = {}): Step => [A, { verb: 'create', name, size, ...extra }];

interface Case {
  name: string;
  setup?: Step[];
  ctx?: RequestContext;
  request: CinderRequest | ((sc: SimulatedCloud) => CinderRequest);
  http: number;
  message: string | ((sc: SimulatedCloud) => string);
  controllerDefaults?: Record<string, unknown>;
}

const cases: Case[] = [
  { name: 'size 0', request: { verb: 'create', size: 0 }, http: 400, message: 'Invalid input for field/attribute size. Value: 0. 0 is less than the minimum of 1' },
  {
    name: 'multiattach parameter',
    request: { verb: 'create', size: 1, multiattach: true },
    http: 400,
    message: 'multiattach parameter has been removed. The default behavior is to use multiattach enabled volume types. Contact your administrator to create a multiattach enabled volume type and use it to create multiattach volumes.',
  },
  { name: 'unknown type', request: { verb: 'create', size: 1, volume_type: 'nope' }, http: 404, message: 'Volume type with name nope could not be found.' },
  { name: 'unknown AZ', request: { verb: 'create', size: 1, availability_zone: 'az9' }, http: 400, message: "Availability zone 'az9' is invalid." },
  {
    name: 'from a smaller snapshot size',
    setup: [create('v', 5), [A, { verb: 'snapshot-create', volume: 'v', name: 's' }]],
    request: (sc) => ({ verb: 'create', size: 2, snapshot_id: idOf(sc, 'snapshots', 's') }),
    http: 400,
    message: "Invalid input received: Volume size '2'GB cannot be smaller than the snapshot size 5GB. They must be >= original snapshot size.",
  },
  {
    name: 'clone smaller than source',
    setup: [create('v', 5)],
    request: (sc) => ({ verb: 'create', size: 2, source_volid: idOf(sc, 'volumes', 'v') }),
    http: 400,
    message: "Invalid input received: Volume size '2'GB cannot be smaller than original volume size  5GB. They must be >= original volume size.",
  },
  {
    name: 'delete with snapshots',
    setup: [create('v'), [A, { verb: 'snapshot-create', volume: 'v', name: 's' }]],
    request: { verb: 'delete', volume: 'v' },
    http: 400,
    message:
      'Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.',
  },
  {
    name: 'delete while attached',
    setup: [create('v'), [A, { verb: 'attach', volume: 'v' }]],
    request: { verb: 'delete', volume: 'v' },
    http: 400,
    message:
      'Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.',
  },
  {
    name: 'extend not larger',
    setup: [create('v', 5)],
    request: { verb: 'extend', volume: 'v', new_size: 5 },
    http: 400,
    message: 'Invalid input received: New size for extend must be greater than current size. (current: 5, extended: 5).',
  },
  {
    name: 'extend in-use at microversion 3.0 prints a dict',
    setup: [create('v', 5), [A, { verb: 'attach', volume: 'v' }]],
    request: { verb: 'extend', volume: 'v', new_size: 6 },
    http: 400,
    message: (sc) => `Invalid volume: Volume ${volume(sc, 'v').id} status must be '{'status': 'available'}' to extend, currently in-use.`,
  },
  {
    name: 'snapshot of in-use without force (3.0)',
    setup: [create('v'), [A, { verb: 'attach', volume: 'v' }]],
    request: { verb: 'snapshot-create', volume: 'v' },
    http: 400,
    message: (sc) => `Invalid volume: Volume ${volume(sc, 'v').id} status must be available, but current status is: in-use.`,
  },
  {
    name: "force=false at 3.66",
    setup: [create('v')],
    ctx: { ...alice, api_version: '3.66' },
    request: { verb: 'snapshot-create', volume: 'v', force: false },
    http: 400,
    message: "Since microversion 3.66 the 'force' flag is invalid for this request.  For backward compatability, however, when the 'force' flag is passed with a value evaluating to True, it is silently ignored.",
  },
  {
    name: 'gigabytes quota',
    request: { verb: 'create', size: 1001 },
    http: 413,
    message: 'Requested volume or snapshot exceeds allowed gigabytes quota. Requested 1001G, quota is 1000G and 0G has been consumed.',
  },
  {
    name: 'volumes quota',
    setup: [[admin, { verb: 'quota-update', project_id: 'alice', volumes: 1 }], create('v')],
    request: { verb: 'create', size: 1 },
    http: 413,
    message: "Maximum number of volumes allowed (1) exceeded for quota 'volumes'.",
  },
  {
    name: 'snapshots count toward gigabytes',
    setup: [[admin, { verb: 'quota-update', project_id: 'alice', gigabytes: 15 }], create('v', 10)],
    request: { verb: 'snapshot-create', volume: 'v' },
    http: 413,
    message: 'Requested volume or snapshot exceeds allowed gigabytes quota. Requested 10G, quota is 15G and 10G has been consumed.',
  },
  {
    name: 'per-volume limit',
    setup: [[admin, { verb: 'quota-update', project_id: 'alice', per_volume_gigabytes: 5 }]],
    request: { verb: 'create', size: 6 },
    http: 413,
    message: 'Requested volume size 6G is larger than maximum allowed limit 5G.',
  },
  { name: "another project's volume", setup: [create('v')], ctx: bob, request: { verb: 'show', volume: 'v' }, http: 404, message: "No volume with a name or ID of 'v' exists." },
  { name: 'ambiguous name', setup: [create('v'), create('v')], request: { verb: 'delete', volume: 'v' }, http: 409, message: "Multiple volume matches found for 'v', use an ID to be more specific." },
  {
    name: 'transfer of an in-use volume',
    setup: [create('v'), [A, { verb: 'attach', volume: 'v' }]],
    request: { verb: 'transfer-create', volume: 'v' },
    http: 400,
    message: 'Invalid volume: status must be available',
  },
  {
    name: 'delete while awaiting transfer',
    setup: [create('v'), [A, { verb: 'transfer-create', volume: 'v' }]],
    request: { verb: 'delete', volume: 'v' },
    http: 400,
    message:
      'Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.',
  },
  {
    name: 'type-key on a type in use',
    setup: [[admin, { verb: 'type-create', name: 'sata' }], create('v', 1, { volume_type: 'sata' })],
    ctx: admin,
    request: { verb: 'type-key', vtype: 'sata', action: 'set', specs: { volume_backend_name: 'sata' } },
    http: 400,
    message: 'Volume Type is currently in use.',
  },
  { name: 'duplicate type', setup: [[admin, { verb: 'type-create', name: 'sata' }]], ctx: admin, request: { verb: 'type-create', name: 'sata' }, http: 409, message: 'Volume Type sata already exists.' },
  {
    name: 'deleting the default type',
    ctx: admin,
    request: { verb: 'type-delete', vtype: '__DEFAULT__' },
    http: 400,
    message: (sc) => `The volume type ${defaultTypeId(sc)} is a default volume type and cannot be deleted.`,
  },
  {
    name: 'two sources',
    setup: [create('v', 1), [A, { verb: 'snapshot-create', volume: 'v', name: 's' }]],
    request: (sc) => ({ verb: 'create', size: 1, snapshot_id: idOf(sc, 'snapshots', 's'), source_volid: idOf(sc, 'volumes', 'v') }),
    http: 400,
    message: 'Invalid input received: May specify only one of backup, imageRef, snapshot, source volume',
  },
  { name: 'disable an unknown service', ctx: admin, request: { verb: 'service-disable', host: 'nowhere@x', binary: 'cinder-volume' }, http: 404, message: 'Service cinder-volume could not be found on host nowhere@x.' },
  {
    name: 'type access on a public type',
    setup: [[admin, { verb: 'type-create', name: 'pub' }]],
    ctx: admin,
    request: { verb: 'type-access-add', vtype: 'pub', project_id: 'alice' },
    http: 400,
    message: 'Invalid volume type: Type access modification is not applicable to public volume type.',
  },
  {
    name: 'clone with an incompatible explicit type (surprise #12)',
    setup: [
      [admin, { verb: 'type-create', name: 'gold' }],
      [admin, { verb: 'type-key', vtype: 'gold', action: 'set', specs: { volume_backend_name: 'LVM' } }],
      create('v', 1),
    ],
    request: (sc) => ({ verb: 'create', size: 1, source_volid: idOf(sc, 'volumes', 'v'), volume_type: 'gold' }),
    http: 400,
    message: (sc) =>
      `Invalid input received: Invalid volume_type provided: ${[...sc.world.db.rows('volume_types').values()][1]!.id} (requested type is not compatible; either match source volume, or omit type argument).`,
  },
  {
    name: 'from a snapshot with an incompatible explicit type',
    setup: [
      [admin, { verb: 'type-create', name: 'gold' }],
      [admin, { verb: 'type-key', vtype: 'gold', action: 'set', specs: { volume_backend_name: 'LVM' } }],
      create('v', 1),
      [A, { verb: 'snapshot-create', volume: 'v', name: 's' }],
    ],
    request: (sc) => ({ verb: 'create', size: 1, snapshot_id: idOf(sc, 'snapshots', 's'), volume_type: 'gold' }),
    http: 400,
    message: (sc) =>
      `Invalid input received: Invalid volume_type provided: ${[...sc.world.db.rows('volume_types').values()][1]!.id} (requested type is not compatible; recommend omitting the type argument).`,
  },
  { name: 'type-create by a member', ctx: alice, request: { verb: 'type-create', name: 'x' }, http: 403, message: "Policy doesn't allow volume_extension:types_manage to be performed." },
  {
    name: 'backup of an in-use volume without force',
    setup: [create('v'), [A, { verb: 'attach', volume: 'v' }]],
    request: { verb: 'backup-create', volume: 'v' },
    http: 400,
    message: 'Invalid volume: Backing up an in-use volume must use the force flag.',
  },
  { name: 'incremental with no full backup', setup: [create('v')], request: { verb: 'backup-create', volume: 'v', incremental: true }, http: 400, message: 'Invalid backup: No backups available to do an incremental backup.' },
  {
    name: 'restore into a smaller volume',
    setup: [create('v', 5), [A, { verb: 'backup-create', volume: 'v', name: 'b' }], create('small', 2)],
    request: { verb: 'backup-restore', backup: 'b', volume: 'small' },
    http: 400,
    message: 'Invalid volume: volume size 2 is too small to restore backup of size 5.',
  },
  {
    name: 'delete a backup with incrementals',
    setup: [create('v'), [A, { verb: 'backup-create', volume: 'v', name: 'full' }], [A, { verb: 'backup-create', volume: 'v', name: 'inc', incremental: true }]],
    request: { verb: 'backup-delete', backup: 'full' },
    http: 400,
    message: 'Invalid backup: Incremental backups exist for this backup.',
  },
];

describe('cinder-api refuses with Cinder 2023.1 texts, and changes nothing', () => {
  it.each(cases)('$name', (c) => {
    const sc = cloud([{ name: 'node1', backends: { lvm: { lvm_type: 'default', vg_size_gb: 2000 } } }], { controllerDefaults: c.controllerDefaults });
    for (const [ctx, r] of c.setup ?? []) okResult(req(sc, ctx, r, 300_000));
    const request = typeof c.request === 'function' ? c.request(sc) : c.request;
    const before = JSON.stringify(sc.cloud.snapshot().volumes);
    const o = req(sc, c.ctx ?? alice, request, 0);
    const message = typeof c.message === 'function' ? c.message(sc) : c.message;
    expect(o).toMatchObject({ ok: false, http: c.http, message });
    expect(JSON.stringify(sc.cloud.snapshot().volumes)).toBe(before);
  });
});
