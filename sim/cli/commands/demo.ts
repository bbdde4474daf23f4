import { World } from '../../engine/world.js';
import { formatDuration } from '../../scenario/duration.js';
import { defineCommand } from '../command.js';
import { seedFlag } from '../seed.js';

const REPORT_INTERVAL_MS = 10_000;
const SERVICE_DOWN_TIME_MS = 60_000;

/**
 * A small end-to-end model of the engine: three volume nodes heartbeat
 * (lazily) into the database; node3's clock steps 90 s back at t = 120 s
 * (NTP broken), and NTP steps it right at t = 600 s.  The controller judges
 * liveness with its own clock, as `cinder service-list` does.
 */
export const demoCommand = defineCommand({
  command: 'demo',
  describe: 'Run a small clock-skew demonstration of the engine',
  builder: (y) => y.option('seed', { type: 'string', default: '42', describe: 'root seed' }),
  run(args, io) {
    const world = new World({ seed: seedFlag(args.seed) });
    const controller = world.addNode('controller');
    const nodes = ['node1', 'node2', 'node3'].map((n) => world.addNode(n));
    const jitter = world.rng.stream('workload');
    const heartbeats = nodes.map((n) => ({ node: n, beat: world.sim.periodic(REPORT_INTERVAL_MS, REPORT_INTERVAL_MS + jitter.int(0, 999), `heartbeat ${n.name}`) }));
    io.stdout(`seed: ${world.seed}\n`);
    const node3 = nodes[2]!;
    world.sim.at(120_000, () => node3.clock.step(-90_000));
    world.sim.at(600_000, () => node3.clock.setNtp({ mode: 'step' }));
    const lastState = new Map<string, string>();
    const observe = (): void => {
      const now = controller.clock.wallNow();
      for (const { node, beat } of heartbeats) {
        const tick = beat.lastTick();
        const updatedAt = tick === null ? null : node.clock.wallAt(tick);
        const up = updatedAt !== null && Math.abs(now - updatedAt) <= SERVICE_DOWN_TIME_MS;
        const state = up ? 'up' : 'down';
        if (lastState.get(node.name) !== state) {
          const skew = formatDuration(node.clock.offsetAt(world.sim.now));
          io.stdout(`t=${formatDuration(world.sim.now).padEnd(9)}  cinder-volume ${node.name}@lvm  ${state.padEnd(4)}  (clock offset ${skew})\n`);
          lastState.set(node.name, state);
        }
      }
      if (world.sim.now < 900_000) world.sim.after(5_000, observe);
    };
    world.sim.after(REPORT_INTERVAL_MS + 1000, observe);
    const end = world.sim.run({ untilMs: 1_000_000 });
    io.stdout(`run ended: ${end.reason} at t=${formatDuration(end.timeMs)} after ${end.events} events (heartbeats cost no events)\n`);
    return 0;
  },
});
