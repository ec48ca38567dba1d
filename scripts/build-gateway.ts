// `npm run build:gateway`: the gateway as one self-contained ES module (dist/gateway.mjs, every
// dependency inside), which is all its container image needs besides Node (src/gateway/Dockerfile).
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
export const GATEWAY_BUNDLE = join(ROOT, 'dist', 'gateway.mjs');

export async function buildGateway(outfile: string = GATEWAY_BUNDLE): Promise<string> {
  const t = performance.now();
  process.stderr.write(`[build] bundling src/gateway/main.ts for Node into ${outfile}\n`);
  await build({
    entryPoints: [join(ROOT, 'src', 'gateway', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // CommonJS dependencies (ws) call require(): give the ES module one
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    // ws loads these native speed-ups when present and works without them
    external: ['bufferutil', 'utf-8-validate'],
    logLevel: 'warning',
  });
  process.stderr.write(`[build] wrote ${outfile} (${(statSync(outfile).size / 1024).toFixed(0)} KiB) in ${Math.round(performance.now() - t)} ms\n`);
  return outfile;
}

if (import.meta.url === `file://${process.argv[1]}`) await buildGateway();
