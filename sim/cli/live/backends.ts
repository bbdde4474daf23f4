/**
 * The real backends of a live run: each backend a scenario marks
 * `driver: loop-lvm` becomes Cinder's LVM driver on a loopback file, on this
 * host or (`--vm`) in the test VM through its agent.  Checked before
 * anything changes (the scenario's own settings, then the machine: root,
 * tools, loop devices, a foreign VG of our name, room for the backing file),
 * our leftovers of an earlier run cleaned up, then set up.  Everything made
 * is ours by name, tag and state directory, and `teardown` (also run on
 * SIGINT/SIGTERM) removes it.
 */
import {
  ExecaRunner,
  LoopLvmDriver,
  LoopLvmError,
  LoopLvmVolumeDriver,
  cleanupHost,
  instanceNames,
  type Deliver,
  type DriverCallRecord,
  type LoopLvmOptions,
} from '../../../drivers/loop-lvm/index.js';
import { preflight } from '../../../drivers/loop-lvm/preflight.js';
import type { CommandRunner } from '../../../drivers/loop-lvm/runner.js';
import { guestAddress } from '../../../drivers/loop-lvm/vm/guest.js';
import { LVM_DRIVER } from '../../cinder/config/options.js';
import { extractHostPart, volumeServiceHost } from '../../cinder/host.js';
import type { RealBackendRef } from '../../cinder/cloud/build.js';
import type { LoadedScenario } from '../../scenario/loader.js';
import type { DriverCallSummary, LiveBackendRecord } from '../../scenario/outcome.js';
import { planNodes } from '../../scenario/topology.js';
import type { VolumeDriver } from '../../ports/volume-driver.js';
import { UserError } from '../io.js';

const GiB = 2 ** 30;
/** iSCSI's own port: a system target may listen there, so our private tgtd does not. */
const ISCSI_DEFAULT_PORT = 3260;

/** One backend the scenario marks for the real backend, with what loop-lvm is set up from. */
export interface LiveBackendPlan {
  /** host@backend of its cinder-volume. */
  host: string;
  node: string;
  group: string;
  /** Where in the scenario it is marked, for messages. */
  where: string;
  options: LoopLvmOptions;
}

/** The loop-lvm instance of a backend: `<node>_<group>` in loop-lvm's alphabet (a-z, 0-9, _), at most 32 characters. */
export function instanceOf(node: string, group: string): string {
  const name = `${node}_${group}`.toLowerCase().replace(/[^a-z0-9_]/g, '_').replace(/^_+/, '');
  return (name === '' ? 'backend' : name).slice(0, 32);
}

/** Where the real backends run: on this host, or in the test VM (its guest address, every tgtd port its own). */
export type LivePlace = 'host' | 'vm';

/**
 * The scenario's real backends, checked against what a live run on this
 * host (or in the test VM) can serve; a bad setting is a UserError (exit 2)
 * naming where it is.
 */
export function planLiveBackends(loaded: LoadedScenario, stateRoot: string, place: LivePlace = 'host'): LiveBackendPlan[] {
  const plans = planNodes(loaded.scenario, loaded.cinderConfs);
  const out: LiveBackendPlan[] = [];
  const problems: string[] = [];
  plans.forEach((p, i) => {
    if (!p.services.includes('cinder-volume')) return;
    for (const [group, b] of Object.entries(p.backends)) {
      if (!b.real) continue;
      const where = loaded.where(['topology', 'nodes', i, 'backends', group]);
      const host = volumeServiceHost(p.DEFAULT.host, group, b.options.backend_host);
      const o = b.options;
      if (o.volume_driver !== LVM_DRIVER) problems.push(`${where}: backend ${host} is driver: loop-lvm, but its volume_driver is ${o.volume_driver}; set volume_driver = ${LVM_DRIVER} in [${group}]`);
      if (place === 'vm') {
        // In the VM the backend's tgtd listens on the guest's address, as Cinder's would on its storage node.
        if (o.target_ip_address !== guestAddress) problems.push(`${where}: backend ${host} (loop-lvm) has target_ip_address = ${o.target_ip_address}; with --vm it runs in the test VM, whose address is ${guestAddress}: set target_ip_address = ${guestAddress} in [${group}]`);
      } else if (o.target_ip_address !== '127.0.0.1') {
        problems.push(`${where}: backend ${host} (loop-lvm) has target_ip_address = ${o.target_ip_address}; its private tgtd listens on 127.0.0.1 only: set target_ip_address = 127.0.0.1 in [${group}]${o.target_ip_address === guestAddress ? ` (${guestAddress} is the test VM's address: run it with --vm)` : ''}`);
      }
      if (place === 'host' && o.target_port === ISCSI_DEFAULT_PORT) problems.push(`${where}: backend ${host} (loop-lvm) has target_port = ${ISCSI_DEFAULT_PORT}, iSCSI's own port (a system target may listen there); set another, e.g. target_port = 3261, in [${group}]`);
      out.push({
        host,
        node: p.name,
        group,
        where,
        options: {
          instance: instanceOf(p.name, group),
          stateRoot,
          backingFileGb: b.real.backing_file_gb,
          mode: b.real.mode,
          lvm_type: o.lvm_type === 'thin' || o.lvm_type === 'default' ? o.lvm_type : 'auto',
          volume_backend_name: o.volume_backend_name ?? 'LVM',
          reserved_percentage: o.reserved_percentage,
          max_over_subscription_ratio: o.max_over_subscription_ratio,
          target_ip_address: place === 'vm' ? guestAddress : '127.0.0.1',
          target_port: o.target_port,
          volume_clear: o.volume_clear === 'none' ? 'none' : 'zero',
          hostname: extractHostPart(host),
        },
      });
    }
  });
  const byPort = new Map<number, string>();
  const byInstance = new Map<string, string>();
  for (const b of out) {
    const port = b.options.target_port!;
    const other = byPort.get(port);
    if (other !== undefined) problems.push(`${b.where}: backends ${other} and ${b.host} both use target_port = ${port}; each loop-lvm backend runs its own tgtd: give each its own target_port`);
    byPort.set(port, b.host);
    const twin = byInstance.get(b.options.instance);
    if (twin !== undefined) problems.push(`${b.where}: backends ${twin} and ${b.host} would share the loop-lvm instance ${b.options.instance}; rename a node or a backend group`);
    byInstance.set(b.options.instance, b.host);
  }
  if (out.length === 0) problems.push(`${loaded.file}: no backend is marked for the real backend; a live run needs at least one (backends: {<group>: {driver: loop-lvm}})`);
  if (problems.length) throw new UserError(problems.join('\n'));
  return out;
}

/** A set-up real backend: loop-lvm behind the VolumeDriver port. */
export interface LiveBackend {
  plan: LiveBackendPlan;
  driver: LoopLvmVolumeDriver;
}

export class LiveBackends {
  readonly up: LiveBackend[] = [];
  /** The preflight passed: from then on the host may hold objects of ours. */
  private touched = false;

  /** `runner`: where loop-lvm's commands run (this host by default; the test VM's agent runner with --vm). */
  constructor(
    readonly plans: readonly LiveBackendPlan[],
    private readonly stateRoot: string,
    private readonly runner: CommandRunner = new ExecaRunner(),
  ) {}

  /**
   * Checks the host for every backend before anything changes (each
   * failure a UserError, exit 2), removes what an earlier run of these
   * instances left, then sets the backends up.
   */
  async setUp(deliver: Deliver, isRoot: boolean): Promise<void> {
    for (const b of this.plans) {
      await this.check(b.where, () =>
        preflight(this.runner, { names: instanceNames(b.options.instance, this.stateRoot), backingFileBytes: b.options.backingFileGb * GiB, isRoot }),
      );
    }
    this.touched = true;
    for (const b of this.plans) await cleanupHost(this.runner, this.stateRoot, b.options.instance);
    for (const b of this.plans) {
      const lvm = await this.check(b.where, () => LoopLvmDriver.setUp(this.runner, { ...b.options, isRoot }));
      this.up.push({ plan: b, driver: await LoopLvmVolumeDriver.open(lvm, deliver) });
    }
  }

  private async check<T>(where: string, act: () => Promise<T>): Promise<T> {
    try {
      return await act();
    } catch (e) {
      if (e instanceof LoopLvmError) throw new UserError(`${where}: loop-lvm: ${e.message}`, e.kind === 'CommandFailed' ? 1 : 2);
      throw e;
    }
  }

  /** The driver the cloud gives a real backend's cinder-volume. */
  readonly driverFor = (ref: RealBackendRef): VolumeDriver | undefined => this.up.find((b) => b.plan.host === ref.host)?.driver;

  /** A driver call still running. */
  busy(): boolean {
    return this.up.some((b) => b.driver.busy);
  }

  /**
   * Waits (a while) for running calls, then removes every object of our
   * instances: tgtd, loop devices, VGs, state directories (nothing when the
   * preflight refused the host: then nothing was made; nothing either when
   * not `remove`: the test VM goes as a whole).
   */
  async teardown(remove = true): Promise<void> {
    if (!this.touched) return;
    await Promise.race([Promise.all(this.up.map((b) => b.driver.idle())), new Promise((r) => setTimeout(r, 10_000).unref())]);
    if (!remove) return;
    for (const b of this.plans) await cleanupHost(this.runner, this.stateRoot, b.options.instance);
  }

  records(): LiveBackendRecord[] {
    return this.up.map((b) => ({
      backend: b.plan.host,
      driver: 'loop-lvm',
      mode: b.driver.lvm.mode,
      lvm_type: b.driver.lvm.lvmType,
      vg: b.driver.lvm.names.vg,
      backing_file_gb: b.plan.options.backingFileGb,
      snapshot_support: b.driver.lvm.caps.snapshots,
    }));
  }

  /** Every call of every real backend, per operation: count, failures, wall p50/p95/max. */
  callSummary(): DriverCallSummary[] {
    return summarizeCalls(this.up.flatMap((b) => b.driver.calls));
  }
}

/** The q-quantile of sorted values, nearest rank. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

export function summarizeCalls(calls: readonly DriverCallRecord[]): DriverCallSummary[] {
  const byOp = new Map<string, DriverCallRecord[]>();
  for (const c of calls) byOp.set(c.operation, [...(byOp.get(c.operation) ?? []), c]);
  return [...byOp.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([operation, list]) => {
      const ms = list.map((c) => c.wallMs).sort((a, b) => a - b);
      const r1 = (x: number): number => Math.round(x * 10) / 10;
      return { operation, count: list.length, failed: list.filter((c) => !c.ok).length, p50_ms: r1(quantile(ms, 0.5)), p95_ms: r1(quantile(ms, 0.95)), max_ms: r1(ms[ms.length - 1] ?? 0) };
    });
}
