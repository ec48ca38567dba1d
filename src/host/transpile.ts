// Components → JS with jco's `transpile` (instantiation mode, sync), once per distinct wasm: the
// output is cached under the state dir, keyed by a hash of the wasm bytes and the jco version, so a
// second start with the same build does no transpiling at all. The cache also holds each core
// module rewritten to import its memory, with the image of its data (memory-reuse.ts), and remembers the key of a file by its size
// and mtime, so a start with a warm cache neither hashes nor rewrites ~40 MB of wasm.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HostError } from './errors.ts';
import type { Logger } from './log.ts';
import { importMemory, type MemorySpec } from './memory-reuse.ts';

export interface TranspiledSource {
  /** hash of the wasm bytes (and jco version): the cache key, and how workers name the source */
  key: string;
  wasmPath: string;
  /** file URL of the instantiation glue (`instantiate(getCoreModule, imports)`) */
  glueUrl: string;
  /** core module name (as the glue asks for it) → absolute path */
  coreModules: Record<string, string>;
  /** core module name → the same module rewritten to import its memory, that memory's limits, and the file of its image */
  memoryImporting: Record<string, { path: string; memory: Omit<MemorySpec, 'image'>; image?: { offset: number; path: string } }>;
  /** interfaces the component imports, as jco names them (`wasi:http/types@0.2.0`) */
  imports: string[];
  /** exports (`wasi:http/incoming-handler@0.2.0`, …) */
  exports: string[];
}

interface CacheMeta {
  transpiler: string;
  imports: string[];
  exports: string[];
  coreModules: string[];
  /** core module name → its memory, for those rewritten to `<name>.imported-memory.wasm` (its image, if any, in `<name>.memory-image.bin`) */
  memoryImporting: Record<string, Omit<MemorySpec, 'image'> & { imageOffset?: number }>;
}

/** What identifies a component file's bytes without reading them. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
}

/** `<cache>/keys.json`: absolute wasm path → the stamp it had and the key its bytes hashed to */
const KEYS_FILE = 'keys.json';
type KeyMemo = Record<string, FileStamp & { key: string }>;
const MEMORY_IMPORTING_SUFFIX = '.imported-memory.wasm';
const MEMORY_IMAGE_SUFFIX = '.memory-image.bin';

const GLUE_FILE = 'component.mjs';
/** Bumped when `patchGlue` or the cache's layout changes, so cached entries are regenerated. */
const GLUE_PATCH_VERSION = 3;

/**
 * Two fixes to jco's glue for the request path, each applied only if its pattern is found:
 * - `_debugLog` runs on every host call and task step and reads `process.env.JCO_DEBUG` each time
 *   (a slow environment lookup): read it once per module instead.
 * - `WebAssembly.promising(...)` (JSPI) is probed in a try/catch per instantiation; Node 20 has none,
 *   and V8 formats "is not a function" by re-parsing the 1 MB glue (~20 ms per instance). Use the
 *   function itself when JSPI is absent, which is what the catch branch does.
 */
export function patchGlue(source: string): string {
  const prelude: string[] = [];
  const debugCheck = 'if (!globalThis?.process?.env?.JCO_DEBUG) { return; }';
  if (source.includes(debugCheck)) {
    source = source.replaceAll(debugCheck, 'if (!JCO_DEBUG_ENABLED) { return; }');
    prelude.push('const JCO_DEBUG_ENABLED = Boolean(globalThis.process?.env?.JCO_DEBUG);');
  }
  if (source.includes('WebAssembly.promising(')) {
    source = source.replaceAll('WebAssembly.promising(', 'jcoPromising(');
    prelude.push("const jcoPromising = typeof WebAssembly.promising === 'function' ? WebAssembly.promising : (fn) => fn;");
  }
  if (prelude.length === 0) return source;
  // After a leading directive line (`"use components";`), before `export function instantiate`.
  const nl = source.startsWith('"use') ? source.indexOf('\n') : -1;
  return source.slice(0, nl + 1) + prelude.join('\n') + '\n' + source.slice(nl + 1);
}

const META_FILE = 'meta.json';

export type TranspilerChoice = 'auto' | 'jco' | 'componentize';

type TranspileFn = (
  bytes: Uint8Array,
  opts: { name: string; instantiation: 'sync'; noTypescript: boolean; quiet: boolean },
) => Promise<{ files: Record<string, Uint8Array> | [string, Uint8Array][]; imports: string[]; exports: [string, string][] }>;

export interface Transpiler {
  /** for logs and the cache key, e.g. `jco@1.4.4` */
  id: string;
  transpile: TranspileFn;
}

function packageVersion(entry: string): string {
  // jco's exports map hides package.json: find it from the entry point (<pkg>/{src,dist}/api.js).
  const pkg = JSON.parse(readFileSync(join(dirname(dirname(entry)), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * The jco that the Spin SDK's componentize-js pins (1.4.x for componentize-js 0.10), reached the
 * way componentize-js itself resolves it; undefined when the SDK is not installed.
 */
function componentizeJco(): string | undefined {
  try {
    const sdk = createRequire(import.meta.url).resolve('@fermyon/spin-sdk');
    const componentize = createRequire(sdk).resolve('@bytecodealliance/componentize-js');
    return createRequire(componentize).resolve('@bytecodealliance/jco');
  } catch {
    return undefined;
  }
}

/**
 * Which jco generates the glue. `componentize`: the jco 1.4 that the Spin SDK's componentize-js 0.10
 * pins. Our components are built by componentize-js 0.19 now (WASI 0.2.3/0.2.12 imports); jco 1.4
 * transpiles them too, and the glue's import keys carry no version. Its synchronous glue costs
 * ~0.1 ms per request where jco 1.35's (component-model-async task bookkeeping on every host call) costs ~2–3 ms and
 * doubles the handling time of a small request. `jco`: the project's own @bytecodealliance/jco.
 * `auto` (default): `componentize` when installed, else `jco`.
 */
export async function loadTranspiler(choice: TranspilerChoice = 'auto'): Promise<Transpiler> {
  // Only the version is read here; jco itself (a large module) loads on the first cache miss.
  const inProcess = (entry: string): Transpiler => ({ id: `jco@${packageVersion(entry)}`, transpile: transpileInProcess(pathToFileURL(entry).href) });
  if (choice !== 'jco') {
    const entry = componentizeJco();
    if (entry && packageVersion(entry).startsWith('1.4.')) return inProcess(entry);
    if (choice === 'componentize') {
      throw new HostError('transpile-failed', 'transpiler "componentize" needs @fermyon/spin-sdk (its componentize-js pins jco 1.4)');
    }
  }
  return inProcess(createRequire(import.meta.url).resolve('@bytecodealliance/jco'));
}

type TranspileResult = Awaited<ReturnType<TranspileFn>>;
type TranspileReply = { id: number; result: TranspileResult } | { id: number; error: string };
type Waiting = { resolve: (r: TranspileResult) => void; reject: (e: Error) => void };

/**
 * jco runs in a Node process of its own, started on the first cache miss and ended once nothing is
 * being transpiled: what it allocates (its own wasm, the ~1 MB glue strings) leaves with it, where
 * in the host's heap, or a worker thread's, it stayed for good (a first `npm start`: the host at
 * ~550-600 MB idle against ~290 MB with a warm cache).
 */
function transpileInProcess(entryUrl: string): TranspileFn {
  const code = `const { transpile } = await import(${JSON.stringify(entryUrl)});
process.on('message', async ({ id, bytes, opts }) => {
  try {
    const r = await transpile(bytes, opts);
    process.send({ id, result: { files: Array.isArray(r.files) ? r.files : Object.entries(r.files), imports: r.imports, exports: r.exports } });
  } catch (err) {
    process.send({ id, error: err instanceof Error ? err.message : String(err) });
  }
});`;
  let child: ChildProcess | null = null;
  const waiting = new Map<number, Waiting>();
  let next = 0;
  const settle = (id: number): Waiting | undefined => {
    const w = waiting.get(id);
    waiting.delete(id);
    if (waiting.size === 0) {
      if (child?.connected) child.disconnect(); // it ends once its channel closes
      child = null;
    }
    return w;
  };
  const failAll = (err: Error): void => {
    for (const id of [...waiting.keys()]) settle(id)?.reject(err);
  };
  return (bytes, opts) =>
    new Promise<TranspileResult>((resolve, reject) => {
      if (child === null) {
        const started = spawn(process.execPath, ['--input-type=module', '--eval', code], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
        started.on('message', (reply: TranspileReply) => {
          const w = settle(reply.id);
          if ('error' in reply) w?.reject(new Error(reply.error));
          else w?.resolve(reply.result);
        });
        started.on('error', failAll);
        started.on('exit', (code, signal) => {
          if (child === started) failAll(new Error(`the transpiler process exited (${code ?? signal}) before answering`));
        });
        child = started;
      }
      const id = next++;
      waiting.set(id, { resolve, reject });
      child.send({ id, bytes, opts });
    });
}

function missing(wasmPath: string, who: string, buildHint: string, err: unknown): HostError {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
    return new HostError('component-missing', `${who}: component file not found: ${wasmPath} — run \`${buildHint}\` first`, { cause: err });
  }
  return new HostError('component-missing', `${who}: cannot read ${wasmPath}: ${(err as Error).message}`, { cause: err });
}

/** Size and mtime of `wasmPath`, failing with a message that says how to build it when it is missing. */
export function stampComponent(wasmPath: string, who: string, buildHint = 'npm run build'): FileStamp {
  try {
    const { size, mtimeMs } = statSync(wasmPath);
    return { size, mtimeMs };
  } catch (err) {
    throw missing(wasmPath, who, buildHint, err);
  }
}

function readKeys(cacheRoot: string): KeyMemo {
  try {
    return JSON.parse(readFileSync(join(cacheRoot, KEYS_FILE), 'utf8')) as KeyMemo;
  } catch {
    return {}; // none yet, or unreadable: keys are hashed again
  }
}

/** Remembers `wasmPath`'s key (temp file + rename: a concurrent host sees the old or the new memo). */
function rememberKey(cacheRoot: string, wasmPath: string, entry: FileStamp & { key: string }): void {
  const keys = readKeys(cacheRoot);
  keys[wasmPath] = entry;
  mkdirSync(cacheRoot, { recursive: true });
  const tmp = join(cacheRoot, `${KEYS_FILE}.tmp-${process.pid}-${Date.now()}`);
  writeFileSync(tmp, JSON.stringify(keys, null, 2));
  renameSync(tmp, join(cacheRoot, KEYS_FILE));
}

export async function transpileCached(
  wasmPath: string,
  stamp: FileStamp,
  cacheRoot: string,
  transpiler: Transpiler,
  log: Logger,
): Promise<TranspiledSource> {
  const salt = `${transpiler.id}+patch${GLUE_PATCH_VERSION}`;
  const known = readKeys(cacheRoot)[wasmPath];
  let key = known && known.size === stamp.size && known.mtimeMs === stamp.mtimeMs && existsSync(join(cacheRoot, known.key, META_FILE)) ? known.key : undefined;
  let bytes: Uint8Array | undefined;
  if (key === undefined) {
    try {
      bytes = readFileSync(wasmPath);
    } catch (err) {
      throw missing(wasmPath, wasmPath, 'npm run build', err);
    }
    key = createHash('sha256').update(bytes).update(salt).digest('hex').slice(0, 24);
  }
  const dir = join(cacheRoot, key);
  const describe = (meta: CacheMeta): TranspiledSource => ({
    key: key!,
    wasmPath,
    glueUrl: pathToFileURL(join(dir, GLUE_FILE)).href,
    coreModules: Object.fromEntries(meta.coreModules.map((name) => [name, join(dir, name)])),
    memoryImporting: Object.fromEntries(
      Object.entries(meta.memoryImporting).map(([name, { imageOffset, ...memory }]) => [
        name,
        { path: join(dir, name + MEMORY_IMPORTING_SUFFIX), memory, ...(imageOffset === undefined ? {} : { image: { offset: imageOffset, path: join(dir, name + MEMORY_IMAGE_SUFFIX) } }) },
      ]),
    ),
    imports: meta.imports,
    exports: meta.exports,
  });

  const metaPath = join(dir, META_FILE);
  if (existsSync(metaPath)) {
    log('debug', 'transpile cache hit', { wasm: wasmPath, key });
    if (bytes !== undefined) rememberKey(cacheRoot, wasmPath, { ...stamp, key });
    return describe(JSON.parse(readFileSync(metaPath, 'utf8')) as CacheMeta);
  }
  bytes ??= readFileSync(wasmPath);

  const started = performance.now();
  let result: Awaited<ReturnType<TranspileFn>>;
  try {
    result = await transpiler.transpile(bytes, { name: 'component', instantiation: 'sync', noTypescript: true, quiet: true });
  } catch (err) {
    throw new HostError('transpile-failed', `jco could not transpile ${wasmPath}: ${(err as Error).message}`, { cause: err });
  }
  // Write into a temp dir, then rename: a concurrent host with the same state dir sees all or nothing.
  mkdirSync(cacheRoot, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  const coreModules: string[] = [];
  const memoryImporting: CacheMeta['memoryImporting'] = {};
  const files = Array.isArray(result.files) ? result.files : Object.entries(result.files);
  for (const [name, content] of files) {
    if (name.endsWith('.d.ts') || name.includes('/')) continue;
    if (name === 'component.js') writeFileSync(join(tmp, GLUE_FILE), patchGlue(Buffer.from(content).toString('utf8')));
    else if (name.endsWith('.wasm')) {
      writeFileSync(join(tmp, name), content);
      coreModules.push(name);
      const rewritten = importMemory(content);
      if (rewritten) {
        writeFileSync(join(tmp, name + MEMORY_IMPORTING_SUFFIX), rewritten.bytes);
        const { image, ...memory } = rewritten.memory;
        if (image) writeFileSync(join(tmp, name + MEMORY_IMAGE_SUFFIX), image.bytes);
        memoryImporting[name] = image ? { ...memory, imageOffset: image.offset } : memory;
      }
    }
  }
  if (!existsSync(join(tmp, GLUE_FILE))) {
    rmSync(tmp, { recursive: true, force: true });
    throw new HostError('transpile-failed', `jco produced no component.js for ${wasmPath}`);
  }
  const meta: CacheMeta = { transpiler: transpiler.id, imports: result.imports, exports: result.exports.map(([name]) => name), coreModules, memoryImporting };
  writeFileSync(join(tmp, META_FILE), JSON.stringify(meta, null, 2));
  try {
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(metaPath)) throw err; // someone else finished first otherwise
  }
  rememberKey(cacheRoot, wasmPath, { ...stamp, key });
  log('info', 'transpiled component', { wasm: wasmPath, key, transpiler: transpiler.id, ms: Math.round(performance.now() - started) });
  return describe(meta);
}
