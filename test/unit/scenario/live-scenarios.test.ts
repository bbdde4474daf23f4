import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../../sim/cli/io.js';
import { instanceOf, planLiveBackends, summarizeCalls } from '../../../sim/cli/live/backends.js';
import { checkTarget } from '../../../sim/cli/live/initiator.js';
import { portalRoute, type LiveVm } from '../../../sim/cli/live/vm.js';
import { main } from '../../../sim/cli/main.js';
import { libraryFiles, liveLibraryFiles } from '../../../sim/scenario/library.js';
import { loadScenarioFile } from '../../../sim/scenario/loader.js';
import { backendStorage } from '../../../sim/scenario/topology.js';

const name = (f: string): string => f.replace(/^.*\//, '').replace(/\.yaml$/, '');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'cinder-sim-live-unit-'));

describe('live scenarios and loop-lvm backends in the scenario language (no host needed)', () => {
  it('the default library stays simulated; the live scenarios are apart', () => {
    expect(libraryFiles().map(name)).toHaveLength(9);
    expect(libraryFiles().map(name)).not.toContain('live-lvm-iscsi');
    expect(liveLibraryFiles().map(name)).toEqual(['live-lvm-iscsi', 'live-lvm-snapshots']);
  });

  it('run --live needs a scenario named, and finds the built-in live ones by name', async () => {
    const io = bufferIo(tmp());
    expect(await main(['run', '--live'], io)).toBe(2);
    expect(io.err).toContain('built-in live scenarios: live-lvm-iscsi');
    const io2 = bufferIo(tmp());
    expect(await main(['run', '--live', 'live-lvm-iscs'], io2)).toBe(2);
    expect(io2.err).toContain("no scenario file 'live-lvm-iscs' and no built-in scenario of that name; built-in: live-lvm-iscsi, ");
  });

  it('a loop-lvm backend plans to loop-lvm options from its cinder.conf group, and to the fake that models it', () => {
    const loaded = loadScenarioFile(liveLibraryFiles()[0]!, tmp());
    const [plan, ...more] = planLiveBackends(loaded, '/var/lib/x');
    expect(more).toEqual([]);
    expect(plan).toMatchObject({ host: 'node1@lvm', options: { instance: 'node1_lvm', stateRoot: '/var/lib/x', backingFileGb: 4, mode: 'metadata', volume_backend_name: 'lvm', target_ip_address: '127.0.0.1', target_port: 3261, volume_clear: 'zero', hostname: 'node1' } });
    expect(backendStorage({ driver: 'loop-lvm', backing_file_gb: 8, mode: 'metadata' })).toEqual({
      storage: { vg_size_gb: 8, thin_supported: false, snapshot_support: false },
      real: { driver: 'loop-lvm', backing_file_gb: 8, mode: 'metadata' },
    });
    expect(backendStorage({ driver: 'loop-lvm', backing_file_gb: 8, mode: 'full' }).storage).toMatchObject({ thin_supported: true, snapshot_support: true });
  });

  it('live-lvm-snapshots plans two backends in the test VM (its address, a port each, thick and thin); on the host it is refused, pointing at --vm', () => {
    const loaded = loadScenarioFile(liveLibraryFiles()[1]!, tmp());
    const plans = planLiveBackends(loaded, '/var/lib/cinder-sim', 'vm');
    expect(plans.map((p) => [p.host, p.options.instance, p.options.mode, p.options.lvm_type, p.options.target_ip_address, p.options.target_port, p.options.volume_clear])).toEqual([
      ['storage1@lvm', 'storage1_lvm', 'full', 'default', '10.0.2.15', 3260, 'none'],
      ['storage1@thin', 'storage1_thin', 'full', 'thin', '10.0.2.15', 3261, 'none'],
    ]);
    expect(() => planLiveBackends(loaded, '/var/lib/x')).toThrow(/storage1@lvm \(loop-lvm\) has target_ip_address = 10\.0\.2\.15; .*\(10\.0\.2\.15 is the test VM's address: run it with --vm\)/);
  });

  it("with --vm the compute host reaches the guest's 3260 through the forward and says so; another guest portal is not reachable, and nothing connects", async () => {
    const vm = { backend: { hostPortal: '127.0.0.1:13270' } } as LiveVm;
    const route = portalRoute(vm);
    expect([route.to('10.0.2.15:3260'), route.to('10.0.2.15:3261')]).toEqual(['127.0.0.1:13270', null]);
    const ci = { data: { target_portal: '10.0.2.15:3261', target_iqn: 'iqn.2010-10.org.openstack:volume-x', target_lun: 1, auth_username: 'u', auth_password: 'p' } };
    expect(await checkTarget(ci, route)).toEqual([
      'os-brick: iSCSI login to 10.0.2.15:3261 iqn.2010-10.org.openstack:volume-x lun 1 with CHAP user u',
      'os-brick: 10.0.2.15:3261 is not reachable from this host: the test VM forwards only 10.0.2.15:3260 (to 127.0.0.1:13270); nothing connected',
    ]);
  });

  it('instance names stay in loop-lvm\'s alphabet and length', () => {
    expect(instanceOf('Node-1', 'lvm.a')).toBe('node_1_lvm_a');
    expect(instanceOf('x'.repeat(40), 'lvm')).toHaveLength(32);
  });

  it('a bad loop-lvm backend key is a scenario problem naming the valid choices', async () => {
    const dir = tmp();
    const text = `version: 1\nname: l\ndescription: d\nduration: 1m\ntopology:\n  nodes:\n    - {name: c, services: [cinder-api, cinder-scheduler]}\n    - name: n\n      cinder_conf: "[DEFAULT]\\nenabled_backends = lvm\\n"\n      backends:\n        lvm: {driver: loop-lvm, mode: fast, vg_size_gb: 3}\n`;
    writeFileSync(join(dir, 'l.yaml'), text);
    const io = bufferIo(dir);
    expect(await main(['validate', 'l.yaml'], io)).toBe(2);
    expect(io.err).toContain("backends.lvm.mode: 'fast' is not valid; valid: auto, full, metadata");
    expect(io.err).toContain("backends.lvm.vg_size_gb: unknown key 'vg_size_gb'; valid keys: driver, backing_file_gb, mode");
    writeFileSync(join(dir, 'l.yaml'), text.replace('driver: loop-lvm, mode: fast, vg_size_gb: 3', 'driver: lvm'));
    const io2 = bufferIo(dir);
    expect(await main(['validate', 'l.yaml'], io2)).toBe(2);
    expect(io2.err).toContain("backends.lvm.driver: 'lvm' is not a valid driver; valid: fake, loop-lvm");
  });

  it('driver calls summarise per operation: count, failures, nearest-rank p50/p95, max', () => {
    const calls = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((ms, i) => ({ operation: 'create_volume', wallMs: ms, ok: i !== 3, kind: null }));
    expect(summarizeCalls([...calls, { operation: 'delete_volume', wallMs: 5.04, ok: true, kind: null }])).toEqual([
      { operation: 'create_volume', count: 10, failed: 1, p50_ms: 50, p95_ms: 100, max_ms: 100 },
      { operation: 'delete_volume', count: 1, failed: 0, p50_ms: 5, p95_ms: 5, max_ms: 5 },
    ]);
  });
});
