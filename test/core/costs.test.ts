// The agents' extraction costs and the `?cost=` parameter that picks one.
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXTRACTION_COST, EXTRACTION_COSTS, parseExtractionCost } from '../../src/core/index.ts';
import { expectAgentError } from './expect-error.ts';

describe('extraction costs', () => {
  it('price a multiply or a divide above a shift or an add by default', () => {
    const ops = EXTRACTION_COSTS[DEFAULT_EXTRACTION_COST];
    expect(ops('*')).toBeGreaterThan(ops('<<'));
    expect(ops('/')).toBeGreaterThan(ops('+'));
    expect(['*', '<<', 'x'].map(EXTRACTION_COSTS['ast-size'])).toEqual([1, 1, 1]);
  });

  it('parse ?cost=, absent meaning the default, anything else a bad request', () => {
    expect(parseExtractionCost(null)).toBe('ops');
    expect(parseExtractionCost('ast-size')).toBe('ast-size');
    expectAgentError(() => parseExtractionCost('toString'), 'bad-request', 'cost must be one of ops, ast-size');
  });
});
