// Every kernel the e-graph suites run on (STYLE §8: one suite, several implementations).
import type { Kernel } from '../../src/egraph/kernel.ts';
import { ReferenceKernel } from '../../src/egraph/reference-kernel.ts';

export interface KernelUnderTest {
  name: string;
  create: () => Kernel | Promise<Kernel>;
}

export const KERNELS: KernelUnderTest[] = [{ name: 'reference (TypeScript)', create: () => new ReferenceKernel() }];
