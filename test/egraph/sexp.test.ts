// S-expressions as egg writes them; HTTP input, so every bad term is a typed, located error.
import { describe, expect, it } from 'vitest';
import { MAX_TERM_DEPTH, MAX_TERM_LENGTH, parsePattern, parseTerm, printTerm } from '../../src/egraph/index.ts';
import { expectEGraphError } from './expect-egraph-error.ts';

describe('parseTerm / printTerm', () => {
  it.each([
    ['x', 'x'],
    ['14', '14'],
    ['-1', '-1'],
    ['4.5', '4.5'],
    ['4.0', '4'],
    ['-0', '0'],
    ['(* (+ x 0) 2)', '(* (+ x 0) 2)'],
    ['  ( *\n(+ x 0.0)\t2 ) ', '(* (+ x 0) 2)'],
    ['(d x (pow x 3))', '(d x (pow x 3))'],
    ['(-> x y)', '(-> x y)'],
  ])('%j prints as %j', (text, printed) => {
    expect(printTerm(parseTerm(text))).toBe(printed);
  });

  it('builds the tree', () => {
    expect(parseTerm('(+ x (* 2 y))')).toEqual({
      op: '+',
      children: [
        { op: 'x', children: [] },
        { op: '*', children: [{ op: '2', children: [] }, { op: 'y', children: [] }] },
      ],
    });
  });

  it.each([
    ['', 'expected a term at the end'],
    ['(', 'expected an operator after "(" at the end'],
    ['()', 'expected an operator after "(" at 1'],
    ['(+ x', 'expected ")" at the end'],
    ['(+ x))', 'expected the end of the term at 5'],
    [')', 'expected a term at 0'],
    ['x y', 'expected the end of the term at 2'],
    ['(+)', 'expected at least one argument at 2'],
    ['(? x)', 'expected an operator symbol at 1'],
    ['(2 x)', 'expected an operator symbol'],
    ['(+ ?a 1)', 'not a pattern variable'],
    ['(+ x 1e999)', 'expected a finite number at 5'],
  ])('rejects %j: %s', (text, message) => {
    expectEGraphError(() => parseTerm(text), 'bad-term', message);
  });

  it('bounds length and depth, so HTTP input cannot hang or overflow the stack', () => {
    expectEGraphError(() => parseTerm(`(+ ${'x '.repeat(MAX_TERM_LENGTH)})`), 'bad-term', `longer than ${MAX_TERM_LENGTH}`);
    const nested = (n: number) => `${'(f '.repeat(n)}x${')'.repeat(n)}`;
    expect(printTerm(parseTerm(nested(MAX_TERM_DEPTH)))).toBe(nested(MAX_TERM_DEPTH));
    expectEGraphError(() => parseTerm(nested(MAX_TERM_DEPTH + 1)), 'bad-term', `at most ${MAX_TERM_DEPTH} levels`);
  });
});

describe('parsePattern', () => {
  it('accepts ?variables', () => {
    expect(printTerm(parsePattern('(+ ?a (* ?b 0))'))).toBe('(+ ?a (* ?b 0))');
    expect(parsePattern('?a')).toEqual({ op: '?a', children: [] });
  });

  it('rejects a variable as operator', () => {
    expectEGraphError(() => parsePattern('(?f x)'), 'bad-term', 'expected an operator symbol');
  });
});
