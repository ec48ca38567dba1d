// The agent component imports the AssemblyScript e-graph kernel over WIT
// (`crdt-agents:egraph/kernel@0.1.0`); spin.toml composes dist/egraph-kernel.wasm into every agent.
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { startApp, writeManifest } from '../support/network.ts';

it('is refused at startup when an agent is not given the kernel dependency', async () => {
  const manifestPath = writeManifest({ agents: 2 });
  const withoutKernel = readFileSync(manifestPath, 'utf8').replace(/\[component\.agent-1\.dependencies\.[^\]]+\]\npath = "[^"]+"\n/, '');
  expect(withoutKernel).not.toEqual(readFileSync(manifestPath, 'utf8'));
  writeFileSync(manifestPath, withoutKernel);
  await expect(startApp(manifestPath)).rejects.toThrow(/agent-1.*imports crdt-agents:egraph\/kernel/);
}, 120_000);
