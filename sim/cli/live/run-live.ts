/**
 * The composition root of a live run: the scenario's api, scheduler and
 * volume services on the wall clock (the engine's world paced by
 * sim/live's WallClockPacer, node clocks at the real epoch), with the
 * backends the scenario marks `driver: loop-lvm` real on this host.  The
 * outcome is the simulated run's, marked `live` and with the real driver
 * calls' wall latencies.  The real backends are removed at the end, and on
 * SIGINT or SIGTERM.
 *
 * With `vm` the backends run in the test VM (full mode: device-mapper
 * works there), booted for the run (its image built when none is cached)
 * and stopped at the end, on SIGINT or SIGTERM, and on any failure; the
 * services stay on this host and drive loop-lvm through the VM's agent.
 */
import { stateRoot as defaultStateRoot } from '../../../drivers/loop-lvm/index.js';
import { bootLiveVm, checkLiveVm, portalRoute, type LiveVm, type LiveVmOptions } from './vm.js';
import { defaultShortcuts } from '../../cinder/shortcuts.js';
import { SimulatedCloud, type CloudFactory } from '../../harness/simulated-cloud.js';
import { WallClockPacer } from '../../live/pacer.js';
import type { LoadedScenario } from '../../scenario/loader.js';
import type { LiveVmRecord, RunOutcome } from '../../scenario/outcome.js';
import { guestStateRoot as vmGuestRoot } from '../../../drivers/loop-lvm/vm/guest.js';
import { runScenarioDriven } from '../../scenario/runner.js';
import { UserError } from '../io.js';
import { LiveBackends, planLiveBackends } from './backends.js';
import { liveInitiator, type PortalRoute } from './initiator.js';

export interface LiveRunOptions {
  seed: string;
  replay: string;
  /** Where loop-lvm keeps its state (default: $CINDER_SIM_STATE, else /var/lib/cinder-sim). */
  stateRoot?: string;
  /** Told once the real backends are set up and the run starts (tests wait for it). */
  onStarted?: () => void;
  /** Run the real backends in the test VM (`run --live --vm`). */
  vm?: LiveVmOptions;
}

const signalExit = { SIGINT: 130, SIGTERM: 143 } as const;
type Signal = keyof typeof signalExit;

/** Run one scenario live; a UserError for a scenario or host that cannot (exit 2), or an interrupt (130, 143). */
export async function runLive(loaded: LoadedScenario, o: LiveRunOptions): Promise<RunOutcome> {
  const root = o.stateRoot ?? defaultStateRoot(process.env);
  if (o.vm) return runInVm(loaded, o, o.vm, root);
  return runWith(loaded, o, { backends: new LiveBackends(planLiveBackends(loaded, root), root), isRoot: process.getuid?.() === 0 });
}

/** `--vm`: the scenario and this host checked, the VM booted, the run, the VM stopped (whatever happened). */
async function runInVm(loaded: LoadedScenario, o: LiveRunOptions, vmo: LiveVmOptions, root: string): Promise<RunOutcome> {
  const plans = planLiveBackends(loaded, vmGuestRoot, 'vm');
  await checkLiveVm(root, vmo);
  let vm: LiveVm | null = null;
  let interrupted: Signal | null = null;
  // A signal while the VM boots: the boot ends, then the run stops (and the VM with it) before it begins.
  const early = (sig: Signal): void => {
    interrupted ??= sig;
  };
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((sig) => [sig, () => early(sig)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  try {
    try {
      vm = await bootLiveVm(root, vmo);
    } finally {
      for (const [sig, h] of handlers) process.off(sig, h);
    }
    if (interrupted) throw new UserError(`interrupted by ${interrupted}; the test VM was stopped`, signalExit[interrupted]);
    const backends = new LiveBackends(
      plans.map((p) => ({ ...p, options: { ...p.options, ...vm!.backend.options, target_port: p.options.target_port } })),
      vmGuestRoot,
      vm.backend.runner,
    );
    return await runWith(loaded, o, { backends, isRoot: true, route: portalRoute(vm), vm: vm.record, removeAtEnd: false });
  } finally {
    await vm?.stop();
  }
}

/** Where the real backends run and what the outcome says of it. */
interface Place {
  backends: LiveBackends;
  isRoot: boolean;
  route?: PortalRoute;
  vm?: LiveVmRecord;
  /** Remove the backends' objects at the end (not in the VM: stopping it removes everything). */
  removeAtEnd?: boolean;
}

async function runWith(loaded: LoadedScenario, o: LiveRunOptions, place: Place): Promise<RunOutcome> {
  const backends = place.backends;
  let pacer: WallClockPacer | null = null;
  let interrupted: Signal | null = null;
  const onSignal = (sig: Signal): void => {
    interrupted ??= sig;
    pacer?.interrupt();
  };
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((sig) => [sig, () => onSignal(sig)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  // Completions of the real backends enter the world through the pacer, made with the cloud.
  const deliver = (fn: () => void): void => {
    if (pacer === null) throw new Error('a real backend completed a call before the live world was built');
    pacer.deliver(fn);
  };
  const stopped = (): never => {
    throw new UserError(`interrupted by ${interrupted}; ${place.vm ? 'the test VM was stopped' : 'the real backends were removed'}`, signalExit[interrupted!]);
  };
  try {
    await backends.setUp(deliver, place.isRoot);
    if (interrupted) stopped();
    const cloud: CloudFactory = (input, seed, shortcuts = {}) => {
      const sc = new SimulatedCloud(input, { seed, shortcuts: { ...defaultShortcuts, ...shortcuts }, epochMs: Date.now(), realDriver: backends.driverFor });
      pacer = new WallClockPacer(sc.world.sim);
      return sc;
    };
    o.onStarted?.();
    const outcome = await runScenarioDriven(loaded, {
      seed: o.seed,
      replay: o.replay,
      cloud,
      initiator: liveInitiator(deliver, place.route),
      drive: (_sim, untilMs, settled) => pacer!.run({ untilMs, settled: () => settled() && !backends.busy() }),
    });
    if (interrupted) stopped();
    outcome.live = place.vm ? { mode: 'vm', backends: backends.records(), vm: place.vm } : { mode: 'host', backends: backends.records() };
    outcome.driver_calls = backends.callSummary();
    return outcome;
  } finally {
    await backends.teardown(place.removeAtEnd ?? true);
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}
