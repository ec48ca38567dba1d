// The local host as plain ES modules (dist/host.mjs and the worker it starts, dist/host-worker.mjs):
// `npm run host` runs them with Node alone. Loading the host's TypeScript through tsx costs ~250 ms
// in the host and again in each worker thread, most of a cold start. Dependencies stay in
// node_modules (better-sqlite3 is native; jco is imported only when a component needs transpiling).
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
export const HOST_BUNDLE = join(ROOT, 'dist', 'host.mjs');

export async function buildHost(): Promise<string> {
  const t = performance.now();
  process.stderr.write('[build] bundling scripts/host.ts and its worker for Node into dist/\n');
  await build({
    // the worker's name is the one src/host/pool.ts looks for beside the bundled host
    entryPoints: { host: join(ROOT, 'scripts', 'host.ts'), 'host-worker': join(ROOT, 'src', 'host', 'worker.ts') },
    outdir: join(ROOT, 'dist'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  process.stderr.write(`[build] wrote ${HOST_BUNDLE} (${(statSync(HOST_BUNDLE).size / 1024).toFixed(0)} KiB) in ${Math.round(performance.now() - t)} ms\n`);
  return HOST_BUNDLE;
}

if (import.meta.url === `file://${process.argv[1]}`) await buildHost();
