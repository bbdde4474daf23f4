import type { Distribution, PointSummary, SweepResult } from '../sim/scenario/sweep/model.js';

/**
 * Which grid point buys the most time: for each availability zone and each
 * volume type, the points ordered by the median time to the first "No
 * valid backend" there (later first; a median run that never ran out is
 * best), ties by the median share of creates that succeeded (more first),
 * then by point order.  A zone or type where every point gives the same
 * median is reported once as the same for all.
 */

export interface RankedPoint {
  point: PointSummary;
  /** Median virtual ms of the first "No valid backend"; null: the median run never ran out. */
  p50: number | null;
  /** Median share of creates that succeeded (null: no creates). */
  success: number | null;
}

export interface Ranking {
  /** `AZ <zone>` or `type <name>`. */
  subject: string;
  points: RankedPoint[];
  /** Every point has the same median here (the ranking then says nothing). */
  allEqual: boolean;
}

const later = (a: number | null, b: number | null): number => (a === b ? 0 : a === null ? -1 : b === null ? 1 : b - a);
const more = (a: number | null, b: number | null): number => (a === b ? 0 : a === null ? 1 : b === null ? -1 : b - a);

function rank(subject: string, points: readonly PointSummary[], pick: (p: PointSummary) => Distribution | undefined): Ranking | null {
  const rows: RankedPoint[] = [];
  for (const point of points) {
    const d = pick(point);
    if (d === undefined || d.n === 0) continue;
    rows.push({ point, p50: d.p50, success: point.success_rate.p50 });
  }
  if (rows.length < 2) return null;
  rows.sort((a, b) => later(a.p50, b.p50) || more(a.success, b.success) || a.point.index - b.point.index);
  return { subject, points: rows, allEqual: rows.every((r) => r.p50 === rows[0]!.p50) };
}

/** One ranking per zone, then per volume type (names sorted); none for a sweep of one point. */
export function sweepRankings(r: SweepResult): Ranking[] {
  if (r.points.length < 2) return [];
  const keys = (pick: (p: PointSummary) => Record<string, Distribution>): string[] => [...new Set(r.points.flatMap((p) => Object.keys(pick(p))))].sort();
  const out: (Ranking | null)[] = [
    ...keys((p) => p.first_no_valid_backend.by_az).map((k) => rank(`AZ ${k}`, r.points, (p) => p.first_no_valid_backend.by_az[k])),
    ...keys((p) => p.first_no_valid_backend.by_type).map((k) => rank(`type ${k}`, r.points, (p) => p.first_no_valid_backend.by_type[k])),
  ];
  return out.filter((x): x is Ranking => x !== null);
}
