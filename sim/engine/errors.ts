/** Misuse of the engine by a caller: names the caller and the bad value. */
export class EngineMisuse extends Error {
  constructor(caller: string, message: string) {
    super(`${caller}: ${message}`);
    this.name = 'EngineMisuse';
  }
}

export function checkDelay(caller: string, delayMs: number): void {
  if (typeof delayMs !== 'number' || Number.isNaN(delayMs)) {
    throw new EngineMisuse(caller, `delay must be a number of milliseconds, got ${String(delayMs)}`);
  }
  if (delayMs < 0) throw new EngineMisuse(caller, `delay must be >= 0 ms, got ${delayMs}`);
  if (!Number.isFinite(delayMs)) throw new EngineMisuse(caller, `delay must be finite, got ${delayMs}`);
}
