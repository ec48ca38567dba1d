import { expect } from 'vitest';
import { EGraphError, type EGraphErrorCode } from '../../src/egraph/index.ts';

/** Asserts `fn` throws an EGraphError with `code` whose message contains `message`. */
export function expectEGraphError(fn: () => unknown, code: EGraphErrorCode, message = ''): EGraphError {
  let caught: unknown = null;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(EGraphError);
  const err = caught as EGraphError;
  expect({ code: err.code, message: err.message }).toEqual({ code, message: expect.stringContaining(message) });
  return err;
}
