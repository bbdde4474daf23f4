import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stateRoot } from '../../../drivers/loop-lvm/index.js';
import { runningQemu, stopVm } from '../../../drivers/loop-lvm/vm/control.js';
import { vmPaths } from '../../../drivers/loop-lvm/vm/paths.js';
import { packageRoot } from '../../../sim/scenario/library.js';
import { readOutcomeFile } from '../../../sim/scenario/outcome-read.js';
import type { RunOutcome } from '../../../sim/scenario/outcome.js';
import { bin, cli } from '../loop-lvm/live-env.js';
import { vmSkipReason, vmTestPort } from './vm-env.js';

/**
 * `cinder-sim run --live --vm`: the built-in live-lvm-snapshots scenario
 * with its two loop-lvm backends (thick and thin) in a test VM booted for
 * the run, full mode probed there, attach through the VM's forwarded iSCSI
 * port; the VM is gone after the run.  The same scenario simulated places
 * and ends the same but for what only real LVM does (LVM's refusal to
 * deactivate an exported origin) and the compute host's data path.  What
 * cannot run with --vm is refused before anything changes.
 *
 * The run boots its own VM (a live run refuses a running one of its name),
 * so this file does not share the full-mode suite's VM; it shares its
 * cached image (same state root).
 */
const root = stateRoot(process.env);
const vmName = `l${process.pid}`;
const hostPort = vmTestPort() + 1;
const scenario = join(packageRoot(), 'scenarios', 'live', 'live-lvm-snapshots.yaml');
const work = mkdtempSync(join(tmpdir(), 'cinder-sim-live-vm-'));

/** Expectations only a live run in the VM meets: the compute host's data path, and LVM's refusal on the exported origin. */
const liveOnly = (text: string): boolean => text.includes('os-brick') || text.includes('extend_exported') || text.includes('data2') || text.includes('deactivating');

describe.skipIf(vmSkipReason !== null)(`run --live --vm${vmSkipReason === null ? '' : ` (skipped: ${vmSkipReason})`}`, () => {
  afterAll(async () => {
    await stopVm(root, vmName);
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('live-lvm-snapshots passes in the VM (full mode, thick and thin), stops the VM, refuses a second run on the running VM, and matches its simulated run but for LVM and the data path', { timeout: 900_000 }, async () => {
    const out = join(work, 'live');
    const t0 = performance.now();
    const run = execa(process.execPath, [bin, 'run', '--live', '--vm', '--vm-name', vmName, '--iscsi-port', String(hostPort), scenario, '--out', out], {
      reject: false,
      stdin: 'ignore',
      env: { CINDER_SIM_STATE: root },
      forceKillAfterDelay: false,
    });
    // While it runs, the VM is its own: a second live run naming it is refused, and leaves it running.
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      run.stdout?.on('data', (b: Buffer) => {
        seen += b.toString();
        if (seen.includes('real backends set up in the test VM')) resolve();
      });
      run.then((r) => reject(new Error(`run --live --vm exited ${String(r.exitCode)} before starting: ${String(r.stderr)}`)), reject);
    });
    const second = await cli(['run', '--live', '--vm', '--vm-name', vmName, '--iscsi-port', String(hostPort + 1), scenario, '--out', join(work, 'second')], root);
    expect(second.exitCode, second.stderr).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`the test VM "${vmName}" is already running \\(qemu pid \\d+\\); a live run boots its own VM .* stop it \\(cinder-sim vm stop --name ${vmName}\\) or name another with --vm-name`));
    expect(runningQemu(vmPaths(root, vmName))).not.toBeNull();

    const r = await run;
    const wallS = (performance.now() - t0) / 1000;
    expect(r.exitCode, `${String(r.stdout)}\n${String(r.stderr)}`).toBe(0);
    expect(String(r.stderr).split('\n').filter((l) => l !== '' && !l.startsWith('vm: '))).toEqual([]);
    // The VM is stopped and its run directory gone.
    expect(runningQemu(vmPaths(root, vmName))).toBeNull();
    expect(existsSync(vmPaths(root, vmName).runDir)).toBe(false);

    const o = readOutcomeFile(join(out, 'live-lvm-snapshots', 'outcome.json'));
    expect(o.summary.expectations_failed).toBe(0);
    expect(o.end.reason).toBe('settled');
    expect(o.live?.mode).toBe('vm');
    expect(o.live?.backends).toEqual([
      { backend: 'storage1@lvm', driver: 'loop-lvm', mode: 'full', lvm_type: 'default', vg: 'cinder-sim-storage1_lvm-vg', backing_file_gb: 4, snapshot_support: true },
      { backend: 'storage1@thin', driver: 'loop-lvm', mode: 'full', lvm_type: 'thin', vg: 'cinder-sim-storage1_thin-vg', backing_file_gb: 4, snapshot_support: true },
    ]);
    expect(o.live?.vm).toMatchObject({ name: vmName, host_portal: `127.0.0.1:${hostPort}` });
    expect(['kvm', 'tcg']).toContain(o.live?.vm?.accel);
    const calls = new Map((o.driver_calls ?? []).map((c) => [c.operation, c]));
    const counts = { create_volume: 3, create_snapshot: 3, create_volume_from_snapshot: 1, create_cloned_volume: 1, extend_volume: 3, initialize_connection: 2, terminate_connection: 1, delete_snapshot: 2, delete_volume: 4 };
    expect(Object.fromEntries(Object.keys(counts).map((op) => [op, calls.get(op)?.count]))).toEqual(counts);
    // The one failed call: extend_volume of the exported origin (LVM would not deactivate it).
    expect([...calls.values()].filter((c) => c.failed > 0).map((c) => [c.operation, c.failed])).toEqual([['extend_volume', 1]]);
    const report = readFileSync(join(out, 'report.txt'), 'utf8');
    expect(report).toContain(`real backends in the test VM "${vmName}"`);
    expect(report).toContain('storage1@thin (loop-lvm, full mode, thin, VG cinder-sim-storage1_thin-vg');
    expect(report).toMatch(/driver calls \(wall ms\):\s+operation\s+count\s+failed\s+p50\s+p95\s+max/);
    const attach = o.steps.find((s) => s.id === 'attach_exported');
    expect(attach?.outcome).toBe('succeeded');
    console.log(
      `run --live --vm live-lvm-snapshots: ${wallS.toFixed(1)} s wall (boot ${((o.live?.vm?.boot_ms ?? 0) / 1000).toFixed(1)} s, ${o.live?.vm?.accel}); driver calls (wall ms, p50 / max):\n` +
        [...calls.values()].map((c) => `  ${c.operation.padEnd(28)} ${String(c.count).padStart(3)}  ${c.p50_ms.toFixed(0).padStart(6)} ${c.max_ms.toFixed(0).padStart(6)}`).join('\n'),
    );

    // The same scenario simulated: the fake driver stands in for loop-lvm.
    const sim = await cli(['run', scenario, '--out', join(work, 'sim')], root);
    const so = readOutcomeFile(join(work, 'sim', 'live-lvm-snapshots', 'outcome.json'));
    expect(so.live).toBeUndefined();
    const steps = (x: RunOutcome) => x.steps.filter((st) => st.id !== 'extend_exported').map((st) => [st.id, st.outcome, st.exit_status]);
    const decisions = (x: RunOutcome) => x.decisions.map((d) => [d.operation, d.ok, d.chosen]);
    const requests = (x: RunOutcome) => x.requests.map((q) => [q.source, q.verb, q.host]);
    expect(steps(so)).toEqual(steps(o));
    expect(decisions(so)).toEqual(decisions(o));
    expect(requests(so)).toEqual(requests(o));
    // The simulated run fails exactly the live-only expectations; every other verdict agrees.
    expect(so.expectations.filter((e) => !e.passed).map((e) => e.text)).toEqual(o.expectations.filter((e) => liveOnly(e.text)).map((e) => e.text));
    expect(sim.exitCode).toBe(1);
  });

  it('SIGTERM midway: the run stops, stops its VM and exits 143', { timeout: 600_000 }, async () => {
    const name = `s${process.pid}`;
    const run = execa(process.execPath, [bin, 'run', '--live', '--vm', '--vm-name', name, '--iscsi-port', String(hostPort + 2), scenario, '--out', join(work, 'sigterm')], {
      reject: false,
      stdin: 'ignore',
      env: { CINDER_SIM_STATE: root },
      forceKillAfterDelay: false,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let seen = '';
        run.stdout?.on('data', (b: Buffer) => {
          seen += b.toString();
          if (seen.includes('real backends set up in the test VM')) resolve();
        });
        run.then((r) => reject(new Error(`run --live --vm exited ${String(r.exitCode)} before starting: ${String(r.stderr)}`)), reject);
      });
      expect(runningQemu(vmPaths(root, name))).not.toBeNull();
      run.kill('SIGTERM');
      const r = await run;
      expect(r.exitCode).toBe(143);
      expect(String(r.stderr)).toMatch(/interrupted by SIGTERM/);
      expect(runningQemu(vmPaths(root, name))).toBeNull();
      expect(existsSync(vmPaths(root, name).runDir)).toBe(false);
    } finally {
      await stopVm(root, name);
    }
  });

  it('refuses, before anything changes, what cannot run in the VM: each a clear error, exit 2', { timeout: 120_000 }, async () => {
    const text = readFileSync(scenario, 'utf8');
    const variant = (name: string, edit: (y: string) => string): string => {
      const f = join(work, `${name}.yaml`);
      writeFileSync(f, edit(text));
      return f;
    };
    // A PATH holding only sh: no qemu.
    const bare = join(work, 'bare-path');
    mkdirSync(bare);
    symlinkSync('/bin/sh', join(bare, 'sh'));
    const name = `r${process.pid}`;
    const cases: { name: string; args: string[]; prefix?: string[]; env?: Record<string, string>; message: RegExp }[] = [
      { name: '--vm without --live', args: ['run', '--vm', scenario], message: /--vm is for live runs: cinder-sim run --live --vm SCENARIO/ },
      { name: 'the scenario on the host', args: ['run', '--live', scenario], message: /target_ip_address = 10\.0\.2\.15; its private tgtd listens on 127\.0\.0\.1 only: .* \(10\.0\.2\.15 is the test VM's address: run it with --vm\)/ },
      {
        name: 'a host address in the VM',
        args: ['run', '--live', '--vm', '--vm-name', name, variant('host-address', (y) => y.replaceAll('target_ip_address = 10.0.2.15', 'target_ip_address = 127.0.0.1'))],
        message: /backend storage1@lvm \(loop-lvm\) has target_ip_address = 127\.0\.0\.1; with --vm it runs in the test VM, whose address is 10\.0\.2\.15: set target_ip_address = 10\.0\.2\.15 in \[lvm\]/,
      },
      { name: 'no qemu', args: ['run', '--live', '--vm', '--vm-name', name, scenario], env: { PATH: bare }, message: /run --live --vm needs qemu-system-x86_64, not found on PATH; install it: apt-get install -y --no-install-recommends qemu-system-x86/ },
      { name: 'not root', args: ['run', '--live', '--vm', '--vm-name', name, 'live-lvm-snapshots'], prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'], message: /run --live --vm needs root/ },
      { name: 'a bad VM name', args: ['run', '--live', '--vm', '--vm-name', 'No-Such', scenario], message: /--vm-name "No-Such" is not a test VM name/ },
    ];
    for (const c of cases) {
      const r = await cli([...c.args, '--out', join(work, `out-${c.name.replaceAll(' ', '-')}`)], root, { ...(c.prefix ? { prefix: c.prefix } : {}), ...(c.env ? { env: c.env } : {}) });
      expect(r.exitCode, `${c.name}: ${r.stderr}`).toBe(2);
      expect(r.stderr, c.name).toMatch(c.message);
      expect(r.stderr, c.name).not.toMatch(/\n\s+at /);
      expect(existsSync(vmPaths(root, name).runDir), c.name).toBe(false);
    }
  });
});
