import type { JsonObject } from './generate.js';

/** Hand-written cases on the rules' edges (scheduler-semantics.md section numbers in the ids). */
export const edgeCases: JsonObject[] = [];
