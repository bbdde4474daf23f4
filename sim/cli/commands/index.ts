import { benchCommand } from './bench.js';
import { confCommand } from './conf.js';
import { demoCommand } from './demo.js';
import { listCommand } from './list.js';
import { scheduleCommand } from './schedule.js';
import { runCommand } from './run.js';
import { schemaCommand } from './schema.js';
import { validateCommand } from './validate.js';

/** Every CLI command, by name.  One file per command. */
export const commands = {
  demo: demoCommand,
  bench: benchCommand,
  validate: validateCommand,
  list: listCommand,
  schema: schemaCommand,
  run: runCommand,
  conf: confCommand,
  schedule: scheduleCommand,
} as const;
