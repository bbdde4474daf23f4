import { afterAll, describe } from 'vitest';
import { ExecaRunner, LoopLvmDriver, LoopLvmVolumeDriver, cleanupHost } from '../../drivers/loop-lvm/index.js';
import { FakeVolumeDriver } from '../../drivers/fake/driver.js';
import { resolveBackendOptions } from '../../sim/cinder/config/index.js';
import { SeededRng } from '../../sim/engine/rng.js';
import { freshRoot, hostSkip, sh, testInstance, testPort } from '../e2e/loop-lvm/host-env.js';
import { volumeDriverContract } from './volume-driver.contract.js';

/** The fake as a scenario's loop-lvm backend models it in a simulated run (metadata mode), and as a full LVM. */
const fake = (snapshots: boolean, port: number) => () =>
  new FakeVolumeDriver(
    { vg_size_gb: 4, thin_supported: false, snapshot_support: snapshots },
    resolveBackendOptions({ lvm_type: 'default', target_ip_address: '127.0.0.1', target_port: port }),
    new SeededRng('contract', 'driver'),
    'h1',
  );

describe('VolumeDriver contract: fake, as loop-lvm in metadata mode', () => {
  volumeDriverContract({ driver: fake(false, 3261), vgGb: 4, port: 3261, snapshots: false });
});

describe('VolumeDriver contract: fake, with snapshots', () => {
  volumeDriverContract({ driver: fake(true, 3261), vgGb: 4, port: 3261, snapshots: true });
});

/** loop-lvm on this host (metadata mode: no device-mapper here), through the port, as a live run drives it. */
describe.skipIf(hostSkip)('VolumeDriver contract: loop-lvm on the host (metadata mode)', async () => {
  const root = hostSkip ? '' : freshRoot();
  const port = testPort(3);
  const runner = new ExecaRunner();
  const lvm = hostSkip
    ? null
    : await LoopLvmDriver.setUp(runner, { instance: testInstance('contract'), stateRoot: root, backingFileGb: 4, mode: 'metadata', target_port: port, volume_clear: 'zero', hostname: 'h1' });
  const driver = lvm === null ? null : await LoopLvmVolumeDriver.open(lvm, (fn) => fn());
  afterAll(async () => {
    await cleanupHost(runner, root);
    sh(['rm', '-rf', root]);
  });
  volumeDriverContract({ driver: () => driver!, vgGb: 4, port, snapshots: false });
});
