/**
 * One definition of how a request ended, used by every count a run shows
 * (outcome.json's summary, per-request records, workload summaries, steps,
 * reports, expectations), for full and lean runs alike:
 *
 *   refused    the API answered with an error (HTTP 4xx/5xx): nothing started;
 *   failed     the API accepted it (202) but what it started ended in error
 *              (a create whose scheduling or driver failed, a snapshot in
 *              `error`, an extend that left `error_extending`, ...);
 *   in_flight  accepted, and still in a transitional status when looked at;
 *   succeeded  accepted, and what it started did not fail.
 */

export type RequestResult = 'succeeded' | 'refused' | 'failed' | 'in_flight';

/** Statuses a resource passes through on its way somewhere. */
export const TRANSITIONAL: ReadonlySet<string> = new Set(['creating', 'deleting', 'extending', 'backing-up', 'restoring-backup', 'restoring', 'attaching', 'detaching', 'retyping', 'downloading', 'uploading', 'reserved']);

/** What a classification reads of the cloud. */
export interface ResultFacts {
  /** Current status of a volume, snapshot, backup or transfer by id ('deleted' once deleted), if it exists. */
  statusOf(id: string): string | undefined;
  /** Whether a volume ever became usable (launched_at set). */
  launched(id: string): boolean;
  /** A volume's type now, by name and by id (a retype names either). */
  volumeTypeOf(id: string): { id: string; name: string } | undefined;
}

/**
 * How one request ended, as far as known now.  `resourceId` is what the
 * request started or acted on (the new volume of a create, the volume of an
 * extend); a request with none succeeded once accepted.  `target` is a
 * retype's new type: a retype the scheduler could not place leaves the
 * volume `available` with its old type, and that is its failure.
 */
export function requestResult(verb: string, accepted: boolean, resourceId: string | null, facts: ResultFacts, target?: string): RequestResult {
  if (!accepted) return 'refused';
  if (resourceId === null) return 'succeeded';
  const status = facts.statusOf(resourceId) ?? 'deleted';
  if (verb === 'create') {
    // A volume that never launched failed, even if it was deleted since.
    if (facts.launched(resourceId)) return 'succeeded';
    return status === 'deleted' || status.startsWith('error') ? 'failed' : 'in_flight';
  }
  if (status.startsWith('error')) return 'failed';
  if (TRANSITIONAL.has(status)) return 'in_flight';
  if (verb === 'retype' && target !== undefined) {
    const now = facts.volumeTypeOf(resourceId);
    if (now !== undefined && now.name !== target && now.id !== target) return 'failed';
  }
  return 'succeeded';
}

/** Requests by how they ended; `requests` is always the sum of the other four. */
export interface ResultCounts {
  requests: number;
  succeeded: number;
  refused: number;
  failed: number;
  in_flight: number;
}

export function emptyCounts(): ResultCounts {
  return { requests: 0, succeeded: 0, refused: 0, failed: 0, in_flight: 0 };
}

export function addResult(c: ResultCounts, r: RequestResult): void {
  c.requests++;
  c[r]++;
}

/** The words every report uses for each result, in the order they are told (how far a request got: refused first, succeeded last). */
export const resultWords: Readonly<Record<RequestResult, string>> = {
  refused: 'refused by the API',
  failed: 'accepted then failed',
  in_flight: 'in flight',
  succeeded: 'succeeded',
};

/** "12 requests: 2 refused by the API, 1 accepted then failed, 0 in flight, 9 succeeded": every result, always, in one order. */
export function describeCounts(c: ResultCounts, noun = 'request'): string {
  const parts = (Object.keys(resultWords) as RequestResult[]).map((r) => `${c[r]} ${resultWords[r]}`);
  return `${c.requests} ${noun}${c.requests === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** The counts of an outcome's summary under `prefix` (`requests_refused`, ... or `creates_refused`, ...). */
export function summaryCounts(s: Record<`${'requests' | 'creates'}${'' | '_succeeded' | '_refused' | '_failed' | '_in_flight'}`, number>, prefix: 'requests' | 'creates'): ResultCounts {
  return { requests: s[prefix], refused: s[`${prefix}_refused`], failed: s[`${prefix}_failed`], in_flight: s[`${prefix}_in_flight`], succeeded: s[`${prefix}_succeeded`] };
}

/** A retype's new type, as the request named it. */
export function retypeTarget(rec: { verb: string; request: Record<string, unknown> }): string | undefined {
  const t = rec.request['volume_type'];
  return rec.verb === 'retype' && typeof t === 'string' ? t : undefined;
}

