/**
 * Cinder's evaluator grammar (cinder/scheduler/evaluator/evaluator.py), built
 * the way pyparsing 3.0's infixNotation builds it: ordered choice, greedy
 * repetition, lookahead, and the same eleven precedence levels in the same
 * order.  Mirroring the construction (rather than writing a textbook
 * precedence parser) keeps pyparsing's quirks: `a and b and c` keeps only
 * `a and b`, a chained ternary keeps only its first three operands, a word
 * before an operand is a function call, `not` binds looser than `+`.
 */

/** A parsed expression node; operators appear as strings inside groups. */
export type Node =
  | { t: 'const'; token: string }
  | { t: 'sign'; sign: string; value: Node }
  | { t: 'add'; items: Item[] }
  | { t: 'mult'; items: Item[] }
  | { t: 'power'; items: Item[] }
  | { t: 'negate'; value: Node }
  | { t: 'compare'; items: Item[] }
  | { t: 'ternary'; items: Item[] }
  | { t: 'function'; name: string; value: Node }
  | { t: 'comma'; items: Item[] }
  | { t: 'and'; items: Item[] }
  | { t: 'or'; items: Item[] };

export type Item = Node | string;
type Tok = Item | Tok[];
type Result = { loc: number; toks: Tok[] } | null;

interface El {
  id: number;
  parse(s: string, loc: number, memo: Map<number, Result>): Result;
}

let nextId = 0;
const WS = /[ \t\n\r]*/y;

function skipWs(s: string, loc: number): number {
  WS.lastIndex = loc;
  WS.exec(s);
  return WS.lastIndex;
}

function memoized(parse: (s: string, loc: number, memo: Map<number, Result>) => Result): El {
  const id = nextId++;
  return {
    id,
    parse(s, loc, memo) {
      const key = loc * 4096 + id;
      if (memo.has(key)) return memo.get(key)!;
      const r = parse(s, loc, memo);
      memo.set(key, r);
      return r;
    },
  };
}

function token(re: RegExp): El {
  const sticky = new RegExp(re.source, 'y');
  return memoized((s, loc) => {
    const at = skipWs(s, loc);
    sticky.lastIndex = at;
    const m = sticky.exec(s);
    return m ? { loc: sticky.lastIndex, toks: [m[0]] } : null;
  });
}

function seq(...els: El[]): El {
  return memoized((s, loc, memo) => {
    const toks: Tok[] = [];
    let at = loc;
    for (const el of els) {
      const r = el.parse(s, at, memo);
      if (!r) return null;
      at = r.loc;
      toks.push(...r.toks);
    }
    return { loc: at, toks };
  });
}

function alt(...els: El[]): El {
  return memoized((s, loc, memo) => {
    for (const el of els) {
      const r = el.parse(s, loc, memo);
      if (r) return r;
    }
    return null;
  });
}

function opt(el: El): El {
  return memoized((s, loc, memo) => el.parse(s, loc, memo) ?? { loc, toks: [] });
}

function oneOrMore(el: El): El {
  return memoized((s, loc, memo) => {
    let r = el.parse(s, loc, memo);
    if (!r) return null;
    const toks = [...r.toks];
    let at = r.loc;
    for (;;) {
      r = el.parse(s, at, memo);
      if (!r || r.loc === at) break;
      toks.push(...r.toks);
      at = r.loc;
    }
    return { loc: at, toks };
  });
}

function followedBy(el: El): El {
  return memoized((s, loc, memo) => (el.parse(s, loc, memo) ? { loc, toks: [] } : null));
}

function groupAction(el: El, make: (group: Item[]) => Node): El {
  return memoized((s, loc, memo) => {
    const r = el.parse(s, loc, memo);
    return r ? { loc: r.loc, toks: [make(r.toks as Item[])] } : null;
  });
}

function suppress(el: El): El {
  return memoized((s, loc, memo) => {
    const r = el.parse(s, loc, memo);
    return r ? { loc: r.loc, toks: [] } : null;
  });
}

function forward(): El & { set(el: El): void } {
  let target: El | null = null;
  const f = memoized((s, loc, memo) => target!.parse(s, loc, memo));
  return Object.assign(f, { set: (el: El) => (target = el) });
}

type Level = { op: El | [El, El]; arity: 1 | 2 | 3; assoc: 'left' | 'right'; make: (group: Item[]) => Node };

/** pyparsing quotedString: Combine(Regex(body) + quote); the body regex does not give back. */
function quotedString(): El {
  const bodies = [/"(?:[^"\n\r\\]|""|\\(?:[^x]|x[0-9a-fA-F]+))*/y, /'(?:[^'\n\r\\]|''|\\(?:[^x]|x[0-9a-fA-F]+))*/y];
  return memoized((s, loc) => {
    const at = skipWs(s, loc);
    for (const body of bodies) {
      body.lastIndex = at;
      const m = body.exec(s);
      if (m && s[body.lastIndex] === m[0][0]) return { loc: body.lastIndex + 1, toks: [m[0] + m[0][0]] };
    }
    return null;
  });
}

const integer = token(/[0-9]+/);
const real = token(/[0-9]+\.[0-9]+/);
const word = token(/[A-Za-z_.]+/);
const quoted = quotedString();
const number = alt(real, integer);
const operandRaw = alt(number, word, word, quoted);
const operand = memoized((s, loc, memo) => {
  const r = operandRaw.parse(s, loc, memo);
  return r ? { loc: r.loc, toks: [{ t: 'const', token: r.toks[0] as string } satisfies Node] } : null;
});
const lit = (text: string): El => token(new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
const oneOf = (words: string[]): El => token(new RegExp([...words].sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')));

const item = (g: Item[], i: number): Node => g[i] as Node;
const levels: Level[] = [
  { op: word, arity: 1, assoc: 'right', make: (g) => ({ t: 'function', name: g[0] as string, value: item(g, 1) }) },
  { op: lit('^'), arity: 2, assoc: 'right', make: (g) => ({ t: 'power', items: g }) },
  { op: oneOf(['+', '-']), arity: 1, assoc: 'right', make: (g) => ({ t: 'sign', sign: g[0] as string, value: item(g, 1) }) },
  { op: oneOf(['*', '/']), arity: 2, assoc: 'left', make: (g) => ({ t: 'mult', items: g }) },
  { op: oneOf(['+', '-']), arity: 2, assoc: 'left', make: (g) => ({ t: 'add', items: g }) },
  { op: oneOf(['NOT', 'not', '!']), arity: 1, assoc: 'right', make: (g) => ({ t: 'negate', value: item(g, 1) }) },
  { op: oneOf(['<', '<=', '>', '>=', '!=', '==', '<>']), arity: 2, assoc: 'left', make: (g) => ({ t: 'compare', items: g }) },
  { op: [lit('?'), lit(':')], arity: 3, assoc: 'left', make: (g) => ({ t: 'ternary', items: g }) },
  { op: oneOf(['AND', 'and', '&&']), arity: 2, assoc: 'left', make: (g) => ({ t: 'and', items: g }) },
  { op: oneOf(['OR', 'or', '||']), arity: 2, assoc: 'left', make: (g) => ({ t: 'or', items: g }) },
  { op: lit(','), arity: 2, assoc: 'right', make: (g) => ({ t: 'comma', items: g }) },
];

function build(): El {
  const ret = forward();
  let last: El = alt(operand, seq(suppress(lit('(')), ret, suppress(lit(')'))));
  for (const lv of levels) {
    const self = forward();
    let match: El;
    if (lv.arity === 3) {
      const [op1, op2] = lv.op as [El, El];
      match = seq(followedBy(seq(last, op1, last, op2, last)), groupAction(seq(last, oneOrMore(seq(op1, last, op2, last))), lv.make));
    } else if (lv.arity === 1) {
      const op = lv.op as El;
      match = seq(followedBy(seq(op, self)), groupAction(seq(opt(op), self), lv.make));
    } else if (lv.assoc === 'left') {
      const op = lv.op as El;
      match = seq(followedBy(seq(last, op, last)), groupAction(seq(last, oneOrMore(seq(op, last))), lv.make));
    } else {
      const op = lv.op as El;
      match = seq(followedBy(seq(last, op, self)), groupAction(seq(last, oneOrMore(seq(op, self))), lv.make));
    }
    self.set(alt(match, last));
    last = self;
  }
  ret.set(last);
  return ret;
}

const expression = build();

/** A parse failure: Cinder raises EvaluatorParseException("ParseException: ..."). */
export class EvaluatorParseError extends Error {}

/** Parse a whole expression (pyparsing parseString with parseAll=True). */
export function parseExpression(text: string): Node {
  const memo = new Map<number, Result>();
  const r = expression.parse(text, 0, memo);
  if (!r || skipWs(text, r.loc) !== text.length) {
    throw new EvaluatorParseError(`ParseException: could not parse ${JSON.stringify(text)} at char ${r ? skipWs(text, r.loc) : 0}`);
  }
  return r.toks[0] as Node;
}
