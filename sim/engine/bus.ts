import type { Bus, CallResult, Handler, LaterReply, Message } from '../ports/bus.js';
import type { Rng } from '../ports/rng.js';
import { EngineMisuse } from './errors.js';
import type { Simulation } from './simulation.js';

/** A latency distribution for one direction of a link, in ms. */
export type LatencySpec =
  | { dist: 'constant'; ms: number }
  | { dist: 'uniform'; min_ms: number; max_ms: number }
  | { dist: 'exponential'; mean_ms: number }
  | { dist: 'lognormal'; median_ms: number; sigma: number };

export interface LinkSpec {
  latency?: LatencySpec;
  /** Probability that a message on this link is lost. */
  loss?: number;
}

interface Partition {
  a: ReadonlySet<string>;
  b: ReadonlySet<string>;
  startMs: number;
  healMs: number;
}

interface Server {
  node: string;
  handler: Handler;
}

/** What happened to a message; the world keeps a bounded count of each. */
export interface BusStats {
  sent: number;
  delivered: number;
  lost: number;
  partitioned: number;
  noServer: number;
  timeouts: number;
}

/**
 * The simulated message broker.  Every node sends through a `Bus` port bound
 * to it; delivery takes the link's sampled latency, may be lost, and is
 * dropped while a partition separates sender and receiver.  Casts to a topic
 * served by several nodes go round-robin, as RabbitMQ does for a shared queue.
 */
export class SimBus {
  private readonly servers = new Map<string, Server[]>();
  private readonly rr = new Map<string, number>();
  private readonly links = new Map<string, LinkSpec>();
  private defaultLink: LinkSpec = { latency: { dist: 'constant', ms: 1 } };
  private readonly partitions: Partition[] = [];
  readonly stats: BusStats = { sent: 0, delivered: 0, lost: 0, partitioned: 0, noServer: 0, timeouts: 0 };

  constructor(
    private readonly sim: Simulation,
    private readonly rng: Rng,
    private readonly isNode: (name: string) => boolean,
  ) {}

  setDefaultLink(spec: LinkSpec): void {
    checkLink('SimBus.setDefaultLink', spec);
    this.defaultLink = spec;
  }

  /** Set the link from `from` to `to` (one direction). */
  setLink(from: string, to: string, spec: LinkSpec): void {
    this.checkNode('SimBus.setLink', from);
    this.checkNode('SimBus.setLink', to);
    checkLink('SimBus.setLink', spec);
    this.links.set(`${from}->${to}`, spec);
  }

  /** Separate node groups `a` and `b` from `startMs` until `healMs`. */
  partition(a: readonly string[], b: readonly string[], startMs: number, healMs = Infinity): void {
    for (const n of [...a, ...b]) this.checkNode('SimBus.partition', n);
    if (!(healMs > startMs)) throw new EngineMisuse('SimBus.partition', `heal time ${healMs} must be after start ${startMs}`);
    this.partitions.push({ a: new Set(a), b: new Set(b), startMs, healMs });
  }

  /** The port a service on `node` uses. */
  port(node: string): Bus {
    this.checkNode('SimBus.port', node);
    return {
      serve: (topic, handler) => this.serve(node, topic, handler),
      unserve: (topic) => this.unserve(node, topic),
      cast: (topic, method, args) => this.cast(node, topic, method, args),
      call: (topic, method, args, timeoutMs, done) => this.call(node, topic, method, args, timeoutMs, done),
      fanout: (topic, method, args) => this.fanout(node, topic, method, args),
    };
  }

  private serve(node: string, topic: string, handler: Handler): void {
    const list = (this.servers.get(topic) ?? []).filter((s) => s.node !== node);
    list.push({ node, handler });
    this.servers.set(topic, list);
  }

  private unserve(node: string, topic: string): void {
    const list = (this.servers.get(topic) ?? []).filter((s) => s.node !== node);
    this.servers.set(topic, list);
  }

  private pick(topic: string): Server | undefined {
    const list = this.servers.get(topic);
    if (!list || list.length === 0) return undefined;
    const i = this.rr.get(topic) ?? 0;
    this.rr.set(topic, i + 1);
    return list[i % list.length];
  }

  private cast(from: string, topic: string, method: string, args: Message): void {
    const server = this.pick(topic);
    if (!server) {
      this.stats.sent++;
      this.stats.noServer++;
      return;
    }
    this.send(from, server.node, () => server.handler(method, args, from));
  }

  private fanout(from: string, topic: string, method: string, args: Message): void {
    for (const server of this.servers.get(topic) ?? []) {
      this.send(from, server.node, () => server.handler(method, args, from));
    }
  }

  private call(from: string, topic: string, method: string, args: Message, timeoutMs: number, done: (r: CallResult) => void): void {
    let settled = false;
    const settle = (r: CallResult) => {
      if (settled) return;
      settled = true;
      this.sim.cancel(timer);
      done(r);
    };
    const timer = this.sim.schedule(timeoutMs, () => {
      if (settled) return;
      settled = true;
      this.stats.timeouts++;
      done({ ok: false, error: 'MessagingTimeout', message: `Timed out waiting for a reply to message ${method} on topic ${topic}` });
    }, `SimBus.call(${method}) timeout`);
    const server = this.pick(topic);
    if (!server) {
      this.stats.sent++;
      this.stats.noServer++;
      return;
    }
    this.send(from, server.node, () => {
      let reply: CallResult;
      try {
        const out = server.handler(method, args, from);
        if (isLaterReply(out)) {
          out.onReply((value) => this.send(server.node, from, () => settle({ ok: true, reply: value })));
          return;
        }
        reply = { ok: true, reply: out };
      } catch (e) {
        reply = { ok: false, error: 'RemoteError', message: e instanceof Error ? e.message : String(e) };
      }
      this.send(server.node, from, () => settle(reply));
    });
  }

  private send(from: string, to: string, deliver: () => void): void {
    this.stats.sent++;
    const link = this.links.get(`${from}->${to}`) ?? this.defaultLink;
    if (link.loss !== undefined && link.loss > 0 && this.rng.chance(link.loss)) {
      this.stats.lost++;
      return;
    }
    const delay = sampleLatency(this.rng, link.latency);
    this.sim.schedule(delay, () => {
      if (this.separated(from, to, this.sim.now)) {
        this.stats.partitioned++;
        return;
      }
      this.stats.delivered++;
      deliver();
    });
  }

  /** True when a partition separates `x` and `y` at time `t`. */
  separated(x: string, y: string, t: number): boolean {
    for (const p of this.partitions) {
      if (t < p.startMs || t >= p.healMs) continue;
      if ((p.a.has(x) && p.b.has(y)) || (p.b.has(x) && p.a.has(y))) return true;
    }
    return false;
  }

  private checkNode(caller: string, node: string): void {
    if (!this.isNode(node)) throw new EngineMisuse(caller, `unknown node '${node}'`);
  }
}

function sampleLatency(rng: Rng, spec: LatencySpec | undefined): number {
  if (!spec) return 0;
  switch (spec.dist) {
    case 'constant':
      return spec.ms;
    case 'uniform':
      return rng.uniform(spec.min_ms, spec.max_ms);
    case 'exponential':
      return rng.exponential(spec.mean_ms);
    case 'lognormal':
      return rng.lognormal(Math.log(spec.median_ms), spec.sigma);
  }
}

function checkLink(caller: string, spec: LinkSpec): void {
  if (spec.loss !== undefined && !(spec.loss >= 0 && spec.loss <= 1)) {
    throw new EngineMisuse(caller, `loss must be a probability in [0, 1], got ${spec.loss}`);
  }
  const l = spec.latency;
  if (!l) return;
  const nums = l.dist === 'constant' ? [l.ms] : l.dist === 'uniform' ? [l.min_ms, l.max_ms] : l.dist === 'exponential' ? [l.mean_ms] : [l.median_ms, l.sigma];
  for (const n of nums) {
    if (!(n >= 0 && Number.isFinite(n))) throw new EngineMisuse(caller, `latency ${l.dist} parameters must be finite and >= 0, got ${n}`);
  }
}

/** A handler's reply given later (sim/ports/bus.ts LaterReply). */
export function isLaterReply(x: unknown): x is LaterReply {
  return typeof x === 'object' && x !== null && typeof (x as Partial<LaterReply>).onReply === 'function';
}
