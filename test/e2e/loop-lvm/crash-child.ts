/**
 * The process the crash test kills: it sets up a loop-lvm backend, creates
 * and exports a volume, says READY and waits to be killed with SIGKILL.
 * Run from dist/ (built by `npm test`'s tsc step): node crash-child.js <root> <instance> <port>
 */
import { ExecaRunner, LoopLvmDriver } from '../../../drivers/loop-lvm/index.js';

const [root, instance, port] = process.argv.slice(2);
const d = await LoopLvmDriver.setUp(new ExecaRunner(), {
  instance: instance!,
  stateRoot: root!,
  backingFileGb: 2,
  mode: 'metadata',
  target_port: Number(port),
  volume_clear: 'none',
});
await d.createVolume({ id: 'crash', sizeGb: 1, pool: 'LVM' });
const e = await d.createExport('crash', null);
process.stdout.write(`READY ${e.backingStore}\n`);
setInterval(() => undefined, 60_000);
