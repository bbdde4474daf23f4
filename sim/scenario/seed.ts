import { z } from 'zod';

/**
 * What a root seed may be, wherever one is given (`--seed`, a scenario's
 * `seed:`): the replay line `cinder-sim run FILE --seed X` must read back
 * as the same seed in any shell, so no spaces, quotes or other specials.
 */
export const SEED_PATTERN = /^[A-Za-z0-9_-]+$/;

/** The valid seeds in words, for every refusal. */
export const SEED_RULE = 'letters, digits, - and _ (e.g. 42 or run-7)';

/** A scenario file's `seed:`: an integer, or a string of SEED_RULE. */
export const SeedSchema = z.union([z.number().int(), z.string().regex(SEED_PATTERN, `expected ${SEED_RULE}`)]).describe(`an integer, or ${SEED_RULE}`);

/** Why a seed given as text is refused, or null when it is valid. */
export function seedProblem(seed: string): string | null {
  return SEED_PATTERN.test(seed) ? null : `'${seed}' is not a seed; valid: ${SEED_RULE}`;
}
