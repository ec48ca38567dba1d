// A component whose initialisation throws must fail the build, loudly (the SDK's `j2w` used to exit 0).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { buildComponent } from '../../scripts/build.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

it('fails with the componentizer output and leaves no component when initialisation throws', async () => {
  const out = 'dist/test/throws-at-init.wasm';
  await expect(buildComponent({ entry: 'test/scripts/fixtures/throws-at-init.ts', out })).rejects.toThrow(/componentize failed/);
  expect(existsSync(join(ROOT, out))).toBe(false);
}, 120_000);
