/**
 * A named, independent stream of pseudo-random numbers.  Streams are forked
 * from the run's root seed by name, so adding a consumer never shifts another.
 */
export interface Rng {
  readonly name: string;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** Uniform real in [min, max). */
  uniform(min: number, max: number): number;
  /** Exponential with the given mean. */
  exponential(mean: number): number;
  /** Normal (Gaussian) with the given mean and standard deviation. */
  normal(mean: number, stddev: number): number;
  /** Log-normal whose underlying normal has parameters mu and sigma. */
  lognormal(mu: number, sigma: number): number;
  /** One item, chosen with probability proportional to its weight. */
  weighted<T>(items: readonly { value: T; weight: number }[]): T;
  /** One value from an empirical table of (value, probability) rows, probabilities summing to ~1. */
  empirical(table: readonly { value: number; p: number }[]): number;
  /** Bernoulli trial: true with probability p. */
  chance(p: number): boolean;
  /** A child stream, independent of this one and of its other children. */
  fork(name: string): Rng;
}
