/** Marks a branch the type checker proves unreachable; throws if reality disagrees. */
export function unexpectedCase(value: never): never {
  throw new Error(`unexpected case: ${JSON.stringify(value)}`);
}
