import { describe, expect, it } from 'vitest';
import { expandReferences, parseCommandLine, shellWords } from '../../../sim/scenario/cinderclient/parse.js';

describe('cinder command lines, parsed as cinderclient does', () => {
  const good: [line: string, command: string, args: Record<string, unknown>][] = [
    ['cinder type-create sata', 'type-create', { name: 'sata' }],
    ['cinder type-key sata set volume_backend_name=sata', 'type-key', { vtype: 'sata', action: 'set', metadata: ['volume_backend_name=sata'] }],
    ['cinder create --volume-type sata --display-name sata1 10', 'create', { volume_type: 'sata', name: 'sata1', size: '10' }],
    ['cinder create --volume_type sata --display_name sata1 10', 'create', { volume_type: 'sata', name: 'sata1', size: '10' }],
    ['cinder create --snapshot-id=snap-aaa2 --name ckf 100', 'create', { snapshot_id: 'snap-aaa2', name: 'ckf', size: '100' }],
    ['cinder create --snapshot-id snap1', 'create', { snapshot_id: 'snap1' }],
    ['cinder create --metadata a=1 b=2 --name x 1', 'create', { metadata: ['a=1', 'b=2'], name: 'x', size: '1' }],
    ['cinder snapshot-create --display-name snap-aaa2 vol1', 'snapshot-create', { name: 'snap-aaa2', volume: 'vol1' }],
    ['cinder snapshot-create --force vol1', 'snapshot-create', { force: true, volume: 'vol1' }],
    ['cinder snapshot-create --force False vol1', 'snapshot-create', { force: false, volume: 'vol1' }],
    ['cinder delete --cascade vol1 vol2', 'delete', { cascade: true, volumes: ['vol1', 'vol2'] }],
    ['cinder retype --migration-policy on-demand vol1 ssd', 'retype', { migration_policy: 'on-demand', volume: 'vol1', new_type: 'ssd' }],
    ['cinder backup-restore --volume v2 backup1', 'backup-restore', { volume: 'v2', backup: 'backup1' }],
    ['cinder service-disable node3@lvm cinder-volume --reason "disk swap"', 'service-disable', { host: 'node3@lvm', binary: 'cinder-volume', reason: 'disk swap' }],
    ['cinder get-pools --detail', 'get-pools', { detail: true }],
    ["cinder create --name 'two words' 1", 'create', { name: 'two words', size: '1' }],
  ];
  it.each(good)('%s', (line, command, args) => {
    const r = parseCommandLine(line);
    expect(r.ok ? r.cmd.command : r.error).toBe(command);
    if (r.ok) expect(r.cmd.args).toMatchObject(args);
  });

  it('nova volume-attach is the simulated attach', () => {
    const r = parseCommandLine('nova volume-attach server1 vol1');
    expect(r.ok && r.cmd.program === 'nova' && r.cmd.args).toMatchObject({ server: 'server1', volume: 'vol1' });
  });

  const bad: [line: string, error: string][] = [
    ['cinder crate 10', "cinder: error: argument <subcommand>: invalid choice: 'crate' (choose from 'create',"],
    ['cinder extend vol1', 'cinder extend: error: the following arguments are required: <new_size>'],
    ['cinder create --name', 'cinder create: error: argument --name: expected one argument'],
    ['cinder retype --migration-policy sometimes v t', "argument --migration-policy: invalid choice: 'sometimes' (choose from 'never', 'on-demand')"],
    ['cinder type-key sata put a=b', "argument <action>: invalid choice: 'put' (choose from 'set', 'unset')"],
    ['cinder delete', 'the following arguments are required: <volume>'],
    ['cinder get-pools --detail=yes', "argument --detail: ignored explicit argument 'yes'"],
    ['cinder create-volume --volume-type sata --display_name sata1 10', "invalid choice: 'create-volume' (choose from 'create',"],
    ['cinder create-volume 10', "Did you mean 'create'?"],
    // argparse leaves 'sata' to <size> (type=int), as cinderclient does; the hint names the flag.
    ['cinder create --volume-typo sata 10', "cinder create: error: argument <size>: invalid int value: 'sata' (after the unrecognized --volume-typo: did you mean --volume-type?)"],
    ['cinder create ten', "cinder create: error: argument <size>: invalid int value: 'ten'"],
    ['cinder extend vol1 2G', "cinder extend: error: argument <new_size>: invalid int value: '2G'"],
    ['cinder create --name v 10 --nmae x', 'cinder: error: unrecognized arguments: --nmae x'],
    ['openstack volume list', "unknown program 'openstack'; valid: cinder, nova"],
    ['cinder show "vol1', 'unterminated " quote'],
    ['cinder show vol1 vol2', 'unrecognized arguments: vol2'],
  ];
  it.each(bad)('refuses %s', (line, error) => {
    const r = parseCommandLine(line);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(error);
  });

  it('splits words like a shell', () => {
    expect(shellWords(`a "b c" 'd e' f\\ g`)).toEqual({ ok: true, words: ['a', 'b c', 'd e', 'f g'] });
  });

  it('expands ${step.field} from earlier outputs and reports unknown ones', () => {
    const lookup = (s: string, f: string) => (s === 't' && f === 'id' ? 'abc' : s === 't' && f === 'auth_key' ? 'k3y' : undefined);
    expect(expandReferences('cinder transfer-accept ${t.id} ${t.auth_key}', lookup)).toEqual({ ok: true, line: 'cinder transfer-accept abc k3y' });
    const r = expandReferences('cinder transfer-accept ${t.id} ${u.auth_key}', lookup);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain("step 'u' has no output field 'auth_key'");
  });
});
