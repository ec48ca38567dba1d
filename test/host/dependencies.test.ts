// Spin component dependencies (`[component.X.dependencies]`): the host instantiates the dependency
// with each instance of the component and plugs its export into the component's import.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentEmbed, componentNew, parse } from '@bytecodealliance/jco';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostError, startHost } from '../../src/host/index.ts';
import { buildFixture, FIXTURE_BUILD_TIMEOUT_MS, writeTempManifest } from './fixture.ts';

const MATH_WIT = `package can:test@0.1.0;

interface math {
  add: func(a: u32, b: u32) -> u32;
}

world math-provider {
  export math;
}
`;

/** A dependency made the way the AssemblyScript kernel is: a core module + WIT → component. */
async function mathComponent(): Promise<Uint8Array> {
  const core = await parse(`(module
    (func (export "can:test/math@0.1.0#add") (param i32 i32) (result i32)
      local.get 0
      local.get 1
      i32.add))`);
  const embedded = await componentEmbed({ binary: core, witSource: MATH_WIT, world: 'math-provider' });
  return componentNew(embedded);
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};

let userWasm: string;
let dir: string;
beforeAll(async () => {
  userWasm = await buildFixture({
    source: 'uses-math.js',
    worldName: 'spin-http-math',
    world: `package fermyon:spin@2.0.0;

world spin-http-math {
  include spin-http;
  import can:test/math@0.1.0;
}
`,
    deps: { 'can-test': MATH_WIT.replace(/world math-provider \{[^}]*\}/, '') },
  });
  dir = tempDir('can-host-deps-');
  writeFileSync(join(dir, 'math.wasm'), await mathComponent());
}, FIXTURE_BUILD_TIMEOUT_MS);

const manifest = (deps: string) => `spin_manifest_version = 2
[application]
name = "deps"
[[trigger.http]]
route = "/calc/..."
component = "calc"
[component.calc]
source = "${userWasm}"
[component.calc.variables]
agent_id = "7"
${deps}`;

describe('component dependencies', () => {
  it('plugs a dependency’s export into the component’s import, per instance', async () => {
    const host = await startHost({
      manifestPath: writeTempManifest(manifest(`[component.calc.dependencies]\n"can:test/math@0.1.0" = { path = "math.wasm" }\n`), dir),
      listen: '127.0.0.1:0',
      workers: 2,
      logLevel: 'error',
      stateDir: tempDir('can-host-deps-state-'),
    });
    try {
      for (let i = 0; i < 6; i++) {
        const res = await fetch(`${host.url}/calc?a=${i}&b=40`);
        expect(await res.json()).toEqual({ sum: i + 40, agent: '7' });
      }
    } finally {
      await host.close();
    }
  }, 90_000);

  it('fails at startup when an import is neither provided by the host nor by a dependency', async () => {
    const err = await startHost({
      manifestPath: writeTempManifest(manifest(''), tempDir('can-host-deps-app-')),
      listen: '127.0.0.1:0',
      workers: 1,
      logLevel: 'error',
      stateDir: tempDir('can-host-deps-state-'),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostError);
    expect((err as Error).message).toMatch(/component "calc" imports can:test\/math(@0\.1\.0)?, which the local host does not provide/);
  }, 90_000);

  it('fails at startup when the dependency does not export the interface', async () => {
    const err = await startHost({
      manifestPath: writeTempManifest(manifest(`[component.calc.dependencies]\n"can:test/other" = { path = "math.wasm" }\n`), dir),
      listen: '127.0.0.1:0',
      workers: 1,
      logLevel: 'error',
      stateDir: tempDir('can-host-deps-state-'),
    }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/dependencies\."can:test\/other": .*math\.wasm exports no can:test\/other \(it exports can:test\/math@0\.1\.0\)/);
  }, 90_000);
});
