import { schedulerClasses } from '../../../sim/cinder/scheduler/index.js';
import { describe, expect, test } from 'vitest';
import { lintRules, loadCinderConf, type Finding, type LintRuleId } from '../../../sim/cinder/config/index.js';

const load = (text: string) => loadCinderConf([{ path: 'cinder.conf', text }], { host: 'node1', schedulerClasses });

interface Case {
  name: string;
  rule: LintRuleId;
  text: string;
  expect: Partial<Finding>;
}

/** One or more cases per lint rule; a test below holds the table to the rule registry. */
const cases: Case[] = [
  { name: 'a line with no = or :', rule: 'parse-error', text: '[DEFAULT]\nenabled_backends = lvm\nlvm\n[lvm]\n', expect: { severity: 'error', line: 3 } },
  { name: 'a key before any section', rule: 'parse-error', text: 'host = a\n[DEFAULT]\nenabled_backends = lvm\n[lvm]\n', expect: { severity: 'error', line: 1 } },
  { name: 'an unterminated section header', rule: 'parse-error', text: '[DEFAULT]\nenabled_backends = lvm\n[lvm\n', expect: { severity: 'error', line: 3 } },
  { name: 'a bad choice', rule: 'invalid-value', text: '[DEFAULT]\nenabled_backends = lvm\n[lvm]\nlvm_type = thick\n', expect: { severity: 'error', line: 4, section: 'lvm', key: 'lvm_type', value: 'thick', choices: ['default', 'thin', 'auto'] } },
  { name: 'a bad boolean', rule: 'invalid-value', text: '[DEFAULT]\nenabled_backends = lvm\nsnapshot_same_host = maybe\n[lvm]\n', expect: { severity: 'error', line: 3, key: 'snapshot_same_host', value: 'maybe' } },
  { name: 'a number below min', rule: 'invalid-value', text: '[DEFAULT]\nenabled_backends = lvm\nbackend_stats_polling_interval = 1\n[lvm]\n', expect: { severity: 'error', line: 3 } },
  { name: 'a percentage above 100 in [backend_defaults]', rule: 'invalid-value', text: '[DEFAULT]\nenabled_backends = lvm\n[backend_defaults]\nreserved_percentage = 150\n[lvm]\n', expect: { severity: 'error', line: 4, section: 'backend_defaults' } },
  { name: 'a ratio that is not a number or auto', rule: 'invalid-value', text: '[DEFAULT]\nenabled_backends = lvm\n[lvm]\nmax_over_subscription_ratio = 2x\n', expect: { severity: 'error', line: 4 } },
  { name: 'a $ in a database password', rule: 'template-substitution', text: '[DEFAULT]\nenabled_backends = lvm\n[lvm]\n[database]\nconnection = mysql+pymysql://cinder:pa$word@db/cinder\n', expect: { severity: 'warning', line: 5, section: 'database' } },
  { name: 'a reference to no option in a backend', rule: 'template-substitution', text: '[DEFAULT]\nenabled_backends = lvm\n[lvm]\nvolume_group = ${vg_name}\n', expect: { severity: 'error', line: 4 } },
  { name: 'extra_capabilities that is not JSON', rule: 'invalid-value', text: '[DEFAULT]\nenabled_backends = lvm\n[lvm]\nextra_capabilities = {fast: true}\n', expect: { severity: 'error', line: 4, key: 'extra_capabilities' } },
  { name: 'an empty integer', rule: 'empty-number', text: '[DEFAULT]\nenabled_backends = lvm\nreport_interval =\n[lvm]\n', expect: { severity: 'warning', line: 3 } },
  { name: 'a misspelt option', rule: 'unknown-option', text: '[DEFAULT]\nenable_backends = lvm\nenabled_backends = lvm\n[lvm]\n', expect: { severity: 'warning', line: 2, suggestion: 'enabled_backends' } },
  { name: 'a misspelt LVM option', rule: 'unknown-option', text: '[DEFAULT]\nenabled_backends = lvm\n[lvm]\nvolume_grup = vg\n', expect: { severity: 'warning', line: 4, suggestion: 'volume_group' } },
  { name: 'an option in the wrong case', rule: 'unknown-option', text: '[DEFAULT]\nenabled_backends = lvm\n[lvm]\nVolume_Group = vg\n', expect: { line: 4, suggestion: 'volume_group', message: '[lvm] Volume_Group is not a Cinder 2023.1 option; oslo.config ignores it; did you mean volume_group? (option names are case-sensitive)' } },
  { name: 'an out-of-tree driver option', rule: 'unknown-option', text: '[DEFAULT]\nenabled_backends = zbs\n[zbs]\nvolume_driver = zbs.ZBSISCSIDriver\nchunk_ip = 10.32.0.168\n', expect: { severity: 'info', line: 5 } },
  { name: 'an old name oslo still reads', rule: 'deprecated-option', text: '[DEFAULT]\nenabled_backends = lvm\nbackup_driver_status_check_interval = 30\n[lvm]\n', expect: { severity: 'warning', line: 3, suggestion: 'backup_driver_stats_polling_interval' } },
  { name: 'iscsi_ip_address', rule: 'legacy-option', text: '[DEFAULT]\nenabled_backends = lvm\n[lvm]\niscsi_ip_address = 10.0.1.29\n', expect: { severity: 'warning', line: 4, suggestion: 'target_ip_address' } },
  { name: 'volume_driver in [DEFAULT]', rule: 'wrong-section', text: '[DEFAULT]\nenabled_backends = lvm\nvolume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver\n[lvm]\n', expect: { severity: 'warning', line: 3, key: 'volume_driver' } },
  { name: 'volume_backend_name in [DEFAULT]', rule: 'wrong-section', text: '[DEFAULT]\nenabled_backends = lvm\nvolume_backend_name = LVM\n[lvm]\n', expect: { severity: 'warning', line: 3 } },
  { name: 'storage_availability_zone in a backend group', rule: 'wrong-section', text: '[DEFAULT]\nenabled_backends = lvm\n[lvm]\nstorage_availability_zone = az2\n', expect: { severity: 'warning', line: 4 } },
  { name: 'backend_host in [backend_defaults]', rule: 'wrong-section', text: '[DEFAULT]\nenabled_backends = lvm\n[backend_defaults]\nbackend_host = shared\n[lvm]\n', expect: { severity: 'warning', line: 4 } },
  { name: 'enabled_backends names no section', rule: 'missing-backend-group', text: '[DEFAULT]\nenabled_backends = lvm\n', expect: { severity: 'warning', line: 2, value: 'lvm' } },
  { name: 'a group never enabled', rule: 'unused-backend-group', text: '[DEFAULT]\nenabled_backends = lvm\n[lvm]\n[ssd]\nvolume_group = ssd\n', expect: { severity: 'warning', line: 4, section: 'ssd' } },
  { name: 'a group whose name is close to a missing backend', rule: 'unused-backend-group', text: '[DEFAULT]\nenabled_backends = lvm-1\n[lvm1]\nvolume_group = vg\n', expect: { line: 3, suggestion: 'lvm-1' } },
  { name: '[backend_default]', rule: 'misspelt-section', text: '[DEFAULT]\nenabled_backends = lvm\n[backend_default]\ntarget_helper = lioadm\n[lvm]\n', expect: { severity: 'warning', line: 3, suggestion: 'backend_defaults' } },
  { name: '[keystone_authtoke]', rule: 'misspelt-section', text: '[DEFAULT]\nenabled_backends = lvm\n[lvm]\n[keystone_authtoke]\nauth_type = password\n', expect: { line: 4, suggestion: 'keystone_authtoken' } },
  { name: '[default] in lower case', rule: 'misspelt-section', text: '[default]\nenabled_backends = lvm\n', expect: { line: 1, suggestion: 'DEFAULT' } },
  { name: 'no enabled_backends', rule: 'no-enabled-backends', text: '[DEFAULT]\nhost = ctl\n', expect: { severity: 'warning', file: null, line: null } },
  { name: 'enabled_backends of empty names only', rule: 'no-enabled-backends', text: '[DEFAULT]\nenabled_backends = ,\n', expect: { line: 2 } },
  { name: 'a backend enabled twice', rule: 'duplicate-enabled-backend', text: '[DEFAULT]\nenabled_backends = lvm,lvm\n[lvm]\n', expect: { severity: 'warning', line: 2, value: 'lvm' } },
  { name: 'an option set twice', rule: 'duplicate-option', text: '[DEFAULT]\nenabled_backends = lvm\n[lvm]\nvolume_group = a\nvolume_group = b\n', expect: { severity: 'info', line: 5 } },
  { name: 'two backends named alike', rule: 'duplicate-backend-name', text: '[DEFAULT]\nenabled_backends = a,b\n[a]\nvolume_backend_name = fast\n[b]\nvolume_backend_name = fast\n', expect: { severity: 'info', line: 6, value: 'fast' } },
  { name: 'two unnamed LVM backends both report LVM', rule: 'duplicate-backend-name', text: '[DEFAULT]\nenabled_backends = a,b\n[a]\n[b]\n', expect: { severity: 'info', line: 4, value: 'LVM' } },
  { name: 'service_down_time <= report_interval', rule: 'service-down-time-override', text: '[DEFAULT]\nenabled_backends = lvm\nreport_interval = 30\nservice_down_time = 30\n[lvm]\n', expect: { severity: 'warning', line: 4 } },
  { name: 'LVMISCSIDriver', rule: 'unknown-driver', text: '[DEFAULT]\nenabled_backends = lvm\n[lvm]\nvolume_driver = cinder.volume.drivers.lvm.LVMISCSIDriver\n', expect: { severity: 'error', line: 4, suggestion: 'cinder.volume.drivers.lvm.LVMVolumeDriver' } },
  { name: 'an old vmax path', rule: 'renamed-driver', text: '[DEFAULT]\nenabled_backends = v\n[v]\nvolume_driver = cinder.volume.drivers.dell_emc.vmax.iscsi.VMAXISCSIDriver\n', expect: { severity: 'warning', line: 4, suggestion: 'cinder.volume.drivers.dell_emc.powermax.iscsi.PowerMaxISCSIDriver' } },
  { name: 'the RBD driver', rule: 'unmodelled-driver', text: '[DEFAULT]\nenabled_backends = ceph\n[ceph]\nvolume_driver = cinder.volume.drivers.rbd.RBDDriver\nrbd_pool = volumes\n', expect: { severity: 'info', line: 4 } },
  { name: 'a misspelt filter', rule: 'unknown-scheduler-class', text: '[DEFAULT]\nenabled_backends = lvm\nscheduler_default_filters = CapacityFilter,AvailabiltyZoneFilter\n[lvm]\n', expect: { severity: 'error', line: 3, value: 'AvailabiltyZoneFilter', suggestion: 'AvailabilityZoneFilter' } },
  { name: 'an unknown weigher', rule: 'unknown-scheduler-class', text: '[DEFAULT]\nenabled_backends = lvm\nscheduler_default_weighers = RandomWeigher\n[lvm]\n', expect: { severity: 'error', line: 3, value: 'RandomWeigher' } },
  { name: 'a default AZ with no backend', rule: 'default-az-without-service', text: '[DEFAULT]\nenabled_backends = lvm\ndefault_availability_zone = az9\n[lvm]\n', expect: { severity: 'warning', line: 3, value: 'az9', choices: ['nova'] } },
  { name: 'every backend moved out of storage_availability_zone', rule: 'default-az-without-service', text: '[DEFAULT]\nenabled_backends = lvm\n[lvm]\nbackend_availability_zone = az2\n', expect: { file: null, line: null, key: 'storage_availability_zone', value: 'nova' } },
];

/** Rules linted outside loading; covered in types-lint.test.ts and provisioning.test.ts. */
const typeRules: LintRuleId[] = ['type-backend-name-missing', 'default-volume-type-missing', 'auto-thin-oversubscribed'];

describe('lint rules', () => {
  test.each(cases)('$rule: $name', ({ rule, text, expect: fields }) => {
    const hits = load(text).findings.filter((f) => f.rule === rule);
    expect(hits).toContainEqual(expect.objectContaining({ file: fields.file === null ? null : 'cinder.conf', ...fields }));
  });

  test('every rule in the registry has a case', () => {
    const covered = new Set([...cases.map((c) => c.rule), ...typeRules]);
    expect(Object.keys(lintRules).filter((r) => !covered.has(r as LintRuleId))).toEqual([]);
  });

  test('a clean file has no findings', () => {
    expect(load('[DEFAULT]\nenabled_backends = lvm\n[lvm]\nvolume_backend_name = LVM\n').findings).toEqual([]);
  });

  test.each([
    ['[ssd] holding backend options is a never-enabled backend, not a misspelt [ssl]', '[DEFAULT]\nenabled_backends = lvm\n[lvm]\n[ssd]\nvolume_group = x\n', 'unused-backend-group'],
    ['known oslo sections are left alone', '[DEFAULT]\nenabled_backends = lvm\n[lvm]\n[oslo_messaging_rabbit]\nrabbit_quorum_queue = true\n', null],
    ['driver options known to Cinder are accepted', '[DEFAULT]\nenabled_backends = ceph\n[ceph]\nvolume_driver = cinder.volume.drivers.rbd.RBDDriver\nrbd_pool = volumes\nrbd_user = cinder\n', 'unmodelled-driver'],
    ['oslo [DEFAULT] options are accepted', '[DEFAULT]\nenabled_backends = lvm\ndebug = True\ntransport_url = rabbit://x\nlog_dir = /var/log\n[lvm]\n', null],
  ])('%s', (_name, text, onlyRule) => {
    expect(load(text).findings.map((f) => f.rule)).toEqual(onlyRule === null ? [] : [onlyRule]);
  });

  test('every finding says where: file and line, or null for the whole set', () => {
    for (const c of cases) {
      for (const f of load(c.text).findings) {
        expect(f.file === null || f.file === 'cinder.conf').toBe(true);
        expect(f.message.length).toBeGreaterThan(10);
      }
    }
  });

  test('a parse error still lets the rest of the file derive', () => {
    const conf = load('[DEFAULT]\nenabled_backends = lvm\noops\n[lvm]\nvolume_group = vg1\n');
    expect(conf.findings.map((f) => f.rule)).toEqual(['parse-error']);
    expect(conf.backends[0]?.options.volume_group).toBe('vg1');
  });
});
