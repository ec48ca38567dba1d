// Builds the AssemblyScript e-graph kernel (asm/) twice over: dist/egraph-kernel.core.wasm, a core
// module for Node, and dist/egraph-kernel.wasm, the component exporting
// `crdt-agents:egraph/kernel@0.1.0`. AssemblyScript has no component binding generator, so the core
// module carries a hand-written canonical-ABI shim (asm/index.ts); binaryen renames its exports to
// the names the component model expects, and jco embeds the WIT and wraps it. Skips the build when
// the asm sources, the WIT and the compiler are unchanged since the last one.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandLine, HELP_OPTION, isMainModule, run } from '../src/cli/command-line.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ASM = join(ROOT, 'asm');
const WIT = join(ASM, 'wit', 'kernel.wit');
const WORLD = 'egraph-kernel';
const INTERFACE = 'crdt-agents:egraph/kernel@0.1.0';
export const KERNEL_COMPONENT = join(ROOT, 'dist', 'egraph-kernel.wasm');
export const KERNEL_CORE = join(ROOT, 'dist', 'egraph-kernel.core.wasm');
const STAMP = join(ROOT, 'dist', 'egraph-kernel.stamp');
const ASC_VERSION: string = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'assemblyscript', 'package.json'), 'utf8')).version;
// stub runtime: the kernel reuses its buffers and never needs a GC; `abort=` turns aborts into traps,
// which leaves the module with no imports at all.
const ASC_FLAGS = ['--runtime', 'stub', '-O3', '--noAssert', '--use', 'abort=', '--initialMemory', '2'];
/** kernel functions whose result is a list, and so get a `cabi_post_` export */
const LIST_RESULTS = new Set(['add', 'find', 'nodes', 'counts', 'costs']);

function log(msg: string): void {
  process.stderr.write(`[build] ${msg}\n`);
}

function sources(): string[] {
  return readdirSync(ASM)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => join(ASM, f));
}

function fingerprint(): string {
  const hash = createHash('sha256').update(`assemblyscript@${ASC_VERSION} ${ASC_FLAGS.join(' ')}\n`);
  for (const file of [...sources(), WIT]) hash.update(`${file.slice(ROOT.length)}\n`).update(readFileSync(file));
  return hash.digest('hex');
}

// The compilers load only when the kernel is stale: under tsx, importing asc and binaryen takes ~17 s
// (measured), which every up-to-date `npm start` and `npm test` paid.
async function compile(): Promise<Uint8Array> {
  const { default: asc } = await import('assemblyscript/asc');
  let binary: Uint8Array | undefined;
  let stderr = '';
  const { error } = await asc.main([join(ASM, 'index.ts'), '--outFile', 'kernel.wasm', ...ASC_FLAGS], {
    writeFile: (name, contents) => {
      if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
    },
    stderr: { write: (chunk: Uint8Array | string) => ((stderr += String(chunk)), true) },
  });
  if (error !== null || binary === undefined) throw new Error(`asc failed: ${error?.message ?? 'no binary'}\n${stderr}`.trim());
  return binary;
}

/** `kernel_<func>` → `<interface>#<func>`, `post_list` → `cabi_post_<interface>#<func>` per list result. */
async function renameExports(binary: Uint8Array): Promise<Uint8Array> {
  const { default: binaryen } = await import('binaryen');
  const mod = binaryen.readBinary(binary);
  try {
    mod.setFeatures(binaryen.Features.All); // what asc emits (bulk memory etc.); MVP otherwise
    const exports = Array.from({ length: mod.getNumExports() }, (_, i) => binaryen.getExportInfo(mod.getExportByIndex(i)));
    const post = exports.find((e) => e.name === 'post_list');
    if (post === undefined) throw new Error('asm/index.ts exports no post_list');
    mod.removeExport(post.name);
    const funcs: string[] = [];
    for (const e of exports) {
      if (!e.name.startsWith('kernel_')) continue;
      const func = e.name.slice('kernel_'.length);
      funcs.push(func);
      mod.removeExport(e.name);
      mod.addFunctionExport(e.value, `${INTERFACE}#${func}`);
      if (LIST_RESULTS.has(func)) mod.addFunctionExport(post.value, `cabi_post_${INTERFACE}#${func}`);
    }
    const missing = [...LIST_RESULTS, 'reset', 'merge', 'rebuild'].filter((f) => !funcs.includes(f));
    if (missing.length > 0) throw new Error(`asm/index.ts exports no kernel_${missing.join(', kernel_')}`);
    if (!mod.validate()) throw new Error('renamed kernel module does not validate');
    return mod.emitBinary();
  } finally {
    mod.dispose();
  }
}

/**
 * Writes through a temp file so a failed build never leaves half an output behind; the temp name is
 * unique because test workers may build at the same time (they write the same bytes).
 */
function write(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.${randomUUID()}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

export async function buildKernel(force = false): Promise<'built' | 'fresh'> {
  mkdirSync(dirname(KERNEL_CORE), { recursive: true });
  const print = fingerprint();
  const fresh = existsSync(KERNEL_CORE) && existsSync(KERNEL_COMPONENT) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === print;
  if (fresh && !force) {
    log('dist/egraph-kernel.wasm is up to date');
    return 'fresh';
  }
  const t = performance.now();
  log(`compiling asm/ with assemblyscript ${ASC_VERSION}`);
  const core = await renameExports(await compile());
  const { componentEmbed, componentNew } = await import('@bytecodealliance/jco');
  log(`embedding ${WIT.slice(ROOT.length + 1)} (world ${WORLD}) and wrapping the component`);
  const component = await componentNew(await componentEmbed({ binary: core, witSource: readFileSync(WIT, 'utf8'), world: WORLD }));
  write(KERNEL_CORE, core);
  write(KERNEL_COMPONENT, component);
  write(STAMP, print);
  log(`wrote dist/egraph-kernel.core.wasm (${core.length} B) and dist/egraph-kernel.wasm (${component.length} B) in ${Math.round(performance.now() - t)} ms`);
  return 'built';
}

const USAGE = `usage: tsx scripts/build-kernel.ts [--force]
      --force   rebuild even when dist/egraph-kernel.wasm is up to date
  -h, --help`;

if (isMainModule(import.meta.url)) {
  const { values } = commandLine(USAGE, { options: { force: { type: 'boolean', default: false }, help: HELP_OPTION } });
  run(USAGE, () =>
    buildKernel(values.force).then(
      () => 0,
      (err: unknown) => {
        log(err instanceof Error ? err.message : String(err));
        return 1;
      },
    ),
  );
}
