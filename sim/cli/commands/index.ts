/** Each command module's export; the caller sees them all as yargs commands. */
type Loader = () => Promise<unknown>;

/**
 * Every CLI command, by name, loaded on demand: one file per command.  A
 * run of one command loads that command's modules only (the scenario
 * runner and the reports weigh more than a scheduler decision), which
 * matters for `schedule` in a script's loop.
 */
export const commands = {
  demo: async () => (await import('./demo.js')).demoCommand,
  bench: async () => (await import('./bench.js')).benchCommand,
  validate: async () => (await import('./validate.js')).validateCommand,
  list: async () => (await import('./list.js')).listCommand,
  schema: async () => (await import('./schema.js')).schemaCommand,
  run: async () => (await import('./run.js')).runCommand,
  conf: async () => (await import('./conf.js')).confCommand,
  schedule: async () => (await import('./schedule.js')).scheduleCommand,
  cleanup: async () => (await import('./cleanup.js')).cleanupCommand,
  vm: async () => (await import('./vm.js')).vmCommand,
} as const satisfies Record<string, Loader>;

export type CommandName = keyof typeof commands;
export const commandNames = Object.keys(commands) as CommandName[];
