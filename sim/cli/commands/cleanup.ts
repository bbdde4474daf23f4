import { ExecaRunner, LoopLvmError, cleanupHost, instancePattern, stateRoot, type CleanupReport } from '../../../drivers/loop-lvm/index.js';
import { cleanupVms, type VmCleanupReport } from '../../../drivers/loop-lvm/vm/control.js';
import { VmError } from '../../../drivers/loop-lvm/vm/errors.js';
import { defineCommand } from '../command.js';
import { UserError } from '../io.js';

/** The report as lines a person reads; an empty run says so. */
function formatCleanup(root: string, r: CleanupReport, vm: VmCleanupReport | null): string {
  const lines = [
    ...(vm?.killedQemu.map((q) => `killed qemu ${q.pid} (test VM ${q.name})`) ?? []),
    ...(vm?.removedDirs.map((d) => `removed test VM directory ${d}`) ?? []),
    ...r.killedTgtd.map((p) => `killed tgtd ${p}`),
    ...r.detachedLoops.map((l) => `detached ${l}`),
    ...r.removedVgs.map((v) => `removed volume group ${v}`),
    ...r.removedDirs.map((d) => `removed state directory ${d}`),
    ...(vm?.left.map((l) => `left: ${l}`) ?? []),
    ...r.left.map((l) => `left: ${l}`),
  ];
  return `${lines.length === 0 ? `nothing of ours under ${root}` : lines.join('\n')}\n`;
}

export const cleanupCommand = defineCommand({
  command: 'cleanup',
  describe: 'Remove what a crashed loop-lvm run left on this host (our test VM qemu, tgtd, loop devices, VGs, backing files) and nothing else',
  builder: (y) =>
    y
      .option('instance', { type: 'string', describe: 'only this loop-lvm instance (default: every instance and test VM under the state directory)' })
      .option('state-dir', { type: 'string', describe: 'state directory (default: $CINDER_SIM_STATE, else /var/lib/cinder-sim)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' }),
  async run(args, io) {
    const instance = args.instance as string | undefined;
    if (instance !== undefined && !instancePattern.test(instance)) {
      throw new UserError(`--instance "${instance}" is not a loop-lvm instance name (1-32 of a-z, 0-9 and _, starting with a letter or digit)`);
    }
    const root = (args['state-dir'] as string | undefined) ?? stateRoot(process.env);
    if (!root.startsWith('/')) throw new UserError(`--state-dir "${root}" must be an absolute path`);
    if (process.getuid?.() !== 0) throw new UserError('cleanup needs root (losetup, LVM and tgtd are root\'s); run it as root');
    try {
      // The VMs first: a loop-lvm instance inside a VM goes with it.
      const vm = instance === undefined ? await cleanupVms(root) : null;
      const report = await cleanupHost(new ExecaRunner(), root, instance);
      io.stdout(args.json ? `${JSON.stringify(vm === null ? report : { ...report, vm }, null, 2)}\n` : formatCleanup(root, report, vm));
      return 0;
    } catch (e) {
      if (e instanceof LoopLvmError || e instanceof VmError) throw new UserError(`cleanup: ${e.message}`, 1);
      throw e;
    }
  },
});
