// Bundles the dashboard (dashboard/src/main.ts → one ES module for the browser) with esbuild and
// writes dist/dashboard/: the files themselves (to open or inspect) and assets.json, which the
// dashboard component embeds (scripts/build.ts aliases it as `dashboard-assets`).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
export const DASHBOARD_OUT = join(ROOT, 'dist', 'dashboard');
export const DASHBOARD_ASSETS = join(DASHBOARD_OUT, 'assets.json');

const STATIC: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

export async function buildDashboard(): Promise<void> {
  const t = performance.now();
  process.stderr.write('[build] bundling dashboard/src/main.ts for the browser\n');
  const result = await build({
    entryPoints: [join(ROOT, 'dashboard', 'src', 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    write: false,
    logLevel: 'warning',
  });
  const app = result.outputFiles[0]?.text;
  if (app === undefined) throw new Error('esbuild produced no dashboard bundle');
  const files: Record<string, { type: string; body: string }> = { 'app.js': { type: 'text/javascript; charset=utf-8', body: app } };
  for (const [name, type] of Object.entries(STATIC)) files[name] = { type, body: readFileSync(join(ROOT, 'dashboard', name), 'utf8') };
  mkdirSync(DASHBOARD_OUT, { recursive: true });
  const assets: Record<string, { type: string; etag: string; body: string }> = {};
  for (const [name, file] of Object.entries(files)) {
    writeFileSync(join(DASHBOARD_OUT, name), file.body);
    assets[name] = { ...file, etag: `"${createHash('sha256').update(file.body).digest('hex').slice(0, 16)}"` };
  }
  writeFileSync(DASHBOARD_ASSETS, JSON.stringify(assets));
  process.stderr.write(`[build] dashboard bundled in ${Math.round(performance.now() - t)} ms (${Math.round(app.length / 1024)} KiB)\n`);
}
