import { loadScenarioFile } from '../../scenario/loader.js';
import { libraryDir, libraryFiles } from '../../scenario/library.js';
import { ScenarioProblems } from '../../scenario/problems.js';
import { defineCommand } from '../command.js';

export const listCommand = defineCommand({
  command: 'list',
  describe: 'List the built-in scenarios with one-line descriptions',
  builder: (y) => y,
  run(_args, io) {
    const rows: [string, string][] = [];
    for (const f of libraryFiles()) {
      try {
        const s = loadScenarioFile(f, libraryDir());
        rows.push([s.scenario.name, s.scenario.description.split('\n')[0]!.trim()]);
      } catch (e) {
        if (!(e instanceof ScenarioProblems)) throw e;
        rows.push([f.split('/').pop()!, `(invalid: ${e.problems.length} problems; run cinder-sim validate)`]);
      }
    }
    if (rows.length === 0) {
      io.stdout('no built-in scenarios found\n');
      return 0;
    }
    const w = Math.max(...rows.map((r) => r[0].length));
    io.stdout(rows.map(([n, d]) => `${n.padEnd(w)}  ${d}`).join('\n') + '\n');
    return 0;
  },
});
