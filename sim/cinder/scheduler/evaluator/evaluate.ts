import { isDict, pyCompare, pyEquals, PyError, pyFloat, pyInt, pyTruthy, pyTypeName, type Json } from '../python.js';
import { EvaluatorParseError, parseExpression, type Item, type Node } from './grammar.js';

/** The dicts an expression may name: `stats.x`, `capabilities.x`, `volume.x`, `qos.x`, `extra.x`. */
export interface EvaluatorVars {
  extra: Json;
  stats: Json;
  capabilities: Json;
  volume: Json;
  qos: Json;
}

const parsed = new Map<string, Node | EvaluatorParseError>();

function parseCached(text: string): Node {
  let n = parsed.get(text);
  if (n === undefined) {
    try {
      n = parseExpression(text);
    } catch (e) {
      if (!(e instanceof EvaluatorParseError)) throw e;
      n = e;
    }
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(text, n);
  }
  if (n instanceof EvaluatorParseError) throw n;
  return n;
}

/**
 * evaluator.evaluate(expression, **vars).  Throws EvaluatorParseError or
 * PyError where Cinder raises; DriverFilter and GoodnessWeigher catch both.
 */
export function evaluate(text: string, vars: EvaluatorVars): Json {
  return ev(parseCached(text), vars);
}

const VAR_RE = /^[a-zA-Z_]+\.[a-zA-Z_]+$/;

function constant(token: string, vars: EvaluatorVars): Json {
  let result: Json = token;
  if (VAR_RE.test(token)) {
    const [which, entry] = token.split('.') as [string, string];
    const dict = (vars as unknown as Record<string, Json | undefined>)[which];
    if (dict === undefined) throw new EvaluatorParseError('KeyError evaluating string');
    if (!isDict(dict)) throw new EvaluatorParseError('TypeError evaluating string');
    if (!Object.prototype.hasOwnProperty.call(dict, entry)) throw new EvaluatorParseError('KeyError evaluating string');
    result = dict[entry]!;
  }
  try {
    return pyInt(result);
  } catch (e) {
    if (!(e instanceof PyError) || e.pyType !== 'ValueError') throw e;
  }
  try {
    return pyFloat(result);
  } catch (e) {
    if (!(e instanceof PyError) || e.pyType !== 'ValueError') throw e;
  }
  return typeof result === 'string' ? result.replace(/["']/g, '') : result;
}

function num(v: Json): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

function typeError(op: string, a: Json, b: Json): PyError {
  return new PyError('TypeError', `unsupported operand type(s) for ${op}: '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

function repeat(seq: string | Json[], times: number): Json {
  if (typeof seq === 'string') return times > 0 ? seq.repeat(times) : '';
  const out: Json[] = [];
  for (let i = 0; i < times; i++) out.push(...seq);
  return out;
}

function add(a: Json, b: Json): Json {
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined) return x + y;
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  throw typeError('+', a, b);
}

function sub(a: Json, b: Json): Json {
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined) return x - y;
  throw typeError('-', a, b);
}

function isIntLike(v: Json): boolean {
  return typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v));
}

function mul(a: Json, b: Json): Json {
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined) return x * y;
  if ((typeof a === 'string' || Array.isArray(a)) && isIntLike(b)) return repeat(a, num(b)!);
  if ((typeof b === 'string' || Array.isArray(b)) && isIntLike(a)) return repeat(b, num(a)!);
  throw typeError('*', a, b);
}

function div(a: Json, b: Json): Json {
  const y = pyFloat(b);
  const x = num(a);
  if (x === undefined) throw typeError('/=', a, y);
  if (y === 0) throw new EvaluatorParseError('ZeroDivisionError: float division by zero');
  return x / y;
}

function power(a: Json, b: Json): Json {
  const x = num(a);
  const y = num(b);
  if (x === undefined || y === undefined) throw typeError('** or pow()', a, b);
  if (x === 0 && y < 0) throw new PyError('ZeroDivisionError', '0.0 cannot be raised to a negative power');
  const r = x ** y;
  if (x < 0 && !Number.isInteger(y)) throw new PyError('TypeError', 'complex result of a negative number raised to a fractional power');
  return r;
}

function iterate(v: Json): Json[] {
  if (typeof v === 'string') return [...v];
  if (Array.isArray(v)) return v;
  if (isDict(v)) return Object.keys(v);
  throw new PyError('TypeError', `'${pyTypeName(v)}' object is not iterable`);
}

function extreme(args: Json[], name: 'max' | 'min'): Json {
  const items = args.length === 1 ? iterate(args[0]!) : args;
  if (items.length === 0) throw new PyError('ValueError', `${name}() arg is an empty sequence`);
  let best: Json = items[0]!;
  for (const v of items.slice(1)) if (pyCompare(v, best, name === 'max' ? '>' : '<')) best = v;
  return best;
}

const functions: Record<string, (args: Json[]) => Json> = {
  abs(args) {
    if (args.length !== 1) throw new PyError('TypeError', `abs() takes exactly one argument (${args.length} given)`);
    const x = num(args[0]!);
    if (x === undefined) throw new PyError('TypeError', `bad operand type for abs(): '${pyTypeName(args[0])}'`);
    return Math.abs(x);
  },
  max: (args) => extreme(args, 'max'),
  min: (args) => extreme(args, 'min'),
};

function pairs(items: Item[], vars: EvaluatorVars, step: (acc: Json, op: string, next: () => Json) => Json): Json {
  let acc = ev(items[0] as Node, vars);
  for (let i = 1; i + 1 < items.length; i += 2) {
    const n = items[i + 1] as Node;
    acc = step(acc, items[i] as string, () => ev(n, vars));
  }
  return acc;
}

function ev(n: Node, vars: EvaluatorVars): Json {
  switch (n.t) {
    case 'const':
      return constant(n.token, vars);
    case 'sign':
      return mul(n.sign === '-' ? -1 : 1, ev(n.value, vars));
    case 'add':
      return pairs(n.items, vars, (acc, op, next) => (op === '+' ? add(acc, next()) : sub(acc, next())));
    case 'mult':
      return pairs(n.items, vars, (acc, op, next) => (op === '*' ? mul(acc, next()) : div(acc, next())));
    case 'power':
      return pairs(n.items, vars, (acc, _op, next) => power(acc, next()));
    case 'negate':
      return !pyTruthy(ev(n.value, vars));
    case 'compare': {
      let left = ev(n.items[0] as Node, vars);
      for (let i = 1; i + 1 < n.items.length; i += 2) {
        const right = ev(n.items[i + 1] as Node, vars);
        if (!compare(left, n.items[i] as string, right)) return false;
        left = right;
      }
      return true;
    }
    case 'ternary':
      return pyTruthy(ev(n.items[0] as Node, vars)) ? ev(n.items[2] as Node, vars) : ev(n.items[4] as Node, vars);
    case 'function': {
      const fn = functions[n.name];
      const args = ev(n.value, vars);
      if (!fn || !Object.prototype.hasOwnProperty.call(functions, n.name)) throw new PyError('KeyError', `'${n.name}'`);
      return Array.isArray(args) ? fn(args) : fn([args]);
    }
    case 'comma': {
      const a = ev(n.items[0] as Node, vars);
      const b = ev(n.items[2] as Node, vars);
      return Array.isArray(b) ? [a, ...b] : [a, b];
    }
    case 'and': {
      const a = ev(n.items[0] as Node, vars);
      const b = ev(n.items[2] as Node, vars);
      return pyTruthy(a) ? b : a;
    }
    case 'or': {
      const a = ev(n.items[0] as Node, vars);
      const b = ev(n.items[2] as Node, vars);
      return pyTruthy(a) ? a : b;
    }
  }
}

function compare(a: Json, op: string, b: Json): boolean {
  switch (op) {
    case '==':
      return pyEquals(a, b);
    case '!=':
    case '<>':
      return !pyEquals(a, b);
    case '<':
    case '<=':
    case '>':
    case '>=':
      if (Array.isArray(a) && Array.isArray(b)) return listCompare(a, b, op);
      return pyCompare(a, b, op);
    default:
      throw new PyError('KeyError', `'${op}'`);
  }
}

function listCompare(a: Json[], b: Json[], op: '<' | '<=' | '>' | '>='): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (!pyEquals(a[i], b[i])) return pyCompare(a[i], b[i], op);
  }
  const c = a.length - b.length;
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

