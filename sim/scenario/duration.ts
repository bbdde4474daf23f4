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

/**
 * THE way cinder-sim prints a virtual time or duration, in every report,
 * expectation detail, output line and error message: the largest unit
 * unpadded, every smaller one in fixed fields down to seconds, milliseconds
 * only when there are some.  Unambiguous (no bare number, no "m" that
 * could be months), aligned in columns once the leading unit is the same,
 * and a valid scenario duration again (parseDurationMs reads it back):
 *
 *   0 -> "0s", 250 -> "0.250s", 59001 -> "59.001s", 90000 -> "1m30s",
 *   300001 -> "5m00.001s", 3723500 -> "1h02m03.500s", 123000000 -> "1d10h10m00s".
 *
 * Fractions of a millisecond are rounded; a negative duration (a clock
 * running behind) is the same with a leading "-".
 */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.round(Math.abs(ms));
  const msPart = rest % 1000;
  rest = (rest - msPart) / 1000;
  const fields: [number, string][] = [];
  for (const [size, unit] of [[86_400, 'd'], [3_600, 'h'], [60, 'm']] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || fields.length > 0) fields.push([n, unit]);
  }
  fields.push([rest, 's']);
  const frac = msPart ? `.${String(msPart).padStart(3, '0')}` : '';
  const text = fields.map(([n, unit], i) => `${i === 0 ? String(n) : String(n).padStart(2, '0')}${unit}`).join('');
  return sign + text.slice(0, -1) + frac + 's';
}
