// Builds the Spin components: the AssemblyScript e-graph kernel first (scripts/build-kernel.ts),
// then esbuild bundles the TypeScript and the Spin JS SDK's `j2w` (componentize-js + Wizer) turns
// each bundle into a WASI 0.2 component in dist/, against the SDK's world or one of ours that
// includes it. Skips the slow componentize step when the bundle and world are unchanged.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildKernel } from './build-kernel.ts';
import { DASHBOARD_ASSETS, buildDashboard } from './build-dashboard.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const J2W = join(ROOT, 'node_modules', '.bin', 'j2w');
const SDK_WIT = join(ROOT, 'node_modules', '@fermyon', 'spin-sdk', 'bin', 'wit');
/** WIT packages our worlds may import besides the SDK's (folder name under deps/ → WIT file) */
const OUR_WIT_DEPS: Record<string, string> = { egraph: 'asm/wit/kernel.wit' };
const SDK_VERSION: string = JSON.parse(
  readFileSync(join(ROOT, 'node_modules', '@fermyon', 'spin-sdk', 'package.json'), 'utf8'),
).version;

export interface ComponentTarget {
  /** TypeScript entry point */
  entry: string;
  /** output component, relative to the repo root */
  out: string;
  /** a WIT file whose world (named `world`) includes the SDK's; the SDK's `spin-http` when absent */
  wit?: { file: string; world: string };
  /** module specifiers the bundle resolves to generated files */
  alias?: Record<string, string>;
}

export const COMPONENTS: ComponentTarget[] = [
  { entry: 'src/agent/index.ts', out: 'dist/agent.wasm', wit: { file: 'src/agent/wit/agent.wit', world: 'agent' } },
  { entry: 'src/api/index.ts', out: 'dist/api.wasm' },
  { entry: 'dashboard/server.ts', out: 'dist/dashboard.wasm', alias: { 'dashboard-assets': DASHBOARD_ASSETS } },
];

// lib0 (Yjs) reads `location.search` while the module initialises, which happens inside Wizer at
// build time where StarlingMonkey's `location` throws. The SDK 2.0.0 `j2w` has no --initLocation
// flag, so the bundle defines a harmless location before any module code runs.
const INIT_LOCATION_BANNER =
  "try{void globalThis.location.search}catch{Object.defineProperty(globalThis,'location'," +
  "{value:new URL('http://localhost/'),configurable:true,writable:true})}";

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
    banner: { js: INIT_LOCATION_BANNER },
    ...(target.alias === undefined ? {} : { alias: target.alias }),
    logLevel: 'warning',
  });
  return out;
}

function fingerprint(bundlePath: string, target: ComponentTarget): string {
  const hash = createHash('sha256').update(readFileSync(bundlePath)).update(`spin-sdk@${SDK_VERSION}`);
  if (target.wit) {
    hash.update(`${target.wit.world}\n`).update(readFileSync(join(ROOT, target.wit.file)));
    for (const file of Object.values(OUR_WIT_DEPS)) hash.update(readFileSync(join(ROOT, file)));
  }
  return hash.digest('hex');
}

/**
 * A WIT folder for `j2w -d`: our world at the top, the SDK's package and its WASI dependencies
 * under deps/ (the resolver reads one flat deps/ folder), and our own packages beside them.
 */
function witFolder(wit: NonNullable<ComponentTarget['wit']>, wasmPath: string): string {
  const dir = `${wasmPath}.wit`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'deps', 'spin'), { recursive: true });
  cpSync(join(ROOT, wit.file), join(dir, 'world.wit'));
  for (const entry of readdirSync(SDK_WIT, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.wit')) cpSync(join(SDK_WIT, entry.name), join(dir, 'deps', 'spin', entry.name));
  }
  cpSync(join(SDK_WIT, 'deps'), join(dir, 'deps'), { recursive: true });
  for (const [name, file] of Object.entries(OUR_WIT_DEPS)) {
    mkdirSync(join(dir, 'deps', name));
    cpSync(join(ROOT, file), join(dir, 'deps', name, `${name}.wit`));
  }
  return dir;
}

function componentize(bundlePath: string, wasmPath: string, target: ComponentTarget): void {
  rmSync(wasmPath, { force: true });
  const world = target.wit ? ['-d', witFolder(target.wit, wasmPath), '-n', target.wit.world] : ['-n', 'spin-http'];
  const run = spawnSync(J2W, ['-i', bundlePath, '-o', wasmPath, ...world], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  // j2w can exit 0 without writing a component: trust only the file and its success line.
  const ok = run.status === 0 && /Successfully written component/.test(run.stdout) && existsSync(wasmPath);
  if (!ok) {
    rmSync(wasmPath, { force: true });
    throw new Error(
      `componentize failed for ${bundlePath} (exit ${run.status}):\n${run.stdout}\n${run.stderr}`.trim(),
    );
  }
}

export async function buildComponent(target: ComponentTarget, force = false): Promise<'built' | 'fresh'> {
  const wasmPath = join(ROOT, target.out);
  const stampPath = `${wasmPath}.stamp`;
  mkdirSync(dirname(wasmPath), { recursive: true });
  let t = performance.now();
  log(`bundling ${target.entry}`);
  const bundlePath = await bundle(target);
  log(`bundled in ${Math.round(performance.now() - t)} ms (${Math.round(statSync(bundlePath).size / 1024)} KiB)`);
  const print = fingerprint(bundlePath, target);
  if (!force && existsSync(wasmPath) && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === print) {
    log(`${target.out} is up to date`);
    return 'fresh';
  }
  t = performance.now();
  log(`componentizing ${target.out} with j2w (spin-sdk ${SDK_VERSION}; ~10-20 s)`);
  componentize(bundlePath, wasmPath, target);
  writeFileSync(stampPath, print);
  const mib = (statSync(wasmPath).size / 1024 / 1024).toFixed(2);
  log(`wrote ${target.out} (${mib} MiB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return 'built';
}

/** Builds every component, or only those whose output name (e.g. `agent`) is listed. */
export async function buildAll(names: string[] = [], force = false): Promise<void> {
  const targets = names.length === 0 ? COMPONENTS : COMPONENTS.filter((t) => names.some((n) => t.out === `dist/${n}.wasm`));
  if (targets.length !== names.length && names.length > 0) {
    throw new Error(`unknown component in ${names.join(', ')}; known: ${COMPONENTS.map((t) => t.out).join(', ')}`);
  }
  // the agent imports the kernel, and spin.toml points each agent at dist/egraph-kernel.wasm
  await buildKernel(force);
  // the dashboard component embeds the bundled dashboard
  if (targets.some((t) => t.alias?.['dashboard-assets'] !== undefined)) await buildDashboard();
  for (const target of targets) await buildComponent(target, force);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ options: { force: { type: 'boolean', default: false } }, allowPositionals: true });
  buildAll(positionals, values.force).catch((err: unknown) => {
    log(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
