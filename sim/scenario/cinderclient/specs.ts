/**
 * The command lines a scenario may use, as python-cinderclient (v3 shell)
 * and python-novaclient declare them: positionals, options, aliases.  One
 * table per program; names, the "invalid choice" lists and the parser all
 * derive from it.
 */

export type OptKind =
  /** --flag VALUE */
  | 'value'
  /** --flag (store_true) */
  | 'flag'
  /** --flag [VALUE]: nargs='?' with const True, as cinderclient's --force */
  | 'optional-value'
  /** --flag V1 V2 ... (nargs='*') */
  | 'multi';

export interface OptSpec {
  dest: string;
  kind: OptKind;
  metavar?: string;
  choices?: readonly string[];
  /** The microversion range the option exists in (utils.arg start_version / end_version). */
  since?: string;
  until?: string;
}

export interface PositionalSpec {
  dest: string;
  metavar: string;
  /** nargs='?' */
  optional?: boolean;
  /** nargs='+' (at least one) or '*' when optional too */
  multi?: boolean;
  choices?: readonly string[];
  /** type=int: argparse refuses a word that is not an integer. */
  int?: boolean;
}

export interface CommandSpec {
  positionals: readonly PositionalSpec[];
  options: Readonly<Record<string, OptSpec>>;
  /** One line for `cinder-sim list`-style help and docs. */
  help: string;
  /** The microversion the command exists from (api_versions.wraps). */
  since?: string;
}

const v = (dest: string, metavar: string, choices?: readonly string[]): OptSpec => ({ dest, kind: 'value', metavar, ...(choices ? { choices } : {}) });
const flag = (dest: string): OptSpec => ({ dest, kind: 'flag' });
const multi = (dest: string, metavar: string): OptSpec => ({ dest, kind: 'multi', metavar });
const pos = (dest: string, metavar: string, extra: Partial<PositionalSpec> = {}): PositionalSpec => ({ dest, metavar, ...extra });

const nameOpts = {
  '--name': v('name', '<name>'),
  '--display-name': v('name', '<display-name>'),
  '--display_name': v('name', '<display-name>'),
  '--description': v('description', '<description>'),
  '--display-description': v('description', '<display-description>'),
  '--display_description': v('description', '<display-description>'),
} as const;

export const cinderCommands = {
  create: {
    help: 'Creates a volume.',
    positionals: [pos('size', '<size>', { optional: true, int: true })],
    options: {
      ...nameOpts,
      '--snapshot-id': v('snapshot_id', '<snapshot-id>'),
      '--snapshot_id': v('snapshot_id', '<snapshot-id>'),
      '--source-volid': v('source_volid', '<source-volid>'),
      '--source_volid': v('source_volid', '<source-volid>'),
      '--image-id': v('image', '<image-id>'),
      '--image': v('image', '<image>'),
      '--backup-id': { ...v('backup_id', '<backup-id>'), since: '3.47' },
      '--volume-type': v('volume_type', '<volume-type>'),
      '--volume_type': v('volume_type', '<volume-type>'),
      '--availability-zone': v('availability_zone', '<availability-zone>'),
      '--availability_zone': v('availability_zone', '<availability-zone>'),
      '--metadata': multi('metadata', '<key=value>'),
      '--hint': multi('hint', '<key=value>'),
      '--poll': flag('poll'),
    },
  },
  delete: {
    help: 'Removes one or more volumes.',
    positionals: [pos('volumes', '<volume>', { multi: true })],
    options: { '--cascade': flag('cascade') },
  },
  'force-delete': {
    help: 'Attempts force-delete of volume, regardless of state.',
    positionals: [pos('volumes', '<volume>', { multi: true })],
    options: {},
  },
  list: {
    help: 'Lists all volumes.',
    positionals: [],
    options: {
      '--all-tenants': { dest: 'all_tenants', kind: 'optional-value', metavar: '<0|1>' },
      '--all_tenants': { dest: 'all_tenants', kind: 'optional-value', metavar: '<0|1>' },
      '--name': v('name', '<name>'),
      '--status': v('status', '<status>'),
    },
  },
  show: { help: 'Shows volume details.', positionals: [pos('volume', '<volume>')], options: {} },
  extend: { help: 'Attempts to extend size of an existing volume.', positionals: [pos('volume', '<volume>'), pos('new_size', '<new_size>', { int: true })], options: {} },
  retype: {
    help: 'Changes the volume type for a volume.',
    positionals: [pos('volume', '<volume>'), pos('new_type', '<volume-type>')],
    options: { '--migration-policy': v('migration_policy', '<never|on-demand>', ['never', 'on-demand']), '--migration_policy': v('migration_policy', '<never|on-demand>', ['never', 'on-demand']) },
  },
  'snapshot-create': {
    help: 'Creates a snapshot.',
    positionals: [pos('volume', '<volume>')],
    options: { ...nameOpts, '--force': { dest: 'force', kind: 'optional-value', metavar: '<True|False>' }, '--metadata': multi('metadata', '<key=value>') },
  },
  'snapshot-delete': {
    help: 'Removes one or more snapshots.',
    positionals: [pos('snapshots', '<snapshot>', { multi: true })],
    options: { '--force': flag('force') },
  },
  'snapshot-list': { help: 'Lists all snapshots.', positionals: [], options: { '--volume-id': v('volume_id', '<volume-id>'), '--status': v('status', '<status>') } },
  'snapshot-show': { help: 'Shows snapshot details.', positionals: [pos('snapshot', '<snapshot>')], options: {} },
  'backup-create': {
    help: 'Creates a volume backup.',
    positionals: [pos('volume', '<volume>')],
    options: {
      ...nameOpts,
      '--container': v('container', '<container>'),
      '--incremental': flag('incremental'),
      '--force': flag('force'),
      '--snapshot-id': v('snapshot_id', '<snapshot-id>'),
    },
  },
  'backup-restore': {
    help: 'Restores a backup.',
    positionals: [pos('backup', '<backup>')],
    options: { '--volume': v('volume', '<volume>'), '--volume-id': v('volume', '<volume>'), '--name': v('name', '<name>') },
  },
  'backup-delete': { help: 'Removes one or more backups.', positionals: [pos('backups', '<backup>', { multi: true })], options: { '--force': flag('force') } },
  'backup-list': { help: 'Lists all backups.', positionals: [], options: {} },
  'backup-show': { help: 'Shows backup details.', positionals: [pos('backup', '<backup>')], options: {} },
  'transfer-create': {
    help: 'Creates a volume transfer.',
    positionals: [pos('volume', '<volume>')],
    options: { '--name': v('name', '<name>'), '--display-name': v('name', '<name>'), '--no-snapshots': { ...flag('no_snapshots'), since: '3.55' } },
  },
  'transfer-accept': { help: 'Accepts a volume transfer.', positionals: [pos('transfer', '<transfer>'), pos('auth_key', '<auth_key>')], options: {} },
  'transfer-delete': { help: 'Undoes a transfer.', positionals: [pos('transfer', '<transfer>')], options: {} },
  'transfer-list': { help: 'Lists all transfers.', positionals: [], options: {} },
  'type-create': {
    help: 'Creates a volume type.',
    positionals: [pos('name', '<name>')],
    options: { '--description': v('description', '<description>'), '--is-public': v('is_public', '<is-public>') },
  },
  'type-key': {
    help: 'Sets or unsets extra_spec for a volume type.',
    positionals: [pos('vtype', '<vtype>'), pos('action', '<action>', { choices: ['set', 'unset'] }), pos('metadata', '<key=value>', { multi: true, optional: true })],
    options: {},
  },
  'type-list': { help: 'Lists available volume types.', positionals: [], options: {} },
  'type-delete': { help: 'Deletes volume type or types.', positionals: [pos('vol_types', '<vol_type>', { multi: true })], options: {} },
  'type-access-add': { help: 'Adds volume type access for the given project.', positionals: [], options: { '--volume-type': v('vtype', '<volume_type>'), '--project-id': v('project_id', '<project_id>') } },
  'service-list': {
    help: 'Lists all services. Filter by host and service binary.',
    positionals: [],
    options: {
      '--host': v('host', '<hostname>'),
      '--binary': v('binary', '<binary>'),
      '--withreplication': { dest: 'withreplication', kind: 'optional-value', metavar: '<True|False>', since: '3.7' },
    },
  },
  'service-enable': { help: 'Enables the service.', positionals: [pos('host', '<hostname>'), pos('binary', '<binary>')], options: {} },
  'service-disable': {
    help: 'Disables the service.',
    positionals: [pos('host', '<hostname>'), pos('binary', '<binary>')],
    options: { '--reason': v('reason', '<reason>') },
  },
  'availability-zone-list': { help: 'Lists all availability zones.', positionals: [], options: {} },
  'get-pools': { help: 'Show pool information for backends. Admin only.', positionals: [], options: { '--detail': flag('detail') } },
  'quota-show': { help: 'Lists quotas for a tenant.', positionals: [pos('tenant', '<tenant_id>')], options: {} },
  'quota-usage': { help: 'Lists quota usage for a tenant.', positionals: [pos('tenant', '<tenant_id>')], options: {} },
  'quota-update': {
    help: 'Updates quotas for a tenant.',
    positionals: [pos('tenant', '<tenant_id>')],
    options: {
      '--volumes': v('volumes', '<volumes>'),
      '--snapshots': v('snapshots', '<snapshots>'),
      '--gigabytes': v('gigabytes', '<gigabytes>'),
      '--backups': v('backups', '<backups>'),
      '--backup-gigabytes': v('backup_gigabytes', '<backup_gigabytes>'),
      '--per-volume-gigabytes': v('per_volume_gigabytes', '<per_volume_gigabytes>'),
    },
  },
  'message-list': { help: 'Lists all messages.', positionals: [], options: {}, since: '3.3' },
} as const satisfies Record<string, CommandSpec>;

export const novaCommands = {
  'volume-attach': {
    help: 'Attach a volume to a server (simulated: the volume becomes in-use).',
    positionals: [pos('server', '<server>'), pos('volume', '<volume>'), pos('device', '<device>', { optional: true })],
    options: {},
  },
  'volume-detach': {
    help: 'Detach a volume from a server.',
    positionals: [pos('server', '<server>'), pos('volume', '<volume>')],
    options: {},
  },
} as const satisfies Record<string, CommandSpec>;

/**
 * cinder-manage (cinder/cmd/manage.py), run on a controller: the one command
 * an operator reaches for when a service row outlives its service.  It
 * talks to the database, not the API.
 */
export const cinderManageCommands = {
  service: {
    help: 'service remove <binary> <host>: completely removes a service (its services row).',
    positionals: [pos('action', '<action>', { choices: ['remove'] }), pos('binary', '<binary>'), pos('host_name', '<host_name>')],
    options: {},
  },
} as const satisfies Record<string, CommandSpec>;

export const programs = { cinder: cinderCommands, nova: novaCommands, 'cinder-manage': cinderManageCommands } as const;
export type ProgramName = keyof typeof programs;
export type CinderCommandName = keyof typeof cinderCommands;
export type NovaCommandName = keyof typeof novaCommands;
