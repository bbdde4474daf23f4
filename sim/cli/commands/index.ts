import { benchCommand } from './bench.js';
import { demoCommand } from './demo.js';

/** Every CLI command, by name.  One file per command. */
export const commands = {
  demo: demoCommand,
  bench: benchCommand,
} as const;
