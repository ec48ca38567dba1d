// Every kernel the e-graph suites run on (STYLE §8: one suite, several implementations): the
// TypeScript reference, and the AssemblyScript kernel as a core module and as a component through
// jco's glue. The AS variants build dist/egraph-kernel*.wasm on first use when asm/ changed.
import { loadComponentKernel, loadCoreKernel } from '../../scripts/kernel-loaders.ts';
import type { Kernel } from '../../src/egraph/kernel.ts';
import { ReferenceKernel } from '../../src/egraph/reference-kernel.ts';

export interface KernelUnderTest {
  name: string;
  create: () => Kernel | Promise<Kernel>;
}

/** Loads (and builds) once per test file, on first use. */
function once(load: () => Promise<() => Kernel>): () => Promise<Kernel> {
  let factory: Promise<() => Kernel> | undefined;
  return async () => (await (factory ??= load()))();
}

export const KERNELS: KernelUnderTest[] = [
  { name: 'reference (TypeScript)', create: () => new ReferenceKernel() },
  { name: 'AssemblyScript core module', create: once(loadCoreKernel) },
  { name: 'AssemblyScript component (jco)', create: once(loadComponentKernel) },
];
