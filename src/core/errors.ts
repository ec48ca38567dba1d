// Typed failures of the agent's brain. Every code maps to one HTTP status in one place
// (src/spin/http.ts, shared by the components), so core never speaks HTTP itself.

/** Why a request was refused. */
export type AgentErrorCode =
  /** malformed input that is not an envelope or a Yjs update: a query, a path, a body */
  | 'bad-request'
  /** a wire envelope failed validation (field named in the message) */
  | 'bad-envelope'
  /** Yjs bytes (update or state vector) that cannot be decoded */
  | 'bad-update'
  /** an s-expression term or pattern that does not parse, or is too large */
  | 'bad-term'
  /** an envelope addressed to another agent arrived here */
  | 'wrong-agent'
  /** no such route, agent or key */
  | 'not-found'
  /** a mutating request without the configured bearer token */
  | 'unauthorized'
  /** a body or batch larger than the configured limit */
  | 'too-large'
  /** a body not declared as the JSON it must be */
  | 'unsupported-media-type'
  /** the route exists but not with this method */
  | 'method-not-allowed'
  /** the deployment's configuration (Spin variables) is invalid: the operator's fault, not the caller's */
  | 'bad-config'
  /** the request outlived its lease on a Yjs writer (agent/writers.ts): nothing saved, retry */
  | 'lease-lost';

export class AgentError extends Error {
  override readonly name = 'AgentError';

  constructor(
    readonly code: AgentErrorCode,
    message: string,
    readonly detail?: string,
    /** for a refused batch: the index of every item refused (the rest would have been accepted) */
    readonly refused?: readonly number[],
  ) {
    super(message);
  }
}

/**
 * Runs `check` on every item of a batch and throws one AgentError naming all the refused items
 * (the first one's reason, every index), so a relay can drop exactly those and resend the rest
 * in one more request, instead of bisecting the batch: a flood of bad items then costs two
 * requests per batch, not two per bad item. Other errors propagate at once.
 */
export function checkEach<T, R>(items: readonly T[], check: (item: T, index: number) => R): R[] {
  const results: R[] = [];
  const refused: number[] = [];
  let first: AgentError | undefined;
  items.forEach((item, index) => {
    try {
      results.push(check(item, index));
    } catch (err) {
      if (!(err instanceof AgentError)) throw err;
      refused.push(index);
      first ??= err;
    }
  });
  if (first !== undefined) {
    const more = refused.length > 1 ? ` (and ${refused.length - 1} more of ${items.length} refused)` : '';
    throw new AgentError(first.code, first.message + more, first.detail, refused);
  }
  return results;
}

export { unexpectedCase } from '../shared/unexpected-case.ts';

/** `got <json>`, cut short, for an error's detail. */
export function got(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  } catch {
    // a cycle, or nesting too deep even for String(): say what kind of thing it is
    text = Array.isArray(value) ? 'an array' : typeof value;
  }
  return `got ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}
