/**
 * The test VM's life: start (build the image if this machine's inputs have
 * no cached one, boot it with qemu, wait for the agent), exec, stop,
 * status.  A VM is its run directory: ours by marker, its qemu ours by
 * pidfile AND command line (a pid a crash left behind may have been reused
 * by anything).
 */
import { execa } from 'execa';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { LoopLvmOptions } from '../driver.js';
import { AgentRunner } from './agent-runner.js';
import { AgentClient } from './client.js';
import { buildImage, currentImage, missingTools, type BuildResult } from './build.js';
import { VmError } from './errors.js';
import { guestAddress, guestIscsiPort, guestStateRoot } from './guest.js';
import { vmNameOfDir, vmPaths, type VmPaths } from './paths.js';
import type { AgentAnswer } from './protocol.js';
import { chooseAccel, isOurQemu, qemuArgv, type Accel, type AccelOption, type AccelProbe } from './qemu.js';

/** What `vm start` records in the run directory. */
export interface VmState {
  name: string;
  pid: number;
  accel: Accel;
  accelReason: string;
  /** 127.0.0.1:<hostPort> reaches the guest's iSCSI port. */
  hostPort: number;
  guestPort: number;
  imageKey: string;
  /** Wall time from starting qemu to the agent's first answer. */
  bootMs: number;
  memoryMiB: number;
  cpus: number;
}

export const vmDefaults = { hostPort: 13260, memoryMiB: 2048, cpus: 2, bootTimeoutMs: 300_000, scratchGiB: 32 } as const;

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function probeAccel(): AccelProbe {
  const devKvmUsable = ((): boolean => {
    try {
      accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
      return true;
    } catch {
      return false;
    }
  })();
  return { devKvmUsable, kvmPvmLoaded: existsSync('/sys/module/kvm_pvm') };
}

/** The pid in a VM's pidfile when that process is its qemu (pidfile + command line), else null. */
export function runningQemu(p: VmPaths): number | null {
  const pid = Number((readText(p.pidfile) ?? '').trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const cmdline = readText(`/proc/${pid}/cmdline`);
  return cmdline !== null && isOurQemu(cmdline, p.agentSocket) ? pid : null;
}

export function readState(p: VmPaths): VmState | null {
  const text = readText(p.stateFile);
  if (text === null) return null;
  try {
    return JSON.parse(text) as VmState;
  } catch {
    return null;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (existsSync(`/proc/${pid}`)) {
    const stat = readText(`/proc/${pid}/stat`);
    if (stat !== null && /^\d+ \(.*\) Z/.test(stat)) return true;
    if (performance.now() > until) return false;
    await sleep(20);
  }
  return true;
}

/** The last lines of the guest's console, for a boot that failed. */
function consoleTail(p: VmPaths): string {
  const text = (readText(p.consoleLog) ?? '').trim();
  return text === '' ? '(the console log is empty)' : text.split('\n').slice(-15).join('\n  ');
}

export interface StartOptions {
  root: string;
  name: string;
  accel?: AccelOption;
  hostPort?: number;
  memoryMiB?: number;
  cpus?: number;
  bootTimeoutMs?: number;
  progress?: (line: string) => void;
}

export interface StartResult {
  state: VmState;
  image: BuildResult;
  paths: VmPaths;
}

export async function startVm(o: StartOptions): Promise<StartResult> {
  const say = o.progress ?? (() => undefined);
  const p = vmPaths(o.root, o.name);
  const running = runningQemu(p);
  if (running !== null) throw new VmError('AlreadyRunning', `the test VM "${o.name}" is already running (qemu pid ${running}); stop it first: cinder-sim vm stop${o.name === 'default' ? '' : ` --name ${o.name}`}`);
  if (existsSync(p.runDir) && !existsSync(p.marker)) {
    throw new VmError('Preflight', `${p.runDir} exists and is not a test VM directory of ours (no ${p.marker}); left as it is: choose another --name`);
  }
  if ((await missingTools(['qemu-system-x86_64'])).length > 0) {
    throw new VmError('Preflight', 'the test VM needs qemu-system-x86_64, not found on PATH; install it: apt-get install -y --no-install-recommends qemu-system-x86');
  }
  const hostPort = o.hostPort ?? vmDefaults.hostPort;
  if (!(await portFree(hostPort))) throw new VmError('Preflight', `127.0.0.1:${hostPort} is taken: the VM forwards its iSCSI port there; choose another with --iscsi-port`);
  const accel = (() => {
    try {
      return chooseAccel(o.accel ?? 'auto', probeAccel());
    } catch (e) {
      throw new VmError('Preflight', (e as Error).message);
    }
  })();

  const image = (await currentImage(o.root)) ?? (await buildImage({ root: o.root, progress: say }));
  say(`image ${image.key}${image.cached ? ' (cached)' : ' (built)'}; ${accel.reason}`);

  rmSync(p.runDir, { recursive: true, force: true });
  mkdirSync(p.runDir, { recursive: true });
  writeFileSync(p.marker, '');
  writeFileSync(p.scratchDisk, '');
  await execa('truncate', ['-s', `${vmDefaults.scratchGiB}G`, p.scratchDisk]);
  const memoryMiB = o.memoryMiB ?? vmDefaults.memoryMiB;
  const cpus = o.cpus ?? vmDefaults.cpus;
  const argv = qemuArgv({
    accel: accel.accel,
    cpus,
    memoryMiB,
    kernel: image.paths.kernel,
    initrd: image.paths.initrd,
    agentSocket: p.agentSocket,
    pidfile: p.pidfile,
    consoleLog: p.consoleLog,
    scratchDisk: p.scratchDisk,
    hostPort,
    guestPort: guestIscsiPort,
  });
  const t0 = performance.now();
  const q = await execa(argv[0]!, argv.slice(1), { reject: false, stdin: 'ignore' });
  if (q.exitCode !== 0) throw new VmError('Boot', `qemu did not start (exit ${String(q.exitCode)}): ${String(q.stderr ?? '').trim() || q.shortMessage}`);
  const pid = runningQemu(p);
  if (pid === null) throw new VmError('Boot', `qemu started but ${p.pidfile} names no qemu of ours`);
  say(`qemu ${pid} (${accel.accel}); waiting for the agent`);

  const deadline = t0 + (o.bootTimeoutMs ?? vmDefaults.bootTimeoutMs);
  const client = await AgentClient.connect(p.agentSocket, o.name);
  try {
    for (;;) {
      const left = deadline - performance.now();
      if (runningQemu(p) === null) throw new VmError('Boot', `the test VM's qemu exited during boot; its console:\n  ${consoleTail(p)}`);
      if (left <= 0) {
        await stopVm(o.root, o.name);
        throw new VmError('Boot', `the test VM's agent did not answer within ${Math.round((o.bootTimeoutMs ?? vmDefaults.bootTimeoutMs) / 1000)} s (stopped it); its console:\n  ${consoleTail(p)}`);
      }
      const a = await client.exec('echo ready', { timeoutMs: Math.min(5000, Math.max(1000, left)) }).catch((e: unknown) => {
        if (e instanceof VmError && e.kind === 'Timeout') return null;
        throw e;
      });
      if (a?.stdout === 'ready\n') break;
    }
  } finally {
    client.close();
  }
  const state: VmState = { name: o.name, pid, accel: accel.accel, accelReason: accel.reason, hostPort, guestPort: guestIscsiPort, imageKey: image.key, bootMs: Math.round(performance.now() - t0), memoryMiB, cpus };
  writeFileSync(p.stateFile, `${JSON.stringify(state, null, 2)}\n`);
  return { state, image, paths: p };
}

export interface StopResult {
  /** The qemu pid stopped, or null when none of ours was running. */
  pid: number | null;
  removedDir: boolean;
}

/** SIGTERM (qemu exits cleanly on it), SIGKILL after 5 s; then the run directory goes (the guest kept nothing). */
export async function stopVm(root: string, name: string): Promise<StopResult> {
  const p = vmPaths(root, name);
  const pid = runningQemu(p);
  if (pid !== null) {
    process.kill(pid, 'SIGTERM');
    if (!(await waitGone(pid, 5000))) {
      process.kill(pid, 'SIGKILL');
      await waitGone(pid, 5000);
    }
  }
  const ours = existsSync(p.marker);
  if (ours) rmSync(p.runDir, { recursive: true, force: true });
  return { pid, removedDir: ours };
}

export interface VmStatus {
  name: string;
  running: boolean;
  state: VmState | null;
}

export function vmStatuses(root: string): VmStatus[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names
    .map(vmNameOfDir)
    .filter((n): n is string => n !== null)
    .sort()
    .filter((n) => existsSync(vmPaths(root, n).marker))
    .map((name) => {
      const p = vmPaths(root, name);
      return { name, running: runningQemu(p) !== null, state: readState(p) };
    });
}

/** Runs a bash script in the VM through its agent. */
export async function execInVm(root: string, name: string, script: string, timeoutMs: number): Promise<AgentAnswer> {
  const p = vmPaths(root, name);
  if (runningQemu(p) === null) {
    throw new VmError('NotRunning', `the test VM "${name}" is not running; start it with: cinder-sim vm start${name === 'default' ? '' : ` --name ${name}`}`);
  }
  const c = await AgentClient.connect(p.agentSocket, name);
  try {
    await c.sync();
    return await c.exec(script, { timeoutMs });
  } finally {
    c.close();
  }
}

export interface VmCleanupReport {
  killedQemu: { name: string; pid: number }[];
  removedDirs: string[];
  left: string[];
}

/**
 * What a crash left of our VMs under `root`: a qemu named by a run
 * directory's pidfile whose command line carries that directory's agent
 * socket is killed; a pidfile naming anything else is left alone; a run
 * directory goes only when it holds our marker.  Images stay (a cache).
 */
export async function cleanupVms(root: string): Promise<VmCleanupReport> {
  const r: VmCleanupReport = { killedQemu: [], removedDirs: [], left: [] };
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return r;
  }
  for (const dir of names.sort()) {
    const name = vmNameOfDir(dir);
    if (name === null) continue;
    const p = vmPaths(root, name);
    if (!existsSync(p.marker)) {
      r.left.push(`${p.runDir}: no ${p.marker.slice(p.runDir.length + 1)} marker, so not ours; left as it is`);
      continue;
    }
    const pid = runningQemu(p);
    if (pid !== null) {
      process.kill(pid, 'SIGKILL');
      if (!(await waitGone(pid, 5000))) throw new VmError('Agent', `qemu ${pid} did not exit after SIGKILL`);
      r.killedQemu.push({ name, pid });
    } else {
      const other = Number((readText(p.pidfile) ?? '').trim());
      if (Number.isInteger(other) && other > 0 && existsSync(`/proc/${other}`)) {
        r.left.push(`pid ${other} (from ${p.pidfile}) is not our qemu; left running`);
      }
    }
    rmSync(p.runDir, { recursive: true, force: true });
    r.removedDirs.push(dir);
  }
  return r;
}

/** What driving loop-lvm in a running VM takes: the runner, the options that place it in the guest, and where the host reaches its exports. */
export interface VmBackend {
  runner: AgentRunner;
  /** Merge into LoopLvmOptions: the guest's state root (not this host's $CINDER_SIM_STATE), root, tgtd on the forwarded port. */
  options: Required<Pick<LoopLvmOptions, 'stateRoot' | 'isRoot' | 'target_ip_address' | 'target_port'>>;
  /** `ip:port` on this host for an export's portal (the provider_location names the guest's). */
  hostPortal: string;
}

export function vmBackend(root: string, name: string): VmBackend {
  const p = vmPaths(root, name);
  const state = readState(p);
  if (runningQemu(p) === null || state === null) {
    throw new VmError('NotRunning', `the test VM "${name}" is not running; start it with: cinder-sim vm start${name === 'default' ? '' : ` --name ${name}`}`);
  }
  return {
    runner: new AgentRunner({ vmName: name, agentSocket: p.agentSocket }),
    options: { stateRoot: guestStateRoot, isRoot: true, target_ip_address: guestAddress, target_port: state.guestPort },
    hostPortal: `127.0.0.1:${state.hostPort}`,
  };
}
