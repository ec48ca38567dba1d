// The e-graph facade: s-expressions, content hashes, rules, e-matching, saturation and extraction
// over any Kernel (the AssemblyScript component, or the TypeScript reference). Pure: no I/O.
export { EGraphError, type EGraphErrorCode } from './errors.ts';
export { MAX_TERM_DEPTH, MAX_TERM_LENGTH, isNumber, isVariable, parsePattern, parseTerm, printTerm, type Term } from './sexp.ts';
export { termHash } from './hash.ts';
export { compileRule, type Condition, type ConditionFn, type Rule, type RuleSpec } from './pattern.ts';
export { ematch, matchesIn, type Match, type Substitution } from './match.ts';
export { EGraph, type TermRecord } from './egraph.ts';
export { reachableClasses, type Snapshot, type SnapshotNode } from './snapshot.ts';
export { AST_SIZE, extractBest, opCostTable, type Best, type OpCost } from './extract.ts';
export {
  CONST_FOLD,
  saturate,
  type NewUnion,
  type SaturationLimits,
  type SaturationOptions,
  type SaturationResult,
  type StopReason,
} from './saturate.ts';
export type { Kernel } from './kernel.ts';
export { ReferenceKernel } from './reference-kernel.ts';
export { kernelFromCoreModule } from './module-kernel.ts';
export { SPIKE_WORKLOAD, generateWorkload, runWorkload, type Workload, type WorkloadPhases, type WorkloadResult, type WorkloadShape } from './workload.ts';
