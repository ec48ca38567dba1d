import { expect } from 'vitest';

/** Asserts `fn` throws an instance of `type` with `code` whose message contains `message`. */
export function expectCodedError<E extends Error & { code: string }>(
  fn: () => unknown,
  type: abstract new (...args: never[]) => E,
  code: E['code'],
  message = '',
): E {
  let caught: unknown = null;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(type);
  const err = caught as E;
  expect({ code: err.code, message: err.message }).toEqual({ code, message: expect.stringContaining(message) });
  return err;
}
