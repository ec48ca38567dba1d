// How agents price a term when they extract the best one. `ops` is the default: egg's AST size,
// except that a multiply or a divide costs two, as on hardware, so that BLUE's strength reduction
// (* x 2) → (<< x 1) pays off. `ast-size` is egg's AstSize as is.
import { AST_SIZE, type OpCost } from '../egraph/index.ts';
import { AgentError, got } from './errors.ts';

const EXPENSIVE_OPS = new Set(['*', '/']);

export const EXTRACTION_COSTS = {
  ops: (op: string) => (EXPENSIVE_OPS.has(op) ? 2 : 1),
  'ast-size': AST_SIZE,
} as const satisfies Record<string, OpCost>;

export type ExtractionCost = keyof typeof EXTRACTION_COSTS;

export const DEFAULT_EXTRACTION_COST: ExtractionCost = 'ops';

/** `?cost=` of a request (absent: the default); anything else is a `bad-request`. */
export function parseExtractionCost(text: string | null): ExtractionCost {
  if (text === null) return DEFAULT_EXTRACTION_COST;
  if (Object.hasOwn(EXTRACTION_COSTS, text)) return text as ExtractionCost;
  throw new AgentError('bad-request', `cost must be one of ${Object.keys(EXTRACTION_COSTS).join(', ')}`, got(text));
}
