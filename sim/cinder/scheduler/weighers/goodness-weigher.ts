import { evaluate } from '../evaluator/evaluate.js';
import { evaluatorVarSets } from '../evaluator/stats.js';
import type { PoolState } from '../host-manager.js';
import { pyCompare, PyError, pyStr, type Json } from '../python.js';
import type { BackendWeigher, FilterContext } from '../types.js';
import { weighEach } from './base.js';

/** One variant's goodness: a bool is 0/100, a number in [0, 100] itself, anything out of range 0. */
function rating(func: string | null, vars: Parameters<typeof evaluate>[1], pool: PoolState): Json {
  if (func === null) return 0;
  let result: Json;
  try {
    result = evaluate(func, vars);
  } catch {
    return 0;
  }
  if (typeof result === 'boolean') return result ? 100 : 0;
  // Outside Cinder's try block: a non-numeric result crashes the scheduler with TypeError.
  try {
    if (pyCompare(result, 0, '<') || pyCompare(result, 100, '>')) return 0;
  } catch (e) {
    if (e instanceof PyError) throw new PyError('TypeError', `GoodnessWeigher on pool ${pool.host}: goodness_function ${JSON.stringify(func)} gave ${JSON.stringify(result)}, which Cinder compares with 0 and 100: ${e.message}`);
    throw e;
  }
  return result;
}

export function goodnessOf(pool: PoolState, ctx: FilterContext): number {
  const raw = pool.capabilities['goodness_function'];
  const func = raw === undefined || raw === null ? null : pyStr(raw);
  let best: Json = null;
  for (const vars of evaluatorVarSets(pool, ctx.props, func ?? '', false)) {
    const r = rating(func, vars, pool);
    if (best === null || pyCompare(r, best, '>')) best = r;
  }
  return typeof best === 'number' ? best : best === true ? 1 : 0;
}

/** Weighs pools by the driver-reported goodness_function (0 poor .. 100 perfect). */
export const GoodnessWeigher: BackendWeigher = {
  describe: 'goodness_function reported by the driver, 0..100',
  multiplier: () => 1.0,
  weigh: (pools, ctx) => weighEach(pools, (p) => goodnessOf(p, ctx)),
};

