// The sources a host serves: each component and dependency transpiled once (or loaded from the
// cache under the state dir) and compiled, checked for what it exports and imports, and grouped
// into the sources the workers instantiate.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HostError } from './errors.ts';
import type { Logger } from './log.ts';
import type { ComponentManifest } from './manifest.ts';
import { PROVIDED_INTERFACES, unversioned } from './plugins.ts';
import type { WorkerSource } from './protocol.ts';
import { stampComponent, transpileCached, type TranspiledSource, type Transpiler } from './transpile.ts';

export interface PreparedSources {
  workerSources: WorkerSource[];
  /** component id → worker source key */
  sourceKeyOf: Map<string, string>;
}

/** Transpiles (or loads from cache) and compiles every source the served components need. */
export async function prepareSources(
  served: ComponentManifest[],
  cacheRoot: string,
  transpiler: Transpiler,
  reuseMemory: boolean,
  log: Logger,
): Promise<PreparedSources> {
  const transpiled = new Map<string, Promise<TranspiledSource>>();
  const transpile = (path: string, who: string, hint: string | undefined): Promise<TranspiledSource> => {
    let t = transpiled.get(path);
    if (!t) {
      const stamp = stampComponent(path, who, hint); // throws at once when missing
      t = transpileCached(path, stamp, cacheRoot, transpiler, log);
      t.catch(() => undefined); // awaited below; a failure while an earlier one is reported must not go unhandled
      transpiled.set(path, t);
    }
    return t;
  };
  // Look at every file first, so a missing one fails before any (slow) transpiling.
  const plans = served.map((c) => ({
    component: c,
    main: transpile(c.source, `component "${c.id}" (${c.sourceAsWritten})`, c.buildCommand),
    deps: c.dependencies.map((d) => ({ dep: d, source: transpile(d.source, `dependency "${d.import}" of component "${c.id}"`, c.buildCommand) })),
  }));

  type Compiled = Pick<WorkerSource, 'modules' | 'memories'>;
  const compiled = new Map<string, Promise<Compiled>>();
  const compile = (t: TranspiledSource): Promise<Compiled> => {
    let c = compiled.get(t.key);
    if (!c) {
      c = (async () => {
        const out: Compiled = { modules: {}, memories: {} };
        for (const [name, path] of Object.entries(t.coreModules)) {
          const rewritten = reuseMemory ? t.memoryImporting[name] : undefined;
          out.modules[name] = await WebAssembly.compile(readFileSync(rewritten?.path ?? path));
          if (rewritten) out.memories[name] = { ...rewritten.memory, ...(rewritten.image ? { image: { offset: rewritten.image.offset, bytes: sharedCopy(readFileSync(rewritten.image.path)) } } : {}) };
        }
        return out;
      })();
      compiled.set(t.key, c);
    }
    return c;
  };

  // Every module compiles at once (V8 compiles on background threads); failures surface below.
  for (const plan of plans) {
    for (const t of [plan.main, ...plan.deps.map((d) => d.source)]) t.then(compile).catch(() => undefined);
  }

  const byKey = new Map<string, WorkerSource>();
  const sourceKeyOf = new Map<string, string>();
  for (const plan of plans) {
    const main = await plan.main;
    const { component } = plan;
    if (!main.exports.some((e) => unversioned(e) === 'wasi:http/incoming-handler')) {
      throw new HostError('bad-manifest', `component "${component.id}" (${component.sourceAsWritten}) does not export wasi:http/incoming-handler: it is not an HTTP component`);
    }
    const dependencies: WorkerSource['dependencies'] = [];
    const provided = new Set(PROVIDED_INTERFACES);
    for (const { dep, source } of plan.deps) {
      const t = await source;
      const wanted = unversioned(dep.export ?? dep.import);
      const exported = t.exports.find((e) => unversioned(e) === wanted);
      if (!exported) {
        throw new HostError('bad-manifest', `component.${component.id}.dependencies."${dep.import}": ${dep.source} exports no ${wanted} (it exports ${t.exports.filter((e) => e.includes(':')).join(', ') || 'nothing'})`);
      }
      if (!byKey.has(t.key)) byKey.set(t.key, { key: t.key, glueUrl: t.glueUrl, ...(await compile(t)), dependencies: [], served: false });
      dependencies.push({ import: unversioned(dep.import), sourceKey: t.key, export: exported });
      provided.add(unversioned(dep.import));
      checkImports(t, PROVIDED_INTERFACES, `dependency "${dep.import}" of component "${component.id}"`);
    }
    checkImports(main, provided, `component "${component.id}"`);
    const key = dependencies.length === 0 ? main.key : `${main.key}+${createHash('sha256').update(JSON.stringify(dependencies)).digest('hex').slice(0, 12)}`;
    const existing = byKey.get(key);
    if (existing) existing.served = true;
    else byKey.set(key, { key, glueUrl: main.glueUrl, ...(await compile(main)), dependencies, served: true });
    sourceKeyOf.set(component.id, key);
  }
  return { workerSources: [...byKey.values()], sourceKeyOf };
}

/** `bytes` in a SharedArrayBuffer: every worker reads the one copy. */
function sharedCopy(bytes: Uint8Array): Uint8Array {
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  shared.set(bytes);
  return shared;
}

function checkImports(t: TranspiledSource, provided: ReadonlySet<string>, who: string): void {
  const missing = t.imports.filter((i) => !provided.has(unversioned(i)));
  if (missing.length > 0) {
    throw new HostError('bad-manifest', `${who} imports ${missing.join(', ')}, which the local host does not provide`);
  }
}
