/**
 * Our private tgtd and the targets it exports, driven with tgtadm as
 * Cinder's TgtAdm target helper would (volume/targets/tgt.py): IQN
 * `iqn.2010-10.org.openstack:<volume name>`, LUN 1, CHAP always, the
 * provider_location `<ip>:<port>,<tid> <iqn> <lun>`.  The daemon listens
 * only on the configured portal (127.0.0.1 and a non-default port) and
 * takes commands on a socket in our state directory.
 */
import { randomInt } from 'node:crypto';
import { dirname } from 'node:path';
import { hostCommands, tgtCommands, type TgtCommands } from './commands.js';
import { LoopLvmError } from './errors.js';
import { must } from './exec.js';
import { ownerInstance, targetIqn, type InstanceNames } from './names.js';
import { parseTgtTargets } from './parse.js';
import type { ProcInfo } from './proc.js';
import type { CommandRunner } from './runner.js';

export interface Portal {
  ip: string;
  port: number;
}

export interface Export {
  tid: number;
  iqn: string;
  lun: 1;
  user: string;
  password: string;
  providerAuth: string;
  providerLocation: string;
}

/** Cinder's `volume_utils.generate_password` alphabet, without look-alike characters. */
const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export function generateSecret(length: number, draw: (n: number) => number = randomInt): string {
  let s = '';
  for (let k = 0; k < length; k++) s += alphabet[draw(alphabet.length)];
  return s;
}

/** `provider_auth` is "CHAP <user> <password>". */
export function parseProviderAuth(auth: string | null): { user: string; password: string } | null {
  const m = auth === null ? null : /^CHAP (\S+) (\S+)$/.exec(auth);
  return m ? { user: m[1]!, password: m[2]! } : null;
}

export const providerLocation = (p: Portal, tid: number, iqn: string, lun: number): string => `${p.ip}:${p.port},${tid} ${iqn} ${lun}`;

/** Of `procs` (tgtd processes), ours: those whose control socket is an instance's socket under `root` (that instance's only, if given). */
export function ourTgtdIn(procs: readonly ProcInfo[], root: string, instance?: string): number[] {
  return procs
    .filter((p) => {
      const owner = ownerInstance(p.env['TGT_IPC_SOCKET'] ?? '', root, (n) => n.tgtSocket);
      return owner !== null && (instance === undefined || owner === instance);
    })
    .map((p) => p.pid);
}

/** Our tgtd processes where `runner` runs commands. */
export async function ourTgtd(runner: CommandRunner, root: string, instance?: string): Promise<number[]> {
  return ourTgtdIn(await runner.processes('tgtd'), root, instance);
}

async function alive(runner: CommandRunner, pids: readonly number[]): Promise<number[]> {
  const live = new Set((await runner.processes('tgtd')).map((p) => p.pid));
  return pids.filter((p) => live.has(p));
}

/** SIGKILL (tgtd ignores SIGTERM and keeps its state in memory), then wait until it is gone. */
export async function killAndWait(runner: CommandRunner, pids: readonly number[], timeoutMs = 3000): Promise<void> {
  if (pids.length === 0) return;
  await runner.kill(pids);
  const until = performance.now() + timeoutMs;
  for (let left = await alive(runner, pids); left.length > 0; left = await alive(runner, pids)) {
    if (performance.now() > until) throw new LoopLvmError('CommandFailed', `tgtd ${left.join(', ')} did not exit after SIGKILL`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export class TgtServer {
  readonly cmd: TgtCommands;

  readonly socket: string;

  constructor(
    private readonly runner: CommandRunner,
    private readonly names: InstanceNames,
    private readonly root: string,
    readonly portal: Portal,
  ) {
    this.socket = names.tgtSocket;
    this.cmd = tgtCommands(this.socket);
  }

  /**
   * Starts tgtd (killing a stale one of ours first) and waits until it
   * answers.  On a host it answers within tens of milliseconds; in the test
   * VM under TCG it may take seconds.  A tgtd that dies (a port taken) ends
   * the wait at once.
   */
  async start(timeoutMs = 30_000): Promise<number> {
    await killAndWait(this.runner, await ourTgtd(this.runner, this.root, this.names.instance));
    await must(this.runner, hostCommands.removeDir(dirname(this.socket)), 'removing the stale tgtd socket directory');
    await must(this.runner, hostCommands.mkdir(dirname(this.socket)), 'creating the tgtd socket directory');
    const pid = await this.runner.spawnDaemon(this.cmd.daemon(this.portal.ip, this.portal.port));
    const until = performance.now() + timeoutMs;
    for (;;) {
      const r = await this.runner.run(this.cmd.showSystem());
      if (r.exitCode === 0) return pid;
      if ((await alive(this.runner, [pid])).length === 0 || performance.now() > until) {
        await killAndWait(this.runner, [pid]);
        throw new LoopLvmError(
          'Preflight',
          `tgtd did not start on ${this.portal.ip}:${this.portal.port} (is the port taken? choose another target_port): ${r.stderr.trim()}`,
        );
      }
      await new Promise((res) => setTimeout(res, 20));
    }
  }

  async stop(): Promise<void> {
    await killAndWait(this.runner, await ourTgtd(this.runner, this.root, this.names.instance));
  }

  async targets(): Promise<{ tid: number; iqn: string }[]> {
    return parseTgtTargets((await must(this.runner, this.cmd.showTargets(), 'listing iSCSI targets')).stdout);
  }

  /**
   * Cinder's `create_export`: a target for the volume with LUN 1 on
   * `backingStore`, CHAP bound (reusing `providerAuth` when the volume has
   * one), open to every initiator address.
   */
  async createExport(lvName: string, backingStore: string, providerAuth: string | null): Promise<Export> {
    const iqn = targetIqn(lvName);
    const existing = await this.targets();
    if (existing.some((t) => t.iqn === iqn)) {
      throw new LoopLvmError('ISCSITargetCreateFailed', `Failed to create iscsi target for volume ${lvName}: target ${iqn} already exists`);
    }
    const tid = Math.max(0, ...existing.map((t) => t.tid)) + 1;
    const chap = parseProviderAuth(providerAuth) ?? { user: generateSecret(20), password: generateSecret(16) };
    const fail = 'ISCSITargetCreateFailed' as const;
    try {
      await must(this.runner, this.cmd.newTarget(tid, iqn), `creating target ${iqn}`, fail);
      await must(this.runner, this.cmd.newLun(tid, backingStore), `adding LUN 1 (${backingStore}) to ${iqn}`, fail);
      const acct = await this.runner.run(this.cmd.newAccount(chap.user, chap.password));
      if (acct.exitCode !== 0 && !/already exists/.test(acct.stderr)) {
        await must(this.runner, this.cmd.newAccount(chap.user, chap.password), `creating CHAP account for ${iqn}`, fail);
      }
      await must(this.runner, this.cmd.bindAccount(tid, chap.user), `binding CHAP to ${iqn}`, fail);
      await must(this.runner, this.cmd.bindAll(tid), `opening ${iqn} to initiators`, fail);
    } catch (e) {
      await this.runner.run(this.cmd.deleteTarget(tid));
      throw e;
    }
    return {
      tid,
      iqn,
      lun: 1,
      user: chap.user,
      password: chap.password,
      providerAuth: `CHAP ${chap.user} ${chap.password}`,
      providerLocation: providerLocation(this.portal, tid, iqn, 1),
    };
  }

  /**
   * Cinder's `extend_target` (`tgt-admin --update`): tgtd reads a LUN's size
   * when the LUN is made, so LUN 1 is made again on `backingStore`.
   */
  async replaceLun(lvName: string, backingStore: string): Promise<void> {
    const iqn = targetIqn(lvName);
    const t = (await this.targets()).find((x) => x.iqn === iqn);
    if (!t) throw new LoopLvmError('NotFound', `target ${iqn} not found`);
    await must(this.runner, this.cmd.deleteLun(t.tid), `removing LUN 1 of ${iqn}`);
    await must(this.runner, this.cmd.newLun(t.tid, backingStore), `adding LUN 1 (${backingStore}) to ${iqn}`);
  }

  /** Cinder's `remove_export`: a target already gone counts as removed. */
  async removeExport(lvName: string, providerAuth: string | null): Promise<void> {
    const iqn = targetIqn(lvName);
    const t = (await this.targets()).find((x) => x.iqn === iqn);
    if (t) await must(this.runner, this.cmd.deleteTarget(t.tid), `removing target ${iqn}`);
    const chap = parseProviderAuth(providerAuth);
    if (chap) await this.runner.run(this.cmd.deleteAccount(chap.user));
  }
}
