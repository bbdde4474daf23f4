/**
 * Durations in scenario files: an integer of milliseconds, or a string of
 * number-unit parts such as `70s`, `5m`, `1h30m`, `250ms`, `2d`, `1y`.
 */
export const durationUnitsMs = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
} as const;

export type DurationUnit = keyof typeof durationUnitsMs;

const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/y;

/** The pattern a duration string must match (used by the schema). */
export const durationPattern = /^(\d+(\.\d+)?(ms|s|m|h|d|w|y))+$/;

/** Milliseconds in `d`, or null when `d` is not a duration. */
export function parseDurationMs(d: number | string): number | null {
  if (typeof d === 'number') return Number.isInteger(d) && d >= 0 ? d : null;
  if (!durationPattern.test(d)) return null;
  let total = 0;
  part.lastIndex = 0;
  while (part.lastIndex < d.length) {
    const m = part.exec(d);
    if (!m) return null;
    total += Number(m[1]) * durationUnitsMs[m[2] as DurationUnit];
  }
  return Math.round(total);
}

/** Milliseconds in a duration the schema already accepted. */
export function durationMs(d: number | string): number {
  const ms = parseDurationMs(d);
  if (ms === null) throw new Error(`not a duration: ${String(d)} (the schema should have refused it)`);
  return ms;
}

/** A short human form: 90000 -> "1m30s", 250 -> "250ms". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const out: string[] = [];
  for (const [u, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (rest >= size) {
      out.push(`${Math.floor(rest / size)}${u}`);
      rest %= size;
    }
  }
  if (rest > 0) out.push(`${Math.round(rest)}ms`);
  return sign + out.join('');
}
