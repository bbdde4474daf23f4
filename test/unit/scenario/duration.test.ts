import { describe, expect, it } from 'vitest';
import { formatDuration, parseDurationMs } from '../../../sim/scenario/duration.js';

describe('formatDuration: the one time format', () => {
  it.each([
    [0, '0s'],
    [250, '0.250s'],
    [1_000, '1s'],
    [59_001, '59.001s'],
    [60_000, '1m00s'],
    [90_000, '1m30s'],
    [300_001, '5m00.001s'],
    [3_540_001, '59m00.001s'],
    [3_723_500, '1h02m03.500s'],
    [86_400_000, '1d00h00m00s'],
    [123_000_000, '1d10h10m00s'],
    [31_536_000_000, '365d00h00m00s'],
    [-90_000, '-1m30s'],
    [1.6, '0.002s'],
  ])('%d ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([0, 1, 999, 61_001, 3_599_999, 90_061_001, 31_536_000_000])('reads back as a scenario duration: %d ms', (ms) => {
    expect(parseDurationMs(formatDuration(ms))).toBe(ms);
  });
});
