import { boolFromString, codePointCompare, pyEquals, PyError, pyFloat, pyTypeName, isDict, type Json } from '../python.js';

type OpMethod = (value: Json, operand: string) => boolean;

const numeric = (cmp: (a: number, b: number) => boolean): OpMethod => (value, operand) => cmp(pyFloat(value), pyFloat(operand));

function stringOrder(op: string, cmp: (c: number) => boolean): OpMethod {
  return (value, operand) => {
    if (typeof value !== 'string') throw new PyError('TypeError', `'${op.slice(1)}' not supported between instances of '${pyTypeName(value)}' and 'str'`);
    return cmp(codePointCompare(value, operand));
  };
}

/** extra_specs_ops._op_methods; note `=` means >=. */
export const extraSpecOperators = {
  '=': numeric((a, b) => a >= b),
  '<in>': (value: Json, operand: string) => {
    if (typeof value === 'string') return value.includes(operand);
    if (isDict(value)) return Object.prototype.hasOwnProperty.call(value, operand);
    if (Array.isArray(value)) return value.some((v) => pyEquals(v, operand));
    throw new PyError('TypeError', `argument of type '${pyTypeName(value)}' is not iterable`);
  },
  '<is>': (value: Json, operand: string) => boolFromString(value) === boolFromString(operand),
  '==': numeric((a, b) => a === b),
  '!=': numeric((a, b) => a !== b),
  '>=': numeric((a, b) => a >= b),
  '<=': numeric((a, b) => a <= b),
  's==': (value: Json, operand: string) => value === operand,
  's!=': (value: Json, operand: string) => value !== operand,
  's<': stringOrder('s<', (c) => c < 0),
  's<=': stringOrder('s<=', (c) => c <= 0),
  's>': stringOrder('s>', (c) => c > 0),
  's>=': stringOrder('s>=', (c) => c >= 0),
} as const satisfies Record<string, OpMethod>;

export type ExtraSpecOperator = keyof typeof extraSpecOperators | '<or>';

const PY_SPACE = new Set([...' \t\n\v\f\r\u0085\u00a0\u1680\u2028\u2029\u202f\u205f\u3000'].concat([...Array(11).keys()].map((i) => String.fromCharCode(0x2000 + i)), [0x1c, 0x1d, 0x1e, 0x1f].map((c) => String.fromCharCode(c))));

/** Python's str.split() with no argument: runs of whitespace, no empty words. */
function pySplit(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  for (const ch of s) {
    if (PY_SPACE.has(ch)) {
      if (cur) words.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) words.push(cur);
  return words;
}

/** A requirement string split once: the operator and the words after it. */
export interface CompiledReq {
  req: string;
  op: string | undefined;
  method: OpMethod | undefined;
  words: readonly string[];
}

export function compileReq(req: string): CompiledReq {
  const words = pySplit(req);
  const op = words.shift();
  const method = op !== undefined && Object.prototype.hasOwnProperty.call(extraSpecOperators, op) ? extraSpecOperators[op as keyof typeof extraSpecOperators] : undefined;
  return { req, op, method, words };
}

/**
 * extra_specs_ops.match(value, req).  Returns the answer, or throws PyError
 * where Cinder raises (TypeError from `<in>`/`s<` on the wrong type,
 * IndexError from a bare `<or>`).  ValueError from float() is a plain
 * mismatch, as Cinder catches it.
 */
export function matchExtraSpec(value: Json, req: string): boolean {
  return matchCompiled(value, compileReq(req));
}

export function matchCompiled(value: Json, c: CompiledReq): boolean {
  if (c.op !== '<or>' && !c.method) return typeof value === 'string' && value === c.req;
  if (value === null) return false;
  if (c.op === '<or>') {
    // Take a word as an alternative, drop the next word whatever it is, repeat.
    const words = c.words;
    let i = 0;
    for (;;) {
      if (i >= words.length) throw new PyError('IndexError', 'pop from empty list');
      if (typeof value === 'string' && words[i] === value) return true;
      i += 2;
      if (i >= words.length) break;
    }
    return false;
  }
  const operand = c.words[0];
  if (operand === undefined) return false;
  try {
    return c.method!(value, operand);
  } catch (e) {
    if (e instanceof PyError && e.pyType === 'ValueError') return false;
    throw e;
  }
}
