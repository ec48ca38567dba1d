// Factories for the built AssemblyScript kernel in Node, shared by the kernel tests and the bench:
// the core module (direct canonical-ABI calls) and the component (through jco's transpiled glue,
// as a JS host would run it). Each builds dist/ first if its inputs changed, and compiles once;
// every factory call is a fresh instance with an empty e-graph.
import { transpile } from '@bytecodealliance/jco';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Kernel, kernelFromCoreModule } from '../src/egraph/index.ts';
import { buildKernel, KERNEL_COMPONENT, KERNEL_CORE } from './build-kernel.ts';

interface Glue {
  /** jco lifts `list<u32>` to Uint32Array and `u32` to number, so the export is a Kernel as is */
  instantiate(getCoreModule: (path: string) => WebAssembly.Module, imports: object): { kernel: Kernel };
}

/** The core module: `kernelFromCoreModule` over dist/egraph-kernel.core.wasm. */
export async function loadCoreKernel(): Promise<() => Kernel> {
  await buildKernel();
  const bytes = readFileSync(KERNEL_CORE);
  return () => kernelFromCoreModule(bytes);
}

/** The component: transpiled by jco (instantiation mode, so each call is a new instance). */
export async function loadComponentKernel(): Promise<() => Kernel> {
  await buildKernel();
  const { files } = await transpile(readFileSync(KERNEL_COMPONENT), { name: 'egraph-kernel', instantiation: 'sync', quiet: true });
  const js = files['egraph-kernel.js'];
  if (js === undefined) throw new Error(`jco wrote no egraph-kernel.js (got ${Object.keys(files).join(', ')})`);
  // .mjs: the glue is an ES module wherever the temp dir is; it imports nothing, and its core
  // modules come from memory, so the file can go as soon as it is loaded
  const dir = mkdtempSync(join(tmpdir(), 'egraph-kernel-glue-'));
  let glue: Glue;
  try {
    writeFileSync(join(dir, 'egraph-kernel.mjs'), js);
    glue = (await import(pathToFileURL(join(dir, 'egraph-kernel.mjs')).href)) as Glue;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const modules = new Map(
    Object.entries(files)
      .filter(([name]) => name.endsWith('.wasm'))
      .map(([name, bytes]) => [name, new WebAssembly.Module(new Uint8Array(bytes))]),
  );
  const getCoreModule = (name: string): WebAssembly.Module => {
    const module = modules.get(name);
    if (module === undefined) throw new Error(`jco glue asked for an unknown core module ${name}`);
    return module;
  };
  return () => glue.instantiate(getCoreModule, {}).kernel;
}
