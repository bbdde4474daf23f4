/**
 * The composition root of a live run: the scenario's api, scheduler and
 * volume services on the wall clock (the engine's world paced by
 * sim/live's WallClockPacer, node clocks at the real epoch), with the
 * backends the scenario marks `driver: loop-lvm` real on this host.  The
 * outcome is the simulated run's, marked `live` and with the real driver
 * calls' wall latencies.  The real backends are removed at the end, and on
 * SIGINT or SIGTERM.
 */
import { stateRoot as defaultStateRoot } from '../../../drivers/loop-lvm/index.js';
import { defaultShortcuts } from '../../cinder/shortcuts.js';
import { SimulatedCloud, type CloudFactory } from '../../harness/simulated-cloud.js';
import { WallClockPacer } from '../../live/pacer.js';
import type { LoadedScenario } from '../../scenario/loader.js';
import type { RunOutcome } from '../../scenario/outcome.js';
import { runScenarioDriven } from '../../scenario/runner.js';
import { UserError } from '../io.js';
import { LiveBackends, planLiveBackends } from './backends.js';
import { liveInitiator } from './initiator.js';

export interface LiveRunOptions {
  seed: string;
  replay: string;
  /** Where loop-lvm keeps its state (default: $CINDER_SIM_STATE, else /var/lib/cinder-sim). */
  stateRoot?: string;
  /** Told once the real backends are set up and the run starts (tests wait for it). */
  onStarted?: () => void;
}

const signalExit = { SIGINT: 130, SIGTERM: 143 } as const;
type Signal = keyof typeof signalExit;

/** Run one scenario live; a UserError for a scenario or host that cannot (exit 2), or an interrupt (130, 143). */
export async function runLive(loaded: LoadedScenario, o: LiveRunOptions): Promise<RunOutcome> {
  const root = o.stateRoot ?? defaultStateRoot(process.env);
  const backends = new LiveBackends(planLiveBackends(loaded, root), root);
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
    throw new UserError(`interrupted by ${interrupted}; the real backends were removed`, signalExit[interrupted!]);
  };
  try {
    await backends.setUp(deliver, process.getuid?.() === 0);
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
      initiator: liveInitiator(deliver),
      drive: (_sim, untilMs, settled) => pacer!.run({ untilMs, settled: () => settled() && !backends.busy() }),
    });
    if (interrupted) stopped();
    outcome.live = { mode: 'host', backends: backends.records() };
    outcome.driver_calls = backends.callSummary();
    return outcome;
  } finally {
    await backends.teardown();
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}
