// `fermyon:spin/variables@2.0.0` for the component serving the current request.
import { ComponentError } from '../errors.ts';
import { variableNameProblem } from '../manifest.ts';

export type VariablesErrorPayload =
  | { tag: 'invalid-name'; val: string }
  | { tag: 'undefined'; val: string }
  | { tag: 'provider'; val: string }
  | { tag: 'other'; val: string };

export class VariablesError extends ComponentError<VariablesErrorPayload> {
  override name = 'VariablesError';
}

/** `get(name)` over the current component's resolved variables. */
export function getVariable(variables: Readonly<Record<string, string>> | undefined, name: string): string {
  const problem = variableNameProblem(name);
  if (problem) throw new VariablesError({ tag: 'invalid-name', val: `invalid variable name "${name}": ${problem}` });
  const value = variables !== undefined && Object.hasOwn(variables, name) ? variables[name] : undefined;
  if (value === undefined) throw new VariablesError({ tag: 'undefined', val: `no variable for "${name}"` });
  return value;
}

export function createVariablesImport(current: () => Readonly<Record<string, string>> | undefined) {
  return {
    get: (name: string): string => getVariable(current(), name),
  };
}
