import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExecaRunner, cleanupHost } from '../../../drivers/loop-lvm/index.js';
import { readOutcomeFile } from '../../../sim/scenario/outcome-read.js';
import type { RunOutcome } from '../../../sim/scenario/outcome.js';
import { freshRoot, hostSkip, loopsUnder, lvNames, makeForeignVg, sh, tgtdUnder } from './host-env.js';
import { cli, keepExported, liveScenario, startLive, until } from './live-env.js';

/**
 * `cinder-sim run --live` on this host (metadata mode): the built-in
 * live-lvm-iscsi scenario passes with real LVM and tgtd, leaves nothing
 * behind, and places and ends as its simulated run does; a scenario or host
 * that cannot run live is refused before anything changes; SIGTERM cleans up.
 */
const vgExists = (vg: string): boolean => sh(['vgs', '--config', 'global{activation=0}', vg]).exitCode === 0;

describe.skipIf(hostSkip)('run --live on the host', () => {
  const roots: string[] = [];
  const root = (): string => {
    const r = freshRoot();
    roots.push(r);
    return r;
  };
  afterAll(async () => {
    for (const r of roots) {
      await cleanupHost(new ExecaRunner(), r);
      sh(['rm', '-rf', r]);
    }
  });

  it('live-lvm-iscsi passes on real LVM and tgtd, cleans up, and matches its simulated run but for timings', { timeout: 180_000 }, async () => {
    const s = liveScenario(root(), 4);
    const state = root();
    const live = await cli(['run', '--live', s.file, '--out', join(s.dir, 'live')], state);
    expect(live.stderr).toBe('');
    expect(live.exitCode, live.stdout).toBe(0);
    expect(live.stdout).toMatch(/real backends set up; running on the wall clock/);

    const o = readOutcomeFile(join(s.dir, 'live', 'live-lvm-iscsi', 'outcome.json'));
    expect(o.summary.expectations_failed).toBe(0);
    expect(o.end.reason).toBe('settled');
    expect(o.live).toEqual({ mode: 'host', backends: [{ backend: `${s.node}@lvm`, driver: 'loop-lvm', mode: 'metadata', lvm_type: 'default', vg: s.vg, backing_file_gb: 4, snapshot_support: false }] });
    const calls = new Map((o.driver_calls ?? []).map((c) => [c.operation, c]));
    for (const op of ['create_volume', 'extend_volume', 'create_snapshot', 'initialize_connection', 'terminate_connection', 'delete_volume', 'get_volume_stats']) {
      const c = calls.get(op);
      expect(c, op).toBeDefined();
      expect(c!.p50_ms).toBeLessThanOrEqual(c!.p95_ms);
      expect(c!.p95_ms).toBeLessThanOrEqual(c!.max_ms);
    }
    expect(calls.get('create_snapshot')!.failed).toBe(1);
    const report = readFileSync(join(s.dir, 'live', 'report.txt'), 'utf8');
    expect(report).toContain(`real backends: ${s.node}@lvm (loop-lvm, metadata mode`);
    expect(report).toMatch(/driver calls \(wall ms\):\s+operation\s+count\s+failed\s+p50\s+p95\s+max/);

    // Nothing of the run is left: loop devices, tgtd, the VG, the state directory.
    expect(loopsUnder(state)).toEqual([]);
    expect(tgtdUnder(state)).toEqual([]);
    expect(vgExists(s.vg)).toBe(false);
    expect(existsSync(join(state, s.instance))).toBe(false);

    // The same scenario simulated: the fake stands in for loop-lvm (metadata mode: no snapshots).
    const sim = await cli(['run', s.file, '--out', join(s.dir, 'sim')], root());
    const so = readOutcomeFile(join(s.dir, 'sim', 'live-lvm-iscsi', 'outcome.json'));
    expect(so.live).toBeUndefined();
    const steps = (x: RunOutcome) => x.steps.map((st) => [st.id, st.outcome, st.exit_status]);
    const decisions = (x: RunOutcome) => x.decisions.map((d) => [d.operation, d.ok, d.chosen]);
    const requests = (x: RunOutcome) => x.requests.map((r) => [r.source, r.verb, r.result, r.host]);
    expect(steps(so)).toEqual(steps(o));
    expect(decisions(so)).toEqual(decisions(o));
    expect(requests(so)).toEqual(requests(o));
    // Every expectation agrees but those about the compute host's data path, which only a live run has.
    const verdicts = (x: RunOutcome) => x.expectations.filter((e) => !e.text.includes('os-brick')).map((e) => [e.index, e.passed]);
    expect(verdicts(so)).toEqual(verdicts(o));
    expect(so.expectations.filter((e) => !e.passed).map((e) => e.text)).toEqual(o.expectations.filter((e) => e.text.includes('os-brick')).map((e) => e.text));
    expect(sim.exitCode).toBe(1);
  });

  it('refuses, before anything changes, what cannot run live: each a clear error, exit 2', { timeout: 120_000 }, async () => {
    const state = root();
    const scratch = root();
    const foreignDir = root();
    const cases: { name: string; s: ReturnType<typeof liveScenario>; prefix?: string[]; env?: Record<string, string>; message: RegExp }[] = [
      { name: 'the iSCSI port', s: liveScenario(scratch, 5, (y) => y.replace(/target_port = \d+/, 'target_port = 3260')), message: /target_port = 3260, iSCSI's own port/ },
      { name: 'another driver class', s: liveScenario(scratch, 5, (y) => y.replace('cinder.volume.drivers.lvm.LVMVolumeDriver', 'cinder.volume.drivers.nfs.NfsDriver')), message: /volume_driver is cinder\.volume\.drivers\.nfs\.NfsDriver; set volume_driver = cinder\.volume\.drivers\.lvm\.LVMVolumeDriver/ },
      { name: 'a backing file larger than the free disk', s: liveScenario(scratch, 5, (y) => y.replace('backing_file_gb: 4', 'backing_file_gb: 1048576')), message: /needs 1048576\.00 GiB and the file system holding .* has [\d.]+ GiB free/ },
      { name: 'a missing tool', s: liveScenario(scratch, 5), env: { PATH: '/usr/bin:/bin' }, message: /loop-lvm needs .*lvcreate.*not found on PATH; install them: apt-get install -y .*lvm2/ },
      { name: 'not root', s: liveScenario(scratch, 5), prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'], message: /loop-lvm needs root/ },
    ];
    // The unprivileged user reads the scenario too.
    const notRoot = cases.find((c) => c.name === 'not root')!;
    for (const d of [scratch, notRoot.s.dir]) chmodSync(d, 0o755);
    const foreign = liveScenario(scratch, 6);
    const vg = makeForeignVg(foreignDir, foreign.vg);
    try {
      cases.push({ name: 'a VG of our name that is not ours', s: foreign, message: new RegExp(`a volume group named ${foreign.vg} exists and is not ours`) });
      for (const c of cases) {
        const r = await cli(['run', '--live', c.s.file, '--out', join(c.s.dir, 'out')], state, { ...(c.prefix ? { prefix: c.prefix } : {}), ...(c.env ? { env: c.env } : {}) });
        expect(r.exitCode, `${c.name}: ${r.stderr}`).toBe(2);
        expect(r.stderr, c.name).toMatch(c.message);
        expect(r.stderr, c.name).not.toMatch(/\n\s+at /);
        expect(existsSync(join(state, c.s.instance)), c.name).toBe(false);
        expect(loopsUnder(state), c.name).toEqual([]);
      }
      // Not ours: untouched.
      expect(lvNames(vg.device, foreign.vg)).toEqual(['data']);
    } finally {
      vg.destroy();
    }
  });

  it('SIGTERM midway: the run stops, removes its real backends and exits 143', { timeout: 120_000 }, async () => {
    const s = liveScenario(root(), 7, keepExported);
    const state = root();
    const { child: p, stderr } = await startLive(s.file, join(s.dir, 'out'), state);
    // Midway: the volume is exported (the PV's loop device and the export's), tgtd runs.
    await until(() => loopsUnder(state).length === 2, 'the export');
    expect(tgtdUnder(state)).toHaveLength(1);
    p.kill('SIGTERM');
    const r = await p;
    expect(r.exitCode).toBe(143);
    expect(stderr()).toContain('cinder-sim: interrupted by SIGTERM; the real backends were removed');
    expect(loopsUnder(state)).toEqual([]);
    expect(tgtdUnder(state)).toEqual([]);
    expect(vgExists(s.vg)).toBe(false);
  });
});
