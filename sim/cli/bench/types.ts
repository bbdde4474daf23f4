/** Options every benchmark may read; each benchmark says which it needs. */
export interface BenchOptions {
  seed: string;
  processes?: number;
  events?: number;
  backends?: number;
  requests?: number;
  /** capacity: at most this many placements. */
  volumes?: number;
  years?: number;
  /** schedule: how many of the case's requests the real Cinder decides (0: Cinder is not run); scenario: how many of the run's first creates it decides on the run's fleet (default 0). */
  cinder?: number;
  /** schedule: also keep the generated case in this file. */
  writeCase?: string;
  /** merge: how many shard parts. */
  shards?: number;
  /** sweep: the worker count compared with one. */
  workers?: number;
  /** sweep: runs in the sweep (seeds of its one grid point). */
  seeds?: number;
  /** sweep: how many times each side is measured (alternating). */
  rounds?: number;
}

/** A benchmark's figures: printed as one JSON line with --json, else as a table. */
export type BenchFigures = Record<string, number | string | boolean>;

export interface Bench {
  describe: string;
  run(opts: BenchOptions): BenchFigures;
}

/** Peak resident set size so far, in MB (from the kernel's high-water mark). */
export function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}
