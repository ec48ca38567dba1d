// Typed failures of the e-graph facade (egg's per-step error enums, one class here).

export type EGraphErrorCode =
  /** an s-expression that does not parse, or exceeds the size limits */
  | 'bad-term'
  /** a rule whose pattern is malformed or whose right side uses a variable the left side lacks */
  | 'bad-rule';

export class EGraphError extends Error {
  override readonly name = 'EGraphError';

  constructor(
    readonly code: EGraphErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}
