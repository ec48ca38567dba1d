// Rule families by colour (families.ts): each agent applies only its own colour's rules; the
// network together applies them all. A term like (+ (* x 2) (* 3 x)) needs all three to reach
// (* x 5): RED turns (* 3 x) into (* x 3), BLUE factors out x, GREEN folds (+ 2 3).
import { compileRule, CONST_FOLD, type Rule, type RuleSpec } from '../../egraph/index.ts';
import { familyOf, RULE_FAMILIES, type Colour } from './families.ts';

export { COLOURS, familyOf, RULE_FAMILIES, type Colour, type RuleFamily } from './families.ts';

/** Each colour's rule specs. */
export const RULE_SPECS = Object.fromEntries(RULE_FAMILIES.map((f) => [f.colour, f.rules])) as Record<Colour, readonly RuleSpec[]>;

/** Compiled once per request at most: the specs are constants. */
export function rulesFor(colour: Colour): Rule[] {
  return familyOf(colour).rules.map(compileRule);
}

/** Whether agents of this colour run constant folding (an analysis, provenance `const-fold`). */
export function foldsConstants(colour: Colour): boolean {
  return familyOf(colour).foldsConstants;
}

/** The colour whose family a rule (a union's provenance) belongs to. */
export function colourOfRule(name: string): Colour | undefined {
  const family = RULE_FAMILIES.find((f) => (name === CONST_FOLD ? f.foldsConstants : f.rules.some((r) => r.name === name)));
  return family?.colour;
}
