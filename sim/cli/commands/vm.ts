import { stateRoot } from '../../../drivers/loop-lvm/index.js';
import { buildImage } from '../../../drivers/loop-lvm/vm/build.js';
import { execInVm, startVm, stopVm, vmStatuses } from '../../../drivers/loop-lvm/vm/control.js';
import { VmError } from '../../../drivers/loop-lvm/vm/errors.js';
import { cachedImages, readManifest } from '../../../drivers/loop-lvm/vm/image.js';
import { defaultVmName, vmNamePattern } from '../../../drivers/loop-lvm/vm/paths.js';
import { defineCommand } from '../command.js';
import { UserError, type CliIo } from '../io.js';

const actions = ['build', 'start', 'exec', 'stop', 'status'] as const;
type Action = (typeof actions)[number];

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function checkName(name: string): string {
  if (!vmNamePattern.test(name) || name === 'images') {
    throw new UserError(`--name "${name}" is not a test VM name (1-32 of a-z, 0-9 and _, starting with a letter or digit; not "images")`);
  }
  return name;
}

async function act(action: Action, args: Record<string, unknown>, io: CliIo): Promise<number> {
  const root = (args['state-dir'] as string | undefined) ?? stateRoot(process.env);
  if (!root.startsWith('/')) throw new UserError(`--state-dir "${root}" must be an absolute path`);
  const name = checkName((args.name as string | undefined) ?? defaultVmName);
  const progress = (line: string): void => io.stderr(`vm: ${line}\n`);
  const words = [...((args.command as (string | number)[] | undefined) ?? []), ...((args._ as (string | number)[] | undefined) ?? []).slice(1)].map(String);
  if (action !== 'exec' && words.length > 0) throw new UserError(`vm ${action} takes no command words (got: ${words.join(' ')}); only vm exec runs a command`);

  switch (action) {
    case 'build': {
      const t0 = performance.now();
      const r = await buildImage({ root, force: args.force === true, progress });
      const m = r.manifest;
      io.stdout(
        `${r.cached ? 'cached' : 'built'} image ${r.key} in ${secs(performance.now() - t0)}: Debian ${m.codename}, ${m.kernelPackage} ${m.kernelVersion}, initrd ${mib(m.initrdBytes)} (root ${mib(m.rootfsBytes)})\n` +
          `  ${r.paths.dir}\n` +
          (r.cached ? '' : `  steps: ${Object.entries(m.buildMs).map(([k, v]) => `${k} ${secs(v)}`).join(', ')}\n`),
      );
      return 0;
    }
    case 'start': {
      const accel = args.accel as 'auto' | 'kvm' | 'tcg';
      const r = await startVm({
        root,
        name,
        accel,
        hostPort: args['iscsi-port'] as number,
        memoryMiB: args.memory as number,
        cpus: args.cpus as number,
        bootTimeoutMs: (args.timeout as number) * 1000,
        progress,
      });
      const s = r.state;
      io.stdout(`test VM "${name}" up in ${secs(s.bootMs)} (qemu ${s.pid}, ${s.accel}, ${s.cpus} CPUs, ${s.memoryMiB} MiB); iSCSI at 127.0.0.1:${s.hostPort} -> guest :${s.guestPort}\n`);
      return 0;
    }
    case 'exec': {
      if (words.length === 0) throw new UserError('vm exec needs a command: cinder-sim vm exec -- lvs -a (the words run as one bash line in the VM, as ssh runs them)');
      const a = await execInVm(root, name, words.join(' '), (args.timeout as number) * 1000);
      io.stdout(a.stdout);
      io.stderr(`${a.stderr}${a.stderr === '' || a.stderr.endsWith('\n') ? '' : '\n'}vm: exit code ${a.exitCode}\n`);
      return a.exitCode;
    }
    case 'stop': {
      const r = await stopVm(root, name);
      io.stdout(r.pid === null ? `test VM "${name}" was not running${r.removedDir ? ' (removed its run directory)' : ''}\n` : `stopped test VM "${name}" (qemu ${r.pid})\n`);
      return 0;
    }
    case 'status': {
      const vms = vmStatuses(root);
      const images = cachedImages(root).map((i) => ({ key: i.key, manifest: readManifest(i.paths) }));
      if (args.json) {
        io.stdout(`${JSON.stringify({ vms, images }, null, 2)}\n`);
        return 0;
      }
      const lines = vms.map((v) =>
        v.running && v.state
          ? `vm ${v.name}: running, qemu ${v.state.pid}, ${v.state.accel}, iSCSI 127.0.0.1:${v.state.hostPort}, image ${v.state.imageKey}, booted in ${secs(v.state.bootMs)}`
          : `vm ${v.name}: not running (left by a crash? cinder-sim cleanup removes it)`,
      );
      if (vms.length === 0) lines.push(`no test VM under ${root}`);
      for (const i of images) lines.push(`image ${i.key}: ${i.manifest ? `Debian ${i.manifest.codename}, ${i.manifest.kernelPackage}, initrd ${mib(i.manifest.initrdBytes)}` : 'unreadable manifest'}`);
      io.stdout(`${lines.join('\n')}\n`);
      return 0;
    }
  }
}

/**
 * `cinder-sim vm build|start|exec|stop|status`: the test VM in which
 * loop-lvm runs in full mode (real device-mapper: snapshots, thin).
 */
export const vmCommand = defineCommand({
  command: 'vm <action> [command..]',
  describe: 'The test VM for loop-lvm full mode: build its image, start, exec a command through its agent, stop, status',
  builder: (y) =>
    y
      .positional('action', { choices: actions, demandOption: true, describe: 'what to do' })
      .positional('command', { type: 'string', array: true, describe: 'exec: the command (after --), run as one bash line in the VM' })
      .option('name', { type: 'string', describe: `which VM (default: ${defaultVmName})` })
      .option('state-dir', { type: 'string', describe: 'state directory (default: $CINDER_SIM_STATE, else /var/lib/cinder-sim)' })
      .option('force', { type: 'boolean', default: false, describe: 'build: rebuild even when the cached image is current' })
      .option('accel', { choices: ['auto', 'kvm', 'tcg'] as const, default: 'auto' as const, describe: 'start: KVM only where it truly works (auto), else TCG' })
      .option('iscsi-port', { type: 'number', default: 13260, describe: "start: host port on 127.0.0.1 forwarded to the guest's iSCSI port" })
      .option('memory', { type: 'number', default: 2048, describe: 'start: guest memory, MiB' })
      .option('cpus', { type: 'number', default: 2, describe: 'start: guest CPUs' })
      .option('timeout', { type: 'number', describe: 'start: seconds to wait for the agent (default 300); exec: seconds the command may take (default 600)' })
      .option('json', { type: 'boolean', default: false, describe: 'status: print JSON' }),
  async run(args, io) {
    const action = args.action as Action;
    const timeout = args.timeout ?? (action === 'start' ? 300 : 600);
    if (!(Number.isFinite(timeout) && timeout > 0)) throw new UserError(`--timeout ${String(args.timeout)} is not a positive number of seconds`);
    for (const [k, v] of [['iscsi-port', args['iscsi-port']], ['memory', args.memory], ['cpus', args.cpus]] as const) {
      if (!(Number.isInteger(v) && v > 0 && (k !== 'iscsi-port' || v < 65536))) throw new UserError(`--${k} ${String(v)} is not a valid ${k === 'iscsi-port' ? 'port (1-65535)' : 'positive whole number'}`);
    }
    try {
      return await act(action, { ...args, timeout }, io);
    } catch (e) {
      if (e instanceof VmError) throw new UserError(`vm ${action}: ${e.message}`, e.kind === 'Preflight' ? 2 : 1);
      throw e;
    }
  },
});
