/**
 * The composition root of a simulated Cinder cloud: the engine's World
 * (event queue, node clocks, bus, database, log) wired to the services of
 * sim/cinder/cloud.  Tests drive it directly; the scenario runner drives it
 * through its `view`:
 *
 *   const sc = new SimulatedCloud(cloudSpec, { seed: 42 });     // nodes, services, backends
 *   sc.submit(atMs, { project_id: 'demo' }, { verb: 'create', size: 10, volume_type: 'sata', name: 'sata1' });
 *   sc.at(atMs, () => sc.clock('node3').step(-90_000));           // faults: clock step / drift / NTP
 *   sc.at(atMs, () => sc.cloud.service({ binary: 'cinder-volume', host: 'node1@lvm' }).stop());
 *   sc.at(atMs, () => sc.cloud.failBackend('node1@lvm'));         // or setBackendCapacity / recoverBackend
 *   const end = sc.run({ untilMs });                            // stops early on a broken invariant
 *   sc.cloud.outcomes                                           // one Outcome per request (ok + result | Cinder error)
 *   sc.cloud.snapshot()                                         // volumes, snapshots, backups, services, pools, decisions
 *
 * Requests are the typed objects of sim/cinder/api/requests.ts, one per
 * cinder CLI verb, naming resources by id or name as the CLI does.
 */
import { Cloud, type CloudOptions } from '../cinder/cloud/build.js';
import type { CloudInput } from '../cinder/cloud/spec.js';
import { defaultShortcuts, type Shortcuts } from '../cinder/shortcuts.js';
import type { CinderRequest, Outcome, RequestContext } from '../cinder/api/requests.js';
import type { NodeClock } from '../engine/clock.js';
import type { RunBounds, RunEnd } from '../engine/simulation.js';
import { World } from '../engine/world.js';
import { CloudView } from './view.js';

export interface SimulatedCloudOptions extends CloudOptions {
  seed: string | number;
  epochMs?: number;
  /** Check invariants after every request and every `checkEveryMs` of virtual time (0: only after requests). */
  checkEveryMs?: number;
}

export interface SimulatedCloudEnd extends RunEnd {
  /** A broken invariant stops the run; the line replays it. */
  violation: { message: string; atMs: number; seed: string } | null;
}

/** Add the spec's nodes to `world` and build the services on its ports: the one place a simulated cloud is wired. */
export function buildCloud(world: World, spec: CloudInput, opts: CloudOptions = {}): Cloud {
  for (const n of spec.nodes) world.addNode(n.name, n.clock ?? {});
  const cloud = new Cloud(spec, { ports: (node, service) => world.ports(node, service), rng: (name) => world.rng.stream(name) }, opts);
  cloud.directory.clockEpoch = () => world.clockEpoch();
  return cloud;
}

export class SimulatedCloud {
  readonly world: World;
  readonly cloud: Cloud;
  /** The cloud as a scenario sees it: answers, records and faults. */
  readonly view: CloudView;
  private violation: SimulatedCloudEnd['violation'] = null;
  private readonly checkEveryMs: number;

  constructor(spec: CloudInput, opts: SimulatedCloudOptions) {
    this.world = new World({ seed: opts.seed, epochMs: opts.epochMs });
    this.cloud = buildCloud(this.world, spec, opts);
    this.view = new CloudView(this.world, this.cloud);
    this.checkEveryMs = opts.checkEveryMs ?? 0;
    this.cloud.start();
    if (this.checkEveryMs > 0) this.scheduleCheck();
  }

  get seed(): string {
    return this.world.seed;
  }

  get nowMs(): number {
    return this.world.sim.now;
  }

  clock(node: string): NodeClock {
    return this.world.node(node, 'SimulatedCloud.clock').clock;
  }

  at(atMs: number, fn: () => void, label = 'scenario'): void {
    this.world.sim.at(atMs, fn, label);
  }

  /** Make `request` at virtual time `atMs` (>= now); the outcome lands in cloud.outcomes. */
  submit(atMs: number, ctx: RequestContext, request: CinderRequest, onOutcome?: (o: Outcome) => void, apiNode?: string): void {
    this.at(atMs, () => this.cloud.submit(ctx, request, (o) => {
      onOutcome?.(o);
      this.check();
    }, apiNode), `request ${request.verb}`);
  }

  /** Make `request` now and run until it is answered (or `maxWaitMs` passes); returns its outcome. */
  request(ctx: RequestContext, request: CinderRequest, maxWaitMs = 120_000): Outcome | undefined {
    let out: Outcome | undefined;
    this.cloud.submit(ctx, request, (o) => (out = o));
    const deadline = this.nowMs + maxWaitMs;
    while (!out && this.nowMs < deadline && !this.violation) {
      const end = this.world.sim.run({ untilMs: deadline, maxEvents: 1 });
      if (end.reason === 'drained' || end.reason === 'until') break;
    }
    this.check();
    return out;
  }

  private check(): void {
    if (this.violation) return;
    const v = this.cloud.checkInvariants();
    if (v) {
      this.violation = { message: v, atMs: this.nowMs, seed: this.seed };
      this.world.sim.stop();
    }
  }

  private scheduleCheck(): void {
    this.world.sim.after(this.checkEveryMs, () => {
      this.check();
      if (!this.violation) this.scheduleCheck();
    }, 'invariants');
  }

  run(bounds: RunBounds = {}): SimulatedCloudEnd {
    if (this.violation) return { reason: 'stopped', events: 0, timeMs: this.nowMs, violation: this.violation };
    // Lazy heartbeats and reports cost no events: make sure time reaches the bound anyway.
    if (bounds.untilMs !== undefined && bounds.untilMs > this.nowMs && Number.isFinite(bounds.untilMs)) this.world.sim.at(bounds.untilMs, () => {}, 'run bound');
    const end = this.world.sim.run(bounds);
    this.check();
    return { ...end, violation: this.violation };
  }
}

/**
 * Builds the simulated cloud a scenario runs in, from the services' cloud
 * input and the run's root seed; `shortcuts` overrides the factory's own (a
 * lean run asks for the fast path).
 */
export type CloudFactory = (input: CloudInput, seed: string, shortcuts?: Partial<Shortcuts>) => SimulatedCloud;

/** A factory whose clouds run with the given shortcuts (tests turn some off to compare with the reference model). */
export function cloudFactoryWith(shortcuts: Shortcuts): CloudFactory {
  return (input, seed, override = {}) => new SimulatedCloud(input, { seed, shortcuts: { ...shortcuts, ...override } });
}

export const defaultCloudFactory: CloudFactory = cloudFactoryWith(defaultShortcuts);
