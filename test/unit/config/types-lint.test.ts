import { schedulerClasses } from '../../../sim/cinder/scheduler/index.js';
import { describe, expect, test } from 'vitest';
import { backendNameMatches, lintDefaultAvailabilityZone, lintVolumeTypes, loadCinderConf } from '../../../sim/cinder/config/index.js';

const conf = (text: string, host = 'node1') => loadCinderConf([{ path: 'cinder.conf', text }], { host, schedulerClasses });
const sataSsd = conf('[DEFAULT]\nenabled_backends = sata,ssd,plain\n[sata]\nvolume_backend_name = sata\n[ssd]\nvolume_backend_name = ssd\n[plain]\n');

describe('volume types against backends', () => {
  test.each([
    ['sata', true],
    ['LVM', true],
    ['sas', false],
    ['<or> sas <or> ssd', true],
    ['<or> sas <or> nvme', false],
    ['<in> sa', true],
    ['s== ssd', true],
    ['>= 3', null],
  ])('volume_backend_name=%j matches? %j', (spec, expected) => {
    const verdicts = sataSsd.backends.map((b) => backendNameMatches(spec, b.reported_volume_backend_name!));
    const any = verdicts.includes(true) ? true : verdicts.includes(null) ? null : false;
    expect(any).toBe(expected);
  });

  test('a type naming a backend that does not exist', () => {
    const findings = lintVolumeTypes(sataSsd, [
      { name: 'sata', extra_specs: { volume_backend_name: 'sata' } },
      { name: 'sas', extra_specs: { volume_backend_name: 'sas' } },
      { name: 'scoped', extra_specs: { 'capabilities:volume_backend_name': 'nvme' } },
      { name: 'any', extra_specs: {} },
      { name: '__DEFAULT__', extra_specs: {} },
    ]);
    expect(findings.map((f) => [f.rule, f.severity, f.value])).toEqual([
      ['type-backend-name-missing', 'warning', 'sas'],
      ['type-backend-name-missing', 'warning', 'nvme'],
    ]);
    expect(findings[0]!.message).toBe('volume type sas asks for volume_backend_name=sas, which no backend reports (reported: sata, ssd, LVM): creates with this type fail with No valid backend');
    expect(findings[0]!.choices).toEqual(['sata', 'ssd', 'LVM']);
  });

  test('backends of every node count', () => {
    const node2 = conf('[DEFAULT]\nenabled_backends = sas\n[sas]\nvolume_backend_name = sas\n', 'node2');
    expect(lintVolumeTypes([sataSsd, node2], [{ name: 'sas', extra_specs: { volume_backend_name: 'sas' } }, { name: '__DEFAULT__', extra_specs: {} }])).toEqual([]);
  });

  test('default_volume_type must be one of the types', () => {
    const c = conf('[DEFAULT]\ndefault_volume_type = gold\nenabled_backends = a\n[a]\n');
    expect(lintVolumeTypes(c, [{ name: 'silver', extra_specs: {} }])).toEqual([
      expect.objectContaining({ rule: 'default-volume-type-missing', file: 'cinder.conf', line: 2, value: 'gold', choices: ['silver'] }),
    ]);
  });
});

describe('default availability zone across nodes', () => {
  test('a zone served by another node is fine', () => {
    const api = conf('[DEFAULT]\ndefault_availability_zone = az2\nenabled_backends = a\n[a]\n');
    const node2 = conf('[DEFAULT]\nstorage_availability_zone = az2\nenabled_backends = b\n[b]\n', 'node2');
    expect(api.findings.map((f) => f.rule)).toEqual(['default-az-without-service']);
    expect(lintDefaultAvailabilityZone(api, [...api.services, ...node2.services])).toEqual([]);
  });
});
