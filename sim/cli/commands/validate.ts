import { loadScenarioFile } from '../../scenario/loader.js';
import { formatProblem, formatWarning, ScenarioProblems } from '../../scenario/problems.js';
import { defineCommand } from '../command.js';

export const validateCommand = defineCommand({
  command: 'validate <files..>',
  describe: 'Check scenario files; prints every problem with file:line, key path, value and valid choices',
  builder: (y) => y.positional('files', { type: 'string', array: true, demandOption: true, describe: 'scenario files (.yaml, .yml, .json)' }),
  run(args, io) {
    let bad = 0;
    for (const f of args.files as string[]) {
      try {
        const s = loadScenarioFile(f, io.cwd);
        for (const w of s.warnings) io.stderr(formatWarning(w) + '\n');
        io.stdout(`${s.file}: ok (${s.scenario.name})${s.warnings.length ? `, ${s.warnings.length} warning${s.warnings.length === 1 ? '' : 's'}` : ''}\n`);
      } catch (e) {
        if (!(e instanceof ScenarioProblems)) throw e;
        bad++;
        for (const p of e.problems) io.stderr(formatProblem(p) + '\n');
        io.stderr(`${f}: ${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}\n`);
      }
    }
    return bad ? 2 : 0;
  },
});
