// The AssemblyScript kernel, imported over WIT by the components that use it (the agent, the
// bench's e-graph workload). Spin composes one kernel instance into each component instance (so one per request); every `kernel()` call resets it, which makes the previous e-graph
// of the request stale: a request works on one e-graph at a time.
import * as imported from 'crdt-agents:egraph/kernel@0.1.0';
import type { Kernel } from '../egraph/index.ts';

const kernel: Kernel = {
  reset: imported.reset,
  add: imported.add,
  merge: imported.merge,
  rebuild: imported.rebuild,
  find: imported.find,
  nodes: imported.nodes,
  counts: imported.counts,
  costs: imported.costs,
};

/** The component's kernel, emptied. */
export function importedKernel(): Kernel {
  kernel.reset();
  return kernel;
}
