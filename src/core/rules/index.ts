// Rule families by colour: each agent applies only its own colour's rules; the network together
// applies them all. A term like (+ (* x 2) (* 3 x)) needs all three to reach (* x 5):
// RED turns (* 3 x) into (* x 3), BLUE factors out x, GREEN folds (+ 2 3).
import { compileRule, CONST_FOLD, type Rule } from '../../egraph/index.ts';
import type { Colour } from '../colouring.ts';
import { BLUE_RULES } from './blue.ts';
import { GREEN_RULES } from './green.ts';
import { RED_RULES } from './red.ts';

export const RULE_SPECS = { RED: RED_RULES, BLUE: BLUE_RULES, GREEN: GREEN_RULES } as const;

/** Compiled once per request at most: the specs are constants. */
export function rulesFor(colour: Colour): Rule[] {
  return RULE_SPECS[colour].map(compileRule);
}

/** Whether agents of this colour run constant folding (an analysis, provenance `const-fold`). */
export function foldsConstants(colour: Colour): boolean {
  return colour === 'GREEN';
}

/** The colour whose family a rule (a union's provenance) belongs to. */
export function colourOfRule(name: string): Colour | undefined {
  if (name === CONST_FOLD) return 'GREEN';
  for (const colour of ['RED', 'BLUE', 'GREEN'] as const) {
    if (RULE_SPECS[colour].some((r) => r.name === name)) return colour;
  }
  return undefined;
}
