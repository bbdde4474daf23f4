import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { libraryDir, libraryFiles, packageRoot } from '../../scenario/library.js';
import { loadScenarioFile, loadScenarioText, type LoadedScenario } from '../../scenario/loader.js';
import { formatProblem, formatWarning, ScenarioProblems } from '../../scenario/problems.js';
import { applySettings, GridError, parseSetting } from '../../scenario/sweep/grid.js';
import { UserError, type CliIo } from '../io.js';

/** A scenario named on the command line (a file, or a built-in scenario's name), loaded with its text; problems refused, exit 2. */
export function loadScenarioArg(arg: string, io: CliIo): { loaded: LoadedScenario; text: string } {
  const name = (f: string): string => f.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/, '');
  let file = resolve(io.cwd, arg);
  let base = io.cwd;
  if (!existsSync(file)) {
    const builtin = libraryFiles().find((f) => name(f) === arg);
    if (!builtin) throw new UserError(`no scenario file '${arg}' and no built-in scenario of that name; built-in: ${libraryFiles().map(name).join(', ')}`);
    file = builtin;
  }
  // Built-in scenarios are named relative to the package root (outputs carry no absolute paths).
  if (file.startsWith(libraryDir() + '/')) base = packageRoot();
  try {
    const loaded = loadScenarioFile(file, base);
    for (const w of loaded.warnings) io.stderr(formatWarning(w) + '\n');
    return { loaded, text: readFileSync(file, 'utf8') };
  } catch (e) {
    if (!(e instanceof ScenarioProblems)) throw e;
    throw new UserError(e.problems.map(formatProblem).join('\n') + `\n${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}; nothing was run`);
  }
}

/**
 * A loaded scenario with `KEY=VALUE` settings applied (`run --set`, a sweep's
 * grid point): the same scenario when there are none; a bad key or value
 * refused with the valid ones.
 */
export function withSettings(loaded: LoadedScenario, text: string, specs: readonly string[]): LoadedScenario {
  if (specs.length === 0) return loaded;
  try {
    const settings = specs.map(parseSetting);
    return loadScenarioText(applySettings(text, loaded, settings), loaded.file, loaded.dir);
  } catch (e) {
    if (e instanceof GridError) throw new UserError(`--set: ${e.message}`);
    if (e instanceof ScenarioProblems) throw new UserError(`--set ${specs.join(' ')} makes the scenario invalid:\n${e.problems.map(formatProblem).join('\n')}`);
    throw e;
  }
}
