// Spin's variables interface, bound directly (like key-value.ts): `get` reads one variable of the
// component serving the request. Only the component entry points import this (it needs the host).
import { get } from 'fermyon:spin/variables@2.0.0';
import type { VariableSource } from './variables.ts';

/**
 * A variable's value; null when it is undefined for the component (or the host reports any other
 * error for it), as the Spin SDK's `Variables.get` answered.
 */
export const spinVariable: VariableSource = (name) => {
  try {
    return get(name);
  } catch {
    return null;
  }
};
