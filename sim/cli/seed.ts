import { seedProblem } from '../scenario/seed.js';
import { UserError } from './io.js';

/** A `--seed` flag's value, or a refusal that says what a seed may be. */
export function seedFlag(value: string): string {
  const problem = seedProblem(value);
  if (problem !== null) throw new UserError(`--seed: ${problem}`);
  return value;
}
