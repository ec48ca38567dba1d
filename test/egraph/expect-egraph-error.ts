import { EGraphError, type EGraphErrorCode } from '../../src/egraph/index.ts';
import { expectCodedError } from '../support/expect-error.ts';

/** Asserts `fn` throws an EGraphError with `code` whose message contains `message`. */
export function expectEGraphError(fn: () => unknown, code: EGraphErrorCode, message = ''): EGraphError {
  return expectCodedError(fn, EGraphError, code, message);
}
