import { AgentError, type AgentErrorCode } from '../../src/core/index.ts';
import { expectCodedError } from '../support/expect-error.ts';

/** Asserts `fn` throws an AgentError with `code` whose message contains `message`. */
export function expectAgentError(fn: () => unknown, code: AgentErrorCode, message = ''): AgentError {
  return expectCodedError(fn, AgentError, code, message);
}
