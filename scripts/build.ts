// Builds the Spin components: the AssemblyScript e-graph kernel first (scripts/build-kernel.ts),
// then esbuild bundles the TypeScript and componentize-js (StarlingMonkey + Wizer) turns each bundle
// into a WASI 0.2 component in dist/, against one of our worlds (src/spin/wit, src/agent/wit).
// Skips the slow componentize step when the bundle, the worlds and componentize-js are unchanged.
import { componentize as componentizeJs, version as COMPONENTIZE_JS_VERSION } from '@bytecodealliance/componentize-js';
import * as shimFilesystem from '@bytecodealliance/preview2-shim/filesystem';
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandLine, HELP_OPTION, isMainModule, run, UsageError } from '../src/cli/command-line.ts';
import { buildHost } from './build-host.ts';
import { buildKernel } from './build-kernel.ts';
import { DASHBOARD_ASSETS, buildDashboard } from './build-dashboard.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** a file of a dependency (their exports maps hide these files from the resolver) */
const packageFile = (name: string, ...path: string[]): string => join(ROOT, 'node_modules', name, ...path);
/** StarlingMonkey, as componentize-js ships it: its strings say which WASI release it speaks */
const ENGINE = packageFile('@bytecodealliance/componentize-js', 'lib', 'starlingmonkey_embedding.wasm');
/** jco's bundled WASI WIT, one folder per package (`wasi-http/package.wit`, …) */
const JCO_WASI_WIT = packageFile('@bytecodealliance/jco', 'lib', 'wit', 'builtin', '0.2.12');
const JCO_WASI_VERSION = '0.2.12';
/** Spin's WIT interfaces (`fermyon:spin@2.0.0`), from the Spin JS SDK */
const SPIN_WIT = packageFile('@fermyon/spin-sdk', 'bin', 'wit');
const SPIN_INTERFACES = ['key-value.wit', 'variables.wit', 'sqlite.wit'];
/** Our WIT packages besides the target's world: dependency folder → WIT file */
const OUR_WIT_DEPS: Record<string, string> = { 'crdt-agents-spin': 'src/spin/wit/spin-http.wit', 'crdt-agents-egraph': 'asm/wit/kernel.wit' };

export interface ComponentTarget {
  /** TypeScript entry point */
  entry: string;
  /** output component, relative to the repo root */
  out: string;
  /** the WIT file holding the world (named `world`); src/spin/wit/spin-http.wit's `spin-http` when absent */
  wit?: { file: string; world: string };
  /** module specifiers the bundle resolves to generated files */
  alias?: Record<string, string>;
}

const SPIN_HTTP = { file: 'src/spin/wit/spin-http.wit', world: 'spin-http' };

export const COMPONENTS: ComponentTarget[] = [
  { entry: 'src/agent/index.ts', out: 'dist/agent.wasm', wit: { file: 'src/agent/wit/agent.wit', world: 'agent' } },
  { entry: 'src/api/index.ts', out: 'dist/api.wasm' },
  {
    entry: 'dashboard/server.ts',
    out: 'dist/dashboard.wasm',
    wit: { file: 'src/spin/wit/spin-http.wit', world: 'http-proxy' },
    alias: { 'dashboard-assets': DASHBOARD_ASSETS },
  },
];

// lib0 (Yjs) reads `location.search` while the module initialises, which happens inside Wizer at
// build time: StarlingMonkey's `--init-location` gives it one.
const RUNTIME_ARGS = '--init-location http://localhost/';

function log(msg: string): void {
  process.stderr.write(`[build] ${msg}\n`);
}

async function bundle(target: ComponentTarget): Promise<string> {
  const out = join(ROOT, target.out.replace(/\.wasm$/, '.bundle.js'));
  await build({
    entryPoints: [join(ROOT, target.entry)],
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    external: ['fermyon:*', 'wasi:*', 'crdt-agents:*'],
    ...(target.alias === undefined ? {} : { alias: target.alias }),
    logLevel: 'warning',
  });
  return out;
}

interface Engine {
  /** the WASI 0.2 release StarlingMonkey imports and exports, e.g. `0.2.3` */
  wasi: string;
  /** `@unstable` WIT features its world was built with (they must be enabled in ours to merge) */
  features: string[];
}

let engine: Engine | undefined;

/**
 * Reads which WASI release componentize-js's StarlingMonkey speaks (a world of another 0.2.x release
 * fails to build: "failed to find export of interface wasi:http/incoming-handler@0.2.x function
 * handle") and which unstable WIT features of jco's WASI WIT it includes.
 */
function readEngine(): Engine {
  if (engine) return engine;
  const text = readFileSync(ENGINE).toString('latin1');
  const versions = new Set([...text.matchAll(/wasi:http\/incoming-handler@(0\.2\.\d+)/g)].map((m) => m[1]!));
  if (versions.size !== 1) {
    throw new Error(`cannot tell which WASI release ${ENGINE} speaks (found ${[...versions].join(', ') || 'none'})`);
  }
  const gated = new Set<string>();
  for (const dir of readdirSync(JCO_WASI_WIT)) {
    const wit = readFileSync(join(JCO_WASI_WIT, dir, 'package.wit'), 'utf8');
    for (const m of wit.matchAll(/@unstable\(feature = ([\w-]+)\)/g)) gated.add(m[1]!);
  }
  engine = { wasi: [...versions][0]!, features: [...gated].filter((f) => text.includes(f)).sort() };
  return engine;
}

/** `wasi:<package>/…@0.2.x` → the engine's release. */
function withWasiVersion(wit: string, version: string): string {
  return wit.replace(/(wasi:[\w-]+(?:\/[\w-]+)?@)0\.2\.\d+/g, `$1${version}`);
}

/**
 * A WIT folder for componentize-js: the target's world at the top; under deps/, jco's WASI WIT
 * (versioned as the engine's release, its unstable features the engine has enabled), Spin's
 * key-value and variables interfaces, and our own packages. Generated from node_modules on every
 * build (cheap), never committed.
 */
function witFolder(wit: NonNullable<ComponentTarget['wit']>, wasmPath: string): string {
  const { wasi, features } = readEngine();
  const dir = `${wasmPath}.wit`;
  rmSync(dir, { recursive: true, force: true });
  const write = (file: string, text: string): void => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  for (const pkg of readdirSync(JCO_WASI_WIT)) {
    let text = readFileSync(join(JCO_WASI_WIT, pkg, 'package.wit'), 'utf8');
    if (!text.includes(`@${JCO_WASI_VERSION};`)) throw new Error(`${JCO_WASI_WIT}/${pkg} is not WASI ${JCO_WASI_VERSION}`);
    for (const feature of features) text = text.replaceAll(`@unstable(feature = ${feature})`, '');
    write(join('deps', pkg, 'package.wit'), withWasiVersion(text, wasi));
  }
  // the SDK's sqlite.wit predates WIT's rename of float64 to f64, which componentize-js 0.19 requires
  const spin = SPIN_INTERFACES.map((f) => readFileSync(join(SPIN_WIT, f), 'utf8').replace(/\bfloat64\b/g, 'f64'));
  write(join('deps', 'fermyon-spin', 'package.wit'), ['package fermyon:spin@2.0.0;', ...spin].join('\n\n'));
  for (const [name, file] of Object.entries(OUR_WIT_DEPS)) {
    if (file !== wit.file) write(join('deps', name, 'package.wit'), withWasiVersion(readFileSync(join(ROOT, file), 'utf8'), wasi));
  }
  write('world.wit', withWasiVersion(readFileSync(join(ROOT, wit.file), 'utf8'), wasi));
  return dir;
}

function fingerprint(bundlePath: string, witDir: string, world: string): string {
  const hash = createHash('sha256').update(readFileSync(bundlePath)).update(`componentize-js@${COMPONENTIZE_JS_VERSION}\n${world}\n${RUNTIME_ARGS}\n`);
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(`${relative(witDir, path)}\n`).update(readFileSync(path));
    }
  };
  walk(witDir);
  return hash.digest('hex');
}

// componentize-js reads the WIT through preview2-shim's WASI filesystem, which (0.26) preopens
// nothing by default ("failed to find a pre-opened file descriptor through which … could be
// opened"), and its splicer reads the preopen list once: preopen the repo, where every WIT folder is.
// Node's shim takes a host path; TypeScript resolves the package's browser types (file data) first.
const addPreopen = shimFilesystem._addPreopen as unknown as (virtualPath: string, hostPath: string) => void;
let preopened = false;

async function componentize(bundlePath: string, wasmPath: string, witDir: string, world: string): Promise<void> {
  rmSync(wasmPath, { force: true });
  if (relative(ROOT, witDir).startsWith('..')) throw new Error(`the WIT folder ${witDir} is outside ${ROOT}`);
  if (!preopened) {
    addPreopen(ROOT, ROOT);
    preopened = true;
  }
  let component: Uint8Array;
  try {
    ({ component } = await componentizeJs({ sourcePath: bundlePath, witPath: witDir, worldName: world, runtimeArgs: RUNTIME_ARGS }));
  } catch (err) {
    throw new Error(`componentize failed for ${bundlePath}:\n${err instanceof Error ? err.message : String(err)}`.trim(), { cause: err });
  }
  if (!(component instanceof Uint8Array) || component.length === 0) throw new Error(`componentize failed for ${bundlePath}: no component`);
  writeFileSync(wasmPath, component);
}

export async function buildComponent(target: ComponentTarget, force = false): Promise<'built' | 'fresh'> {
  const wasmPath = join(ROOT, target.out);
  const stampPath = `${wasmPath}.stamp`;
  mkdirSync(dirname(wasmPath), { recursive: true });
  let t = performance.now();
  log(`bundling ${target.entry}`);
  const bundlePath = await bundle(target);
  log(`bundled in ${Math.round(performance.now() - t)} ms (${Math.round(statSync(bundlePath).size / 1024)} KiB)`);
  const wit = target.wit ?? SPIN_HTTP;
  const witDir = witFolder(wit, wasmPath);
  const print = fingerprint(bundlePath, witDir, wit.world);
  if (!force && existsSync(wasmPath) && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === print) {
    log(`${target.out} is up to date`);
    return 'fresh';
  }
  t = performance.now();
  log(`componentizing ${target.out} with componentize-js ${COMPONENTIZE_JS_VERSION} (WASI ${readEngine().wasi}; ~10-30 s)`);
  rmSync(stampPath, { force: true });
  await componentize(bundlePath, wasmPath, witDir, wit.world);
  writeFileSync(stampPath, print);
  const mib = (statSync(wasmPath).size / 1024 / 1024).toFixed(2);
  log(`wrote ${target.out} (${mib} MiB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return 'built';
}

/** Builds every component, or only those whose output name (e.g. `agent`) is listed. */
export async function buildAll(names: string[] = [], force = false): Promise<void> {
  const targets = names.length === 0 ? COMPONENTS : COMPONENTS.filter((t) => names.some((n) => t.out === `dist/${n}.wasm`));
  if (targets.length !== names.length && names.length > 0) {
    throw new UsageError(`unknown component in ${names.join(', ')}; known: ${COMPONENTS.map((t) => t.out).join(', ')}`);
  }
  // the agent imports the kernel, and spin.toml points each agent at dist/egraph-kernel.wasm
  if (targets.some((t) => t.out === 'dist/agent.wasm')) await buildKernel(force);
  // the dashboard component embeds the bundled dashboard
  if (targets.some((t) => t.alias?.['dashboard-assets'] !== undefined)) await buildDashboard();
  for (const target of targets) await buildComponent(target, force);
  // the local host's bundle is not a component: `spin build` (one component per [component.*.build]) needs none
  if (names.length === 0) await buildHost();
}

const USAGE = `usage: npm run build -- [--force] [component...]
  component     agent (with the kernel it imports), api, dashboard; default: all of them and the host bundle
      --force   rebuild even what is up to date
  -h, --help`;

if (isMainModule(import.meta.url)) {
  const { values, positionals } = commandLine(USAGE, { options: { force: { type: 'boolean', default: false }, help: HELP_OPTION }, allowPositionals: true });
  run(USAGE, () =>
    buildAll(positionals, values.force).catch((err: unknown) => {
      if (err instanceof UsageError) throw err;
      log(err instanceof Error ? err.message : String(err)); // a failed build says why; its stack says nothing more
      return 1;
    }),
  );
}
