import { describe, expect, it } from 'vitest';
import { secretEquals } from '../../src/core/index.ts';

describe('secretEquals', () => {
  it.each([
    ['Bearer s3cret', 'Bearer s3cret', true],
    ['Bearer s3creT', 'Bearer s3cret', false],
    ['Bearer s3cre', 'Bearer s3cret', false],
    ['Bearer s3crett', 'Bearer s3cret', false],
    ['', 'Bearer s3cret', false],
    ['Bearer s3cretBearer s3cret', 'Bearer s3cret', false],
    ['Bearer é', 'Bearer é', true],
  ])('%j vs %j → %s', (given, secret, equal) => expect(secretEquals(given, secret)).toBe(equal));
});
