/**
 * The compute host of a live run: after a successful `nova volume-attach`
 * it connects to the target as os-brick would (iSCSI with the CHAP
 * credentials of the connection info), through libiscsi in qemu-img and
 * qemu-io (qemu-utils + qemu-block-extra; no kernel initiator needed).  It
 * reads the LUN's size, writes a pattern into the LUN's last MiB, reads it
 * back in a new session, and checks that a login without the credentials
 * is refused.  What it found is printed under the attach's output.
 *
 * With the backends in the test VM the connection info names the guest's
 * portal (10.0.2.15:3260), which this host reaches only through the VM's
 * forwarded port: `reach` maps a portal to where the host connects, and a
 * portal it does not map is not reachable (the VM forwards one port).
 */
import { execa } from 'execa';
import type { Deliver } from '../../../drivers/loop-lvm/index.js';
import type { Initiator } from '../../scenario/run/context.js';

const MiB = 2 ** 20;
const PATTERN = '0xa5';

interface IscsiTarget {
  portal: string;
  iqn: string;
  lun: number;
  user: string;
  password: string;
}

function target(ci: unknown): IscsiTarget | null {
  const d = (ci as { data?: Record<string, unknown> } | null)?.data;
  if (!d || typeof d.target_portal !== 'string' || typeof d.target_iqn !== 'string') return null;
  return { portal: d.target_portal, iqn: d.target_iqn, lun: Number(d.target_lun ?? 1), user: String(d.auth_username ?? ''), password: String(d.auth_password ?? '') };
}

const url = (t: IscsiTarget, withChap: boolean): string =>
  `iscsi://${withChap ? `${encodeURIComponent(t.user)}%${encodeURIComponent(t.password)}@` : ''}${t.portal}/${t.iqn}/${t.lun}`;

async function run(argv: string[]): Promise<{ exitCode: number; out: string }> {
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, stdin: 'ignore', all: true, env: { LC_ALL: 'C' } });
  return { exitCode: typeof r.exitCode === 'number' ? r.exitCode : 127, out: String(r.all ?? '').trim() };
}

const firstLine = (s: string): string => s.split('\n').find((l) => l.trim() !== '')?.trim() ?? '(no output)';

/** Where the compute host connects for a target's portal (the test VM's forward), or null when it cannot. */
export interface PortalRoute {
  to: (portal: string) => string | null;
  /** Said when the portal is routed elsewhere, or not at all. */
  describe: (portal: string, to: string | null) => string;
}

/** What the compute host found on the target, one line each. */
export async function checkTarget(ci: unknown, route?: PortalRoute): Promise<string[]> {
  const given = target(ci);
  if (given === null) return ['os-brick: no iSCSI target in the connection info; nothing connected'];
  const lines = [`os-brick: iSCSI login to ${given.portal} ${given.iqn} lun ${given.lun} with CHAP user ${given.user}`];
  let t = given;
  if (route) {
    const to = route.to(given.portal);
    lines.push(`os-brick: ${route.describe(given.portal, to)}`);
    if (to === null) return lines;
    t = { ...given, portal: to };
  }
  const info = await run(['qemu-img', 'info', '--output=json', url(t, true)]);
  if (info.exitCode !== 0) return [...lines, `os-brick: login failed: ${firstLine(info.out)}`];
  const size = Number((JSON.parse(info.out) as { 'virtual-size'?: number })['virtual-size'] ?? 0);
  lines.push(`os-brick: LUN size ${size} bytes (${size / 2 ** 30} GiB)`);
  const at = Math.max(0, size - MiB);
  const write = await run(['qemu-io', '-f', 'raw', '-c', `write -P ${PATTERN} ${at} 1M`, url(t, true)]);
  const read = await run(['qemu-io', '-f', 'raw', '-c', `read -P ${PATTERN} ${at} 1M`, url(t, true)]);
  const wrote = write.exitCode === 0 && write.out.includes(`wrote ${MiB}/${MiB} bytes`);
  const verified = read.exitCode === 0 && read.out.includes(`read ${MiB}/${MiB} bytes`) && !read.out.includes('Pattern verification failed');
  lines.push(
    wrote && verified
      ? `os-brick: data verified: wrote 1 MiB of pattern ${PATTERN} at offset ${at} and read it back in a new session`
      : `os-brick: data check FAILED: write: ${firstLine(write.out)}; read: ${firstLine(read.out)}`,
  );
  const anonymous = await run(['qemu-io', '-f', 'raw', '-c', 'read 0 512', url(t, false)]);
  lines.push(anonymous.exitCode !== 0 ? 'os-brick: CHAP enforced: a login without the credentials is refused' : 'os-brick: CHAP NOT enforced: a login without the credentials was accepted');
  return lines;
}

/** The initiator of a live run: its findings enter the world through `deliver`. */
export function liveInitiator(deliver: Deliver, route?: PortalRoute): Initiator {
  return (ci, done) => {
    checkTarget(ci, route).then(
      (lines) => deliver(() => done(lines)),
      (e: unknown) => deliver(() => done([`os-brick: the check could not run: ${e instanceof Error ? e.message : String(e)}`])),
    );
  };
}
