// The rule families, as data: each colour of agent applies one family's rewrites (and GREEN folds
// constants); the network together applies them all. Everything colour-shaped derives from this
// list: the colours, the topology's colouring (one colour per family), the rule a union's
// provenance belongs to, and the dashboard's legend (sent by /api/topology). A fourth family is
// one file of rules and one entry here.
import type { RuleSpec } from '../../egraph/index.ts';
import { BLUE_RULES } from './blue.ts';
import { GREEN_RULES } from './green.ts';
import { RED_RULES } from './red.ts';

export interface RuleFamily {
  readonly colour: string;
  readonly rules: readonly RuleSpec[];
  /** whether agents of this colour also run constant folding (an analysis, provenance `const-fold`) */
  readonly foldsConstants: boolean;
  /** how the dashboard draws its agents */
  readonly fill: string;
}

export const RULE_FAMILIES = [
  { colour: 'RED', rules: RED_RULES, foldsConstants: false, fill: '#e5484d' },
  { colour: 'BLUE', rules: BLUE_RULES, foldsConstants: false, fill: '#3e63dd' },
  { colour: 'GREEN', rules: GREEN_RULES, foldsConstants: true, fill: '#30a46c' },
] as const satisfies readonly RuleFamily[];

export type Colour = (typeof RULE_FAMILIES)[number]['colour'];
export const COLOURS: readonly Colour[] = RULE_FAMILIES.map((f) => f.colour);

export function familyOf(colour: Colour): RuleFamily {
  return RULE_FAMILIES.find((f) => f.colour === colour)!;
}
