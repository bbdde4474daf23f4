import { engineBench } from './engine.js';
import type { Bench } from './types.js';

/** Every benchmark, by name: `cinder-sim bench <name>`. */
export const benches = {
  engine: engineBench,
} as const satisfies Record<string, Bench>;

export type BenchName = keyof typeof benches;
