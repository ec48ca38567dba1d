// E-matching: every way a pattern matches the classes of a snapshot. Plain backtracking over the
// class → nodes index; patterns are small, so the search is driven by the top operator's classes.
import type { Snapshot } from './snapshot.ts';
import { isVariable, type Term } from './sexp.ts';

/** Pattern variable → class id. */
export type Substitution = ReadonlyMap<string, number>;

export interface Match {
  /** the class the whole pattern matched */
  cls: number;
  subst: Substitution;
}

function matchIn(snap: Snapshot, pattern: Term, cls: number, subst: Substitution, out: Substitution[]): void {
  if (isVariable(pattern.op)) {
    const bound = subst.get(pattern.op);
    if (bound === undefined) out.push(new Map(subst).set(pattern.op, cls));
    else if (bound === cls) out.push(subst);
    return;
  }
  for (const node of snap.classes.get(cls) ?? []) {
    if (node.op !== pattern.op || node.children.length !== pattern.children.length) continue;
    let partial: Substitution[] = [subst];
    for (let i = 0; i < node.children.length && partial.length > 0; i++) {
      const next: Substitution[] = [];
      for (const s of partial) matchIn(snap, pattern.children[i] as Term, node.children[i] as number, s, next);
      partial = next;
    }
    out.push(...partial);
  }
}

/**
 * All matches of `pattern`, at most `limit` (a bound on one rule's work per iteration); only at
 * classes in `within` when given (a set closed under children: matching never leaves it).
 */
export function ematch(snap: Snapshot, pattern: Term, limit = Infinity, within: ReadonlySet<number> | null = null): Match[] {
  const roots = isVariable(pattern.op) ? [...snap.classes.keys()] : (snap.byOp.get(pattern.op) ?? []);
  const matches: Match[] = [];
  for (const cls of roots) {
    if (within !== null && !within.has(cls)) continue;
    const found: Substitution[] = [];
    matchIn(snap, pattern, cls, new Map(), found);
    for (const subst of found) {
      matches.push({ cls, subst });
      if (matches.length >= limit) return matches;
    }
  }
  return matches;
}

/** Whether `pattern` matches in class `cls` (egg's goal check: the goal is never added). */
export function matchesIn(snap: Snapshot, pattern: Term, cls: number): boolean {
  const found: Substitution[] = [];
  matchIn(snap, pattern, cls, new Map(), found);
  return found.length > 0;
}
