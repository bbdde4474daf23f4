import type { Bus } from './bus.js';
import type { Clock, Timers } from './clock.js';
import type { Log } from './log.js';
import type { Rng } from './rng.js';
import type { Store } from './store.js';

/** Everything a Cinder service is given by its world.  It needs nothing else. */
export interface ServicePorts {
  /** The node the service runs on (its hostname). */
  node: string;
  clock: Clock;
  timers: Timers;
  rng: Rng;
  bus: Bus;
  store: Store;
  log: Log;
}
