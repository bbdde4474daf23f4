import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { bufferIo } from '../../../sim/cli/io.js';
import { main } from '../../../sim/cli/main.js';

const FIX = 'test/fixtures/conf';

async function run(...argv: string[]) {
  const io = bufferIo(process.cwd());
  const code = await main(['conf', ...argv], io);
  return { code, out: io.out, err: io.err };
}

function tempConf(text: string): { dir: string; name: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cinder-sim-conf-'));
  writeFileSync(join(dir, 'cinder.conf'), text);
  return { dir, name: 'cinder.conf' };
}

describe('cinder-sim conf', () => {
  test('--json has the services and findings the issue promises', async () => {
    const r = await run(`${FIX}/install-guide/block-storage.conf`, '--host', 'block1', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { schema_version: number; services: unknown[]; findings: unknown[] };
    expect(doc.schema_version).toBe(1);
    expect(doc.services[0]).toEqual({
      binary: 'cinder-volume',
      host: 'block1@lvm',
      cluster: null,
      availability_zone: 'nova',
      backend: 'lvm',
      volume_backend_name: null,
      volume_driver: 'cinder.volume.drivers.lvm.LVMVolumeDriver',
      start_failure: null,
    });
    // lvm_type unset (auto) at the default ratio: flagged at the backend's section header.
    expect(doc.findings).toEqual([expect.objectContaining({ severity: 'warning', rule: 'auto-thin-oversubscribed', file: `${FIX}/install-guide/block-storage.conf`, key: 'lvm_type' })]);
    expect((doc as unknown as { backends: { provisioning: unknown }[] }).backends[0]!.provisioning).toMatchObject({ provisioning: 'thin', lvm_type: { configured: 'auto', effective: 'thin', source: 'option default auto' }, max_over_subscription_ratio: { value: '20.0', source: 'option default 20.0' } });
  });

  test('an explicit thick lvm_type or a ratio set on purpose is no surprise', async () => {
    for (const text of ['[DEFAULT]\nenabled_backends = lvm\n[lvm]\nlvm_type = default\n', '[DEFAULT]\nenabled_backends = lvm\n[lvm]\nmax_over_subscription_ratio = 1.0\n']) {
      const { dir, name } = tempConf(text);
      const io = bufferIo(dir);
      expect(await main(['conf', name, '--json'], io)).toBe(0);
      expect((JSON.parse(io.out) as { findings: unknown[] }).findings).toEqual([]);
    }
    const { dir, name } = tempConf('[DEFAULT]\nenabled_backends = lvm\n[lvm]\nlvm_type = default\n');
    const io = bufferIo(dir);
    await main(['conf', name], io);
    expect(io.out).toContain('provisioning in effect: thick: lvm_type default (set in [lvm] at cinder.conf:4): lvm_type default is used as set');
    expect(io.out).toContain('max_over_subscription_ratio 20.0 (option default 20.0), not used: thick pools are not over-subscribed');
  });

  test('the text view shows services, effective options with their origin, scheduler settings and findings', async () => {
    const r = await run(`${FIX}/devstack/cinder.conf`, '--host', 'devstack');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/cinder-volume\s+devstack@lvmdriver-1\s+nova\s+-\s+lvmdriver-1\s+cinder\.volume\.drivers\.lvm\.LVMVolumeDriver/);
    expect(r.out).toMatch(/volume_group\s+=\s+stack-volumes-lvmdriver-1\s+test\/fixtures\/conf\/devstack\/cinder\.conf:43/);
    expect(r.out).toMatch(/target_ip_address\s+=\s+10\.0\.0\.10\s+default \$my_ip/);
    expect(r.out).toMatch(/volumes_dir\s+=\s+\/opt\/stack\/data\/cinder\/volumes\s+default \$state_path\/volumes/);
    expect(r.out).toMatch(/scheduler_default_filters\s+=\s+AvailabilityZoneFilter, CapacityFilter, CapabilitiesFilter\s+default/);
    expect(r.out).toMatch(/capacity_weight_multiplier\s+=\s+1\.0\s+default/);
    expect(r.out).toContain('(if this node runs cinder-scheduler)');
    expect(r.out).toMatch(/Findings: 0 errors, 2 warnings, 0 info\n\s+warning test\/fixtures\/conf\/devstack\/cinder\.conf:10: \[DEFAULT\] target_helper is ignored/);
    // Issue 13: the provisioning in effect, and the surprise of lvm_type auto at the default ratio, at the lvm_type line.
    expect(r.out).toContain('provisioning in effect: thin: lvm_type auto (set in [lvmdriver-1] at test/fixtures/conf/devstack/cinder.conf:38): LVM supports thin provisioning and volume group stack-volumes-lvmdriver-1 holds no LV yet');
    expect(r.out).toMatch(/max_over_subscription_ratio 20\.0 \(option default 20\.0\)\n\s+reserved_percentage 0 \(option default 0\)/);
    expect(r.out).toMatch(/warning test\/fixtures\/conf\/devstack\/cinder\.conf:38: backend lvmdriver-1: lvm_type = auto becomes thin .* max_over_subscription_ratio is the option default 20\.0: .* \[auto-thin-oversubscribed\]/);
  });

  test('an error finding exits 2 and still prints the view', async () => {
    const r = await run(`${FIX}/kolla/cinder-volume.conf`, `${FIX}/seed/multi-az-node1.conf`, '--json');
    expect(r.code).toBe(0);
    const { dir, name } = tempConf('[DEFAULT]\nenabled_backends = lvm\n[lvm]\nlvm_type = thick\n');
    const io = bufferIo(dir);
    const code = await main(['conf', name], io);
    expect(code).toBe(2);
    expect(io.out).toContain("error   cinder.conf:4: [lvm] lvm_type = 'thick' is not valid: Valid values are [default, thin, auto], but found 'thick' [invalid-value]");
  });

  test('a file oslo.config refuses to parse exits 2 with file and line', async () => {
    const { dir, name } = tempConf('[DEFAULT]\nenabled_backends = lvm\n[lvm\n');
    const io = bufferIo(dir);
    expect(await main(['conf', name, '--json'], io)).toBe(2);
    const doc = JSON.parse(io.out) as { findings: { severity: string; file: string; line: number; message: string }[] };
    expect(doc.findings).toContainEqual(expect.objectContaining({ severity: 'error', file: 'cinder.conf', line: 3, message: "oslo.config refuses this file: Invalid section (must end with ]): '[lvm'" }));
  });

  test('unreadable files are named, all at once, exit 2, no stack', async () => {
    const r = await run('nope.conf', `${FIX}/devstack/cinder.conf`, 'missing/other.conf');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe('cinder-sim: cannot read nope.conf: no such file\ncannot read missing/other.conf: no such file\n');
  });

  test('no file at all is a usage error', async () => {
    const r = await run();
    expect(r.code).toBe(2);
    expect(r.err).toContain('Not enough non-option arguments');
  });

  test('a byte order mark is explained', async () => {
    const { dir, name } = tempConf('\ufeff[DEFAULT]\nenabled_backends = lvm\n[lvm]\n');
    const io = bufferIo(dir);
    expect(await main(['conf', name], io)).toBe(2);
    expect(io.out).toContain('byte order mark');
  });

  test('--type checks volume types against what the backends report', async () => {
    const r = await run(`${FIX}/seed/single-az-multi-backend.conf`, '--type', 'sata:volume_backend_name=sata', '--type', 'nvme:volume_backend_name=nvme', '--type', '__DEFAULT__', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { findings: { rule: string; value?: string }[] };
    expect(doc.findings.filter((f) => f.rule === 'type-backend-name-missing').map((f) => f.value)).toEqual(['nvme']);
  });

  test.each([':x=y', 'gold:fast', 'gold:=1'])('--type %j is refused with the syntax', async (flag) => {
    const r = await run(`${FIX}/seed/single-az-multi-backend.conf`, '--type', flag);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--type '${flag}'`);
    expect(r.err).toContain('expected NAME or NAME:key=value');
  });

  test('later files win, as with repeated --config-file', async () => {
    const { dir } = tempConf('[DEFAULT]\nenabled_backends = lvm\nstorage_availability_zone = az1\n[lvm]\n');
    writeFileSync(join(dir, 'override.conf'), '[DEFAULT]\nstorage_availability_zone = az2\n');
    const io = bufferIo(dir);
    expect(await main(['conf', 'cinder.conf', 'override.conf', '--json'], io)).toBe(0);
    const doc = JSON.parse(io.out) as { services: { availability_zone: string }[]; defaults: Record<string, { source: unknown }> };
    expect(doc.services.map((s) => s.availability_zone)).toEqual(['az2', 'az2', 'az2']);
    expect(doc.defaults.storage_availability_zone!.source).toEqual({ kind: 'file', file: 'override.conf', line: 2, section: 'DEFAULT', overrides: [{ file: 'cinder.conf', line: 3 }] });
  });

  test('a directory is --config-dir: its *.conf (no hidden file) by name, after the files before it; the text view names the file and line that won and what it overrode', async () => {
    const { dir } = tempConf('[DEFAULT]\nenabled_backends = lvm\nstorage_availability_zone = az1\n[lvm]\nlvm_type = thin\n');
    mkdirSync(join(dir, 'cinder.conf.d'));
    writeFileSync(join(dir, 'cinder.conf.d', '20-zone.conf'), '[DEFAULT]\nstorage_availability_zone = az3\n');
    writeFileSync(join(dir, 'cinder.conf.d', '10-zone.conf'), '[DEFAULT]\nstorage_availability_zone = az2\n[lvm]\nlvm_type = default\n');
    writeFileSync(join(dir, 'cinder.conf.d', '.hidden.conf'), 'not an ini file\n');
    writeFileSync(join(dir, 'cinder.conf.d', 'notes.txt'), 'not read\n');
    const io = bufferIo(dir);
    expect(await main(['conf', 'cinder.conf', 'cinder.conf.d/'], io)).toBe(0);
    expect(io.out).toContain('reads cinder.conf + cinder.conf.d/10-zone.conf + cinder.conf.d/20-zone.conf (hostname: localhost)');
    expect(io.out).toMatch(/storage_availability_zone\s+=\s+az3\s+cinder\.conf\.d\/20-zone\.conf:2 \(over cinder\.conf:3, cinder\.conf\.d\/10-zone\.conf:2\)\n/);
    expect(io.out).toContain('lvm_type default (set in [lvm] at cinder.conf.d/10-zone.conf:4 (over cinder.conf:5))');
  });

  test('outputs hold no absolute paths', async () => {
    for (const json of [[], ['--json']]) {
      const r = await run(`${FIX}/kolla/cinder-volume.conf`, ...json);
      expect(r.out).not.toContain(process.cwd());
    }
  });

  test('the default hostname is a fixed placeholder, never the machine name', async () => {
    const r = await run(`${FIX}/install-guide/block-storage.conf`, '--json');
    expect((JSON.parse(r.out) as { services: { host: string }[] }).services[0]!.host).toBe('localhost@lvm');
  });

  test('secrets are masked', async () => {
    const { dir, name } = tempConf('[DEFAULT]\nenabled_backends = lvm\n[lvm]\nchap_password = hunter2\n');
    const io = bufferIo(dir);
    await main(['conf', name], io);
    expect(io.out).not.toContain('hunter2');
    const io2 = bufferIo(dir);
    await main(['conf', name, '--json'], io2);
    expect(io2.out).not.toContain('hunter2');
  });
});
