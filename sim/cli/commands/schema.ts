import { scenarioJsonSchema } from '../../scenario/schema.js';
import { defineCommand } from '../command.js';

export const schemaCommand = defineCommand({
  command: 'schema',
  describe: 'Print the JSON Schema of scenario files (for editors)',
  builder: (y) => y,
  run(_args, io) {
    io.stdout(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
    return 0;
  },
});
