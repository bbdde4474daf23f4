import { performance } from 'node:perf_hooks';
import type { Bus, CallResult, Handler, Message } from '../ports/bus.js';
import { isLaterReply } from '../engine/bus.js';
import type { Clock, Periodic, TimerHandle, Timers } from '../ports/clock.js';
import type { ServicePorts } from '../ports/service.js';
import { LogSink } from '../engine/log.js';
import { RngRoot } from '../engine/rng.js';
import { SimDatabase } from '../engine/store.js';
import { nthTick, ticksBy } from '../engine/periodic.js';

/**
 * The live world: the same ports backed by the real wall clock, real timers
 * and an in-process bus, so the Cinder services run unchanged against real
 * backends.  Virtual time here is milliseconds since the world started.
 */
class LiveClock implements Clock {
  constructor(private readonly startPerf: number, private readonly startWall: number) {}
  monoNow(): number {
    return Math.floor(performance.now() - this.startPerf);
  }
  wallNow(): number {
    return Date.now();
  }
  wallAt(monoMs: number): number {
    return this.startWall + monoMs;
  }
}

class LivePeriodic implements Periodic {
  private stoppedAt = Infinity;
  constructor(private readonly clock: LiveClock, readonly intervalMs: number, private readonly firstMs: number) {}
  get stopped(): boolean {
    return this.stoppedAt !== Infinity;
  }
  ticks(atMs: number = this.clock.monoNow()): number {
    return ticksBy(this.firstMs, this.intervalMs, this.stoppedAt, atMs);
  }
  lastTick(atMs?: number): number | null {
    return nthTick(this.firstMs, this.intervalMs, this.ticks(atMs));
  }
  stop(): void {
    if (this.stoppedAt === Infinity) this.stoppedAt = this.clock.monoNow();
  }
}

class LiveTimers implements Timers {
  private readonly live = new Set<NodeJS.Timeout>();
  constructor(private readonly clock: LiveClock) {}
  after(delayMs: number, fn: () => void): TimerHandle {
    const h = setTimeout(() => {
      this.live.delete(h);
      fn();
    }, Math.max(0, delayMs));
    this.live.add(h);
    return { cancel: () => (clearTimeout(h), this.live.delete(h)) };
  }
  at(atMs: number, fn: () => void): TimerHandle {
    return this.after(atMs - this.clock.monoNow(), fn);
  }
  periodic(intervalMs: number, firstDelayMs: number): Periodic {
    return new LivePeriodic(this.clock, intervalMs, this.clock.monoNow() + firstDelayMs);
  }
  /** Cancel every pending timer (shutdown). */
  clear(): void {
    for (const h of this.live) clearTimeout(h);
    this.live.clear();
  }
}

/** An in-process broker: delivery on the next turn of the event loop. */
class LocalBus {
  private readonly servers = new Map<string, Handler[]>();
  private readonly rr = new Map<string, number>();
  constructor(private readonly timers: LiveTimers) {}

  port(node: string): Bus {
    return {
      serve: (topic, handler) => this.servers.set(topic, [...(this.servers.get(topic) ?? []), handler]),
      unserve: (topic) => this.servers.delete(topic),
      cast: (topic, method, args) => this.deliver(topic, (h) => h(method, args, node)),
      fanout: (topic, method, args) => {
        for (const h of this.servers.get(topic) ?? []) setImmediate(() => h(method, args, node));
      },
      call: (topic, method, args: Message, timeoutMs, done: (r: CallResult) => void) => {
        let settled = false;
        const timer = this.timers.after(timeoutMs, () => {
          if (!settled) {
            settled = true;
            done({ ok: false, error: 'MessagingTimeout', message: `Timed out waiting for a reply to message ${method} on topic ${topic}` });
          }
        });
        const settle = (r: CallResult): void => {
          if (!settled) {
            settled = true;
            timer.cancel();
            done(r);
          }
        };
        this.deliver(topic, (h) => {
          try {
            const out = h(method, args, node);
            if (isLaterReply(out)) out.onReply((reply) => setImmediate(() => settle({ ok: true, reply })));
            else settle({ ok: true, reply: out });
          } catch (e) {
            settle({ ok: false, error: 'RemoteError', message: e instanceof Error ? e.message : String(e) });
          }
        });
      },
    };
  }

  private deliver(topic: string, fn: (h: Handler) => void): void {
    const list = this.servers.get(topic);
    if (!list || list.length === 0) return;
    const i = this.rr.get(topic) ?? 0;
    this.rr.set(topic, i + 1);
    const h = list[i % list.length]!;
    setImmediate(() => fn(h));
  }
}

export class LiveWorld {
  readonly clock: LiveClock;
  readonly timers: LiveTimers;
  readonly rng: RngRoot;
  readonly db = new SimDatabase();
  readonly log: LogSink;
  private readonly bus: LocalBus;

  constructor(seed: string | number) {
    this.clock = new LiveClock(performance.now(), Date.now());
    this.timers = new LiveTimers(this.clock);
    this.rng = new RngRoot(String(seed));
    this.bus = new LocalBus(this.timers);
    this.log = new LogSink(() => this.clock.monoNow());
  }

  ports(node: string, service: string): ServicePorts {
    return {
      node,
      clock: this.clock,
      timers: this.timers,
      rng: this.rng.stream(`service:${node}/${service}`),
      bus: this.bus.port(node),
      store: this.db.port(this.clock),
      log: this.log.logger(node, service),
    };
  }

  shutdown(): void {
    this.timers.clear();
  }
}
