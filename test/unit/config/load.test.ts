import { schedulerClasses } from '../../../sim/cinder/scheduler/index.js';
import { describe, expect, test } from 'vitest';
import { loadCinderConf, type IniFile } from '../../../sim/cinder/config/index.js';

const one = (text: string, host = 'node1') => loadCinderConf([{ path: 'cinder.conf', text }], { host, schedulerClasses });
const many = (files: IniFile[]) => loadCinderConf(files, { host: 'node1', schedulerClasses });

describe('how Cinder reads a backend option', () => {
  test('own group first, then [backend_defaults], never [DEFAULT]', () => {
    const c = one(
      '[DEFAULT]\nenabled_backends = a,b\nvolume_group = from-default\nreserved_percentage = 50\n' +
        '[backend_defaults]\nvolume_group = shared-vg\ntarget_helper = lioadm\n' +
        '[a]\nvolume_group = a-vg\n[b]\n',
    );
    expect(c.backends.map((b) => [b.name, b.options.volume_group, b.options.target_helper, b.options.reserved_percentage])).toEqual([
      ['a', 'a-vg', 'lioadm', 0],
      ['b', 'shared-vg', 'lioadm', 0],
    ]);
    expect(c.backends[1]!.sources.volume_group).toEqual({ kind: 'file', file: 'cinder.conf', line: 6, section: 'backend_defaults' });
    expect(c.backends[1]!.sources.reserved_percentage).toEqual({ kind: 'default' });
  });

  test('backend_host comes only from the backend group', () => {
    const c = one('[DEFAULT]\nhost = ctl\nbackend_host = ignored\nenabled_backends = a,b\n[backend_defaults]\nbackend_host = also-ignored\n[a]\nbackend_host = shared-host\n[b]\n');
    expect(c.services.filter((s) => s.binary === 'cinder-volume').map((s) => s.host)).toEqual(['shared-host@a', 'ctl@b']);
  });

  test('group names match enabled_backends case-insensitively; the host keeps the enabled_backends spelling', () => {
    const c = one('[DEFAULT]\nenabled_backends = LVM-1\n[lvm-1]\nvolume_group = vg\n');
    expect(c.backends[0]).toMatchObject({ name: 'LVM-1', host: 'node1@LVM-1', group: { section: 'lvm-1', line: 3 } });
    expect(c.backends[0]!.options.volume_group).toBe('vg');
    expect(c.findings).toEqual([]);
  });

  test('the zone is backend_availability_zone, else storage_availability_zone', () => {
    const c = one('[DEFAULT]\nstorage_availability_zone = az1\nenabled_backends = a,b\n[a]\nbackend_availability_zone = az2\n[b]\n');
    expect(c.services.map((s) => [s.binary, s.host, s.availability_zone])).toEqual([
      ['cinder-volume', 'node1@a', 'az2'],
      ['cinder-volume', 'node1@b', 'az1'],
      ['cinder-scheduler', 'node1', 'az1'],
      ['cinder-backup', 'node1', 'az1'],
    ]);
  });

  test('cluster is trimmed and suffixed with the backend; blank means none', () => {
    expect(one('[DEFAULT]\ncluster =  c1 \nenabled_backends = a\n[a]\n').services.map((s) => s.cluster)).toEqual(['c1@a', null, null]);
    expect(one('[DEFAULT]\ncluster =   \nenabled_backends = a\n[a]\n').services[0]!.cluster).toBeNull();
  });

  test('empty names in enabled_backends are skipped', () => {
    expect(one('[DEFAULT]\nenabled_backends = a,,b,\n[a]\n[b]\n').backends.map((b) => b.name)).toEqual(['a', 'b']);
  });

  test('the LVM driver reports "LVM" when volume_backend_name is unset; the service shows the option as set', () => {
    const c = one('[DEFAULT]\nenabled_backends = a\n[a]\n');
    expect(c.backends[0]!.reported_volume_backend_name).toBe('LVM');
    expect(c.services[0]!.volume_backend_name).toBeNull();
  });

  test('extra_capabilities is parsed for the pools; invalid JSON stops the service', () => {
    expect(one('[DEFAULT]\nenabled_backends = a\n[a]\nextra_capabilities = {"tier": "gold", "ssd": true}\n').backends[0]!.extra_capabilities).toEqual({ tier: 'gold', ssd: true });
    expect(one('[DEFAULT]\nenabled_backends = a\n[a]\n').backends[0]!.extra_capabilities).toEqual({});
    expect(one('[DEFAULT]\nenabled_backends = a\n[a]\nextra_capabilities = tier=gold\n').services[0]!.start_failure).toBe('Volume service node1@a failed to start. (Invalid JSON: tier=gold)');
  });

  test('an unknown driver class is a service that fails to start', () => {
    const c = one('[DEFAULT]\nenabled_backends = a\n[a]\nvolume_driver = cinder.volume.drivers.lvm.LVMISCSIDriver\n');
    expect(c.services[0]!.start_failure).toBe('Volume service node1@a failed to start. (cannot import cinder.volume.drivers.lvm.LVMISCSIDriver)');
  });
});

describe('[DEFAULT]', () => {
  test('Cinder 2023.1 defaults where nothing is set; host is the --host name', () => {
    const c = one('[DEFAULT]\nenabled_backends = a\n[a]\n', 'box');
    expect(c.defaults).toMatchObject({
      host: 'box',
      storage_availability_zone: 'nova',
      default_availability_zone: null,
      default_volume_type: '__DEFAULT__',
      report_interval: 10,
      service_down_time: 60,
      periodic_interval: 60,
      periodic_fuzzy_delay: 60,
      backend_stats_polling_interval: 60,
      scheduler_default_filters: ['AvailabilityZoneFilter', 'CapacityFilter', 'CapabilitiesFilter'],
      scheduler_default_weighers: ['CapacityWeigher'],
      scheduler_max_attempts: 3,
      capacity_weight_multiplier: 1,
      allocated_capacity_weight_multiplier: -1,
      volume_number_multiplier: -1,
      snapshot_same_host: true,
      quota_volumes: 10,
      quota_gigabytes: 1000,
      per_volume_size_limit: -1,
      volume_transfer_key_length: 16,
      backup_driver: 'cinder.backup.drivers.swift.SwiftBackupDriver',
    });
    expect(c.defaultSources.host).toEqual({ kind: 'hostname' });
    expect(c.effective_default_availability_zone).toBe('nova');
    expect(c.backends[0]!.options).toMatchObject({
      volume_driver: 'cinder.volume.drivers.lvm.LVMVolumeDriver',
      volume_group: 'cinder-volumes',
      lvm_type: 'auto',
      target_helper: 'tgtadm',
      target_protocol: 'iscsi',
      target_port: 3260,
      max_over_subscription_ratio: '20.0',
      reserved_percentage: 0,
      volume_clear: 'zero',
    });
  });

  test.each([
    [10, 10, 25],
    [10, 5, 25],
    [30, 60, 60],
    [4, 4, 10],
    [0, 0, 0],
  ])('report_interval %i, service_down_time %i -> effective service_down_time %i', (report, down, effective) => {
    const c = one(`[DEFAULT]\nreport_interval = ${report}\nservice_down_time = ${down}\nenabled_backends = a\n[a]\n`);
    expect(c.defaults.service_down_time).toBe(effective);
    expect(c.findings.some((f) => f.rule === 'service-down-time-override')).toBe(effective !== down);
  });

  test('[DEFAULT] max_over_subscription_ratio is the scheduler fallback only', () => {
    const c = one('[DEFAULT]\nmax_over_subscription_ratio = 1.5\nenabled_backends = a\n[a]\n');
    expect(c.scheduler_max_over_subscription_ratio).toEqual({ value: '1.5', source: { kind: 'file', file: 'cinder.conf', line: 2, section: 'DEFAULT' } });
    expect(c.backends[0]!.options.max_over_subscription_ratio).toBe('20.0');
  });

  test('a deprecated name sets the option unless the current name is set too', () => {
    expect(one('[DEFAULT]\nbackup_driver_status_check_interval = 30\nenabled_backends = a\n[a]\n').defaults.backup_driver_stats_polling_interval).toBe(30);
    expect(one('[DEFAULT]\nbackup_driver_stats_polling_interval = 40\nbackup_driver_status_check_interval = 30\nenabled_backends = a\n[a]\n').defaults.backup_driver_stats_polling_interval).toBe(40);
  });

  test('default_availability_zone falls back to storage_availability_zone', () => {
    expect(one('[DEFAULT]\nstorage_availability_zone = az1\nenabled_backends = a\n[a]\n').effective_default_availability_zone).toBe('az1');
    expect(one('[DEFAULT]\nstorage_availability_zone = az1\ndefault_availability_zone = az1\nenabled_backends = a\n[a]\n').effective_default_availability_zone).toBe('az1');
  });
});

describe('several files, as repeated --config-file', () => {
  test('a later file wins, for every group; sources say which file', () => {
    const c = many([
      { path: 'base.conf', text: '[DEFAULT]\nenabled_backends = a\nreport_interval = 5\n[a]\nvolume_group = vg1\nlvm_type = thin\n' },
      { path: 'site.conf', text: '[DEFAULT]\nreport_interval = 7\n[A]\nvolume_group = vg2\n' },
    ]);
    expect(c.defaults.report_interval).toBe(7);
    expect(c.backends[0]!.options.volume_group).toBe('vg2');
    expect(c.backends[0]!.options.lvm_type).toBe('thin');
    expect(c.backends[0]!.sources.volume_group).toEqual({ kind: 'file', file: 'site.conf', line: 4, section: 'A', overrides: [{ file: 'base.conf', line: 5 }] });
    expect(c.backends[0]!.sources.lvm_type).toEqual({ kind: 'file', file: 'base.conf', line: 6, section: 'a' });
    expect(c.defaultSources.report_interval).toEqual({ kind: 'file', file: 'site.conf', line: 2, section: 'DEFAULT', overrides: [{ file: 'base.conf', line: 3 }] });
  });

  test('overrides name every earlier file that set the option, not repeats within the winning file', () => {
    const c = many([
      { path: 'a.conf', text: '[DEFAULT]\nenabled_backends = x\nreport_interval = 5\nreport_interval = 6\n[x]\n' },
      { path: 'b.conf', text: '[DEFAULT]\nreport_interval = 7\n' },
      { path: 'c.conf', text: '[DEFAULT]\nreport_interval = 8\nreport_interval = 9\n' },
    ]);
    expect(c.defaults.report_interval).toBe(9);
    expect(c.defaultSources.report_interval).toEqual({ kind: 'file', file: 'c.conf', line: 3, section: 'DEFAULT', overrides: [{ file: 'a.conf', line: 3 }, { file: 'a.conf', line: 4 }, { file: 'b.conf', line: 2 }] });
  });

  test('layers merge group by group: a later [backend_defaults] does not beat an earlier backend group (Cinder reads the group first)', () => {
    const c = many([
      { path: 'a.conf', text: '[DEFAULT]\nenabled_backends = x,y\n[x]\nreserved_percentage = 10\n[y]\n' },
      { path: 'b.conf', text: '[backend_defaults]\nreserved_percentage = 30\n[DEFAULT]\nreserved_percentage = 50\n' },
    ]);
    expect(c.backends.map((b) => [b.name, b.options.reserved_percentage])).toEqual([
      ['x', 10],
      ['y', 30],
    ]);
    expect(c.backends[1]!.sources.reserved_percentage).toEqual({ kind: 'file', file: 'b.conf', line: 2, section: 'backend_defaults' });
  });

  test('a deprecated name in a later file beats the current name in an earlier one (oslo reads the newest file that sets either name); within one file the current name wins', () => {
    const later = many([
      { path: 'a.conf', text: '[DEFAULT]\nenabled_backends = x\nbackup_driver_stats_polling_interval = 40\n[x]\n' },
      { path: 'b.conf', text: '[DEFAULT]\nbackup_driver_status_check_interval = 30\n' },
    ]);
    expect(later.defaults.backup_driver_stats_polling_interval).toBe(30);
    expect(later.defaultSources.backup_driver_stats_polling_interval).toEqual({ kind: 'file', file: 'b.conf', line: 2, section: 'DEFAULT', overrides: [{ file: 'a.conf', line: 3 }] });
    const earlier = many([
      { path: 'a.conf', text: '[DEFAULT]\nenabled_backends = x\nbackup_driver_status_check_interval = 30\n[x]\n' },
      { path: 'b.conf', text: '[DEFAULT]\nbackup_driver_stats_polling_interval = 40\n' },
    ]);
    expect(earlier.defaults.backup_driver_stats_polling_interval).toBe(40);
    const same = many([{ path: 'a.conf', text: '[DEFAULT]\nenabled_backends = x\nbackup_driver_status_check_interval = 30\nbackup_driver_stats_polling_interval = 40\n[x]\n' }]);
    expect(same.defaults.backup_driver_stats_polling_interval).toBe(40);
  });

  test('within a file the last of repeated keys wins', () => {
    expect(one('[DEFAULT]\nreport_interval = 5\nreport_interval = 6\nenabled_backends = a\n[a]\n').defaults.report_interval).toBe(6);
  });

  test('findings are ordered by the files as given, then line', () => {
    const c = many([
      { path: 'b.conf', text: '[DEFAULT]\nenabled_backends = a\nbogus_one = 1\n[a]\n' },
      { path: 'a.conf', text: '[DEFAULT]\nbogus_two = 2\n' },
    ]);
    expect(c.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['b.conf:3', 'a.conf:2']);
  });
});
