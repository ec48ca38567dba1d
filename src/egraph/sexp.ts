// S-expressions as egg writes them: `(* (+ x 0) 2)`. Atoms are symbols or numbers; `?a` is a
// pattern variable (accepted only when parsing patterns). Input may come from HTTP, so size and
// depth are bounded and every error says where and what was expected.
import { EGraphError } from './errors.ts';

export interface Term {
  op: string;
  children: Term[];
}

/** Longest term text accepted, in characters. */
export const MAX_TERM_LENGTH = 4_096;
/** Deepest nesting accepted. */
export const MAX_TERM_DEPTH = 64;

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const ATOM = /^[^\s()?][^\s()]*$/;
const VARIABLE = /^\?[A-Za-z_][A-Za-z0-9_-]*$/;

export function isNumber(op: string): boolean {
  return NUMBER.test(op);
}

export function isVariable(op: string): boolean {
  return VARIABLE.test(op);
}

/** A number's canonical spelling, as egg prints a `NotNan<f64>`: `4.0` → `4`. */
function canonicalAtom(atom: string): string {
  return isNumber(atom) ? String(Number(atom)) : atom;
}

export function parseTerm(text: string): Term {
  return parse(text, false);
}

export function parsePattern(text: string): Term {
  return parse(text, true);
}

function parse(text: string, allowVariables: boolean): Term {
  if (text.length > MAX_TERM_LENGTH) {
    throw new EGraphError('bad-term', `term is longer than ${MAX_TERM_LENGTH} characters`, `got ${text.length}`);
  }
  const tokens = [...text.matchAll(/\(|\)|[^\s()]+/g)];
  let at = 0;
  const fail = (what: string, index = at): never => {
    const token = tokens[index];
    const where = token === undefined ? 'at the end' : `at ${token.index} ("${token[0]}")`;
    throw new EGraphError('bad-term', `expected ${what} ${where}`, text.length > 80 ? `${text.slice(0, 77)}...` : text);
  };
  /** The atom at token `index`. */
  const atom = (token: string, index: number): Term => {
    if (isVariable(token)) {
      if (!allowVariables) fail('a symbol or number, not a pattern variable,', index);
      return { op: token, children: [] };
    }
    if (!ATOM.test(token)) fail('a symbol or number', index);
    // `1e999` would print as `Infinity`, a symbol: a different term from the one written.
    if (isNumber(token) && !Number.isFinite(Number(token))) fail('a finite number', index);
    return { op: canonicalAtom(token), children: [] };
  };
  const expr = (depth: number): Term => {
    if (depth > MAX_TERM_DEPTH) fail(`at most ${MAX_TERM_DEPTH} levels of nesting`);
    const token = tokens[at]?.[0];
    if (token === undefined) return fail('a term');
    if (token === ')') return fail('a term');
    at++;
    if (token !== '(') return atom(token, at - 1);
    const head = tokens[at]?.[0];
    if (head === undefined || head === '(' || head === ')') return fail('an operator after "("');
    if (!ATOM.test(head) || isNumber(head)) fail('an operator symbol');
    at++;
    const children: Term[] = [];
    while (tokens[at]?.[0] !== ')') {
      if (tokens[at] === undefined) fail('")"');
      children.push(expr(depth + 1));
    }
    at++;
    if (children.length === 0) fail('at least one argument', at - 1);
    return { op: head, children };
  };
  const term = expr(0);
  if (at !== tokens.length) fail('the end of the term');
  return term;
}

export function printTerm(term: Term): string {
  return term.children.length === 0 ? term.op : `(${term.op} ${term.children.map(printTerm).join(' ')})`;
}
