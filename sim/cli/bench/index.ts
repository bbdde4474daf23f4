import { capacityBench } from './capacity.js';
import { engineBench } from './engine.js';
import { mergeBench } from './merge.js';
import { scenarioBench } from './scenario.js';
import { scheduleBench } from './schedule.js';
import { schedulerBench } from './scheduler.js';
import { sweepBench } from './sweep.js';
import type { Bench } from './types.js';

/** Every benchmark, by name: `cinder-sim bench <name>`. */
export const benches = {
  engine: engineBench,
  scheduler: schedulerBench,
  scenario: scenarioBench,
  schedule: scheduleBench,
  capacity: capacityBench,
  merge: mergeBench,
  sweep: sweepBench,
} as const satisfies Record<string, Bench>;

export type BenchName = keyof typeof benches;
