import { evaluate } from '../evaluator/evaluate.js';
import { evaluatorVarSets } from '../evaluator/stats.js';
import { pyStr, pyTruthy } from '../python.js';
import { PASS, type BackendFilter } from '../types.js';

/** Keep pools whose driver-reported filter_function evaluates true (any protocol variant). */
export const DriverFilter: BackendFilter = {
  describe: "keep pools whose reported filter_function is true for this volume",
  backendPasses(pool, ctx) {
    const caps = pool.capabilities;
    const raw = caps['filter_function'];
    if (raw === undefined || raw === null) return PASS;
    const func = pyStr(raw);
    const errors: string[] = [];
    for (const vars of evaluatorVarSets(pool, ctx.props, func, true)) {
      try {
        if (pyTruthy(evaluate(func, vars))) return PASS;
      } catch (e) {
        errors.push(e instanceof Error ? e.message : String(e));
      }
    }
    return errors.length > 0
      ? { pass: false, reason: 'filter_function_error', filterFunction: func, error: errors[0]! }
      : { pass: false, reason: 'filter_function_false', filterFunction: func };
  },
};
