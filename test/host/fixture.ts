// Builds the test component (fixtures/echo.js) with the same recipe as the real ones: esbuild
// bundle, then the Spin SDK's j2w. The result is cached in the OS temp dir by a hash of the source,
// so every suite (and every run) after the first reuses it; a build takes ~10 s.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const J2W = join(ROOT, 'node_modules', '.bin', 'j2w');
const SDK_WIT = join(ROOT, 'node_modules', '@fermyon', 'spin-sdk', 'bin', 'wit');

// The SDK's spin-http world has no wasi:cli/environment or exit; the fixture needs both, so it is
// built against the SDK's WIT plus one world that adds them (what a Rust or Go Spin component has).
const FIXTURE_WORLD = `package fermyon:spin@2.0.0;

world spin-http-fixture {
  include spin-http;
  import wasi:cli/environment@0.2.0;
  import wasi:cli/exit@0.2.0;
}
`;

export const FIXTURE_BUILD_TIMEOUT_MS = 180_000;

export interface FixtureSpec {
  /** file in test/host/fixtures */
  source: string;
  /** world name in `world` */
  worldName: string;
  /** a WIT file added to the SDK's `fermyon:spin` package (the world to build against) */
  world: string;
  /** extra WIT packages: folder name under deps/ → WIT text */
  deps?: Record<string, string>;
}

/** The echo component: env and exit added to the SDK's spin-http world. */
export const ECHO: FixtureSpec = { source: 'echo.js', worldName: 'spin-http-fixture', world: FIXTURE_WORLD };

/** Path of the built echo component, building it if this source has not been built yet. */
export function echoComponent(): Promise<string> {
  return buildFixture(ECHO);
}

/** Builds a fixture component (cached by a hash of everything that goes into it). */
export async function buildFixture(spec: FixtureSpec): Promise<string> {
  const entry = join(import.meta.dirname, 'fixtures', spec.source);
  const hash = createHash('sha256')
    .update(readFileSync(entry))
    .update(JSON.stringify([spec.worldName, spec.world, spec.deps ?? {}]))
    .update(readFileSync(join(ROOT, 'node_modules', '@fermyon', 'spin-sdk', 'package.json')))
    .digest('hex')
    .slice(0, 16);
  const dir = join(tmpdir(), 'can-host-fixtures');
  const wasm = join(dir, `${spec.source.replace(/\.js$/, '')}-${hash}.wasm`);
  if (existsSync(wasm)) return wasm;
  mkdirSync(dir, { recursive: true });
  const work = join(dir, `build-${hash}-${process.pid}-${Date.now()}`);
  mkdirSync(work);
  try {
    const bundle = join(work, 'bundle.js');
    await build({
      entryPoints: [entry],
      outfile: bundle,
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      external: ['fermyon:*', 'wasi:*', 'can:*'],
      logLevel: 'warning',
    });
    const wit = join(work, 'wit');
    cpSync(SDK_WIT, wit, { recursive: true });
    writeFileSync(join(wit, 'fixture.wit'), spec.world);
    for (const [name, text] of Object.entries(spec.deps ?? {})) {
      mkdirSync(join(wit, 'deps', name), { recursive: true });
      writeFileSync(join(wit, 'deps', name, `${name}.wit`), text);
    }
    const out = join(work, 'out.wasm');
    const run = spawnSync(J2W, ['-i', bundle, '-o', out, '-d', wit, '-n', spec.worldName], { cwd: ROOT, encoding: 'utf8' });
    // j2w can exit 0 without writing a component: trust only the file and its success line.
    if (run.status !== 0 || !/Successfully written component/.test(run.stdout) || !existsSync(out)) {
      throw new Error(`j2w failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
    }
    renameSync(out, wasm); // atomic: a concurrent build of the same source just wins or loses the race
    return wasm;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Writes `manifest` into a fresh temp dir and returns its path. */
export function writeTempManifest(manifest: string, dir = join(tmpdir(), `can-host-app-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`)): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'spin.toml');
  writeFileSync(path, manifest);
  return path;
}
