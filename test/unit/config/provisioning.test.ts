import { describe, expect, test } from 'vitest';
import { backendProvisioning, lintProvisioning, loadCinderConf, resolveLvmType, type LvmFacts } from '../../../sim/cinder/config/index.js';
import { schedulerClasses } from '../../../sim/cinder/scheduler/index.js';

const load = (text: string) => loadCinderConf([{ path: 'cinder.conf', text }], { host: 'node1', schedulerClasses });
const facts = (f: Partial<LvmFacts>): LvmFacts => ({ thinSupported: true, thinPoolExists: false, hasLvs: false, ...f });

describe("lvm_type auto as Cinder's LVM driver resolves it (check_for_setup_error)", () => {
  test.each([
    { name: 'thin-capable LVM, empty VG', facts: facts({}), effective: 'thin', why: /holds no LV yet/ },
    { name: 'thin-capable LVM, thin pool already there', facts: facts({ hasLvs: true, thinPoolExists: true }), effective: 'thin', why: /thin pool vg1-pool exists/ },
    { name: 'thin-capable LVM, LVs and no thin pool', facts: facts({ hasLvs: true }), effective: 'default', why: /already holds LVs and no thin pool vg1-pool/ },
    { name: 'LVM without thin support', facts: facts({ thinSupported: false }), effective: 'default', why: /does not support thin/ },
  ] as const)('$name: $effective', ({ facts: f, effective, why }) => {
    const r = resolveLvmType('auto', 'vg1', f);
    expect(r.effective).toBe(effective);
    expect(r.why).toMatch(why);
  });

  test('thin and default are taken as set, whatever the VG holds', () => {
    expect(resolveLvmType('thin', 'vg1', facts({ hasLvs: true })).effective).toBe('thin');
    expect(resolveLvmType('default', 'vg1', facts({})).effective).toBe('default');
  });
});

describe('provisioning in effect and its lint', () => {
  test('the ratio and the reserve with their sources', () => {
    const conf = load('[DEFAULT]\nenabled_backends = a,b\n[backend_defaults]\nreserved_percentage = 5\n[a]\nmax_over_subscription_ratio = 1.5\n[b]\nvolume_driver = cinder.volume.drivers.rbd.RBDDriver\n');
    const [a, b] = conf.backends.map((x) => backendProvisioning(x));
    expect(a).toMatchObject({ provisioning: 'thin', max_over_subscription_ratio: { value: '1.5', source: 'set in [a] at cinder.conf:6' }, reserved_percentage: { value: 5, source: 'set in [backend_defaults] at cinder.conf:4' } });
    expect(b).toMatchObject({ provisioning: null, lvm_type: null });
  });

  test.each([
    { name: 'lvm_type unset at the default ratio: at the section header', text: '[DEFAULT]\nenabled_backends = ssd\n[ssd]\nvolume_group = ssd\n', line: 3 },
    { name: 'lvm_type = auto at the default ratio: at its line', text: '[DEFAULT]\nenabled_backends = ssd\n[ssd]\nvolume_group = ssd\nlvm_type = auto\n', line: 5 },
  ])('$name', ({ text, line }) => {
    const found = lintProvisioning(load(text));
    expect(found).toEqual([expect.objectContaining({ rule: 'auto-thin-oversubscribed', severity: 'warning', file: 'cinder.conf', line, key: 'lvm_type' })]);
    expect(found[0]!.message).toContain('backend ssd:');
    expect(found[0]!.message).toContain('up to 20.0 times the thin pool');
  });

  test.each([
    ['thick on purpose', '[DEFAULT]\nenabled_backends = ssd\n[ssd]\nlvm_type = default\n'],
    ['a ratio set', '[DEFAULT]\nenabled_backends = ssd\n[ssd]\nmax_over_subscription_ratio = 2.0\n'],
    ['a ratio set for every backend', '[DEFAULT]\nenabled_backends = ssd\n[backend_defaults]\nmax_over_subscription_ratio = 1.0\n[ssd]\n'],
    ['not the LVM driver', '[DEFAULT]\nenabled_backends = ceph\n[ceph]\nvolume_driver = cinder.volume.drivers.rbd.RBDDriver\n'],
  ])('no finding: %s', (_name, text) => {
    expect(lintProvisioning(load(text))).toEqual([]);
  });

  test('auto on a VG that already holds LVs stays thick: no finding', () => {
    expect(lintProvisioning(load('[DEFAULT]\nenabled_backends = ssd\n[ssd]\n'), () => facts({ hasLvs: true }))).toEqual([]);
  });
});
