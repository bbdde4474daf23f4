import type { JsonObject, JsonValue } from './generate.js';

/**
 * Disagreements with the real Cinder that are understood and reported but
 * not yet fixed in sim/cinder/scheduler.  Each entry explains one request's
 * result pair; a case passes when its results are equal or an entry explains
 * every differing pair.  cinder-diff.test.ts also checks that each entry
 * still explains something, so a fix makes its entry fail: then delete it.
 */

type Result = Record<string, JsonValue>;

export interface KnownDisagreement {
  name: string;
  /** 'our bug': cinder-sim is wrong; 'cinder quirk': Cinder crashes or misbehaves and we chose to differ. */
  kind: 'our bug' | 'cinder quirk';
  why: string;
  explains(cinder: Result, ours: Result, at: { case: JsonObject; index: number }): boolean;
}

export const knownDisagreements: KnownDisagreement[] = [];
