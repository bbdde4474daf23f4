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
  capacity: async () => (await import('./capacity.js')).capacityCommand,
  cleanup: async () => (await import('./cleanup.js')).cleanupCommand,
  diff: async () => (await import('./diff.js')).diffCommand,
  report: async () => (await import('./report.js')).reportCommand,
  explain: async () => (await import('./explain.js')).explainCommand,
  chart: async () => (await import('./chart.js')).chartCommand,
  sweep: async () => (await import('./sweep.js')).sweepCommand,
  merge: async () => (await import('./merge.js')).mergeCommand,
  shrink: async () => (await import('./shrink.js')).shrinkCommand,
  vm: async () => (await import('./vm.js')).vmCommand,
} as const satisfies Record<string, Loader>;

export type CommandName = keyof typeof commands;
export const commandNames = Object.keys(commands) as CommandName[];
