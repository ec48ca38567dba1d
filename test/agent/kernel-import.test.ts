// The agent component imports the AssemblyScript e-graph kernel over WIT
// (`crdt-agents:egraph/kernel@0.1.0`); spin.toml composes dist/egraph-kernel.wasm into every agent.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, startApp, writeManifest, type TestApp } from '../support/network.ts';

it('is refused at startup when an agent is not given the kernel dependency', async () => {
  const manifestPath = writeManifest({ agents: 2 });
  const withoutKernel = readFileSync(manifestPath, 'utf8').replace(/\[component\.agent-1\.dependencies\.[^\]]+\]\npath = "[^"]+"\n/, '');
  expect(withoutKernel).not.toEqual(readFileSync(manifestPath, 'utf8'));
  writeFileSync(manifestPath, withoutKernel);
  await expect(startApp(manifestPath)).rejects.toThrow(/agent-1.*imports crdt-agents:egraph\/kernel/);
}, 120_000);

let app: TestApp;
beforeAll(async () => {
  app = await startApp(writeManifest({ agents: 2 }));
}, 120_000);
afterAll(async () => app?.close());

it('answers e-graph queries through the composed kernel', async () => {
  expect((await call(app, 'POST', '/agent/0/terms', { term: '(* (+ x 0) 2)' })).status).toBe(200);
  const egraph = await call<{ nodes: number; classes: number }>(app, 'GET', '/agent/0/egraph');
  // x, 0, (+ x 0), 2, (* (+ x 0) 2): five e-nodes in five classes until a tick saturates
  expect(egraph.body).toMatchObject({ nodes: 5, classes: 5 });
  expect((await call(app, 'GET', '/agent/0/state')).body.egraph_nodes).toBe(5);
});
