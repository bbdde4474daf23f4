import type { ServicePorts } from '../ports/service.js';
import { SimBus } from './bus.js';
import { DEFAULT_EPOCH_MS, NodeClock, type ClockSpec } from './clock.js';
import { EngineMisuse } from './errors.js';
import { LogSink } from './log.js';
import { RngRoot } from './rng.js';
import { Simulation } from './simulation.js';
import { SimDatabase } from './store.js';

export interface SimNode {
  readonly name: string;
  readonly clock: NodeClock;
}

export interface WorldOptions {
  seed: string | number;
  /** Wall-clock time of virtual time 0 (ms since the epoch). */
  epochMs?: number;
}

/**
 * The simulated world and the composition root of a simulated run: one
 * event queue, one root seed, nodes with their clocks, the bus, the
 * database and the log.  Services get their ports from `ports()`.
 */
export class World {
  readonly sim = new Simulation();
  readonly seed: string;
  readonly rng: RngRoot;
  readonly bus: SimBus;
  readonly db = new SimDatabase();
  readonly log: LogSink;
  readonly epochMs: number;
  private readonly nodes = new Map<string, SimNode>();

  constructor(opts: WorldOptions) {
    this.seed = String(opts.seed);
    this.epochMs = opts.epochMs ?? DEFAULT_EPOCH_MS;
    this.rng = new RngRoot(this.seed);
    this.bus = new SimBus(this.sim, this.rng.stream('net'), (n) => this.nodes.has(n));
    this.log = new LogSink(this.sim.nowFn);
  }

  addNode(name: string, clock: ClockSpec = {}): SimNode {
    if (!name) throw new EngineMisuse('World.addNode', 'node name must not be empty');
    if (this.nodes.has(name)) throw new EngineMisuse('World.addNode', `node '${name}' already exists`);
    const node = { name, clock: new NodeClock(name, this.sim.nowFn, this.epochMs, clock) };
    this.nodes.set(name, node);
    return node;
  }

  node(name: string, caller = 'World.node'): SimNode {
    const n = this.nodes.get(name);
    if (!n) throw new EngineMisuse(caller, `unknown node '${name}'; known: ${[...this.nodes.keys()].join(', ') || '(none)'}`);
    return n;
  }

  /** Changes whenever any node's clock is replanned (see NodeClock.planVersion). */
  clockEpoch(): number {
    let n = 0;
    for (const node of this.nodes.values()) n += node.clock.planVersion;
    return n;
  }

  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  /** The ports a service named `service` on `node` runs against. */
  ports(node: string, service: string): ServicePorts {
    const n = this.node(node, `World.ports(${service})`);
    return {
      node,
      clock: n.clock,
      timers: this.sim,
      rng: this.rng.stream(`service:${node}/${service}`),
      bus: this.bus.port(node),
      store: this.db.port(n.clock),
      log: this.log.logger(node, service),
    };
  }
}
