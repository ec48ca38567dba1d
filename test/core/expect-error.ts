import { expect } from 'vitest';
import { AgentError, type AgentErrorCode } from '../../src/core/index.ts';

/** Asserts `fn` throws an AgentError with `code` whose message contains `message`. */
export function expectAgentError(fn: () => unknown, code: AgentErrorCode, message = ''): AgentError {
  let caught: unknown = null;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AgentError);
  const err = caught as AgentError;
  expect({ code: err.code, message: err.message }).toEqual({ code, message: expect.stringContaining(message) });
  return err;
}
